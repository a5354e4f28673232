import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import pg from 'pg';
import { buildApp } from '../src/app.ts';
import { loadConfig, type Config } from '../src/config.ts';
import { readOutbox, type OutboxMessage } from '../src/modules/email/outbox.ts';
import { startRuntime, type Runtime } from '../src/runtime.ts';

/** A database of this test file's own, copied from the migrated template `npm test` made. */
export async function createTestDatabase(server: { TEST_PG_ADMIN_URL?: string } = {}): Promise<{ url: string; drop(): Promise<void> }> {
  const adminUrl = server.TEST_PG_ADMIN_URL ?? process.env.TEST_PG_ADMIN_URL;
  const template = process.env.TEST_PG_TEMPLATE;
  if (!adminUrl || !template) throw new Error('Run the tests with `npm test`: it starts the test PostgreSQL.');
  const name = `t_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`create database ${name} template ${template}`);
  } finally {
    await admin.end();
  }
  const url = adminUrl.replace(/\/postgres$/, `/${name}`);
  return {
    url,
    async drop() {
      const c = new pg.Client({ connectionString: adminUrl });
      await c.connect();
      await c.query(`drop database if exists ${name} with (force)`).catch(() => undefined);
      await c.end();
    },
  };
}

export interface TestApp {
  app: FastifyInstance;
  runtime: Runtime;
  services: Runtime['services'];
  config: Config;
  dataDir: string;
  databaseUrl: string;
  /**
   * Waits for the job queue to deliver an email to this address and returns it: the newest, or the
   * newest whose subject matches; `after` is how many to that address were there before, so only
   * later ones count.
   */
  waitForEmail(to: string, opts?: { after?: number; subject?: RegExp; timeoutMs?: number }): Promise<OutboxMessage>;
  emailsTo(to: string): Promise<OutboxMessage[]>;
  close(): Promise<void>;
}

/** Builds the whole app, job queue included, on a fresh database (on another server if given). */
export async function startTestApp(
  env: Record<string, string> = {},
  server: { TEST_PG_ADMIN_URL?: string } = {},
  // Off unless asked for: a change reaches the cache a moment after its commit, and tests that
  // change something and look at once would race it. page-cache.integration.test.ts turns it on.
  opts: { pageCache?: boolean } = {},
): Promise<TestApp> {
  const db = await createTestDatabase(server);
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'coproduce-app-'));
  const config = loadConfig({ DATABASE_URL: db.url, DATA_DIR: dataDir, DEMO: 'false', LOG_LEVEL: 'silent', NODE_ENV: 'test', ...env });
  const runtime = await startRuntime(config, { work: true, seed: config.demo });
  const app = await buildApp({
    config,
    services: runtime.services,
    sessionSecret: runtime.sessionSecret,
    changes: opts.pageCache ? runtime.changes : undefined,
    operations: runtime,
  });
  if (opts.pageCache) await runtime.changes.ready();
  await app.ready();
  const outboxDir = path.join(dataDir, 'outbox');
  const emailsTo = async (to: string) => (await readOutbox(outboxDir)).filter((m) => m.to.toLowerCase().includes(to.toLowerCase()));
  return {
    app,
    runtime,
    services: runtime.services,
    config,
    dataDir,
    databaseUrl: db.url,
    emailsTo,
    async waitForEmail(to, opts = {}) {
      const deadline = Date.now() + (opts.timeoutMs ?? 15_000);
      const seen = opts.after ?? 0;
      while (Date.now() < deadline) {
        // Newest first: those beyond the `after` already there are the ones that arrived since.
        const found = await emailsTo(to);
        const fresh = found.slice(0, Math.max(0, found.length - seen));
        if (opts.subject) {
          const match = fresh.find((m) => opts.subject!.test(m.subject));
          if (match) return match;
        } else if (fresh.length) return fresh[0]!;
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error(`No email to ${to} arrived`);
    },
    async close() {
      await app.close();
      await runtime.stop();
      await db.drop();
      await fs.rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** Waits until `check` holds: for what arrives a moment after a commit (by NOTIFY, by the job queue). */
export async function eventually(check: () => Promise<boolean>, what: string, timeoutMs = 5000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
}
