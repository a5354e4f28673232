import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { createAdminWithToken, createPerson } from '../../../test/builders.ts';
import { startTestApp, type TestApp } from '../../../test/harness.ts';
import { startS3Server, type TestS3 } from '../../../test/s3-server.ts';
import { apiCaller, signIn, WebClient } from '../../../test/web-client.ts';
import { londonDay } from '../../lib/dates.ts';
import { ConflictError } from '../../lib/validation.ts';
import { pdfWriter } from '../../lib/pdf.ts';
import { seedDemoBoards } from '../demo/demo-boards.ts';
import { createBoardsService } from './boards-service.ts';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const today = () => londonDay(new Date());
const dayPlus = (n: number) => londonDay(new Date(Date.now() + n * DAY));

/** A small real PDF, as a member's paper would be. */
async function smallPdf(title: string) {
  const w = pdfWriter({ title, author: 'Test', subject: 'A paper', creator: 'test' });
  w.say(title, { size: 16, tag: 'H1' });
  w.say('What carers told us about respite care.', { size: 12 });
  w.doc.end();
  return w.done;
}

/** Posts a form with a file, as a browser does (multipart), with the client's cookies and CSRF token. */
async function postWithFile(
  t: TestApp,
  client: WebClient,
  url: string,
  fields: Record<string, string>,
  file?: { name: string; type: string; data: Buffer },
) {
  const form = new FormData();
  form.append('_csrf', client.lastCsrf);
  for (const [k, v] of Object.entries(fields)) form.append(k, v);
  if (file) form.append('paper', new Blob([new Uint8Array(file.data)], { type: file.type }), file.name);
  const request = new Request('http://x/', { method: 'POST', body: form });
  const headers = Object.fromEntries(request.headers);
  return t.app.inject({
    method: 'POST',
    url,
    headers: { ...headers, cookie: [...client.cookies].map(([k, v]) => `${k}=${v}`).join('; ') },
    payload: Buffer.from(await request.arrayBuffer()),
  });
}

const submissionKey = (body: string) => /name="submissionKey" value="([^"]+)"/.exec(body)![1]!;

