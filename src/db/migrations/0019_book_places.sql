-- Booking in one statement. The session rows are locked, checked, counted and booked inside the
-- database, so no lock is held while the application waits for its turn on a busy event loop
-- (issue 16: that wait, not the SQL, was what limited a burst of bookings at one session).
-- Sessions are locked in id order, as everywhere else, so two bookings never deadlock; every
-- session is checked before any is booked, so a booking is all or nothing. Each statement in a
-- volatile function reads afresh, so a count made after the lock sees every booking committed
-- before it. A refusal is returned, not raised: the application words it.
create or replace function book_places(
  p_session_ids uuid[],
  p_person_id uuid,
  p_label_name text,
  p_access_needs text[],
  p_access_notes text,
  p_registered_by uuid
) returns table (o_session_id uuid, o_registration_id uuid, o_created boolean, o_waitlist_position int, o_refusal text)
language plpgsql volatile as $$
declare
  sid uuid;
  s record;
  first_event uuid;
  n_taken int;
  n_waiting int;
  existing record;
  new_status text;
  new_id uuid;
begin
  for sid in select distinct x from unnest(p_session_ids) as x order by x loop
    select es.capacity, es.status as session_status, es.ends_at, e.id as event_id, e.status as event_status
      into s
      from event_sessions es join events e on e.id = es.event_id
      where es.id = sid
      for update of es;
    if not found then
      return query select sid, null::uuid, false, null::int, 'missing'::text;
      return;
    end if;
    if s.event_status = 'cancelled' or s.session_status = 'cancelled' then
      return query select sid, null::uuid, false, null::int, 'cancelled'::text;
      return;
    elsif s.event_status <> 'published' then
      return query select sid, null::uuid, false, null::int, 'not_open'::text;
      return;
    elsif s.ends_at <= now() then
      return query select sid, null::uuid, false, null::int, 'past'::text;
      return;
    end if;
    if first_event is null then
      first_event := s.event_id;
    elsif first_event <> s.event_id then
      return query select sid, null::uuid, false, null::int, 'two_events'::text;
      return;
    end if;
  end loop;

  -- In the order asked for, so the places are taken in that order.
  foreach sid in array p_session_ids loop
    select r.id, r.status, r.seq into existing
      from registrations r where r.session_id = sid and r.person_id = p_person_id and r.status <> 'cancelled';
    if found then
      return query select sid, existing.id, false,
        case when existing.status = 'waitlisted' then
          (select count(*)::int from registrations w where w.session_id = sid and w.status = 'waitlisted' and w.seq <= existing.seq)
        end,
        null::text;
      continue;
    end if;
    select count(*) filter (where r.status in ('confirmed', 'attended'))::int, count(*) filter (where r.status = 'waitlisted')::int
      into n_taken, n_waiting
      from registrations r where r.session_id = sid;
    new_status := case when n_taken < (select es.capacity from event_sessions es where es.id = sid) then 'confirmed' else 'waitlisted' end;
    insert into registrations (session_id, person_id, status, label_name, access_needs, access_notes, registered_by, confirmed_at)
      values (sid, p_person_id, new_status, p_label_name, p_access_needs, p_access_notes, p_registered_by,
              case when new_status = 'confirmed' then now() end)
      returning id into new_id;
    -- Under the lock, the new person waits behind exactly those already waiting.
    return query select sid, new_id, true, case when new_status = 'waitlisted' then n_waiting + 1 end, null::text;
  end loop;
end;
$$;
