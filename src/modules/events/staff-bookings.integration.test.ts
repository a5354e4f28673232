import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { createEventWithSession, createPerson } from '../../../test/builders.ts';
import { startTestApp, type TestApp } from '../../../test/harness.ts';
import { signIn, type WebClient } from '../../../test/web-client.ts';
import { pdfText } from '../../../test/pdf.ts';

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

const statusOf = async (id: string) => (await db.query('select status from registrations where id = $1', [id])).rows[0].status;
const byPost = (name: string) =>
  t.services.people.create(organiser, {
    name,
    experience: 'lived',
    postalAddress: '12 Meadow Lane\nOxford OX1 2AB',
    contactPreference: 'post',
  });
const byPhone = (name: string) =>
  t.services.people.create(organiser, { name, experience: 'lived', phone: '01632 960123', contactPreference: 'phone' });
const book = async (sessionId: string, personId: string) =>
  (await t.services.registrations.register(organiser, { sessionId, who: { personId } })).registration;

describe('cancelling from the staff list', () => {
  test('the confirm page names who will be offered the place; once people are emailed there is no undo, and the page says why', async () => {
    const { event, session } = await createEventWithSession(t.services, organiser, { capacity: 1 });
    const ella = await createPerson(t.services, { name: 'Ella Email', email: 'ella@example.org' });
    const pat = await byPhone('Pat Phone');
    const held = await book(session.id, ella.id);
    const waiting = await book(session.id, pat.id);
    assert.equal(waiting.status, 'waitlisted');

    const list = await staff.get(`/manage/events/${event.id}/registrations`);
    assert.match(list.body, new RegExp(`href="/manage/registrations/${held.id}/cancel"`), 'the list links to a confirm page');
    const confirm = await staff.get(`/manage/registrations/${held.id}/cancel`);
    assert.equal(confirm.statusCode, 200);
    assert.match(confirm.body, /The place will be offered to <strong>Pat Phone<\/strong>, first on the waiting list/);
    assert.match(confirm.body, /They have no email address/);
    assert.match(confirm.body, /cannot be undone/);
    assert.equal(await statusOf(held.id), 'confirmed', 'looking at the confirm page changes nothing');

    const done = await staff.post(`/manage/registrations/${held.id}/cancel`);
    assert.equal(done.statusCode, 303);
    assert.match(done.headers.location as string, new RegExp(`cancelled=${held.id}&offered=${waiting.id}`));
    assert.equal(await statusOf(held.id), 'cancelled');
    assert.equal(await statusOf(waiting.id), 'confirmed');
    const banner = await staff.get(done.headers.location as string);
    assert.match(
      banner.body,
      /Cancelled Ella Email’s place at Morning workshop\. The place was offered to Pat Phone: phone them on 01632 960123\./,
    );
    assert.match(banner.body, /We have already emailed Ella Email/);
    assert.doesNotMatch(banner.body, /undo-cancel/);
    await t.waitForEmail('ella@example.org', { subject: /cancel/i });

    const undo = await staff.post(`/manage/events/${event.id}/registrations/${held.id}/undo-cancel`);
    assert.equal(undo.statusCode, 303);
    assert.match(undo.headers.location as string, /late=1/);
    assert.equal(await statusOf(held.id), 'cancelled', 'undo refused, nothing changed');
    assert.match((await staff.get(undo.headers.location as string)).body, /This cannot be undone/);
  });

  test('undo within 10 minutes when nobody has been told: the place comes back; later, or once the place is taken, it is refused', async () => {
    const { event, session } = await createEventWithSession(t.services, organiser, { capacity: 1 });
    const peg = await byPost('Peg Post');
    const held = await book(session.id, peg.id);
    const confirm = await staff.get(`/manage/registrations/${held.id}/cancel`);
    assert.match(confirm.body, /Nobody is on the waiting list/);
    assert.match(confirm.body, /for 10 minutes you can undo this/);
    const done = await staff.post(`/manage/registrations/${held.id}/cancel`);
    const banner = await staff.get(done.headers.location as string);
    assert.match(banner.body, /Cancelled Peg Post’s place at Morning workshop\./);
    assert.match(banner.body, /Nobody has been emailed, so you can undo this for 10 minutes/);
    const undo = await staff.post(`/manage/events/${event.id}/registrations/${held.id}/undo-cancel`);
    assert.match(undo.headers.location as string, /restored=/);
    assert.equal(await statusOf(held.id), 'confirmed');
    assert.match((await staff.get(undo.headers.location as string)).body, /Undone: Peg Post has their place at Morning workshop again/);
    assert.equal(
      (await staff.post(`/manage/events/${event.id}/registrations/${held.id}/undo-cancel`)).headers.location?.includes('late=1'),
      true,
      'a second undo is refused and changes nothing',
    );

    // Too late.
    await staff.post(`/manage/registrations/${held.id}/cancel`);
    await db.query(`update registrations set cancelled_at = now() - interval '11 minutes' where id = $1`, [held.id]);
    await db.query(`update audit_log set at = now() - interval '11 minutes' where subject_id = $1`, [held.id]);
    const late = await staff.post(`/manage/events/${event.id}/registrations/${held.id}/undo-cancel`);
    assert.match(late.headers.location as string, /late=1/);
    assert.equal(await statusOf(held.id), 'cancelled');
    assert.match((await staff.get(late.headers.location as string)).body, /More than 10 minutes have passed/);

    // The freed place was booked by someone else in the meantime.
    const other = await createEventWithSession(t.services, organiser, { capacity: 1 });
    const first = await book(other.session.id, (await byPost('Pip Post')).id);
    await staff.post(`/manage/registrations/${first.id}/cancel`);
    await book(other.session.id, (await createPerson(t.services)).id);
    const taken = await staff.post(`/manage/events/${other.event.id}/registrations/${first.id}/undo-cancel`);
    assert.match(taken.headers.location as string, /late=1/);
    assert.equal(await statusOf(first.id), 'cancelled');
    assert.match((await staff.get(taken.headers.location as string)).body, /already been given to someone else/);
  });

  test('a place on the waiting list cancelled and undone keeps its number', async () => {
    const { event, session } = await createEventWithSession(t.services, organiser, { capacity: 1 });
    await book(session.id, (await createPerson(t.services)).id);
    const w1 = await book(session.id, (await byPhone('Wyn One')).id);
    await book(session.id, (await createPerson(t.services)).id);
    const confirm = await staff.get(`/manage/registrations/${w1.id}/cancel`);
    assert.match(confirm.body, /leaves the waiting list\. Nobody else’s booking changes/);
    await staff.post(`/manage/registrations/${w1.id}/cancel`);
    const undo = await staff.post(`/manage/events/${event.id}/registrations/${w1.id}/undo-cancel`);
    assert.equal(await statusOf(w1.id), 'waitlisted');
    assert.match(
      (await staff.get(undo.headers.location as string)).body,
      /Undone: Wyn One is back on the waiting list for Morning workshop, number 1/,
    );
  });

  test('the contact column says "No contact details" for a walk-in and "By post" only for someone with an address', async () => {
    const { event, session } = await createEventWithSession(t.services, organiser);
    await book(session.id, (await byPost('Peg Letter')).id);
    await t.services.registrations.walkIn(organiser, { sessionId: session.id, name: 'Wanda Walkin', experience: 'lived' });
    const list = await staff.get(`/manage/events/${event.id}/registrations`);
    assert.match(list.body, /Peg Letter[\s\S]*?By post/);
    assert.match(list.body, /Wanda Walkin[\s\S]*?No contact details/);
    assert.doesNotMatch(list.body, /Wanda Walkin((?!<\/tr>)[\s\S])*By post/);
  });
});

