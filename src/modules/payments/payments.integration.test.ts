import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { deflateSync } from 'node:zlib';
import { after, before, describe, test } from 'node:test';
import { sql } from 'drizzle-orm';
import pg from 'pg';
import { createAdminWithToken, createEventWithSession, createPerson } from '../../../test/builders.ts';
import { startTestApp, type TestApp } from '../../../test/harness.ts';
import { startS3Server, type TestS3 } from '../../../test/s3-server.ts';
import { apiCaller, signIn, type WebClient } from '../../../test/web-client.ts';
import { londonDay } from '../../lib/dates.ts';
import { createFileStore, fileKey } from '../../lib/file-store.ts';
import { seedDemoPayments } from '../demo/demo-payments.ts';
import { paymentsPersonalData } from './payments-privacy.ts';
import { FINANCE_CSV_COLUMNS } from './payments-service.ts';

// ---- helpers ---------------------------------------------------------------------------------------

/** A real PNG, w by h white pixels: a photo of a receipt. */
function pngOf(w = 1, h = 1): Buffer {
  const table = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc32 = (buf: Buffer) => {
    let crc = 0xffffffff;
    for (const b of buf) crc = table[(crc ^ b) & 0xff]! ^ (crc >>> 8);
    return (crc ^ 0xffffffff) >>> 0;
  };
  const chunk = (type: string, data: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([len, body, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0);
  ihdr.writeUInt32BE(h, 4);
  ihdr[8] = 8;
  ihdr[9] = 2;
  const stride = w * 3 + 1;
  const rows = Buffer.alloc(stride * h, 255);
  for (let i = 0; i < rows.length; i++) if (i % stride === 0) rows[i] = 0;
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(rows)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}
const TICKET = pngOf(4, 4);
const PDF = Buffer.from('%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n');

interface Upload {
  name: string;
  type: string;
  data: Buffer;
}

/** Posts a form with files, as a browser does, with the CSRF token of the page last loaded. */
async function postMultipart(
  t: TestApp,
  client: WebClient,
  url: string,
  fields: Record<string, string | string[]>,
  files: Record<string, Upload> = {},
) {
  const form = new FormData();
  form.append('_csrf', client.lastCsrf);
  for (const [k, v] of Object.entries(fields)) for (const one of Array.isArray(v) ? v : [v]) form.append(k, one);
  for (const [k, f] of Object.entries(files)) form.append(k, new Blob([new Uint8Array(f.data)], { type: f.type }), f.name);
  const request = new Request('http://localhost/', { method: 'POST', body: form });
  return t.app.inject({
    method: 'POST',
    url,
    headers: { ...Object.fromEntries(request.headers), cookie: [...client.cookies].map(([k, v]) => `${k}=${v}`).join('; ') },
    payload: Buffer.from(await request.arrayBuffer()),
  });
}

/** A board meeting the person was recorded at, by SQL: the boards module is built beside this one. */
async function attendMeeting(db: pg.Client, personId: string, opts: { title: string; daysAgo: number; hours: number }) {
  const board = (await db.query(`insert into boards (name, purpose) values ('Team-up board', 'Co-production') returning id`)).rows[0].id;
  const startsAt = new Date(Math.floor(Date.now() / 86_400_000 - opts.daysAgo) * 86_400_000 + 10 * 3_600_000);
  const meeting = (
    await db.query(
      `insert into board_meetings (board_id, title, starts_at, ends_at, format) values ($1, $2, $3, $4, 'in_person') returning id`,
      [board, opts.title, startsAt, new Date(startsAt.getTime() + opts.hours * 3_600_000)],
    )
  ).rows[0].id as string;
  await db.query(`insert into meeting_attendees (meeting_id, person_id, attended) values ($1, $2, true)`, [meeting, personId]);
  return { id: meeting, date: londonDay(startsAt), field: `meeting_${meeting}` };
}

const keyOf = (html: string) => /name="submissionKey" value="([^"]+)"/.exec(html)![1]!;
const claimIdIn = (location: unknown) => /\/claims\/([0-9a-f-]{36})/.exec(String(location))![1]!;
const decode = (html: string) =>
  html
    .replace(/&#39;|&#x27;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, '&')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>');

const RATES = [
  { activity: 'meeting', perHour: 25, perHalfDay: 75, perDay: 150, currency: 'GBP', source: 'Our involvement policy, after NIHR guidance' },
  { activity: 'session', perHour: 25, perHalfDay: 75, perDay: 150, currency: 'GBP' },
  { activity: 'workshop_day', perHalfDay: 75, perDay: 150, currency: 'GBP' },
  { activity: 'preparation', perHour: 25, currency: 'GBP' },
  { activity: 'other', paid: false, currency: 'GBP' },
];

// ---- the app on disk ----------------------------------------------------------------------------------

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
const put = (url: string, body: unknown, bearer = token) =>
  t.app.inject({
    method: 'PUT',
    url,
    headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/json' },
    payload: JSON.stringify(body),
  });
const count = async (sql: string, params: unknown[] = []) => Number((await db.query(sql, params)).rows[0].n);
const receiptsOnDisk = () => {
  const dir = path.join(t.dataDir, 'files', 'receipts');
  return existsSync(dir) ? readdirSync(dir).filter((f) => !f.endsWith('.partial')) : [];
};

before(async () => {
  // Uploads over 20 KB are refused here, so "too large" is quick to test.
  t = await startTestApp({ UPLOAD_LIMIT_MB: '0.02' });
  db = new pg.Client({ connectionString: t.databaseUrl });
  await db.connect();
  const a = await createAdminWithToken(t.services);
  token = a.token;
  adminId = a.admin.personId;
  const staff = await createPerson(t.services, { email: 'sam.staff@example.org', name: 'Sam Staff', experience: 'professional' }, 'staff');
  staffId = staff.id;
  staffToken = await t.services.auth.createApiToken(null, staff.id, 'tests');
  assert.equal((await put('/api/v1/payment-rates', { rates: RATES })).statusCode, 200);
});
after(async () => {
  await db.end();
  await t.close();
});

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
