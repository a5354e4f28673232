-- Co-production boards (steering groups, advisory panels): members, meetings with papers sent
-- ahead, attendance, minutes, and the decisions and actions that come out of them.

create table boards (
  id uuid primary key default gen_random_uuid(),
  name text not null,
  -- What the board is for, in plain words and in easy read.
  purpose text not null,
  easy_read_purpose text,
  -- The share of members (lived or both) the board aims for; below it, a warning.
  lived_target smallint not null default 50 check (lived_target between 0 and 100),
  -- Papers go to members this many days before a meeting.
  papers_days_before smallint not null default 7 check (papers_days_before between 0 and 60),
  -- Shown on the public board page only once staff publish it.
  published boolean not null default false,
  is_demo boolean not null default false,
  -- The create form's one-time key: a double click makes one board.
  submission_key uuid unique,
  created_by uuid references people(id) on delete set null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);

create table board_members (
  id uuid primary key default gen_random_uuid(),
  board_id uuid not null references boards(id) on delete cascade,
  person_id uuid not null references people(id) on delete cascade,
  role text not null check (role in ('co_chair', 'member', 'adviser')),
  term_from date not null,
  term_to date check (term_to >= term_from),
  -- The member agreed to be named on the public board page.
  shown_publicly boolean not null default false,
  added_by uuid references people(id) on delete set null,
  created_at timestamptz not null default now(),
  unique (board_id, person_id, term_from)
);
create index board_members_person on board_members (person_id);

create table board_meetings (
  id uuid primary key default gen_random_uuid(),
  board_id uuid not null references boards(id) on delete cascade,
  title text not null,
  starts_at timestamptz not null,
  ends_at timestamptz not null check (ends_at > starts_at),
  format text not null check (format in ('in_person', 'online', 'hybrid')),
  venue_id uuid references venues(id) on delete set null,
  join_url text,
  status text not null default 'scheduled' check (status in ('scheduled', 'cancelled')),
  -- When the papers went to members (by the job, or sent early by staff).
  papers_sent_at timestamptz,
  minutes text,
  easy_read_minutes text,
  minutes_published_at timestamptz,
  submission_key uuid unique,
  created_by uuid references people(id) on delete set null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create index board_meetings_board on board_meetings (board_id, starts_at);

-- The agenda, in order; each item may carry one paper (a PDF kept in the file store) or a link.
create table agenda_items (
  id uuid primary key default gen_random_uuid(),
  meeting_id uuid not null references board_meetings(id) on delete cascade,
  position smallint not null,
  title text not null,
  easy_read text,
  paper_url text,
  -- The uploaded paper: its key in the file store, the name to download it as, and its size.
  paper_key text unique,
  paper_name text,
  paper_bytes integer check (paper_bytes > 0),
  paper_easy_read boolean not null default false,
  submission_key uuid unique,
  unique (meeting_id, position),
  check ((paper_key is null) = (paper_name is null))
);

-- Each member invited to a meeting: their reply and access needs (gathered as for events), and
-- whether they came (recorded by staff on or after the day).
create table meeting_attendees (
  meeting_id uuid not null references board_meetings(id) on delete cascade,
  person_id uuid not null references people(id) on delete cascade,
  invited_at timestamptz,
  reply text check (reply in ('coming', 'not_coming')),
  access_needs text[] not null default '{}',
  access_notes text,
  replied_at timestamptz,
  attended boolean,
  attendance_recorded_by uuid references people(id) on delete set null,
  attendance_recorded_at timestamptz,
  primary key (meeting_id, person_id)
);
create index meeting_attendees_person on meeting_attendees (person_id);

create table board_decisions (
  id uuid primary key default gen_random_uuid(),
  meeting_id uuid not null references board_meetings(id) on delete cascade,
  -- A decision the board made, or an action someone will take.
  kind text not null default 'action' check (kind in ('decision', 'action')),
  text text not null,
  easy_read text,
  owner_id uuid references people(id) on delete set null,
  due_on date,
  status text not null default 'open' check (status in ('open', 'in_progress', 'done', 'dropped')),
  -- Shown on the public board page once staff publish it.
  published boolean not null default false,
  -- The due date a reminder was last sent for: a changed date gets its own reminder.
  reminded_for date,
  submission_key uuid unique,
  created_by uuid references people(id) on delete set null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create index board_decisions_meeting on board_decisions (meeting_id);
create index board_decisions_owner on board_decisions (owner_id, status);

-- Every change of a decision's status, with the note that explains it.
create table decision_updates (
  id uuid primary key default gen_random_uuid(),
  decision_id uuid not null references board_decisions(id) on delete cascade,
  status text not null check (status in ('open', 'in_progress', 'done', 'dropped')),
  note text not null,
  by_person uuid references people(id) on delete set null,
  at timestamptz not null default now()
);
create index decision_updates_decision on decision_updates (decision_id, at);
create index decision_updates_by on decision_updates (by_person);
