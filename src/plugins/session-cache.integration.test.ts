import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import pg from 'pg';
import { createAdminWithToken, createPerson } from '../../test/builders.ts';
import { eventually, startTestApp, type TestApp } from '../../test/harness.ts';
import { signIn } from '../../test/web-client.ts';
import { SESSION_CACHE_MS } from './web-session.ts';

let t: TestApp;
let sql: pg.Client;

before(async () => {
  // With the change feed, as in production: sessions are remembered only while it listens.
  t = await startTestApp({}, {}, { pageCache: true });
  await createAdminWithToken(t.services);
  sql = new pg.Client({ connectionString: t.databaseUrl });
  await sql.connect();
});
after(async () => {
  await sql.end();
  await t.close();
});

const staffPage = (cookie: string) => t.app.inject({ url: '/manage/events', headers: { cookie } });
const cookieOf = (client: { cookies: Map<string, string> }) => [...client.cookies].map(([k, v]) => `${k}=${v}`).join('; ');

test('a session ended by another process stops working within the bound; a role taken away there, at once', async () => {
  await createPerson(t.services, { email: 'organiser@example.org', name: 'Olu Organiser' }, 'staff');
  const cookie = cookieOf(await signIn(t, 'organiser@example.org'));
  assert.equal((await staffPage(cookie)).statusCode, 200);

  // Another process signs the session out: this one trusts what it looked up for a few seconds only.
  const row = (
    await sql.query(`delete from web_sessions where person_id = (select id from people where email = $1) returning *`, [
      'organiser@example.org',
    ])
  ).rows[0];
  const ended = Date.now();
  assert.equal((await staffPage(cookie)).statusCode, 200, 'answered from what was remembered a moment ago');
  await eventually(async () => (await staffPage(cookie)).statusCode !== 200, 'the ended session to be refused', SESSION_CACHE_MS + 2000);
  assert.ok(Date.now() - ended <= SESSION_CACHE_MS + 1000, 'refused within the bound');

  // The same session again, then its person's role is taken away by another process.
  await sql.query(`insert into web_sessions select (json_populate_record(null::web_sessions, $1::json)).*`, [
    JSON.stringify({ ...row, last_seen_at: new Date() }),
  ]);
  assert.equal((await staffPage(cookie)).statusCode, 200, 'remembered again');
  await sql.query(`update people set role = 'participant' where email = $1`, ['organiser@example.org']);
  const demoted = Date.now();
  await eventually(async () => (await staffPage(cookie)).statusCode !== 200, 'the lesser role to be seen', SESSION_CACHE_MS);
  assert.ok(Date.now() - demoted < SESSION_CACHE_MS / 2, `seen through the change feed, not the bound (${Date.now() - demoted} ms)`);
});

test('signing out here ends the session here at once, though it was just remembered', async () => {
  const admin = await signIn(t, 'admin@example.org');
  const cookie = cookieOf(admin);
  assert.equal((await staffPage(cookie)).statusCode, 200);
  assert.equal((await staffPage(cookie)).statusCode, 200);
  await admin.get('/account');
  assert.equal((await admin.post('/sign-out')).statusCode, 303);
  const after = await staffPage(cookie);
  assert.notEqual(after.statusCode, 200);
  assert.doesNotMatch(after.body, /Ada Admin/);
});

test('one person’s session is never answered with another’s, though both are remembered', async () => {
  await createPerson(t.services, { email: 'second@example.org', name: 'Sam Second' }, 'staff');
  await createPerson(t.services, { email: 'third@example.org', name: 'Tia Third' }, 'staff');
  const second = cookieOf(await signIn(t, 'second@example.org'));
  const third = cookieOf(await signIn(t, 'third@example.org'));
  for (let i = 0; i < 3; i++) {
    const [a, b] = await Promise.all([
      t.app.inject({ url: '/account', headers: { cookie: second } }),
      t.app.inject({ url: '/account', headers: { cookie: third } }),
    ]);
    assert.match(a.body, /Sam Second/);
    assert.doesNotMatch(a.body, /Tia Third/);
    assert.match(b.body, /Tia Third/);
    assert.doesNotMatch(b.body, /Sam Second/);
  }
});
