import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { getDocument } from 'pdfjs-dist/legacy/build/pdf.mjs';
import { createEventWithSession, createPerson } from '../../../test/builders.ts';
import { startTestApp, type TestApp } from '../../../test/harness.ts';
import { signIn, WebClient, type WebClient as Client } from '../../../test/web-client.ts';

let t: TestApp;
let db: pg.Client;
let organiser: { personId: string; role: 'admin' };
let staff: Client;
let facilitator: Client;
let leadId: string;
/** The facilitator leads this session: facilitators run only the events they lead. */
const led = async <T extends { session: { id: string } }>(made: T): Promise<T> => {
  await db.query('insert into session_facilitators (session_id, person_id) values ($1, $2)', [made.session.id, leadId]);
  return made;
};

before(async () => {
  t = await startTestApp();
  db = new pg.Client({ connectionString: t.databaseUrl });
  await db.connect();
  const admin = await createPerson(t.services, { email: 'admin@example.org' }, 'admin');
  organiser = { personId: admin.id, role: 'admin' };
  await createPerson(t.services, { email: 'staff@example.org', name: 'Stef Staff' }, 'staff');
  leadId = (await createPerson(t.services, { email: 'lead@example.org', name: 'Lee Lead' }, 'facilitator')).id;
  staff = await signIn(t, 'staff@example.org');
  facilitator = await signIn(t, 'lead@example.org');
});
after(async () => {
  await db.end();
  await t.close();
});

async function pdfText(buffer: Buffer): Promise<string> {
  const doc = await getDocument({ data: new Uint8Array(buffer), useSystemFonts: false, verbosity: 0 }).promise;
  const pages: string[] = [];
  for (let i = 1; i <= doc.numPages; i++) {
    const content = await (await doc.getPage(i)).getTextContent();
    pages.push(content.items.map((it) => ('str' in it ? it.str : '')).join(' '));
  }
  return pages.join('\n');
}

