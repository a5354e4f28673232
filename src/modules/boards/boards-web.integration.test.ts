import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { createAdminWithToken, createPerson } from '../../../test/builders.ts';
import { startTestApp, type TestApp } from '../../../test/harness.ts';
import { signIn, WebClient } from '../../../test/web-client.ts';
import { londonDay } from '../../lib/dates.ts';
import { DAY, HOUR, postWithFile, smallPdf, submissionKey } from './boards-test-support.ts';

// One board through the web, test after test: staff set it up with members, a meeting and a paper;
// members read and reply; the public page; actions moved on; export and erasure. The tests run in
// order and build on each other, so they stay together in one file.

describe('boards', () => {
  let t: TestApp;
  let db: pg.Client;
  let admin: { personId: string; role: 'admin' };
  const count = async (q: string, params: unknown[] = []) => Number((await db.query(q, params)).rows[0].n);

  before(async () => {
    // A small upload limit, so a paper over it is easy to make.
    t = await startTestApp({ UPLOAD_LIMIT_MB: '0.05' });
    db = new pg.Client({ connectionString: t.databaseUrl });
    await db.connect();
    ({ admin } = await createAdminWithToken(t.services));
  });
  after(async () => {
    await db.end();
    await t.close();
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
      const movedUp = await staff.post(`/manage/agenda-items/${second}/up`);
      assert.equal(movedUp.statusCode, 303);
      assert.match((await staff.get(movedUp.headers.location as string)).body, /Agenda order changed/);
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
