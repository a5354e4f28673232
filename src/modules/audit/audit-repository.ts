import { and, desc, eq, lt, type SQL } from 'drizzle-orm';
import type { Executor } from '../../db/client.ts';
import { auditLog, type AuditEntry } from '../../db/schema.ts';

export interface AuditRecord {
  actorId: string | null;
  action: string;
  subjectType: string;
  subjectId: string | null;
  /** Field names and codes only: the log must not become a second copy of personal data. */
  details?: Record<string, unknown>;
}

export function createAuditRepository() {
  return {
    async insert(ex: Executor, record: AuditRecord): Promise<void> {
      await ex.insert(auditLog).values({ ...record, details: record.details ?? {} });
    },
    async list(
      ex: Executor,
      filter: { subjectType?: string; subjectId?: string; beforeId?: number; limit: number },
    ): Promise<AuditEntry[]> {
      const conditions: SQL[] = [];
      if (filter.subjectType) conditions.push(eq(auditLog.subjectType, filter.subjectType));
      if (filter.subjectId) conditions.push(eq(auditLog.subjectId, filter.subjectId));
      if (filter.beforeId) conditions.push(lt(auditLog.id, filter.beforeId));
      return ex
        .select()
        .from(auditLog)
        .where(conditions.length ? and(...conditions) : undefined)
        .orderBy(desc(auditLog.id))
        .limit(filter.limit);
    },
  };
}

export type AuditRepository = ReturnType<typeof createAuditRepository>;
