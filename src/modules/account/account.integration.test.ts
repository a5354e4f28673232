import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { createPerson } from '../../../test/builders.ts';
import { startTestApp, type TestApp } from '../../../test/harness.ts';
import { signIn } from '../../../test/web-client.ts';

let t: TestApp;
let db: pg.Client;
before(async () => {
  t = await startTestApp();
  db = new pg.Client({ connectionString: t.databaseUrl });
  await db.connect();
  await createPerson(t.services, { email: 'staff@example.org' }, 'staff');
  await createPerson(t.services, { email: 'admin@example.org' }, 'admin');
});
after(async () => {
  await db.end();
  await t.close();
});

describe('my account', () => {
  test('a person changes their own details and access needs', async () => {
    const me = await createPerson(t.services, { email: 'me@example.org', name: 'Jo' });
    const client = await signIn(t, 'me@example.org');
    const form = await client.get('/account/details');
    assert.match(form.body, /value="Jo"/);
    const res = await client.post('/account/details', {
      name: 'Jo Bloggs',
      labelName: 'Jo',
      pronouns: 'they/them',
      experience: 'lived',
      email: 'me@example.org',
      contactPreference: 'email',
      accessNeeds: 'easy_read',
      accessNotes: 'Plain words, please',
    });
    assert.equal(res.statusCode, 303);
    const { rows } = await db.query('select name, label_name, access_needs, access_notes from people where id = $1', [me.id]);
    assert.deepEqual(rows[0], { name: 'Jo Bloggs', label_name: 'Jo', access_needs: ['easy_read'], access_notes: 'Plain words, please' });
    const page = await client.get('/account');
    assert.match(page.body, /Easy read/);
  });

  test('an over-long field is refused with a message and nothing changes', async () => {
    const me = await createPerson(t.services, { email: 'long@example.org', name: 'Short' });
    const client = await signIn(t, 'long@example.org');
    await client.get('/account/details');
    const res = await client.post('/account/details', { name: 'x'.repeat(201), experience: 'lived', email: 'long@example.org' });
    assert.equal(res.statusCode, 400);
    assert.match(res.body, /Name must be 200 characters or fewer/);
    assert.equal((await db.query('select name from people where id = $1', [me.id])).rows[0].name, 'Short');
  });

  test('giving consent twice records it once; withdrawing takes effect at once, with the wording kept', async () => {
    const me = await createPerson(t.services, { email: 'consent@example.org' });
    const client = await signIn(t, 'consent@example.org');
    await client.get('/account/consents');
    await client.post('/account/consents/give', { purpose: 'quoting' });
    await client.post('/account/consents/give', { purpose: 'quoting' });
    const { rows } = await db.query('select wording, withdrawn_at from consents where person_id = $1', [me.id]);
    assert.equal(rows.length, 1);
    assert.match(rows[0].wording, /quote what I write or say/);
    assert.equal(await t.services.consents.hasConsent(me.id, 'quoting'), true);

    await client.get('/account/consents');
    const res = await client.post('/account/consents/withdraw', { purpose: 'quoting' });
    assert.equal(res.statusCode, 303);
    assert.equal(await t.services.consents.hasConsent(me.id, 'quoting'), false);
    const audit = await db.query(`select action from audit_log where subject_id = $1 and action like 'consent.%' order by id`, [me.id]);
    assert.deepEqual(
      audit.rows.map((r) => r.action),
      ['consent.given', 'consent.withdrawn'],
    );
    assert.equal((await client.post('/account/consents/give', { purpose: 'world_domination' })).statusCode, 400);
  });

  test('the download holds everything about the person and nobody else', async () => {
    const me = await createPerson(t.services, {
      email: 'export@example.org',
      name: 'Export Me',
      accessNeeds: ['dietary'],
      accessNotes: 'No nuts',
    });
    await createPerson(t.services, { email: 'someone-else@example.org', name: 'Someone Else' });
    await t.services.consents.give(me.id, me.id, 'contact');
    const client = await signIn(t, 'export@example.org');
    const res = await client.get('/account/export');
    assert.equal(res.statusCode, 200);
    assert.match(res.headers['content-disposition'] as string, /attachment/);
    const data = JSON.parse(res.body);
    assert.equal(data.person.name, 'Export Me');
    assert.equal(data.person.accessNotes, 'No nuts');
    assert.equal(data.consents[0].purpose, 'contact');
    assert.ok(data.activity.some((a: { action: string }) => a.action === 'person.signed_in'));
    assert.ok(!res.body.includes('Someone Else'));
  });

  test('erasure: the person asks, staff confirm, identity goes, the contribution still counts', async () => {
    const me = await createPerson(t.services, {
      email: 'erase@example.org',
      name: 'Erase Me',
      experience: 'lived',
      accessNeeds: ['step_free'],
      phone: '01234 567890',
    });
    await t.services.consents.give(me.id, me.id, 'photos');
    const client = await signIn(t, 'erase@example.org');
    const asking = await client.get('/account/erasure');
    assert.match(asking.body, /claimed payment .* we keep the dates and amounts without your name/, 'says what erasure keeps');
    assert.equal((await client.post('/account/erasure')).statusCode, 303);

    const staff = await signIn(t, 'staff@example.org');
    const list = await staff.get('/erasure-requests');
    assert.match(list.body, /Erase Me/);
    assert.equal((await staff.post(`/erasure-requests/${me.id}/confirm`)).statusCode, 303);

    const { rows } = await db.query('select * from people where id = $1', [me.id]);
    const row = rows[0];
    assert.equal(row.name, 'Erased person');
    assert.equal(row.email, null);
    assert.equal(row.phone, null);
    assert.deepEqual(row.access_needs, []);
    assert.equal(row.experience, 'lived', 'still counts in the lay/professional mix');
    assert.ok(row.erased_at);
    assert.equal((await db.query('select count(*)::int as n from consents where person_id = $1', [me.id])).rows[0].n, 0);
    assert.equal((await db.query('select count(*)::int as n from web_sessions where person_id = $1', [me.id])).rows[0].n, 0);
    assert.equal((await client.get('/account')).statusCode, 303, 'their session has ended');
    assert.equal((await staff.get(`/people/${me.id}`)).statusCode, 404);
  });

  test('staff cannot erase someone who did not ask', async () => {
    const other = await createPerson(t.services, { name: 'Did Not Ask' });
    const staff = await signIn(t, 'staff@example.org');
    await staff.get('/erasure-requests');
    await staff.post(`/erasure-requests/${other.id}/confirm`);
    assert.equal((await db.query('select name from people where id = $1', [other.id])).rows[0].name, 'Did Not Ask');
  });

  test('a person can change their mind before staff confirm', async () => {
    const me = await createPerson(t.services, { email: 'changed-mind@example.org' });
    const client = await signIn(t, 'changed-mind@example.org');
    await client.get('/account/erasure');
    await client.post('/account/erasure');
    await client.get('/account/erasure');
    await client.post('/account/erasure/cancel');
    assert.equal((await db.query('select erasure_requested_at from people where id = $1', [me.id])).rows[0].erasure_requested_at, null);
  });
});
