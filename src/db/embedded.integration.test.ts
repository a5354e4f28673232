import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import pg from 'pg';
import { startEmbeddedDatabase } from './embedded.ts';

const dirs: string[] = [];
async function tempDir() {
  const d = await fs.mkdtemp(path.join(os.tmpdir(), 'coproduce-embedded-'));
  dirs.push(d);
  return d;
}
after(async () => {
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

describe('embedded PostgreSQL', () => {
  test('listens on loopback only with a generated password; a second process shares it; data survives a restart', async () => {
    const dir = await tempDir();
    const first = await startEmbeddedDatabase({ dataDir: dir });
    assert.equal(first.startedHere, true);
    const settings = JSON.parse(await fs.readFile(path.join(dir, 'postgres.json'), 'utf8'));
    assert.ok(settings.password.length >= 24);
    assert.notEqual(settings.port, 5432);
    assert.equal((await fs.stat(path.join(dir, 'postgres.json'))).mode & 0o077, 0, 'settings file readable by its owner only');
    const [listen] = await query(first.url(), 'show listen_addresses');
    assert.equal(listen.listen_addresses, '127.0.0.1');
    await query(first.url(), 'create table kept (v text); insert into kept values ($$still here$$)');

    // What the CLI does while the server runs: join, never start a second cluster on the folder.
    const second = await startEmbeddedDatabase({ dataDir: dir });
    assert.equal(second.startedHere, false);
    assert.equal(second.url(), first.url());
    await second.stop();
    assert.equal((await query(first.url(), 'select v from kept'))[0].v, 'still here', 'the joiner stopping leaves the cluster running');

    await first.stop();
    const again = await startEmbeddedDatabase({ dataDir: dir });
    try {
      assert.equal(again.startedHere, true);
      assert.equal((await query(again.url(), 'select v from kept'))[0].v, 'still here');
    } finally {
      await again.stop();
    }
  });

  test('two data folders run side by side on different ports', async () => {
    const a = await startEmbeddedDatabase({ dataDir: await tempDir() });
    const b = await startEmbeddedDatabase({ dataDir: await tempDir() });
    try {
      assert.notEqual(new URL(a.url()).port, new URL(b.url()).port);
      assert.equal((await query(a.url(), 'select 1 as one'))[0].one, 1);
      assert.equal((await query(b.url(), 'select 1 as one'))[0].one, 1);
    } finally {
      await a.stop();
      await b.stop();
    }
  });

  test('a PostgreSQL that dies is noticed, started again on the same folder, and keeps its data', async () => {
    const notices: string[] = [];
    const db = await startEmbeddedDatabase({ dataDir: await tempDir(), notice: (m) => notices.push(m) });
    try {
      await query(db.url(), 'create table kept (v text); insert into kept values ($$before the crash$$)');
      const pid = db.pid!()!;
      // What the kernel's out-of-memory killer does.
      process.kill(pid, 'SIGKILL');
      const killedAt = Date.now();
      let rows: { v: string }[] | null = null;
      while (!rows && Date.now() - killedAt < 30_000) {
        rows = await query(db.url(), 'select v from kept').catch(() => null);
        if (!rows) await new Promise((r) => setTimeout(r, 200));
      }
      assert.deepEqual(rows, [{ v: 'before the crash' }]);
      assert.notEqual(db.pid!(), pid, 'a new server process');
      assert.ok(
        notices.some((n) => /stopped unexpectedly \(SIGKILL\)/.test(n)),
        notices.join('\n'),
      );
      for (let i = 0; i < 50 && !notices.some((n) => /running again/.test(n)); i++) await new Promise((r) => setTimeout(r, 100));
      assert.ok(
        notices.some((n) => /running again/.test(n)),
        notices.join('\n'),
      );
      console.log(`embedded PostgreSQL killed, answering again ${Date.now() - killedAt} ms later`);
    } finally {
      await db.stop();
    }
  });
});
