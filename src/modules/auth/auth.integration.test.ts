import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { createPerson } from '../../../test/builders.ts';
import { startTestApp, type TestApp } from '../../../test/harness.ts';
import { apiCaller, linkFrom, signIn, WebClient } from '../../../test/web-client.ts';
import { API_TOKEN_CACHE_MS } from './auth-service.ts';

let t: TestApp;
let db: pg.Client;
before(async () => {
  t = await startTestApp({ SIGN_IN_LIMIT_PER_EMAIL: '3', SIGN_IN_LIMIT_PER_IP: '8', SESSION_IDLE_MINUTES: '30' });
  db = new pg.Client({ connectionString: t.databaseUrl });
  await db.connect();
});
after(async () => {
  await db.end();
  await t.close();
});

async function requestLink(client: WebClient, email: string) {
  const before = (await t.emailsTo(email)).length;
  await client.get('/sign-in');
  const res = await client.post('/sign-in', { email });
  assert.equal(res.statusCode, 303);
  return new URL(linkFrom((await t.waitForEmail(email, { after: before })).body));
}

describe('sign-in by emailed link', () => {
  test('the emailed link signs the person in, with a new session id, and works only once', async () => {
    const person = await createPerson(t.services, { email: 'ada@example.org' });
    const client = new WebClient(t.app);
    const link = await requestLink(client, 'ADA@example.org');
    assert.equal((await client.get('/account')).statusCode, 303, 'not signed in before following the link');

    const page = await client.get(link.pathname + link.search);
    assert.equal(page.statusCode, 200);
    const done = await client.post('/sign-in/verify', { token: link.searchParams.get('token')! });
    assert.equal(done.statusCode, 303);
    const sessionCookie = done.cookies.find((c) => c.name === 'cp_session')!;
    assert.ok(sessionCookie.httpOnly);
    assert.equal(sessionCookie.sameSite, 'Lax');
    const account = await client.get('/account');
    assert.equal(account.statusCode, 200);
    assert.match(account.body, new RegExp(person.name));

    const again = await new WebClient(t.app).post('/sign-in/verify', { token: link.searchParams.get('token')!, _csrf: null });
    assert.equal(again.statusCode, 403, 'no CSRF token: refused');
    const other = new WebClient(t.app);
    await other.get(link.pathname + link.search);
    const reused = await other.post('/sign-in/verify', { token: link.searchParams.get('token')! });
    assert.equal(reused.statusCode, 400);
    assert.match(reused.body, /already been used/);
  });

  test('signing in gives a session id different from any the browser had', async () => {
    await createPerson(t.services, { email: 'fixation@example.org' });
    const client = new WebClient(t.app);
    client.cookies.set('cp_session', 'attacker-chosen-session-id');
    const link = await requestLink(client, 'fixation@example.org');
    await client.get(link.pathname + link.search);
    await client.post('/sign-in/verify', { token: link.searchParams.get('token')! });
    const session = client.cookies.get('cp_session');
    assert.ok(session && session !== 'attacker-chosen-session-id');
  });

  test('an expired link is refused and does not sign in', async () => {
    await createPerson(t.services, { email: 'late@example.org' });
    const client = new WebClient(t.app);
    const link = await requestLink(client, 'late@example.org');
    await db.query(`update sign_in_tokens set expires_at = now() - interval '1 second'`);
    await client.get(link.pathname + link.search);
    const res = await client.post('/sign-in/verify', { token: link.searchParams.get('token')! });
    assert.equal(res.statusCode, 400);
    assert.match(res.body, /expired/);
    assert.equal((await client.get('/account')).statusCode, 303);
  });

  test('a tampered link is refused', async () => {
    await createPerson(t.services, { email: 'tamper@example.org' });
    const client = new WebClient(t.app);
    const link = await requestLink(client, 'tamper@example.org');
    const token = link.searchParams.get('token')!;
    const tampered = token.slice(0, -2) + (token.endsWith('AA') ? 'BB' : 'AA');
    await client.get(`/sign-in/verify?token=${tampered}`);
    const res = await client.post('/sign-in/verify', { token: tampered });
    assert.equal(res.statusCode, 400);
    assert.match(res.body, /not valid/);
    const short = await client.get('/sign-in/verify?token=abc');
    assert.equal(short.statusCode, 400);
  });

  test('an unknown address gets the same answer and no email', async () => {
    const client = new WebClient(t.app);
    await client.get('/sign-in');
    const res = await client.post('/sign-in', { email: 'nobody-here@example.org' });
    assert.equal(res.statusCode, 303);
    assert.equal(res.headers.location, '/sign-in/check-email');
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal((await t.emailsTo('nobody-here@example.org')).length, 0);
  });

  test('a malformed email address gets an error summary and changes nothing', async () => {
    const client = new WebClient(t.app);
    await client.get('/sign-in');
    const { rows: before } = await db.query('select count(*)::int as n from sign_in_requests');
    const res = await client.post('/sign-in', { email: 'not-an-email' });
    assert.equal(res.statusCode, 400);
    assert.match(res.body, /nhsuk-error-summary/);
    assert.match(res.body, /Enter an email address in the correct format/);
    assert.match(res.body, /value="not-an-email"/, 'keeps what the person typed');
    const { rows: afterRows } = await db.query('select count(*)::int as n from sign_in_requests');
    assert.equal(afterRows[0].n, before[0].n);
    const unknownField = await client.post('/sign-in', { email: 'a@example.org', admin: 'true' });
    assert.equal(unknownField.statusCode, 400);
  });

  test('sign-in requests are limited per address', async () => {
    await createPerson(t.services, { email: 'limit@example.org' });
    const client = new WebClient(t.app);
    await client.get('/sign-in');
    for (let i = 0; i < 3; i++) assert.equal((await client.post('/sign-in', { email: 'limit@example.org' })).statusCode, 303);
    const limited = await client.post('/sign-in', { email: 'limit@example.org' });
    assert.equal(limited.statusCode, 429);
    assert.match(limited.body, /too many sign-in links/);
  });

  test('sign-in requests are limited per IP address', async () => {
    const client = new WebClient(t.app);
    await client.get('/sign-in');
    const { rows } = await db.query(`select count(*)::int as n from sign_in_requests where ip = '127.0.0.1'`);
    const used = rows[0].n as number;
    const statuses: number[] = [];
    for (let i = used; i < 9; i++) statuses.push((await client.post('/sign-in', { email: `ip-${i}@example.org` })).statusCode);
    assert.equal(statuses.at(-1), 429);
    assert.ok(statuses.slice(0, -1).every((s) => s === 303));
  });

  test('an idle session ends, and signing out ends the session', async () => {
    await db.query('delete from sign_in_requests');
    const idle = await createPerson(t.services, { email: 'idle@example.org' });
    const client = await signIn(t, 'idle@example.org');
    assert.equal((await client.get('/account')).statusCode, 200);
    await db.query(`update web_sessions set last_seen_at = now() - interval '31 minutes'`);
    assert.equal((await client.get('/account')).statusCode, 303);

    await db.query('delete from sign_in_requests');
    const again = await signIn(t, 'idle@example.org');
    await again.get('/account');
    const out = await again.post('/sign-out');
    assert.equal(out.statusCode, 303);
    const { rows } = await db.query('select count(*)::int as n from web_sessions where person_id = $1', [idle.id]);
    assert.equal(rows[0].n, 0);
    assert.equal((await again.get('/account')).statusCode, 303);
  });

  test('the clean-up removes expired sessions and old rate-limit counts', async () => {
    const person = await createPerson(t.services, { email: 'cleanup@example.org' });
    await db.query(
      `insert into web_sessions (id_hash, person_id, expires_at) values ('expired', $1, now() - interval '1 minute'), ('live', $1, now() + interval '1 hour')`,
      [person.id],
    );
    await db.query(
      `insert into sign_in_requests (email_key, ip, created_at) values ('old@example.org', '10.0.0.1', now() - interval '2 days')`,
    );
    await t.services.auth.removeExpired();
    const { rows } = await db.query('select id_hash from web_sessions where person_id = $1', [person.id]);
    assert.deepEqual(
      rows.map((r) => r.id_hash),
      ['live'],
    );
    assert.equal((await db.query(`select count(*)::int as n from sign_in_requests where email_key = 'old@example.org'`)).rows[0].n, 0);
  });

  test('a session past its absolute lifetime ends even if active', async () => {
    await db.query('delete from sign_in_requests');
    await createPerson(t.services, { email: 'old@example.org' });
    const client = await signIn(t, 'old@example.org');
    await db.query(`update web_sessions set expires_at = now() - interval '1 second'`);
    assert.equal((await client.get('/account')).statusCode, 303);
  });
});

