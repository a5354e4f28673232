import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import ICAL from 'ical.js';
import pg from 'pg';
import { createAdminWithToken, createEventWithSession, createPerson } from '../../../test/builders.ts';
import { startTestApp, type TestApp } from '../../../test/harness.ts';
import { apiCaller, signIn, type WebClient } from '../../../test/web-client.ts';

let t: TestApp;
let db: pg.Client;
let token: string;
let organiser: { personId: string; role: 'admin' };
let staff: WebClient;

const api = apiCaller(
  () => t.app,
  () => token,
);

before(async () => {
  t = await startTestApp();
  db = new pg.Client({ connectionString: t.databaseUrl });
  await db.connect();
  ({ admin: organiser, token } = await createAdminWithToken(t.services, { email: 'organiser@example.org', name: 'Olu Organiser' }));
  await createPerson(t.services, { email: 'staff@example.org', name: 'Stef Staff' }, 'staff');
  staff = await signIn(t, 'staff@example.org');
});
after(async () => {
  await db.end();
  await t.close();
});

describe('events API', () => {
  test('create, add a session, publish, read back with counts', async () => {
    const created = await api('POST', '/api/v1/events', {
      title: 'Co-production week',
      summary: 'Online talks',
      startsAt: '2030-07-06T09:00:00+01:00',
      endsAt: '2030-07-10T17:00:00+01:00',
      hashtag: 'CoProWeek',
    });
    assert.equal(created.statusCode, 201);
    const event = created.json();
    assert.equal(event.status, 'draft');
    assert.equal(event.hashtag, '#CoProWeek');
    const session = await api('POST', `/api/v1/events/${event.id}/sessions`, {
      title: 'Getting started',
      startsAt: '2030-07-06T10:00:00+01:00',
      endsAt: '2030-07-06T11:30:00+01:00',
      format: 'online',
      capacity: 40,
      joinUrl: 'https://meet.example.org/start',
    });
    assert.equal(session.statusCode, 201, session.body);
    assert.equal((await api('POST', `/api/v1/events/${event.id}/publish`)).json().status, 'published');
    const read = (await api('GET', `/api/v1/events/${event.id}`)).json();
    assert.deepEqual(
      read.sessions.map((s: { title: string; capacity: number; confirmed: number; waitlisted: number }) => [
        s.title,
        s.capacity,
        s.confirmed,
        s.waitlisted,
      ]),
      [['Getting started', 40, 0, 0]],
    );
  });

  test('bad input gets a clear message and changes nothing', async () => {
    const before = (await db.query('select (select count(*) from events) + (select count(*) from event_sessions) as n')).rows[0].n;
    const backwards = await api('POST', '/api/v1/events', {
      title: 'X',
      summary: 'Y',
      startsAt: '2030-07-06T17:00:00+01:00',
      endsAt: '2030-07-06T09:00:00+01:00',
    });
    assert.equal(backwards.statusCode, 400);
    assert.equal(backwards.json().errors[0].message, 'The end must be after the start');
    assert.equal(
      (await api('POST', '/api/v1/events', { title: 'X', summary: 'Y', startsAt: '6 July', endsAt: '2030-07-06T09:00:00Z' })).statusCode,
      400,
    );

    const { event } = await createEventWithSession(t.services, organiser);
    const base = {
      title: 'S',
      startsAt: event.startsAt.toISOString(),
      endsAt: new Date(event.startsAt.getTime() + 3_600_000).toISOString(),
      capacity: 10,
    };
    const http = await api('POST', `/api/v1/events/${event.id}/sessions`, {
      ...base,
      format: 'online',
      joinUrl: 'http://meet.example.org/x',
    });
    assert.equal(http.statusCode, 400);
    assert.match(JSON.stringify(http.json().errors), /must start with https/);
    assert.equal(
      (await api('POST', `/api/v1/events/${event.id}/sessions`, { ...base, format: 'in_person' })).statusCode,
      400,
      'in person needs a venue',
    );
    assert.equal(
      (await api('POST', `/api/v1/events/${event.id}/sessions`, { ...base, format: 'online', joinUrl: 'https://x.example', capacity: 0 }))
        .statusCode,
      400,
    );
    const outside = await api('POST', `/api/v1/events/${event.id}/sessions`, {
      ...base,
      startsAt: '2001-01-01T10:00:00Z',
      endsAt: '2001-01-01T11:00:00Z',
      format: 'online',
      joinUrl: 'https://x.example',
    });
    assert.equal(outside.statusCode, 400);
    assert.match(outside.json().errors[0].message, /during the event/);
    assert.equal(
      (await api('POST', `/api/v1/events/${randomUUID()}/sessions`, { ...base, format: 'online', joinUrl: 'https://x.example' }))
        .statusCode,
      404,
    );
    const after = (await db.query('select (select count(*) from events) + (select count(*) from event_sessions) as n')).rows[0].n;
    assert.equal(Number(after), Number(before) + 2, 'only the helper event and its session were added');
  });

  test('registering twice returns the same registration; a new person can be registered in one call', async () => {
    const { session } = await createEventWithSession(t.services, organiser, { capacity: 5 });
    const first = await api('POST', `/api/v1/sessions/${session.id}/registrations`, {
      person: { name: 'New Person', experience: 'lived', email: 'new@example.org' },
    });
    assert.equal(first.statusCode, 201);
    const again = await api('POST', `/api/v1/sessions/${session.id}/registrations`, { personId: first.json().personId });
    assert.equal(again.statusCode, 200);
    assert.equal(again.json().id, first.json().id);
    const viaEmail = await api('POST', `/api/v1/sessions/${session.id}/registrations`, {
      person: { name: 'New Person', experience: 'lived', email: 'NEW@example.org' },
    });
    assert.equal(viaEmail.statusCode, 200, 'the same email is the same person');
    assert.equal((await db.query(`select count(*)::int as n from people where lower(email) = 'new@example.org'`)).rows[0].n, 1);
    assert.equal((await api('POST', `/api/v1/sessions/${session.id}/registrations`, { personId: randomUUID() })).statusCode, 404);
    assert.equal((await api('POST', `/api/v1/sessions/${session.id}/registrations`, {})).statusCode, 400);
  });

  test('a cancelled event, a draft, or a past session cannot be registered for', async () => {
    const person = await createPerson(t.services);
    const { event, session } = await createEventWithSession(t.services, organiser);
    await api('POST', `/api/v1/events/${event.id}/cancel`);
    const res = await api('POST', `/api/v1/sessions/${session.id}/registrations`, { personId: person.id });
    assert.equal(res.statusCode, 409);
    assert.match(res.json().detail, /cancelled/);
    const draft = await createEventWithSession(t.services, organiser, { publish: false });
    assert.equal((await api('POST', `/api/v1/sessions/${draft.session.id}/registrations`, { personId: person.id })).statusCode, 409);
    const past = await createEventWithSession(t.services, organiser);
    await db.query(`update event_sessions set starts_at = now() - interval '3 hours', ends_at = now() - interval '1 hour' where id = $1`, [
      past.session.id,
    ]);
    const late = await api('POST', `/api/v1/sessions/${past.session.id}/registrations`, { personId: person.id });
    assert.equal(late.statusCode, 409);
    assert.match(late.json().detail, /already happened/);
    assert.equal((await db.query('select count(*)::int as n from registrations where person_id = $1', [person.id])).rows[0].n, 0);
  });

  test('capacity cannot drop below the places given; raising it promotes those waiting', async () => {
    const { session } = await createEventWithSession(t.services, organiser, { capacity: 2 });
    const people = await Promise.all([1, 2, 3].map(() => createPerson(t.services)));
    for (const p of people) await t.services.registrations.register(organiser, { sessionId: session.id, who: { personId: p.id } });
    const full = await t.services.events.getSession(session.id);
    const input = {
      title: full.title,
      startsAt: full.startsAt,
      endsAt: full.endsAt,
      format: full.format,
      capacity: 1,
      venue: { name: 'Town Hall', stepFree: true, hearingLoop: false, accessibleToilet: true },
    };
    await assert.rejects(t.services.events.updateSession(organiser, session.id, input), /2 people already have a place/);
    await t.services.events.updateSession(organiser, session.id, { ...input, capacity: 3 });
    const { rows } = await db.query(`select status from registrations where session_id = $1 order by seq`, [session.id]);
    assert.deepEqual(
      rows.map((r) => r.status),
      ['confirmed', 'confirmed', 'confirmed'],
    );
  });

  test('check-in and the calendar file through the API', async () => {
    const { session } = await createEventWithSession(t.services, organiser, { format: 'online' });
    const person = await createPerson(t.services);
    const reg = (await api('POST', `/api/v1/sessions/${session.id}/registrations`, { personId: person.id })).json();
    assert.equal((await api('POST', `/api/v1/registrations/${reg.id}/check-in`)).json().status, 'attended');
    const ics = await api('GET', `/api/v1/registrations/${reg.id}/calendar.ics`);
    assert.match(ics.headers['content-type'] as string, /text\/calendar/);
    assert.match(ics.body, /BEGIN:VCALENDAR/);
    assert.equal((await api('POST', `/api/v1/registrations/${reg.id}/cancel`)).statusCode, 409, 'a person who came cannot be cancelled');
  });
});