describe('boards', () => {
  let t: TestApp;
  let db: pg.Client;
  let token: string;
  let admin: { personId: string; role: 'admin' };
  const api = apiCaller(
    () => t.app,
    () => token,
  );
  const count = async (q: string, params: unknown[] = []) => Number((await db.query(q, params)).rows[0].n);

  before(async () => {
    // A small upload limit, so a paper over it is easy to make.
    t = await startTestApp({ UPLOAD_LIMIT_MB: '0.05' });
    db = new pg.Client({ connectionString: t.databaseUrl });
    await db.connect();
    ({ token, admin } = await createAdminWithToken(t.services));
  });
  after(async () => {
    await db.end();
    await t.close();
  });

  async function boardWithMembers() {
    const b = await api('POST', '/api/v1/boards', {
      name: `Team-up board ${Math.random()}`,
      purpose: 'People who use social care with those who provide it.',
    });
    assert.equal(b.statusCode, 201, b.body);
    const id = b.json().id as string;
    const coChair = await createPerson(t.services, { name: 'Jo Parent Carer', experience: 'lived' });
    const pro = await createPerson(t.services, { name: 'Karen Director', experience: 'professional' });
    const member = await createPerson(t.services, { name: 'Sam Member', experience: 'both' });
    return { id, coChair, pro, member };
  }

  test('a board through the API: members, the mix of co-chairs, and warnings', async () => {
    const { id, coChair, pro, member } = await boardWithMembers();
    const first = await api('GET', `/api/v1/boards/${id}`);
    assert.deepEqual(first.json().warnings, ['No co-chair has lived experience', 'The board has no members yet']);

    const add = (body: object) => api('POST', `/api/v1/boards/${id}/members`, body);
    assert.equal((await add({ personId: pro.id, role: 'co_chair', from: '2026-01-01' })).statusCode, 201);
    const mid = (await api('GET', `/api/v1/boards/${id}`)).json();
    assert.deepEqual(mid.coChairs, { lived: 0, professional: 1, both: 0 });
    assert.ok(mid.warnings.includes('No co-chair has lived experience'));
    assert.ok(
      mid.warnings.some((w: string) => /0% of members have lived experience.*target of 50%/.test(w)),
      mid.warnings.join('; '),
    );

    const made = await add({ personId: coChair.id, role: 'co_chair', from: '2026-01-01', shownPublicly: true });
    assert.equal(made.statusCode, 201);
    // The same again (a retried call) is the same membership.
    const again = await add({ personId: coChair.id, role: 'co_chair', from: '2026-01-01', shownPublicly: true });
    assert.equal(again.statusCode, 200);
    assert.equal(again.json().id, made.json().id);
    assert.equal((await add({ personId: member.id, role: 'member', from: '2026-01-01', to: '2099-12-31' })).statusCode, 201);

    const b = (await api('GET', `/api/v1/boards/${id}`)).json();
    assert.deepEqual(b.coChairs, { lived: 1, professional: 1, both: 0 });
    assert.deepEqual(b.mix, { lived: 1, professional: 1, both: 1 });
    assert.deepEqual(b.warnings, []);
    assert.deepEqual(
      b.members.map((m: { personId: string; role: string; experience: string }) => [m.personId, m.role, m.experience]).sort(),
      [
        [coChair.id, 'co_chair', 'lived'],
        [member.id, 'member', 'both'],
        [pro.id, 'co_chair', 'professional'],
      ].sort(),
    );
  });

  test('bad board and member input: a clear message, nothing changed', async () => {
    const { id, coChair } = await boardWithMembers();
    const boards = await count('select count(*) as n from boards');
    const badBoard = await api('POST', '/api/v1/boards', { name: '', purpose: 5, livedTarget: 'lots' });
    assert.equal(badBoard.statusCode, 400);
    assert.match(badBoard.body, /Enter the board’s name/);
    assert.match(badBoard.body, /number from 0 to 100/);
    assert.equal((await api('POST', '/api/v1/boards', { name: 'x', purpose: 'y', livedTarget: 150 })).statusCode, 400);
    assert.equal(await count('select count(*) as n from boards'), boards);

    const members = await count('select count(*) as n from board_members');
    const cases: [object, number, RegExp][] = [
      [{ personId: '00000000-0000-4000-8000-000000000000', role: 'member', from: today() }, 400, /no one with that id/],
      [{ personId: coChair.id, role: 'chief', from: today() }, 400, /co_chair, member or adviser/],
      [{ personId: coChair.id, role: 'member', from: '2026-13-40' }, 400, /term starts/],
      [{ personId: coChair.id, role: 'member', from: '2026-05-01', to: '2026-04-01' }, 400, /end on or after/],
      [{ personId: 42, role: 'member', from: today() }, 400, /personId/],
    ];
    for (const [body, status, message] of cases) {
      const r = await api('POST', `/api/v1/boards/${id}/members`, body);
      assert.equal(r.statusCode, status, r.body);
      assert.match(r.body, message);
    }
    assert.equal((await api('POST', '/api/v1/boards/00000000-0000-4000-8000-000000000000/members', cases[0]![0])).statusCode, 404);
    assert.equal((await api('GET', '/api/v1/boards/not-an-id')).statusCode, 404);
    await api('POST', `/api/v1/boards/${id}/members`, { personId: coChair.id, role: 'member', from: '2026-01-01' });
    const overlap = await api('POST', `/api/v1/boards/${id}/members`, { personId: coChair.id, role: 'co_chair', from: '2026-06-01' });
    assert.equal(overlap.statusCode, 409);
    assert.match(overlap.json().detail, /already on this board/);
    assert.equal(await count('select count(*) as n from board_members'), members + 1);
  });

  test('meetings, attendance and decisions through the API, with bad input refused', async () => {
    const { id, coChair, pro } = await boardWithMembers();
    await api('POST', `/api/v1/boards/${id}/members`, { personId: coChair.id, role: 'co_chair', from: '2026-01-01' });
    const venue = {
      name: 'County Hall',
      address: 'New Road, Oxford',
      postcode: 'OX1 1ND',
      stepFree: true,
      hearingLoop: true,
      accessibleToilet: true,
    };
    const past = new Date(Date.now() - 2 * DAY);
    const m = await api('POST', `/api/v1/boards/${id}/meetings`, {
      title: 'Spring meeting',
      startsAt: past.toISOString(),
      endsAt: new Date(past.getTime() + 2 * HOUR).toISOString(),
      format: 'hybrid',
      venue,
      joinUrl: 'https://meet.example.org/team-up',
      agenda: [
        { title: 'Respite care', easyRead: 'Breaks for carers', paperUrl: 'https://example.org/respite.pdf' },
        { title: 'Any other business' },
      ],
    });
    assert.equal(m.statusCode, 201, m.body);
    assert.deepEqual(
      m.json().agenda.map((a: { title: string; position: number }) => [a.position, a.title]),
      [
        [1, 'Respite care'],
        [2, 'Any other business'],
      ],
    );
    assert.equal(m.json().venue.hearingLoop, true);
    const meetingId = m.json().id as string;

    const meetings = await count('select count(*) as n from board_meetings');
    const bad = [
      { title: 'x', startsAt: past.toISOString(), endsAt: past.toISOString(), format: 'online', joinUrl: 'https://x.example' },
      { title: 'x', startsAt: past.toISOString(), endsAt: new Date(past.getTime() + HOUR).toISOString(), format: 'in_person' },
      { title: 'x', startsAt: 'tuesday', endsAt: 'wednesday', format: 'online', joinUrl: 'http://insecure.example' },
      {
        title: 'x',
        startsAt: past.toISOString(),
        endsAt: new Date(past.getTime() + HOUR).toISOString(),
        format: 'online',
        joinUrl: 'https://x.example',
        agenda: 'none',
      },
    ];
    for (const body of bad) assert.equal((await api('POST', `/api/v1/boards/${id}/meetings`, body)).statusCode, 400);
    assert.equal(await count('select count(*) as n from board_meetings'), meetings);

    // Attendance: members only, once the meeting has started.
    const came = await api('POST', `/api/v1/meetings/${meetingId}/attendance`, { personId: coChair.id, attended: true });
    assert.equal(came.statusCode, 200, came.body);
    const stranger = await api('POST', `/api/v1/meetings/${meetingId}/attendance`, { personId: pro.id, attended: true });
    assert.equal(stranger.statusCode, 400);
    assert.match(stranger.body, /not on this board/);
    assert.equal(
      (await api('POST', `/api/v1/meetings/${meetingId}/attendance`, { personId: coChair.id, attended: 'yes' })).statusCode,
      400,
    );
    assert.deepEqual(
      (await t.services.boardsLookup.attendedMeetings(coChair.id)).map((a) => a.meetingId),
      [meetingId],
    );
    const future = new Date(Date.now() + 20 * DAY);
    const later = await api('POST', `/api/v1/boards/${id}/meetings`, {
      title: 'Autumn',
      startsAt: future.toISOString(),
      endsAt: new Date(future.getTime() + HOUR).toISOString(),
      format: 'online',
      joinUrl: 'https://meet.example.org/autumn',
    });
    const early = await api('POST', `/api/v1/meetings/${later.json().id}/attendance`, { personId: coChair.id, attended: true });
    assert.equal(early.statusCode, 409);
    assert.match(early.json().detail, /not started yet/);

    // Decisions.
    const nowhere = await api('POST', '/api/v1/meetings/00000000-0000-4000-8000-000000000000/decisions', { text: 'Fund respite' });
    assert.equal(nowhere.statusCode, 404);
    assert.equal(nowhere.json().detail, 'No meeting with that id');
    const d = await api('POST', `/api/v1/meetings/${meetingId}/decisions`, {
      text: 'Write to commissioners about respite',
      owner: coChair.id,
      due: dayPlus(10),
    });
    assert.equal(d.statusCode, 201, d.body);
    assert.equal(d.json().status, 'open');
    assert.match(d.json().id, /^[0-9a-f-]{36}$/);
    const decisions = await count('select count(*) as n from board_decisions');
    for (const body of [
      { text: '' },
      { text: 'x', owner: '00000000-0000-4000-8000-000000000000' },
      { text: 'x', due: 'soon' },
      { text: 'x', kind: 'wish' },
    ])
      assert.equal((await api('POST', `/api/v1/meetings/${meetingId}/decisions`, body)).statusCode, 400, JSON.stringify(body));
    assert.equal(await count('select count(*) as n from board_decisions'), decisions);

    const move = (body: object, decisionId = d.json().id) => api('POST', `/api/v1/decisions/${decisionId}/status`, body);
    assert.equal((await move({ status: 'in_progress' })).statusCode, 400, 'a note is needed');
    assert.equal((await move({ status: 'finished', note: 'x' })).statusCode, 400);
    assert.equal((await move({ status: 'in_progress', note: 'Letter drafted' })).json().status, 'in_progress');
    assert.equal((await move({ status: 'in_progress', note: 'again' })).statusCode, 409);
    assert.equal((await move({ status: 'done', note: 'Sent' }, '00000000-0000-4000-8000-000000000000')).statusCode, 404);
    assert.equal((await move({ status: 'done', note: 'Sent on Tuesday' })).json().status, 'done');
    const history = (await api('GET', `/api/v1/decisions/${d.json().id}`)).json().history;
    assert.deepEqual(
      history.map((h: { status: string; note: string }) => [h.status, h.note]),
      [
        ['open', 'Recorded at the meeting'],
        ['in_progress', 'Letter drafted'],
        ['done', 'Sent on Tuesday'],
      ],
    );
  });

  test('papers go out once, the days before the board says, with the agenda and a reply link; members reply with their access needs', async () => {
    const { id, coChair, member } = await boardWithMembers();
    const noEmail = await createPerson(t.services, { name: 'Pat No Email', email: undefined, phone: '01865 000000' });
    for (const p of [coChair, member, noEmail])
      await api('POST', `/api/v1/boards/${id}/members`, {
        personId: p.id,
        role: p === coChair ? 'co_chair' : 'member',
        from: '2026-01-01',
      });
    const soon = new Date(Date.now() + 3 * DAY);
    const far = new Date(Date.now() + 30 * DAY);
    const mk = (title: string, at: Date) =>
      api('POST', `/api/v1/boards/${id}/meetings`, {
        title,
        startsAt: at.toISOString(),
        endsAt: new Date(at.getTime() + 2 * HOUR).toISOString(),
        format: 'online',
        joinUrl: 'https://meet.example.org/x',
        agenda: [{ title: 'Respite care for carers', easyRead: 'Time off for people who care' }],
      });
    const near = (await mk('Summer meeting', soon)).json().id;
    const notYet = (await mk('Winter meeting', far)).json().id;

    // Two processes sweep at once: each meeting is claimed by one of them.
    const [a, b] = await Promise.all([t.services.boards.sweep(), t.services.boards.sweep()]);
    assert.equal(a.papers + b.papers, 1);
    assert.equal((await t.services.boards.sweep()).papers, 0);
    const mail = await t.waitForEmail(coChair.email!, { subject: /Papers for Summer meeting/ });
    assert.match(mail.body, /Respite care for carers/);
    assert.match(mail.body, /In easy read: Time off for people who care/);
    await t.waitForEmail(member.email!, { subject: /Papers for Summer meeting/ });
    await new Promise((r) => setTimeout(r, 300));
    assert.equal((await t.emailsTo(coChair.email!)).filter((m) => /Papers for Summer/.test(m.subject)).length, 1, 'sent once');
    assert.equal((await t.emailsTo(coChair.email!)).filter((m) => /Winter/.test(m.subject)).length, 0, 'not due yet');
    assert.equal(await count('select count(*) as n from meeting_attendees where meeting_id = $1 and invited_at is not null', [near]), 3);
    // Staff send the next papers early; a second press is refused.
    const sent = await t.services.boards.sendPapersNow(admin, notYet);
    assert.equal(sent, 2, 'two members have an email address');
    await assert.rejects(() => t.services.boards.sendPapersNow(admin, notYet), /already gone out/);

    // The reply link: coming, with access needs; a damaged link finds nothing.
    const link = new URL(/https?:\/\/\S+\/reply\?\S+/.exec(mail.body)![0]);
    const web = new WebClient(t.app);
    const page = await web.get(link.pathname + link.search);
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /Respite care for carers/);
    const forged = await web.get(`${link.pathname}?person=${member.id}&token=${link.searchParams.get('token')}`);
    assert.equal(forged.statusCode, 404);
    const missing = await web.post(`/meetings/${near}/reply`, {
      person: coChair.id,
      token: link.searchParams.get('token')!,
      accessNeeds: 'hearing_loop',
    });
    assert.equal(missing.statusCode, 400);
    assert.match(missing.body, /Say if you are coming/);
    const sentReply = await web.post(`/meetings/${near}/reply`, {
      person: coChair.id,
      token: link.searchParams.get('token')!,
      reply: 'coming',
      accessNeeds: ['hearing_loop', 'easy_read'],
      accessNotes: 'My son comes with me',
    });
    assert.equal(sentReply.statusCode, 303);
    const stranger = await web.post(`/meetings/${near}/reply`, { person: member.id, token: 'nope', reply: 'not_coming' });
    assert.equal(stranger.statusCode, 404);
    const row = (
      await db.query('select reply, access_needs, access_notes from meeting_attendees where meeting_id = $1 and person_id = $2', [
        near,
        coChair.id,
      ])
    ).rows[0];
    assert.deepEqual(row, { reply: 'coming', access_needs: ['hearing_loop', 'easy_read'], access_notes: 'My son comes with me' });
    assert.equal(
      (await db.query('select reply from meeting_attendees where meeting_id = $1 and person_id = $2', [near, member.id])).rows[0].reply,
      null,
    );

    const staff = await signIn(t, 'admin@example.org');
    const manage = await staff.get(`/manage/meetings/${near}`);
    assert.match(manage.body, /Coming/);
    assert.match(manage.body, /A hearing loop/);
    assert.match(manage.body, /My son comes with me/);
    assert.match(manage.body, /No email: send the papers by post or phone/);
  });

  test('owners hear about an action 3 days before it is due, once per due date', async () => {
    const { id, coChair } = await boardWithMembers();
    await api('POST', `/api/v1/boards/${id}/members`, { personId: coChair.id, role: 'co_chair', from: '2026-01-01' });
    const at = new Date(Date.now() - DAY);
    const m = await api('POST', `/api/v1/boards/${id}/meetings`, {
      title: 'Reminder meeting',
      startsAt: at.toISOString(),
      endsAt: new Date(at.getTime() + HOUR).toISOString(),
      format: 'online',
      joinUrl: 'https://meet.example.org/r',
    });
    const d = await api('POST', `/api/v1/meetings/${m.json().id}/decisions`, {
      text: 'Book the carers’ café',
      owner: coChair.id,
      due: dayPlus(2),
    });
    const far = await api('POST', `/api/v1/meetings/${m.json().id}/decisions`, {
      text: 'Plan next year',
      owner: coChair.id,
      due: dayPlus(20),
    });
    await t.services.boards.sweep();
    const mail = await t.waitForEmail(coChair.email!, { subject: /Reminder: an action/ });
    assert.match(mail.body, /Book the carers’ café/);
    assert.match(mail.body, new RegExp(`/decisions/${d.json().id}`));
    await t.services.boards.sweep();
    await new Promise((r) => setTimeout(r, 300));
    const reminders = () => t.emailsTo(coChair.email!).then((all) => all.filter((x) => /Reminder: an action/.test(x.subject)).length);
    assert.equal(await reminders(), 1, 'not again for the same date');
    assert.equal((await db.query('select reminded_for from board_decisions where id = $1', [far.json().id])).rows[0].reminded_for, null);
    // A moved date is reminded again.
    await t.services.boards.updateDecision(admin, d.json().id, { owner: coChair.id, due: dayPlus(1), published: false });
    await t.services.boards.sweep();
    const deadline = Date.now() + 10_000;
    while ((await reminders()) < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    assert.equal(await reminders(), 2);
  });

  // ---- the review's fixes: each of these failed before its fix ---------------------------------------
  describe('what the review found', () => {
    let staffWeb: WebClient;
    const mkMeeting = async (boardId: string, at: Date, extra: object = {}) => {
      const r = await api('POST', `/api/v1/boards/${boardId}/meetings`, {
        title: `Meeting ${Math.random()}`,
        startsAt: at.toISOString(),
        endsAt: new Date(at.getTime() + 2 * HOUR).toISOString(),
        format: 'online',
        joinUrl: 'https://meet.example.org/review',
        ...extra,
      });
      assert.equal(r.statusCode, 201, r.body);
      return r.json().id as string;
    };
    const addMember = async (boardId: string, body: object) => {
      const r = await api('POST', `/api/v1/boards/${boardId}/members`, body);
      assert.ok(r.statusCode === 201 || r.statusCode === 200, r.body);
      return r.json().id as string;
    };
    const invitedTo = async (meetingId: string) =>
      (
        await db.query('select person_id from meeting_attendees where meeting_id = $1 and invited_at is not null order by person_id', [
          meetingId,
        ])
      ).rows.map((r) => r.person_id as string);
    const papersSentAt = async (meetingId: string) =>
      (await db.query('select papers_sent_at from board_meetings where id = $1', [meetingId])).rows[0].papers_sent_at as Date | null;

    before(async () => {
      await createPerson(t.services, { name: 'Review Staff', email: 'review-staff@example.org' }, 'staff');
      staffWeb = await signIn(t, 'review-staff@example.org');
    });

    test('a meeting time outside the years 1900 to 2100 is refused with a plain message, not a 500', async () => {
      const { id } = await boardWithMembers();
      const meetings = await count('select count(*) as n from board_meetings');
      for (const startsAt of ['0000-01-01T00:00:00Z', '1899-12-31T10:00:00Z', '2101-01-01T10:00:00Z']) {
        const r = await api('POST', `/api/v1/boards/${id}/meetings`, {
          title: 'Out of time',
          startsAt,
          endsAt: '2101-06-01T12:00:00Z',
          format: 'online',
          joinUrl: 'https://meet.example.org/x',
        });
        assert.equal(r.statusCode, 400, `${startsAt}: ${r.body}`);
        assert.match(r.body, /Enter a time between the years 1900 and 2100/);
      }
      assert.equal(await count('select count(*) as n from board_meetings'), meetings);
    });

    test('papers 0 days before go out on the meeting’s London day, from midnight', async () => {
      const b = await t.services.boards.create(admin, { name: 'Same-day board', purpose: 'Papers on the day', papersDaysBefore: 0 });
      const jo = await createPerson(t.services, { name: 'Same Day Jo' });
      await addMember(b.id, { personId: jo.id, role: 'member', from: '2026-01-01' });
      // 10am in London in summer (BST): London's midnight is 23:00 UTC the day before.
      const id = await mkMeeting(b.id, new Date('2027-07-10T09:00:00Z'));
      await t.services.boards.sweep(new Date('2027-07-09T22:30:00Z'));
      assert.equal(await papersSentAt(id), null, 'not the day before (23:30 in London)');
      await t.services.boards.sweep(new Date('2027-07-09T23:30:00Z'));
      assert.ok(await papersSentAt(id), 'from 00:30 in London on the day');
      assert.deepEqual(await invitedTo(id), [jo.id]);
      await t.waitForEmail(jo.email!, { subject: /Papers for/ });
      const form = await staffWeb.get('/manage/boards/new');
      assert.match(form.body, /0 means on the day of the meeting/);
    });

    test('papers go to whoever is on the board on the meeting’s day, not to an empty board, and later to new members', async () => {
      const { id, coChair, pro, member } = await boardWithMembers();
      const meetingId = await mkMeeting(id, new Date(Date.now() + 3 * DAY));
      // Nobody on the board yet: the sweep leaves it for later, and staff are told why.
      await t.services.boards.sweep();
      assert.equal(await papersSentAt(meetingId), null);
      await assert.rejects(() => t.services.boards.sendPapersNow(admin, meetingId), /No one is on the board on the day of this meeting/);
      assert.equal(await papersSentAt(meetingId), null);

      await addMember(id, { personId: coChair.id, role: 'co_chair', from: '2026-01-01' });
      // Their term starts after today, before the meeting: they are invited, and emailed.
      await addMember(id, { personId: member.id, role: 'member', from: dayPlus(1) });
      // Their term ended yesterday: not invited.
      await addMember(id, { personId: pro.id, role: 'member', from: '2026-01-01', to: dayPlus(-1) });
      await t.services.boards.sweep();
      assert.ok(await papersSentAt(meetingId));
      assert.deepEqual(await invitedTo(meetingId), [coChair.id, member.id].sort());
      const mail = await t.waitForEmail(member.email!, { subject: /Papers for/ });
      const link = new URL(/https?:\/\/\S+\/reply\?\S+/.exec(mail.body)![0]);
      assert.equal((await new WebClient(t.app).get(link.pathname + link.search)).statusCode, 200, 'their reply link works');

      // Someone who joins after the papers went out: staff send them the papers.
      const newbie = await createPerson(t.services, { name: 'Nina Newcomer' });
      await addMember(id, { personId: newbie.id, role: 'member', from: today() });
      const page = await staffWeb.get(`/manage/meetings/${meetingId}`);
      assert.match(page.body, /Nina Newcomer/);
      assert.match(page.body, /Send papers to new members/);
      const sent = await staffWeb.post(`/manage/meetings/${meetingId}/send-papers-new`);
      assert.equal(sent.headers.location, `/manage/meetings/${meetingId}?sent=1`);
      await t.waitForEmail(newbie.email!, { subject: /Papers for/ });
      assert.deepEqual(await invitedTo(meetingId), [coChair.id, member.id, newbie.id].sort());
      await staffWeb.get(`/manage/meetings/${meetingId}`);
      const again = await staffWeb.post(`/manage/meetings/${meetingId}/send-papers-new`);
      assert.match(String(again.headers.location), /error=Everyone%20on%20the%20board/);
      await new Promise((r) => setTimeout(r, 300));
      assert.equal((await t.emailsTo(coChair.email!)).filter((m) => /Papers for/.test(m.subject)).length, 1, 'the others not again');
    });

    test('if the papers cannot be queued, the meeting is not marked sent and nobody is marked invited', async () => {
      const { id, coChair } = await boardWithMembers();
      await addMember(id, { personId: coChair.id, role: 'co_chair', from: '2026-01-01' });
      const meetingId = await mkMeeting(id, new Date(Date.now() + 20 * DAY));
      const broken = createBoardsService({
        db: t.services.db,
        config: t.config,
        secret: 'a test secret',
        files: t.services.files,
        audit: t.services.audit,
        jobs: {
          sendEmail: () => Promise.reject(new Error('the queue is down')),
          enqueue: () => Promise.reject(new Error('the queue is down')),
        },
        log: { info() {}, warn() {}, error() {} },
        people: t.services.people,
        venues: { insertVenue: () => Promise.reject(new Error('no')), findVenue: async () => undefined, venueChoices: async () => [] },
      });
      await assert.rejects(() => broken.sendPapersNow(admin, meetingId), /the queue is down/);
      assert.equal(await papersSentAt(meetingId), null);
      assert.deepEqual(await invitedTo(meetingId), []);
      // The real queue works: they go.
      assert.equal(await t.services.boards.sendPapersNow(admin, meetingId), 1);
    });

    test('an action’s owner is on the board now, or staff; owners who have left are not reminded', async () => {
      const { id, coChair, member } = await boardWithMembers();
      await addMember(id, { personId: coChair.id, role: 'co_chair', from: '2026-01-01' });
      const termId = await addMember(id, { personId: member.id, role: 'member', from: '2026-01-01' });
      const stranger = await createPerson(t.services, { name: 'Not On The Board' });
      const officer = await createPerson(t.services, { name: 'Staff Officer' }, 'staff');
      const meetingId = await mkMeeting(id, new Date(Date.now() - DAY));
      const decisions = await count('select count(*) as n from board_decisions');
      const refused = await api('POST', `/api/v1/meetings/${meetingId}/decisions`, { text: 'x', owner: stranger.id });
      assert.equal(refused.statusCode, 400);
      assert.match(refused.body, /an owner must be a current member of the board, or staff/);
      assert.equal(await count('select count(*) as n from board_decisions'), decisions);
      const byStaff = await api('POST', `/api/v1/meetings/${meetingId}/decisions`, { text: 'Staff own it', owner: officer.id });
      assert.equal(byStaff.statusCode, 201, byStaff.body);
      const d = await api('POST', `/api/v1/meetings/${meetingId}/decisions`, {
        text: 'Ring the carers’ centre',
        owner: member.id,
        due: dayPlus(2),
      });
      assert.equal(d.statusCode, 201, d.body);
      await assert.rejects(
        () => t.services.boards.updateDecision(admin, d.json().id, { owner: stranger.id, due: dayPlus(2), published: false }),
        /an owner must be a current member/,
      );
      // The member leaves the board: they are not chased about it.
      await t.services.boards.endTerm(admin, termId, dayPlus(-1));
      assert.equal(await t.services.boards.composers['board-action-reminder']!({ decisionId: d.json().id }), null);
      await t.services.boards.sweep();
      await new Promise((r) => setTimeout(r, 300));
      assert.equal((await db.query('select reminded_for from board_decisions where id = $1', [d.json().id])).rows[0].reminded_for, null);
      assert.equal((await t.emailsTo(member.email!)).filter((m) => /Reminder: an action/.test(m.subject)).length, 0);
      // Their own, unchanged owner may stay while staff change the date.
      await t.services.boards.updateDecision(admin, d.json().id, { owner: member.id, due: dayPlus(1), published: false });
    });

    test('a term cannot be ended into another term of the same person', async () => {
      const { id, member } = await boardWithMembers();
      const first = await addMember(id, { personId: member.id, role: 'member', from: '2026-01-01', to: '2026-03-31' });
      await addMember(id, { personId: member.id, role: 'co_chair', from: '2026-06-01' });
      await assert.rejects(
        () => t.services.boards.endTerm(admin, first, '2026-07-31'),
        (err: Error) => err instanceof ConflictError && /another term on this board from 2026-06-01/.test(err.message),
      );
      await staffWeb.get(`/manage/board-members/${first}`);
      const web = await staffWeb.post(`/manage/board-members/${first}/end`, { 'to[day]': '31', 'to[month]': '7', 'to[year]': '2026' });
      assert.equal(web.statusCode, 409);
      assert.match(web.body, /another term on this board/);
      assert.equal((await db.query('select term_to::text as d from board_members where id = $1', [first])).rows[0].d, '2026-03-31');
      await t.services.boards.endTerm(admin, first, '2026-05-31');
    });

    test('a decision moves only along the allowed paths; done and dropped can only be reopened', async () => {
      const { id, coChair } = await boardWithMembers();
      await addMember(id, { personId: coChair.id, role: 'co_chair', from: '2026-01-01' });
      const meetingId = await mkMeeting(id, new Date(Date.now() - DAY));
      const d = (await api('POST', `/api/v1/meetings/${meetingId}/decisions`, { text: 'Move me', owner: coChair.id })).json().id;
      const move = (status: string, note = 'A note') => api('POST', `/api/v1/decisions/${d}/status`, { status, note });
      assert.equal((await move('done')).statusCode, 200);
      for (const status of ['in_progress', 'dropped', 'done']) {
        const r = await move(status);
        assert.equal(r.statusCode, 409, status);
      }
      assert.match((await move('dropped')).json().detail, /can only be reopened/);
      const page = await staffWeb.get(`/decisions/${d}`);
      assert.match(page.body, /Open again \(reopen it\)/);
      assert.doesNotMatch(page.body, /value="dropped"|value="in_progress"/);
      const web = await staffWeb.post(`/decisions/${d}/status`, { from: 'done', status: 'dropped', note: 'Try' });
      assert.equal(web.statusCode, 409);
      assert.match(web.body, /can only be reopened/);
      assert.equal((await move('open', 'Reopened: the letter bounced')).json().status, 'open');
      assert.equal((await move('dropped')).statusCode, 200);
      assert.equal((await move('done')).statusCode, 409);
      assert.equal((await move('open', 'Back on')).statusCode, 200);
      assert.equal((await db.query('select status from board_decisions where id = $1', [d])).rows[0].status, 'open');
    });

    test('minutes are not published before the meeting starts, nor for a cancelled meeting', async () => {
      const { id } = await boardWithMembers();
      const future = await mkMeeting(id, new Date(Date.now() + 5 * DAY));
      await assert.rejects(
        () => t.services.boards.saveMinutes(admin, future, { minutes: 'Too soon', publish: true }),
        /has not happened yet: publish its minutes once it has started/,
      );
      // A draft is fine.
      await t.services.boards.saveMinutes(admin, future, { minutes: 'A draft', publish: false });
      await staffWeb.get(`/manage/meetings/${future}/minutes`);
      const web = await staffWeb.post(`/manage/meetings/${future}/minutes`, { minutes: 'Too soon', publish: 'yes' });
      assert.equal(web.statusCode, 409);
      assert.match(web.body, /has not happened yet/);
      await t.services.boards.cancelMeeting(admin, future);
      await assert.rejects(
        () => t.services.boards.saveMinutes(admin, future, { minutes: 'None', publish: true }),
        /cancelled, so it has no minutes to publish/,
      );
      assert.equal(
        (await db.query('select minutes_published_at from board_meetings where id = $1', [future])).rows[0].minutes_published_at,
        null,
      );
    });

    test('the reply page never shows profile access needs; an earlier reply only to the person signed in, not on a link', async () => {
      const { id } = await boardWithMembers();
      const sasha = await createPerson(t.services, {
        name: 'Sasha Private',
        email: 'sasha.private@example.org',
        accessNeeds: ['bsl_interpreter'],
        accessNotes: 'PROFILE SECRET',
      });
      await addMember(id, { personId: sasha.id, role: 'member', from: '2026-01-01' });
      const meetingId = await mkMeeting(id, new Date(Date.now() + 10 * DAY));
      const link = `/meetings/${meetingId}/reply?person=${sasha.id}&token=${t.services.boards.replyToken(meetingId, sasha.id)}`;
      const anon = new WebClient(t.app);
      const blank = await anon.get(link);
      assert.equal(blank.statusCode, 200);
      assert.doesNotMatch(blank.body, /PROFILE SECRET/);
      assert.doesNotMatch(blank.body, /value="bsl_interpreter"[^>]*checked/);
      assert.equal(
        (
          await anon.post(`/meetings/${meetingId}/reply`, {
            person: sasha.id,
            token: t.services.boards.replyToken(meetingId, sasha.id),
            reply: 'coming',
            accessNeeds: 'hearing_loop',
            accessNotes: 'REPLY SECRET',
          })
        ).statusCode,
        303,
      );
      const forwarded = await new WebClient(t.app).get(link);
      assert.doesNotMatch(forwarded.body, /REPLY SECRET|PROFILE SECRET/);
      assert.doesNotMatch(forwarded.body, /value="hearing_loop"[^>]*checked/);
      assert.match(forwarded.body, /we will not show what you told us before on a link/);
      const self = await signIn(t, sasha.email!);
      const own = await self.get(`/meetings/${meetingId}/reply`);
      assert.match(own.body, /REPLY SECRET/);
      assert.match(own.body, /value="hearing_loop"[^>]*checked/);
      assert.doesNotMatch(own.body, /PROFILE SECRET/);
    });

    test('someone whose term ends before the meeting is told kindly, and their old link saves nothing', async () => {
      const { id, member } = await boardWithMembers();
      const termId = await addMember(id, { personId: member.id, role: 'member', from: '2026-01-01' });
      const meetingId = await mkMeeting(id, new Date(Date.now() + 5 * DAY));
      await t.services.boards.sendPapersNow(admin, meetingId);
      const mail = await t.waitForEmail(member.email!, { subject: /Papers for/ });
      const link = new URL(/https?:\/\/\S+\/reply\?\S+/.exec(mail.body)![0]);
      // Their term now ends before the meeting (they are still on the board today).
      await t.services.boards.endTerm(admin, termId, dayPlus(1));
      const web = new WebClient(t.app);
      const page = await web.get(link.pathname + link.search);
      assert.equal(page.statusCode, 200);
      assert.match(page.body, /you are not on .* on the day of this meeting, so you do not need to reply/);
      assert.doesNotMatch(page.body, /Send my reply/);
      const post = await web.post(`/meetings/${meetingId}/reply`, {
        person: member.id,
        token: link.searchParams.get('token')!,
        reply: 'coming',
      });
      assert.equal(post.statusCode, 409);
      await assert.rejects(() => t.services.boards.saveReply(meetingId, member.id, { reply: 'coming' }), /not on this board on the day/);
      assert.equal(
        (await db.query('select reply from meeting_attendees where meeting_id = $1 and person_id = $2', [meetingId, member.id])).rows[0]
          .reply,
        null,
      );
    });

    test('the boards lookup counts members on the London day', async () => {
      const { id, member } = await boardWithMembers();
      await addMember(id, { personId: member.id, role: 'member', from: '2027-07-02', to: '2027-07-02' });
      const meetingId = await mkMeeting(id, new Date(Date.now() + DAY));
      // 00:30 on 2 July in London is still 1 July in UTC.
      assert.deepEqual(await t.services.boardsLookup.membersFor('meeting', meetingId, undefined, new Date('2027-07-01T23:30:00Z')), [
        member.id,
      ]);
      assert.deepEqual(await t.services.boardsLookup.membersFor('meeting', meetingId, undefined, new Date('2027-07-01T22:30:00Z')), []);
    });

    test('two agenda items added at once cannot pass the limit of 30', async () => {
      const { id } = await boardWithMembers();
      const meetingId = await mkMeeting(id, new Date(Date.now() + 9 * DAY), {
        agenda: Array.from({ length: 29 }, (_, i) => ({ title: `Item ${i + 1}` })),
      });
      const tries = await Promise.allSettled(
        Array.from({ length: 6 }, (_, i) => t.services.boards.addAgendaItem(admin, meetingId, { title: `Late ${i}` })),
      );
      assert.equal(tries.filter((r) => r.status === 'fulfilled').length, 1);
      for (const r of tries) if (r.status === 'rejected') assert.match(String(r.reason), /at most 30 items/);
      assert.equal(await count('select count(*) as n from agenda_items where meeting_id = $1', [meetingId]), 30);
    });

    test('the public minutes have a named summary; the paper upload is a plain labelled file input', async () => {
      const { id } = await boardWithMembers();
      await t.services.boards.setPublished(admin, id, true);
      const past = await mkMeeting(id, new Date(Date.now() - 2 * DAY));
      await t.services.boards.saveMinutes(admin, past, { minutes: 'We met.', publish: true });
      const page = await new WebClient(t.app).get(`/boards/${id}`);
      assert.match(page.body, /<span class="nhsuk-details__summary-text">\s*Meeting [^<]+\S\s*<\/span>/);
      const future = await mkMeeting(id, new Date(Date.now() + 9 * DAY));
      const form = await staffWeb.get(`/manage/meetings/${future}/agenda/new`);
      assert.doesNotMatch(form.body, /data-module="nhsuk-file-upload"/);
      assert.match(form.body, /<label class="nhsuk-label[^"]*" for="paper">The paper, as a PDF \(optional\)<\/label>/);
      assert.match(
        form.body,
        /<input class="nhsuk-file-upload__input" id="paper" name="paper" type="file"[^>]*aria-describedby="paper-hint"/,
      );
      const bad = await postWithFile(
        t,
        staffWeb,
        `/manage/meetings/${future}/agenda/new`,
        { title: 'Word', submissionKey: submissionKey(form.body) },
        { name: 'paper.pdf', type: 'application/pdf', data: Buffer.from('PK\x03\x04 a word file') },
      );
      assert.equal(bad.statusCode, 400);
      assert.match(bad.body, /id="paper-error"/);
      assert.match(bad.body, /aria-describedby="paper-hint paper-error"/);
    });
  });

  describe('through the web', () => {
    let staff: WebClient;
    let boardId: string;
    let meetingId: string;
    let paperItemId: string;
    let paper: Buffer;
    let coChair: Awaited<ReturnType<typeof createPerson>>;
    let member: Awaited<ReturnType<typeof createPerson>>;
    let hidden: Awaited<ReturnType<typeof createPerson>>;

    before(async () => {
      staff = await signIn(t, 'admin@example.org');
      coChair = await createPerson(t.services, { name: 'Jo Barnaby', experience: 'lived', email: 'jo.cochair@example.org' });
      member = await createPerson(t.services, { name: 'Hidden Helen', experience: 'professional', email: 'helen.member@example.org' });
      hidden = member;
      paper = await smallPdf('Respite care: what carers told us');
    });

    test('staff set up a board (a double click makes one), members, a meeting and its papers', async () => {
      const form = await staff.get('/manage/boards/new');
      const body = {
        name: 'Web team-up board',
        purpose: 'In an open and transparent manner.',
        easyReadPurpose: 'We work together.',
        livedTarget: '60',
        papersDaysBefore: '5',
        submissionKey: submissionKey(form.body),
      };
      const first = await staff.post('/manage/boards/new', body);
      assert.equal(first.statusCode, 303);
      const repeat = await staff.post('/manage/boards/new', body);
      assert.equal(repeat.headers.location, first.headers.location);
      assert.equal(await count("select count(*) as n from boards where name = 'Web team-up board'"), 1);
      boardId = /\/manage\/boards\/([0-9a-f-]{36})/.exec(String(first.headers.location))![1]!;
      const bad = await staff.post('/manage/boards/new', { name: '', purpose: '', livedTarget: 'many' });
      assert.equal(bad.statusCode, 400);
      assert.match(bad.body, /Say what the board is for/);
      assert.match(bad.body, /number from 0 to 100/);

      const search = await staff.get(`/manage/boards/${boardId}/members/add?q=Jo%20Barnaby`);
      assert.match(search.body, new RegExp(`members/new\\?person=${coChair.id}`));
      await staff.get(`/manage/boards/${boardId}/members/new?person=${coChair.id}`);
      const noRole = await staff.post(`/manage/boards/${boardId}/members/new`, {
        personId: coChair.id,
        'from[day]': '1',
        'from[month]': '1',
        'from[year]': '2026',
      });
      assert.equal(noRole.statusCode, 400);
      assert.match(noRole.body, /Choose their role on the board/);
      const added = await staff.post(`/manage/boards/${boardId}/members/new`, {
        personId: coChair.id,
        role: 'co_chair',
        'from[day]': '1',
        'from[month]': '1',
        'from[year]': '2026',
        shownPublicly: 'yes',
      });
      assert.equal(added.statusCode, 303, added.body);
      await staff.get(`/manage/boards/${boardId}/members/new?person=${member.id}`);
      await staff.post(`/manage/boards/${boardId}/members/new`, {
        personId: member.id,
        role: 'member',
        'from[day]': '1',
        'from[month]': '1',
        'from[year]': '2026',
      });
      const boardPage = await staff.get(`/manage/boards/${boardId}`);
      assert.match(boardPage.body, /Mix meter/);
      assert.match(boardPage.body, /50% of members have lived experience.*target of 60%/);
      assert.doesNotMatch(boardPage.body, /No co-chair has lived experience/);

      // A meeting at a new venue, with its access facts.
      const mform = await staff.get(`/manage/boards/${boardId}/meetings/new`);
      const when = new Date(Date.now() + 30 * DAY);
      const [y, mo, d] = londonDay(when).split('-');
      const meetingBody = {
        submissionKey: submissionKey(mform.body),
        title: 'Summer board meeting',
        'date[day]': String(Number(d)),
        'date[month]': String(Number(mo)),
        'date[year]': y!,
        startTime: '10am',
        endTime: '12:30',
        format: 'in_person',
        venueId: 'new',
        venueName: 'Oxford Town Hall',
        venuePostcode: 'OX1 1BX',
        venueFacts: ['stepFree', 'hearingLoop'],
      };
      const noVenue = await staff.post(`/manage/boards/${boardId}/meetings/new`, { ...meetingBody, venueId: '', venueName: '' });
      assert.equal(noVenue.statusCode, 400);
      assert.match(noVenue.body, /Choose or enter the venue/);
      const made = await staff.post(`/manage/boards/${boardId}/meetings/new`, meetingBody);
      assert.equal(made.statusCode, 303, made.body);
      const twice = await staff.post(`/manage/boards/${boardId}/meetings/new`, meetingBody);
      assert.equal(twice.headers.location, made.headers.location);
      meetingId = /\/manage\/meetings\/([0-9a-f-]{36})/.exec(String(made.headers.location))![1]!;
      const mpage = await staff.get(`/manage/meetings/${meetingId}`);
      assert.match(mpage.body, /Step-free access/);
      assert.match(mpage.body, /Hearing loop/);
      assert.match(mpage.body, /No accessible toilet/);
      // The venue is offered again next time.
      assert.match(
        (await staff.get(`/manage/boards/${boardId}/meetings/new`)).body,
        /Oxford Town Hall, OX1 1BX: Step-free access, Hearing loop/,
      );

      // Papers: over the limit, or not a PDF, a message beside the field and nothing saved.
      const items = await count('select count(*) as n from agenda_items');
      let aform = await staff.get(`/manage/meetings/${meetingId}/agenda/new`);
      const huge = Buffer.concat([paper, Buffer.alloc(80_000, 1)]);
      const tooBig = await postWithFile(
        t,
        staff,
        `/manage/meetings/${meetingId}/agenda/new`,
        { title: 'Big', submissionKey: submissionKey(aform.body) },
        { name: 'big.pdf', type: 'application/pdf', data: huge },
      );
      assert.equal(tooBig.statusCode, 400);
      assert.match(tooBig.body, /id="paper-error"[\s\S]*The paper must be smaller than 0.1 MB|The paper must be smaller than/);
      const notPdf = await postWithFile(
        t,
        staff,
        `/manage/meetings/${meetingId}/agenda/new`,
        { title: 'Word', submissionKey: submissionKey(aform.body) },
        { name: 'paper.pdf', type: 'application/pdf', data: Buffer.from('PK\x03\x04 a word file') },
      );
      assert.equal(notPdf.statusCode, 400);
      assert.match(notPdf.body, /The paper must be a PDF/);
      assert.equal(await count('select count(*) as n from agenda_items'), items);

      aform = await staff.get(`/manage/meetings/${meetingId}/agenda/new`);
      const key = submissionKey(aform.body);
      const fields = {
        title: 'Respite care: what carers told us',
        easyRead: 'Carers need time off. What can we do?',
        paperEasyRead: 'yes',
        submissionKey: key,
      };
      const up = await postWithFile(t, staff, `/manage/meetings/${meetingId}/agenda/new`, fields, {
        name: 'respite.pdf',
        type: 'application/pdf',
        data: paper,
      });
      assert.equal(up.statusCode, 303, up.body);
      const upAgain = await postWithFile(t, staff, `/manage/meetings/${meetingId}/agenda/new`, fields, {
        name: 'respite.pdf',
        type: 'application/pdf',
        data: paper,
      });
      assert.equal(upAgain.statusCode, 303);
      assert.equal(
        await count('select count(*) as n from agenda_items where meeting_id = $1', [meetingId]),
        1,
        'a double click stores one',
      );
      const item = (await db.query('select id, paper_key, paper_name, paper_bytes from agenda_items where meeting_id = $1', [meetingId]))
        .rows[0];
      paperItemId = item.id;
      assert.equal(item.paper_name, 'respite.pdf');
      assert.equal(item.paper_bytes, paper.length);
      assert.deepEqual(await readFile(path.join(t.dataDir, 'files', item.paper_key)), paper, 'on disk under DATA_DIR/files');
      const download = await staff.get(`/papers/${paperItemId}`);
      assert.equal(download.statusCode, 200);
      assert.equal(download.headers['content-type'], 'application/pdf');
      assert.equal(download.headers['x-content-type-options'], 'nosniff');
      assert.match(String(download.headers['content-disposition']), /filename="respite.pdf"/);
      assert.deepEqual(download.rawPayload, paper);

      // A second item; then agenda order can change.
      aform = await staff.get(`/manage/meetings/${meetingId}/agenda/new`);
      await postWithFile(t, staff, `/manage/meetings/${meetingId}/agenda/new`, {
        title: 'Any other business',
        submissionKey: submissionKey(aform.body),
      });
      await staff.get(`/manage/meetings/${meetingId}`);
      const second = (await db.query('select id from agenda_items where meeting_id = $1 and position = 2', [meetingId])).rows[0].id;
      assert.equal((await staff.post(`/manage/agenda-items/${second}/up`)).statusCode, 303);
      assert.deepEqual(
        (await db.query('select title from agenda_items where meeting_id = $1 order by position', [meetingId])).rows.map((r) => r.title),
        ['Any other business', 'Respite care: what carers told us'],
      );
    });

    test('only members and staff can download papers', async () => {
      const anon = new WebClient(t.app);
      assert.equal((await anon.get(`/papers/${paperItemId}`)).statusCode, 404);
      const outsider = await createPerson(t.services, { email: 'outsider@example.org' });
      const out = await signIn(t, outsider.email!);
      assert.equal((await out.get(`/papers/${paperItemId}`)).statusCode, 404);
      assert.equal((await out.get(`/boards/${boardId}/meetings`)).statusCode, 404);
      assert.equal((await anon.get(`/papers/${paperItemId}?person=${outsider.id}&token=forged`)).statusCode, 404);
      const signed = t.services.boards.signedPaperPath(paperItemId, coChair.id);
      const viaLink = await anon.get(signed);
      assert.equal(viaLink.statusCode, 200);
      assert.deepEqual(viaLink.rawPayload, paper);
      // Someone else's signed link does not work for another paper or person.
      assert.equal((await anon.get(signed.replace(coChair.id, outsider.id))).statusCode, 404);
      const jo = await signIn(t, coChair.email!);
      assert.deepEqual((await jo.get(`/papers/${paperItemId}`)).rawPayload, paper);
    });

    test('a member reads their papers in easy read', async () => {
      const jo = await signIn(t, coChair.email!);
      const list = await jo.get('/boards');
      assert.match(list.body, new RegExp(`/boards/${boardId}/meetings`));
      const plain = await jo.get(`/boards/${boardId}/meetings`);
      assert.match(plain.body, /Respite care: what carers told us/);
      assert.match(plain.body, /In an open and transparent manner/);
      const easy = await jo.get(`/boards/${boardId}/meetings?read=easy`);
      assert.match(easy.body, /Carers need time off. What can we do\?/);
      assert.match(easy.body, /We work together\./);
      assert.doesNotMatch(easy.body, /In an open and transparent manner/);
      assert.match(easy.body, /nhsuk-u-font-size-22/);
      assert.match(easy.body, /Open the paper \(easy read\)/);
      // Signed in, the reply page needs no link of its own.
      const replyPage = await jo.get(`/meetings/${meetingId}/reply`);
      assert.equal(replyPage.statusCode, 200);
      assert.equal((await jo.post(`/meetings/${meetingId}/reply`, { person: coChair.id, reply: 'not_coming' })).statusCode, 303);
      assert.match((await jo.get(`/boards/${boardId}/meetings`)).body, /You said you cannot come/);
      // Signed in as someone else, another member's reply page is not theirs.
      const other = await signIn(t, member.email!);
      await other.get('/boards');
      assert.equal((await other.post(`/meetings/${meetingId}/reply`, { person: coChair.id, reply: 'coming' })).statusCode, 404);
    });

    test('staff cancel a meeting once; its papers do not go out', async () => {
      const at = new Date(Date.now() + 2 * DAY);
      const m = await t.services.boards.createMeeting(admin, boardId, {
        title: 'To be cancelled',
        startsAt: at,
        endsAt: new Date(at.getTime() + HOUR),
        format: 'online',
        joinUrl: 'https://meet.example.org/c',
      });
      await staff.get(`/manage/meetings/${m.id}`);
      assert.equal((await staff.post(`/manage/meetings/${m.id}/cancel`)).headers.location, `/manage/meetings/${m.id}?cancelled=1`);
      const again = await staff.post(`/manage/meetings/${m.id}/cancel`);
      assert.match(String(again.headers.location), /error=This%20meeting%20is%20already%20cancelled/);
      await t.services.boards.sweep();
      assert.equal((await db.query('select papers_sent_at from board_meetings where id = $1', [m.id])).rows[0].papers_sent_at, null);
      const send = await staff.post(`/manage/meetings/${m.id}/send-papers`);
      assert.match(String(send.headers.location), /error=This%20meeting%20is%20cancelled/);
    });

    test('the public page shows only what was published and consented to', async () => {
      const anon = new WebClient(t.app);
      assert.equal((await anon.get(`/boards/${boardId}`)).statusCode, 404, 'not published yet');
      assert.doesNotMatch((await anon.get('/boards')).body, /Web team-up board/);
      await staff.get(`/manage/boards/${boardId}`);
      assert.equal((await staff.post(`/manage/boards/${boardId}/publish`)).statusCode, 303);

      // A past meeting with minutes, one published decision and one not.
      const pastAt = new Date(Date.now() - 10 * DAY);
      const past = await t.services.boards.createMeeting(admin, boardId, {
        title: 'Spring board meeting',
        startsAt: pastAt,
        endsAt: new Date(pastAt.getTime() + HOUR),
        format: 'online',
        joinUrl: 'https://meet.example.org/secret-room',
      });
      await t.services.boards.saveMinutes(admin, past.id, {
        minutes: 'We agreed to look at respite.',
        easyReadMinutes: 'We talked about breaks.',
        publish: true,
      });
      await t.services.boards
        .createMeeting(admin, boardId, {
          title: 'Draft-minutes meeting',
          startsAt: new Date(pastAt.getTime() + DAY),
          endsAt: new Date(pastAt.getTime() + DAY + HOUR),
          format: 'online',
          joinUrl: 'https://meet.example.org/secret-room',
        })
        .then((m) => t.services.boards.saveMinutes(admin, m.id, { minutes: 'NOT FOR THE PUBLIC', publish: false }));
      await t.services.boards.recordDecision(admin, past.id, { kind: 'decision', text: 'Carers get a say in respite', published: true });
      await t.services.boards.recordDecision(admin, past.id, { kind: 'action', text: 'Secret staffing action', owner: coChair.id });

      const page = await anon.get(`/boards/${boardId}`);
      assert.equal(page.statusCode, 200);
      assert.match(page.body, /In an open and transparent manner/);
      assert.match(page.body, /We work together\./);
      assert.match(page.body, /Jo Barnaby, Co-chair/);
      assert.doesNotMatch(page.body, new RegExp(hidden.name), 'a member who did not agree is not named');
      assert.match(page.body, /Summer board meeting/);
      assert.match(page.body, /Oxford Town Hall/);
      assert.doesNotMatch(page.body, /secret-room/, 'no joining link');
      assert.match(page.body, /We agreed to look at respite/);
      assert.doesNotMatch(page.body, /NOT FOR THE PUBLIC/);
      assert.match(page.body, /Carers get a say in respite/);
      assert.doesNotMatch(page.body, /Secret staffing action/);
      assert.match((await anon.get('/boards')).body, /Web team-up board/);
      await staff.get(`/manage/boards/${boardId}`);
      await staff.post(`/manage/boards/${boardId}/unpublish`);
      assert.equal((await anon.get(`/boards/${boardId}`)).statusCode, 404);
    });

    test('owners and co-chairs move actions on; the list filters by status and owner; others cannot', async () => {
      const pastAt = new Date(Date.now() - 3 * DAY);
      const m = await t.services.boards.createMeeting(admin, boardId, {
        title: 'Actions meeting',
        startsAt: pastAt,
        endsAt: new Date(pastAt.getTime() + HOUR),
        format: 'online',
        joinUrl: 'https://meet.example.org/a',
      });
      // Staff record attendance through the form, once the meeting has started.
      await staff.get(`/manage/meetings/${m.id}/attendance`);
      assert.equal((await staff.post(`/manage/meetings/${m.id}/attendance`, { came: [coChair.id] })).statusCode, 303);
      const strangerMark = await staff.post(`/manage/meetings/${m.id}/attendance`, { came: ['00000000-0000-4000-8000-000000000000'] });
      assert.equal(strangerMark.statusCode, 400);
      assert.deepEqual(
        (await db.query('select person_id, attended from meeting_attendees where meeting_id = $1 order by attended', [m.id])).rows,
        [
          { person_id: member.id, attended: false },
          { person_id: coChair.id, attended: true },
        ],
      );

      const dform = await staff.get(`/manage/meetings/${m.id}/decisions/new`);
      const decisionBody = {
        submissionKey: submissionKey(dform.body),
        kind: 'action',
        text: 'Ask carers about respite times',
        easyRead: 'Ask carers when they need a break',
        owner: member.id,
        'due[day]': '',
        'due[month]': '',
        'due[year]': '',
      };
      assert.equal((await staff.post(`/manage/meetings/${m.id}/decisions/new`, decisionBody)).statusCode, 303);
      assert.equal((await staff.post(`/manage/meetings/${m.id}/decisions/new`, decisionBody)).statusCode, 303);
      assert.equal(
        await count('select count(*) as n from board_decisions where meeting_id = $1', [m.id]),
        1,
        'a double click records once',
      );
      const badDue = await staff.post(`/manage/meetings/${m.id}/decisions/new`, {
        ...decisionBody,
        submissionKey: '',
        'due[day]': '31',
        'due[month]': '2',
        'due[year]': '2027',
      });
      assert.equal(badDue.statusCode, 400);
      assert.match(badDue.body, /Enter the due date/);
      const decisionId = (await db.query('select id from board_decisions where meeting_id = $1', [m.id])).rows[0].id;

      // The owner moves it on, with a note; a double click is the same change.
      const helen = await signIn(t, member.email!);
      await helen.get(`/decisions/${decisionId}`);
      const noNote = await helen.post(`/decisions/${decisionId}/status`, { from: 'open', status: 'in_progress', note: '' });
      assert.equal(noNote.statusCode, 400);
      assert.match(noNote.body, /Add a note/);
      const moved = await helen.post(`/decisions/${decisionId}/status`, { from: 'open', status: 'in_progress', note: 'Survey drafted' });
      assert.equal(moved.statusCode, 303);
      assert.equal(
        (await helen.post(`/decisions/${decisionId}/status`, { from: 'open', status: 'in_progress', note: 'Survey drafted' })).statusCode,
        303,
      );
      assert.equal(await count('select count(*) as n from decision_updates where decision_id = $1', [decisionId]), 2);
      // A plain member sees no list of every action; the co-chair does, and filters it.
      assert.equal((await helen.get(`/boards/${boardId}/actions`)).statusCode, 404);
      const jo = await signIn(t, coChair.email!);
      const all = await jo.get(`/boards/${boardId}/actions`);
      assert.equal(all.statusCode, 200);
      assert.match(all.body, /Ask carers about respite times/);
      assert.match(all.body, /Secret staffing action/);
      const doneOnly = await jo.get(`/boards/${boardId}/actions?status=done`);
      assert.doesNotMatch(doneOnly.body, /Ask carers about respite times/);
      const helensOnly = await jo.get(`/boards/${boardId}/actions?owner=${member.id}`);
      assert.match(helensOnly.body, /Ask carers about respite times/);
      assert.doesNotMatch(helensOnly.body, /Secret staffing action/);
      await jo.get(`/decisions/${decisionId}`);
      assert.equal(
        (await jo.post(`/decisions/${decisionId}/status`, { from: 'in_progress', status: 'done', note: 'Survey sent' })).statusCode,
        303,
      );
      const page = await jo.get(`/decisions/${decisionId}`);
      assert.match(page.body, /Survey drafted/);
      assert.match(page.body, /Survey sent/);
      // Someone not on the board: nothing to see, nothing to move.
      const outsider = await signIn(t, 'outsider@example.org');
      assert.equal((await outsider.get(`/decisions/${decisionId}`)).statusCode, 404);
      const refused = await outsider.post(`/decisions/${decisionId}/status`, { status: 'dropped', note: 'x' });
      assert.equal(refused.statusCode, 403);
      assert.match(refused.body, /Only the owner, the board’s co-chairs and staff can move this on/);
      assert.equal((await db.query('select status from board_decisions where id = $1', [decisionId])).rows[0].status, 'done');
    });

    test('export and erasure cover memberships, replies and access needs', async () => {
      await t.services.boards.saveReply(meetingId, coChair.id, {
        reply: 'coming',
        accessNeeds: ['bsl_interpreter'],
        accessNotes: 'BSL please',
      });
      const exported = (await t.services.people.exportFor(coChair.id)) as Record<string, unknown>;
      assert.equal((exported.boardMemberships as unknown[]).length, 1);
      assert.ok(
        (exported.boardMeetings as { yourAccessNeeds: string[] }[]).some((m) => m.yourAccessNeeds.includes('bsl_interpreter')),
        'access needs are in the export',
      );
      await t.services.people.requestErasure(admin, coChair.id);
      const other = await createPerson(t.services, { email: 'second-admin@example.org' }, 'admin');
      await t.services.people.confirmErasure({ personId: other.id, role: 'admin' }, coChair.id);
      assert.equal(await count('select count(*) as n from meeting_attendees where person_id = $1', [coChair.id]), 0);
      assert.equal(await count('select count(*) as n from board_members where person_id = $1', [coChair.id]), 0);
      assert.equal(await count('select count(*) as n from board_decisions where owner_id = $1', [coChair.id]), 0);
      assert.ok((await count("select count(*) as n from board_decisions where text = 'Secret staffing action'")) > 0, 'the action stays');
    });
  });
});

