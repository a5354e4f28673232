-- Public pages (the home page, the events list, a programme) are cached in each process's
-- memory for visitors who are not signed in. Any change to what they show tells every process
-- on this database at once: NOTIFY public_pages, once per statement, after the commit.
create or replace function notify_public_pages() returns trigger language plpgsql as $$
begin
  perform pg_notify('public_pages', tg_table_name);
  return null;
end $$;

create trigger public_pages_changed after insert or update or delete or truncate on events
  for each statement execute function notify_public_pages();
create trigger public_pages_changed after insert or update or delete or truncate on event_sessions
  for each statement execute function notify_public_pages();
create trigger public_pages_changed after insert or update or delete or truncate on venues
  for each statement execute function notify_public_pages();
-- Places left on a programme change with every booking and cancellation.
create trigger public_pages_changed after insert or update or delete or truncate on registrations
  for each statement execute function notify_public_pages();
create trigger public_pages_changed after insert or update or delete or truncate on session_facilitators
  for each statement execute function notify_public_pages();
-- Who leads a session, and the demo accounts on the home page.
create trigger public_pages_changed after insert or update or delete or truncate on people
  for each statement execute function notify_public_pages();
