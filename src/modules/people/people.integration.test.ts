import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { createPerson } from '../../../test/builders.ts';
import { startTestApp, type TestApp } from '../../../test/harness.ts';
import { signIn, type WebClient } from '../../../test/web-client.ts';

let t: TestApp;
let db: pg.Client;
let staff: WebClient;
let admin: WebClient;
let participant: WebClient;
let adminId: string;

const count = async (sql: string, params: unknown[] = []) => (await db.query(sql, params)).rows[0].n as number;

before(async () => {
  t = await startTestApp();
  db = new pg.Client({ connectionString: t.databaseUrl });
  await db.connect();
  await createPerson(t.services, { email: 'staff@example.org', name: 'Sam Staff' }, 'staff');
  adminId = (await createPerson(t.services, { email: 'admin@example.org', name: 'Alex Admin' }, 'admin')).id;
  await createPerson(t.services, { email: 'pat@example.org', name: 'Pat Participant' });
  staff = await signIn(t, 'staff@example.org');
  admin = await signIn(t, 'admin@example.org');
  participant = await signIn(t, 'pat@example.org');
});
after(async () => {
  await db.end();
  await t.close();
});

describe('staff add and edit people', () => {
  test('staff add someone who has no email, contacted by post, with access needs', async () => {
    await staff.get('/people/new');
    const res = await staff.post('/people/new', {
      name: 'Margaret Osei',
      experience: 'lived',
      postalAddress: '12 Meadow Lane, Banbury',
      contactPreference: 'post',
      accessNeeds: ['large_print', 'hearing_loop'],
      labelName: 'Margaret',
    });
    assert.equal(res.statusCode, 303);
    const id = /\/people\/([0-9a-f-]+)/.exec(res.headers.location as string)![1]!;
    const { rows } = await db.query('select * from people where id = $1', [id]);
    assert.equal(rows[0].email, null);
    assert.deepEqual(rows[0].access_needs.sort(), ['hearing_loop', 'large_print']);
    assert.equal(rows[0].contact_preference, 'post');
    const page = await staff.get(`/people/${id}`);
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /Large print/);
    assert.equal(await count(`select count(*)::int as n from audit_log where action = 'person.created' and subject_id = $1`, [id]), 1);
  });

  test('a bad form re-renders with an error summary, keeps the input and writes nothing', async () => {
    const before = await count('select count(*)::int as n from people');
    await staff.get('/people/new');
    const res = await staff.post('/people/new', {
      name: '',
      experience: 'martian',
      email: 'nope',
      contactPreference: 'email',
      organisation: 'Keep me',
    });
    assert.equal(res.statusCode, 400);
    assert.match(res.body, /There is a problem/);
    assert.match(res.body, /href="#name"/);
    assert.match(res.body, /Choose lived experience, professional, or both/);
    assert.match(res.body, /value="Keep me"/);
    assert.equal(await count('select count(*)::int as n from people'), before);
  });

  test('choosing email contact without an email address is refused', async () => {
    await staff.get('/people/new');
    const res = await staff.post('/people/new', { name: 'No Way', experience: 'professional', contactPreference: 'email' });
    assert.equal(res.statusCode, 400);
    assert.match(res.body, /Enter an email address, or choose phone or post/);
  });

  test('an email address already in use is a clear conflict', async () => {
    await staff.get('/people/new');
    const res = await staff.post('/people/new', { name: 'Dup', experience: 'both', email: 'PAT@example.org' });
    assert.equal(res.statusCode, 400);
    assert.match(res.body, /already here/);
  });

  test('editing records which fields changed, and viewing access needs is audited', async () => {
    const person = await createPerson(t.services, { name: 'Edit Me', accessNeeds: ['step_free'] });
    const viewsBefore = await count(
      `select count(*)::int as n from audit_log where action = 'person.access_needs.viewed' and subject_id = $1`,
      [person.id],
    );
    await staff.get(`/people/${person.id}/edit`);
    const res = await staff.post(`/people/${person.id}/edit`, {
      name: 'Edit Me',
      experience: 'both',
      email: person.email!,
      contactPreference: 'email',
      accessNeeds: ['step_free', 'bsl_interpreter'],
    });
    assert.equal(res.statusCode, 303);
    const { rows } = await db.query(`select details from audit_log where action = 'person.updated' and subject_id = $1`, [person.id]);
    assert.deepEqual(rows[0].details.fields.sort(), ['accessNeeds', 'experience']);
    assert.ok(!JSON.stringify(rows[0].details).includes('bsl'), 'the audit log names fields, not their values');
    const viewsAfter = await count(
      `select count(*)::int as n from audit_log where action = 'person.access_needs.viewed' and subject_id = $1`,
      [person.id],
    );
    assert.equal(viewsAfter, viewsBefore + 1);
  });

  test('search finds people by name', async () => {
    await createPerson(t.services, { name: 'Zebedee Unique' });
    const res = await staff.get('/people?q=zebedee');
    assert.match(res.body, /Zebedee Unique/);
    assert.doesNotMatch(res.body, /Pat Participant/);
  });
});

