import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type pg from 'pg';
import { createEventWithSession, createPerson } from '../../../test/builders.ts';
import type { TestApp } from '../../../test/harness.ts';
import { apiCaller, signIn } from '../../../test/web-client.ts';
import {
  attendMeeting,
  claimIdIn,
  countRows,
  decode,
  keyOf,
  PDF,
  postMultipart,
  putJson,
  RATES,
  receiptsOnDiskOf,
  startPaymentsApp,
  stopPaymentsApp,
  TICKET,
} from './payments-test-support.ts';

// Payments: the rates, and a claim on the web from attending to being paid, made by the person or by staff for them.

let t: TestApp;
let db: pg.Client;
let token: string;
let adminId: string;
const api = apiCaller(
  () => t.app,
  () => token,
);
const put = (url: string, body: unknown, bearer = token) => putJson(t, url, body, bearer);
const count = (sql: string, params: unknown[] = []) => countRows(db, sql, params);
const receiptsOnDisk = () => receiptsOnDiskOf(t);

before(async () => {
  ({ t, db, token, adminId } = await startPaymentsApp());
});
after(() => stopPaymentsApp({ t, db }));

describe('rates', () => {
  test('PUT sets them per activity and GET gives them back in pounds, with their source', async () => {
    const res = await api('GET', '/api/v1/payment-rates');
    assert.equal(res.statusCode, 200);
    const meeting = res.json().rates.find((r: { activity: string }) => r.activity === 'meeting');
    assert.deepEqual(
      { paid: meeting.paid, perHour: meeting.perHour, perHalfDay: meeting.perHalfDay, perDay: meeting.perDay, currency: meeting.currency },
      { paid: true, perHour: 25, perHalfDay: 75, perDay: 150, currency: 'GBP' },
    );
    assert.equal(meeting.source, 'Our involvement policy, after NIHR guidance');
    assert.equal(res.json().rates.find((r: { activity: string }) => r.activity === 'other').paid, false);
  });

  test('bad rates are refused with a message and change nothing', async () => {
    const before = (await api('GET', '/api/v1/payment-rates')).body;
    for (const bad of [
      { rates: [{ activity: 'meeting', perHour: -5, currency: 'GBP' }] },
      { rates: [{ activity: 'meeting', perHour: '25', currency: 'GBP' }] },
      { rates: [{ activity: 'meeting', perHour: 25.555, currency: 'GBP' }] },
      { rates: [{ activity: 'meeting', perHour: 25, currency: 'EUR' }] },
      { rates: [{ activity: 'meeting', currency: 'GBP' }] },
      { rates: [{ activity: 'party', perHour: 25, currency: 'GBP' }] },
      { rates: [RATES[0], RATES[0]] },
      { rates: [{ activity: 'meeting', perHour: 5000, currency: 'GBP' }] },
    ]) {
      const res = await put('/api/v1/payment-rates', bad);
      assert.equal(res.statusCode, 400, JSON.stringify(bad));
      assert.ok(res.json().errors?.length, 'says what is wrong');
    }
    assert.equal((await api('GET', '/api/v1/payment-rates')).body, before);
  });

  test('the rates page says which rate a claim uses for how long, and shows the source; its form saves', async () => {
    const web = await signIn(t, 'admin@example.org');
    const page = await web.get('/manage/claims/rates');
    assert.equal(page.statusCode, 200);
    const text = decode(page.body);
    assert.match(text, /day rate for 5 hours or more/);
    assert.match(text, /half-day rate for 2½ hours up to 5 hours/);
    assert.match(text, /Source: Our involvement policy, after NIHR guidance/);
    assert.match(text, /£75\.00: the half-day rate/);
    const fields: Record<string, string> = {};
    for (const r of RATES) {
      fields[`${r.activity}_paid`] = r.paid === false ? 'no' : 'yes';
      fields[`${r.activity}_perHour`] = r.perHour ? String(r.perHour) : '';
      fields[`${r.activity}_perHalfDay`] = r.perHalfDay ? String(r.perHalfDay) : '';
      fields[`${r.activity}_perDay`] = r.perDay ? String(r.perDay) : '';
      fields[`${r.activity}_source`] = r.source ?? '';
    }
    const bad = await web.post('/manage/claims/rates', { ...fields, meeting_perHour: 'lots' });
    assert.equal(bad.statusCode, 400);
    assert.match(decode(bad.body), /The hourly rate must be an amount in pounds/);
    await web.get('/manage/claims/rates');
    const saved = await web.post('/manage/claims/rates', { ...fields, session_source: 'Agreed by the board' });
    assert.equal(saved.statusCode, 303);
    const sessionRate = (await api('GET', '/api/v1/payment-rates'))
      .json()
      .rates.find((r: { activity: string }) => r.activity === 'session');
    assert.equal(sessionRate.source, 'Agreed by the board');
    assert.equal(sessionRate.perHalfDay, 75);
  });
});

