/**
 * `npm test`: starts one embedded PostgreSQL for the run, builds a template database with every
 * migration and the job queue's schema, then runs all test files with node:test. Each test file
 * copies the template into a database of its own (CREATE DATABASE … TEMPLATE), so files run in
 * parallel and never see each other's rows.
 *
 * Browser tests need Chromium (CHROMIUM_PATH, default /usr/bin/chromium). Without it they are
 * skipped and this says so plainly; with REQUIRE_BROWSER=1 (as in CI) a missing browser fails the run.
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { connect, migrate } from '../src/db/client.ts';
import { ensureDatabase, startEmbeddedDatabase } from '../src/db/embedded.ts';
import { prepareJobSchema } from '../src/jobs/jobs.ts';
import { findSystemPostgres, startSystemPostgres } from './system-postgres.ts';

const TEMPLATE = 'coproduce_template';

function findTests(dir: string, pattern: RegExp): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) return findTests(full, pattern);
    return pattern.test(name) ? [full] : [];
  });
}

/** A database with every migration and the job queue's schema, for each test file to copy. */
async function buildTemplate(url: (db?: string) => string) {
  await ensureDatabase(url('postgres'), TEMPLATE);
  const template = connect(url(TEMPLATE), { max: 2 });
  await migrate(template.pool);
  await template.close();
  await prepareJobSchema(url(TEMPLATE));
}

async function main() {
  const { values, positionals } = parseArgs({ options: { only: { type: 'string' } }, allowPositionals: true });
  const kinds = new Set((values.only ?? 'unit,integration,e2e').split(','));
  const root = path.resolve(import.meta.dirname, '..');
  let files = [
    ...(kinds.has('unit') || kinds.has('integration') ? findTests(path.join(root, 'src'), /\.test\.ts$/) : []),
    ...(kinds.has('e2e') ? findTests(path.join(root, 'e2e'), /\.test\.ts$/) : []),
  ];
  if (!kinds.has('unit')) files = files.filter((f) => f.includes('.integration.') || f.includes(`${path.sep}e2e${path.sep}`));
  if (!kinds.has('integration')) files = files.filter((f) => !f.includes('.integration.'));
  if (positionals.length) files = files.filter((f) => positionals.some((p) => f.includes(p)));

  const chromium = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
  const hasBrowser = existsSync(chromium);
  if (!hasBrowser && files.some((f) => f.includes(`${path.sep}e2e${path.sep}`))) {
    if (process.env.REQUIRE_BROWSER === '1') {
      console.error(
        `Chromium was not found at ${chromium}, and REQUIRE_BROWSER=1: the browser tests must run. Install it (apt-get install chromium) or set CHROMIUM_PATH.`,
      );
      process.exit(1);
    }
    console.warn(
      `\n*** Chromium was not found at ${chromium}: the browser tests (e2e/) are SKIPPED. Install it with 'apt-get install chromium' or set CHROMIUM_PATH. ***\n`,
    );
    files = files.filter((f) => !f.includes(`${path.sep}e2e${path.sep}`));
  }

  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'coproduce-test-'));
  const log = process.env.DEBUG_PG ? (m: string) => console.error(m) : undefined;
  const pg = await startEmbeddedDatabase({ dataDir, log });
  let external: Awaited<ReturnType<typeof startSystemPostgres>> | null = null;
  let code = 1;
  try {
    await buildTemplate(pg.url);
    const binDir = findSystemPostgres();
    if (binDir) {
      external = await startSystemPostgres(binDir);
      await buildTemplate(external.url);
      console.log(`Also testing on Debian's PostgreSQL ${external.version}, reached only through its URL.`);
    } else if (process.env.REQUIRE_EXTERNAL_PG === '1') {
      console.error('No system PostgreSQL (apt-get install postgresql), and REQUIRE_EXTERNAL_PG=1: the external-database tests must run.');
      process.exit(1);
    } else {
      console.warn(
        "\n*** No system PostgreSQL found: tests that also run on an external PostgreSQL use only the embedded one. Install it with 'apt-get install postgresql'. ***\n",
      );
    }

    const args = ['--import', 'tsx', '--test', '--test-concurrency=2', '--test-reporter=spec', ...files];
    code = await new Promise<number>((resolve) => {
      const child = spawn(process.execPath, args, {
        stdio: 'inherit',
        env: {
          ...process.env,
          TEST_PG_ADMIN_URL: pg.url('postgres'),
          TEST_PG_TEMPLATE: TEMPLATE,
          CHROMIUM_PATH: chromium,
          ...(external ? { TEST_EXTERNAL_PG_ADMIN_URL: external.url('postgres') } : {}),
        },
      });
      child.on('exit', (c) => resolve(c ?? 1));
    });
    if (!hasBrowser) console.warn(`\n*** Browser tests were skipped: no Chromium at ${chromium}. ***`);
  } finally {
    await external?.stop();
    await pg.stop();
    await fs.rm(dataDir, { recursive: true, force: true });
  }
  process.exit(code);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
