import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { Db } from '../../db/client.ts';
import { isUuid } from '../people/people-repository.ts';
import type { AuditRepository } from './audit-repository.ts';

const PAGE_SIZE = 100;
const query = z.object({
  person: z.string().optional().catch(undefined),
  before: z.coerce.number().int().positive().optional().catch(undefined),
});

/** Staff read the audit log: changes to people, roles and consent, and who looked at access needs. */
export function auditRoutes(app: FastifyInstance, deps: { db: Db; audit: AuditRepository; nameOf: (ids: string[]) => Promise<Map<string, string>> }) {
  app.get('/audit', { config: { access: ['admin', 'staff'] } }, async (request, reply) => {
    const q = query.parse(request.query ?? {});
    const person = q.person && isUuid(q.person) ? q.person : undefined;
    const rows = await deps.audit.list(deps.db, {
      ...(person ? { subjectType: 'person', subjectId: person } : {}),
      beforeId: q.before,
      limit: PAGE_SIZE + 1,
    });
    const page = rows.slice(0, PAGE_SIZE);
    const ids = [...new Set(page.flatMap((r) => [r.actorId, r.subjectType === 'person' ? r.subjectId : null]).filter((x): x is string => !!x))];
    const names = await deps.nameOf(ids);
    return reply.view('audit/views/audit.njk', {
      title: 'Audit log',
      entries: page.map((r) => ({
        ...r,
        actorName: r.actorId ? (names.get(r.actorId) ?? 'Unknown') : 'The system',
        subjectName: r.subjectType === 'person' && r.subjectId ? (names.get(r.subjectId) ?? r.subjectId) : `${r.subjectType} ${r.subjectId ?? ''}`,
        detailText: Object.entries(r.details)
          .map(([k, v]) => `${k}: ${Array.isArray(v) ? v.join(', ') : String(v)}`)
          .join('; '),
      })),
      person,
      nextBefore: rows.length > PAGE_SIZE ? page[page.length - 1]!.id : null,
    });
  });
}
