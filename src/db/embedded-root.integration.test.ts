import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import pg from 'pg';
import { packagedNativeDir } from './embedded-root.ts';
import { startEmbeddedDatabase, type EmbeddedDatabase } from './embedded.ts';

// A clone inside root's home (mode 700 on Debian): PostgreSQL, run as the `postgres` user, can
// pass through neither to the binaries in node_modules nor to DATA_DIR.
const asRoot = process.getuid?.() === 0;

const dirs: string[] = [];
const running: EmbeddedDatabase[] = [];
async function tempDir(mode: number) {
  const d = await fs.mkdtemp(path.join(os.tmpdir(), 'coproduce-root-'));
  await fs.chmod(d, mode);
  dirs.push(d);
  return d;
}
after(async () => {
  for (const db of running) await db.stop().catch(() => undefined);
  for (const d of dirs) await fs.rm(d, { recursive: true, force: true });
});

async function query(url: string, sql: string) {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query(sql)).rows;
  } finally {
    await c.end();
  }
}

/** A project folder the postgres user cannot enter, holding DATA_DIR and a copy of the PostgreSQL binaries. */
async function privateProject() {
  const project = await tempDir(0o700);
  const nativeDir = path.join(project, 'node_modules', 'native');
  await fs.cp(await packagedNativeDir(), nativeDir, { recursive: true, verbatimSymlinks: true });
  const cannot = (p: string) =>
    execFileSync('runuser', ['-u', 'postgres', '--', 'sh', '-c', 'test -x "$1" && echo yes || echo no', 'sh', p], {
      encoding: 'utf8',
    }).trim() === 'no';
  assert.ok(cannot(path.join(nativeDir, 'bin', 'postgres')), 'the copied binaries are out of the postgres user reach');
  return { project, nativeDir, dataDir: path.join(project, 'data') };
}

describe(
  'embedded PostgreSQL run as root',
  { skip: !asRoot && 'runs only as root: PostgreSQL then runs as the postgres user, whose reach is what this tests' },
  () => {
    test('starts although the postgres user cannot reach the project folder, and keeps its data across restarts', async () => {
      const { dataDir, nativeDir } = await privateProject();
      const shared = await tempDir(0o755);
      const rootFallbackDir = path.join(shared, 'coproduce');
      const notices: string[] = [];
      const start = () => startEmbeddedDatabase({ dataDir, nativeDir, rootFallbackDir, notice: (m) => notices.push(m) });

      const first = await start();
      running.push(first);
      assert.equal(first.startedHere, true);
      assert.equal((await query(first.url(), 'select 1 as one'))[0].one, 1);

      const settings = JSON.parse(await fs.readFile(path.join(dataDir, 'postgres.json'), 'utf8'));
      assert.equal(path.dirname(settings.clusterDir), rootFallbackDir, 'the cluster lives in the shared folder, recorded in postgres.json');
      const [where] = await query(first.url(), 'show data_directory');
      assert.equal(where.data_directory, settings.clusterDir);
      const cluster = await fs.stat(settings.clusterDir);
      assert.equal(
        cluster.uid,
        Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' })),
        'the cluster belongs to the postgres user',
      );
      assert.equal(cluster.mode & 0o777, 0o700);
      assert.equal((await fs.stat(rootFallbackDir)).mode & 0o777, 0o755);
      assert.ok(
        notices.some((m) => m.includes(settings.clusterDir) && m.includes('cannot reach')),
        'one line says where the cluster lives and why',
      );

      // The server runs the reachable copy of the binaries, not the ones in the private folder.
      const client = new pg.Client({ connectionString: first.url() });
      await client.connect();
      const exe = await fs
        .readlink(`/proc/${(await client.query('select pg_backend_pid() as pid')).rows[0].pid}/exe`)
        .finally(() => client.end());
      assert.ok(exe.startsWith(path.join(rootFallbackDir, 'postgresql-')), exe);
      const copies = (await fs.readdir(rootFallbackDir)).filter((n) => n.startsWith('postgresql-'));
      assert.equal(copies.length, 1);

      await query(first.url(), 'create table kept (v text); insert into kept values ($$still here$$)');
      const joiner = await start();
      assert.equal(joiner.startedHere, false, 'a second process (the CLI) joins the running cluster');
      await first.stop();

      const again = await start();
      running.push(again);
      assert.equal(again.startedHere, true);
      assert.equal((await query(again.url(), 'select v from kept'))[0].v, 'still here');
      assert.equal(JSON.parse(await fs.readFile(path.join(dataDir, 'postgres.json'), 'utf8')).clusterDir, settings.clusterDir);
      assert.deepEqual(
        (await fs.readdir(rootFallbackDir)).filter((n) => n.startsWith('postgresql-')),
        copies,
        'the binaries are copied once',
      );
      await again.stop();
    });

    test('says in one sentence what to do when no folder the postgres user can reach is available', async () => {
      const { project, dataDir, nativeDir } = await privateProject();
      await assert.rejects(startEmbeddedDatabase({ dataDir, nativeDir, rootFallbackDir: path.join(project, 'shared') }), (err: Error) => {
        assert.match(
          err.message,
          /^The embedded PostgreSQL runs as the "postgres" user, which cannot reach .*data.*: move the project or set DATA_DIR to a folder that user can open, or set DATABASE_URL\.$/,
        );
        assert.doesNotMatch(err.message, /\n/);
        return true;
      });
    });
  },
);
