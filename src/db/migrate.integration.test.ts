import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { createTestDatabase } from '../../test/harness.ts';
import { createPool, endPool, EditedMigrationError, migrate } from './client.ts';

const committed = path.join(import.meta.dirname, 'migrations');
let db: Awaited<ReturnType<typeof createTestDatabase>>;
let pool: ReturnType<typeof createPool>;
let dir: string;
const recorded = async () =>
  (await pool.query<{ name: string; checksum: string | null }>('select name, checksum from schema_migrations order by name')).rows;
const sha = async (file: string) =>
  createHash('sha256')
    .update(await fs.readFile(path.join(dir, file), 'utf8'))
    .digest('hex');

before(async () => {
  db = await createTestDatabase();
  pool = createPool(db.url);
  // A copy of the committed migrations this test may change.
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'coproduce-migrations-'));
  for (const f of await fs.readdir(committed)) await fs.copyFile(path.join(committed, f), path.join(dir, f));
});
after(async () => {
  await endPool(pool);
  await db.drop();
  await fs.rm(dir, { recursive: true, force: true });
});

test('migrating an up-to-date database again changes nothing, and every applied migration has its checksum', async () => {
  assert.deepEqual(await migrate(pool, dir), []);
  const rows = await recorded();
  assert.deepEqual(
    rows.map((r) => r.name),
    (await fs.readdir(dir)).filter((f) => f.endsWith('.sql')).sort(),
  );
  for (const r of rows) assert.equal(r.checksum, await sha(r.name), r.name);
});

test('a migration recorded before checksums gets its checksum on the next start, once', async () => {
  const [first] = await recorded();
  await pool.query('update schema_migrations set checksum = null where name = $1', [first!.name]);
  assert.deepEqual(await migrate(pool, dir), []);
  assert.equal((await recorded()).find((r) => r.name === first!.name)!.checksum, await sha(first!.name));
});

test('an applied migration edited afterwards stops start-up, naming the file, and changes nothing', async () => {
  const before = await recorded();
  const [, second] = before;
  await fs.appendFile(path.join(dir, second!.name), '\n-- edited after it was applied\n');
  await fs.writeFile(path.join(dir, '9999_new.sql'), 'create table later_one (id int);');
  await assert.rejects(
    migrate(pool, dir),
    (err: Error) => err instanceof EditedMigrationError && err.message.includes(second!.name) && /add a new migration/.test(err.message),
  );
  assert.deepEqual(await recorded(), before, 'nothing recorded');
  assert.equal((await pool.query(`select to_regclass('later_one') as t`)).rows[0].t, null, 'the migration after it was not applied');
});

test('a new migration is applied and recorded with its checksum', async () => {
  await fs.copyFile(path.join(committed, (await recorded())[1]!.name), path.join(dir, (await recorded())[1]!.name));
  assert.deepEqual(await migrate(pool, dir), ['9999_new.sql']);
  assert.equal((await recorded()).find((r) => r.name === '9999_new.sql')!.checksum, await sha('9999_new.sql'));
});
