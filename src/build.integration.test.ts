import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { createTestDatabase, eventually } from '../test/harness.ts';
import { CookieJar } from '../test/cookie-jar.ts';
import { freePort } from '../test/net.ts';
import { startSmtpServer } from '../test/smtp.ts';
import { linkFrom } from '../test/web-client.ts';
import { rootDir } from './plugins/paths.ts';

/**
 * `npm run build` and the server it builds, run with plain Node (no tsx anywhere): what
 * production runs. The build goes to a folder of its own inside the project (node_modules/.cache,
 * so that the packages are found as from dist/), never over the developer's dist/.
 */

interface BuildCheck {
  sourceStamp(root: string): string;
}

/** A process with nothing of tsx: no `--import tsx`, no NODE_OPTIONS carrying it. */
function run(file: string, args: string[], env: NodeJS.ProcessEnv = {}) {
  const base = { ...process.env };
  delete base.NODE_OPTIONS;
  const child = spawn(file, args, { cwd: rootDir, env: { ...base, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr.on('data', (c: Buffer) => (output += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, exited, output: () => output };
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? filesUnder(path.join(dir, e.name)).map((f) => `${e.name}/${f}`) : [e.name],
  );
}

async function get(port: number, url: string) {
  const res = await fetch(`http://127.0.0.1:${port}${url}`, { redirect: 'manual' });
  return { status: res.status, type: res.headers.get('content-type') ?? '', body: await res.text() };
}

/** A browser's cookies, sent to whichever process behind the load balancer answers. */
class Cookies extends CookieJar {
  async get(port: number, url: string) {
    const res = await fetch(`http://127.0.0.1:${port}${url}`, { redirect: 'manual', headers: { cookie: this.header() } });
    this.take(res);
    return { status: res.status, location: res.headers.get('location'), body: await res.text() };
  }
  async post(port: number, url: string, fields: Record<string, string>) {
    const res = await fetch(`http://127.0.0.1:${port}${url}`, {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie: this.header(), 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(fields).toString(),
    });
    this.take(res);
    return { status: res.status, location: res.headers.get('location'), body: await res.text() };
  }
}

const csrfOf = (html: string) => /name="_csrf" value="([^"]+)"/.exec(html)?.[1] ?? '';

/** Starts the built server and waits until it says it is running. */
async function startBuilt(outDir: string, env: NodeJS.ProcessEnv) {
  const server = run(process.execPath, [path.join(outDir, 'server.js')], env);
  const deadline = Date.now() + 120_000;
  while (!server.output().includes('Coproduce is running')) {
    if (Date.now() > deadline || server.child.exitCode !== null) throw new Error(`The built server did not start:\n${server.output()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return server;
}

describe('the production build', { timeout: 300_000 }, () => {
  const outDir = path.join(rootDir, 'node_modules/.cache/coproduce', `build-test-${randomBytes(4).toString('hex')}`);
  let built: { code: number | null; output: string };
  let stampBefore: string;
  let buildCheck: BuildCheck;

  before(async () => {
    buildCheck = (await import(new URL('../scripts/build-check.mjs', import.meta.url).href)) as BuildCheck;
    stampBefore = buildCheck.sourceStamp(rootDir);
    const build = run(process.execPath, ['--import', 'tsx', path.join(rootDir, 'scripts/build.ts'), '--out-dir', outDir]);
    built = { code: await build.exited, output: build.output() };
  });
  after(async () => {
    await fs.rm(outDir, { recursive: true, force: true });
  });

  test('compiles src/ without its tests, with the templates, static files, migrations and worker beside it', () => {
    assert.equal(built.code, 0, built.output);
    const files = filesUnder(outDir);
    assert.ok(files.includes('server.js') && files.includes('cli.js') && files.includes('app.js'));
    assert.deepEqual(
      files.filter((f) => /\.[cm]?ts$/.test(f) || /\.test\./.test(f) || /test-support/.test(f)),
      [],
      'no TypeScript and no tests in the build',
    );
    const expected = filesUnder(path.join(rootDir, 'src')).filter((f) => /\.(njk|sql|css|svg|mjs)$/.test(f) || f.startsWith('public/'));
    assert.deepEqual(
      expected.filter((f) => !files.includes(f)),
      [],
      'every template, static file, migration and worker is copied',
    );
    assert.deepEqual(
      filesUnder(path.join(outDir, 'public')).sort(),
      filesUnder(path.join(rootDir, 'src/public')).sort(),
      'public/ holds only static files',
    );
    const worker = readFileSync(path.join(outDir, 'modules/forms/themes/themes-worker.mjs'), 'utf8');
    assert.doesNotMatch(worker.replace(/^\s*\/\/.*$/gm, ''), /tsx|\.ts['"]/, 'the themes worker loads the compiled JavaScript');
    assert.doesNotMatch(readFileSync(path.join(outDir, 'server.js'), 'utf8'), /from ['"][^'"]+\.ts['"]/, 'imports point at .js');
  });

  test('npm start checks the build against src/: up to date now, and a missing build stops production with a message', async () => {
    assert.equal(built.code, 0, built.output);
    const info = JSON.parse(readFileSync(path.join(outDir, 'build-info.json'), 'utf8')) as { sources: string };
    const unchanged = buildCheck.sourceStamp(rootDir) === stampBefore;
    const check = run(process.execPath, [path.join(rootDir, 'scripts/build-check.mjs'), '--out-dir', outDir], { NODE_ENV: 'production' });
    if (unchanged) {
      // (A source edited while the build ran, as in a working copy being edited, makes it out of date.)
      assert.equal(info.sources, stampBefore);
      assert.equal(await check.exited, 0, check.output());
    } else assert.equal(await check.exited, 1, check.output());

    const missing = run(process.execPath, [path.join(rootDir, 'scripts/build-check.mjs'), '--out-dir', `${outDir}-none`], {
      NODE_ENV: 'production',
    });
    assert.equal(await missing.exited, 1);
    assert.match(missing.output(), /has no build yet.*npm run build/s);
    assert.ok(!existsSync(`${outDir}-none`), 'production never builds at start');
  });

  test('node server.js answers /health, renders pages with their styles, serves nothing else of the build, and stops cleanly', async () => {
    assert.equal(built.code, 0, built.output);
    const db = await createTestDatabase();
    const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'coproduce-build-'));
    const port = await freePort();
    const server = await startBuilt(outDir, {
      DATABASE_URL: db.url,
      DATA_DIR: dataDir,
      PORT: String(port),
      NODE_ENV: 'production',
      DEMO: 'false',
      EMAIL_TO_OUTBOX: 'true',
      PUBLIC_URL: 'https://coproduce.invalid',
      LOG_LEVEL: 'warn',
    });
    try {
      const health = await get(port, '/health');
      assert.equal(health.status, 200, health.body);

      const home = await get(port, '/');
      assert.equal(home.status, 200, home.body.slice(0, 500));
      assert.match(home.type, /^text\/html/);
      assert.ok(/^\s*<!DOCTYPE html>/i.test(home.body), home.body.slice(0, 200));
      const stylesheet = /href="(\/static\/v\/app\.[0-9a-f]+\.css)"/.exec(home.body)?.[1];
      assert.ok(stylesheet, 'the layout links the fingerprinted stylesheet');
      const css = await get(port, stylesheet);
      assert.equal(css.status, 200);
      assert.match(css.type, /^text\/css/);
      assert.equal((await get(port, '/static/coproduce-mark.svg')).status, 200);

      // Static files come from public/ alone: the compiled code, its source maps and the build's record are not served.
      for (const url of [
        '/static/server.js',
        '/static/build-info.json',
        '/static/app.js.map',
        '/static/../server.js',
        '/static/%2e%2e/server.js',
      ]) {
        const res = await get(port, url);
        assert.ok(res.status === 404 || res.status === 403, `${url}: ${res.status}`);
      }
    } finally {
      server.child.kill('SIGTERM');
      const code = await server.exited;
      await db.drop();
      await fs.rm(dataDir, { recursive: true, force: true });
      assert.equal(code, 0, server.output());
      assert.match(server.output(), /Coproduce stopped/);
    }
  });

  test('refuses to start as a live service with demo data, naming the setting', async () => {
    assert.equal(built.code, 0, built.output);
    const refused = run(process.execPath, [path.join(outDir, 'server.js')], {
      NODE_ENV: 'production',
      DEMO: 'true',
      PUBLIC_URL: 'http://x.example',
    });
    assert.equal(await refused.exited, 1);
    assert.match(refused.output(), /Coproduce cannot start[\s\S]*DEMO: [\s\S]*SMTP_URL: [\s\S]*PUBLIC_URL: /);
  });

  test('two processes on one database: a sign-in on one is honoured by the other, signing out on one ends it on both, and an email is sent once', async () => {
    assert.equal(built.code, 0, built.output);
    // Debian's PostgreSQL through its URL when the tests have it, as production reaches one.
    const db = await createTestDatabase(
      process.env.TEST_EXTERNAL_PG_ADMIN_URL ? { TEST_PG_ADMIN_URL: process.env.TEST_EXTERNAL_PG_ADMIN_URL } : {},
    );
    const smtp = await startSmtpServer();
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    await client.query(
      `insert into people (name, email, experience, role) values ('Sam Twoprocess', 'sam@example.org', 'professional', 'staff')`,
    );
    const dirs = await Promise.all([0, 1].map(() => fs.mkdtemp(path.join(os.tmpdir(), 'coproduce-two-'))));
    const ports = [await freePort(), await freePort()];
    const servers: ReturnType<typeof run>[] = [];
    try {
      for (const i of [0, 1])
        servers.push(
          await startBuilt(outDir, {
            DATABASE_URL: db.url,
            DATA_DIR: dirs[i],
            PORT: String(ports[i]),
            NODE_ENV: 'production',
            DEMO: 'false',
            SMTP_URL: smtp.url,
            PUBLIC_URL: 'https://coproduce.invalid',
            // Both processes sign cookies and links with the same secret, as behind a load balancer.
            SESSION_SECRET: 'a-session-secret-shared-by-both-processes-0123456789',
            LOG_LEVEL: 'warn',
          }),
        );
      const [a, b] = ports as [number, number];
      const browser = new Cookies();
      // Asked for on A...
      const form = await browser.get(a, '/sign-in');
      assert.equal(
        (await browser.post(a, '/sign-in', { _csrf: csrfOf(form.body), email: 'sam@example.org' })).location,
        '/sign-in/check-email',
      );
      await eventually(async () => smtp.received.length > 0, 'the sign-in email', 20_000);
      // ...both processes work the queue: the email goes once.
      await new Promise((r) => setTimeout(r, 3000));
      assert.equal(smtp.received.length, 1, 'sent once, not once per process');
      const link = new URL(linkFrom(smtp.received[0]!.body));
      assert.equal(link.origin, 'https://coproduce.invalid');
      // ...the link used on B...
      const verify = await browser.get(b, link.pathname + link.search);
      const done = await browser.post(b, '/sign-in/verify', { _csrf: csrfOf(verify.body), token: link.searchParams.get('token')! });
      assert.equal(done.location, '/work');
      // ...and A knows who is signed in.
      const onA = await browser.get(a, '/work');
      assert.equal(onA.status, 200);
      assert.match(onA.body, /Sam Twoprocess/);
      // Signing out on A ends the session everywhere: B, which may have remembered it, within SESSION_CACHE_MS.
      const before = browser.header();
      assert.equal((await browser.post(a, '/sign-out', { _csrf: csrfOf(onA.body) })).status, 303);
      const old = async (port: number) =>
        (await fetch(`http://127.0.0.1:${port}/work`, { redirect: 'manual', headers: { cookie: before } })).status;
      assert.notEqual(await old(a), 200, 'at once on A');
      await eventually(async () => (await old(b)) !== 200, 'the session ended on B', 10_000);
    } finally {
      for (const s of servers) s.child.kill('SIGTERM');
      await Promise.all(servers.map((s) => s.exited));
      await client.end();
      await smtp.close();
      await db.drop();
      for (const d of dirs) await fs.rm(d, { recursive: true, force: true });
    }
  });

  test('the themes worker runs from the build with plain Node', async () => {
    assert.equal(built.code, 0, built.output);
    const analyse = path.join(outDir, 'modules/forms/themes/analyse.js');
    const texts = [
      ...Array.from({ length: 8 }, (_, i) => `The waiting time was far too long, we waited ${i + 1} hours to be seen`),
      ...Array.from({ length: 8 }, (_, i) => `Lovely food and drink at lunch, the sandwiches on table ${i + 1} were great`),
      ...Array.from({ length: 8 }, (_, i) => `The staff were kind and listened to me, nurse number ${i + 1} was caring`),
    ];
    const script = `import { analyseInWorker } from ${JSON.stringify(pathToFileURL(analyse).href)};
const themes = await analyseInWorker(${JSON.stringify(texts)});
console.log('themes:' + themes.length);`;
    const worker = run(process.execPath, ['--input-type=module', '-e', script]);
    assert.equal(await worker.exited, 0, worker.output());
    const count = Number(/themes:(\d+)/.exec(worker.output())?.[1]);
    assert.ok(count >= 1, worker.output());
  });
});
