import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import pg from 'pg';
import { createPerson } from '../../../test/builders.ts';
import { startTestApp, type TestApp } from '../../../test/harness.ts';
import { apiCaller } from '../../../test/web-client.ts';

const run = promisify(execFile);
let t: TestApp;
let db: pg.Client;
let token: string;

const api = apiCaller(
  () => t.app,
  () => token,
);

before(async () => {
  t = await startTestApp();
  db = new pg.Client({ connectionString: t.databaseUrl });
  await db.connect();
  // The token comes from the real CLI, as an integrator would get it.
  const { stdout } = await run(
    process.execPath,
    ['--import', 'tsx', 'src/cli.ts', 'create-api-token', '--email', 'integrator@example.org', '--role', 'admin'],
    {
      env: { ...process.env, DATABASE_URL: t.databaseUrl, DATA_DIR: t.dataDir, DEMO: 'false' },
    },
  );
  token = stdout.trim().split('\n').at(-1)!;
});
after(async () => {
  await db.end();
  await t.close();
});

describe('People API', () => {
  test('the CLI printed a token alone on its last line, stored only as a hash', async () => {
    assert.match(token, /^cpt_[A-Za-z0-9_-]{40,}$/);
    const { rows } = await db.query('select token_hash from api_tokens');
    assert.equal(rows.length, 1);
    assert.notEqual(rows[0].token_hash, token);
    const { rows: people } = await db.query(`select role from people where email = 'integrator@example.org'`);
    assert.equal(people[0].role, 'admin');
  });

  test('create a person without email, then read them back', async () => {
    const res = await api('POST', '/api/v1/people', {
      name: 'Danny Walsh',
      experience: 'lived',
      phone: '01865 000111',
      contactPreference: 'phone',
      accessNeeds: ['easy_read', 'support_worker'],
      labelName: 'Danny',
    });
    assert.equal(res.statusCode, 201, res.body);
    const created = res.json();
    assert.equal(typeof created.id, 'string');
    assert.equal(created.email, null);
    assert.deepEqual(created.accessNeeds, ['easy_read', 'support_worker']);
    const read = await api('GET', `/api/v1/people/${created.id}`);
    assert.equal(read.statusCode, 200);
    assert.equal(read.json().name, 'Danny Walsh');
    assert.ok(!Number.isNaN(Date.parse(read.json().createdAt)));
    const audited = await db.query(`select details from audit_log where action = 'person.access_needs.viewed' and subject_id = $1`, [
      created.id,
    ]);
    assert.deepEqual(audited.rows[0].details, { via: 'api' });
  });

  test('bad input is a 400 problem with each field named, and writes nothing', async () => {
    const before = (await db.query('select count(*)::int as n from people')).rows[0].n;
    const res = await api('POST', '/api/v1/people', { name: '', experience: 'alien', email: 'x', accessNeeds: ['jetpack'] });
    assert.equal(res.statusCode, 400);
    assert.match(res.headers['content-type'] as string, /application\/problem\+json/);
    const problem = res.json();
    assert.equal(problem.status, 400);
    const paths = problem.errors.map((e: { path: string }) => e.path);
    for (const p of ['name', 'experience', 'email']) assert.ok(paths.includes(p), `names ${p}`);
    assert.ok(paths.some((p: string) => p.startsWith('accessNeeds')));
    assert.equal((await db.query('select count(*)::int as n from people')).rows[0].n, before);
  });

  test('unknown fields, wrong types, broken JSON, a form body and a huge body are all refused', async () => {
    const unknown = await api('POST', '/api/v1/people', { name: 'A', experience: 'lived', role: 'admin' });
    assert.equal(unknown.statusCode, 400);
    assert.match(unknown.json().errors[0].message, /Unknown field: role/);
    assert.equal((await api('POST', '/api/v1/people', { name: 42, experience: 'lived' })).statusCode, 400);
    assert.equal((await api('POST', '/api/v1/people', '{"name": "broken"')).statusCode, 400);
    const form = await t.app.inject({
      method: 'POST',
      url: '/api/v1/people',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'name=A&experience=lived',
    });
    assert.equal(form.statusCode, 415);
    const huge = await api('POST', '/api/v1/people', { name: 'A', experience: 'lived', accessNotes: 'x'.repeat(200_000) });
    assert.equal(huge.statusCode, 413);
    assert.equal(huge.json().status, 413);
  });

  test('a duplicate email is a 409', async () => {
    await api('POST', '/api/v1/people', { name: 'One', experience: 'professional', email: 'dup@example.org' });
    const res = await api('POST', '/api/v1/people', { name: 'Two', experience: 'professional', email: 'DUP@example.org' });
    assert.equal(res.statusCode, 409);
  });

  test('no token, a wrong token and a revoked token are 401; a participant token is 403', async () => {
    assert.equal((await api('GET', '/api/v1/people', undefined, null)).statusCode, 401);
    assert.equal((await api('GET', '/api/v1/people', undefined, 'cpt_wrong')).statusCode, 401);
    const participant = await createPerson(t.services, { email: 'api-participant@example.org' });
    const participantToken = await t.services.auth.createApiToken(null, participant.id, 'test');
    assert.equal((await api('GET', '/api/v1/people', undefined, participantToken)).statusCode, 403);

    const staff = await createPerson(t.services, { email: 'api-staff@example.org' }, 'staff');
    const staffToken = await t.services.auth.createApiToken(null, staff.id, 'to revoke');
    assert.equal((await api('GET', '/api/v1/people', undefined, staffToken)).statusCode, 200);
    const { rows } = await db.query('select id from api_tokens where person_id = $1', [staff.id]);
    await t.services.auth.revokeApiToken(staff.id, rows[0].id);
    assert.equal((await api('GET', '/api/v1/people', undefined, staffToken)).statusCode, 401);
  });

  test('unknown and malformed ids are 404 problems', async () => {
    const a = await api('GET', `/api/v1/people/${randomUUID()}`);
    assert.equal(a.statusCode, 404);
    assert.equal(a.json().status, 404);
    assert.equal((await api('GET', '/api/v1/people/1')).statusCode, 404);
    assert.equal((await api('GET', '/api/v1/nothing-here')).statusCode, 404);
  });

  test('the list pages with a cursor and never repeats or skips anyone', async () => {
    for (let i = 0; i < 7; i++) await createPerson(t.services, { name: `Paged ${String(i).padStart(2, '0')}` });
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res = await api('GET', `/api/v1/people?limit=3&search=Paged${cursor ? `&cursor=${cursor}` : ''}`);
      assert.equal(res.statusCode, 200);
      const body = res.json();
      assert.ok(body.items.length <= 3);
      seen.push(...body.items.map((p: { name: string }) => p.name));
      cursor = body.nextCursor;
    } while (cursor);
    assert.deepEqual(seen, ['Paged 00', 'Paged 01', 'Paged 02', 'Paged 03', 'Paged 04', 'Paged 05', 'Paged 06']);
    assert.equal((await api('GET', '/api/v1/people?limit=5000')).statusCode, 400);
    assert.equal((await api('GET', '/api/v1/people?limit=abc')).statusCode, 400);
  });

  test('the OpenAPI document describes the People endpoints from the same schemas', async () => {
    const res = await t.app.inject({ url: '/api/openapi.json' });
    assert.equal(res.statusCode, 200);
    const doc = res.json();
    assert.equal(doc.openapi, '3.1.0');
    const post = doc.paths['/api/v1/people'].post;
    const schema = post.requestBody.content['application/json'].schema;
    assert.deepEqual(schema.required.sort(), ['experience', 'name']);
    assert.deepEqual(schema.properties.experience.enum, ['lived', 'professional', 'both']);
    assert.equal(schema.additionalProperties, false);
    assert.ok(doc.paths['/api/v1/people/{id}'].get);
  });
});