describe('who may see what', () => {
  test("a participant asking for someone else's record gets 404, and nothing is audited", async () => {
    const other = await createPerson(t.services, { name: 'Private Person' });
    const res = await participant.get(`/people/${other.id}`);
    assert.equal(res.statusCode, 404);
    assert.doesNotMatch(res.body, /Private Person/);
    assert.equal(
      await count(`select count(*)::int as n from audit_log where action = 'person.access_needs.viewed' and subject_id = $1`, [other.id]),
      0,
    );
    assert.equal((await participant.get('/people')).statusCode, 404);
    assert.equal((await participant.get('/audit')).statusCode, 403);
  });

  test('unknown and malformed ids are 404, not errors', async () => {
    assert.equal((await staff.get(`/people/${randomUUID()}`)).statusCode, 404);
    assert.equal((await staff.get('/people/not-a-uuid')).statusCode, 404);
    await staff.get('/people');
    assert.equal((await staff.get(`/people/${randomUUID()}/edit`)).statusCode, 404);
  });

  test('signed-out visitors are sent to sign in', async () => {
    const res = await t.app.inject({ url: '/people' });
    assert.equal(res.statusCode, 303);
    assert.equal(res.headers.location, '/sign-in');
  });

  test('only an admin changes roles, and the last admin cannot be demoted', async () => {
    const person = await createPerson(t.services, { name: 'Future Facilitator' });
    await staff.get(`/people/${person.id}`);
    assert.equal((await staff.post(`/people/${person.id}/role`, { role: 'admin' })).statusCode, 404);
    assert.equal((await db.query('select role from people where id = $1', [person.id])).rows[0].role, 'participant');

    await admin.get(`/people/${person.id}`);
    assert.equal((await admin.post(`/people/${person.id}/role`, { role: 'facilitator' })).statusCode, 303);
    assert.equal((await db.query('select role from people where id = $1', [person.id])).rows[0].role, 'facilitator');
    const { rows } = await db.query(`select details from audit_log where action = 'role.changed' and subject_id = $1`, [person.id]);
    assert.deepEqual(rows[0].details, { from: 'participant', to: 'facilitator' });

    assert.equal((await admin.post(`/people/${person.id}/role`, { role: 'emperor' })).statusCode, 400);
    await admin.get(`/people/${adminId}`);
    const last = await admin.post(`/people/${adminId}/role`, { role: 'staff' });
    assert.equal(last.statusCode, 303);
    assert.match(last.headers.location as string, /error=last-admin/);
    assert.equal((await db.query('select role from people where id = $1', [adminId])).rows[0].role, 'admin');
  });

  test('a form without its CSRF token changes nothing', async () => {
    const before = await count('select count(*)::int as n from people');
    await staff.get('/people/new');
    const res = await staff.post('/people/new', { _csrf: null, name: 'Sneaky', experience: 'lived', email: 'sneaky@example.org' });
    assert.equal(res.statusCode, 403);
    const wrong = await staff.post('/people/new', {
      _csrf: 'forged-token',
      name: 'Sneaky',
      experience: 'lived',
      email: 'sneaky@example.org',
    });
    assert.equal(wrong.statusCode, 403);
    assert.equal(await count('select count(*)::int as n from people'), before);
  });

  test('staff record consent given by phone, and withdrawing it takes effect at once', async () => {
    const person = await createPerson(t.services, { name: 'Phone Consent' });
    await staff.get(`/people/${person.id}`);
    await staff.post(`/people/${person.id}/consents/give`, { purpose: 'photos' });
    assert.equal(await t.services.consents.hasConsent(person.id, 'photos'), true);
    const { rows } = await db.query('select recorded_by from consents where person_id = $1', [person.id]);
    assert.ok(rows[0].recorded_by, 'records who took the consent');
    await staff.post(`/people/${person.id}/consents/withdraw`, { purpose: 'photos' });
    assert.equal(await t.services.consents.hasConsent(person.id, 'photos'), false);
  });
});
