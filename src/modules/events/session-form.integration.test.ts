import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { createEventWithSession, createPerson } from '../../../test/builders.ts';
import { startTestApp, type TestApp } from '../../../test/harness.ts';
import { signIn, type WebClient } from '../../../test/web-client.ts';
import { londonParts } from '../../lib/dates.ts';

let t: TestApp;
let db: pg.Client;
let organiser: { personId: string; role: 'admin' };
let staff: WebClient;

before(async () => {
  t = await startTestApp();
  db = new pg.Client({ connectionString: t.databaseUrl });
  await db.connect();
  const admin = await createPerson(t.services, { email: 'admin@example.org' }, 'admin');
  organiser = { personId: admin.id, role: 'admin' };
  await createPerson(t.services, { email: 'staff@example.org', name: 'Stef Staff' }, 'staff');
  staff = await signIn(t, 'staff@example.org');
});
after(async () => {
  await db.end();
  await t.close();
});

/** The form fields of a session on the day of `event`, 2pm to 3pm London time. */
function sessionFields(event: { startsAt: Date }, extra: Record<string, string | string[]>) {
  const p = londonParts(event.startsAt);
  return {
    title: 'Afternoon talk',
    'date[day]': String(p.day),
    'date[month]': String(p.month),
    'date[year]': String(p.year),
    startTime: '2pm',
    endTime: '3pm',
    format: 'in_person',
    capacity: '25',
    ...extra,
  };
}
/** Just the error summary of a page, so a failure prints something readable. */
const summary = (body: string) =>
  /<div class="nhsuk-error-summary[\s\S]*?<\/ul>/.exec(body)?.[0].replace(/\s+/g, ' ') ?? 'no error summary';
const count = async (table: string) => (await db.query(`select count(*)::int as n from ${table}`)).rows[0].n as number;

