import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { createAdminWithToken, createPerson } from '../../../test/builders.ts';
import { startTestApp, type TestApp } from '../../../test/harness.ts';
import { apiCaller, signIn, WebClient } from '../../../test/web-client.ts';

let t: TestApp;
let db: pg.Client;
let admin: { personId: string; role: 'admin' };
let token: string;
const api = apiCaller(
  () => t.app,
  () => token,
);

before(async () => {
  t = await startTestApp();
  db = new pg.Client({ connectionString: t.databaseUrl });
  await db.connect();
  ({ admin, token } = await createAdminWithToken(t.services));
});
after(async () => {
  await db.end();
  await t.close();
});

const DAY = 24 * 3_600_000;
const HOUR = 3_600_000;

/** A published one-day event next month; each session is [title, start hour, end hour, capacity?]. */
async function festival(
  sessions: [string, number, number, number?][],
  opts: { format?: 'in_person' | 'online' | 'hybrid'; days?: number } = {},
) {
  const day = Math.ceil((Date.now() + 30 * DAY) / DAY) * DAY;
  const event = await t.services.events.create(admin, {
    title: `Festival ${Math.random().toString(36).slice(2, 8)}`,
    summary: 'A festival of masterclasses',
    startsAt: new Date(day + 8 * HOUR),
    endsAt: new Date(day + ((opts.days ?? 1) - 1) * DAY + 18 * HOUR),
  });
  const format = opts.format ?? 'in_person';
  const made = [];
  for (const [title, from, to, capacity] of sessions) {
    made.push(
      await t.services.events.addSession(admin, event.id, {
        title,
        startsAt: new Date(day + from * HOUR),
        endsAt: new Date(day + to * HOUR),
        format,
        capacity: capacity ?? 20,
        venue:
          format === 'online'
            ? undefined
            : {
                name: 'Town Hall',
                address: '1 Market Place',
                postcode: 'OX1 1AA',
                stepFree: true,
                hearingLoop: false,
                accessibleToilet: true,
              },
        joinUrl: format === 'in_person' ? undefined : 'https://meet.example.org/festival',
      }),
    );
  }
  await t.services.events.publish(admin, event.id);
  return { event, sessions: made };
}

const settle = () => new Promise((r) => setTimeout(r, 1500));

