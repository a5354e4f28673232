import { and, desc, eq, inArray, isNotNull, isNull, lte, sql } from 'drizzle-orm';
import type { Executor } from '../../db/client.ts';
import { changes, type Change, type ChangeSourceType, type ChangeStatus } from '../../db/schema.ts';

export interface ChangeColumns {
  youSaid: string;
  weDid: string;
  status: ChangeStatus;
  sourceType: ChangeSourceType | null;
  sourceId: string | null;
  sourceTheme: string | null;
}

/** Shown to the public: published on a day that has come. */
const shownBy = (today: string) => and(isNotNull(changes.publishedOn), lte(changes.publishedOn, today))!;

export function createChangesRepository() {
  return {
    /** A double click sends the same submission key twice: the second insert does nothing (null). */
    async insert(
      ex: Executor,
      columns: ChangeColumns & { publishedOn: string | null; createdBy: string | null; submissionKey: string | null; isDemo?: boolean },
    ): Promise<Change | null> {
      const [row] = await ex.insert(changes).values(columns).onConflictDoNothing({ target: changes.submissionKey }).returning();
      return row ?? null;
    },
    async findBySubmissionKey(ex: Executor, key: string): Promise<Change | null> {
      const [row] = await ex.select().from(changes).where(eq(changes.submissionKey, key));
      return row ?? null;
    },
    async find(ex: Executor, id: string, opts: { lock?: boolean } = {}): Promise<Change | null> {
      const q = ex.select().from(changes).where(eq(changes.id, id));
      const [row] = opts.lock ? await q.for('update') : await q;
      return row ?? null;
    },
    async update(ex: Executor, id: string, set: Partial<ChangeColumns> & { publishedOn?: string | null }): Promise<Change> {
      const [row] = await ex
        .update(changes)
        .set({ ...set, updatedAt: new Date() })
        .where(eq(changes.id, id))
        .returning();
      return row!;
    },
    async remove(ex: Executor, id: string): Promise<void> {
      await ex.delete(changes).where(eq(changes.id, id));
    },
    /** Every entry for staff: drafts first, then the newest shown. */
    async all(ex: Executor): Promise<Change[]> {
      return ex
        .select()
        .from(changes)
        .orderBy(sql`${changes.publishedOn} is not null`, desc(changes.publishedOn), desc(changes.createdAt));
    },
    /** Published entries, newest first, a page at a time (keyset on the day and the id). */
    async published(
      ex: Executor,
      opts: { today: string; status?: ChangeStatus | undefined; after?: { on: string; id: string } | undefined; limit: number },
    ): Promise<Change[]> {
      return ex
        .select()
        .from(changes)
        .where(
          and(
            shownBy(opts.today),
            opts.status ? eq(changes.status, opts.status) : undefined,
            opts.after ? sql`(${changes.publishedOn}, ${changes.id}) < (${opts.after.on}::date, ${opts.after.id}::uuid)` : undefined,
          ),
        )
        .orderBy(desc(changes.publishedOn), desc(changes.id))
        .limit(opts.limit);
    },
    async publishedCounts(ex: Executor, today: string): Promise<Map<ChangeStatus, number>> {
      const rows = await ex
        .select({ status: changes.status, n: sql<number>`count(*)::int` })
        .from(changes)
        .where(shownBy(today))
        .groupBy(changes.status);
      return new Map(rows.map((r) => [r.status, r.n]));
    },
    /** Published entries that came from these sources (an event's forms, a conversation). */
    async publishedFrom(ex: Executor, type: ChangeSourceType, ids: string[], today: string): Promise<Change[]> {
      if (!ids.length) return [];
      return ex
        .select()
        .from(changes)
        .where(and(shownBy(today), eq(changes.sourceType, type), inArray(changes.sourceId, ids)))
        .orderBy(desc(changes.publishedOn), desc(changes.id));
    },
    /**
     * Claims the telling of an entry, once: a double click or a second process finds it claimed
     * and tells no one. Only a published entry that is shown today is told about.
     */
    async claimNotification(ex: Executor, id: string, today: string): Promise<Change | null> {
      const [row] = await ex
        .update(changes)
        .set({ notifiedAt: new Date() })
        .where(and(eq(changes.id, id), isNull(changes.notifiedAt), shownBy(today)))
        .returning();
      return row ?? null;
    },
    async setNotifiedCount(ex: Executor, id: string, count: number): Promise<void> {
      await ex.update(changes).set({ notifiedCount: count }).where(eq(changes.id, id));
    },
    /** What a member of staff wrote, for their own data export. */
    async writtenBy(ex: Executor, personId: string): Promise<Change[]> {
      return ex.select().from(changes).where(eq(changes.createdBy, personId)).orderBy(desc(changes.createdAt));
    },
  };
}

export type ChangesRepository = ReturnType<typeof createChangesRepository>;
