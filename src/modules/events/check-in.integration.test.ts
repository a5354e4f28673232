import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { createEventWithSession, createPerson } from '../../../test/builders.ts';
import { startTestApp, type TestApp } from '../../../test/harness.ts';
import { signIn, type WebClient } from '../../../test/web-client.ts';
import { londonDay } from '../../lib/dates.ts';

let t: TestApp;
let db: pg.Client;
let organiser: { personId: string; role: 'admin' };
let door: WebClient;
let doorId: string;
let other: WebClient;

before(async () => {
  t = await startTestApp();
  db = new pg.Client({ connectionString: t.databaseUrl });
  await db.connect();
  const admin = await createPerson(t.services, { email: 'admin@example.org' }, 'admin');
  organiser = { personId: admin.id, role: 'admin' };
  doorId = (await createPerson(t.services, { email: 'door@example.org', name: 'Dora Door' }, 'facilitator')).id;
  await createPerson(t.services, { email: 'other@example.org', name: 'Otto Other' }, 'facilitator');
  door = await signIn(t, 'door@example.org');
  other = await signIn(t, 'other@example.org');
});
after(async () => {
  await db.end();
  await t.close();
});

/** An event led by the door facilitator with two sessions on one day, and the day itself. */
async function dayWithTwoSessions() {
  const made = await createEventWithSession(t.services, organiser, { facilitatorIds: [doorId], sessionTitle: 'Morning' });
  const afternoon = await t.services.events.addSession(organiser, made.event.id, {
    title: 'Afternoon',
    startsAt: new Date(made.session.startsAt.getTime() + 3 * 3_600_000),
    endsAt: new Date(made.session.startsAt.getTime() + 4 * 3_600_000),
    format: 'online',
    capacity: 10,
    joinUrl: 'https://meet.example.org/pm',
    facilitatorIds: [doorId],
  });
  return { ...made, afternoon, day: londonDay(made.session.startsAt) };
}

const statusOf = async (id: string) => (await db.query('select status from registrations where id = $1', [id])).rows[0].status;

