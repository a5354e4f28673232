-- Privacy hardening: who asked for an erasure (a different member of staff must confirm it),
-- and an email change waiting for the new address to be confirmed by a link sent to it.

alter table people add column erasure_requested_by uuid references people(id) on delete set null;
alter table people add column pending_email text;
alter table people add column email_change_requested_at timestamptz;
