import { z } from 'zod';
import { idParams } from '../../lib/route-schemas.ts';
import { actorOf } from '../../plugins/access.ts';
import type { App } from '../../plugins/types.ts';
import { listQuerySchema, pageSchema, problems, requireJson, STAFF_API } from '../api/api-common.ts';
import { decodePeopleCursor, peopleCursor } from './people-cursor.ts';
import { personInputSchema, personListItemSchema, personSchema } from './people-schemas.ts';
import { toPersonListItem, toPersonOut, type PeopleService } from './people-service.ts';

export const peopleListQuerySchema = listQuerySchema.extend({ search: z.string().trim().max(100).optional() });

/** The People endpoints of the v1 contract (shared/api-v1.md). */
export function peopleApiRoutes(app: App, deps: { people: PeopleService }) {
  const { people } = deps;

  app.post(
    '/api/v1/people',
    {
      config: STAFF_API,
      preValidation: requireJson,
      schema: {
        summary: 'Add a person (email optional: people who do not use email are welcome)',
        body: personInputSchema,
        response: { 201: personSchema, ...problems(400, 401, 403, 409, 413, 415) },
      },
    },
    async (request, reply) => reply.status(201).send(toPersonOut(await people.create(actorOf(request), request.body))),
  );

  app.get(
    '/api/v1/people',
    {
      config: STAFF_API,
      schema: {
        summary: 'List people, by name',
        querystring: peopleListQuerySchema,
        response: { 200: pageSchema(personListItemSchema), ...problems(400, 401, 403) },
      },
    },
    async (request) => {
      const q = request.query;
      const rows = await people.list({ search: q.search, after: decodePeopleCursor(q.cursor), limit: q.limit + 1 });
      // Access needs stay out of lists: GET /api/v1/people/{id} gives them, and audits the read.
      const page = peopleCursor(rows, q.limit);
      return { items: page.items.map(toPersonListItem), nextCursor: page.nextCursor };
    },
  );

  app.get(
    '/api/v1/people/:id',
    {
      config: STAFF_API,
      schema: {
        summary: 'One person (reading access needs is audited)',
        params: idParams,
        response: { 200: personSchema, ...problems(401, 403, 404) },
      },
    },
    async (request) => toPersonOut(await people.viewAsStaff(actorOf(request), request.params.id, 'api')),
  );
}
