import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { createAdminWithToken, createEventWithSession, createPerson } from '../../test/builders.ts';
import { startTestApp, type TestApp } from '../../test/harness.ts';
import { WebClient } from '../../test/web-client.ts';

describe('public forms and endpoints that write are rate-limited per IP address', () => {
  let t: TestApp;
  let db: pg.Client;
  const LIMIT = 3;

  before(async () => {
    t = await startTestApp({ PUBLIC_POST_LIMIT_PER_MINUTE: String(LIMIT) });
    db = new pg.Client({ connectionString: t.databaseUrl });
    await db.connect();
  });
  after(async () => {
    await db.end();
    await t.close();
  });

  test('page feedback: past the limit a clear 429 page, and nothing written', async () => {
    const client = new WebClient(t.app);
    await client.get('/');
    for (let i = 0; i < LIMIT; i++) assert.equal((await client.post('/page-feedback', { path: '/', useful: 'yes' })).statusCode, 303);
    const count = async () => (await db.query('select count(*)::int as n from page_feedback')).rows[0].n as number;
    const before = await count();
    const refused = await client.post('/page-feedback', { path: '/', useful: 'yes' });
    assert.equal(refused.statusCode, 429);
    assert.match(refused.body, /Too many tries from your connection/);
    assert.ok(Number(refused.headers['retry-after']) > 0, 'says when to try again');
    assert.equal(await count(), before);
    // Another address is not held back by this one.
    const elsewhere = await t.app.inject({
      method: 'POST',
      url: '/page-feedback',
      remoteAddress: '192.0.2.44',
      payload: 'path=/',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    assert.notEqual(elsewhere.statusCode, 429);
  });

  test('the public credential check answers problem+json 429 past the limit', async () => {
    const send = () =>
      t.app.inject({ method: 'POST', url: '/api/v1/credentials/verify', remoteAddress: '192.0.2.45', payload: { not: 'a credential' } });
    for (let i = 0; i < LIMIT; i++) assert.notEqual((await send()).statusCode, 429);
    const refused = await send();
    assert.equal(refused.statusCode, 429);
    assert.match(String(refused.headers['content-type']), /application\/problem\+json/);
    assert.equal(refused.json().status, 429);
  });

  test('every public route that writes is limited, so a new one cannot forget', async () => {
    const id = '00000000-0000-4000-8000-000000000000';
    for (const url of [
      `/events/${id}/register`,
      `/cohorts/${id}/apply`,
      `/f/${id}`,
      '/page-feedback',
      '/api/v1/credentials/verify',
      `/email-change/${id}`,
      '/certificates/check',
      `/registrations/${id}/cancel`,
    ]) {
      const res = await t.app.inject({ method: 'POST', url, remoteAddress: '192.0.2.46' });
      assert.equal(String(res.headers['x-ratelimit-limit']), String(LIMIT), `${url} is limited`);
    }
    // A signed-in staff route is not limited this way.
    const staffRoute = await t.app.inject({ method: 'POST', url: '/people/new', remoteAddress: '192.0.2.46' });
    assert.equal(staffRoute.headers['x-ratelimit-limit'], undefined);
  });
});

describe('registering with someone else’s email address', () => {
  let t: TestApp;
  let db: pg.Client;
  before(async () => {
    t = await startTestApp();
    db = new pg.Client({ connectionString: t.databaseUrl });
    await db.connect();
  });
  after(async () => {
    await db.end();
    await t.close();
  });

  test('changes none of their saved details, and shows or cancels none of their places', async () => {
    const { admin } = await createAdminWithToken(t.services);
    const owner = await createPerson(t.services, {
      email: 'owner@example.org',
      name: 'Olivia Owner',
      labelName: 'Liv',
      accessNeeds: ['hearing_loop'],
      accessNotes: 'Owner notes',
    });
    const { event, session } = await createEventWithSession(t.services, admin, { title: 'Open day', sessionTitle: 'Morning talk' });
    await t.services.registrations.register(
      { personId: owner.id, role: 'participant' },
      { sessionId: session.id, who: { personId: owner.id } },
    );

    const stranger = new WebClient(t.app);
    await stranger.get(`/events/${event.id}/register`);
    const res = await stranger.post(`/events/${event.id}/register`, {
      name: 'Mallory',
      email: 'OWNER@example.org',
      experience: 'professional',
      labelName: 'Mal',
      accessNotes: 'Stranger notes',
      sessionIds: session.id,
    });
    assert.equal(res.statusCode, 303);
    const page = await stranger.get(res.headers.location as string);
    assert.ok(
      !page.body.includes('Olivia') && !page.body.includes('Liv') && !page.body.includes('Owner notes'),
      'nothing of theirs is shown',
    );

    const row = (await db.query('select name, label_name, experience, access_needs, access_notes from people where id = $1', [owner.id]))
      .rows[0];
    assert.deepEqual(row, {
      name: 'Olivia Owner',
      label_name: 'Liv',
      experience: 'lived',
      access_needs: ['hearing_loop'],
      access_notes: 'Owner notes',
    });
    const live = (await db.query(`select count(*)::int as n from registrations where person_id = $1 and status <> 'cancelled'`, [owner.id]))
      .rows[0].n;
    assert.equal(live, 1, 'their place is still theirs, once');
    // The stranger holds no link to cancel it, and the signed-out page needs one.
    const registrationId = (await db.query('select id from registrations where person_id = $1', [owner.id])).rows[0].id;
    assert.equal((await stranger.get(`/registrations/${registrationId}/cancel`)).statusCode, 404);
    assert.equal((await stranger.get(`/events/${event.id}/my-registration`)).statusCode, 303);
  });
});
