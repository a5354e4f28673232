import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { loadConfig } from './config.ts';
import { startRuntime, type Runtime } from './runtime.ts';
import { createAdminWithToken, createEventWithSession, createPerson } from '../test/builders.ts';
import { createTestDatabase } from '../test/harness.ts';
import { freePort } from '../test/net.ts';
import { rootDir } from './plugins/views.ts';

/**
 * `not-taken`: no response began (the connection was refused, or reset before the server read the
 * request); `cut`: a response began and did not finish, which must never happen.
 */
type Result =
  | { kind: 'acknowledged'; id: string }
  | { kind: 'refused'; status: number; problem: boolean }
  | { kind: 'not-taken'; error: string }
  | { kind: 'cut'; error: string };
type Outcome = Result & { personId: string };

/** One booking on a connection of its own. */
function book(port: number, token: string, sessionId: string, personId: string): Promise<Outcome> {
  return new Promise((done) => {
    const resolve = (o: Result) => done({ personId, ...o });
    const body = JSON.stringify({ personId });
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        method: 'POST',
        path: `/api/v1/sessions/${sessionId}/registrations`,
        agent: false,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', (err) => resolve({ kind: 'cut', error: err.message }));
        res.on('aborted', () => resolve({ kind: 'cut', error: 'aborted' }));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          if (res.statusCode === 200 || res.statusCode === 201) {
            try {
              resolve({ kind: 'acknowledged', id: JSON.parse(text).id });
            } catch {
              resolve({ kind: 'cut', error: `incomplete body: ${text.slice(0, 80)}` });
            }
          } else
            resolve({ kind: 'refused', status: res.statusCode ?? 0, problem: /problem\+json/.test(String(res.headers['content-type'])) });
        });
      },
    );
    req.on('error', (err: NodeJS.ErrnoException) => resolve({ kind: 'not-taken', error: err.code ?? err.message }));
    req.end(body);
  });
}

/** People to book, made twenty at a time (no more than the pool holds). */
async function manyPeople(runtime: Runtime, count: number) {
  const people: Awaited<ReturnType<typeof createPerson>>[] = [];
  for (let i = 0; i < count; i += 20)
    people.push(
      ...(await Promise.all(
        Array.from({ length: Math.min(20, count - i) }, (_, j) => createPerson(runtime.services, { name: `Booker ${i + j}` })),
      )),
    );
  return people;
}