describe('API tokens', () => {
  const api = apiCaller(
    () => t.app,
    () => '',
  );
  const tokenId = async (personId: string, name: string) =>
    (await db.query('select id from api_tokens where person_id = $1 and name = $2', [personId, name])).rows[0].id as string;

  test('a revoked token stops working at once, though it was just used; the owner’s other tokens go on working', async () => {
    const staff = await createPerson(t.services, { email: 'token-staff@example.org' }, 'staff');
    const token = await t.services.auth.createApiToken(null, staff.id, 'to revoke');
    const other = await t.services.auth.createApiToken(null, staff.id, 'to keep');
    // Used just now, so this process remembers it.
    assert.equal((await api('GET', '/api/v1/people', undefined, token)).statusCode, 200);
    assert.equal((await api('GET', '/api/v1/people', undefined, token)).statusCode, 200);
    assert.equal((await api('GET', '/api/v1/people', undefined, other)).statusCode, 200);
    await t.services.auth.revokeApiToken(staff.id, await tokenId(staff.id, 'to revoke'));
    assert.equal((await api('GET', '/api/v1/people', undefined, token)).statusCode, 401);
    assert.equal((await api('GET', '/api/v1/people', undefined, other)).statusCode, 200);
  });

  test('revoked while a call with the token is being checked: the next call is refused', async () => {
    const staff = await createPerson(t.services, { email: 'token-race@example.org' }, 'staff');
    const token = await t.services.auth.createApiToken(null, staff.id, 'raced');
    const checking = api('GET', '/api/v1/people', undefined, token);
    await t.services.auth.revokeApiToken(staff.id, await tokenId(staff.id, 'raced'));
    await checking;
    assert.equal((await api('GET', '/api/v1/people', undefined, token)).statusCode, 401);
  });

  test('the token of someone erased stops working at once', async () => {
    const staff = await createPerson(t.services, { email: 'token-erased@example.org' }, 'staff');
    const token = await t.services.auth.createApiToken(null, staff.id, 'theirs');
    assert.equal((await api('GET', '/api/v1/people', undefined, token)).statusCode, 200);
    const first = await createPerson(t.services, { email: 'token-admin-1@example.org' }, 'admin');
    const second = await createPerson(t.services, { email: 'token-admin-2@example.org' }, 'admin');
    await t.services.people.requestErasure({ personId: first.id, role: 'admin' }, staff.id);
    await t.services.people.confirmErasure({ personId: second.id, role: 'admin' }, staff.id);
    assert.equal((await api('GET', '/api/v1/people', undefined, token)).statusCode, 401);
  });

  test('revoked by another process: refused once this process’s memory of the token runs out', async () => {
    const staff = await createPerson(t.services, { email: 'token-elsewhere@example.org' }, 'staff');
    const token = await t.services.auth.createApiToken(null, staff.id, 'elsewhere');
    assert.equal((await api('GET', '/api/v1/people', undefined, token)).statusCode, 200);
    // As another process would: straight in the database, unseen by this one.
    await db.query('update api_tokens set revoked_at = now() where person_id = $1', [staff.id]);
    await new Promise((r) => setTimeout(r, API_TOKEN_CACHE_MS + 100));
    assert.equal((await api('GET', '/api/v1/people', undefined, token)).statusCode, 401);
  });
});
