import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { Form } from '../../db/schema.ts';
import { NotFoundError } from '../../lib/validation.ts';
import { actorOf } from '../../plugins/access.ts';
import type { EventReportService } from '../forms/event-report-service.ts';
import { formInputSchema, responseInputSchema } from '../forms/forms-schemas.ts';
import type { FormsService } from '../forms/forms-service.ts';
import type { ResultsService } from '../forms/results-service.ts';
import type { PeopleService } from '../people/people-service.ts';
import { listQuerySchema, parseApi, requireJson, RESPONSE_BODY_LIMIT, STAFF_API } from './api-common.ts';

export const formOutSchema = z.object({
  id: z.string(),
  title: z.string(),
  anonymous: z.boolean(),
  easyRead: z.boolean(),
  eventId: z.string().nullable(),
  status: z.enum(['draft', 'open', 'closed']),
  questions: z.array(z.object({ key: z.string(), type: z.string(), text: z.string(), options: z.array(z.string()), required: z.boolean(), hidden: z.boolean() })),
});

/** "Forms, responses and results" and the event report of the v1 contract. */
export function formsApiRoutes(app: FastifyInstance, deps: { forms: FormsService; results: ResultsService; reports: EventReportService; people: PeopleService }) {
  const { forms, results } = deps;
  const formOut = async (f: Form) => ({
    id: f.id,
    title: f.title,
    anonymous: f.anonymous,
    easyRead: f.easyRead,
    eventId: f.eventId,
    status: f.status,
    questions: (await forms.questions(f.id)).map((q) => ({ key: q.key, type: q.type, text: q.text, options: q.options, required: q.required, hidden: q.hidden })),
  });

  app.post('/api/v1/forms', { config: STAFF_API, preValidation: requireJson }, async (request, reply) => {
    const form = await forms.create(actorOf(request), parseApi(formInputSchema, request.body));
    return reply.status(201).send(await formOut(form));
  });

  app.get<{ Params: { id: string } }>('/api/v1/forms/:id', { config: STAFF_API }, async (request) => formOut(await forms.get(request.params.id)));
  app.post<{ Params: { id: string } }>('/api/v1/forms/:id/open', { config: STAFF_API }, async (request) => formOut(await forms.setStatus(actorOf(request), request.params.id, 'open')));
  app.post<{ Params: { id: string } }>('/api/v1/forms/:id/close', { config: STAFF_API }, async (request) => formOut(await forms.setStatus(actorOf(request), request.params.id, 'closed')));

  app.post<{ Params: { id: string } }>('/api/v1/forms/:id/responses', { config: STAFF_API, preValidation: requireJson, bodyLimit: RESPONSE_BODY_LIMIT }, async (request, reply) => {
    const input = parseApi(responseInputSchema, request.body);
    const person = input.personId ? await deps.people.get(input.personId).catch(() => null) : null;
    if (input.personId && !person) throw new NotFoundError('No person with that id');
    const { response } = await forms.respond(request.params.id, { person }, input.answers, { quoteConsent: input.quoteConsent, allowEdit: false });
    return reply.status(201).send({ id: response.id, personId: response.personId, submittedAt: response.submittedAt.toISOString() });
  });

  app.get<{ Params: { id: string } }>('/api/v1/forms/:id/responses', { config: STAFF_API }, async (request) => {
    const form = await forms.get(request.params.id);
    const q = parseApi(listQuerySchema, request.query);
    return forms.responsesForApi(form, { cursor: q.cursor, limit: q.limit });
  });

  app.get<{ Params: { id: string } }>('/api/v1/forms/:id/results', { config: STAFF_API }, async (request) => {
    const r = await results.results(request.params.id);
    return {
      responses: r.responses,
      invited: r.invited,
      attended: r.attended,
      responseRate: r.responseRate,
      questions: r.questions.map((q) => ({
        key: q.key,
        type: q.type,
        answered: q.answered,
        counts: q.counts,
        ...(q.topTwoShare !== undefined ? { topTwoShare: q.topTwoShare } : {}),
        ...(q.byExperience ? { byExperience: q.byExperience } : {}),
        ...(q.number ? { number: q.number } : {}),
        ...(q.themes ? { themes: q.themes.map((t) => ({ label: t.label, count: t.count, examples: t.examples })) } : {}),
      })),
    };
  });

  app.get<{ Params: { id: string } }>('/api/v1/events/:id/report', { config: STAFF_API }, async (request) => {
    const r = await deps.reports.report(request.params.id);
    return {
      eventId: r.eventId,
      title: r.title,
      registered: r.registered,
      attended: r.attended,
      attendedByExperience: r.attendedByExperience,
      sessions: r.sessions,
      evaluation: r.evaluation,
      themes: (r.results?.questions ?? []).filter((q) => q.themes?.length).map((q) => ({ key: q.key, themes: q.themes!.map((t) => ({ label: t.label, count: t.count })) })),
      quotes: r.quotes,
      headlines: r.headlines,
    };
  });
}
