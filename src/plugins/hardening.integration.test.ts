import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { buildApp } from '../app.ts';
import { createAdminWithToken, createEventWithSession, createPerson } from '../../test/builders.ts';
import { startTestApp, type TestApp } from '../../test/harness.ts';
import { apiCaller, signIn, WebClient } from '../../test/web-client.ts';

/** Findings of the outside security review, each tried the way it was found. */
describe('security review findings', () => {
  let t: TestApp;
  let db: pg.Client;
  let token: string;
  let admin: { personId: string; role: 'admin' };
  const api = apiCaller(
    () => t.app,
    () => token,
  );
  const auditCount = async (action: string, subjectId: string) =>
    (await db.query('select count(*)::int as n from audit_log where action = $1 and subject_id = $2', [action, subjectId])).rows[0]
      .n as number;

  before(async () => {
    t = await startTestApp();
    db = new pg.Client({ connectionString: t.databaseUrl });
    await db.connect();
    ({ admin, token } = await createAdminWithToken(t.services));
    await createPerson(t.services, { email: 'staff@example.org', name: 'Sam Staff' }, 'staff');
  });
  after(async () => {
    await db.end();
    await t.close();
  });

  test('lists of people leave access needs out; reading one person’s is audited', async () => {
    const person = await createPerson(t.services, {
      name: 'Nadia Needs',
      accessNeeds: ['bsl_interpreter'],
      accessNotes: 'I have epilepsy',
    });
    const list = await api('GET', '/api/v1/people?search=Nadia');
    assert.equal(list.statusCode, 200);
    const [item] = list.json().items;
    assert.equal(item.name, 'Nadia Needs');
    assert.ok(!('accessNeeds' in item) && !('accessNotes' in item), 'no access fields in a list');
    assert.ok(!list.body.includes('epilepsy'));
    assert.equal(await auditCount('person.access_needs.viewed', person.id), 0);
    const one = await api('GET', `/api/v1/people/${person.id}`);
    assert.equal(one.json().accessNotes, 'I have epilepsy');
    assert.equal(await auditCount('person.access_needs.viewed', person.id), 1);
  });

  test('registering someone on their behalf fills in their access needs, and that look is audited', async () => {
    const person = await createPerson(t.services, { name: 'Bea Behalf', accessNeeds: ['step_free'], accessNotes: 'Wheelchair user' });
    const { event } = await createEventWithSession(t.services, admin);
    const staff = await signIn(t, 'staff@example.org');
    const page = await staff.get(`/manage/events/${event.id}/register/${person.id}`);
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /Wheelchair user/);
    assert.equal(await auditCount('person.access_needs.viewed', person.id), 1);
  });

  test('a draft event’s title shows to nobody but staff', async () => {
    const { event } = await createEventWithSession(t.services, admin, { publish: false, title: 'Secret restructure briefing' });
    await createPerson(t.services, { email: 'curious@example.org', name: 'Curious Participant' });
    const curious = await signIn(t, 'curious@example.org');
    const res = await curious.get(`/events/${event.id}/my-registration`);
    assert.equal(res.statusCode, 404);
    assert.ok(!res.body.includes('Secret restructure briefing'));
  });

  test('pages and API answers with personal data are not stored by browsers or proxies', async () => {
    const person = await createPerson(t.services, { name: 'Cache Me' });
    const staff = await signIn(t, 'staff@example.org');
    for (const url of ['/account', `/people/${person.id}`, '/people']) {
      const res = await staff.get(url);
      assert.equal(res.statusCode, 200, url);
      assert.equal(res.headers['cache-control'], 'no-store', url);
    }
    assert.equal((await api('GET', '/api/v1/people')).headers['cache-control'], 'no-store');
    assert.equal((await api('GET', `/api/v1/people/${person.id}`)).headers['cache-control'], 'no-store');
    // Static files keep their caching.
    assert.match(String((await t.app.inject({ url: '/static/nhsuk-frontend.css' })).headers['cache-control']), /max-age/);
  });

  test('page feedback from a path with non-ASCII characters gets a clear 400, not a 500', async () => {
    const client = new WebClient(t.app);
    await client.get('/');
    const before = (await db.query('select count(*)::int as n from page_feedback')).rows[0].n;
    const res = await client.post('/page-feedback', { path: '/événements', useful: 'yes' });
    assert.equal(res.statusCode, 400);
    assert.match(res.body, /Not a page of this site/);
    assert.equal((await db.query('select count(*)::int as n from page_feedback')).rows[0].n, before);
    // The same page, percent-encoded as browsers send it, is fine.
    assert.equal((await client.post('/page-feedback', { path: '/%C3%A9v%C3%A9nements', useful: 'yes' })).statusCode, 303);
  });

  test('the request log names paths, never the tokens in sign-in, cancel and invitation links', async () => {
    const lines: string[] = [];
    const logged = await buildApp({
      config: { ...t.config, logLevel: 'info' },
      services: t.services,
      sessionSecret: t.runtime.sessionSecret,
      logStream: { write: (l) => void lines.push(l) },
    });
    try {
      await logged.inject({ url: '/sign-in/verify?token=SIGNINSECRET123' });
      await logged.inject({ url: '/registrations/00000000-0000-4000-8000-000000000000/cancel?token=CANCELSECRET456' });
      await logged.inject({ url: '/f/00000000-0000-4000-8000-000000000000?invite=INVITESECRET789' });
    } finally {
      await logged.close();
    }
    const log = lines.join('');
    assert.match(log, /\/sign-in\/verify/);
    assert.ok(!/SIGNINSECRET|CANCELSECRET|INVITESECRET/.test(log), 'no token in the log');
  });

  test('facilitators see only the events they lead a session of', async () => {
    const lead = await createPerson(t.services, { email: 'lead@example.org', name: 'Lee Lead' }, 'facilitator');
    const theirs = await createEventWithSession(t.services, admin, { title: 'Their festival', facilitatorIds: [lead.id] });
    const other = await createEventWithSession(t.services, admin, { title: 'Someone else’s conference' });
    const guest = await createPerson(t.services, { name: 'Gwen Guest' });
    await t.services.registrations.register(admin, { sessionId: other.session.id, who: { personId: guest.id } });

    const client = await signIn(t, 'lead@example.org');
    const list = await client.get('/manage/events');
    assert.match(list.body, /Their festival/);
    assert.ok(!list.body.includes('Someone else’s conference') && !list.body.includes('Someone else&#39;s conference'));
    assert.equal((await client.get(`/manage/events/${theirs.event.id}/check-in?q=Gwen`)).statusCode, 200);
    for (const url of [
      `/manage/events/${other.event.id}`,
      `/manage/events/${other.event.id}/check-in?q=Gwen`,
      `/manage/events/${other.event.id}/access`,
      `/manage/events/${other.event.id}/labels.pdf`,
    ]) {
      const res = await client.get(url);
      assert.equal(res.statusCode, 404, url);
      assert.ok(!res.body.includes('Gwen Guest'), url);
    }
    await client.get(`/manage/events/${theirs.event.id}/check-in`);
    const walkIn = await client.post(`/manage/events/${other.event.id}/walk-in`, {
      name: 'Sneaky',
      experience: 'lived',
      sessionId: other.session.id,
    });
    assert.equal(walkIn.statusCode, 404);
  });
});
