import { and, asc, desc, eq, inArray, isNotNull, ne, notInArray, or, sql } from 'drizzle-orm';
import type { Executor } from '../../db/client.ts';
import {
  claimExpenses,
  claimItems,
  claims,
  claimUpdates,
  paymentRates,
  type Claim,
  type ClaimExpense,
  type ClaimItem,
  type ClaimState,
  type ClaimStatus,
  type PaidActivity,
  type PaymentRate,
} from '../../db/schema.ts';

export type ClaimColumns = Omit<typeof claims.$inferInsert, 'id' | 'createdAt' | 'updatedAt'>;
export type ItemColumns = Omit<typeof claimItems.$inferInsert, 'id' | 'claimId'>;
export type ExpenseColumns = Omit<typeof claimExpenses.$inferInsert, 'claimId'> & { id: string };

export interface ClaimWithParts extends Claim {
  items: ClaimItem[];
  expenses: ClaimExpense[];
  updates: (typeof claimUpdates.$inferSelect)[];
}

/**
 * When a claim was sent, to the millisecond: a cursor holds a JavaScript date, which has no
 * microseconds, so the list is ordered and paged by the same rounded time.
 */
const sentMs = sql<Date>`date_trunc('milliseconds', ${claims.submittedAt})`;

export function createPaymentsRepository() {
  return {
    // ---- rates ----------------------------------------------------------------------------------
    async rates(ex: Executor): Promise<PaymentRate[]> {
      return ex.select().from(paymentRates);
    },
    async upsertRate(ex: Executor, row: Omit<PaymentRate, 'updatedAt'>): Promise<void> {
      const { activity, ...rest } = row;
      await ex
        .insert(paymentRates)
        .values({ ...row, updatedAt: new Date() })
        .onConflictDoUpdate({ target: paymentRates.activity, set: { ...rest, updatedAt: new Date() } });
      void activity;
    },

    // ---- claims ---------------------------------------------------------------------------------
    /** One person's claims are made one at a time, so the same meeting cannot be claimed twice at once. */
    async lockPerson(ex: Executor, personId: string): Promise<void> {
      await ex.execute(sql`select pg_advisory_xact_lock(hashtext(${`claims:${personId}`}))`);
    },
    async insertClaim(ex: Executor, columns: ClaimColumns): Promise<Claim | null> {
      const [row] = await ex.insert(claims).values(columns).onConflictDoNothing({ target: claims.submissionKey }).returning();
      return row ?? null;
    },
    async insertParts(ex: Executor, claimId: string, items: ItemColumns[], expenses: ExpenseColumns[]): Promise<void> {
      if (items.length) await ex.insert(claimItems).values(items.map((i) => ({ ...i, claimId })));
      if (expenses.length) await ex.insert(claimExpenses).values(expenses.map((e) => ({ ...e, claimId })));
    },
    async findBySubmissionKey(ex: Executor, key: string): Promise<Claim | null> {
      const [row] = await ex.select().from(claims).where(eq(claims.submissionKey, key));
      return row ?? null;
    },
    async find(ex: Executor, id: string, opts: { lock?: boolean } = {}): Promise<Claim | null> {
      const q = ex.select().from(claims).where(eq(claims.id, id));
      const [row] = opts.lock ? await q.for('update') : await q;
      return row ?? null;
    },
    async withParts(ex: Executor, claim: Claim): Promise<ClaimWithParts> {
      // One after another: `ex` may be a transaction, whose client runs one statement at a time.
      const items = await ex.select().from(claimItems).where(eq(claimItems.claimId, claim.id)).orderBy(asc(claimItems.position));
      const expenses = await ex
        .select()
        .from(claimExpenses)
        .where(eq(claimExpenses.claimId, claim.id))
        .orderBy(asc(claimExpenses.position));
      const updates = await ex
        .select()
        .from(claimUpdates)
        .where(eq(claimUpdates.claimId, claim.id))
        .orderBy(asc(claimUpdates.at), asc(claimUpdates.id));
      return { ...claim, items, expenses, updates };
    },
    async itemsOf(ex: Executor, claimIds: string[]): Promise<ClaimItem[]> {
      if (!claimIds.length) return [];
      return ex.select().from(claimItems).where(inArray(claimItems.claimId, claimIds)).orderBy(asc(claimItems.position));
    },
    async expensesOf(ex: Executor, claimIds: string[]): Promise<ClaimExpense[]> {
      if (!claimIds.length) return [];
      return ex.select().from(claimExpenses).where(inArray(claimExpenses.claimId, claimIds)).orderBy(asc(claimExpenses.position));
    },
    async expense(ex: Executor, claimId: string, expenseId: string): Promise<ClaimExpense | null> {
      const [row] = await ex
        .select()
        .from(claimExpenses)
        .where(and(eq(claimExpenses.id, expenseId), eq(claimExpenses.claimId, claimId)));
      return row ?? null;
    },
    /** Meetings and sessions already in this person's claims that count: sent, and not rejected. */
    async claimedSources(ex: Executor, personId: string): Promise<Set<string>> {
      const rows = await ex
        .select({ type: claimItems.sourceType, id: claimItems.sourceId })
        .from(claimItems)
        .innerJoin(claims, eq(claims.id, claimItems.claimId))
        .where(and(eq(claims.personId, personId), notInArray(claims.status, ['draft', 'rejected']), isNotNull(claimItems.sourceId)));
      return new Set(rows.map((r) => `${r.type}:${r.id}`));
    },
    /** Minutes already claimed on each of these days in the person's sent claims that were not rejected. */
    async minutesOnDays(ex: Executor, personId: string, days: string[]): Promise<Map<string, number>> {
      if (!days.length) return new Map();
      const conditions = [
        eq(claims.personId, personId),
        inArray(claims.status, ['submitted', 'approved', 'paid']),
        inArray(claimItems.onDate, days),
      ];
      const rows = await ex
        .select({ day: claimItems.onDate, minutes: sql<number>`sum(${claimItems.minutes})::int` })
        .from(claimItems)
        .innerJoin(claims, eq(claims.id, claimItems.claimId))
        .where(and(...conditions))
        .groupBy(claimItems.onDate);
      return new Map(rows.map((r) => [r.day, r.minutes]));
    },
    /** The drafts one maker has open for one person: a new one replaces them. */
    async draftsOf(ex: Executor, personId: string, makerId: string): Promise<Claim[]> {
      const mine = makerId === personId ? sql`${claims.madeBy} is null` : eq(claims.madeBy, makerId);
      return ex
        .select()
        .from(claims)
        .where(and(eq(claims.personId, personId), eq(claims.status, 'draft'), mine));
    },
    async deleteClaims(ex: Executor, ids: string[]): Promise<void> {
      if (ids.length) await ex.delete(claims).where(inArray(claims.id, ids));
    },
    async submitDraft(ex: Executor, id: string): Promise<void> {
      await ex.update(claims).set({ status: 'submitted', submittedAt: new Date(), updatedAt: new Date() }).where(eq(claims.id, id));
    },
    async setStatus(
      ex: Executor,
      id: string,
      status: ClaimStatus,
      extra: Partial<Pick<Claim, 'decidedBy' | 'decidedAt' | 'rejectedReason' | 'paidBy' | 'paidAt'>>,
    ) {
      await ex
        .update(claims)
        .set({ status, ...extra, updatedAt: new Date() })
        .where(eq(claims.id, id));
    },
    async addUpdate(ex: Executor, row: { claimId: string; status: ClaimStatus; note: string | null; byPerson: string | null }) {
      await ex.insert(claimUpdates).values(row);
    },

    // ---- lists ----------------------------------------------------------------------------------
    /** Sent claims for staff, newest first; a page after a cursor. */
    async list(ex: Executor, opts: { status?: ClaimStatus; after?: { at: string; id: string }; limit: number }): Promise<Claim[]> {
      const conditions = [ne(claims.status, 'draft')];
      if (opts.status) conditions.push(eq(claims.status, opts.status));
      if (opts.after) {
        const at = sql`${new Date(opts.after.at).toISOString()}::timestamptz`;
        conditions.push(sql`(${sentMs} < ${at} or (${sentMs} = ${at} and ${claims.id} < ${opts.after.id}::uuid))`);
      }
      return ex
        .select()
        .from(claims)
        .where(and(...conditions))
        .orderBy(desc(sentMs), desc(claims.id))
        .limit(opts.limit);
    },
    /** How many of the list come before a cursor (newer, or as new with a larger id): where its page starts. */
    async countNewer(ex: Executor, opts: { status?: ClaimStatus; after: { at: string; id: string } }): Promise<number> {
      const at = sql`${new Date(opts.after.at).toISOString()}::timestamptz`;
      const conditions = [
        ne(claims.status, 'draft'),
        sql`(${sentMs} > ${at} or (${sentMs} = ${at} and ${claims.id} >= ${opts.after.id}::uuid))`,
      ];
      if (opts.status) conditions.push(eq(claims.status, opts.status));
      const [row] = await ex
        .select({ n: sql<number>`count(*)::int` })
        .from(claims)
        .where(and(...conditions));
      return row?.n ?? 0;
    },
    async counts(ex: Executor): Promise<Record<ClaimState, number>> {
      const rows = await ex
        .select({ status: claims.status, n: sql<number>`count(*)::int` })
        .from(claims)
        .groupBy(claims.status);
      const out: Record<ClaimState, number> = { draft: 0, submitted: 0, approved: 0, rejected: 0, paid: 0 };
      for (const r of rows) out[r.status] = r.n;
      return out;
    },
    /**
     * A person's claims, newest first: the sent ones, with no drafts, the drafts they are making
     * themselves (`own`), or every draft, those staff are making for them too (`all`: their data).
     */
    async ofPerson(ex: Executor, personId: string, opts: { drafts: 'none' | 'own' | 'all' }): Promise<Claim[]> {
      const mine = eq(claims.personId, personId);
      const visible =
        opts.drafts === 'all'
          ? mine
          : opts.drafts === 'own'
            ? and(mine, or(ne(claims.status, 'draft'), sql`${claims.madeBy} is null`))
            : and(mine, ne(claims.status, 'draft'));
      return ex.select().from(claims).where(visible).orderBy(desc(claims.createdAt), desc(claims.id));
    },
    /**
     * What a person claimed in a tax year: a claim counts in the year it was paid, or, until it is
     * paid, the year it was sent. Rejected claims and drafts do not count.
     */
    async taxYearTotals(ex: Executor, personId: string, from: Date, until: Date) {
      const [row] = await ex
        .select({
          total: sql<number>`coalesce(sum(${claims.totalPence}), 0)::int`,
          time: sql<number>`coalesce(sum(${claims.timePence}), 0)::int`,
          paid: sql<number>`coalesce(sum(${claims.totalPence}) filter (where ${claims.status} = 'paid'), 0)::int`,
          claims: sql<number>`count(*)::int`,
        })
        .from(claims)
        .where(
          and(
            eq(claims.personId, personId),
            inArray(claims.status, ['submitted', 'approved', 'paid']),
            sql`coalesce(${claims.paidAt}, ${claims.submittedAt}) >= ${from.toISOString()}::timestamptz`,
            sql`coalesce(${claims.paidAt}, ${claims.submittedAt}) < ${until.toISOString()}::timestamptz`,
          ),
        );
      return row ?? { total: 0, time: 0, paid: 0, claims: 0 };
    },

    // ---- erasure --------------------------------------------------------------------------------
    async claimIdsOf(ex: Executor, personId: string): Promise<{ id: string; status: ClaimState }[]> {
      return ex.select({ id: claims.id, status: claims.status }).from(claims).where(eq(claims.personId, personId));
    },
    async receiptKeysOf(ex: Executor, claimIds: string[]): Promise<string[]> {
      if (!claimIds.length) return [];
      const rows = await ex
        .select({ key: claimExpenses.receiptKey })
        .from(claimExpenses)
        .where(and(inArray(claimExpenses.claimId, claimIds), isNotNull(claimExpenses.receiptKey)));
      return rows.map((r) => r.key!);
    },
    /** Keeps what finance must keep (dates, times, amounts) and clears what could say who it was. */
    async anonymise(ex: Executor, claimIds: string[], labels: Record<PaidActivity, string>): Promise<void> {
      if (!claimIds.length) return;
      await ex
        .update(claims)
        .set({
          note: null,
          rejectedReason: sql`case when ${claims.rejectedReason} is null then null else 'Cleared when their data was erased' end`,
          anonymisedAt: new Date(),
          updatedAt: new Date(),
        })
        .where(inArray(claims.id, claimIds));
      for (const [activity, label] of Object.entries(labels))
        await ex
          .update(claimItems)
          .set({ description: label, sourceType: null, sourceId: null })
          .where(and(inArray(claimItems.claimId, claimIds), eq(claimItems.activity, activity as PaidActivity)));
      await ex
        .update(claimExpenses)
        .set({ note: null, receiptKey: null, receiptName: null, receiptType: null })
        .where(inArray(claimExpenses.claimId, claimIds));
      await ex.update(claimUpdates).set({ note: null }).where(inArray(claimUpdates.claimId, claimIds));
    },
  };
}

export type PaymentsRepository = ReturnType<typeof createPaymentsRepository>;