describe('registering on the web', () => {
  test('a member of the public registers with name and email; access needs are kept with the registration', async () => {
    const { event, session } = await createEventWithSession(t.services, organiser, { capacity: 10 });
    const visitor = new WebClient(t.app);
    const page = await visitor.get(`/events/${event.id}/register`);
    assert.equal(page.statusCode, 200);
    const bad = await visitor.post(`/events/${event.id}/register`, {
      sessionIds: session.id,
      name: '',
      email: 'nope',
      experience: 'lived',
    });
    assert.equal(bad.statusCode, 400);
    assert.match(bad.body, /Enter your name/);
    assert.match(bad.body, /correct format/);
    const res = await visitor.post(`/events/${event.id}/register`, {
      sessionIds: session.id,
      name: 'Zoë Brontë',
      email: 'zoe@example.org',
      experience: 'lived',
      labelName: 'Zoë',
      pronouns: 'she/her',
      accessNeeds: ['step_free', 'dietary'],
      accessNotes: 'Vegan',
    });
    assert.equal(res.statusCode, 303);
    assert.match(res.headers.location as string, /thank-you\?confirmed=1&waitlisted=0/);
    const { rows } = await db.query(
      `select r.status, r.label_name, r.access_needs, r.access_notes from registrations r join people p on p.id = r.person_id where p.email = 'zoe@example.org'`,
    );
    assert.deepEqual(rows, [{ status: 'confirmed', label_name: 'Zoë', access_needs: ['step_free', 'dietary'], access_notes: 'Vegan' }]);
    await t.waitForEmail('zoe@example.org', { subject: /You have a place/ });
  });

  test('a signed-in person sees their access needs filled in, registers, and leaves the waiting list', async () => {
    const { event, session } = await createEventWithSession(t.services, organiser, { capacity: 1, format: 'online' });
    await t.services.registrations.register(null, { sessionId: session.id, who: { personId: (await createPerson(t.services)).id } });
    await createPerson(t.services, { email: 'kay@example.org', name: 'Kay', accessNeeds: ['bsl_interpreter'] });
    const kay = await signIn(t, 'kay@example.org');
    const form = await kay.get(`/events/${event.id}/register`);
    assert.match(form.body, /value="bsl_interpreter" checked/);
    assert.equal(
      (await kay.post(`/events/${event.id}/register`, { sessionIds: session.id, accessNeeds: 'bsl_interpreter' })).statusCode,
      303,
    );
    const mine = await kay.get(`/events/${event.id}/my-registration`);
    assert.match(mine.body, /Waiting list: number 1/);
    assert.doesNotMatch(mine.body, /meet\.example\.org/, 'no joining link while waiting');
    assert.doesNotMatch((await kay.get(`/events/${event.id}`)).body, /meet\.example\.org/, 'the programme never shows it');
    const regId = /\/registrations\/([0-9a-f-]+)\/cancel/.exec(mine.body)![1]!;
    assert.equal((await kay.post(`/registrations/${regId}/cancel`)).statusCode, 303);
    assert.equal((await db.query('select status from registrations where id = $1', [regId])).rows[0].status, 'cancelled');
  });

  test("cancelling someone else's registration is refused and changes nothing", async () => {
    const { session } = await createEventWithSession(t.services, organiser);
    const owner = await createPerson(t.services);
    const r = await t.services.registrations.register(null, { sessionId: session.id, who: { personId: owner.id } });
    await createPerson(t.services, { email: 'nosy@example.org' });
    const nosy = await signIn(t, 'nosy@example.org');
    await nosy.get('/account');
    assert.equal((await nosy.post(`/registrations/${r.registration.id}/cancel`)).statusCode, 404);
    assert.equal((await nosy.get(`/registrations/${r.registration.id}/cancel`)).statusCode, 404);
    assert.equal((await nosy.get(`/registrations/${r.registration.id}/calendar.ics`)).statusCode, 404);
    assert.equal((await db.query('select status from registrations where id = $1', [r.registration.id])).rows[0].status, 'confirmed');
  });

  test('staff register someone without email on their behalf', async () => {
    const { event, session } = await createEventWithSession(t.services, organiser);
    const margaret = await t.services.people.create(organiser, {
      name: 'Margaret Post',
      experience: 'lived',
      postalAddress: '12 Meadow Lane',
      contactPreference: 'post',
      accessNeeds: ['large_print'],
    });
    const search = await staff.get(`/manage/events/${event.id}/register-someone?q=Margaret`);
    assert.match(search.body, new RegExp(`/manage/events/${event.id}/register/${margaret.id}`));
    const form = await staff.get(`/manage/events/${event.id}/register/${margaret.id}`);
    assert.match(form.body, /value="large_print" checked/);
    assert.equal(
      (await staff.post(`/manage/events/${event.id}/register/${margaret.id}`, { sessionIds: session.id, accessNeeds: 'large_print' }))
        .statusCode,
      303,
    );
    const { rows } = await db.query('select status, registered_by from registrations where person_id = $1', [margaret.id]);
    assert.equal(rows[0].status, 'confirmed');
    assert.ok(rows[0].registered_by, 'records who registered them');
  });

  test('the programme filters by day, format and theme', async () => {
    const { event } = await createEventWithSession(t.services, organiser, { sessionTitle: 'In the room' });
    await t.services.events.addSession(organiser, event.id, {
      title: 'On the screen',
      theme: 'Digital',
      startsAt: new Date(event.startsAt.getTime() + 4 * 3_600_000),
      endsAt: new Date(event.startsAt.getTime() + 5 * 3_600_000),
      format: 'online',
      capacity: 5,
      joinUrl: 'https://meet.example.org/x',
    });
    const all = await t.app.inject({ url: `/events/${event.id}` });
    assert.match(all.body, /In the room/);
    assert.match(all.body, /On the screen/);
    const online = await t.app.inject({ url: `/events/${event.id}?format=online` });
    assert.doesNotMatch(online.body, /In the room<\/h4>/);
    assert.match(online.body, /On the screen/);
    const digital = await t.app.inject({ url: `/events/${event.id}?theme=Digital` });
    assert.match(digital.body, /Showing 1 of 2 sessions/);
    assert.match(all.body, /Step-free access/);
  });
});

