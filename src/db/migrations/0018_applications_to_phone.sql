-- Who moved an application last, and when: people reached by phone are phoned about a move staff
-- made (not one they made themselves), until someone records the call (phoned_at).
alter table applications add column if not exists status_changed_at timestamptz;
alter table applications add column if not exists status_changed_by uuid references people(id) on delete set null;
alter table applications add column if not exists phoned_at timestamptz;
