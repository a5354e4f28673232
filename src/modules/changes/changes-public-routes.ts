import { CHANGE_STATUSES } from '../../db/schema.ts';
import type { App } from '../../plugins/types.ts';
import { publicListQuery, STATUS_IN_WORDS } from './changes-schemas.ts';
import type { ChangesService } from './changes-service.ts';
import { publicChangeView } from './changes-view.ts';

const PUBLIC = { access: 'public' as const };

/** The public "You said, we did" page: what people told us and what changed, newest first. */
export function changesPublicRoutes(app: App, deps: { changes: ChangesService }) {
  const { changes } = deps;

  app.get('/you-said-we-did', { config: PUBLIC, schema: { querystring: publicListQuery } }, async (request, reply) => {
    const status = request.query.status;
    const { entries, counts } = await changes.publicList(status);
    const total = [...counts.values()].reduce((a, b) => a + b, 0);
    return reply.view('changes/views/you-said-we-did.njk', {
      title: 'You said, we did',
      entries: entries.map((e) => publicChangeView(e.change, e.source)),
      filters: [
        { href: '/you-said-we-did', text: 'All changes', count: total, current: !status },
        ...CHANGE_STATUSES.map((s) => ({
          href: `/you-said-we-did?status=${s}`,
          text: STATUS_IN_WORDS[s],
          count: counts.get(s) ?? 0,
          current: status === s,
        })),
      ],
      statusText: status ? STATUS_IN_WORDS[status] : null,
      total,
    });
  });
}