describe('organisers', () => {
  test('the CSV opens cleanly: a byte-order mark, accents and commas quoted, one row per registration', async () => {
    const { event, session } = await createEventWithSession(t.services, organiser);
    const p = await createPerson(t.services, { name: 'Siân O’Brien, MBE', email: 'sian@example.org' });
    await t.services.registrations.register(null, { sessionId: session.id, who: { personId: p.id }, accessNeeds: ['hearing_loop'] });
    const res = await staff.get(`/manage/events/${event.id}/registrations.csv`);
    assert.equal(res.statusCode, 200);
    assert.match(res.headers['content-type'] as string, /text\/csv/);
    const body = res.rawPayload.toString('utf8');
    assert.ok(body.startsWith('\uFEFF'));
    const lines = body.slice(1).trim().split('\r\n');
    assert.equal(lines.length, 2);
    assert.ok(lines[1]!.startsWith('"Siân O’Brien, MBE",'));
    assert.match(lines[1]!, /A hearing loop/);
    assert.equal(
      (await facilitator.get(`/manage/events/${event.id}/registrations.csv`)).statusCode,
      404,
      'facilitators do not export personal data',
    );
    assert.equal(
      (
        await db.query(`select count(*)::int as n from audit_log where action = 'event.registrations.exported' and subject_id = $1`, [
          event.id,
        ])
      ).rows[0].n,
      1,
    );
  });

  test('the access needs summary counts people; names only for staff who ask, and that is audited', async () => {
    const { event, session } = await led(await createEventWithSession(t.services, organiser));
    const second = await t.services.events.addSession(organiser, event.id, {
      title: 'Afternoon',
      startsAt: new Date(event.startsAt.getTime() + 5 * 3_600_000),
      endsAt: new Date(event.startsAt.getTime() + 6 * 3_600_000),
      format: 'online',
      capacity: 10,
      joinUrl: 'https://meet.example.org/y',
    });
    const a = await createPerson(t.services, { name: 'Needs Stepfree' });
    const b = await createPerson(t.services, { name: 'Needs Bsl' });
    for (const sid of [session.id, second.id])
      await t.services.registrations.register(null, { sessionId: sid, who: { personId: a.id }, accessNeeds: ['step_free'] });
    await t.services.registrations.register(null, {
      sessionId: session.id,
      who: { personId: b.id },
      accessNeeds: ['bsl_interpreter', 'step_free'],
    });
    const counts = await facilitator.get(`/manage/events/${event.id}/access`);
    assert.equal(counts.statusCode, 200);
    assert.match(
      counts.body,
      /Step-free access \(no stairs\)<\/td><td class="nhsuk-table__cell nhsuk-table__cell--numeric">2</,
      'each person once',
    );
    assert.match(counts.body, /British Sign Language \(BSL\) interpreter<\/td><td class="nhsuk-table__cell nhsuk-table__cell--numeric">1</);
    assert.doesNotMatch(
      (await facilitator.get(`/manage/events/${event.id}/access?who=1`)).body,
      /Needs Bsl/,
      'facilitators see counts only',
    );
    const auditBefore = (await db.query(`select count(*)::int as n from audit_log where action = 'event.access_needs.viewed'`)).rows[0].n;
    const who = await staff.get(`/manage/events/${event.id}/access?who=1`);
    assert.match(who.body, /Needs Bsl/);
    assert.equal(
      (await db.query(`select count(*)::int as n from audit_log where action = 'event.access_needs.viewed'`)).rows[0].n,
      auditBefore + 1,
    );
  });

  test('name labels carry only the chosen name and pronouns', async () => {
    const { event, session } = await led(await createEventWithSession(t.services, organiser));
    const p = await createPerson(t.services, {
      name: 'Robert Webster',
      labelName: 'Rob',
      pronouns: 'he/him',
      organisation: 'Big Trust Chief Executive',
    });
    await t.services.registrations.register(null, { sessionId: session.id, who: { personId: p.id } });
    const q = await createPerson(t.services, { name: 'Jo Bloggs' });
    await t.services.registrations.register(null, { sessionId: session.id, who: { personId: q.id } });
    const res = await facilitator.get(`/manage/events/${event.id}/labels.pdf`);
    assert.equal(res.statusCode, 200);
    assert.equal(res.headers['content-type'], 'application/pdf');
    const text = await pdfText(res.rawPayload);
    assert.match(text, /Rob/);
    assert.match(text, /he\/him/);
    assert.match(text, /Jo Bloggs/);
    assert.doesNotMatch(text, /Big Trust|Chief Executive|Webster/);
  });

  test('check-in on the day: find, tick, add a walk-in; attendance and the mix follow', async () => {
    const { event, session } = await led(await createEventWithSession(t.services, organiser));
    const p = await createPerson(t.services, { name: 'Arrival Person', experience: 'professional' });
    const r = await t.services.registrations.register(null, { sessionId: session.id, who: { personId: p.id } });
    const found = await facilitator.get(`/manage/events/${event.id}/check-in?q=arrival`);
    assert.match(found.body, /Arrival Person/);
    assert.equal((await facilitator.post(`/manage/events/${event.id}/check-in/${r.registration.id}`)).statusCode, 303);
    assert.equal(
      (await facilitator.post(`/manage/events/${event.id}/check-in/${r.registration.id}`)).statusCode,
      303,
      'a double tap is harmless',
    );
    const bad = await facilitator.post(`/manage/events/${event.id}/walk-in`, { name: '', experience: 'lived', sessionId: session.id });
    assert.equal(bad.statusCode, 400);
    assert.equal(
      (await facilitator.post(`/manage/events/${event.id}/walk-in`, { name: 'Walk In', experience: 'lived', sessionId: session.id }))
        .statusCode,
      303,
    );
    const { rows } = await db.query(`select status, walk_in from registrations where session_id = $1 order by seq`, [session.id]);
    assert.deepEqual(rows, [
      { status: 'attended', walk_in: false },
      { status: 'attended', walk_in: true },
    ]);
    const dashboard = await staff.get(`/manage/events/${event.id}`);
    assert.match(
      dashboard.body,
      /Whole event: came<\/th><td class="nhsuk-table__cell nhsuk-table__cell--numeric">1<\/td><td class="nhsuk-table__cell nhsuk-table__cell--numeric">1<\/td><td class="nhsuk-table__cell nhsuk-table__cell--numeric">0</,
    );
    const other = await createEventWithSession(t.services, organiser);
    assert.equal(
      (await facilitator.post(`/manage/events/${other.event.id}/check-in/${r.registration.id}`)).statusCode,
      404,
      'a registration from another event',
    );
  });

  test('organiser forms: an event ending before it starts and a session with a plain-http link are refused with messages', async () => {
    await staff.get('/manage/events/new');
    const res = await staff.post('/manage/events/new', {
      title: 'Festival',
      summary: 'A week',
      'start[day]': '10',
      'start[month]': '7',
      'start[year]': '2031',
      startTime: '9am',
      'end[day]': '6',
      'end[month]': '7',
      'end[year]': '2031',
      endTime: '5pm',
    });
    assert.equal(res.statusCode, 400);
    assert.match(res.body, /The end must be after the start/);
    assert.match(res.body, /href="#end-day"/);
    const ok = await staff.post('/manage/events/new', {
      title: 'Festival',
      summary: 'A week',
      'start[day]': '6',
      'start[month]': '7',
      'start[year]': '2031',
      startTime: '9am',
      'end[day]': '10',
      'end[month]': '7',
      'end[year]': '2031',
      endTime: '5pm',
    });
    assert.equal(ok.statusCode, 303);
    const id = /\/manage\/events\/([0-9a-f-]+)/.exec(ok.headers.location as string)![1]!;
    const { rows } = await db.query('select starts_at from events where id = $1', [id]);
    assert.equal(new Date(rows[0].starts_at).toISOString(), '2031-07-06T08:00:00.000Z', '9am in London in July is 8am UTC');
    await staff.get(`/manage/events/${id}/sessions/new`);
    const session = await staff.post(`/manage/events/${id}/sessions/new`, {
      title: 'Talk',
      'date[day]': '7',
      'date[month]': '7',
      'date[year]': '2031',
      startTime: '10:00',
      endTime: '11:00',
      format: 'online',
      capacity: '30',
      joinUrl: 'http://insecure.example.org',
    });
    assert.equal(session.statusCode, 400);
    assert.match(session.body, /must start with https/);
    assert.equal((await db.query('select count(*)::int as n from event_sessions where event_id = $1', [id])).rows[0].n, 0);
  });
});
