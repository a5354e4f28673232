import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { sql } from 'drizzle-orm';
import type pg from 'pg';
import { createPerson } from '../../../test/builders.ts';
import { startTestApp, type TestApp } from '../../../test/harness.ts';
import { startS3Server, type TestS3 } from '../../../test/s3-server.ts';
import { apiCaller, signIn, type WebClient } from '../../../test/web-client.ts';
import { createFileStore, fileKey } from '../../lib/file-store.ts';
import { seedDemoPayments } from '../demo/demo-payments.ts';
import { paymentsPersonalData } from './payments-privacy.ts';
import { FINANCE_CSV_COLUMNS } from './payments-service.ts';
import {
  attendMeeting,
  claimIdIn,
  countRows,
  decode,
  keyOf,
  PDF,
  postMultipart,
  startPaymentsApp,
  stopPaymentsApp,
  TICKET,
} from './payments-test-support.ts';

// Payments: the API and the finance export, the tax year, a person's data, the demo data and receipts in S3.

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

before(async () => {
  ({ t, db, token, staffToken, adminId, staffId } = await startPaymentsApp());
});
after(() => stopPaymentsApp({ t, db }));

describe('the API and the finance export', () => {
  test('a meeting attended is claimed once; after a rejection it can be claimed again', async () => {
    const p = await createPerson(t.services, { email: 'ana@example.org', name: 'Ana Api' });
    const meeting = await attendMeeting(db, p.id, { title: 'Long meeting', daysAgo: 10, hours: 6 });
    const body = {
      personId: p.id,
      items: [{ activity: 'meeting', date: meeting.date, hours: 6, sourceId: meeting.id }],
      expenses: [{ kind: 'care', amount: 30, note: 'Sitter' }],
      payAs: 'bank',
      financeHasBankDetails: true,
    };
    const first = await api('POST', '/api/v1/claims', body);
    assert.equal(first.statusCode, 201, first.body);
    assert.deepEqual([first.json().status, first.json().total, first.json().items[0].amount], ['submitted', 180, 150]);
    const again = await api('POST', '/api/v1/claims', body);
    assert.equal(again.statusCode, 409);
    assert.match(again.json().detail, /already in a claim/);
    const reject = await t.app.inject({
      method: 'POST',
      url: `/api/v1/claims/${first.json().id}/status`,
      headers: { authorization: `Bearer ${staffToken}`, 'content-type': 'application/json' },
      payload: JSON.stringify({ status: 'rejected', note: 'Wrong hours' }),
    });
    assert.equal(reject.statusCode, 200);
    const third = await api('POST', '/api/v1/claims', body);
    assert.equal(third.statusCode, 201);
  });

  test('the CSV has its fixed columns, and its totals add up to the claims approved', async () => {
    const approve = async (id: string) =>
      t.app.inject({
        method: 'POST',
        url: `/api/v1/claims/${id}/status`,
        headers: { authorization: `Bearer ${staffToken}`, 'content-type': 'application/json' },
        payload: JSON.stringify({ status: 'approved' }),
      });
    for (const [i, amount] of [12.5, 0.01, 999.99].entries()) {
      const p = await createPerson(t.services, { email: `csv${i}@example.org`, name: i === 1 ? '=HYPERLINK("x")' : `Csv Person ${i}` });
      const m = await attendMeeting(db, p.id, { title: 'CSV meeting', daysAgo: 2, hours: 1 });
      const c = await api('POST', '/api/v1/claims', {
        personId: p.id,
        items: [
          { activity: 'meeting', date: m.date, hours: 1, sourceId: m.id },
          { activity: 'preparation', date: m.date, hours: 1.5 },
        ],
        expenses: [{ kind: 'travel', amount }],
        payAs: 'bank',
      });
      assert.equal(c.statusCode, 201, c.body);
      assert.equal((await approve(c.json().id)).statusCode, 200);
    }
    const res = await api('GET', '/api/v1/claims.csv?status=approved');
    assert.equal(res.statusCode, 200);
    assert.match(String(res.headers['content-type']), /^text\/csv/);
    const [header, ...rows] = res.body
      .replace(/^\uFEFF/, '')
      .trim()
      .split('\r\n');
    assert.deepEqual(header!.split(','), [...FINANCE_CSV_COLUMNS]);
    const parse = (line: string) =>
      [...line.matchAll(/("(?:[^"]|"")*"|[^,]*)(,|$)/g)]
        .map((m) => m[1]!.replace(/^"|"$/g, '').replace(/""/g, '"'))
        .slice(0, FINANCE_CSV_COLUMNS.length);
    const cells = rows.map(parse);
    const col = (name: (typeof FINANCE_CSV_COLUMNS)[number]) => FINANCE_CSV_COLUMNS.indexOf(name);
    for (const r of cells) {
      for (const c of ['time_total', 'expenses_total', 'total'] as const) assert.match(r[col(c)]!, /^\d+\.\d\d$/);
      assert.equal(
        Math.round(Number(r[col('time_total')]) * 100) + Math.round(Number(r[col('expenses_total')]) * 100),
        Math.round(Number(r[col('total')]) * 100),
      );
      assert.match(r[col('approved_on')]!, /^\d{4}-\d{2}-\d{2}$/);
    }
    assert.ok(
      cells.some((r) => r[col('claimant_name')] === `'=HYPERLINK("x")`),
      'a formula in a name is made inert',
    );
    const approved = (await api('GET', '/api/v1/claims?status=approved&limit=1000')).json().items as { id: string; total: number }[];
    assert.equal(cells.length, approved.length);
    const sumCsv = cells.reduce((s, r) => s + Math.round(Number(r[col('total')]) * 100), 0);
    const sumApi = approved.reduce((s, c) => s + Math.round(c.total * 100), 0);
    assert.equal(sumCsv, sumApi);
    assert.ok(
      cells.some((r) => r[col('total')] === '1062.49'),
      'an hour’s meeting (£25), £37.50 of preparation and a £999.99 fare',
    );
    // Pages of the list fit together.
    const page1 = (await api('GET', '/api/v1/claims?status=approved&limit=1')).json();
    const page2 = (await api('GET', `/api/v1/claims?status=approved&limit=1&cursor=${page1.nextCursor}`)).json();
    assert.notEqual(page1.items[0].id, page2.items[0].id);
    assert.equal((await api('GET', '/api/v1/claims?status=nonsense')).statusCode, 400);
    assert.equal((await api('GET', '/api/v1/claims.csv?status=approved', undefined, null)).statusCode, 401);
  });

  test('a claim counts in the tax year it was paid in: 6 April in London is the boundary', async () => {
    const p = await createPerson(t.services, { email: 'tax@example.org', name: 'Tia Tax' });
    const make = async (amount: number) =>
      (await api('POST', '/api/v1/claims', { personId: p.id, items: [], expenses: [{ kind: 'travel', amount }], payAs: 'bank' })).json().id;
    const early = await make(10);
    const late = await make(20);
    // 23:30 on 5 April 2026 (BST) and 00:30 on 6 April 2026.
    await db.query(`update claims set status = 'paid', submitted_at = $2, paid_at = $2 where id = $1`, [early, '2026-04-05T22:30:00Z']);
    await db.query(`update claims set status = 'paid', submitted_at = $2, paid_at = $2 where id = $1`, [late, '2026-04-05T23:30:00Z']);
    const y2026 = await t.services.payments.taxYear(p.id, new Date('2026-06-01T12:00:00Z'));
    const y2025 = await t.services.payments.taxYear(p.id, new Date('2026-03-01T12:00:00Z'));
    assert.deepEqual([y2026.totalPence, y2026.claims, y2026.year.label], [2000, 1, '6 April 2026 to 5 April 2027']);
    assert.deepEqual([y2025.totalPence, y2025.claims, y2025.year.label], [1000, 1, '6 April 2025 to 5 April 2026']);
  });
});

describe('a person’s data', () => {
  test('export gives their claims with items, expenses and receipt names; erasure keeps anonymised amounts and deletes receipts', async () => {
    const p = await createPerson(t.services, { email: 'erin@example.org', name: 'Erin Erase' });
    const meeting = await attendMeeting(db, p.id, { title: 'Erasure meeting', daysAgo: 8, hours: 2 });
    const web = await signIn(t, 'erin@example.org');
    const form = await web.get('/claims/new');
    const res = await postMultipart(
      t,
      web,
      '/claims/new',
      {
        submissionKey: keyOf(form.body),
        attended: meeting.field,
        payAs: 'bank',
        expenseKind_1: 'care',
        expenseAmount_1: '20',
        expenseNote_1: 'Sitter for my son',
        note: 'I use a wheelchair',
      },
      { receipt_1: { name: 'sitter.pdf', type: 'application/pdf', data: PDF } },
    );
    const id = claimIdIn(res.headers.location);
    await web.get(`/claims/${id}/check`);
    await web.post(`/claims/${id}/submit`);
    const key = fileKey('receipts', (await db.query(`select id from claim_expenses where claim_id = $1`, [id])).rows[0].id);
    assert.ok(await t.services.files.get(key));

    const exported = (await t.services.people.exportFor(p.id)) as unknown as {
      claims: { total: string; time: { what: string }[]; expenses: { receipt: string; note: string }[]; note: string }[];
    };
    assert.equal(exported.claims.length, 1);
    assert.equal(exported.claims[0]!.total, '70.00');
    assert.equal(exported.claims[0]!.time[0]!.what, 'Team-up board: Erasure meeting');
    assert.deepEqual(
      [exported.claims[0]!.expenses[0]!.receipt, exported.claims[0]!.expenses[0]!.note],
      ['sitter.pdf', 'Sitter for my son'],
    );

    await t.services.people.requestErasure({ personId: p.id, role: 'participant' }, p.id);
    await t.services.people.confirmErasure({ personId: adminId, role: 'admin' }, p.id);
    const kept = (await db.query(`select * from claims where id = $1`, [id])).rows[0];
    assert.ok(kept.anonymised_at, 'the claim is kept, anonymised');
    assert.deepEqual([kept.total_pence, kept.time_pence, kept.note], [7000, 5000, null]);
    const item = (await db.query(`select * from claim_items where claim_id = $1`, [id])).rows[0];
    assert.deepEqual([item.description, item.source_id, item.minutes, item.amount_pence], ['Board or group meeting', null, 120, 5000]);
    const expense = (await db.query(`select * from claim_expenses where claim_id = $1`, [id])).rows[0];
    assert.deepEqual([expense.note, expense.receipt_key, expense.receipt_name, expense.amount_pence], [null, null, null, 2000]);
    // The staff page says what was kept and why.
    const staff = await signIn(t, 'sam.staff@example.org');
    assert.match(decode((await staff.get(`/manage/claims/${id}`)).body), /information was erased\. The dates and amounts are kept/);
    // The finance export still adds up, without the person's details.
    await staff.post(`/manage/claims/${id}/status`, { status: 'approved' });
    const line = (await api('GET', '/api/v1/claims.csv?status=approved')).body.split('\r\n').find((l) => l.startsWith(id))!;
    assert.deepEqual(line.split(',').slice(1, 3), ['Erased person', '']);
    void key;
  });

  test('erasure removes the receipt files once it has committed', async () => {
    const p = await createPerson(t.services, { email: 'fay@example.org', name: 'Fay Files' });
    const { claim } = await t.services.payments.submitClaim(
      { personId: p.id, role: 'participant' },
      {
        personId: p.id,
        items: [],
        expenses: [{ kind: 'travel', amountPence: 500, receipt: { name: 'fare.png', contentType: 'image/png', data: TICKET } }],
        payAs: 'bank',
        financeHasBankDetails: false,
      },
    );
    const key = (await db.query(`select receipt_key from claim_expenses where claim_id = $1`, [claim.id])).rows[0].receipt_key;
    assert.ok(await t.services.files.get(key));
    const holder = paymentsPersonalData({ files: t.services.files });
    const person = (await t.services.people.findById(p.id))!;
    await t.services.db.transaction((tx) => holder.forget(tx, person));
    await holder.afterForget!(person);
    assert.equal(await t.services.files.get(key), null);
  });
});

describe('after review: what a claim may hold', () => {
  let staff: WebClient;
  before(async () => {
    await createPerson(t.services, { email: 'rita.review@example.org', name: 'Rita Review', experience: 'professional' }, 'staff');
    staff = await signIn(t, 'rita.review@example.org');
  });

  test('the export of a person’s data holds the drafts staff are making for them', async () => {
    const p = await createPerson(t.services, { email: 'dot.draft@example.org', name: 'Dot Draft' });
    const { claim } = await t.services.payments.prepareDraft(
      { personId: staffId, role: 'staff' },
      {
        personId: p.id,
        items: [],
        expenses: [{ kind: 'care', amountPence: 1500, note: 'Carer for the afternoon' }],
        payAs: 'voucher',
        financeHasBankDetails: false,
      },
    );
    assert.equal(claim.status, 'draft');
    const exported = (await t.services.people.exportFor(p.id)) as unknown as {
      claims: { status: string; madeOnYourBehalf: boolean; total: string; expenses: { note: string }[] }[];
    };
    assert.deepEqual(
      exported.claims.map((c) => [c.status, c.madeOnYourBehalf, c.total, c.expenses[0]?.note]),
      [['draft', true, '15.00', 'Carer for the afternoon']],
    );
    // Their own list still shows only what they may open.
    assert.equal((await t.services.payments.mine({ personId: p.id, role: 'participant' })).length, 0);
  });

  test('the staff list pages through every claim, and says which it shows of how many', async () => {
    const p = await createPerson(t.services, { email: 'pag.pages@example.org', name: 'Pag Pages' });
    await db.query(
      `insert into claims (person_id, status, pay_as, time_pence, expenses_pence, total_pence, submitted_at, paid_at)
       select $1, 'paid', 'voucher', 0, 100, 100, now() - n * interval '1 minute', now() from generate_series(1, 130) n`,
      [p.id],
    );
    const all = Number((await db.query(`select count(*) n from claims where status = 'paid'`)).rows[0].n);
    assert.ok(all > 100);
    const seen: string[] = [];
    let url: string | undefined = '/manage/claims?status=paid';
    let pages = 0;
    while (url) {
      const res = await staff.get(url);
      assert.equal(res.statusCode, 200);
      const text = decode(res.body);
      const ids = [...res.body.matchAll(/href="\/manage\/claims\/([0-9a-f-]{36})"/g)].map((m) => m[1]!);
      assert.ok(
        text.includes(`Showing ${seen.length + 1} to ${seen.length + ids.length} of ${all} claims, newest first`),
        `page ${pages + 1} says where it is`,
      );
      seen.push(...ids);
      if (pages > 0) assert.ok(text.includes('Back to the newest claims'));
      url = /href="(\/manage\/claims\?status=paid&amp;cursor=[^"]+)"/.exec(res.body)?.[1]?.replace(/&amp;/g, '&');
      pages++;
    }
    assert.equal(pages, Math.ceil(all / 100));
    assert.equal(seen.length, all, 'every paid claim is on a page');
    assert.equal(new Set(seen).size, all, 'and none twice');
    // A nonsense cursor starts from the newest rather than failing.
    assert.equal((await staff.get('/manage/claims?status=paid&cursor=nonsense')).statusCode, 200);
  });
});

