import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import type pg from 'pg';
import { createPerson } from '../../../test/builders.ts';
import type { TestApp } from '../../../test/harness.ts';
import { apiCaller, signIn, type WebClient } from '../../../test/web-client.ts';
import { londonDay } from '../../lib/dates.ts';
import {
  attendMeeting,
  claimIdIn,
  countRows,
  decode,
  keyOf,
  pngOf,
  postMultipart,
  receiptsOnDiskOf,
  startPaymentsApp,
  stopPaymentsApp,
  TICKET,
  type Upload,
} from './payments-test-support.ts';

// Payments: bad input changes nothing, who may see and decide a claim, and what a claim may hold.

let t: TestApp;
let db: pg.Client;
let token: string;
let staffToken: string;
let adminId: string;
let staffId: string;
const api = apiCaller(
  () => t.app,
  () => token,
);
const count = (sql: string, params: unknown[] = []) => countRows(db, sql, params);
const receiptsOnDisk = () => receiptsOnDiskOf(t);

before(async () => {
  ({ t, db, token, staffToken, adminId, staffId } = await startPaymentsApp());
});
after(() => stopPaymentsApp({ t, db }));

describe('bad input changes nothing', () => {
  let web: WebClient;
  let personId: string;
  let meeting: { id: string; date: string; field: string };
  before(async () => {
    const p = await createPerson(t.services, { email: 'bea@example.org', name: 'Bea Bad' });
    personId = p.id;
    meeting = await attendMeeting(db, p.id, { title: 'Bad input meeting', daysAgo: 5, hours: 2 });
    web = await signIn(t, 'bea@example.org');
  });

  const tryForm = async (fields: Record<string, string>, files: Record<string, Upload> = {}) => {
    const before = [await count(`select count(*) n from claims`), receiptsOnDisk().length];
    const form = await web.get('/claims/new');
    const res = await postMultipart(t, web, '/claims/new', { submissionKey: keyOf(form.body), payAs: 'bank', ...fields }, files);
    assert.deepEqual([await count(`select count(*) n from claims`), receiptsOnDisk().length], before, 'nothing was stored');
    return { status: res.statusCode, text: decode(res.body) };
  };

  test('a negative, a huge or a nonsense expense', async () => {
    for (const [amount, message] of [
      ['-5', /Expense 1 must be an amount in pounds/],
      ['0', /Expense 1 must be more than £0/],
      ['1000.01', /Expense 1 must be £1,000 or less/],
      ['lots', /Expense 1 must be an amount in pounds/],
    ] as const) {
      const res = await tryForm({ expenseKind_1: 'travel', expenseAmount_1: amount });
      assert.equal(res.status, 400);
      assert.match(res.text, message);
      assert.match(res.text, /There is a problem/);
    }
    const noKind = await tryForm({ expenseAmount_1: '4' });
    assert.match(noKind.text, /Choose what expense 1 was for/);
  });

  test('a receipt that is not a photo or PDF, or is too large', async () => {
    const text = await tryForm(
      { expenseKind_1: 'travel', expenseAmount_1: '4' },
      { receipt_1: { name: 'ticket.png', type: 'image/png', data: Buffer.from('not really a picture') } },
    );
    assert.equal(text.status, 400);
    assert.match(text.text, /The receipt must be a photo \(JPEG, PNG, WebP or HEIC\) or a PDF/);
    assert.match(text.text, /Choose your receipts again/);
    // A photo's worth of bytes after a PNG's signature: sniffed as a PNG, but too large.
    const big = Buffer.concat([pngOf(), randomBytes(30_000)]);
    assert.ok(big.length > 0.02 * 1024 * 1024, 'the picture is over the test limit');
    const tooLarge = await tryForm(
      { expenseKind_1: 'travel', expenseAmount_1: '4' },
      { receipt_1: { name: 'big.png', type: 'image/png', data: big } },
    );
    assert.equal(tooLarge.status, 400);
    assert.match(tooLarge.text, /The receipt must be smaller than/);
  });

  test('hours beyond reason, nothing to claim, no way to be paid', async () => {
    const long = await tryForm({ attended: meeting.field, [`hours_${meeting.field}`]: '9' });
    assert.equal(long.status, 400);
    assert.match(long.text, /was 2 hours long: claim at most 3 hours/);
    const prep = await tryForm({ prepHours: '40' });
    assert.match(prep.text, /Preparation time must be 10 hours or less/);
    const nothing = await tryForm({});
    assert.match(nothing.text, /Tick something you came to, add preparation time or add an expense/);
    const noPay = await tryForm({ attended: meeting.field, payAs: '' });
    assert.match(noPay.text, /Choose how you would like to be paid/);
    const stranger = await tryForm({ attended: 'meeting_00000000-0000-4000-8000-000000000000' });
    assert.match(stranger.text, /already claimed, or was not recorded as attended/);
    const declined = await tryForm({ attended: meeting.field, payAs: 'decline' });
    assert.match(declined.text, /nothing to claim/);
  });

  test('through the API: wrong types, negative and huge amounts, a meeting not attended', async () => {
    const good = {
      personId,
      items: [{ activity: 'meeting', date: meeting.date, hours: 2, sourceId: meeting.id }],
      expenses: [],
      payAs: 'bank',
    };
    const before = await count(`select count(*) n from claims`);
    for (const bad of [
      { ...good, expenses: [{ kind: 'travel', amount: -4.5 }] },
      { ...good, expenses: [{ kind: 'travel', amount: 1000.01 }] },
      { ...good, expenses: [{ kind: 'travel', amount: '4.50' }] },
      { ...good, expenses: [{ kind: 'taxi', amount: 4.5 }] },
      { ...good, items: [{ ...good.items[0], hours: 'two' }] },
      { ...good, items: [{ ...good.items[0], hours: 9 }] },
      { ...good, items: [{ ...good.items[0], activity: 'session' }] },
      { ...good, items: [{ ...good.items[0], date: '2001-01-01' }] },
      { ...good, items: [{ ...good.items[0], sourceId: '00000000-0000-4000-8000-000000000000' }] },
      { ...good, items: [good.items[0], good.items[0]] },
      { ...good, payAs: 'cash' },
      { ...good, personId: 'nobody' },
      { ...good, personId: '00000000-0000-4000-8000-000000000000' },
      { ...good, bankDetails: '12-34-56 12345678' },
      { ...good, items: [], expenses: [] },
    ]) {
      const res = await api('POST', '/api/v1/claims', bad);
      assert.equal(res.statusCode, 400, `${JSON.stringify(bad)}: ${res.body}`);
      assert.ok(res.json().errors?.length || res.json().detail);
    }
    assert.equal((await api('POST', '/api/v1/claims', 'not json{')).statusCode, 400);
    assert.equal(await count(`select count(*) n from claims`), before);
  });
});

