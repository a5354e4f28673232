import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { createPerson } from '../../../test/builders.ts';
import { startTestApp, type TestApp } from '../../../test/harness.ts';
import { apiCaller, signIn, type WebClient } from '../../../test/web-client.ts';

let t: TestApp;
let db: pg.Client;
let staff: WebClient;
let admin: WebClient;
let staffId: string;
let adminId: string;

const one = async (sql: string, params: unknown[] = []) => (await db.query(sql, params)).rows[0];

before(async () => {
  t = await startTestApp();
  db = new pg.Client({ connectionString: t.databaseUrl });
  await db.connect();
  staffId = (await createPerson(t.services, { email: 'staff@example.org', name: 'Sam Staff' }, 'staff')).id;
  adminId = (await createPerson(t.services, { email: 'admin@example.org', name: 'Alex Admin' }, 'admin')).id;
  await createPerson(t.services, { email: 'second-admin@example.org', name: 'Second Admin' }, 'admin');
  staff = await signIn(t, 'staff@example.org');
  admin = await signIn(t, 'admin@example.org');
});
after(async () => {
  await db.end();
  await t.close();
});

const emailLink = (body: string) => {
  const match = /https?:\/\/\S+\/email-change\/[0-9a-f-]+\?token=[A-Za-z0-9_-]+/.exec(body);
  if (!match) throw new Error('No confirmation link in the email');
  return new URL(match[0]);
};

describe('nobody acts on the record of someone whose role is higher than theirs', () => {
  test('staff cannot change an admin’s details, email included; nothing changes', async () => {
    assert.equal((await staff.get(`/people/${adminId}/edit`)).statusCode, 403);
    await staff.get(`/people/${adminId}`);
    const res = await staff.post(`/people/${adminId}/edit`, {
      name: 'Alex Admin',
      experience: 'professional',
      email: 'attacker@example.org',
    });
    assert.equal(res.statusCode, 403);
    const row = await one('select email, pending_email from people where id = $1', [adminId]);
    assert.deepEqual(row, { email: 'admin@example.org', pending_email: null });
    assert.equal((await t.emailsTo('attacker@example.org')).length, 0);
  });

  test('staff cannot record an erasure request, or consent, for an admin', async () => {
    await staff.get(`/people/${adminId}`);
    assert.equal((await staff.post(`/people/${adminId}/erasure-request`)).statusCode, 403);
    assert.equal((await staff.post(`/people/${adminId}/consents/give`, { purpose: 'photos' })).statusCode, 403);
    assert.equal((await one('select erasure_requested_at from people where id = $1', [adminId])).erasure_requested_at, null);
    assert.equal((await one('select count(*)::int as n from consents where person_id = $1', [adminId])).n, 0);
  });
});

describe('a new email address takes effect only when a link sent to it is used', () => {
  test('staff change a participant’s email: the old address is told, the new one confirms, every way in ends', async () => {
    const person = await createPerson(t.services, { email: 'old-address@example.org', name: 'Olu Participant' });
    const theirs = await signIn(t, 'old-address@example.org');
    const token = await t.services.auth.createApiToken(null, person.id, 'their script');
    const api = apiCaller(
      () => t.app,
      () => token,
    );
    await t.services.auth.requestSignIn('old-address@example.org', '198.51.100.7');

    await staff.get(`/people/${person.id}/edit`);
    const saved = await staff.post(`/people/${person.id}/edit`, {
      name: 'Olu Participant',
      experience: 'lived',
      email: 'new-address@example.org',
    });
    assert.equal(saved.statusCode, 303);
    assert.match(
      (await staff.get(saved.headers.location as string)).body,
      /new-address@example\.org, is used once its owner uses the link/,
    );
    assert.deepEqual(await one('select email, pending_email from people where id = $1', [person.id]), {
      email: 'old-address@example.org',
      pending_email: 'new-address@example.org',
    });

    // Until the link is used, a sign-in link goes only to the old address.
    const before = (await t.emailsTo('new-address@example.org')).length;
    await t.services.auth.requestSignIn('new-address@example.org', '198.51.100.8');
    const notice = await t.waitForEmail('old-address@example.org', { subject: /is being changed/ });
    assert.match(notice.body, /If this was not you/);
    const confirm = await t.waitForEmail('new-address@example.org', { subject: /Confirm your new email address/ });
    await new Promise((r) => setTimeout(r, 1000));
    assert.equal((await t.emailsTo('new-address@example.org')).length, before + 1, 'only the confirmation went to the new address');

    const link = emailLink(confirm.body);
    const stranger = new (theirs.constructor as typeof WebClient)(t.app);
    const page = await stranger.get(link.pathname + link.search);
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /Yes, use this address/);
    // Opening the link changes nothing; a wrong token changes nothing either.
    assert.equal((await one('select email from people where id = $1', [person.id])).email, 'old-address@example.org');
    assert.equal((await stranger.post(link.pathname, { token: 'not-the-token' })).statusCode, 400);
    const done = await stranger.post(link.pathname, { token: link.searchParams.get('token')! });
    assert.equal(done.statusCode, 200);
    assert.match(done.body, /Your email address is changed/);
    assert.deepEqual(await one('select email, pending_email from people where id = $1', [person.id]), {
      email: 'new-address@example.org',
      pending_email: null,
    });

    // Sessions, unused sign-in links and API tokens from before have ended.
    const account = await theirs.get('/account');
    assert.equal(account.statusCode, 303);
    assert.equal((await api('GET', `/api/v1/people/${person.id}`)).statusCode, 401);
    assert.equal((await one('select count(*)::int as n from sign_in_tokens where person_id = $1', [person.id])).n, 0);
    // The link works once.
    assert.equal((await stranger.post(link.pathname, { token: link.searchParams.get('token')! })).statusCode, 400);
    // And the new address signs in.
    await signIn(t, 'new-address@example.org');
  });

  test('a person changing their own email is asked to confirm it too', async () => {
    await createPerson(t.services, { email: 'self@example.org', name: 'Sol Self' });
    const me = await signIn(t, 'self@example.org');
    await me.get('/account/details');
    const res = await me.post('/account/details', { name: 'Sol Self', experience: 'lived', email: 'self-new@example.org' });
    assert.equal(res.statusCode, 303);
    assert.match((await me.get(res.headers.location as string)).body, /We have sent a link to self-new@example\.org/);
    assert.equal((await one(`select email from people where name = 'Sol Self'`)).email, 'self@example.org');
    await t.waitForEmail('self-new@example.org', { subject: /Confirm your new email address/ });
  });
});

