import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { createAdminWithToken, createPerson } from '../../../test/builders.ts';
import { startTestApp, type TestApp } from '../../../test/harness.ts';
import { apiCaller, signIn, WebClient } from '../../../test/web-client.ts';
import { ConflictError } from '../../lib/validation.ts';
import { createBoardsService } from './boards-service.ts';
import { DAY, dayPlus, HOUR, makeBoardWithMembers, postWithFile, submissionKey, today } from './boards-test-support.ts';

// What the review of boards found: each of these failed before its fix. A file of its own, with
// its own database, beside the API journeys (boards.integration.test.ts) and the web journey.

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
      assert.match((await staffWeb.get(sent.headers.location)).body, /Papers sent by email to 1 member\s*</);
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
});
