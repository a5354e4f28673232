import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import pg from 'pg';
import { createAdminWithToken, createEventWithSession, createPerson } from '../../test/builders.ts';
import { eventually, startTestApp, type TestApp } from '../../test/harness.ts';
import { signIn, type WebClient } from '../../test/web-client.ts';
import { SESSION_CACHE_MS } from './web-session.ts';

let t: TestApp;
let sql: pg.Client;
let eventId: string;
let sessionId: string;

before(async () => {
  // With the change feed, as in production: nothing is kept while it is not listening.
  t = await startTestApp({}, {}, { pageCache: true });
  const { admin } = await createAdminWithToken(t.services);
  const made = await createEventWithSession(t.services, admin, { capacity: 5, sessionTitle: 'Listening workshop' });
  eventId = made.event.id;
  sessionId = made.session.id;
  const booked = await createPerson(t.services, { name: 'Bea Booked' });
  await t.services.registrations.book(null, { sessionIds: [sessionId], who: { personId: booked.id } });
  sql = new pg.Client({ connectionString: t.databaseUrl });
  await sql.connect();
});
after(async () => {
  await sql.end();
  await t.close();
});

const cookieOf = (client: WebClient, only?: string[]) =>
  [...client.cookies]
    .filter(([k]) => !only || only.includes(k))
    .map(([k, v]) => `${k}=${v}`)
    .join('; ');
const list = (cookie: string, query = '') =>
  t.app.inject({ url: `/manage/events/${eventId}/registrations${query}`, headers: { cookie, 'accept-encoding': 'gzip' } });

test('an organiser’s list is kept for them alone: another organiser, or the same session in another browser, gets their own', async () => {
  await createPerson(t.services, { name: 'Olu Organiser', email: 'olu@example.org' }, 'staff');
  await createPerson(t.services, { name: 'Kemi Colleague', email: 'kemi@example.org' }, 'staff');
  const olu = await signIn(t, 'olu@example.org');
  const kemi = await signIn(t, 'kemi@example.org');
  const oluCookie = cookieOf(olu);
  const stats = t.app.viewerCacheStats;
  const first = await list(oluCookie);
  assert.equal(first.statusCode, 200);
  const again = await list(oluCookie);
  assert.equal(stats.hits, 1, 'the second look is answered from what was kept');
  assert.deepEqual(again.rawPayload, first.rawPayload);
  assert.match(await inflate(again), /Olu Organiser/);

  // Kemi, and Olu's session with another browser's key, are never given Olu's kept page.
  const hits = stats.hits;
  const forKemi = await inflate(await list(cookieOf(kemi)));
  assert.match(forKemi, /Kemi Colleague/);
  assert.doesNotMatch(forKemi, /Olu Organiser/);
  const otherBrowser = `${cookieOf(olu, ['cp_session'])}; cp_csrf=${'k'.repeat(32)}`;
  assert.match(await inflate(await list(otherBrowser)), /Olu Organiser/);
  const mixed = `${cookieOf(kemi, ['cp_session'])}; ${cookieOf(olu, ['cp_csrf'])}`;
  const kemiWithOlusKey = await inflate(await list(mixed));
  assert.match(kemiWithOlusKey, /Kemi Colleague/);
  assert.doesNotMatch(kemiWithOlusKey, /Olu Organiser/);
  // Uncompressed is kept apart from compressed.
  const plain = await t.app.inject({ url: `/manage/events/${eventId}/registrations`, headers: { cookie: oluCookie } });
  assert.equal(plain.headers['content-encoding'], undefined);
  assert.match(plain.body, /Olu Organiser/);
  assert.equal(stats.hits, hits, 'none of them was answered from what was kept for Olu');

  // A change that is told reaches the kept page.
  await t.services.registrations.book(null, {
    sessionIds: [sessionId],
    who: { personId: (await createPerson(t.services, { name: 'Newly Booked' })).id },
  });
  await eventually(async () => /Newly Booked/.test(await inflate(await list(oluCookie))), 'the booking on the kept list', 3000);
});

test('a kept page is refused at once to its viewer when they lose the role, sign out, or the page depends on the clock', async () => {
  await createPerson(t.services, { name: 'Dee Demoted', email: 'dee@example.org' }, 'staff');
  await createPerson(t.services, { name: 'Sid Signs-out', email: 'sid@example.org' }, 'staff');
  const dee = cookieOf(await signIn(t, 'dee@example.org'));
  assert.equal((await list(dee)).statusCode, 200);
  assert.equal((await list(dee)).statusCode, 200);
  await sql.query(`update people set role = 'participant' where email = 'dee@example.org'`);
  const demoted = Date.now();
  await eventually(async () => (await list(dee)).statusCode !== 200, 'the lesser role to be seen', SESSION_CACHE_MS);
  assert.ok(Date.now() - demoted < SESSION_CACHE_MS / 2, 'through the change feed, not a time limit');
  assert.doesNotMatch((await list(dee)).body, /Bea Booked/);

  const sidClient = await signIn(t, 'sid@example.org');
  const sid = cookieOf(sidClient);
  assert.equal((await list(sid)).statusCode, 200);
  await sidClient.get('/account');
  assert.equal((await sidClient.post('/sign-out')).statusCode, 303);
  const after = await list(sid);
  assert.notEqual(after.statusCode, 200);
  assert.doesNotMatch(after.body, /Bea Booked/);

  // After a cancellation the page says how long it can be undone: made each time, never kept.
  const olu = cookieOf(await signIn(t, 'olu@example.org'));
  const { hits, stored } = t.app.viewerCacheStats;
  for (let i = 0; i < 3; i++) assert.equal((await list(olu, '?late=1')).statusCode, 200);
  assert.deepEqual(t.app.viewerCacheStats, { hits, stored });
});

async function inflate(res: { rawPayload: Buffer; headers: Record<string, unknown> }) {
  const { gunzipSync } = await import('node:zlib');
  return (res.headers['content-encoding'] === 'gzip' ? gunzipSync(res.rawPayload) : res.rawPayload).toString();
}
