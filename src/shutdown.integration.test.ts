import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { loadConfig } from './config.ts';
import { startRuntime, type Runtime } from './runtime.ts';
import { createAdminWithToken, createEventWithSession, createPerson } from '../test/builders.ts';
import { createTestDatabase } from '../test/harness.ts';
import { rootDir } from './plugins/views.ts';

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

type Outcome = { kind: 'acknowledged'; id: string } | { kind: 'refused'; status: number } | { kind: 'not-connected' } | { kind: 'cut'; error: string };

/** One booking on a connection of its own, so a request the server never took shows as a refused connection. */
function book(port: number, token: string, sessionId: string, personId: string): Promise<Outcome> {
  return new Promise((resolve) => {
    const body = JSON.stringify({ personId });
    const req = http.request(
      { host: '127.0.0.1', port, method: 'POST', path: `/api/v1/sessions/${sessionId}/registrations`, agent: false, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } },
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
          } else resolve({ kind: 'refused', status: res.statusCode ?? 0 });
        });
      },
    );
    req.on('error', (err: NodeJS.ErrnoException) => resolve(err.code === 'ECONNREFUSED' ? { kind: 'not-connected' } : { kind: 'cut', error: err.code ?? err.message }));
    req.end(body);
  });
}

describe('SIGTERM during a booking rush', () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let runtime: Runtime;
  let dataDir: string;

  before(async () => {
    db = await createTestDatabase();
    dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'coproduce-shutdown-'));
    runtime = await startRuntime(loadConfig({ DATABASE_URL: db.url, DATA_DIR: dataDir, DEMO: 'false', LOG_LEVEL: 'silent' }), { work: false, seed: false, log: { info: () => undefined, error: () => undefined } });
  });
  after(async () => {
    await runtime.stop();
    await db.drop();
    await fs.rm(dataDir, { recursive: true, force: true });
  });

  test('stops taking requests, finishes those in flight, and loses no acknowledged booking', async () => {
    const { admin, token } = await createAdminWithToken(runtime.services);
    const { session } = await createEventWithSession(runtime.services, admin, { capacity: 100 });
    const people = await Promise.all(Array.from({ length: 400 }, (_, i) => createPerson(runtime.services, { name: `Booker ${i}` })));

    const port = await freePort();
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(rootDir, 'src/server.ts')], {
      cwd: rootDir,
      env: { ...process.env, DATABASE_URL: db.url, DATA_DIR: dataDir, PORT: String(port), DEMO: 'false', LOG_LEVEL: 'silent', NODE_ENV: 'test' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const deadline = Date.now() + 60_000;
    while (!output.includes('Coproduce is running')) {
      if (Date.now() > deadline || child.exitCode !== null) throw new Error(`The server did not start:\n${output}`);
      await new Promise((r) => setTimeout(r, 100));
    }

    const outcomes: Outcome[] = [];
    let next = 0;
    let signalled = false;
    const worker = async () => {
      for (;;) {
        const i = next++;
        if (i >= people.length) return;
        if (!signalled && outcomes.filter((o) => o.kind === 'acknowledged').length >= 60) {
          signalled = true;
          child.kill('SIGTERM');
        }
        outcomes.push(await book(port, token, session.id, people[i]!.id));
      }
    };
    await Promise.all(Array.from({ length: 16 }, worker));
    const code = await exited;

    const count = (kind: Outcome['kind']) => outcomes.filter((o) => o.kind === kind).length;
    const cut = outcomes.filter((o): o is Extract<Outcome, { kind: 'cut' }> => o.kind === 'cut');
    assert.ok(signalled, 'SIGTERM was sent during the rush');
    assert.deepEqual(cut, [], 'no request was cut off mid-response');
    assert.equal(code, 0, `the server stopped cleanly:\n${output}`);
    assert.match(output, /Coproduce stopped/);
    assert.ok(count('not-connected') > 0, 'after SIGTERM, new requests were not taken');

    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    const stored = new Set((await client.query('select id from registrations where session_id = $1', [session.id])).rows.map((r) => r.id as string));
    await client.end();
    const acknowledged = outcomes.filter((o): o is Extract<Outcome, { kind: 'acknowledged' }> => o.kind === 'acknowledged');
    assert.deepEqual(acknowledged.filter((o) => !stored.has(o.id)), [], 'every acknowledged booking is stored');
    console.log(`SIGTERM after 60 bookings: ${acknowledged.length} acknowledged, ${count('refused')} refused while closing, ${count('not-connected')} not taken after, 0 cut off`);
  });
});
