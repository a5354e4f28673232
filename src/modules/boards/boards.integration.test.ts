import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { createAdminWithToken, createPerson } from '../../../test/builders.ts';
import { startTestApp, type TestApp } from '../../../test/harness.ts';
import { startS3Server, type TestS3 } from '../../../test/s3-server.ts';
import { apiCaller, signIn, WebClient } from '../../../test/web-client.ts';
import { seedDemoBoards } from '../demo/demo-boards.ts';
import { DAY, dayPlus, HOUR, makeBoardWithMembers, smallPdf, today } from './boards-test-support.ts';

// Boards through the API: members and their mix, meetings, attendance and decisions, papers and
// replies, reminders; then the demo board, and papers in S3. The web journey is in
// boards-web.integration.test.ts, the review's cases in boards-review.integration.test.ts.

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
  const boardWithMembers = () => makeBoardWithMembers(t, api);

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