describe('check-in by person', () => {
  test('one card per person, A to Z in natural order, with their access needs; one Arrived checks in every session of the day', async () => {
    const { event, session, afternoon, day } = await dayWithTwoSessions();
    const ann = await createPerson(t.services, { name: 'Ann Access' });
    const both = [session.id, afternoon.id];
    const annRegs = [];
    for (const sessionId of both)
      annRegs.push(
        await t.services.registrations.register(null, {
          sessionId,
          who: { personId: ann.id },
          accessNeeds: ['step_free', 'support_worker', 'bsl_interpreter'],
          accessNotes: 'Brings her own chair',
        }),
      );
    for (const name of ['Delegate 10', 'Delegate 2', 'Zed Zephyr']) {
      const p = await createPerson(t.services, { name });
      await t.services.registrations.register(null, { sessionId: session.id, who: { personId: p.id } });
    }
    const page = await door.get(`/manage/events/${event.id}/check-in?day=${day}`);
    assert.equal(page.statusCode, 200);
    const arrivedButtons = page.body.match(/Arrived<span class="nhsuk-u-visually-hidden">: Ann Access/g) ?? [];
    assert.equal(arrivedButtons.length, 1, 'one Arrived for Ann, not one per session');
    assert.match(page.body, /Ann Access, all 2 sessions/);
    assert.match(page.body, /Step-free access, BSL interpreter, Support worker coming/);
    assert.match(page.body, /Brings her own chair/);
    assert.match(page.body, /Expected, A to Z/);
    const order = ['Ann Access', 'Delegate 2', 'Delegate 10', 'Zed Zephyr'].map((n) => page.body.indexOf(`: ${n}`));
    assert.deepEqual(
      [...order].sort((a, b) => a - b),
      order,
      'sorted naturally: Delegate 2 before Delegate 10',
    );
    assert.ok(order.every((i) => i > 0));
    const audit = await db.query(`select details from audit_log where action = 'event.checkin.viewed' and subject_id = $1`, [event.id]);
    assert.ok(audit.rows.length >= 1, 'seeing access needs at the door is audited');

    const arrive = await door.post(`/manage/events/${event.id}/check-in/person/${ann.id}`, { day });
    assert.equal(arrive.statusCode, 303);
    assert.match(arrive.headers.location as string, /done=Ann/);
    for (const r of annRegs) assert.equal(await statusOf(r.registration.id), 'attended');
    assert.equal((await door.post(`/manage/events/${event.id}/check-in/person/${ann.id}`, { day })).statusCode, 303, 'double tap');
    const after = await door.get(arrive.headers.location as string);
    assert.match(after.body, /Ann Access is checked in/);
    assert.match(after.body, /1 of 4 people expected have arrived/);
    assert.match(after.body, /Undo<span class="nhsuk-u-visually-hidden"> arrived: Ann Access, Morning/);

    // Someone running another event cannot see these people.
    assert.equal((await other.get(`/manage/events/${event.id}/check-in?day=${day}`)).statusCode, 404);
    assert.equal((await other.post(`/manage/events/${event.id}/check-in/person/${ann.id}`, { day })).statusCode, 404);
  });

  test('undo Arrived puts them back as expected, in the place they had; a walk-in taken back is removed', async () => {
    const { event, session, day } = await dayWithTwoSessions();
    await db.query('update event_sessions set capacity = 1 where id = $1', [session.id]);
    const first = await createPerson(t.services, { name: 'Fay First' });
    const waiting = await createPerson(t.services, { name: 'Wes Waiting' });
    const f = await t.services.registrations.register(null, { sessionId: session.id, who: { personId: first.id } });
    const w = await t.services.registrations.register(null, { sessionId: session.id, who: { personId: waiting.id } });
    assert.equal(w.registration.status, 'waitlisted');
    await door.post(`/manage/events/${event.id}/check-in/person/${first.id}`, { day });
    await door.post(`/manage/events/${event.id}/check-in/person/${waiting.id}`, { day });
    assert.equal(await statusOf(w.registration.id), 'attended');

    const undo = await door.post(`/manage/events/${event.id}/check-in/${f.registration.id}/undo`, { day });
    assert.equal(undo.statusCode, 303);
    assert.equal(await statusOf(f.registration.id), 'confirmed');
    const shown = await door.get(undo.headers.location as string);
    assert.match(shown.body, /Took back Fay First’s check-in at Morning: they are expected again/);
    assert.match(shown.body, /Arrived<span class="nhsuk-u-visually-hidden">: Fay First/, 'the Arrived button is back');
    await door.post(`/manage/events/${event.id}/check-in/${w.registration.id}/undo`, { day });
    assert.equal(await statusOf(w.registration.id), 'waitlisted', 'back on the waiting list, not given a place');
    assert.equal((await door.post(`/manage/events/${event.id}/check-in/${w.registration.id}/undo`, { day })).statusCode, 303, 'twice');

    await door.post(`/manage/events/${event.id}/walk-in`, { name: 'Walter Walkin', experience: 'both', sessionId: session.id });
    const walkIn = (await db.query(`select id from registrations where session_id = $1 and walk_in`, [session.id])).rows[0].id;
    await door.post(`/manage/events/${event.id}/check-in/${walkIn}/undo`, { day });
    assert.equal(await statusOf(walkIn), 'cancelled');
    const audit = await db.query(`select count(*)::int as n from audit_log where action = 'registration.arrival_undone'`);
    assert.ok(audit.rows[0].n >= 3);

    const elsewhere = await createEventWithSession(t.services, organiser, { facilitatorIds: [doorId] });
    assert.equal(
      (await door.post(`/manage/events/${elsewhere.event.id}/check-in/${f.registration.id}/undo`, { day })).statusCode,
      404,
      'a registration of another event',
    );
  });
});