describe('the demo board', () => {
  let t: TestApp;
  before(async () => {
    t = await startTestApp();
  });
  after(async () => t.close());

  test('Oxfordshire’s team-up board seeds through the services: three meetings, decisions in every state, the demo participant at a past meeting', async () => {
    const { admin } = await createAdminWithToken(t.services);
    const participant = await t.services.people.create(
      null,
      { name: 'Joe Barker (demo participant)', email: 'demo-participant@coproduce.example', experience: 'lived' },
      { isDemo: true },
    );
    const seeded = await seedDemoBoards({ boards: t.services.boards, people: t.services.people, admin });
    const o = await t.services.boards.overview(seeded.boardId);
    assert.ok(o.board.published && o.board.isDemo);
    assert.deepEqual(o.warnings, []);
    assert.equal(o.coChairs.lived, 1);
    const meetings = await t.services.boards.meetingsOf(seeded.boardId);
    assert.equal(meetings.length, 3);
    assert.equal(meetings.filter((m) => m.minutesPublishedAt).length, 2);
    const statuses = new Set((await t.services.boards.actionsOf(admin, seeded.boardId)).decisions.map((d) => d.status));
    assert.deepEqual([...statuses].sort(), ['done', 'dropped', 'in_progress', 'open']);
    assert.equal((await t.services.boardsLookup.attendedMeetings(participant.id)).length, 1);
    const coming = await t.services.boards.agendaOf(seeded.meetingIds[2]!);
    assert.ok(coming.every((a) => a.easyRead));
    const paper = coming.find((a) => a.paperKey)!;
    assert.ok(paper.paperEasyRead);
    assert.match((await t.services.files.get(paper.paperKey!))!.subarray(0, 5).toString(), /%PDF-/);
    assert.ok((await t.services.people.findActiveByEmail(seeded.coChairEmail))?.isDemo, 'the co-chair can sign in, and is demo');
  });
});

