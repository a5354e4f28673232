import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { drizzle, type NodePgDatabase } from 'drizzle-orm/node-postgres';
import type { PgTransaction } from 'drizzle-orm/pg-core';
import type { NodePgQueryResultHKT } from 'drizzle-orm/node-postgres';
import type { ExtractTablesWithRelations } from 'drizzle-orm';
import pg from 'pg';
import * as schema from './schema.ts';

export type Db = NodePgDatabase<typeof schema>;
export type Tx = PgTransaction<NodePgQueryResultHKT, typeof schema, ExtractTablesWithRelations<typeof schema>>;
/** What a repository runs its SQL on: the database, or a transaction it was handed. */
export type Executor = Db | Tx;

export interface Database {
  pool: pg.Pool;
  db: Db;
  close(): Promise<void>;
}

export interface PoolOptions {
  max?: number;
  /** How long to wait for a connection before giving up, so requests fail fast in an outage. */
  connectTimeoutMs?: number;
  /** Told when a connection breaks (a database restart, a failover); the pool replaces it. */
  onConnectionError?: (err: Error) => void;
}

/**
 * A pool that survives the database going away: a connection that breaks while idle in the
 * pool, or while checked out between two statements of a transaction, is reported and
 * replaced, never left to throw an unhandled 'error' event that would end the process.
 */
export function createPool(url: string, opts: PoolOptions = {}): pg.Pool {
  const pool = new ResilientPool({
    connectionString: url,
    max: opts.max ?? 20,
    connectionTimeoutMillis: opts.connectTimeoutMs ?? 5000,
    keepAlive: true,
  });
  const report = (err: Error) => opts.onConnectionError?.(err);
  pool.on('error', report);
  pool.on('connect', (client) => {
    // pg-pool listens for errors only while a client is idle; this covers it while checked out.
    client.on('error', report);
    // A statement that finds the connection gone hands the client back to be destroyed at once.
    // drizzle's transaction() never releases a client whose BEGIN fails, so without this each
    // database restart during traffic would keep a pool slot for ever.
    const query = client.query.bind(client) as (...args: unknown[]) => unknown;
    (client as unknown as { query: (...args: unknown[]) => unknown }).query = (...args: unknown[]) => {
      const result = query(...args);
      if (result instanceof Promise) {
        result.catch((err: unknown) => {
          const release = (client as Partial<pg.PoolClient>).release;
          if (isDatabaseUnavailable(err) && release) release.call(client, err as Error);
        });
      }
      return result;
    };
  });
  return pool;
}

/** Ends a pool, waiting at most a few seconds: a client never handed back must not hold up a shutdown. */
export async function endPool(pool: pg.Pool, waitMs = 5000): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([pool.end().catch(() => undefined), new Promise<void>((resolve) => (timer = setTimeout(resolve, waitMs)))]);
  clearTimeout(timer);
}

/** Checked-out clients may be released twice (by the guard above, then by their user): the second is ignored. */
class ResilientPool extends pg.Pool {
  override connect(): Promise<pg.PoolClient>;
  override connect(callback: (err: Error | undefined, client: pg.PoolClient | undefined, done: (release?: unknown) => void) => void): void;
  override connect(
    callback?: (err: Error | undefined, client: pg.PoolClient | undefined, done: (release?: unknown) => void) => void,
  ): Promise<pg.PoolClient> | void {
    if (callback) return super.connect(callback);
    return super.connect().then((client) => {
      const release = client.release.bind(client);
      let released = false;
      client.release = (err?: Error | boolean) => {
        if (released) return;
        released = true;
        release(err);
      };
      return client;
    });
  }
}

/**
 * Runs plain SQL with numbered parameters on whatever an executor is: the pool, or the one
 * connection a transaction holds (so a job queued "in" a transaction commits or rolls back with it).
 * drizzle keeps that connection as `session.client`; pg-boss needs it as `executeSql`.
 */