describe('erasure needs two people, and staff records need an admin', () => {
  test('the member of staff who recorded a request cannot confirm it; another can', async () => {
    const person = await createPerson(t.services, { name: 'Phone Caller', email: 'caller@example.org' });
    await staff.get(`/people/${person.id}`);
    assert.equal((await staff.post(`/people/${person.id}/erasure-request`)).statusCode, 303);
    assert.match((await staff.get('/erasure-requests')).body, /Recorded by Sam Staff/);
    const refused = await staff.post(`/erasure-requests/${person.id}/confirm`);
    assert.equal(refused.statusCode, 403);
    assert.match(refused.body, /a different member of staff must confirm it/);
    assert.equal((await one('select erased_at from people where id = $1', [person.id])).erased_at, null);
    await admin.get('/erasure-requests');
    assert.equal((await admin.post(`/erasure-requests/${person.id}/confirm`)).statusCode, 303);
    assert.notEqual((await one('select erased_at from people where id = $1', [person.id])).erased_at, null);
  });

  test('staff cannot erase a member of staff; an admin can', async () => {
    const colleague = await createPerson(t.services, { name: 'Colleague', email: 'colleague@example.org' }, 'staff');
    await t.services.people.requestErasure({ personId: colleague.id, role: 'staff' }, colleague.id);
    await staff.get('/erasure-requests');
    const refused = await staff.post(`/erasure-requests/${colleague.id}/confirm`);
    assert.equal(refused.statusCode, 403);
    assert.match(refused.body, /Only an organisation admin can erase a member of staff/);
    assert.equal((await one('select erased_at from people where id = $1', [colleague.id])).erased_at, null);
    await admin.get('/erasure-requests');
    assert.equal((await admin.post(`/erasure-requests/${colleague.id}/confirm`)).statusCode, 303);
    assert.notEqual((await one('select erased_at from people where id = $1', [colleague.id])).erased_at, null);
  });

  test('nobody confirms their own erasure', async () => {
    await t.services.people.requestErasure({ personId: staffId, role: 'staff' }, staffId);
    await expectRefusal(() => t.services.people.confirmErasure({ personId: staffId, role: 'staff' }, staffId), /different member of staff/);
    await t.services.people.cancelErasureRequest({ personId: staffId, role: 'staff' }, staffId);
  });
});

describe('a role change accepts only its own form’s token', () => {
  test('a token from another form (an injected formaction) cannot change a role', async () => {
    const person = await createPerson(t.services, { name: 'Would Be Admin' });
    await admin.get('/people');
    const generic = admin.lastCsrf;
    const res = await admin.post(`/people/${person.id}/role`, { _csrf: generic, role: 'admin' });
    assert.equal(res.statusCode, 403);
    assert.equal((await one('select role from people where id = $1', [person.id])).role, 'participant');
    // From its own form, it works.
    await admin.get(`/people/${person.id}`);
    assert.equal((await admin.post(`/people/${person.id}/role`, { role: 'facilitator' })).statusCode, 303);
    assert.equal((await one('select role from people where id = $1', [person.id])).role, 'facilitator');
  });
});

async function expectRefusal(run: () => Promise<unknown>, message: RegExp) {
  await assert.rejects(run, (err: Error) => message.test(err.message));
}