test('the OpenAPI document lists every v1 endpoint of the contract built so far', async () => {
  const doc = (await t.app.inject({ url: '/api/openapi.json' })).json();
  const listed = Object.entries(doc.paths as Record<string, Record<string, unknown>>).flatMap(([p, ops]) =>
    Object.keys(ops).map((m) => `${m.toUpperCase()} ${p}`),
  );
  for (const want of [
    'POST /api/v1/people',
    'GET /api/v1/people/{id}',
    'POST /api/v1/events',
    'POST /api/v1/events/{id}/publish',
    'POST /api/v1/events/{id}/sessions',
    'GET /api/v1/events/{id}',
    'POST /api/v1/sessions/{id}/registrations',
    'GET /api/v1/sessions/{id}/registrations',
    'POST /api/v1/registrations/{id}/cancel',
    'POST /api/v1/registrations/{id}/check-in',
    'GET /api/v1/registrations/{id}/calendar.ics',
    'POST /api/v1/forms',
    'POST /api/v1/forms/{id}/open',
    'POST /api/v1/forms/{id}/close',
    'POST /api/v1/forms/{id}/responses',
    'GET /api/v1/forms/{id}/responses',
    'GET /api/v1/forms/{id}/results',
    'GET /api/v1/events/{id}/report',
    'POST /api/v1/programmes',
    'POST /api/v1/programmes/{id}/cohorts',
    'POST /api/v1/cohorts/{id}/sessions',
    'POST /api/v1/cohorts/{id}/applications',
    'GET /api/v1/cohorts/{id}/applications',
    'POST /api/v1/applications/{id}/status',
    'GET /api/v1/cohorts/{id}',
    'POST /api/v1/sessions/{id}/attendance',
    'POST /api/v1/cohorts/{id}/graduation',
    'GET /api/v1/certificates/{serial}',
    'GET /api/v1/certificates/{serial}/credential.json',
  ]) {
    assert.ok(listed.includes(want), want);
  }
});