describe('a claim on the web, from attending to being paid', () => {
  test('prefilled from a meeting attended, a bus fare with its receipt, checked, sent, approved, in the finance CSV, paid', async () => {
    const joe = await createPerson(t.services, { email: 'joe.lay@example.org', name: 'Joe Lay' });
    const meeting = await attendMeeting(db, joe.id, { title: 'April board meeting', daysAgo: 14, hours: 3 });
    const web = await signIn(t, 'joe.lay@example.org');

    const form = await web.get('/claims/new');
    assert.equal(form.statusCode, 200);
    assert.match(decode(form.body), /Team-up board: April board meeting/);
    assert.ok(form.body.includes(`value="${meeting.field}"`), 'the meeting is offered as a checkbox');
    assert.ok(
      form.body.includes(`name="hours_${meeting.field}" type="text" inputmode="decimal" value="3"`),
      'with its hours from start and end',
    );
    assert.match(decode(form.body), /Universal Credit/);
    assert.match(decode(form.body), /Citizens Advice/);

    const sent = await postMultipart(
      t,
      web,
      '/claims/new',
      {
        submissionKey: keyOf(form.body),
        attended: meeting.field,
        [`hours_${meeting.field}`]: '3',
        prepHours: '1',
        prepNote: 'read the papers',
        expenseKind_1: 'travel',
        expenseAmount_1: '4.50',
        expenseNote_1: 'Bus there and back',
        payAs: 'bank',
        // A total typed into the form is never read: the server works it out.
        total: '9999',
      },
      { receipt_1: { name: 'bus ticket.png', type: 'image/png', data: TICKET } },
    );
    assert.equal(sent.statusCode, 303, sent.body);
    const id = claimIdIn(sent.headers.location);
    assert.equal(sent.headers.location, `/claims/${id}/check`);

    const check = await web.get(`/claims/${id}/check`);
    assert.equal(check.statusCode, 200);
    const checkText = decode(check.body);
    assert.match(checkText, /Team-up board: April board meeting/);
    assert.match(checkText, /£75\.00/, 'three hours is the half-day rate');
    assert.match(checkText, /£25\.00/, 'an hour of preparation');
    assert.match(checkText, /£104\.50/, 'the total');
    assert.match(checkText, /finance team will contact you for your bank details/);
    assert.equal(await count(`select count(*) n from claims where id = $1 and status = 'draft'`, [id]), 1);
    // Not sent yet: staff do not see it.
    assert.equal(await count(`select count(*) n from claim_updates where claim_id = $1`, [id]), 0);

    const submitted = await web.post(`/claims/${id}/submit`);
    assert.equal(submitted.statusCode, 303);
    assert.equal(submitted.headers.location, `/claims/${id}?sent=1`);
    // A second press of the button sends nothing more.
    assert.equal((await web.post(`/claims/${id}/submit`)).statusCode, 303);
    assert.equal(await count(`select count(*) n from claim_updates where claim_id = $1`, [id]), 1);
    const confirmation = decode((await web.get(`/claims/${id}?sent=1`)).body);
    assert.match(confirmation, /Claim sent/);
    assert.match(confirmation, /What happens next/);
    assert.match(confirmation, /We email you when it is approved/);

    const row = (await db.query(`select * from claims where id = $1`, [id])).rows[0];
    assert.deepEqual(
      [row.status, row.time_pence, row.expenses_pence, row.total_pence, row.made_by],
      ['submitted', 10000, 450, 10450, null],
    );

    // The receipt is on disk, and comes back to the claimant as it went in, safely.
    const expense = (await db.query(`select * from claim_expenses where claim_id = $1`, [id])).rows[0];
    assert.equal(expense.receipt_name, 'bus ticket.png');
    assert.ok(receiptsOnDisk().includes(expense.id));
    const receipt = await web.get(`/claims/${id}/receipts/${expense.id}`);
    assert.equal(receipt.statusCode, 200);
    assert.equal(receipt.headers['content-type'], 'image/png');
    assert.equal(receipt.headers['x-content-type-options'], 'nosniff');
    assert.match(String(receipt.headers['content-disposition']), /^attachment; filename="bus ticket\.png"/);
    assert.deepEqual(receipt.rawPayload, TICKET);

    // The meeting is not offered again.
    assert.ok(!(await web.get('/claims/new')).body.includes(meeting.field));

    // Staff see it waiting, with the person's tax-year total, and approve it.
    const staff = await signIn(t, 'sam.staff@example.org');
    const list = decode((await staff.get('/manage/claims?status=submitted')).body);
    assert.match(list, /Joe Lay/);
    assert.match(list, /Waiting to be checked \(\d+\)/);
    const page = decode((await staff.get(`/manage/claims/${id}`)).body);
    assert.match(page, /Joe Lay’s claims in the tax year 6 April \d{4} to 5 April \d{4}/);
    assert.match(page, /£104\.50 in 1 claim/);
    assert.ok(page.includes(`/claims/${id}/receipts/${expense.id}`), 'staff can download the receipt');
    assert.equal((await staff.get(`/claims/${id}/receipts/${expense.id}`)).statusCode, 200);
    const approved = await staff.post(`/manage/claims/${id}/status`, { status: 'approved', note: 'Receipt checked' });
    assert.equal(approved.statusCode, 303);
    const mail = await t.waitForEmail('joe.lay@example.org', { subject: /approved/ });
    assert.match(mail.body, /£104\.50/);

    // Finance's export holds it with the right total, the same from the page and the API.
    const csv = (await api('GET', '/api/v1/claims.csv?status=approved')).body;
    const line = csv.split('\r\n').find((l) => l.startsWith(id))!;
    assert.ok(line, 'the approved claim is in the export');
    assert.deepEqual(line.split(',').slice(1, 8), ['Joe Lay', 'joe.lay@example.org', 'bank', 'no', '100.00', '4.50', '104.50']);
    assert.equal(line.split(',')[9], 'Sam Staff');
    assert.equal((await staff.get('/manage/claims.csv?status=approved')).body, csv);

    const paid = await staff.post(`/manage/claims/${id}/status`, { status: 'paid', note: 'BACS run' });
    assert.equal(paid.statusCode, 303);
    await t.waitForEmail('joe.lay@example.org', { subject: /has been paid/ });
    const mine = decode((await web.get('/claims')).body);
    assert.match(mine, /£104\.50/);
    assert.match(mine, /£104\.50 of it has been paid so far/);
    assert.match(mine, /Paid/);
    const history = decode((await web.get(`/claims/${id}`)).body);
    assert.match(history, /Approved: .* by Sam Staff\. Note: Receipt checked/);
  });

  test('event sessions and programme workshop days attended are offered too, each at its own activity’s rate', async () => {
    const p = await createPerson(t.services, { email: 'sol@example.org', name: 'Sol Sessions' });
    const admin = { personId: adminId, role: 'admin' as const };
    const offered: string[] = [];
    for (const [kind, title] of [
      ['event', 'Spring conference'],
      ['cohort', 'Leadership programme'],
    ] as const) {
      const { event, session } = await createEventWithSession(t.services, admin, { title, sessionTitle: 'Day one' });
      const { registration } = await t.services.registrations.register(admin, { sessionId: session.id, who: { personId: p.id } });
      await t.services.registrations.checkIn(registration.id);
      // It happened last week (the builder makes it next month), for six hours.
      await db.query(
        `update event_sessions set starts_at = now() - interval '7 days', ends_at = now() - interval '7 days' + interval '6 hours' where id = $1`,
        [session.id],
      );
      await db.query(`update events set kind = $2 where id = $1`, [event.id, kind]);
      offered.push(`session_${session.id}`);
    }
    const web = await signIn(t, 'sol@example.org');
    const form = await web.get('/claims/new');
    const text = decode(form.body);
    assert.match(text, /Spring conference: Day one/);
    assert.match(text, /Event session, .*6 hours long/);
    assert.match(text, /Leadership programme: Day one/);
    assert.match(text, /Programme workshop day, .*6 hours long/);
    const res = await postMultipart(t, web, '/claims/new', { submissionKey: keyOf(form.body), attended: offered, payAs: 'bank' });
    assert.equal(res.statusCode, 303, res.body);
    const items = (
      await db.query(`select activity, minutes, amount_pence from claim_items where claim_id = $1 order by position`, [
        claimIdIn(res.headers.location),
      ])
    ).rows;
    assert.deepEqual(items, [
      { activity: 'session', minutes: 360, amount_pence: 15000 },
      { activity: 'workshop_day', minutes: 360, amount_pence: 15000 },
    ]);
  });

  test('a double click on the form records one draft, and changing the draft keeps its receipt', async () => {
    const p = await createPerson(t.services, { email: 'dee@example.org', name: 'Dee Double' });
    const meeting = await attendMeeting(db, p.id, { title: 'Double meeting', daysAgo: 3, hours: 2 });
    const web = await signIn(t, 'dee@example.org');
    const form = await web.get('/claims/new');
    const fields = {
      submissionKey: keyOf(form.body),
      attended: meeting.field,
      payAs: 'voucher',
      expenseKind_1: 'subsistence',
      expenseAmount_1: '6',
    };
    const files = { receipt_1: { name: 'lunch.pdf', type: 'application/pdf', data: PDF } };
    const first = await postMultipart(t, web, '/claims/new', fields, files);
    const second = await postMultipart(t, web, '/claims/new', fields, files);
    assert.equal(first.statusCode, 303);
    assert.equal(second.headers.location, first.headers.location, 'the same draft');
    assert.equal(await count(`select count(*) n from claims where person_id = $1`, [p.id]), 1);
    assert.equal(
      await count(`select count(*) n from claim_expenses e join claims c on c.id = e.claim_id where c.person_id = $1`, [p.id]),
      1,
    );
    const id = claimIdIn(first.headers.location);

    // Change it: the form comes back filled in, and the receipt is kept without choosing it again.
    const change = await web.get(`/claims/new?change=${id}`);
    assert.match(decode(change.body), /Receipt: lunch\.pdf/);
    const keep = /name="keepReceipt_1" value="([^"]+)"/.exec(change.body)![1]!;
    const changed = await postMultipart(t, web, '/claims/new', {
      ...fields,
      submissionKey: keyOf(change.body),
      replaces: id,
      keepReceipt_1: keep,
      expenseAmount_1: '7.20',
    });
    assert.equal(changed.statusCode, 303);
    const newId = claimIdIn(changed.headers.location);
    assert.notEqual(newId, id);
    assert.equal(await count(`select count(*) n from claims where person_id = $1`, [p.id]), 1, 'the old draft is gone');
    const e = (await db.query(`select * from claim_expenses where claim_id = $1`, [newId])).rows[0];
    assert.deepEqual([e.amount_pence, e.receipt_name], [720, 'lunch.pdf']);
    const pdf = await web.get(`/claims/${newId}/receipts/${e.id}`);
    assert.deepEqual(pdf.rawPayload, PDF);
    // A PDF downloads like a photo: Chrome's viewer will not show a PDF under a sandboxing policy.
    assert.match(String(pdf.headers['content-disposition']), /^attachment; filename="lunch\.pdf"/);
    assert.equal(pdf.headers['content-type'], 'application/pdf');
    assert.equal(pdf.headers['x-content-type-options'], 'nosniff');
    assert.equal(receiptsOnDisk().filter((f) => f === keep).length, 0, 'the old draft’s file is removed');

    // Deleting the draft deletes its receipt too.
    await web.get(`/claims/${newId}/check`);
    assert.equal((await web.post(`/claims/${newId}/discard`)).statusCode, 303);
    assert.equal(await count(`select count(*) n from claims where person_id = $1`, [p.id]), 0);
    assert.ok(!receiptsOnDisk().includes(e.id));
  });
});

