import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { startChangeFeed } from '../db/change-feed.ts';
import { createAdminWithToken, createEventWithSession, createPerson } from '../../test/builders.ts';
import { eventually, startTestApp, type TestApp } from '../../test/harness.ts';
import { signIn } from '../../test/web-client.ts';

describe('public pages kept for visitors who are not signed in', () => {
  let t: TestApp;
  let actor: { personId: string; role: 'admin' };
  let eventId: string;
  let sessionId: string;
  let session: Awaited<ReturnType<typeof createEventWithSession>>['session'];
  let sql: pg.Client;

  /** Changes a title with triggers off: nothing is told, so only a kept page still shows the old one. */
  const renameSilently = async (title: string) => {
    await sql.query('begin');
    await sql.query(`set local session_replication_role = replica`);
    await sql.query(`update event_sessions set title = $1 where id = $2`, [title, sessionId]);
    await sql.query('commit');
  };
  const retitle = (title: string) =>
    t.services.events.updateSession(actor, sessionId, {
      title,
      startsAt: session.startsAt,
      endsAt: session.endsAt,
      format: session.format,
      capacity: session.capacity,
    });
  const anonymous = (headers: Record<string, string> = {}) => t.app.inject({ url: `/events/${eventId}`, headers });

  before(async () => {
    t = await startTestApp({}, {}, { pageCache: true });
    actor = (await createAdminWithToken(t.services)).admin;
    const made = await createEventWithSession(t.services, actor, { capacity: 5, sessionTitle: 'Listening workshop' });
    eventId = made.event.id;
    session = made.session;
    sessionId = session.id;
    sql = new pg.Client({ connectionString: t.databaseUrl });
    await sql.connect();
  });
  after(async () => {
    await sql.end();
    await t.close();
  });

  test('a programme is rendered once and then kept, shared and revalidated by its ETag', async () => {
    const first = await anonymous();
    assert.equal(first.statusCode, 200);
    assert.match(first.body, /Listening workshop/);
    assert.equal(first.headers['cache-control'], 'public, no-cache');
    assert.match(String(first.headers.vary), /cookie/);
    assert.equal(first.headers['set-cookie'], undefined, 'a shared page sets no cookie');
    assert.doesNotMatch(first.body, /name="_csrf"/, 'and holds no token');
    const etag = String(first.headers.etag);
    assert.match(etag, /^W\/"/);

    await renameSilently('Renamed without telling anyone');
    const kept = await anonymous();
    assert.match(kept.body, /Listening workshop/, 'the kept page is served, not a new render');
    assert.equal(kept.headers.etag, etag);

    const revalidated = await anonymous({ 'if-none-match': etag });
    assert.equal(revalidated.statusCode, 304);
    assert.equal(revalidated.body, '');

    // Compressed once and kept compressed.
    const br = await anonymous({ 'accept-encoding': 'br' });
    assert.equal(br.headers['content-encoding'], 'br');
    assert.equal(br.headers.etag, etag);

    // A real change (through the service, which fires the trigger) replaces it everywhere.
    await retitle('Courageous conversations');
    await eventually(async () => /Courageous conversations/.test((await anonymous()).body), 'the new title');
    const fresh = await anonymous({ 'if-none-match': etag });
    assert.equal(fresh.statusCode, 200, 'the old ETag no longer matches');
  });

  test('a booking changes the places left on the kept programme', async () => {
    const placesLeft = async () => Number(/(\d+) places? left/.exec((await anonymous()).body)?.[1]);
    const before = await placesLeft();
    const someone = await createPerson(t.services);
    await t.services.registrations.book(null, { sessionIds: [sessionId], who: { personId: someone.id } });
    await eventually(async () => (await placesLeft()) === before - 1, 'one place fewer');
  });

  test('a signed-in page is never kept, and never served from the cache to someone else', async () => {
    const ada = await createPerson(t.services, { name: 'Ada Okafor', email: 'ada@example.org' });
    await createPerson(t.services, { name: 'Ben Marsh', email: 'ben@example.org' });
    await t.services.registrations.book(null, { sessionIds: [sessionId], who: { personId: ada.id } });
    await anonymous(); // the anonymous page is kept before anyone signed in looks

    const asAda = await signIn(t, 'ada@example.org');
    const adaPage = await asAda.get(`/events/${eventId}`);
    assert.match(adaPage.body, /Ada Okafor/, 'Ada sees her own header');
    assert.match(adaPage.body, /See your place/);
    assert.equal(adaPage.headers['cache-control'], 'no-store');
    assert.equal(adaPage.headers.etag, undefined);

    const asBen = await signIn(t, 'ben@example.org');
    const benPage = await asBen.get(`/events/${eventId}`);
    assert.match(benPage.body, /Ben Marsh/);
    assert.doesNotMatch(benPage.body, /Ada Okafor/, "Ben is not shown Ada's page");

    const nobody = await anonymous();
    assert.doesNotMatch(nobody.body, /Ada Okafor|Ben Marsh|See your place/, 'nor is anyone not signed in');
    assert.match(nobody.body, /Sign in/);

    // Not even with the kept page's ETag: a signed-in person gets their own page in full.
    const withEtag = await t.app.inject({
      url: `/events/${eventId}`,
      headers: { cookie: [...asAda.cookies].map(([k, v]) => `${k}=${v}`).join('; '), 'if-none-match': String(nobody.headers.etag) },
    });
    assert.equal(withEtag.statusCode, 200);
    assert.match(withEtag.body, /Ada Okafor/);
  });

  test("an organiser's list of registrations is kept between changes, and changes with them", async () => {
    await createPerson(t.services, { name: 'Olu Staff', email: 'olu@example.org' }, 'staff');
    const olu = await signIn(t, 'olu@example.org');
    const list = async () => (await olu.get(`/manage/events/${eventId}/registrations`)).body;
    const count = async () => Number(/(\d+) registrations?</.exec(await list())?.[1]);
    const before = await count();
    assert.ok(before >= 1);
    assert.match(await list(), /Olu Staff/, 'the page around the list is still their own');
    await renameSilently('Renamed out of sight');
    assert.doesNotMatch(await list(), /Renamed out of sight/, 'the kept list is shown');
    const late = await createPerson(t.services, { name: 'Lateby Booker' });
    await t.services.registrations.book(null, { sessionIds: [sessionId], who: { personId: late.id } });
    await eventually(async () => (await count()) === before + 1, 'the new registration in the list');
    assert.match(await list(), /Lateby Booker/);
  });

  test('page feedback from a kept page is taken without a token', async () => {
    const page = await anonymous();
    assert.match(page.body, /action="\/page-feedback"/);
    const res = await t.app.inject({
      method: 'POST',
      url: '/page-feedback',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: `path=${encodeURIComponent(`/events/${eventId}`)}&useful=yes`,
    });
    assert.equal(res.statusCode, 303);
  });

  test('when the database connection is lost, nothing kept before it is trusted', async () => {
    await anonymous();
    const listener = async () =>
      (await sql.query(`select pid from pg_stat_activity where query ilike 'listen%' and datname = current_database()`)).rows;
    assert.equal((await listener()).length, 1);
    await sql.query(`select pg_terminate_backend(pid) from pg_stat_activity where query ilike 'listen%' and datname = current_database()`);
    // A change made while no one was listening is never announced.
    await renameSilently('Changed while nobody listened');
    await eventually(async () => /Changed while nobody listened/.test((await anonymous()).body), 'the page to be made again');
    await t.runtime.changes.ready();
    assert.equal((await listener()).length, 1, 'listening again');
  });

  test('another process on the same database hears of each change', async () => {
    const other = startChangeFeed(t.databaseUrl);
    try {
      await other.ready();
      const seen = other.generation;
      await retitle('Heard elsewhere');
      await eventually(async () => other.generation > seen, 'the other process to hear');
    } finally {
      await other.stop();
    }
  });
});
