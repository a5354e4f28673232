import assert from 'node:assert/strict';
import { createPerson } from '../../../test/builders.ts';
import type { TestApp } from '../../../test/harness.ts';
import type { apiCaller, WebClient } from '../../../test/web-client.ts';
import { londonDay } from '../../lib/dates.ts';
import { pdfWriter } from '../../lib/pdf.ts';

// What the boards integration tests share; each test file still starts its own app and database.

export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;
export const today = () => londonDay(new Date());
export const dayPlus = (n: number) => londonDay(new Date(Date.now() + n * DAY));

/** A small real PDF, as a member's paper would be. */
export async function smallPdf(title: string) {
  const w = pdfWriter({ title, author: 'Test', subject: 'A paper', creator: 'test' });
  w.say(title, { size: 16, tag: 'H1' });
  w.say('What carers told us about respite care.', { size: 12 });
  w.doc.end();
  return w.done;
}

/** Posts a form with a file, as a browser does (multipart), with the client's cookies and CSRF token. */
export async function postWithFile(
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

export const submissionKey = (body: string) => /name="submissionKey" value="([^"]+)"/.exec(body)![1]!;

/** A new board through the API, and three people not on it yet: lived, professional and both. */
export async function makeBoardWithMembers(t: TestApp, api: ReturnType<typeof apiCaller>) {
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