export function rawQuery<T extends pg.QueryResultRow = pg.QueryResultRow>(
  ex: Executor,
  statement: string | { name: string; text: string },
  values?: unknown[],
): Promise<pg.QueryResult<T>> {
  const client = (ex as unknown as { session?: { client?: pg.Pool | pg.PoolClient } }).session?.client;
  if (!client) throw new Error('This executor has no connection to run plain SQL on');
  // A named statement is prepared once on each connection, then only bound and run.
  return typeof statement === 'string' ? client.query<T>(statement, values) : client.query<T>({ ...statement, values });
}

export function connect(url: string, opts: PoolOptions = {}): Database {
  const pool = createPool(url, opts);
  const db = drizzle(pool, { schema });
  return { pool, db, close: () => endPool(pool) };
}

const UNAVAILABLE_CODES = new Set([
  '57P01',
  '57P02',
  '57P03',
  '53300',
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
]);
const UNAVAILABLE_MESSAGES =
  /Connection terminated|timeout exceeded when trying to connect|not queryable|Connection ended unexpectedly|terminating connection|the database system is (shutting down|starting up)|Cannot use a pool after calling end/i;

/** Whether an error means the database cannot be reached just now (rather than a bug or bad data). */
export function isDatabaseUnavailable(err: unknown): boolean {
  let e: unknown = err;
  for (let depth = 0; e && typeof e === 'object' && depth < 5; depth++) {
    const { code, message } = e as { code?: unknown; message?: unknown };
    if (typeof code === 'string' && (UNAVAILABLE_CODES.has(code) || code.startsWith('08'))) return true;
    if (typeof message === 'string' && UNAVAILABLE_MESSAGES.test(message)) return true;
    // drizzle wraps driver errors; the cause holds the original.
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}

const migrationsDir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'migrations');

export class EditedMigrationError extends Error {}

const checksumOf = (sql: string) => createHash('sha256').update(sql).digest('hex');

/**
 * Applies the committed SQL migrations in name order, each in its own transaction, under
 * an advisory lock so that several processes starting at once do not race. Each is recorded
 * with a sha256 of its SQL; a committed migration edited after it was applied stops start-up,
 * since the database no longer matches what the file says (add a new migration instead).
 * Rows recorded before checksums existed get theirs from the file on the next start, once.
 */
export async function migrate(pool: pg.Pool, dir = migrationsDir): Promise<string[]> {
  const client = await pool.connect();
  const applied: string[] = [];
  try {
    await client.query('select pg_advisory_lock(724011)');
    await client.query(
      'create table if not exists schema_migrations (name text primary key, applied_at timestamptz not null default now())',
    );
    await client.query('alter table schema_migrations add column if not exists checksum text');
    const recorded = new Map(
      (await client.query<{ name: string; checksum: string | null }>('select name, checksum from schema_migrations')).rows.map((r) => [
        r.name,
        r.checksum,
      ]),
    );
    const files = readdirSync(dir)
      .filter((f) => f.endsWith('.sql'))
      .sort();
    for (const file of files) {
      const sql = readFileSync(path.join(dir, file), 'utf8');
      const checksum = checksumOf(sql);
      if (recorded.has(file)) {
        const was = recorded.get(file);
        if (was === null) await client.query('update schema_migrations set checksum = $2 where name = $1', [file, checksum]);
        else if (was !== checksum) {
          throw new EditedMigrationError(
            `Migration ${file} was changed after it was applied to this database. Put it back as it was and add a new migration for the change.`,
          );
        }
        continue;
      }
      await client.query('begin');
      try {
        await client.query(sql);
        await client.query('insert into schema_migrations (name, checksum) values ($1, $2)', [file, checksum]);
        await client.query('commit');
        applied.push(file);
      } catch (err) {
        await client.query('rollback');
        throw new Error(`Migration ${file} failed: ${(err as Error).message}`);
      }
    }
  } finally {
    await client.query('select pg_advisory_unlock(724011)').catch(() => undefined);
    client.release();
  }
  return applied;
}