describe('one email per booking', () => {
  test('booking several sessions sends one confirmation listing each, waiting-list places with positions, and one calendar file', async () => {
    const { event, sessions } = await festival([
      ['Masterclass one', 10, 11],
      ['Masterclass two', 11, 12],
      ['Masterclass three', 12, 13, 1],
      ['Masterclass four', 14, 15],
    ]);
    // Someone already has the one place at masterclass three.
    await t.services.registrations.register(null, { sessionId: sessions[2]!.id, who: { personId: (await createPerson(t.services)).id } });

    const visitor = new WebClient(t.app);
    await visitor.get(`/events/${event.id}/register`);
    const res = await visitor.post(`/events/${event.id}/register`, {
      sessionIds: sessions.map((s) => s.id),
      name: 'Bea Booker',
      email: 'bea@example.org',
      experience: 'lived',
    });
    assert.equal(res.statusCode, 303);
    assert.match(res.headers.location as string, /confirmed=3&waitlisted=1/);

    const email = await t.waitForEmail('bea@example.org', { subject: /Your booking/ });
    await settle();
    const all = await t.emailsTo('bea@example.org');
    assert.equal(all.length, 1, `one email, not one per session: ${all.map((m) => m.subject).join(' | ')}`);
    assert.match(email.subject, /3 sessions/);
    for (const title of ['Masterclass one', 'Masterclass two', 'Masterclass three', 'Masterclass four'])
      assert.match(email.body, new RegExp(title));
    assert.match(email.body, /You are number 1 on the waiting list/);
    assert.equal(email.body.match(/registrations\/[0-9a-f-]+\/cancel\?token=/g)?.length, 4, 'a cancel link for each session');

    assert.equal(email.attachments.length, 1, 'one calendar file');
    const ics = email.attachments[0]!.content;
    assert.equal(ics.match(/BEGIN:VEVENT/g)?.length, 3, 'every session with a place, not the waiting list');
    assert.equal(ics.match(/BEGIN:VCALENDAR/g)?.length, 1);
    assert.match(ics, /SUMMARY:Masterclass one/);
    assert.doesNotMatch(ics, /SUMMARY:Masterclass three/);
  });

  test('a booking is all or nothing: a session that has been cancelled stops the booking, with its name, and nothing is written', async () => {
    const { event, sessions } = await festival([
      ['Open session', 10, 11],
      ['Called-off session', 12, 13],
    ]);
    await db.query(`update event_sessions set status = 'cancelled' where id = $1`, [sessions[1]!.id]);
    const visitor = new WebClient(t.app);
    await visitor.get(`/events/${event.id}/register`);
    const res = await visitor.post(`/events/${event.id}/register`, {
      sessionIds: sessions.map((s) => s.id),
      name: 'Nora None',
      email: 'nora@example.org',
      experience: 'professional',
    });
    assert.equal(res.statusCode, 409);
    assert.match(res.body, /Called-off session: this event has been cancelled/);
    const { rows } = await db.query(`select count(*)::int as n from registrations where session_id = any($1)`, [sessions.map((s) => s.id)]);
    assert.equal(rows[0].n, 0);
  });

  test('booking one session still sends the one-session email; the API registers one session and sends one email, as before', async () => {
    const { event, sessions } = await festival([
      ['Single talk', 10, 11],
      ['Other talk', 12, 13],
    ]);
    const visitor = new WebClient(t.app);
    await visitor.get(`/events/${event.id}/register`);
    await visitor.post(`/events/${event.id}/register`, {
      sessionIds: sessions[0]!.id,
      name: 'Sol One',
      email: 'sol@example.org',
      experience: 'lived',
    });
    const one = await t.waitForEmail('sol@example.org', { subject: /You have a place: Single talk/ });
    assert.equal(one.attachments.length, 1);

    const p = await createPerson(t.services, { email: 'api-person@example.org' });
    const created = await api('POST', `/api/v1/sessions/${sessions[1]!.id}/registrations`, { personId: p.id });
    assert.equal(created.statusCode, 201);
    assert.equal(created.json().status, 'confirmed');
    const again = await api('POST', `/api/v1/sessions/${sessions[1]!.id}/registrations`, { personId: p.id });
    assert.equal(again.statusCode, 200);
    await t.waitForEmail('api-person@example.org', { subject: /You have a place: Other talk/ });
    await settle();
    assert.equal((await t.emailsTo('api-person@example.org')).length, 1);
  });
});

