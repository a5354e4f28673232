import { sql, type SQL } from 'drizzle-orm';
import type { Executor, Tx } from '../../db/client.ts';
import type { Person } from '../../db/schema.ts';

/**
 * What one module holds about a person, declared next to its tables: how it is handed back
 * ("download your data") and how it is forgotten (erasure). Export and erasure walk every
 * holder; a test fails if a table or a column that refers to a person is not declared here.
 */
export interface PersonalDataHolder {
  module: string;
  /** Every table the module owns, each with what it holds about people (or why it holds nothing). */
  tables: Record<string, string>;
  /** Every column that refers to a person (`table.column`), with what erasure does to it. */
  personColumns: Record<string, string>;
  export(ex: Executor, personId: string): Promise<Record<string, unknown>>;
  /** Runs inside the erasure transaction; `person` is the row as it was before erasure. */
  forget(tx: Tx, person: Person): Promise<void>;
  /** After the erasure has committed: what lives outside the database (files). */
  afterForget?(person: Person): Promise<void>;
}

/** Rows of a raw query, typed by the caller. */
export async function rowsOf<T>(ex: Executor, query: SQL): Promise<T[]> {
  return (await ex.execute(query)).rows as T[];
}

export interface Coverage {
  /** Tables in the database that no holder declares. */
  undeclaredTables: string[];
  /** Columns with a foreign key to people that no holder says how it exports and forgets. */
  undeclaredPersonColumns: string[];
  /** Declarations naming tables or columns that do not exist (a rename left behind). */
  staleDeclarations: string[];
}

/** Compares the live schema with what the holders declare. */
export async function personalDataCoverage(ex: Executor, holders: PersonalDataHolder[]): Promise<Coverage> {
  const tables = (
    await rowsOf<{ table_name: string }>(
      ex,
      sql`
    select table_name from information_schema.tables
    where table_schema = 'public' and table_type = 'BASE TABLE' and table_name <> 'schema_migrations'`,
    )
  ).map((r) => r.table_name);
  const personColumns = (
    await rowsOf<{ col: string }>(
      ex,
      sql`
    select c.conrelid::regclass::text || '.' || a.attname as col
    from pg_constraint c
    join pg_attribute a on a.attrelid = c.conrelid and a.attnum = any (c.conkey)
    where c.contype = 'f' and c.confrelid = 'public.people'::regclass`,
    )
  ).map((r) => r.col);
  const declaredTables = new Set(holders.flatMap((h) => Object.keys(h.tables)));
  const declaredColumns = new Set(holders.flatMap((h) => Object.keys(h.personColumns)));
  const existingColumns = new Set(personColumns);
  return {
    undeclaredTables: tables.filter((t) => !declaredTables.has(t)).sort(),
    undeclaredPersonColumns: personColumns.filter((c) => !declaredColumns.has(c)).sort(),
    staleDeclarations: [
      ...[...declaredTables].filter((t) => !tables.includes(t)),
      ...[...declaredColumns].filter((c) => !existingColumns.has(c)),
    ].sort(),
  };
}

/** Export and erasure across every module, in the order the holders are given. */
export function personalDataRegistry(holders: PersonalDataHolder[]) {
  return {
    holders,
    /** One object for the person to read: every module's parts side by side. */
    async exportAll(ex: Executor, personId: string): Promise<Record<string, unknown>> {
      const out: Record<string, unknown> = {};
      for (const h of holders) {
        for (const [key, value] of Object.entries(await h.export(ex, personId))) {
          if (key in out) throw new Error(`Two modules export "${key}" (the second is ${h.module})`);
          out[key] = value;
        }
      }
      return out;
    },
    async forgetAll(tx: Tx, person: Person): Promise<void> {
      // Later holders first: the people row itself (first) is anonymised last.
      for (const h of [...holders].reverse()) await h.forget(tx, person);
    },
    async afterForgetAll(person: Person): Promise<void> {
      for (const h of holders) await h.afterForget?.(person);
    },
  };
}

export type PersonalDataRegistry = ReturnType<typeof personalDataRegistry>;
