import { z } from 'zod';
import type { AuditService } from './audit-service.ts';
import type { App } from '../../plugins/types.ts';

const PAGE_SIZE = 100;
const query = z.object({
  person: z.string().optional().catch(undefined),
  before: z.coerce.number().int().positive().optional().catch(undefined),
});

/** Staff read the audit log: changes to people, roles and consent, and who looked at access needs. */
export function auditRoutes(app: App, deps: { audit: AuditService }) {
  app.get('/audit', { schema: { querystring: query }, config: { access: ['admin', 'staff'] } }, async (request, reply) => {
    const q = request.query;
    const { person, entries, nextBefore } = await deps.audit.page({ person: q.person, beforeId: q.before, pageSize: PAGE_SIZE });
    return reply.view('audit/views/audit.njk', { title: 'Audit log', entries, person, nextBefore });
  });
}