describe('your bookings on My account', () => {
  test('every booking, upcoming and past, with waiting-list positions and calendar files; cancelling asks first, and twice cancels once', async () => {
    const { event, sessions } = await festival([
      ['Morning talk', 10, 11],
      ['Lunch circle', 12, 13, 1],
      ['Afternoon walk', 14, 15],
    ]);
    const old = await festival([['Last year talk', 10, 11]]);
    const holder = await createPerson(t.services, { email: 'holder@example.org' });
    await t.services.registrations.register(null, { sessionId: sessions[1]!.id, who: { personId: holder.id } });
    const me = await createPerson(t.services, { email: 'booker@example.org', name: 'Bo Booker' });
    await t.services.registrations.book(null, { sessionIds: sessions.map((s) => s.id), who: { personId: me.id } });
    await t.services.registrations.register(null, { sessionId: old.sessions[0]!.id, who: { personId: me.id } });
    // That event has happened since.
    await db.query(
      `update event_sessions set starts_at = now() - interval '30 days', ends_at = now() - interval '30 days' + interval '1 hour' where id = $1`,
      [old.sessions[0]!.id],
    );
    await db.query(`update events set starts_at = now() - interval '30 days', ends_at = now() - interval '29 days' where id = $1`, [
      old.event.id,
    ]);

    const web = await signIn(t, 'booker@example.org');
    assert.match((await web.get('/account')).body, /href="\/account\/bookings"/);
    const page = await web.get('/account/bookings');
    assert.equal(page.statusCode, 200);
    const [upcoming, past] = page.body.split('In the past');
    for (const title of ['Morning talk', 'Lunch circle', 'Afternoon walk']) assert.match(upcoming!, new RegExp(title));
    assert.match(upcoming!, /Waiting list: number 1/);
    assert.match(past!, /Last year talk/);
    assert.match(past!, /You had a place/);
    assert.match(upcoming!, new RegExp(`/events/${event.id}/my-calendar.ics`));

    const all = await web.get(`/events/${event.id}/my-calendar.ics`);
    assert.equal(all.statusCode, 200);
    assert.equal(all.body.match(/BEGIN:VEVENT/g)?.length, 2, 'the two places, not the waiting list');

    const { rows } = await db.query(`select id, session_id from registrations where person_id = $1 and session_id = $2`, [
      me.id,
      sessions[0]!.id,
    ]);
    const mine = rows[0].id as string;
    assert.match(upcoming!, new RegExp(`/registrations/${mine}/calendar.ics`));
    assert.match(upcoming!, new RegExp(`/registrations/${mine}/cancel\\?from=bookings`));
    assert.equal((await web.get(`/registrations/${mine}/calendar.ics`)).statusCode, 200);

    // The confirm step changes nothing.
    const confirm = await web.get(`/registrations/${mine}/cancel?from=bookings`);
    assert.equal(confirm.statusCode, 200);
    assert.match(confirm.body, /Yes, cancel my place/);
    assert.match(confirm.body, /href="\/account\/bookings">No, keep my place/);
    assert.equal((await db.query(`select status from registrations where id = $1`, [mine])).rows[0].status, 'confirmed');

    const before = (await t.emailsTo('booker@example.org')).length;
    const first = await web.post(`/registrations/${mine}/cancel`, { from: 'bookings' });
    const second = await web.post(`/registrations/${mine}/cancel`, { from: 'bookings' });
    assert.equal(first.statusCode, 303);
    assert.equal(first.headers.location, '/account/bookings?cancelled=1');
    assert.equal(second.statusCode, 303, 'a double click lands on the same page');
    assert.equal((await db.query(`select status from registrations where id = $1`, [mine])).rows[0].status, 'cancelled');
    await t.waitForEmail('booker@example.org', { after: before, subject: /Cancelled/ });
    await settle();
    const cancels = (await t.emailsTo('booker@example.org')).slice(0, -before || undefined).filter((m) => /Cancelled/.test(m.subject));
    assert.equal(cancels.length, 1, 'one cancellation email');

    const after = await web.get('/account/bookings?cancelled=1');
    assert.match(after.body, /Cancelled. Thank you for telling us/);
    assert.doesNotMatch(after.body, new RegExp(`/registrations/${mine}/cancel`), 'nothing left to cancel on that one');
  });

  test("someone else's registration: no confirm page, no cancelling, no calendar file, nothing changed", async () => {
    const { event, sessions } = await festival([['Private talk', 10, 11]]);
    const owner = await createPerson(t.services, { email: 'owner-b@example.org' });
    const theirs = await t.services.registrations.register(null, { sessionId: sessions[0]!.id, who: { personId: owner.id } });
    await createPerson(t.services, { email: 'nosy@example.org' });
    const nosy = await signIn(t, 'nosy@example.org');
    await nosy.get('/account/bookings');
    const id = theirs.registration.id;
    assert.equal((await nosy.get(`/registrations/${id}/cancel?from=bookings`)).statusCode, 404);
    assert.equal((await nosy.post(`/registrations/${id}/cancel`, { from: 'bookings' })).statusCode, 404);
    assert.equal((await nosy.get(`/registrations/${id}/calendar.ics`)).statusCode, 404);
    assert.equal((await nosy.get(`/events/${event.id}/my-calendar.ics`)).statusCode, 404);
    assert.doesNotMatch((await nosy.get('/account/bookings')).body, /Private talk/);
    assert.equal((await db.query(`select status from registrations where id = $1`, [id])).rows[0].status, 'confirmed');
    assert.equal((await new WebClient(t.app).get('/account/bookings')).statusCode, 303, 'signed out: sent to sign in');
  });
});

