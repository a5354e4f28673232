import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { actorOf } from '../../plugins/access.ts';
import { decodeCursor, encodeCursor } from '../people/people-cursor.ts';
import { personInputSchema } from '../people/people-schemas.ts';
import { toPersonListItem, toPersonOut, type PeopleService } from '../people/people-service.ts';
import { listQuerySchema, parseApi, requireJson, STAFF_API } from './api-common.ts';

export const peopleListQuerySchema = listQuerySchema.extend({ search: z.string().trim().max(100).optional() });

/** The People endpoints of the v1 contract (shared/api-v1.md). */
export function peopleApiRoutes(app: FastifyInstance, deps: { people: PeopleService }) {
  const { people } = deps;

  app.post('/api/v1/people', { config: STAFF_API, preValidation: requireJson }, async (request, reply) => {
    const input = parseApi(personInputSchema, request.body);
    const person = await people.create(actorOf(request), input);
    return reply.status(201).send(toPersonOut(person));
  });

  app.get('/api/v1/people', { config: STAFF_API }, async (request) => {
    const q = parseApi(peopleListQuerySchema, request.query);
    const rows = await people.list({ search: q.search, after: decodeCursor(q.cursor), limit: q.limit + 1 });
    const page = rows.slice(0, q.limit);
    // Access needs stay out of lists: GET /api/v1/people/{id} gives them, and audits the read.
    return { items: page.map(toPersonListItem), nextCursor: rows.length > q.limit ? encodeCursor(page[page.length - 1]!) : null };
  });

  app.get<{ Params: { id: string } }>('/api/v1/people/:id', { config: STAFF_API }, async (request) => {
    const person = await people.viewAsStaff(actorOf(request), request.params.id, 'api');
    return toPersonOut(person);
  });
}