describe('the session form', () => {
  test('a session everyone comes to is marked on the form; the public form then offers just the day', async () => {
    // Online, so no venue joins the list the venue test below reads.
    const { event } = await createEventWithSession(t.services, organiser, { format: 'online' });
    const online = { format: 'online', joinUrl: 'https://meet.example.org/plenary' };
    const before = await t.app.inject({ url: `/events/${event.id}/register` });
    assert.doesNotMatch(before.body, /Just the day/);
    assert.match((await staff.get(`/manage/events/${event.id}/sessions/new`)).body, /Does everyone come to it\?/);
    const ok = await staff.post(
      `/manage/events/${event.id}/sessions/new`,
      sessionFields(event, { title: 'Welcome and plenary', ...online, forEveryone: 'yes' }),
    );
    assert.equal(ok.statusCode, 303, summary(ok.body));
    const row = (await db.query(`select id, for_everyone from event_sessions where title = 'Welcome and plenary'`)).rows[0];
    assert.equal(row.for_everyone, true);
    const edit = await staff.get(`/manage/sessions/${row.id}/edit`);
    assert.match(edit.body, /name="forEveryone" type="checkbox" value="yes" checked/);
    const after = await t.app.inject({ url: `/events/${event.id}/register` });
    assert.match(after.body, /Just the day/);
    assert.match(after.body, /Welcome and plenary/);
    // Unticked on the next save, it is an ordinary session again.
    const unticked = await staff.post(`/manage/sessions/${row.id}/edit`, sessionFields(event, { title: 'Welcome and plenary', ...online }));
    assert.equal(unticked.statusCode, 303, summary(unticked.body));
    assert.equal((await db.query('select for_everyone from event_sessions where id = $1', [row.id])).rows[0].for_everyone, false);
  });

  test('a venue used before is chosen from a list, its access facts shown, not typed again', async () => {
    const { event, session } = await createEventWithSession(t.services, organiser);
    const venueId = (await db.query('select venue_id from event_sessions where id = $1', [session.id])).rows[0].venue_id;
    const form = await staff.get(`/manage/events/${event.id}/sessions/new`);
    assert.match(form.body, new RegExp(`name="venueId" type="radio" value="${venueId}"`));
    assert.match(form.body, /Town Hall, OX1 1AA/);
    assert.match(form.body, /Step-free access, no hearing loop, accessible toilet/);
    const venues = await count('venues');
    const ok = await staff.post(`/manage/events/${event.id}/sessions/new`, sessionFields(event, { venueId }));
    assert.equal(ok.statusCode, 303, ok.body.slice(0, 200));
    assert.match(decodeURIComponent(ok.headers.location as string), /session=Session added: Afternoon talk/);
    assert.equal(await count('venues'), venues, 'no venue typed again');
    const { rows } = await db.query(`select venue_id from event_sessions where event_id = $1 and title = 'Afternoon talk'`, [event.id]);
    assert.equal(rows[0].venue_id, venueId);
    assert.match((await staff.get(ok.headers.location as string)).body, /Session added: Afternoon talk/);

    const none = await staff.post(`/manage/events/${event.id}/sessions/new`, sessionFields(event, { title: 'Nowhere' }));
    assert.equal(none.statusCode, 400);
    assert.match(summary(none.body), /href="#venueId"[^>]*>\s*Give the venue for an in-person or hybrid session/);
    const unknown = await staff.post(
      `/manage/events/${event.id}/sessions/new`,
      sessionFields(event, { title: 'Lost', venueId: randomUUID() }),
    );
    assert.equal(unknown.statusCode, 400);
    assert.match(summary(unknown.body), /Choose a venue from the list, or add a new one/);
    assert.equal((await db.query(`select count(*)::int as n from event_sessions where title in ('Nowhere', 'Lost')`)).rows[0].n, 0);
  });

  test('a one-day event fills in the session date; a longer one does not', async () => {
    const startsAt = new Date('2031-03-10T09:00:00Z');
    const oneDay = await t.services.events.create(organiser, {
      title: 'One day',
      summary: 'A day',
      startsAt,
      endsAt: new Date('2031-03-10T17:00:00Z'),
    });
    const form = await staff.get(`/manage/events/${oneDay.id}/sessions/new`);
    assert.match(form.body, /name="date\[day\]" type="text" value="10"/);
    assert.match(form.body, /name="date\[month\]" type="text" value="3"/);
    assert.match(form.body, /name="date\[year\]" type="text" value="2031"/);
    const week = await t.services.events.create(organiser, {
      title: 'A week',
      summary: 'Days',
      startsAt,
      endsAt: new Date('2031-03-14T17:00:00Z'),
    });
    assert.doesNotMatch((await staff.get(`/manage/events/${week.id}/sessions/new`)).body, /name="date\[day\]" type="text" value="\d/);
  });

  test('copy a session: the form starts from it, and saving adds a second one', async () => {
    const { event, session } = await createEventWithSession(t.services, organiser, { sessionTitle: 'Masterclass' });
    const page = await staff.get(`/manage/events/${event.id}`);
    assert.match(page.body, new RegExp(`href="/manage/events/${event.id}/sessions/new\\?copy=${session.id}"`));
    const copy = await staff.get(`/manage/events/${event.id}/sessions/new?copy=${session.id}`);
    assert.match(copy.body, /<h1>Copy Masterclass<\/h1>/);
    assert.match(copy.body, /value="Masterclass \(copy\)"/);
    const venueId = (await db.query('select venue_id from event_sessions where id = $1', [session.id])).rows[0].venue_id;
    assert.match(copy.body, new RegExp(`value="${venueId}" checked`));
    const saved = await staff.post(
      `/manage/events/${event.id}/sessions/new`,
      sessionFields(event, { title: 'Masterclass (copy)', venueId }),
    );
    assert.equal(saved.statusCode, 303);
    assert.equal((await db.query('select count(*)::int as n from event_sessions where event_id = $1', [event.id])).rows[0].n, 2);
  });

  test('a new session leader is added from the session form, without leaving it; mistakes are shown with the others', async () => {
    const { event, session } = await createEventWithSession(t.services, organiser);
    const venueId = (await db.query('select venue_id from event_sessions where id = $1', [session.id])).rows[0].venue_id;
    const people = await count('people');
    const bad = await staff.post(
      `/manage/events/${event.id}/sessions/new`,
      sessionFields(event, { title: '', venueId, newLeaderName: 'Lena Leader', newLeaderEmail: 'lena@' }),
    );
    assert.equal(bad.statusCode, 400);
    assert.match(summary(bad.body), /Enter a title/);
    assert.match(summary(bad.body), /href="#newLeaderEmail"/);
    assert.match(summary(bad.body), /href="#newLeaderExperience"/);
    assert.match(bad.body, /value="Lena Leader"/, 'what was typed is kept');
    assert.equal(await count('people'), people, 'nothing created');

    const ok = await staff.post(
      `/manage/events/${event.id}/sessions/new`,
      sessionFields(event, { venueId, newLeaderName: 'Lena Leader', newLeaderEmail: 'lena@example.org', newLeaderExperience: 'lived' }),
    );
    assert.equal(ok.statusCode, 303);
    const { rows } = await db.query(
      `select p.role from session_facilitators f join people p on p.id = f.person_id join event_sessions s on s.id = f.session_id
       where s.event_id = $1 and p.email = 'lena@example.org'`,
      [event.id],
    );
    assert.deepEqual(rows, [{ role: 'facilitator' }]);

    const again = await staff.post(
      `/manage/events/${event.id}/sessions/new`,
      sessionFields(event, { venueId, newLeaderName: 'Lena Again', newLeaderEmail: 'lena@example.org', newLeaderExperience: 'lived' }),
    );
    assert.equal(again.statusCode, 409);
    assert.match(summary(again.body), /already here: tick them in the list of leaders instead/);
  });
});