describe('papers in an S3-compatible store', () => {
  let s3: TestS3;
  let t: TestApp;
  before(async () => {
    s3 = await startS3Server();
    t = await startTestApp({ S3_URL: s3.url });
  });
  after(async () => {
    await t.close();
    await s3.stop();
  });

  test('a paper is stored in the bucket, not on disk, and read back for a member', async () => {
    const { admin } = await createAdminWithToken(t.services);
    const jo = await createPerson(t.services, { email: 'jo.s3@example.org' });
    const board = await t.services.boards.create(admin, { name: 'S3 board', purpose: 'Testing' });
    await t.services.boards.addMember(admin, board.id, { personId: jo.id, role: 'member', from: '2026-01-01' });
    const at = new Date(Date.now() + 5 * DAY);
    const m = await t.services.boards.createMeeting(admin, board.id, {
      title: 'Bucket meeting',
      startsAt: at,
      endsAt: new Date(at.getTime() + HOUR),
      format: 'online',
      joinUrl: 'https://meet.example.org/s3',
    });
    const data = await smallPdf('Kept in the bucket');
    const item = await t.services.boards.addAgendaItem(admin, m.id, {
      title: 'Bucket paper',
      paper: { name: 'bucket.pdf', contentType: 'application/pdf', data },
    });
    assert.equal(t.services.files.kind, 's3');
    await assert.rejects(() => readFile(path.join(t.dataDir, 'files', item.paperKey!)), /ENOENT/);
    const client = await signIn(t, jo.email!);
    const got = await client.get(`/papers/${item.id}`);
    assert.equal(got.statusCode, 200);
    assert.deepEqual(got.rawPayload, data);
    // Taking the item off the agenda takes the file out of the bucket.
    await t.services.boards.removeAgendaItem(admin, item.id);
    assert.equal(await t.services.files.get(item.paperKey!), null);
  });
});
