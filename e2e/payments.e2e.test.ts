import assert from 'node:assert/strict';
import { test } from 'node:test';
import { deflateSync } from 'node:zlib';
import type { Page } from 'playwright-core';
import pg from 'pg';
import { createPerson } from '../test/builders.ts';
import { axeViolations, signInAs, useServerAndBrowser, watchConsole } from './support/browser.ts';

const h = useServerAndBrowser();

/** A real, small PNG: the photo of a bus ticket. */
function busTicketPng(): Buffer {
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
  ihdr.writeUInt32BE(8, 0);
  ihdr.writeUInt32BE(4, 4);
  ihdr[8] = 8;
  ihdr[9] = 2;
  const rows = Buffer.alloc((8 * 3 + 1) * 4, 200);
  for (let y = 0; y < 4; y++) rows[y * 25] = 0;
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(rows)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

async function assertAccessible(page: Page, what: string) {
  const violations = await axeViolations(page);
  assert.deepEqual(
    violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => JSON.stringify(n.target)).join(', ')})`),
    [],
    `accessibility problems on ${what}`,
  );
}

test('a lay member claims for a board meeting they attended (prefilled), adds a bus fare with its receipt; staff approve; finance’s CSV holds it', async () => {
  const services = h.server.t.services;
  const admin = await createPerson(services, { email: 'claims-admin@example.org', name: 'Ada Admin' }, 'admin');
  await services.payments.setRates({ personId: admin.id, role: 'admin' }, [
    {
      activity: 'meeting',
      paid: true,
      perHour: 2500,
      perHalfDay: 7500,
      perDay: 15000,
      currency: 'GBP',
      source: 'Our involvement payments policy',
    },
    { activity: 'preparation', paid: true, perHour: 2500, perHalfDay: null, perDay: null, currency: 'GBP' },
  ]);
  const joe = await createPerson(services, { email: 'joe.lay@example.org', name: 'Joe Lay', experience: 'lived' });
  await createPerson(services, { email: 'sam.staff@example.org', name: 'Sam Staff', experience: 'professional' }, 'staff');

  // Joe came to a two-hour board meeting last week (set up in SQL: boards are built beside claims).
  const db = new pg.Client({ connectionString: h.server.t.databaseUrl });
  await db.connect();
  const board = (await db.query(`insert into boards (name, purpose) values ('Team-up board', 'Co-production') returning id`)).rows[0].id;
  const startsAt = new Date(Date.now() - 7 * 86_400_000);
  const meeting = (
    await db.query(
      `insert into board_meetings (board_id, title, starts_at, ends_at, format) values ($1, 'May meeting', $2, $3, 'in_person') returning id`,
      [board, startsAt, new Date(startsAt.getTime() + 2 * 3_600_000)],
    )
  ).rows[0].id;
  await db.query(`insert into meeting_attendees (meeting_id, person_id, attended) values ($1, $2, true)`, [meeting, joe.id]);
  await db.end();

  // ---- Joe claims ----
  const context = await h.browser.newContext();
  const page = await signInAs(h.server, context, 'joe.lay@example.org');
  const problems = watchConsole(page);
  await page.goto(`${h.server.baseUrl}/claims`);
  await page.getByRole('heading', { name: 'Your claims', level: 1 }).waitFor();
  await assertAccessible(page, 'your claims');
  await page.getByRole('button', { name: 'Make a claim' }).click();
  await page.getByRole('heading', { name: 'Make a claim' }).waitFor();
  await assertAccessible(page, 'the claim form');

  const meetingBox = page.getByLabel('Team-up board: May meeting', { exact: true });
  assert.equal(await meetingBox.isChecked(), true, 'what Joe attended and has not claimed starts ticked');
  assert.equal(
    await page.getByLabel('Hours you are claiming for “Team-up board: May meeting”').inputValue(),
    '2',
    'the hours come from the meeting',
  );
  await page.locator('#expenseKind_1').selectOption('travel');
  await page.locator('#expenseAmount_1').fill('3.80');
  await page.locator('#expenseNote_1').fill('Bus to County Hall and back');
  await page.locator('#receipt_1').setInputFiles({ name: 'bus-ticket.png', mimeType: 'image/png', buffer: busTicketPng() });
  await page.getByLabel('Bank transfer').check();
  await page.getByRole('button', { name: 'Continue' }).click();

  await page.getByRole('heading', { name: 'Check your claim before you send it' }).waitFor();
  await assertAccessible(page, 'check your claim');
  const check = await page.locator('main').innerText();
  assert.match(check, /Team-up board: May meeting/);
  assert.match(check, /£50\.00/, 'two hours at £25 an hour');
  assert.match(check, /bus-ticket\.png/);
  assert.match(check, /£53\.80/);
  await page.getByRole('button', { name: 'Send my claim' }).click();
  await page.getByRole('heading', { name: 'Claim sent' }).waitFor();
  await assertAccessible(page, 'the confirmation');
  assert.match(await page.locator('main').innerText(), /What happens next/);
  const claimUrl = new URL(page.url());
  const claimId = /\/claims\/([0-9a-f-]{36})/.exec(claimUrl.pathname)![1]!;

  // ---- staff approve it ----
  const staffContext = await h.browser.newContext();
  const staff = await signInAs(h.server, staffContext, 'sam.staff@example.org');
  const staffProblems = watchConsole(staff);
  await staff.goto(`${h.server.baseUrl}/manage/claims`);
  await staff.getByRole('heading', { name: 'Claims', level: 1 }).waitFor();
  await assertAccessible(staff, 'the claims list');
  await staff.getByRole('link', { name: /Joe Lay/ }).click();
  await staff.getByRole('heading', { name: 'Claim by Joe Lay' }).waitFor();
  await assertAccessible(staff, 'a claim, for staff');
  const receipt = await staff.request.get(
    await staff
      .getByRole('link', { name: /Download bus-ticket\.png/ })
      .getAttribute('href')
      .then((href) => `${h.server.baseUrl}${href}`),
  );
  assert.equal(receipt.headers()['content-type'], 'image/png');
  assert.deepEqual(await receipt.body(), busTicketPng());
  await staff.getByLabel('Approve it', { exact: true }).check();
  await staff.getByRole('button', { name: 'Save' }).click();
  await staff.getByText('Approved. We have emailed the claimant.').waitFor();
  await assertAccessible(staff, 'the claim once approved');

  const csv = await (await staff.request.get(`${h.server.baseUrl}/manage/claims.csv?status=approved`)).text();
  const line = csv.split('\r\n').find((l) => l.startsWith(claimId));
  assert.ok(line, 'the approved claim is in the finance CSV');
  assert.deepEqual(line.split(',').slice(1, 8), ['Joe Lay', 'joe.lay@example.org', 'bank', 'no', '50.00', '3.80', '53.80']);

  // The other staff pages this journey leads to.
  await staff.goto(`${h.server.baseUrl}/manage/claims/rates`);
  await staff.getByRole('heading', { name: 'Rates for people’s time' }).waitFor();
  await assertAccessible(staff, 'the rates page');
  await staff.goto(`${h.server.baseUrl}/manage/claims/new?q=Joe`);
  await assertAccessible(staff, 'claiming for someone');
  await staff.getByRole('link', { name: 'Make a claim for Joe Lay' }).click();
  await staff.getByRole('heading', { name: 'Make a claim for Joe Lay' }).waitFor();
  await assertAccessible(staff, 'the claim form for someone');
  assert.ok(!(await staff.locator('main').innerText()).includes('May meeting'), 'the meeting is claimed: it is not offered again');

  await h.server.t.waitForEmail('joe.lay@example.org', { subject: /approved/ });
  await page.goto(`${h.server.baseUrl}/claims/${claimId}`);
  await page.getByText('Approved', { exact: true }).first().waitFor();
  await assertAccessible(page, 'the claim, for its claimant');

  assert.deepEqual(problems, []);
  assert.deepEqual(staffProblems, []);
  await context.close();
  await staffContext.close();
});
