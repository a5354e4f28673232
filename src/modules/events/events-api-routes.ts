import { z } from 'zod';
import type { Event, Registration } from '../../db/schema.ts';
import { decodeCursor, pageOf } from '../../lib/pagination.ts';
import { idParams } from '../../lib/route-schemas.ts';
import { NotFoundError } from '../../lib/validation.ts';
import { actorOf } from '../../plugins/access.ts';
import type { App } from '../../plugins/types.ts';
import { listQuerySchema, pageSchema, problems, requireJson, STAFF_API } from '../api/api-common.ts';
import {
  eventInputSchema,
  eventOutSchema,
  registrationInputSchema,
  registrationOutSchema,
  sessionInputSchema,
  sessionOutSchema,
} from './events-schemas.ts';
import type { EventsService, SessionWithCounts } from './events-service.ts';
import { calendarFor } from './registration-emails.ts';
import type { RegistrationsService } from './registrations-service.ts';

const eventOut = (e: Event): z.infer<typeof eventOutSchema> => ({
  id: e.id,
  title: e.title,
  summary: e.summary,
  easyReadSummary: e.easyReadSummary,
  description: e.description,
  startsAt: e.startsAt.toISOString(),
  endsAt: e.endsAt.toISOString(),
  hashtag: e.hashtag,
  partners: e.partners,
  status: e.status,
});

const sessionOut = (s: SessionWithCounts): z.infer<typeof sessionOutSchema> => ({
  id: s.id,
  eventId: s.eventId,
  title: s.title,
  startsAt: s.startsAt.toISOString(),
  endsAt: s.endsAt.toISOString(),
  format: s.format,
  theme: s.theme,
  capacity: s.capacity,
  confirmed: s.confirmed,
  waitlisted: s.waitlisted,
  attended: s.attended,
  status: s.status,
  joinUrl: s.joinUrl,
  venue: s.venue
    ? {
        name: s.venue.name,
        address: s.venue.address,
        postcode: s.venue.postcode,
        stepFree: s.venue.stepFree,
        hearingLoop: s.venue.hearingLoop,
        accessibleToilet: s.venue.accessibleToilet,
      }
    : null,
  facilitatorIds: s.facilitators.map((f) => f.id),
  forEveryone: s.forEveryone,
});

const registrationOut = (r: Registration, waitlistPosition: number | null) => ({
  id: r.id,
  sessionId: r.sessionId,
  personId: r.personId,
  status: r.status,
  waitlistPosition,
  createdAt: r.createdAt.toISOString(),
});

const eventWithSessions = eventOutSchema.extend({ sessions: z.array(sessionOutSchema) });
const calendar = { description: 'An iCalendar file', content: { 'text/calendar': { schema: z.string() } } };
/** Registrations page by the order they were accepted in. */
const registrationsKey = z.strictObject({ seq: z.number().int().positive() });

