import type { z } from 'zod';
import { idParams } from '../../lib/route-schemas.ts';
import { actorOf } from '../../plugins/access.ts';
import type { App } from '../../plugins/types.ts';
import { pageSchema, problems, requireJson, STAFF_API } from '../api/api-common.ts';
import {
  changeApiInputSchema,
  changeListQuerySchema,
  changeOutSchema,
  publishApiInputSchema,
  publishedChangeOutSchema,
  STATUS_IN_WORDS,
} from './changes-schemas.ts';
import type { Change, ChangesService, ShownSource } from './changes-service.ts';

const OPEN = { access: 'public', api: true } as const;
/** Two texts of 2,000 characters in any script, and room for the rest; anything larger is a 413. */
const BODY_LIMIT = 100_000;

const publishedOut = (c: Change, s: ShownSource | null): z.infer<typeof publishedChangeOutSchema> => ({
  id: c.id,
  youSaid: c.youSaid,
  weDid: c.weDid,
  status: c.status,
  statusText: STATUS_IN_WORDS[c.status],
  publishedOn: c.publishedOn!,
  // The public learns a source's id only when it may see the source itself.
  source: s ? { type: s.type, id: s.isPublic ? s.id : null, theme: s.theme, text: s.text, url: s.url } : null,
});

const staffOut = (c: Change, s: ShownSource | null): z.infer<typeof changeOutSchema> => ({
  id: c.id,
  youSaid: c.youSaid,
  weDid: c.weDid,
  status: c.status,
  source: s ? { type: s.type, id: s.id, theme: s.theme, title: s.title } : null,
  state: c.publishedOn ? 'published' : 'draft',
  publishedOn: c.publishedOn,
  notifiedAt: c.notifiedAt ? c.notifiedAt.toISOString() : null,
  notified: c.notifiedCount,
  createdAt: c.createdAt.toISOString(),
});

/** "You said, we did" of the v1 contract, with publishing and a staff view of one entry added. */
export function changesApiRoutes(app: App, deps: { changes: ChangesService }) {
  const { changes } = deps;
  const staffView = async (id: string) => {
    const { change, source } = await changes.forStaff(id);
    return staffOut(change, source);
  };

  app.post(
    '/api/v1/changes',
    {
      config: STAFF_API,
      preValidation: requireJson,
      bodyLimit: BODY_LIMIT,
      schema: {
        summary:
          'Record a "You said, we did" entry (staff): a draft, or published at once with publishedOn (today or before). source is a form or conversation (theme: one of its theme labels), a board meeting or decision, or a published story; a source that does not exist is a 400. On publishing, the people who took part and agreed to be contacted are emailed once',
        body: changeApiInputSchema,
        response: { 201: changeOutSchema, ...problems(400, 401, 403, 413, 415) },
      },
    },
    async (request, reply) => {
      const { publishedOn, source, ...rest } = request.body;
      const { change } = await changes.create(actorOf(request), { ...rest, source: source ?? null }, { publishedOn });
      return reply.status(201).send(await staffView(change.id));
    },
  );

  app.get(
    '/api/v1/changes',
    {
      config: OPEN,
      schema: {
        summary: 'Published "You said, we did" entries, newest first (no token needed); drafts are never listed',
        querystring: changeListQuerySchema,
        response: { 200: pageSchema(publishedChangeOutSchema), ...problems(400) },
      },
    },
    async (request) => {
      const q = request.query;
      const page = await changes.publishedPage({ status: q.status, cursor: q.cursor, limit: q.limit });
      return { items: page.items.map((e) => publishedOut(e.change, e.source)), nextCursor: page.nextCursor };
    },
  );

  app.get(
    '/api/v1/changes/:id',
    {
      config: STAFF_API,
      schema: {
        summary: 'One entry as staff see it, draft or published, with when the people who took part were told',
        params: idParams,
        response: { 200: changeOutSchema, ...problems(401, 403, 404) },
      },
    },
    async (request) => staffView(request.params.id),
  );

  app.post(
    '/api/v1/changes/:id/publish',
    {
      config: STAFF_API,
      bodyLimit: BODY_LIMIT,
      schema: {
        summary: 'Publish a draft, shown from publishedOn (today unless given; never a day to come). 409 if it is already published',
        params: idParams,
        body: publishApiInputSchema.nullish(),
        response: { 200: changeOutSchema, ...problems(400, 401, 403, 404, 409, 415) },
      },
    },
    async (request) => {
      await changes.publish(actorOf(request), request.params.id, request.body?.publishedOn);
      return staffView(request.params.id);
    },
  );

  app.post(
    '/api/v1/changes/:id/unpublish',
    {
      config: STAFF_API,
      schema: {
        summary: 'Back to a draft: it leaves the public list at once. 409 if it is a draft already',
        params: idParams,
        response: { 200: changeOutSchema, ...problems(401, 403, 404, 409) },
      },
    },
    async (request) => {
      await changes.unpublish(actorOf(request), request.params.id);
      return staffView(request.params.id);
    },
  );
}
