import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { createEventWithSession, createPerson } from '../../../test/builders.ts';
import { startTestApp, type TestApp } from '../../../test/harness.ts';

/**
 * A session never has more confirmed places than its capacity, whatever arrives at once, and the
 * waiting list keeps the order requests were accepted in. Run on the embedded PostgreSQL and, when
 * `npm test` found one, on a separate PostgreSQL server reached through DATABASE_URL.
 */
const targets: { name: string; env: Record<string, string> }[] = [{ name: 'embedded PostgreSQL', env: {} }];
if (process.env.TEST_EXTERNAL_PG_ADMIN_URL)
  targets.push({ name: 'external PostgreSQL', env: { TEST_PG_ADMIN_URL: process.env.TEST_EXTERNAL_PG_ADMIN_URL } });

for (const target of targets) {
  describe(`registration under load on the ${target.name}`, () => {
    let t: TestApp;
    let db: pg.Client;
    let token: string;
    before(async () => {
      t = await startTestApp({}, target.env);
      db = new pg.Client({ connectionString: t.databaseUrl });
      await db.connect();
      const admin = await createPerson(t.services, { email: 'organiser@example.org' }, 'admin');
      token = await t.services.auth.createApiToken(null, admin.id, 'load test');
    });
    after(async () => {
      await db.end();
      await t.close();
    });

    const api = (url: string, body: unknown) =>
      t.app.inject({
        method: 'POST',
        url,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        payload: JSON.stringify(body),
      });

    test('200 people at once for 20 places: exactly 20 confirmed, 180 waiting in order, then cancellations promote the first three', async () => {
      const admin = (await db.query(`select id from people where email = 'organiser@example.org'`)).rows[0].id as string;
      const { session } = await createEventWithSession(t.services, { personId: admin, role: 'admin' }, { capacity: 20 });
      const people = await Promise.all(
        Array.from({ length: 200 }, (_, i) => createPerson(t.services, { name: `Burst ${i}`, email: `burst-${i}@example.org` })),
      );

      const responses = await Promise.all(people.map((p) => api(`/api/v1/sessions/${session.id}/registrations`, { personId: p.id })));
      assert.ok(
        responses.every((r) => r.statusCode === 201),
        'every registration acknowledged',
      );
      const bodies = responses.map((r) => r.json());
      const confirmed = bodies.filter((b) => b.status === 'confirmed');
      const waiting = bodies.filter((b) => b.status === 'waitlisted');
      assert.equal(confirmed.length, 20);
      assert.equal(waiting.length, 180);
      assert.deepEqual(
        waiting.map((b) => b.waitlistPosition).sort((a, b) => a - b),
        Array.from({ length: 180 }, (_, i) => i + 1),
      );

      // What was acknowledged is what was committed, and the order is the order of acceptance.
      const { rows } = await db.query(`select id, status from registrations where session_id = $1 order by seq`, [session.id]);
      assert.equal(rows.length, 200);
      assert.deepEqual(
        rows.slice(0, 20).map((r) => r.status),
        Array(20).fill('confirmed'),
      );
      const byId = new Map(bodies.map((b) => [b.id, b]));
      assert.deepEqual(
        rows.slice(20).map((r) => byId.get(r.id).waitlistPosition),
        Array.from({ length: 180 }, (_, i) => i + 1),
      );

      const firstThree = rows.slice(20, 23).map((r) => r.id);
      for (const c of confirmed.slice(0, 3)) assert.equal((await api(`/api/v1/registrations/${c.id}/cancel`, {})).statusCode, 200);
      const after = await db.query(`select id, status from registrations where id = any($1)`, [firstThree]);
      assert.deepEqual(
        after.rows.map((r) => r.status),
        ['confirmed', 'confirmed', 'confirmed'],
      );
      assert.equal(
        (await db.query(`select count(*)::int as n from registrations where session_id = $1 and status = 'confirmed'`, [session.id]))
          .rows[0].n,
        20,
      );
      const list = await t.app.inject({
        url: `/api/v1/sessions/${session.id}/registrations?limit=1000`,
        headers: { authorization: `Bearer ${token}` },
      });
      const positions = list
        .json()
        .items.filter((i: { status: string }) => i.status === 'waitlisted')
        .map((i: { waitlistPosition: number }) => i.waitlistPosition);
      assert.deepEqual(
        positions,
        Array.from({ length: 177 }, (_, i) => i + 1),
        `the list closes up behind those promoted: ${JSON.stringify(positions.slice(0, 5))} ${typeof positions[0]}`,
      );
    });
  });
}