/** "Events and registration" of the v1 contract. */
export function eventsApiRoutes(app: App, deps: { events: EventsService; registrations: RegistrationsService }) {
  const { events, registrations } = deps;
  const staff = (summary: string, response: Record<number, z.ZodType | typeof calendar>) => ({
    config: STAFF_API,
    schema: { summary, params: idParams, response },
  });
  const json = <B extends z.ZodType>(summary: string, body: B, response: Record<number, z.ZodType>) => ({
    config: STAFF_API,
    preValidation: requireJson,
    schema: { summary, params: idParams, body, response },
  });

  app.post(
    '/api/v1/events',
    {
      config: STAFF_API,
      preValidation: requireJson,
      schema: {
        summary: 'Create an event (a draft until published)',
        body: eventInputSchema,
        response: { 201: eventWithSessions, ...problems(400, 401, 403, 413, 415) },
      },
    },
    async (request, reply) => {
      const event = await events.create(actorOf(request), request.body);
      return reply.status(201).send({ ...eventOut(event), sessions: [] });
    },
  );

  app.get(
    '/api/v1/events/:id',
    staff('An event with its sessions and their counts', { 200: eventWithSessions, ...problems(401, 403, 404) }),
    async (request) => {
      const event = await events.get(request.params.id);
      return { ...eventOut(event), sessions: (await events.sessionsOf(event.id)).map(sessionOut) };
    },
  );

  app.post(
    '/api/v1/events/:id/publish',
    staff('Publish: people can register', { 200: eventOutSchema, ...problems(401, 403, 404, 409) }),
    async (request) => eventOut(await events.publish(actorOf(request), request.params.id)),
  );
  app.post(
    '/api/v1/events/:id/cancel',
    staff('Cancel the event; everyone registered is emailed', { 200: eventOutSchema, ...problems(401, 403, 404) }),
    async (request) => eventOut(await events.cancel(actorOf(request), request.params.id)),
  );

  app.post(
    '/api/v1/events/:id/sessions',
    json('Add a session (a venue for in-person, an https joining link for online)', sessionInputSchema, {
      201: sessionOutSchema,
      ...problems(400, 401, 403, 404, 409, 415),
    }),
    async (request, reply) => {
      const session = await events.addSession(actorOf(request), request.params.id, request.body);
      return reply.status(201).send(sessionOut(await events.getSession(session.id)));
    },
  );

  app.post(
    '/api/v1/sessions/:id/registrations',
    json(
      'Register a person (by id, or a new person). The same person again returns their registration with 200.',
      registrationInputSchema,
      {
        201: registrationOutSchema.describe('Registered: confirmed, or waitlisted with a position'),
        200: registrationOutSchema.describe('Already registered: the same registration'),
        ...problems(400, 401, 403, 404, 409, 415),
      },
    ),
    async (request, reply) => {
      const input = request.body;
      const who = 'personId' in input ? { personId: input.personId } : { person: input.person };
      const result = await registrations.register(actorOf(request), {
        sessionId: request.params.id,
        who,
        labelName: input.labelName,
        accessNeeds: input.accessNeeds,
        accessNotes: input.accessNotes,
      });
      return reply.status(result.created ? 201 : 200).send(registrationOut(result.registration, result.waitlistPosition));
    },
  );

  app.get(
    '/api/v1/sessions/:id/registrations',
    {
      config: STAFF_API,
      schema: {
        summary: 'Registrations in the order they were accepted, with waiting-list positions',
        params: idParams,
        querystring: listQuerySchema,
        response: { 200: pageSchema(registrationOutSchema), ...problems(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const session = await events.getSession(request.params.id);
      const after = decodeCursor(registrationsKey, request.query.cursor);
      const rows = await registrations.listForSession(session.id, { afterSeq: after?.seq, limit: request.query.limit + 1 });
      const page = pageOf(rows, request.query.limit, (r) => ({ seq: r.registration.seq }));
      return { items: page.items.map((r) => registrationOut(r.registration, r.waitlistPosition)), nextCursor: page.nextCursor };
    },
  );

  app.post(
    '/api/v1/registrations/:id/cancel',
    staff('Cancel; the first person waiting is promoted', { 200: registrationOutSchema, ...problems(401, 403, 404, 409) }),
    async (request) => {
      const { registration } = await registrations.cancel({ actor: actorOf(request) }, request.params.id);
      return registrationOut(registration, null);
    },
  );

  app.post(
    '/api/v1/registrations/:id/check-in',
    staff('Mark as attended', { 200: registrationOutSchema, ...problems(401, 403, 404, 409) }),
    async (request) => registrationOut(await registrations.checkIn(request.params.id), null),
  );

  app.get(
    '/api/v1/registrations/:id/calendar.ics',
    staff('The calendar file for a registration', { 200: calendar, ...problems(401, 403, 404) }),
    async (request, reply) => {
      const c = await registrations.context(request.params.id);
      if (!c) throw new NotFoundError('No registration with that id');
      return reply.type('text/calendar; charset=utf-8').send(calendarFor(c, { cancelled: c.registration.status === 'cancelled' }));
    },
  );
}