describe('emails and calendar files', () => {
  test('confirmation has a valid .ics in Europe/London with a stable UID and the joining link; waiting and promotion are told', async () => {
    const { session } = await createEventWithSession(t.services, organiser, { format: 'online', capacity: 1 });
    const a = await createPerson(t.services, { email: 'first@example.org', name: 'First Person' });
    const b = await createPerson(t.services, { email: 'second@example.org', name: 'Second Person' });
    const ra = await t.services.registrations.register(null, { sessionId: session.id, who: { personId: a.id } });
    const rb = await t.services.registrations.register(null, { sessionId: session.id, who: { personId: b.id } });
    assert.equal(rb.registration.status, 'waitlisted');

    const mail = await t.waitForEmail('first@example.org', { subject: /You have a place/ });
    assert.match(mail.subject, /You have a place/);
    assert.match(mail.body, /https:\/\/meet\.example\.org\/workshop/);
    const cancelLink = /http:\/\/\S+\/registrations\/\S+\/cancel\?token=\S+/.exec(mail.body)?.[0];
    assert.ok(cancelLink, 'a link to cancel');
    const ics = mail.attachments.find((x) => x.filename.endsWith('.ics'))!;
    const vevent = new ICAL.Component(ICAL.parse(ics.content)).getFirstSubcomponent('vevent')!;
    const ev = new ICAL.Event(vevent);
    assert.equal(ev.uid, `registration-${ra.registration.id}@localhost`);
    assert.equal(vevent.getFirstProperty('dtstart')!.getParameter('tzid'), 'Europe/London');
    const vtz = new ICAL.Component(ICAL.parse(ics.content)).getFirstSubcomponent('vtimezone')!;
    const zone = new ICAL.Timezone(vtz);
    ev.startDate.zone = zone;
    assert.equal(ev.startDate.toJSDate().toISOString(), session.startsAt.toISOString(), 'the right instant, read through the VTIMEZONE');
    assert.equal(vevent.getFirstPropertyValue('url'), 'https://meet.example.org/workshop');

    const waitMail = await t.waitForEmail('second@example.org', { subject: /waiting list/ });
    assert.match(waitMail.subject, /waiting list/);
    assert.match(waitMail.body, /number 1 on the waiting list/);
    assert.doesNotMatch(waitMail.body, /meet\.example\.org/, 'no joining link without a place');

    // The first person cancels from the link in their email: the second is promoted and told.
    const link = new URL(cancelLink!);
    const page = await t.app.inject({ url: link.pathname + link.search });
    assert.equal(page.statusCode, 200);
    const csrf = /name="_csrf" value="([^"]+)"/.exec(page.body)![1]!;
    const cookie = page.cookies.map((c) => `${c.name}=${c.value}`).join('; ');
    const done = await t.app.inject({
      method: 'POST',
      url: link.pathname,
      headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ _csrf: csrf, token: link.searchParams.get('token')! }).toString(),
    });
    assert.equal(done.statusCode, 200);
    assert.match(done.body, /Cancelled/);
    const promoted = await t.waitForEmail('second@example.org', { subject: /A place came up/ });
    assert.match(promoted.subject, /A place came up/);
    const cancelled = await t.waitForEmail('first@example.org', { subject: /Cancelled/ });
    const cancelIcs = new ICAL.Component(ICAL.parse(cancelled.attachments[0]!.content));
    assert.equal(cancelIcs.getFirstPropertyValue('method'), 'CANCEL');
    assert.equal(new ICAL.Event(cancelIcs.getFirstSubcomponent('vevent')!).uid, ev.uid, 'the same UID, so calendars remove it');

    const forged = await t.app.inject({ url: `/registrations/${rb.registration.id}/cancel?token=forged` });
    assert.equal(forged.statusCode, 404);
  });

  test('a reminder goes to people with a place, and is queued for the day before', async () => {
    const { session } = await createEventWithSession(t.services, organiser);
    const p = await createPerson(t.services, { email: 'remind@example.org' });
    const r = await t.services.registrations.register(null, { sessionId: session.id, who: { personId: p.id } });
    const { rows } = await db.query(
      `select start_after from pgboss.job where name = 'registration.reminder' and data->>'registrationId' = $1`,
      [r.registration.id],
    );
    assert.equal(rows.length, 1);
    assert.equal(new Date(rows[0].start_after).getTime(), session.startsAt.getTime() - 24 * 3_600_000);
    await t.services.registrations.sendReminder(r.registration.id);
    const reminder = await t.waitForEmail('remind@example.org', { subject: /Reminder/ });
    assert.match(reminder.subject, /Reminder/);
  });

  test('cancelling an event tells everyone registered', async () => {
    const { event, session } = await createEventWithSession(t.services, organiser);
    const p = await createPerson(t.services, { email: 'told@example.org' });
    await t.services.registrations.register(null, { sessionId: session.id, who: { personId: p.id } });
    await staff.get(`/manage/events/${event.id}/cancel`);
    assert.equal((await staff.post(`/manage/events/${event.id}/cancel`)).statusCode, 303);
    const mail = await t.waitForEmail('told@example.org', { subject: /Cancelled/ });
    assert.match(mail.subject, /Cancelled/);
  });
});