describe('demo data', () => {
  test('rates with their source, and claims at each stage, one for the demo participant’s board meeting', async () => {
    const joe = await createPerson(t.services, { email: 'demo-participant@coproduce.example', name: 'Joe Barker (demo participant)' });
    const priya = await createPerson(t.services, { email: 'priya.demo@coproduce.example', name: 'Priya Natarajan (demo)' });
    const chris = await createPerson(t.services, { email: 'chris.demo@coproduce.example', name: 'Chris Hartley (demo)' });
    const margaret = await createPerson(t.services, { name: 'Margaret Osei (demo)', email: undefined });
    const meeting = await attendMeeting(db, joe.id, { title: 'Demo board meeting', daysAgo: 12, hours: 2 });
    await seedDemoPayments(
      { payments: t.services.payments, people: t.services.people, boardsLookup: t.services.boardsLookup },
      { admin: { personId: adminId, role: 'admin' }, staff: { personId: staffId, role: 'staff' } },
    );
    const statusOf = async (personId: string) =>
      (await db.query(`select status, rejected_reason from claims where person_id = $1`, [personId])).rows;
    assert.deepEqual(
      (await statusOf(joe.id)).map((r) => r.status),
      ['submitted'],
    );
    assert.equal(
      await count(`select count(*) n from claim_items where source_id = $1`, [meeting.id]),
      1,
      'Joe’s claim is for the meeting he attended',
    );
    assert.equal(
      await count(
        `select count(*) n from claim_expenses e join claims c on c.id = e.claim_id where c.person_id = $1 and e.receipt_key is not null`,
        [joe.id],
      ),
      1,
    );
    assert.deepEqual(
      (await statusOf(priya.id)).map((r) => r.status),
      ['approved'],
    );
    const [rejected] = await statusOf(chris.id);
    assert.equal(rejected.status, 'rejected');
    assert.match(rejected.rejected_reason, /already in your claim/);
    assert.deepEqual(
      (await statusOf(margaret.id)).map((r) => r.status),
      ['paid'],
    );
    const rates = (await api('GET', '/api/v1/payment-rates')).json().rates;
    assert.match(rates.find((r: { activity: string }) => r.activity === 'meeting').source, /NIHR/);
    assert.match(rates.find((r: { activity: string }) => r.activity === 'meeting').source, /Illustrative/);
  });
});

