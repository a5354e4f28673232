import { and, desc, eq, isNull } from 'drizzle-orm';
import type { Executor } from '../../db/client.ts';
import { consents, type Consent, type ConsentPurpose } from '../../db/schema.ts';

export function createConsentsRepository() {
  return {
    /** Inserts a live consent unless one exists; returns true when a new one was recorded. */
    async give(ex: Executor, row: { personId: string; purpose: ConsentPurpose; wording: string; recordedBy: string | null }) {
      const inserted = await ex.insert(consents).values(row).onConflictDoNothing().returning({ id: consents.id });
      return inserted.length > 0;
    },
    async withdraw(ex: Executor, personId: string, purpose: ConsentPurpose): Promise<boolean> {
      const updated = await ex
        .update(consents)
        .set({ withdrawnAt: new Date() })
        .where(and(eq(consents.personId, personId), eq(consents.purpose, purpose), isNull(consents.withdrawnAt)))
        .returning({ id: consents.id });
      return updated.length > 0;
    },
    async history(ex: Executor, personId: string): Promise<Consent[]> {
      return ex.select().from(consents).where(eq(consents.personId, personId)).orderBy(desc(consents.givenAt));
    },
    async isLive(ex: Executor, personId: string, purpose: ConsentPurpose): Promise<boolean> {
      const rows = await ex
        .select({ id: consents.id })
        .from(consents)
        .where(and(eq(consents.personId, personId), eq(consents.purpose, purpose), isNull(consents.withdrawnAt)));
      return rows.length > 0;
    },
    async deleteForPerson(ex: Executor, personId: string) {
      await ex.delete(consents).where(eq(consents.personId, personId));
    },
  };
}

export type ConsentsRepository = ReturnType<typeof createConsentsRepository>;