describe('staff claiming on someone’s behalf', () => {
  test('staff find the person, the form is filled from their attendance, and a colleague approves it', async () => {
    const pat = await createPerson(t.services, { name: 'Pat Paper', email: undefined });
    const meeting = await attendMeeting(db, pat.id, { title: 'Paper form meeting', daysAgo: 20, hours: 5 });
    const admin = await signIn(t, 'admin@example.org');
    const found = decode((await admin.get('/manage/claims/new?q=Pat%20Pap')).body);
    assert.ok(found.includes(`/manage/claims/new/${pat.id}`), 'the person is found');
    const form = await admin.get(`/manage/claims/new/${pat.id}`);
    assert.equal(form.statusCode, 200);
    assert.match(decode(form.body), /Make a claim for Pat Paper/);
    assert.ok(form.body.includes(`value="${meeting.field}"`), 'their meeting, not the admin’s');
    const res = await postMultipart(t, admin, `/manage/claims/new/${pat.id}`, {
      submissionKey: keyOf(form.body),
      attended: meeting.field,
      payAs: 'bank',
      financeHasBankDetails: 'yes',
    });
    assert.equal(res.statusCode, 303, res.body);
    const id = claimIdIn(res.headers.location);
    assert.equal(res.headers.location, `/manage/claims/${id}/check`);
    const staffCheck = decode((await admin.get(`/manage/claims/${id}/check`)).body);
    assert.match(staffCheck, /£150\.00/, 'five hours is the day rate');
    // Staff are checking someone else's claim, and the page says so.
    assert.match(staffCheck, /<h1>Check the claim for Pat Paper before you send it<\/h1>/);
    assert.match(staffCheck, />Send the claim<\/button>/);
    assert.ok(!/Check your claim|Send my claim/.test(staffCheck), 'not “your” claim');
    const sent = await admin.post(`/manage/claims/${id}/submit`);
    assert.equal(sent.headers.location, `/manage/claims/${id}?sent=1`);
    const row = (await db.query(`select person_id, made_by, status from claims where id = $1`, [id])).rows[0];
    assert.deepEqual(row, { person_id: pat.id, made_by: adminId, status: 'submitted' });

    await admin.get(`/manage/claims/${id}`);
    const refused = await admin.post(`/manage/claims/${id}/status`, { status: 'approved' });
    assert.equal(refused.statusCode, 403);
    assert.match(decode(refused.body), /You made this claim on their behalf, so a colleague must approve it/);
    assert.equal(await count(`select count(*) n from claims where id = $1 and status = 'submitted'`, [id]), 1);
    const sam = await signIn(t, 'sam.staff@example.org');
    await sam.get(`/manage/claims/${id}`);
    assert.equal((await sam.post(`/manage/claims/${id}/status`, { status: 'approved' })).statusCode, 303);
    // Nobody to email: Pat has no address, and nothing fails for it.
    assert.equal(await count(`select count(*) n from claims where id = $1 and status = 'approved'`, [id]), 1);
  });

  test('the OpenAPI document lists the payments endpoints, with the CSV’s columns', async () => {
    const doc = (await t.app.inject({ url: '/api/openapi.json' })).json();
    for (const [p, m] of [
      ['/api/v1/payment-rates', 'put'],
      ['/api/v1/claims', 'post'],
      ['/api/v1/claims', 'get'],
      ['/api/v1/claims/{id}/status', 'post'],
      ['/api/v1/claims.csv', 'get'],
    ] as const)
      assert.ok(doc.paths[p]?.[m], `${m} ${p}`);
    assert.match(doc.paths['/api/v1/claims.csv'].get.description, /claim_id.*claimant_name.*total.*approved_on.*approved_by/);
  });
});