/** `npm start` as a real process; `group` gives it a process group of its own, as a terminal does. */
async function startServerProcess(env: NodeJS.ProcessEnv, opts: { group?: boolean } = {}) {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(rootDir, 'src/server.ts')], {
    cwd: rootDir,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: !!opts.group,
  });
  let output = '';
  child.stdout!.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (output += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const deadline = Date.now() + 60_000;
  while (!output.includes('Coproduce is running')) {
    if (Date.now() > deadline || child.exitCode !== null) throw new Error(`The server did not start:\n${output}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return { child, exited, output: () => output };
}

/** Books everyone, 16 at a time, and sends the signal once `after` bookings are acknowledged. */
async function rush(
  port: number,
  token: string,
  sessionId: string,
  personIds: string[],
  after: number,
  signal: () => void,
): Promise<Outcome[]> {
  const outcomes: Outcome[] = [];
  let next = 0;
  let signalled = false;
  const worker = async () => {
    for (;;) {
      const i = next++;
      if (i >= personIds.length) return;
      if (!signalled && outcomes.filter((o) => o.kind === 'acknowledged').length >= after) {
        signalled = true;
        signal();
      }
      outcomes.push(await book(port, token, sessionId, personIds[i]!));
    }
  };
  await Promise.all(Array.from({ length: 16 }, worker));
  assert.ok(signalled, 'the signal was sent during the rush');
  return outcomes;
}

/** A request that got no answer must not have been carried out: otherwise its answer was lost. */
async function assertNotTakenWereNotBooked(url: string, sessionId: string, outcomes: Outcome[]) {
  const notTaken = new Set(outcomes.filter((o) => o.kind === 'not-taken').map((o) => o.personId));
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const booked = (await client.query('select person_id from registrations where session_id = $1', [sessionId])).rows.filter((r) =>
    notTaken.has(r.person_id as string),
  );
  await client.end();
  assert.deepEqual(booked, [], 'a request with no answer was never carried out');
}

describe('SIGTERM during a booking rush', { timeout: 180_000 }, () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let runtime: Runtime;
  let dataDir: string;

  before(async () => {
    db = await createTestDatabase();
    dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'coproduce-shutdown-'));
    runtime = await startRuntime(loadConfig({ DATABASE_URL: db.url, DATA_DIR: dataDir, DEMO: 'false', LOG_LEVEL: 'silent' }), {
      work: false,
      seed: false,
    });
  });
  after(async () => {
    await runtime.stop();
    await db.drop();
    await fs.rm(dataDir, { recursive: true, force: true });
  });

  test('stops taking requests, finishes those in flight, and loses no acknowledged booking', async () => {
    const { admin, token } = await createAdminWithToken(runtime.services);
    const { session } = await createEventWithSession(runtime.services, admin, { capacity: 100 });
    const people = await manyPeople(runtime, 400);

    const port = await freePort();
    const server = await startServerProcess({
      ...process.env,
      DATABASE_URL: db.url,
      DATA_DIR: dataDir,
      PORT: String(port),
      DEMO: 'false',
      LOG_LEVEL: 'silent',
      NODE_ENV: 'test',
    });
    const outcomes = await rush(
      port,
      token,
      session.id,
      people.map((p) => p.id),
      60,
      () => server.child.kill('SIGTERM'),
    );
    const code = await server.exited;
    const output = server.output();

    const count = (kind: Outcome['kind']) => outcomes.filter((o) => o.kind === kind).length;
    const cut = outcomes.filter((o): o is Extract<Outcome, { kind: 'cut' }> => o.kind === 'cut');
    assert.deepEqual(cut, [], 'no request was cut off mid-response');
    assert.equal(code, 0, `the server stopped cleanly:\n${output}`);
    assert.match(output, /Coproduce stopped/);
    assert.ok(count('not-taken') > 0, 'after SIGTERM, new requests were not taken');

    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    const stored = new Set(
      (await client.query('select id from registrations where session_id = $1', [session.id])).rows.map((r) => r.id as string),
    );
    await client.end();
    const acknowledged = outcomes.filter((o): o is Extract<Outcome, { kind: 'acknowledged' }> => o.kind === 'acknowledged');
    assert.deepEqual(
      acknowledged.filter((o) => !stored.has(o.id)),
      [],
      'every acknowledged booking is stored',
    );
    await assertNotTakenWereNotBooked(db.url, session.id, outcomes);
    console.log(
      `SIGTERM after 60 bookings: ${acknowledged.length} acknowledged, ${count('refused')} refused while closing, ${count('not-taken')} not taken after, 0 cut off`,
    );
  });
});

/**
 * Ctrl-C in a terminal signals the whole foreground process group. With the embedded
 * PostgreSQL, the database must not stop under requests still in flight: Coproduce stops it last.
 */
describe('Ctrl-C to the whole process group, with the embedded PostgreSQL', { timeout: 180_000 }, () => {
  let dataDir: string;
  before(async () => {
    dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'coproduce-ctrl-c-'));
  });
  after(async () => {
    await fs.rm(dataDir, { recursive: true, force: true });
  });

  const embeddedRuntime = () =>
    startRuntime(loadConfig({ DATA_DIR: dataDir, DEMO: 'false', LOG_LEVEL: 'silent' }), { work: false, seed: false });

  test('requests in flight finish, the database stops last, nothing acknowledged is lost', async () => {
    const setup = await embeddedRuntime();
    const { admin, token } = await createAdminWithToken(setup.services);
    const { session } = await createEventWithSession(setup.services, admin, { capacity: 100 });
    const people = await manyPeople(setup, 300);
    await setup.stop();

    const port = await freePort();
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      DATA_DIR: dataDir,
      PORT: String(port),
      DEMO: 'false',
      LOG_LEVEL: 'silent',
      NODE_ENV: 'test',
    };
    delete env.DATABASE_URL;
    const server = await startServerProcess(env, { group: true });
    // What a terminal does on Ctrl-C: the whole foreground process group gets SIGINT.
    const outcomes = await rush(
      port,
      token,
      session.id,
      people.map((p) => p.id),
      40,
      () => process.kill(-server.child.pid!, 'SIGINT'),
    );
    const code = await server.exited;
    const output = server.output();

    // Fastify's own 503 while closing is fine (the request was not taken); a problem+json 5xx
    // means the request ran and the database was gone under it.
    const failed = outcomes.filter((o) => o.kind === 'cut' || (o.kind === 'refused' && o.status >= 500 && (o.status !== 503 || o.problem)));
    assert.deepEqual(failed, [], `no request failed or was cut off because the database went first:\n${output}`);
    assert.equal(code, 0, output);
    assert.match(output, /Coproduce stopped/);

    const after = await embeddedRuntime();
    try {
      const stored = new Set(
        (await after.database.pool.query('select id from registrations where session_id = $1', [session.id])).rows.map(
          (r) => r.id as string,
        ),
      );
      const acknowledged = outcomes.filter((o): o is Extract<Outcome, { kind: 'acknowledged' }> => o.kind === 'acknowledged');
      assert.deepEqual(
        acknowledged.filter((o) => !stored.has(o.id)),
        [],
        'every acknowledged booking is stored',
      );
      const notTaken = new Set(outcomes.filter((o) => o.kind === 'not-taken').map((o) => o.personId));
      const booked = (
        await after.database.pool.query('select person_id from registrations where session_id = $1', [session.id])
      ).rows.filter((r) => notTaken.has(r.person_id as string));
      assert.deepEqual(booked, [], 'a request with no answer was never carried out');
      console.log(
        `Ctrl-C after 40 bookings: ${acknowledged.length} acknowledged, ${outcomes.filter((o) => o.kind === 'refused').length} refused while closing, none failed`,
      );
    } finally {
      await after.stop();
    }
  });
});