// ---- receipts in an S3-compatible store -----------------------------------------------------------

describe('receipts in an S3-compatible bucket', () => {
  let s3: TestS3;
  let app: TestApp;
  before(async () => {
    s3 = await startS3Server();
    app = await startTestApp({ S3_URL: s3.url });
  });
  after(async () => {
    await app?.close();
    await s3?.stop();
  });

  test('a receipt sent with a claim is stored in the bucket, not on disk, and read back to the claimant', async () => {
    await createPerson(app.services, { email: 'sia@example.org', name: 'Sia S3' });
    const web = await signIn(app, 'sia@example.org');
    const form = await web.get('/claims/new');
    const res = await postMultipart(
      app,
      web,
      '/claims/new',
      { submissionKey: keyOf(form.body), payAs: 'bank', expenseKind_1: 'travel', expenseAmount_1: '2.80' },
      { receipt_1: { name: 'train.pdf', type: 'application/pdf', data: PDF } },
    );
    assert.equal(res.statusCode, 303, res.body);
    const id = claimIdIn(res.headers.location);
    const e = (await app.services.db.execute(sql`select id from claim_expenses where claim_id = ${id}`)).rows[0] as { id: string };
    const bucket = createFileStore({ dataDir: app.dataDir, s3: { url: s3.url, region: 'eu-west-2' } });
    assert.deepEqual(await bucket.get(fileKey('receipts', e.id)), PDF);
    assert.ok(!existsSync(path.join(app.dataDir, 'files', 'receipts')), 'nothing on disk');
    const back = await web.get(`/claims/${id}/receipts/${e.id}`);
    assert.equal(back.statusCode, 200);
    assert.deepEqual(back.rawPayload, PDF);
    assert.equal(back.headers['content-type'], 'application/pdf');
    // Deleting the unsent claim deletes the object.
    await web.get(`/claims/${id}/check`);
    await web.post(`/claims/${id}/discard`);
    assert.equal(await bucket.get(fileKey('receipts', e.id)), null);
  });
});
