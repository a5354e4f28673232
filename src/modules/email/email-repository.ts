import { and, desc, eq, inArray, sql } from 'drizzle-orm';
import type { Executor } from '../../db/client.ts';
import { outgoingEmails, type OutgoingEmailRow } from '../../db/schema.ts';

export function createEmailRepository() {
  return {
    async insert(ex: Executor, row: { kind: string; ref: Record<string, string> }): Promise<OutgoingEmailRow> {
      const [created] = await ex.insert(outgoingEmails).values(row).returning();
      return created!;
    },
    /** Held while the email is sent, so two workers never send it twice; skipped if already held. */
    async lockForSending(ex: Executor, id: string): Promise<OutgoingEmailRow | undefined> {
      const [row] = await ex.select().from(outgoingEmails).where(eq(outgoingEmails.id, id)).for('update', { skipLocked: true });
      return row;
    },
    async markSent(ex: Executor, id: string) {
      await ex
        .update(outgoingEmails)
        .set({
          status: 'sent',
          sentAt: new Date(),
          lastAttemptAt: new Date(),
          attempts: sql`${outgoingEmails.attempts} + 1`,
          nextAttemptAt: null,
        })
        .where(eq(outgoingEmails.id, id));
    },
    async markNotNeeded(ex: Executor, id: string) {
      await ex.update(outgoingEmails).set({ status: 'not_needed', nextAttemptAt: null }).where(eq(outgoingEmails.id, id));
    },
    async markAttemptFailed(ex: Executor, id: string, values: { error: string; nextAttemptAt: Date | null }) {
      await ex
        .update(outgoingEmails)
        .set({
          status: values.nextAttemptAt ? 'waiting' : 'failed',
          attempts: sql`${outgoingEmails.attempts} + 1`,
          lastError: values.error,
          lastAttemptAt: new Date(),
          nextAttemptAt: values.nextAttemptAt,
        })
        .where(eq(outgoingEmails.id, id));
    },
    /** Sending again starts the day of trying afresh. */
    async restart(ex: Executor, id: string): Promise<boolean> {
      const rows = await ex
        .update(outgoingEmails)
        .set({ status: 'waiting', attempts: 0, createdAt: new Date(), nextAttemptAt: new Date() })
        .where(and(eq(outgoingEmails.id, id), inArray(outgoingEmails.status, ['failed', 'waiting'])))
        .returning({ id: outgoingEmails.id });
      return rows.length > 0;
    },
    /** Emails that failed, or are waiting after a failed try, newest first. */
    async troubled(ex: Executor, limit: number): Promise<OutgoingEmailRow[]> {
      return ex
        .select()
        .from(outgoingEmails)
        .where(sql`${outgoingEmails.status} = 'failed' or (${outgoingEmails.status} = 'waiting' and ${outgoingEmails.attempts} > 0)`)
        .orderBy(desc(outgoingEmails.createdAt))
        .limit(limit);
    },
    async countTroubled(ex: Executor): Promise<{ waiting: number; failed: number }> {
      const [row] = await ex
        .select({
          waiting: sql<number>`count(*) filter (where ${outgoingEmails.status} = 'waiting' and ${outgoingEmails.attempts} > 0)::int`,
          failed: sql<number>`count(*) filter (where ${outgoingEmails.status} = 'failed')::int`,
        })
        .from(outgoingEmails)
        .where(inArray(outgoingEmails.status, ['waiting', 'failed']));
      return row ?? { waiting: 0, failed: 0 };
    },
    /** Whether the latest try to send anything failed: the mail server is having trouble now. */
    async lastAttemptFailed(ex: Executor, since: Date): Promise<boolean> {
      const [row] = await ex
        .select({
          status: outgoingEmails.status,
          lastError: outgoingEmails.lastError,
          sentAt: outgoingEmails.sentAt,
          lastAttemptAt: outgoingEmails.lastAttemptAt,
        })
        .from(outgoingEmails)
        .where(sql`${outgoingEmails.lastAttemptAt} > ${since}`)
        .orderBy(desc(outgoingEmails.lastAttemptAt))
        .limit(1);
      return !!row && row.status !== 'sent' && row.status !== 'not_needed';
    },
  };
}

export type EmailRepository = ReturnType<typeof createEmailRepository>;