describe('registering someone by phone or post', () => {
  test('staff booking two sessions at the same time are warned first; booking anyway makes one booking with one email', async () => {
    const { event, session } = await createEventWithSession(t.services, organiser, { sessionTitle: 'Morning workshop' });
    const same = await t.services.events.addSession(organiser, event.id, {
      title: 'Morning walk',
      startsAt: session.startsAt,
      endsAt: session.endsAt,
      format: 'online',
      capacity: 10,
      joinUrl: 'https://meet.example.org/walk',
    });
    const cleo = await createPerson(t.services, { name: 'Cleo Clash', email: 'cleo@example.org' });
    const form = { sessionIds: [session.id, same.id] };
    const warned = await staff.post(`/manage/events/${event.id}/register/${cleo.id}`, form);
    assert.equal(warned.statusCode, 409);
    assert.match(warned.body, /Some sessions are at the same time/);
    assert.match(warned.body, /Morning (walk|workshop)[^<]*and Morning (walk|workshop)[^<]*are at the same time/);
    assert.equal(Number((await db.query('select count(*) as n from registrations where person_id = $1', [cleo.id])).rows[0].n), 0);

    const booked = await staff.post(`/manage/events/${event.id}/register/${cleo.id}`, { ...form, clashes: 'book-anyway' });
    assert.equal(booked.statusCode, 303, booked.body);
    assert.equal(Number((await db.query('select count(*) as n from registrations where person_id = $1', [cleo.id])).rows[0].n), 2);
    const mail = await t.waitForEmail('cleo@example.org', { subject: /Your booking: .* \(2 sessions\)/ });
    assert.match(mail.body, /Morning workshop/);
    assert.match(mail.body, /Morning walk/);
    await new Promise((r) => setTimeout(r, 500));
    const sent = await t.emailsTo('cleo@example.org');
    assert.equal(sent.length, 1, `one email for the booking, not one per session: ${sent.map((m) => m.subject).join(' | ')}`);
  });

  test('back from adding a person they are chosen; after booking, a message and, for post, a letter to print', async () => {
    const { event, session } = await createEventWithSession(t.services, organiser, { sessionTitle: 'Walk and talk' });
    const page = await staff.get(`/manage/events/${event.id}/register-someone`);
    assert.match(
      page.body,
      new RegExp(`href="/people/new\\?returnTo=${encodeURIComponent(`/manage/events/${event.id}/register-someone`)}"`),
    );
    const margaret = await byPost('Margaret Post');
    const back = await staff.get(`/manage/events/${event.id}/register-someone?personId=${margaret.id}`);
    assert.equal(back.statusCode, 303);
    assert.equal(back.headers.location, `/manage/events/${event.id}/register/${margaret.id}`);

    const booked = await staff.post(`/manage/events/${event.id}/register/${margaret.id}`, { sessionIds: session.id });
    assert.equal(booked.statusCode, 303);
    assert.equal(booked.headers.location, `/manage/events/${event.id}/register-someone?booked=${margaret.id}`);
    const done = await staff.get(booked.headers.location as string);
    assert.match(done.body, /Booked Margaret Post: Walk and talk \(has a place\)\./);
    const letterHref = `/manage/events/${event.id}/letters/${margaret.id}.pdf`;
    assert.match(done.body, new RegExp(`href="${letterHref}">Print a confirmation letter \\(PDF\\)`));
    const letter = await staff.get(letterHref);
    assert.equal(letter.statusCode, 200);
    assert.equal(letter.headers['content-type'], 'application/pdf');
    const text = await pdfText(letter.rawPayload);
    assert.match(text, /Margaret Post/);
    assert.match(text, /12 Meadow Lane/);
    assert.match(text, /Oxford OX1 2AB/);
    assert.match(text, new RegExp(`Your booking: ${event.title}`));
    assert.match(text, /Walk and talk/);
    assert.match(text, /Has a place/);
    assert.match(text, /Town Hall/);
    const stranger = await createPerson(t.services);
    assert.equal((await staff.get(`/manage/events/${event.id}/letters/${stranger.id}.pdf`)).statusCode, 404, 'not booked: no letter');

    const walkIn = await t.services.people.create(organiser, { name: 'Nobody Known', experience: 'lived' });
    await staff.post(`/manage/events/${event.id}/register/${walkIn.id}`, { sessionIds: session.id });
    const none = await staff.get(`/manage/events/${event.id}/register-someone?booked=${walkIn.id}`);
    assert.match(none.body, /No contact details/);
    assert.doesNotMatch(none.body, /Print a confirmation letter/);
  });

  test('people reached by phone whose place changed are listed to call until marked as phoned', async () => {
    const { event, session } = await createEventWithSession(t.services, organiser, { capacity: 1 });
    const holder = await book(session.id, (await createPerson(t.services, { name: 'Hal Holder' })).id);
    const phil = await byPhone('Phil Phone');
    const booked = await staff.post(`/manage/events/${event.id}/register/${phil.id}`, { sessionIds: session.id });
    const done = await staff.get(booked.headers.location as string);
    assert.match(done.body, /Booked Phil Phone: Morning workshop \(waiting list, number 1\)\./);
    assert.match(done.body, /contacted by phone on 01632 960123/);
    assert.match(
      (await staff.get(`/manage/events/${event.id}/to-call`)).body,
      /Nobody to phone/,
      'booking them on the phone is not a change',
    );

    // No wait needed: a promotion is recorded as one, not guessed from how long after booking it came.
    await t.services.registrations.cancel({ actor: organiser }, holder.id);
    const list = await staff.get(`/manage/events/${event.id}/to-call`);
    assert.match(list.body, /Phil Phone/);
    assert.match(list.body, /Now has a place \(was on the waiting list\)/);
    assert.match(list.body, /href="tel:01632960123"/);
    const regId = (await db.query('select id from registrations where person_id = $1', [phil.id])).rows[0].id;
    const called = await staff.post(`/manage/events/${event.id}/to-call/${regId}`);
    assert.equal(called.statusCode, 303);
    const after = await staff.get(called.headers.location as string);
    assert.match(after.body, /Marked Phil Phone as phoned/);
    assert.doesNotMatch(after.body, /Now has a place/);
  });
});
