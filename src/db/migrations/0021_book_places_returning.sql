-- Booking in one statement, answered in full, for one person or several at once (issue 16).
--
-- As book_places (0019): the session rows are locked in id order, checked, counted and booked
-- inside the database, and a refusal is returned, not raised. Besides, it reads each person (their
-- label name, access needs and notes are the defaults for the booking) and answers with the rows
-- the application used to read back afterwards: the registration, its session, event and venue,
-- and the person. So a booking is one round trip, and no lock waits on the application.
--
-- Several people asking for the same sessions at the same moment are booked in one call, in the
-- order given: the locks are taken once and the places counted once, then each new place is
-- counted as it is taken. Each person's booking is all or nothing; one person who cannot be found
-- does not stop the others. The sessions are checked once for everyone.
--
-- p_requests is a json array of {"personId", "labelName", "accessNeeds", "accessNotes",
-- "actorId"}; a missing or null label name, access needs or notes means "not given", and the
-- person's own is used. One row per request and session asked for (o_request counts requests
-- from 1), or one row per request with its refusal. Rows come back as json, named as the columns.
create or replace function book_places_returning(p_session_ids uuid[], p_requests json)
returns table (
  o_request int,
  o_session_id uuid,
  o_created boolean,
  o_waitlist_position int,
  o_refusal text,
  o_registration json,
  o_session json,
  o_event json,
  o_venue json,
  o_person json
)
language plpgsql volatile as $$
declare
  n_requests int := json_array_length(p_requests);
  n_sessions int := array_length(p_session_ids, 1);
  req json;
  sid uuid;
  s record;
  person people%rowtype;
  first_event uuid;
  session_refusal text;
  refused_session uuid;
  refused_session_json json;
  refused_event_json json;
  -- Per session asked for (by position in p_session_ids): places taken and people waiting, counted
  -- once under the lock and then kept up to date here; null until first needed.
  n_taken int[] := array_fill(null::int, array[n_sessions]);
  n_waiting int[] := array_fill(null::int, array[n_sessions]);
  c_taken int;
  c_waiting int;
  reg registrations%rowtype;
  v_position int;
  v_label_name text;
  v_access_needs text[];
  v_access_notes text;
  v_registered_by uuid;
  v_actor uuid;
begin
  for sid in select distinct x from unnest(p_session_ids) as x order by x loop
    select es.status as session_status, es.ends_at, e.id as event_id, e.status as event_status, to_json(es) as session_json,
           to_json(e) as event_json
      into s
      from event_sessions es join events e on e.id = es.event_id
      where es.id = sid
      for update of es;
    -- A refusal carries the session and event as they are, for the application to word it.
    if not found then
      session_refusal := 'missing';
    elsif s.event_status = 'cancelled' or s.session_status = 'cancelled' then
      session_refusal := 'cancelled';
    elsif s.event_status <> 'published' then
      session_refusal := 'not_open';
    elsif s.ends_at <= now() then
      session_refusal := 'past';
    elsif first_event is null then
      first_event := s.event_id;
    elsif first_event <> s.event_id then
      session_refusal := 'two_events';
    end if;
    if session_refusal is not null then
      refused_session := sid;
      if session_refusal not in ('missing', 'two_events') then
        refused_session_json := s.session_json;
        refused_event_json := s.event_json;
      end if;
      exit;
    end if;
  end loop;

  for i in 1..n_requests loop
    req := p_requests -> (i - 1);
    -- Who first, as the application checked before: an unknown or erased person books nothing.
    select * into person from people p where p.id = (req ->> 'personId')::uuid;
    if not found or person.erased_at is not null then
      return query select i, null::uuid, false, null::int, 'no_person'::text, null::json, null::json, null::json, null::json, null::json;
      continue;
    end if;
    if session_refusal is not null then
      return query select i, refused_session, false, null::int, session_refusal, null::json, refused_session_json, refused_event_json,
        null::json, null::json;
      continue;
    end if;
    v_label_name := coalesce(req ->> 'labelName', person.label_name);
    -- Each need once, in the order first given.
    v_access_needs := array(
      select n from unnest(coalesce(
        case when json_typeof(req -> 'accessNeeds') = 'array' then array(select json_array_elements_text(req -> 'accessNeeds')) end,
        person.access_needs
      )) with ordinality as a(n, o) group by n order by min(o)
    );
    v_access_notes := coalesce(req ->> 'accessNotes', person.access_notes);
    v_actor := (req ->> 'actorId')::uuid;
    v_registered_by := case when v_actor is distinct from person.id then v_actor end;

    -- In the order asked for, so the places are taken in that order.
    for k in 1..n_sessions loop
      sid := p_session_ids[k];
      select * into reg from registrations r where r.session_id = sid and r.person_id = person.id and r.status <> 'cancelled';
      if found then
        v_position := case when reg.status = 'waitlisted' then
          (select count(*)::int from registrations w where w.session_id = sid and w.status = 'waitlisted' and w.seq <= reg.seq)
        end;
        return query select i, sid, false, v_position, null::text, to_json(reg), to_json(es), to_json(e), to_json(v), to_json(person)
          from event_sessions es join events e on e.id = es.event_id left join venues v on v.id = es.venue_id where es.id = sid;
        continue;
      end if;
      if n_taken[k] is null then
        select count(*) filter (where r.status in ('confirmed', 'attended'))::int, count(*) filter (where r.status = 'waitlisted')::int
          into c_taken, c_waiting
          from registrations r where r.session_id = sid;
        n_taken[k] := c_taken;
        n_waiting[k] := c_waiting;
      end if;
      insert into registrations (session_id, person_id, status, label_name, access_needs, access_notes, registered_by, confirmed_at)
        select sid, person.id, case when n_taken[k] < es.capacity then 'confirmed' else 'waitlisted' end, v_label_name,
               v_access_needs, v_access_notes, v_registered_by, case when n_taken[k] < es.capacity then now() end
          from event_sessions es where es.id = sid
        returning * into reg;
      -- Under the lock, the new person waits behind exactly those already waiting.
      if reg.status = 'confirmed' then
        n_taken[k] := n_taken[k] + 1;
        v_position := null;
      else
        n_waiting[k] := n_waiting[k] + 1;
        v_position := n_waiting[k];
      end if;
      return query select i, sid, true, v_position, null::text, to_json(reg), to_json(es), to_json(e), to_json(v), to_json(person)
        from event_sessions es join events e on e.id = es.event_id left join venues v on v.id = es.venue_id where es.id = sid;
    end loop;
  end loop;
end;
$$;

-- Replaced by the function above; nothing calls it any more.
drop function if exists book_places(uuid[], uuid, text, text[], text, uuid);
