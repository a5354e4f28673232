-- Leadership programmes (Leading Together) run in cohorts: applications and selection,
-- sessions and attendance, coaching, group projects, graduation and certificates.

-- A cohort's schedule reuses event sessions (venues, facilitators, formats, calendars) through
-- an event of its own, which never appears in the public or organisers' event lists.
alter table events add column kind text not null default 'event' check (kind in ('event', 'cohort'));
alter table event_sessions add column kind text not null default 'session' check (kind in ('session', 'workshop', 'catch_up'));

create table programmes (
  id uuid primary key default gen_random_uuid(),
  title text not null,
  summary text not null,
  easy_read_summary text,
  who_for text,
  places_per_cohort integer not null check (places_per_cohort between 1 and 1000),
  partners text[] not null default '{}',
  -- Share of places (0 to 1) for people with lived experience ("lived" or "both").
  lived_min_share double precision check (lived_min_share between 0 and 1),
  -- Application form questions the mix meter tallies (for example the area people live in).
  tracked_question_keys text[] not null default '{}',
  min_sessions_attended integer not null default 0 check (min_sessions_attended >= 0),
  project_required boolean not null default false,
  application_form_id uuid references forms(id) on delete set null,
  is_demo boolean not null default false,
  created_by uuid references people(id) on delete set null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);

create table cohorts (
  id uuid primary key default gen_random_uuid(),
  programme_id uuid not null references programmes(id) on delete cascade,
  event_id uuid not null unique references events(id),
  name text not null,
  starts_on date not null,
  ends_on date not null,
  places integer not null check (places between 1 and 1000),
  applications_open boolean not null default true,
  graduated_at timestamptz,
  is_demo boolean not null default false,
  created_at timestamptz not null default now(),
  check (ends_on >= starts_on)
);
create index cohorts_programme on cohorts (programme_id, starts_on);

create table applications (
  id uuid primary key default gen_random_uuid(),
  cohort_id uuid not null references cohorts(id) on delete cascade,
  person_id uuid not null references people(id) on delete cascade,
  status text not null default 'applied'
    check (status in ('applied', 'shortlisted', 'waiting', 'offered', 'accepted', 'declined', 'unsuccessful', 'withdrawn')),
  answers jsonb not null default '{}',
  -- Who filled the form in, when it was not the applicant (staff, or a supporter with them).
  submitted_by uuid references people(id) on delete set null,
  helped_by text,
  score smallint check (score between 1 and 5),
  notes text,
  -- How the member is shown to the rest of their group.
  shown_as text not null default 'name' check (shown_as in ('name_and_organisation', 'name', 'hidden')),
  alumni_listed boolean not null default false,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  unique (cohort_id, person_id)
);
create index applications_person on applications (person_id);

create table cohort_attendance (
  session_id uuid not null references event_sessions(id) on delete cascade,
  person_id uuid not null references people(id) on delete cascade,
  attended boolean not null,
  recorded_by uuid references people(id) on delete set null,
  recorded_at timestamptz not null default now(),
  primary key (session_id, person_id)
);

-- Notes are for the coach and the participant only; staff see that coaching happened.
create table coaching_sessions (
  id uuid primary key default gen_random_uuid(),
  cohort_id uuid not null references cohorts(id) on delete cascade,
  participant_id uuid not null references people(id) on delete cascade,
  coach_id uuid not null references people(id),
  starts_at timestamptz not null,
  status text not null default 'booked' check (status in ('booked', 'done', 'cancelled')),
  notes text,
  created_by uuid references people(id) on delete set null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create index coaching_cohort on coaching_sessions (cohort_id, starts_at);

create table projects (
  id uuid primary key default gen_random_uuid(),
  cohort_id uuid not null references cohorts(id) on delete cascade,
  title text not null,
  aim text not null,
  presented_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create index projects_cohort on projects (cohort_id);

create table project_members (
  project_id uuid not null references projects(id) on delete cascade,
  person_id uuid not null references people(id) on delete cascade,
  co_lead boolean not null default false,
  primary key (project_id, person_id)
);
create index project_members_person on project_members (person_id);

create table project_updates (
  id uuid primary key default gen_random_uuid(),
  project_id uuid not null references projects(id) on delete cascade,
  author_id uuid references people(id) on delete set null,
  body text not null,
  created_at timestamptz not null default now()
);

-- The name is the one the person chose when the certificate was issued; the signed
-- credential is kept exactly as issued so anyone can check it later.
create table certificates (
  id uuid primary key default gen_random_uuid(),
  serial text not null unique,
  person_id uuid references people(id) on delete set null,
  cohort_id uuid not null references cohorts(id),
  name text not null,
  achievement text not null,
  issued_on date not null,
  issuer text not null,
  credential jsonb not null,
  revoked_at timestamptz,
  revoked_reason text,
  revoked_by uuid references people(id) on delete set null,
  created_at timestamptz not null default now(),
  unique (cohort_id, person_id)
);

alter table forms add constraint forms_cohort_fk foreign key (cohort_id) references cohorts(id) on delete set null;
