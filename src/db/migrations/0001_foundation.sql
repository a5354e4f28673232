-- People, sign-in, sessions, consent, audit and API tokens: the ground every feature stands on.

create table people (
  id uuid primary key default gen_random_uuid(),
  name text not null,
  label_name text,
  pronouns text,
  experience text not null check (experience in ('lived', 'professional', 'both')),
  organisation text,
  email text,
  phone text,
  postal_address text,
  contact_preference text not null default 'email' check (contact_preference in ('email', 'phone', 'post')),
  access_needs text[] not null default '{}',
  access_notes text,
  role text not null default 'participant' check (role in ('admin', 'staff', 'facilitator', 'participant')),
  is_demo boolean not null default false,
  created_by uuid references people(id) on delete set null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  erasure_requested_at timestamptz,
  erased_at timestamptz
);
-- One person per email address, whatever its case; people without email are many.
create unique index people_email_unique on people (lower(email)) where email is not null;
create index people_name_search on people (lower(name) text_pattern_ops);
create index people_erasure_requested on people (erasure_requested_at) where erasure_requested_at is not null and erased_at is null;

create table sign_in_tokens (
  id uuid primary key default gen_random_uuid(),
  person_id uuid not null references people(id) on delete cascade,
  token_hash text not null unique,
  expires_at timestamptz not null,
  used_at timestamptz,
  created_at timestamptz not null default now()
);
create index sign_in_tokens_person on sign_in_tokens (person_id);

-- One row per sign-in request, counted for the per-address and per-IP limits.
create table sign_in_requests (
  id bigserial primary key,
  email_key text not null,
  ip text not null,
  created_at timestamptz not null default now()
);
create index sign_in_requests_email on sign_in_requests (email_key, created_at);
create index sign_in_requests_ip on sign_in_requests (ip, created_at);

create table web_sessions (
  id_hash text primary key,
  person_id uuid not null references people(id) on delete cascade,
  created_at timestamptz not null default now(),
  last_seen_at timestamptz not null default now(),
  expires_at timestamptz not null
);
create index web_sessions_person on web_sessions (person_id);

create table consents (
  id uuid primary key default gen_random_uuid(),
  person_id uuid not null references people(id) on delete cascade,
  purpose text not null check (purpose in ('contact', 'photos', 'quoting', 'story_publishing', 'research')),
  wording text not null,
  given_at timestamptz not null default now(),
  withdrawn_at timestamptz,
  recorded_by uuid references people(id) on delete set null
);
-- At most one live consent per person and purpose.
create unique index consents_one_live on consents (person_id, purpose) where withdrawn_at is null;

create table audit_log (
  id bigserial primary key,
  at timestamptz not null default now(),
  actor_id uuid references people(id) on delete set null,
  action text not null,
  subject_type text not null,
  subject_id text,
  details jsonb not null default '{}'
);
create index audit_log_subject on audit_log (subject_type, subject_id, at desc);
create index audit_log_at on audit_log (at desc);

create table api_tokens (
  id uuid primary key default gen_random_uuid(),
  person_id uuid not null references people(id) on delete cascade,
  name text not null,
  token_hash text not null unique,
  created_at timestamptz not null default now(),
  last_used_at timestamptz,
  revoked_at timestamptz
);
