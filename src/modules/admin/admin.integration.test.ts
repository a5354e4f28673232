import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createPerson } from '../../../test/builders.ts';
import { startTestApp, type TestApp } from '../../../test/harness.ts';
import { signIn } from '../../../test/web-client.ts';

let t: TestApp;
before(async () => {
  t = await startTestApp();
  await createPerson(t.services, { email: 'admin@example.org', name: 'Ada Admin' }, 'admin');
  await createPerson(t.services, { email: 'staff@example.org', name: 'Stef Staff' }, 'staff');
});
after(async () => t.close());

test('an admin creates an API token in the web UI, sees it once, and revokes it', async () => {
  const admin = await signIn(t, 'admin@example.org');
  await admin.get('/admin/api-tokens');
  const empty = await admin.post('/admin/api-tokens', { name: '' });
  assert.equal(empty.statusCode, 400);
  assert.match(empty.body, /Enter a name for the token/);

  const created = await admin.post('/admin/api-tokens', { name: 'Trust data warehouse' });
  assert.equal(created.statusCode, 200);
  assert.equal(created.headers['cache-control'], 'no-store');
  const token = /id="token">([^<]+)</.exec(created.body)![1]!;
  const call = () => t.app.inject({ url: '/api/v1/people', headers: { authorization: `Bearer ${token}` } });
  assert.equal((await call()).statusCode, 200);

  const list = await admin.get('/admin/api-tokens');
  assert.ok(!list.body.includes(token), 'the list never shows the token again');
  const id = /\/admin\/api-tokens\/([0-9a-f-]+)\/revoke/.exec(list.body)![1]!;
  assert.equal((await admin.post(`/admin/api-tokens/${id}/revoke`)).statusCode, 303);
  assert.equal((await call()).statusCode, 401);
  assert.equal((await admin.post(`/admin/api-tokens/${id}/revoke`)).statusCode, 404, 'revoking twice is a clear not-found');
});

test('staff cannot manage API tokens', async () => {
  const staff = await signIn(t, 'staff@example.org');
  assert.equal((await staff.get('/admin/api-tokens')).statusCode, 403);
});

test('staff read the audit log, newest first, with names rather than ids', async () => {
  const staff = await signIn(t, 'staff@example.org');
  const person = await createPerson(t.services, { name: 'Audited Person' });
  await staff.get(`/people/${person.id}`);
  const log = await staff.get(`/audit?person=${person.id}`);
  assert.equal(log.statusCode, 200);
  const viewed = log.body.indexOf('person.access_needs.viewed');
  const created = log.body.indexOf('person.created');
  assert.ok(viewed > 0 && created > viewed, 'the viewing comes first, being newer');
  assert.match(log.body, /Stef Staff/);
});
