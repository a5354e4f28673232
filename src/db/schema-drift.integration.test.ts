import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { getTableConfig, PgTable } from 'drizzle-orm/pg-core';
import pg from 'pg';
import { createTestDatabase } from '../../test/harness.ts';
import * as schema from './schema.ts';

/**
 * db/schema.ts is written by hand beside the SQL migrations: this holds the two together. The
 * database is the test template, built by the real migrations.
 */
let db: Awaited<ReturnType<typeof createTestDatabase>>;
let client: pg.Client;
before(async () => {
  db = await createTestDatabase();
  client = new pg.Client({ connectionString: db.url });
  await client.connect();
});
after(async () => {
  await client.end();
  await db.drop();
});

interface Column {
  type: string;
  notNull: boolean;
}

/** drizzle's SQL type as information_schema names it (serials are integers with a sequence). */
function asPostgresType(sqlType: string): string {
  const t = sqlType.toLowerCase();
  if (t.endsWith('[]')) return `${asPostgresType(t.slice(0, -2))}[]`;
  if (t === 'bigserial') return 'bigint';
  if (t === 'serial') return 'integer';
  if (t.startsWith('timestamp') && t.includes('with time zone')) return 'timestamp with time zone';
  if (t.startsWith('timestamp')) return 'timestamp without time zone';
  if (t.startsWith('varchar')) return 'character varying';
  return t;
}

function drizzleTables(): Map<string, Map<string, Column>> {
  const tables = new Map<string, Map<string, Column>>();
  for (const value of Object.values(schema)) {
    if (!(value instanceof PgTable)) continue;
    const config = getTableConfig(value);
    const inPrimaryKey = new Set(config.primaryKeys.flatMap((pk) => pk.columns.map((c) => c.name)));
    tables.set(
      config.name,
      new Map(
        config.columns.map((c) => [
          c.name,
          { type: asPostgresType(c.getSQLType()), notNull: c.notNull || c.primary || inPrimaryKey.has(c.name) },
        ]),
      ),
    );
  }
  return tables;
}

async function databaseTables(): Promise<Map<string, Map<string, Column>>> {
  const { rows } = await client.query<{
    table_name: string;
    column_name: string;
    data_type: string;
    udt_name: string;
    is_nullable: string;
  }>(
    `select table_name, column_name, data_type, udt_name, is_nullable from information_schema.columns
      where table_schema = 'public' and table_name <> 'schema_migrations' order by table_name, ordinal_position`,
  );
  const tables = new Map<string, Map<string, Column>>();
  for (const r of rows) {
    const type = r.data_type === 'ARRAY' ? `${r.udt_name.replace(/^_/, '').replace(/^int4$/, 'integer')}[]` : r.data_type;
    if (!tables.has(r.table_name)) tables.set(r.table_name, new Map());
    tables.get(r.table_name)!.set(r.column_name, { type, notNull: r.is_nullable === 'NO' });
  }
  return tables;
}

/** Every difference between schema.ts and the database, in words. */
function differences(code: Map<string, Map<string, Column>>, database: Map<string, Map<string, Column>>): string[] {
  const problems: string[] = [];
  for (const name of new Set([...code.keys(), ...database.keys()])) {
    const inCode = code.get(name);
    const inDb = database.get(name);
    if (!inCode) problems.push(`table ${name} is in the database but not in schema.ts`);
    else if (!inDb) problems.push(`table ${name} is in schema.ts but no migration creates it`);
    else {
      for (const column of new Set([...inCode.keys(), ...inDb.keys()])) {
        const c = inCode.get(column);
        const d = inDb.get(column);
        if (!c) problems.push(`${name}.${column} is in the database but not in schema.ts`);
        else if (!d) problems.push(`${name}.${column} is in schema.ts but not in the database`);
        else {
          if (c.type !== d.type) problems.push(`${name}.${column} is ${c.type} in schema.ts but ${d.type} in the database`);
          if (c.notNull !== d.notNull)
            problems.push(
              `${name}.${column} is ${c.notNull ? 'not null' : 'nullable'} in schema.ts but ${d.notNull ? 'not null' : 'nullable'} in the database`,
            );
        }
      }
    }
  }
  return problems;
}

test('db/schema.ts and the migrated database have the same tables, columns, types and nullability', async () => {
  const code = drizzleTables();
  const database = await databaseTables();
  assert.ok(code.size > 20, `schema.ts has its tables (${code.size})`);
  assert.deepEqual(differences(code, database), []);
});

test('the comparison names a column that drifted, and a nullability that differs', async () => {
  await client.query('alter table page_feedback add column drifted text');
  await client.query('alter table page_feedback alter column path drop not null');
  assert.deepEqual(differences(drizzleTables(), await databaseTables()), [
    'page_feedback.path is not null in schema.ts but nullable in the database',
    'page_feedback.drifted is in the database but not in schema.ts',
  ]);
});