describe('who may see and decide a claim', () => {
  let claimId: string;
  let expenseId: string;
  let owner: WebClient;
  before(async () => {
    const p = await createPerson(t.services, { email: 'owen@example.org', name: 'Owen Owner' });
    owner = await signIn(t, 'owen@example.org');
    const form = await owner.get('/claims/new');
    const res = await postMultipart(
      t,
      owner,
      '/claims/new',
      { submissionKey: keyOf(form.body), payAs: 'bank', expenseKind_1: 'travel', expenseAmount_1: '3' },
      { receipt_1: { name: 'fare.png', type: 'image/png', data: TICKET } },
    );
    claimId = claimIdIn(res.headers.location);
    expenseId = (await db.query(`select id from claim_expenses where claim_id = $1`, [claimId])).rows[0].id;
    void p;
  });

  test('someone else opening a claim, its draft or its receipt finds nothing (404)', async () => {
    await createPerson(t.services, { email: 'nosy@example.org', name: 'Nora Nosy' });
    const nosy = await signIn(t, 'nosy@example.org');
    for (const url of [`/claims/${claimId}`, `/claims/${claimId}/check`, `/claims/${claimId}/receipts/${expenseId}`])
      assert.equal((await nosy.get(url)).statusCode, 404, url);
    await nosy.get('/claims');
    assert.equal((await nosy.post(`/claims/${claimId}/submit`)).statusCode, 404);
    assert.equal((await nosy.post(`/claims/${claimId}/discard`)).statusCode, 404);
    // Staff pages are not there for a participant.
    for (const url of ['/manage/claims', `/manage/claims/${claimId}`, '/manage/claims/rates', '/manage/claims.csv'])
      assert.equal((await nosy.get(url)).statusCode, 404, url);
    // An unsent draft is its maker's alone: staff do not see it either.
    const staff = await signIn(t, 'sam.staff@example.org');
    assert.equal((await staff.get(`/manage/claims/${claimId}`)).statusCode, 404);
    assert.equal((await api('GET', `/api/v1/claims/${claimId}`)).statusCode, 404);
    await owner.get(`/claims/${claimId}/check`);
    assert.equal((await owner.post(`/claims/${claimId}/submit`)).statusCode, 303);
    assert.equal((await staff.get(`/manage/claims/${claimId}`)).statusCode, 200);
    assert.equal((await nosy.get(`/claims/${claimId}/receipts/${expenseId}`)).statusCode, 404);
  });

  test('only allowed moves; never your own claim; not approving one you made for someone', async () => {
    const p = await createPerson(t.services, { email: 'mo@example.org', name: 'Mo Moves' });
    const body = {
      personId: p.id,
      items: [{ activity: 'other', date: londonDay(new Date()), hours: 1 }],
      expenses: [{ kind: 'travel', amount: 12.5 }],
      payAs: 'voucher',
    };
    const made = await api('POST', '/api/v1/claims', body);
    assert.equal(made.statusCode, 201, made.body);
    assert.equal(made.json().status, 'submitted');
    assert.equal(made.json().total, 12.5, 'other involvement is not paid; the expense is');
    const id = made.json().id;
    const move = (status: string, bearer = token, note?: string) =>
      t.app.inject({
        method: 'POST',
        url: `/api/v1/claims/${id}/status`,
        headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/json' },
        payload: JSON.stringify({ status, ...(note ? { note } : {}) }),
      });
    // The admin made it on Mo's behalf: a colleague approves it.
    const byMaker = await move('approved');
    assert.equal(byMaker.statusCode, 403);
    assert.match(byMaker.json().detail, /made this claim on their behalf/);
    assert.equal((await move('paid', staffToken)).statusCode, 409, 'not approved yet');
    assert.equal((await move('rejected', staffToken)).statusCode, 400, 'a rejection needs a reason');
    assert.equal((await move('maybe', staffToken)).statusCode, 400);
    const rejected = await move('rejected', staffToken, 'No receipt for the fare');
    assert.equal(rejected.statusCode, 200);
    assert.equal(rejected.json().rejectedReason, 'No receipt for the fare');
    const payRejected = await move('paid', staffToken);
    assert.equal(payRejected.statusCode, 409);
    assert.match(payRejected.json().detail, /was not approved, so it cannot be marked paid/);
    assert.equal((await move('approved', staffToken)).statusCode, 409);
    const mail = await t.waitForEmail('mo@example.org', { subject: /could not approve/ });
    assert.match(mail.body, /No receipt for the fare/);
    const history = (await api('GET', `/api/v1/claims/${id}`)).json().history;
    assert.deepEqual(
      history.map((h: { status: string; note: string | null }) => [h.status, h.note]),
      [
        ['submitted', null],
        ['rejected', 'No receipt for the fare'],
      ],
    );

    // On the web, the same refusal in words.
    const staff = await signIn(t, 'sam.staff@example.org');
    await staff.get(`/manage/claims/${id}`);
    const webPay = await staff.post(`/manage/claims/${id}/status`, { status: 'paid' });
    assert.equal(webPay.statusCode, 409);
    assert.match(decode(webPay.body), /was not approved, so it cannot be marked paid/);

    // Sam's own claim: Sam cannot decide it, the admin can.
    const own = await t.app.inject({
      method: 'POST',
      url: '/api/v1/claims',
      headers: { authorization: `Bearer ${staffToken}`, 'content-type': 'application/json' },
      payload: JSON.stringify({ ...body, personId: staffId }),
    });
    assert.equal(own.statusCode, 201);
    const ownId = own.json().id;
    const self = await t.app.inject({
      method: 'POST',
      url: `/api/v1/claims/${ownId}/status`,
      headers: { authorization: `Bearer ${staffToken}`, 'content-type': 'application/json' },
      payload: JSON.stringify({ status: 'approved' }),
    });
    assert.equal(self.statusCode, 403);
    assert.match(self.json().detail, /your own claim/);
    assert.match(decode((await staff.get(`/manage/claims/${ownId}`)).body), /This is your own claim: a colleague must decide it/);
    assert.equal((await api('POST', `/api/v1/claims/${ownId}/status`, { status: 'approved' })).statusCode, 200);
    assert.equal(await count(`select count(*) n from claims where id = $1 and decided_by = $2`, [ownId, adminId]), 1);
  });
});

