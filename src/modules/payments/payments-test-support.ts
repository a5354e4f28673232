import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { deflateSync } from 'node:zlib';
import pg from 'pg';
import { createAdminWithToken, createPerson } from '../../../test/builders.ts';
import { startTestApp, type TestApp } from '../../../test/harness.ts';
import type { WebClient } from '../../../test/web-client.ts';
import { londonDay } from '../../lib/dates.ts';

// What the payments integration tests share. Each test file starts its own app, on its own database.

/** A real PNG, w by h white pixels: a photo of a receipt. */
export function pngOf(w = 1, h = 1): Buffer {
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
export const TICKET = pngOf(4, 4);
export const PDF = Buffer.from('%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n');

export interface Upload {
  name: string;
  type: string;
  data: Buffer;
}

/** Posts a form with files, as a browser does, with the CSRF token of the page last loaded. */
export async function postMultipart(
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
export async function attendMeeting(db: pg.Client, personId: string, opts: { title: string; daysAgo: number; hours: number }) {
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

export const keyOf = (html: string) => /name="submissionKey" value="([^"]+)"/.exec(html)![1]!;
export const claimIdIn = (location: unknown) => /\/claims\/([0-9a-f-]{36})/.exec(String(location))![1]!;
export const decode = (html: string) =>
  html
    .replace(/&#39;|&#x27;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, '&')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>');

export const RATES = [
  { activity: 'meeting', perHour: 25, perHalfDay: 75, perDay: 150, currency: 'GBP', source: 'Our involvement policy, after NIHR guidance' },
  { activity: 'session', perHour: 25, perHalfDay: 75, perDay: 150, currency: 'GBP' },
  { activity: 'workshop_day', perHalfDay: 75, perDay: 150, currency: 'GBP' },
  { activity: 'preparation', perHour: 25, currency: 'GBP' },
  { activity: 'other', paid: false, currency: 'GBP' },
];

// ---- the app on disk ----------------------------------------------------------------------------------

export interface PaymentsTestApp {
  t: TestApp;
  db: pg.Client;
  token: string;
  staffToken: string;
  adminId: string;
  staffId: string;
}

export const putJson = (t: TestApp, url: string, body: unknown, bearer: string) =>
  t.app.inject({
    method: 'PUT',
    url,
    headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/json' },
    payload: JSON.stringify(body),
  });
export const countRows = async (db: pg.Client, sql: string, params: unknown[] = []) => Number((await db.query(sql, params)).rows[0].n);
export const receiptsOnDiskOf = (t: TestApp) => {
  const dir = path.join(t.dataDir, 'files', 'receipts');
  return existsSync(dir) ? readdirSync(dir).filter((f) => !f.endsWith('.partial')) : [];
};

/** The app on a fresh database, with the admin and Sam Staff (each with an API token), and the rates set. */
export async function startPaymentsApp(): Promise<PaymentsTestApp> {
  // Uploads over 20 KB are refused here, so "too large" is quick to test.
  const t = await startTestApp({ UPLOAD_LIMIT_MB: '0.02' });
  const db = new pg.Client({ connectionString: t.databaseUrl });
  await db.connect();
  const a = await createAdminWithToken(t.services);
  const staff = await createPerson(t.services, { email: 'sam.staff@example.org', name: 'Sam Staff', experience: 'professional' }, 'staff');
  const staffToken = await t.services.auth.createApiToken(null, staff.id, 'tests');
  assert.equal((await putJson(t, '/api/v1/payment-rates', { rates: RATES }, a.token)).statusCode, 200);
  return { t, db, token: a.token, staffToken, adminId: a.admin.personId, staffId: staff.id };
}

export async function stopPaymentsApp(app: Pick<PaymentsTestApp, 't' | 'db'>) {
  await app.db.end();
  await app.t.close();
}
