-- Every email asked for, by kind and the ids it is about (never an address or a link), with
-- where its delivery stands: waiting (and why the last try failed), sent, failed after a day
-- of trying, or not needed (no one to send it to any more). Admins see the waiting and failed.
create table outgoing_emails (
  id uuid primary key default gen_random_uuid(),
  kind text not null,
  ref jsonb not null default '{}',
  status text not null default 'waiting' check (status in ('waiting', 'sent', 'failed', 'not_needed')),
  attempts integer not null default 0,
  last_error text,
  created_at timestamptz not null default now(),
  last_attempt_at timestamptz,
  next_attempt_at timestamptz,
  sent_at timestamptz
);
create index outgoing_emails_open on outgoing_emails (status, created_at) where status in ('waiting', 'failed');
create index outgoing_emails_attempts on outgoing_emails (last_attempt_at desc) where last_attempt_at is not null;
