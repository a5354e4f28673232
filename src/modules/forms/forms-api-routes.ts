import { idParams } from '../../lib/route-schemas.ts';
import { NotFoundError } from '../../lib/validation.ts';
import { actorOf } from '../../plugins/access.ts';
import type { Form } from '../../db/schema.ts';
import type { App } from '../../plugins/types.ts';
import { listQuerySchema, pageSchema, problems, requireJson, RESPONSE_BODY_LIMIT, STAFF_API } from '../api/api-common.ts';
import type { PeopleService } from '../people/people-service.ts';
import type { EventReportService } from './event-report-service.ts';
import {
  eventReportOutSchema,
  formInputSchema,
  formOutSchema,
  listedResponseSchema,
  responseInputSchema,
  responseOutSchema,
  resultsOutSchema,
  starOutSchema,
  starParamsSchema,
  starRequestSchema,
  themesQueuedSchema,
  themesRequestSchema,
} from './forms-schemas.ts';
import type { FormsService } from './forms-service.ts';
import type { ResultsService } from './results-service.ts';

/** "Forms, responses and results" and the event report of the v1 contract. */
export function formsApiRoutes(
  app: App,
  deps: { forms: FormsService; results: ResultsService; reports: EventReportService; people: PeopleService },
) {
  const { forms, results } = deps;
  const formOut = async (f: Form) => ({
    id: f.id,
    title: f.title,
    anonymous: f.anonymous,
    easyRead: f.easyRead,
    eventId: f.eventId,
    status: f.status,
    questions: (await forms.questions(f.id)).map((q) => ({
      key: q.key,
      type: q.type,
      text: q.text,
      options: q.options,
      required: q.required,
      hidden: q.hidden,
    })),
  });

  const staff = (summary: string, response: Record<number, unknown>) => ({
    config: STAFF_API,
    schema: { summary, params: idParams, response },
  });

  app.post(
    '/api/v1/forms',
    {
      config: STAFF_API,
      preValidation: requireJson,
      schema: {
        summary: 'Create a form with its questions (rating, agreement, yes_no, single_choice, multiple_choice, text, long_text, number)',
        body: formInputSchema,
        response: { 201: formOutSchema, ...problems(400, 401, 403, 413, 415) },
      },
    },
    async (request, reply) => {
      const form = await forms.create(actorOf(request), request.body);
      return reply.status(201).send(await formOut(form));
    },
  );

  app.get('/api/v1/forms/:id', staff('A form and its questions', { 200: formOutSchema, ...problems(401, 403, 404) }), async (request) =>
    formOut(await forms.get(request.params.id)),
  );
  app.post(
    '/api/v1/forms/:id/open',
    staff('Open the form for answers', { 200: formOutSchema, ...problems(401, 403, 404, 409) }),
    async (request) => formOut(await forms.setStatus(actorOf(request), request.params.id, 'open')),
  );
  app.post('/api/v1/forms/:id/close', staff('Close the form', { 200: formOutSchema, ...problems(401, 403, 404) }), async (request) =>
    formOut(await forms.setStatus(actorOf(request), request.params.id, 'closed')),
  );

  app.post(
    '/api/v1/forms/:id/responses',
    {
      config: STAFF_API,
      preValidation: requireJson,
      bodyLimit: RESPONSE_BODY_LIMIT,
      schema: {
        summary:
          'Record a response. Rating and agreement answers are the option words; yes/no are booleans. One per person: a second is 409.',
        params: idParams,
        body: responseInputSchema,
        response: { 201: responseOutSchema, ...problems(400, 401, 403, 404, 409, 413, 415) },
      },
    },
    async (request, reply) => {
      const input = request.body;
      const person = input.personId ? await deps.people.get(input.personId).catch(() => null) : null;
      if (input.personId && !person) throw new NotFoundError('No person with that id');
      const { response } = await forms.respond(request.params.id, { person }, input.answers, {
        quoteConsent: input.quoteConsent,
        allowEdit: false,
      });
      return reply.status(201).send({ id: response.id, personId: response.personId, submittedAt: response.submittedAt.toISOString() });
    },
  );

  app.get(
    '/api/v1/forms/:id/responses',
    {
      config: STAFF_API,
      schema: {
        summary: 'Responses in the order they came, with the themes of each text answer; personId is null on anonymous forms',
        params: idParams,
        querystring: listQuerySchema,
        response: { 200: pageSchema(listedResponseSchema), ...problems(400, 401, 403, 404) },
      },
    },
    async (request) =>
      forms.responsesForApi(await forms.get(request.params.id), { cursor: request.query.cursor, limit: request.query.limit }),
  );

  app.get(
    '/api/v1/forms/:id/results',
    staff(
      'Responses, invited, response rate (an event form: ÷ people who came), and per question the counts, topTwoShare, split by experience, and themes',
      {
        200: resultsOutSchema,
        ...problems(401, 403, 404),
      },
    ),
    async (request) => {
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
          ...(q.themes ? { themes: q.themes.map(({ id: _id, ...t }) => t) } : {}),
        })),
      };
    },
  );

  app.post(
    '/api/v1/forms/:id/answers/:answerId/star',
    {
      config: STAFF_API,
      preValidation: requireJson,
      schema: {
        summary:
          'Star a text answer as a quote for the event report, or unstar it. Starring an answer whose author did not agree to be quoted is 409.',
        params: starParamsSchema,
        body: starRequestSchema,
        response: { 200: starOutSchema, ...problems(400, 401, 403, 404, 409, 415) },
      },
    },
    async (request) => {
      await forms.star(request.params.id, request.params.answerId, request.body.starred);
      return { id: request.params.answerId, starred: request.body.starred };
    },
  );

  app.post(
    '/api/v1/forms/:id/themes',
    {
      config: STAFF_API,
      // The body is optional; when there is one, it is JSON.
      preValidation: async (request, reply) => {
        if (Number(request.headers['content-length'] ?? 0) > 0 || request.headers['transfer-encoding']) return requireJson(request, reply);
      },
      schema: {
        summary:
          'Find themes again for every text question now, in the background (202). Themes are also found without asking: when the form closes, and while it is open as answers arrive. force: true discards staff edits.',
        params: idParams,
        body: themesRequestSchema.nullish(),
        response: { 202: themesQueuedSchema, ...problems(400, 401, 403, 404, 415) },
      },
    },
    async (request, reply) => {
      await forms.get(request.params.id);
      const questions = await results.queueThemes(request.params.id, { force: request.body?.force ?? false });
      return reply.status(202).send({ status: 'queued' as const, questions });
    },
  );

  app.get(
    '/api/v1/events/:id/report',
    staff(
      'Who came, what they thought (evaluation: responses, responseRate, excellentOrGoodShare), themes, quotes with consent, headlines',
      {
        200: eventReportOutSchema,
        ...problems(401, 403, 404),
      },
    ),
    async (request) => {
      const r = await deps.reports.report(request.params.id);
      return {
        eventId: r.eventId,
        title: r.title,
        registered: r.registered,
        attended: r.attended,
        attendedByExperience: r.attendedByExperience,
        sessions: r.sessions,
        evaluation: r.evaluation,
        themes: (r.results?.questions ?? [])
          .filter((q) => q.themes?.length)
          .map((q) => ({
            key: q.key,
            themes: q.themes!.map((t) => ({
              label: t.label,
              count: t.count,
              terms: t.terms,
              ...(t.ratings ? { ratings: t.ratings } : {}),
            })),
          })),
        quotes: r.quotes,
        headlines: r.headlines,
        whatChanged: r.whatChanged.map(({ id, youSaid, weDid, status, publishedOn, theme }) => ({
          id,
          youSaid,
          weDid,
          status,
          publishedOn,
          theme,
        })),
      };
    },
  );
}