describe('clashes', () => {
  test('two chosen sessions at the same time: a warning naming both with their times; change the choice, or book anyway', async () => {
    const { event, sessions } = await festival([
      ['Masterclass: devices', 11, 12],
      ['Masterclass: tokenism', 11, 12],
      ['Masterclass: policy', 13, 14],
    ]);
    const [a, b, c] = sessions.map((s) => s.id) as [string, string, string];
    const visitor = new WebClient(t.app);
    await visitor.get(`/events/${event.id}/register`);
    const form = { name: 'Cleo Clash', email: 'cleo@example.org', experience: 'lived', labelName: 'Cleo' };
    const warned = await visitor.post(`/events/${event.id}/register`, { ...form, sessionIds: [a, b, c] });
    assert.equal(warned.statusCode, 409);
    assert.match(warned.body, /Some sessions are at the same time/);
    assert.match(
      warned.body,
      /Masterclass: devices \([^)]*11(:00)?am to 12(:00)?pm\) and Masterclass: tokenism \([^)]*\) are at the same time/i,
    );
    assert.match(warned.body, /<button[^>]*name="clashes"[^>]*value="book-anyway"[^>]*>\s*Book anyway/);
    assert.match(warned.body, /value="Cleo"/, 'what they typed is kept');
    assert.equal((await db.query(`select count(*)::int as n from registrations where session_id = any($1)`, [[a, b, c]])).rows[0].n, 0);

    // Changing the choice books without a warning.
    const changed = await visitor.post(`/events/${event.id}/register`, { ...form, sessionIds: [a, c] });
    assert.equal(changed.statusCode, 303);

    // Someone else books anyway.
    const other = new WebClient(t.app);
    await other.get(`/events/${event.id}/register`);
    const anyway = await other.post(`/events/${event.id}/register`, {
      name: 'Ana Anyway',
      email: 'ana@example.org',
      experience: 'professional',
      sessionIds: [a, b],
      clashes: 'book-anyway',
    });
    assert.equal(anyway.statusCode, 303);
    const { rows } = await db.query(
      `select count(*)::int as n from registrations r join people p on p.id = r.person_id where p.email = 'ana@example.org'`,
    );
    assert.equal(rows[0].n, 2);
  });

  test('against existing bookings: named for the signed-in person, unnamed for someone known only by the email they typed', async () => {
    const first = await festival([['Board meeting', 11, 12]]);
    const second = await festival([['Overlapping workshop', 11.5, 12.5]]);
    const me = await createPerson(t.services, { email: 'clash-me@example.org', name: 'Kit Clash' });
    await t.services.registrations.register(null, { sessionId: first.sessions[0]!.id, who: { personId: me.id } });
    await t.waitForEmail('clash-me@example.org', { subject: /You have a place/ });

    const web = await signIn(t, 'clash-me@example.org');
    await web.get(`/events/${second.event.id}/register`);
    const warned = await web.post(`/events/${second.event.id}/register`, { sessionIds: second.sessions[0]!.id });
    assert.equal(warned.statusCode, 409);
    assert.match(
      warned.body,
      /Overlapping workshop \([^)]*\) is at the same time as Board meeting \(Festival \w+, [^)]*\), which you have already booked/,
    );

    const stranger = new WebClient(t.app);
    await stranger.get(`/events/${second.event.id}/register`);
    const byEmail = await stranger.post(`/events/${second.event.id}/register`, {
      sessionIds: second.sessions[0]!.id,
      name: 'Kit Clash',
      email: 'clash-me@example.org',
      experience: 'lived',
    });
    assert.equal(byEmail.statusCode, 409);
    assert.match(byEmail.body, /is at the same time as another session you have already booked/);
    assert.doesNotMatch(byEmail.body, /Board meeting/, 'whoever typed the address does not learn what that person booked');

    // The service the staff booking can use: within the chosen sessions and against existing bookings.
    const within = await t.services.registrations.findClashes(null, [first.sessions[0]!.id, second.sessions[0]!.id]);
    assert.equal(within.length, 1);
    assert.equal(within[0]!.otherIsBooked, false);
    const held = await t.services.registrations.findClashes(me.id, [second.sessions[0]!.id]);
    assert.deepEqual(
      held.map((c) => [c.chosen.title, c.other.title, c.otherIsBooked]),
      [['Overlapping workshop', 'Board meeting', true]],
    );
    assert.deepEqual(
      await t.services.registrations.findClashes(me.id, [first.sessions[0]!.id]),
      [],
      'a session they hold is not a clash with itself',
    );
  });
});

