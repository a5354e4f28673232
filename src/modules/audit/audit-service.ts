import type { Db, Executor } from '../../db/client.ts';
import { isUuid } from '../../db/ids.ts';
import type { AuditRecord, AuditRepository } from './audit-repository.ts';

export type { AuditRecord };

/** The audit trail: every module writes to it; staff read it. */
export function createAuditService(deps: { db: Db; audit: AuditRepository; nameOf: (ids: string[]) => Promise<Map<string, string>> }) {
  const { db, audit } = deps;
  return {
    /** Written inside the caller's transaction, so a change and its entry commit or fail together. */
    insert: (ex: Executor, record: AuditRecord) => audit.insert(ex, record),

    /** A page of the log, newest first, optionally about one person, with names for people. */
    async page(filter: { person?: string; beforeId?: number; pageSize: number }) {
      const person = filter.person && isUuid(filter.person) ? filter.person : undefined;
      const rows = await audit.list(db, {
        ...(person ? { subjectType: 'person', subjectId: person } : {}),
        beforeId: filter.beforeId,
        limit: filter.pageSize + 1,
      });
      const page = rows.slice(0, filter.pageSize);
      const ids = [
        ...new Set(page.flatMap((r) => [r.actorId, r.subjectType === 'person' ? r.subjectId : null]).filter((x): x is string => !!x)),
      ];
      const names = await deps.nameOf(ids);
      return {
        person,
        entries: page.map((r) => ({
          ...r,
          actorName: r.actorId ? (names.get(r.actorId) ?? 'Unknown') : 'The system',
          subjectName:
            r.subjectType === 'person' && r.subjectId ? (names.get(r.subjectId) ?? r.subjectId) : `${r.subjectType} ${r.subjectId ?? ''}`,
          detailText: Object.entries(r.details)
            .map(([k, v]) => `${k}: ${Array.isArray(v) ? v.join(', ') : String(v)}`)
            .join('; '),
        })),
        nextBefore: rows.length > filter.pageSize ? page[page.length - 1]!.id : null,
      };
    },
  };
}

export type AuditService = ReturnType<typeof createAuditService>;
/** What other modules need of the audit trail: to write to it within their own transaction. */
export type AuditTrail = Pick<AuditService, 'insert'>;