describe('after review: what a claim may hold', () => {
  test('a submission key sent again with other answers replaces the draft (web) or is refused (API); the same answers are a repeat', async () => {
    const p = await createPerson(t.services, { email: 'kit.key@example.org', name: 'Kit Key' });
    const meeting = await attendMeeting(db, p.id, { title: 'Key meeting', daysAgo: 6, hours: 2 });
    const web = await signIn(t, 'kit.key@example.org');
    const form = await web.get('/claims/new');
    const fields = {
      submissionKey: keyOf(form.body),
      attended: meeting.field,
      payAs: 'bank',
      expenseKind_1: 'travel',
      expenseAmount_1: '4',
    };
    const first = await postMultipart(t, web, '/claims/new', fields);
    assert.equal(first.statusCode, 303, first.body);
    // Back in the browser, a changed amount, sent again with the same key.
    const changed = await postMultipart(t, web, '/claims/new', { ...fields, expenseAmount_1: '9.60' });
    assert.equal(changed.statusCode, 303, changed.body);
    assert.notEqual(changed.headers.location, first.headers.location);
    const drafts = (await db.query(`select id, expenses_pence from claims where person_id = $1`, [p.id])).rows;
    assert.deepEqual(drafts, [{ id: claimIdIn(changed.headers.location), expenses_pence: 960 }], 'one draft, with the new answers');
    // The same answers again: the same draft.
    const again = await postMultipart(t, web, '/claims/new', { ...fields, expenseAmount_1: '9.60' });
    assert.equal(again.headers.location, changed.headers.location);
    // Once sent, other answers under its key are refused, and the sent claim is unchanged.
    const id = claimIdIn(changed.headers.location);
    await web.get(`/claims/${id}/check`);
    assert.equal((await web.post(`/claims/${id}/submit`)).statusCode, 303);
    // (Without the meeting, which is claimed now, so the form itself has nothing to say.)
    const late = await postMultipart(t, web, '/claims/new', { ...fields, attended: [], expenseAmount_1: '12' });
    assert.equal(late.statusCode, 409);
    assert.match(decode(late.body), /You have already sent this claim/);
    assert.deepEqual((await db.query(`select status, expenses_pence from claims where person_id = $1`, [p.id])).rows, [
      { status: 'submitted', expenses_pence: 960 },
    ]);

    // The API: the same key and claim is one claim (200 the second time); another claim under it is 409.
    const q = await createPerson(t.services, { email: 'kay.key@example.org', name: 'Kay Key' });
    const submissionKey = '6f1d2c3b-4a5e-4f60-8a7b-9c0d1e2f3a4b';
    const body = { personId: q.id, items: [], expenses: [{ kind: 'travel', amount: 5 }], payAs: 'bank', submissionKey };
    const made = await api('POST', '/api/v1/claims', body);
    assert.equal(made.statusCode, 201, made.body);
    const repeat = await api('POST', '/api/v1/claims', body);
    assert.equal(repeat.statusCode, 200);
    assert.equal(repeat.json().id, made.json().id);
    const other = await api('POST', '/api/v1/claims', { ...body, expenses: [{ kind: 'travel', amount: 50 }] });
    assert.equal(other.statusCode, 409);
    assert.match(other.json().detail, /submissionKey was already used for a different claim/);
    assert.deepEqual((await db.query(`select expenses_pence from claims where person_id = $1`, [q.id])).rows, [{ expenses_pence: 500 }]);
  });
});