describe('register for the day', () => {
  test('sessions for everyone come with any booking, and "Just the day" books only those', async () => {
    const { event, sessions } = await festival([
      ['Welcome', 9, 10],
      ['Masterclass: stories', 11, 12],
      ['Masterclass: data', 11, 12],
      ['Reflecting together', 15, 16],
    ]);
    const [welcome, stories, , reflection] = sessions.map((s) => s.id) as [string, string, string, string];
    for (const id of [welcome, reflection]) await t.services.registrations.markForEveryone(admin, id, true);
    const participant = await createPerson(t.services);
    await assert.rejects(t.services.registrations.markForEveryone({ personId: participant.id, role: 'participant' }, stories, true));

    const day = new WebClient(t.app);
    const page = await day.get(`/events/${event.id}/register`);
    assert.match(page.body, /Everyone comes to/);
    assert.match(page.body, /value="day"/);
    assert.match(page.body, /Just the day/);
    const res = await day.post(`/events/${event.id}/register`, {
      sessionIds: 'day',
      name: 'Dee Day',
      email: 'dee@example.org',
      experience: 'both',
    });
    assert.equal(res.statusCode, 303);
    assert.match(res.headers.location as string, /confirmed=2&waitlisted=0/);
    const booked = async (email: string) =>
      (
        await db.query(
          `select s.title from registrations r join people p on p.id = r.person_id join event_sessions s on s.id = r.session_id where p.email = $1 order by s.starts_at`,
          [email],
        )
      ).rows.map((r) => r.title);
    assert.deepEqual(await booked('dee@example.org'), ['Welcome', 'Reflecting together']);

    const pick = new WebClient(t.app);
    await pick.get(`/events/${event.id}/register`);
    await pick.post(`/events/${event.id}/register`, {
      sessionIds: stories,
      name: 'Pip Pick',
      email: 'pip@example.org',
      experience: 'lived',
    });
    assert.deepEqual(await booked('pip@example.org'), ['Welcome', 'Masterclass: stories', 'Reflecting together']);
    const email = await t.waitForEmail('pip@example.org', { subject: /Your booking/ });
    assert.equal(email.attachments[0]!.content.match(/BEGIN:VEVENT/g)?.length, 3);
  });

  test('"Just the day" at an event with no sessions for everyone is refused, and nothing is booked', async () => {
    const { event } = await festival([
      ['Talk A', 10, 11],
      ['Talk B', 12, 13],
    ]);
    const visitor = new WebClient(t.app);
    const page = await visitor.get(`/events/${event.id}/register`);
    assert.doesNotMatch(page.body, /Just the day/);
    const res = await visitor.post(`/events/${event.id}/register`, {
      sessionIds: 'day',
      name: 'No Day',
      email: 'noday@example.org',
      experience: 'lived',
    });
    assert.equal(res.statusCode, 400);
    assert.match(res.body, /Choose sessions from this event/);
  });
});

