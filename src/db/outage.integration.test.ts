import assert from 'node:assert/strict';
import os from 'node:os';
import path from 'node:path';
import fs from 'node:fs/promises';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../app.ts';
import { loadConfig } from '../config.ts';
import { startRuntime, type Runtime } from '../runtime.ts';
import { findSystemPostgres, startSystemPostgres, type SystemPostgres } from '../../scripts/system-postgres.ts';
import { createAdminWithToken, createEventWithSession, createPerson } from '../../test/builders.ts';
import { eventually } from '../../test/harness.ts';
import { ensureDatabase } from './embedded.ts';

const binDir = findSystemPostgres();
const skip = binDir ? false : 'needs Debian’s PostgreSQL (apt-get install postgresql)';
if (!binDir && process.env.REQUIRE_EXTERNAL_PG === '1') throw new Error('REQUIRE_EXTERNAL_PG=1 and no system PostgreSQL to restart');

/**
 * A routine database restart (maintenance, failover) in the middle of a booking rush, on a
 * PostgreSQL of this test's own, reached through its URL as production reaches one.
 */
describe('a database restart during a booking rush', { skip, timeout: 180_000 }, () => {
  let server: SystemPostgres;
  let runtime: Runtime;
  let app: FastifyInstance;
  let token: string;
  let dataDir: string;

  before(async () => {
    server = await startSystemPostgres(binDir!);
    await ensureDatabase(server.url('postgres'), 'outage');
    dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'coproduce-outage-'));
    const config = loadConfig({
      DATABASE_URL: server.url('outage'),
      DATA_DIR: dataDir,
      DEMO: 'false',
      LOG_LEVEL: 'silent',
      NODE_ENV: 'test',
      DB_CONNECT_TIMEOUT_MS: '2000',
    });
    runtime = await startRuntime(config, { work: true, seed: false });
    app = await buildApp({ config, services: runtime.services, sessionSecret: runtime.sessionSecret, operations: runtime });
    await app.ready();
    ({ token } = await createAdminWithToken(runtime.services));
  });
  after(async () => {
    await app?.close();
    await runtime?.stop();
    await server?.stop();
    await fs.rm(dataDir, { recursive: true, force: true });
  });

  test('the process lives, refuses plainly and quickly while it is down, recovers by itself, and loses nothing acknowledged', async () => {
    const services = runtime.services;
    const { admin } = { admin: { personId: (await createPerson(services, {}, 'admin')).id, role: 'admin' as const } };
    const { session } = await createEventWithSession(services, admin, { capacity: 150 });
    const people: Awaited<ReturnType<typeof createPerson>>[] = [];
    for (let i = 0; i < 300; i += 20)
      people.push(...(await Promise.all(Array.from({ length: 20 }, (_, j) => createPerson(services, { name: `Rusher ${i + j}` })))));

    const acknowledged: string[] = [];
    const refused: { ms: number; retryAfter: string | undefined; type: string }[] = [];
    const other: number[] = [];
    let next = 0;
    let restarted = false;
    const outage = { start: 0, end: 0, failed: '' };
    const book = async () => {
      for (;;) {
        const i = next++;
        if (i >= people.length) return;
        if (i === 100 && !restarted) {
          restarted = true;
          void (async () => {
            outage.start = Date.now();
            await server.stopServer();
            await new Promise((r) => setTimeout(r, 3000));
            await server.startServer();
            outage.end = Date.now();
          })().catch((err: Error) => (outage.failed = err.message));
        }
        const started = Date.now();
        const res = await app.inject({
          method: 'POST',
          url: `/api/v1/sessions/${session.id}/registrations`,
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          payload: { personId: people[i]!.id },
        });
        if (res.statusCode === 201 || res.statusCode === 200) acknowledged.push(res.json().id);
        else if (res.statusCode === 503)
          refused.push({
            ms: Date.now() - started,
            retryAfter: res.headers['retry-after'] as string | undefined,
            type: String(res.headers['content-type']),
          });
        else other.push(res.statusCode);
        // Spread the rush over the outage, as people keep arriving.
        await new Promise((r) => setTimeout(r, 15));
      }
    };
    await Promise.all(Array.from({ length: 10 }, book));
    const restartDeadline = Date.now() + 60_000;
    while (!outage.end && !outage.failed && Date.now() < restartDeadline) await new Promise((r) => setTimeout(r, 100));
    assert.ok(outage.end, `the database came back (${outage.failed || 'timed out'})`);

    assert.deepEqual(other, [], 'no request failed in any other way than a plain 503');
    assert.ok(refused.length > 0, 'some requests came during the outage');
    assert.ok(
      refused.every((r) => r.ms < 5000),
      `refused within 5 s (slowest ${Math.max(...refused.map((r) => r.ms))} ms)`,
    );
    assert.ok(
      refused.every((r) => r.retryAfter && /problem\+json/.test(r.type)),
      'problem+json with Retry-After',
    );

    // Healthy again within seconds, with no restart of the app.
    const deadline = Date.now() + 10_000;
    let health = await app.inject({ url: '/health' });
    while (health.statusCode !== 200 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 200));
      health = await app.inject({ url: '/health' });
    }
    assert.equal(health.statusCode, 200);
    const recoveredIn = Date.now() - outage.end;

    const late = await createPerson(services, { name: 'After the restart' });
    const res = await app.inject({
      method: 'POST',
      url: `/api/v1/sessions/${session.id}/registrations`,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      payload: { personId: late.id },
    });
    assert.ok([200, 201].includes(res.statusCode), `booking works again (${res.statusCode})`);
    acknowledged.push(res.json().id);

    const db = new pg.Client({ connectionString: server.url('outage') });
    await db.connect();
    const stored = new Set(
      (await db.query('select id from registrations where session_id = $1', [session.id])).rows.map((r) => r.id as string),
    );
    const confirmed = (
      await db.query(`select count(*)::int as n from registrations where session_id = $1 and status = 'confirmed'`, [session.id])
    ).rows[0].n;
    await db.end();
    assert.deepEqual(
      acknowledged.filter((id) => !stored.has(id)),
      [],
      'every acknowledged booking is stored',
    );
    // No connection is left checked out by a request that failed mid-outage: the pool is whole.
    const pool = runtime.database.pool;
    // The job worker is still sending the confirmations queued during the rush, each under a
    // row lock, so connections are busy for a while; a leaked one stays out for good.
    const settleBy = Date.now() + 30_000;
    while (pool.totalCount - pool.idleCount > 0 && Date.now() < settleBy) await new Promise((r) => setTimeout(r, 250));
    assert.equal(pool.totalCount - pool.idleCount, 0, 'no connection leaked');
    assert.ok(confirmed <= 150, 'never overbooked');
    console.log(
      `outage ${outage.end - outage.start} ms; ${acknowledged.length} acknowledged, ${refused.length} refused (slowest ${Math.max(...refused.map((r) => r.ms))} ms); healthy ${recoveredIn} ms after the database was back`,
    );
  });

  test('/health and /health/ready say the database is down while it is down; /health/live that the process is alive', async () => {
    assert.equal((await app.inject({ url: '/health/ready' })).statusCode, 200);
    await server.stopServer();
    try {
      const started = Date.now();
      const res = await app.inject({ url: '/health' });
      assert.equal(res.statusCode, 503);
      const ready = await app.inject({ url: '/health/ready' });
      assert.equal(ready.statusCode, 503);
      assert.deepEqual(ready.json(), { status: 'unavailable', database: 'unreachable', jobs: 'unreachable' });
      assert.ok(Date.now() - started < 10_000);
      assert.equal((await app.inject({ url: '/health/live' })).statusCode, 200);
    } finally {
      await server.startServer();
    }
    await eventually(async () => (await app.inject({ url: '/health/ready' })).statusCode === 200, 'ready again', 15_000);
  });
});