describe('after review: what a claim may hold', () => {
  let staff: WebClient;
  before(async () => {
    await createPerson(t.services, { email: 'rita.review@example.org', name: 'Rita Review', experience: 'professional' }, 'staff');
    staff = await signIn(t, 'rita.review@example.org');
  });
  /** A claim through the API with the admin's token: staff claiming for someone. */
  const claimFor = (personId: string, parts: Record<string, unknown>) =>
    api('POST', '/api/v1/claims', { personId, expenses: [], payAs: 'bank', ...parts });
  const fare = [{ kind: 'travel', amount: 2 }];

  test('preparation is claimed only with something attended in the same claim (web and API); the cap stays', async () => {
    const p = await createPerson(t.services, { email: 'pia.prep@example.org', name: 'Pia Prep' });
    const web = await signIn(t, 'pia.prep@example.org');
    const form = await web.get('/claims/new');
    const alone = await postMultipart(t, web, '/claims/new', { submissionKey: keyOf(form.body), prepHours: '2', payAs: 'bank' });
    assert.equal(alone.statusCode, 400);
    assert.match(decode(alone.body), /Preparation time is paid with the meeting or session it was for/);
    assert.equal(await count(`select count(*) n from claims where person_id = $1`, [p.id]), 0);

    const today = londonDay(new Date());
    for (const items of [
      [{ activity: 'preparation', date: today, hours: 2 }],
      [
        { activity: 'other', date: today, hours: 1 },
        { activity: 'preparation', date: today, hours: 2 },
      ],
    ]) {
      const res = await claimFor(p.id, { items, expenses: fare });
      assert.equal(res.statusCode, 400, res.body);
      assert.match(JSON.stringify(res.json().errors), /Preparation time can only be claimed with the meeting, session or workshop day/);
    }
    assert.equal(await count(`select count(*) n from claims where person_id = $1`, [p.id]), 0);

    const m = await attendMeeting(db, p.id, { title: 'Prep meeting', daysAgo: 4, hours: 2 });
    const meetingItem = { activity: 'meeting', date: m.date, hours: 2, sourceId: m.id };
    const tooMuch = await claimFor(p.id, { items: [meetingItem, { activity: 'preparation', date: m.date, hours: 11 }] });
    assert.equal(tooMuch.statusCode, 400);
    assert.match(JSON.stringify(tooMuch.json().errors), /Preparation time must be 10 hours or less/);
    const ok = await claimFor(p.id, { items: [meetingItem, { activity: 'preparation', date: m.date, hours: 2 }] });
    assert.equal(ok.statusCode, 201, ok.body);
    assert.equal(ok.json().timeTotal, 100);
  });

  test('sending a draft checks again what it claims: cancelled, attendance taken back, made shorter', async () => {
    const p = await createPerson(t.services, { email: 'cal.cancel@example.org', name: 'Cal Cancel' });
    const web = await signIn(t, 'cal.cancel@example.org');
    const draftFor = async (meeting: { field: string }) => {
      const form = await web.get('/claims/new');
      const res = await postMultipart(t, web, '/claims/new', { submissionKey: keyOf(form.body), attended: meeting.field, payAs: 'bank' });
      assert.equal(res.statusCode, 303, res.body);
      const id = claimIdIn(res.headers.location);
      await web.get(`/claims/${id}/check`);
      return id;
    };
    const refusedSend = async (id: string, message: RegExp) => {
      const res = await web.post(`/claims/${id}/submit`);
      assert.equal(res.statusCode, 409);
      assert.match(decode(res.body), message);
      assert.equal(await count(`select count(*) n from claims where id = $1 and status = 'draft'`, [id]), 1, 'still a draft');
    };

    const cancelled = await attendMeeting(db, p.id, { title: 'Cancelled meeting', daysAgo: 3, hours: 2 });
    let id = await draftFor(cancelled);
    await db.query(`update board_meetings set status = 'cancelled' where id = $1`, [cancelled.id]);
    await refusedSend(id, /“Team-up board: Cancelled meeting” on .* is no longer recorded as attended, or did not go ahead/);
    await web.post(`/claims/${id}/discard`);

    const withdrawn = await attendMeeting(db, p.id, { title: 'Withdrawn meeting', daysAgo: 3, hours: 2 });
    id = await draftFor(withdrawn);
    await db.query(`update meeting_attendees set attended = false where meeting_id = $1`, [withdrawn.id]);
    await refusedSend(id, /“Team-up board: Withdrawn meeting” on .* is no longer recorded as attended/);
    await web.post(`/claims/${id}/discard`);

    const shortened = await attendMeeting(db, p.id, { title: 'Shortened meeting', daysAgo: 3, hours: 4 });
    id = await draftFor(shortened);
    await db.query(`update board_meetings set ends_at = starts_at + interval '1 hour' where id = $1`, [shortened.id]);
    await refusedSend(id, /“Team-up board: Shortened meeting” on .* is now 1 hour long: claim at most 2 hours for it/);
    assert.equal(
      await count(`select count(*) n from claim_updates u join claims c on c.id = u.claim_id where c.person_id = $1`, [p.id]),
      0,
    );
  });

  test('a meeting still going on is not offered or accepted until it has ended', async () => {
    const p = await createPerson(t.services, { email: 'nia.now@example.org', name: 'Nia Now' });
    const board = (await db.query(`insert into boards (name, purpose) values ('Live board', 'Co-production') returning id`)).rows[0].id;
    const startsAt = new Date(Date.now() - 3_600_000);
    const meeting = (
      await db.query(
        `insert into board_meetings (board_id, title, starts_at, ends_at, format) values ($1, 'Going on now', $2, $3, 'online') returning id`,
        [board, startsAt, new Date(Date.now() + 2 * 3_600_000)],
      )
    ).rows[0].id as string;
    await db.query(`insert into meeting_attendees (meeting_id, person_id, attended) values ($1, $2, true)`, [meeting, p.id]);
    const web = await signIn(t, 'nia.now@example.org');
    assert.ok(!(await web.get('/claims/new')).body.includes(meeting), 'not offered');
    const res = await claimFor(p.id, { items: [{ activity: 'meeting', date: londonDay(startsAt), hours: 3, sourceId: meeting }] });
    assert.equal(res.statusCode, 400, res.body);
    assert.match(JSON.stringify(res.json().errors), /not a meeting or session this person was recorded as attending/);
    // Once it is over, it is.
    await db.query(`update board_meetings set ends_at = now() - interval '1 minute' where id = $1`, [meeting]);
    assert.ok((await web.get('/claims/new')).body.includes(meeting), 'offered once over');
  });

  test('through the API, time at a meeting, session or workshop day must name it; no one claims over 24 hours a day', async () => {
    const p = await createPerson(t.services, { email: 'sid.source@example.org', name: 'Sid Source' });
    const day = londonDay(new Date(Date.now() - 2 * 86_400_000));
    for (const activity of ['meeting', 'session', 'workshop_day']) {
      const res = await claimFor(p.id, { items: [{ activity, date: day, hours: 2 }], expenses: fare });
      assert.equal(res.statusCode, 400, `${activity}: ${res.body}`);
      assert.match(JSON.stringify(res.json().errors), /must say which one was attended \(its sourceId\)/);
    }
    assert.equal(await count(`select count(*) n from claims where person_id = $1`, [p.id]), 0);

    // 12 + 11 hours of other involvement on one day, in two claims, is 23: one more hour is 24, and past it is refused.
    const first = await claimFor(p.id, { items: [{ activity: 'other', date: day, hours: 12 }], expenses: fare });
    assert.equal(first.statusCode, 201, first.body);
    assert.equal((await claimFor(p.id, { items: [{ activity: 'other', date: day, hours: 11 }], expenses: fare })).statusCode, 201);
    const over = await claimFor(p.id, { items: [{ activity: 'other', date: day, hours: 1.5 }], expenses: fare });
    assert.equal(over.statusCode, 400, over.body);
    assert.match(
      JSON.stringify(over.json().errors),
      /No more than 24 hours can be claimed for one day: .* already has 23 hours in other claims/,
    );
    // Within one claim too.
    const inOne = await claimFor(p.id, {
      items: [
        { activity: 'other', date: londonDay(new Date()), hours: 12 },
        { activity: 'other', date: londonDay(new Date()), hours: 12 },
        { activity: 'other', date: londonDay(new Date()), hours: 0.5 },
      ],
      expenses: fare,
    });
    assert.equal(inOne.statusCode, 400, inOne.body);
    assert.match(JSON.stringify(inOne.json().errors), /this claim has 24\.5 hours on/);
    assert.equal((await claimFor(p.id, { items: [{ activity: 'other', date: day, hours: 1 }], expenses: fare })).statusCode, 201);
    // A rejected claim no longer counts.
    const reject = await t.app.inject({
      method: 'POST',
      url: `/api/v1/claims/${first.json().id}/status`,
      headers: { authorization: `Bearer ${staffToken}`, 'content-type': 'application/json' },
      payload: JSON.stringify({ status: 'rejected', note: 'Too long for one day' }),
    });
    assert.equal(reject.statusCode, 200);
    assert.equal((await claimFor(p.id, { items: [{ activity: 'other', date: day, hours: 1.5 }], expenses: fare })).statusCode, 201);
  });

  test('bank details are refused in every free-text box, web and API, and each box says not to write them', async () => {
    const p = await createPerson(t.services, { email: 'ben.bank@example.org', name: 'Ben Bank' });
    const meeting = await attendMeeting(db, p.id, { title: 'Bank meeting', daysAgo: 2, hours: 2 });
    const web = await signIn(t, 'ben.bank@example.org');
    const form = await web.get('/claims/new');
    // The claim note, preparation note and ten expense notes each carry the hint.
    assert.ok((decode(form.body).match(/Do not include bank details/g) ?? []).length >= 12);
    const MESSAGE = /Please do not write bank details here: our finance team will ask you for them safely/;
    const base = { attended: meeting.field, payAs: 'bank' };
    for (const [field, extra] of [
      ['note', { note: 'Pay to sort code 12-34-56, account 1234 5678 please' }],
      ['prepNote', { prepHours: '1', prepNote: 'read papers; my account is 12345678' }],
      ['expenseNote_1', { expenseKind_1: 'travel', expenseAmount_1: '3', expenseNote_1: 'IBAN GB82 WEST 1234 5698 7654 32' }],
    ] as const) {
      const page = await web.get('/claims/new');
      const res = await postMultipart(t, web, '/claims/new', { submissionKey: keyOf(page.body), ...base, ...extra });
      assert.equal(res.statusCode, 400, field);
      assert.match(decode(res.body), MESSAGE);
      assert.ok(res.body.includes(`href="#${field}"`), `the message links to ${field}`);
    }
    assert.equal(await count(`select count(*) n from claims where person_id = $1`, [p.id]), 0);

    const good = { items: [{ activity: 'meeting', date: meeting.date, hours: 2, sourceId: meeting.id }] };
    for (const bad of [
      { ...good, note: 'account 12345678' },
      { ...good, expenses: [{ kind: 'travel', amount: 3, note: 'GB82WEST12345698765432' }] },
      { items: [...good.items, { activity: 'preparation', date: meeting.date, hours: 1, description: 'sort code 12 34 56 acc 1234567' }] },
    ]) {
      const res = await claimFor(p.id, bad);
      assert.equal(res.statusCode, 400, res.body);
      assert.match(JSON.stringify(res.json().errors), MESSAGE);
    }
    assert.equal(await count(`select count(*) n from claims where person_id = $1`, [p.id]), 0);

    // Staff notes on a decision: web and API.
    const made = await claimFor(p.id, good);
    assert.equal(made.statusCode, 201, made.body);
    const id = made.json().id;
    const page = decode((await staff.get(`/manage/claims/${id}`)).body);
    assert.match(page, /The claimant can read every note\. Do not include bank details\./);
    const webNote = await staff.post(`/manage/claims/${id}/status`, { status: 'approved', note: 'Paid into 12345678' });
    assert.equal(webNote.statusCode, 400);
    assert.match(decode(webNote.body), MESSAGE);
    const apiNote = await t.app.inject({
      method: 'POST',
      url: `/api/v1/claims/${id}/status`,
      headers: { authorization: `Bearer ${staffToken}`, 'content-type': 'application/json' },
      payload: JSON.stringify({ status: 'rejected', note: 'Send your IBAN GB82 WEST 1234 5698 7654 32 again' }),
    });
    assert.equal(apiNote.statusCode, 400);
    assert.match(JSON.stringify(apiNote.json()), MESSAGE);
    assert.equal(await count(`select count(*) n from claims where id = $1 and status = 'submitted'`, [id]), 1);
    // Ordinary notes with numbers are fine.
    await staff.get(`/manage/claims/${id}`);
    assert.equal(
      (await staff.post(`/manage/claims/${id}/status`, { status: 'approved', note: 'Bus fare £3, 2 hours, ref 1234' })).statusCode,
      303,
    );
  });
});