describe('the public programme', () => {
  test('filters by how you take part (Online, In person, Both, Any) and day; a Book button per session chooses it on the form', async () => {
    const { event, sessions } = await festival([['Room talk', 10, 11]], { days: 2 });
    const first = sessions[0]!;
    const add = (title: string, hours: number, format: 'online' | 'hybrid', venue?: string) =>
      t.services.events.addSession(admin, event.id, {
        title,
        startsAt: new Date(first.startsAt.getTime() + hours * HOUR),
        endsAt: new Date(first.startsAt.getTime() + (hours + 1) * HOUR),
        format,
        capacity: 10,
        venue: venue ? { name: venue, stepFree: false, hearingLoop: true, accessibleToilet: true } : undefined,
        joinUrl: 'https://meet.example.org/x',
      });
    await add('Screen talk', 2, 'online');
    const mixed = await add('Mixed talk', 24, 'hybrid', 'Library');

    const titles = async (query: string) => {
      const body = (await t.app.inject({ url: `/events/${event.id}${query}` })).body;
      return ['Room talk', 'Screen talk', 'Mixed talk'].filter((title) => new RegExp(`>${title}</h4>`).test(body));
    };
    assert.deepEqual(await titles(''), ['Room talk', 'Screen talk', 'Mixed talk']);
    assert.deepEqual(await titles('?format=online'), ['Screen talk', 'Mixed talk']);
    assert.deepEqual(await titles('?format=in_person'), ['Room talk', 'Mixed talk']);
    assert.deepEqual(await titles('?format=both'), ['Mixed talk']);
    assert.deepEqual(await titles('?format=hybrid'), ['Mixed talk'], 'old links still work');
    assert.deepEqual(await titles('?format=nonsense'), ['Room talk', 'Screen talk', 'Mixed talk']);

    const page = (await t.app.inject({ url: `/events/${event.id}` })).body;
    assert.match(page, /id="day"/, 'two days: the day filter');
    assert.match(page, /id="format"/, 'three formats: the format filter');
    for (const label of ['Any', 'In person', 'Online', 'Both']) assert.match(page, new RegExp(`<option value="[a-z_]*"[^>]*>${label}`));
    assert.doesNotMatch(page, /<h2>Where<\/h2>/, 'two venues: access facts stay with each session');
    assert.equal(page.match(/>\s*Book<span class="nhsuk-u-visually-hidden"> for /g)?.length, 3, 'a Book button per session');
    assert.match(page, new RegExp(`href="/events/${event.id}/register\\?session=${mixed.id}"`));

    const form = (await t.app.inject({ url: `/events/${event.id}/register?session=${mixed.id}` })).body;
    assert.match(form, new RegExp(`value="${mixed.id}" checked`));
    assert.doesNotMatch(form, new RegExp(`value="${first.id}" checked`));
  });

  test('one day, one format, one venue: no filters to choose from, and the venue access facts once for the event', async () => {
    const { event } = await festival([
      ['Morning', 10, 11],
      ['Afternoon', 14, 15],
    ]);
    const page = (await t.app.inject({ url: `/events/${event.id}` })).body;
    assert.doesNotMatch(page, /id="day"/);
    assert.doesNotMatch(page, /id="format"/);
    assert.match(page, /<h2>Where<\/h2>/);
    assert.equal(page.match(/Step-free access/g)?.length, 1, 'the access facts once');
    assert.match(page, /Showing 2 of 2 sessions/);
  });
});
