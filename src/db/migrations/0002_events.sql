-- Events (a one-day conference, a week-long festival), their sessions, venues and registrations.

alter table people add column bio text;

create table events (
  id uuid primary key default gen_random_uuid(),
  title text not null,
  summary text not null,
  easy_read_summary text,
  description text,
  starts_at timestamptz not null,
  ends_at timestamptz not null,
  hashtag text,
  partners text[] not null default '{}',
  status text not null default 'draft' check (status in ('draft', 'published', 'cancelled')),
  is_demo boolean not null default false,
  created_by uuid references people(id) on delete set null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  check (ends_at > starts_at)
);
create index events_starts on events (starts_at);

create table venues (
  id uuid primary key default gen_random_uuid(),
  name text not null,
  address text,
  postcode text,
  step_free boolean not null default false,
  hearing_loop boolean not null default false,
  accessible_toilet boolean not null default false,
  parking text,
  public_transport text
);

create table event_sessions (
  id uuid primary key default gen_random_uuid(),
  event_id uuid not null references events(id) on delete cascade,
  title text not null,
  description text,
  easy_read_description text,
  theme text,
  starts_at timestamptz not null,
  ends_at timestamptz not null,
  format text not null check (format in ('in_person', 'online', 'hybrid')),
  capacity integer not null check (capacity > 0),
  venue_id uuid references venues(id) on delete set null,
  join_url text check (join_url is null or join_url like 'https://%'),
  status text not null default 'scheduled' check (status in ('scheduled', 'cancelled')),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  check (ends_at > starts_at)
);
create index event_sessions_event on event_sessions (event_id, starts_at);

create table session_facilitators (
  session_id uuid not null references event_sessions(id) on delete cascade,
  person_id uuid not null references people(id) on delete cascade,
  primary key (session_id, person_id)
);

-- seq is the order registrations were accepted (under the session lock): the waiting list order.
create table registrations (
  id uuid primary key default gen_random_uuid(),
  seq bigserial not null unique,
  session_id uuid not null references event_sessions(id) on delete cascade,
  person_id uuid not null references people(id) on delete cascade,
  status text not null check (status in ('confirmed', 'waitlisted', 'cancelled', 'attended')),
  label_name text,
  access_needs text[] not null default '{}',
  access_notes text,
  registered_by uuid references people(id) on delete set null,
  walk_in boolean not null default false,
  created_at timestamptz not null default now(),
  confirmed_at timestamptz,
  cancelled_at timestamptz,
  attended_at timestamptz
);
-- One live registration per person per session: registering twice returns the same one.
create unique index registrations_one_live on registrations (session_id, person_id) where status <> 'cancelled';
create index registrations_session_status on registrations (session_id, status, seq);
create index registrations_person on registrations (person_id);
