import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { Event, Registration } from '../../db/schema.ts';
import { NotFoundError } from '../../lib/validation.ts';
import { actorOf } from '../../plugins/access.ts';
import type { SessionWithCounts } from '../events/events-repository.ts';
import { eventInputSchema, registrationInputSchema, sessionInputSchema } from '../events/events-schemas.ts';
import type { EventsService } from '../events/events-service.ts';
import type { RegistrationsRepository } from '../events/registrations-repository.ts';
import type { RegistrationsService } from '../events/registrations-service.ts';
import { calendarFor } from '../events/registration-emails.ts';
import type { Db } from '../../db/client.ts';
import { listQuerySchema, parseApi, requireJson, STAFF_API } from './api-common.ts';

export const eventOutSchema = z.object({
  id: z.string(),
  title: z.string(),
  summary: z.string(),
  easyReadSummary: z.string().nullable(),
  description: z.string().nullable(),
  startsAt: z.string(),
  endsAt: z.string(),
  hashtag: z.string().nullable(),
  partners: z.array(z.string()),
  status: z.enum(['draft', 'published', 'cancelled']),
});

export const sessionOutSchema = z.object({
  id: z.string(),
  eventId: z.string(),
  title: z.string(),
  startsAt: z.string(),
  endsAt: z.string(),
  format: z.enum(['in_person', 'online', 'hybrid']),
  theme: z.string().nullable(),
  capacity: z.number().int(),
  confirmed: z.number().int(),
  waitlisted: z.number().int(),
  attended: z.number().int(),
  status: z.enum(['scheduled', 'cancelled']),
  joinUrl: z.string().nullable(),
  venue: z.object({ name: z.string(), address: z.string().nullable(), postcode: z.string().nullable(), stepFree: z.boolean(), hearingLoop: z.boolean(), accessibleToilet: z.boolean() }).nullable(),
  facilitatorIds: z.array(z.string()),
});

export const registrationOutSchema = z.object({
  id: z.string(),
  sessionId: z.string(),
  personId: z.string(),
  status: z.enum(['confirmed', 'waitlisted', 'cancelled', 'attended']),
  waitlistPosition: z.number().int().nullable(),
  createdAt: z.string(),
});

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
  venue: s.venue ? { name: s.venue.name, address: s.venue.address, postcode: s.venue.postcode, stepFree: s.venue.stepFree, hearingLoop: s.venue.hearingLoop, accessibleToilet: s.venue.accessibleToilet } : null,
  facilitatorIds: s.facilitators.map((f) => f.id),
});

const registrationOut = (r: Registration, waitlistPosition: number | null) => ({
  id: r.id,
  sessionId: r.sessionId,
  personId: r.personId,
  status: r.status,
  waitlistPosition,
  createdAt: r.createdAt.toISOString(),
});

/** "Events and registration" of the v1 contract. */
export function eventsApiRoutes(app: FastifyInstance, deps: { db: Db; events: EventsService; registrations: RegistrationsService; registrationsRepo: RegistrationsRepository }) {
  const { events, registrations } = deps;
  const json = { config: STAFF_API, preValidation: requireJson };

  app.post('/api/v1/events', json, async (request, reply) => {
    const event = await events.create(actorOf(request), parseApi(eventInputSchema, request.body));
    return reply.status(201).send({ ...eventOut(event), sessions: [] });
  });

  app.get<{ Params: { id: string } }>('/api/v1/events/:id', { config: STAFF_API }, async (request) => {
    const event = await events.get(request.params.id);
    return { ...eventOut(event), sessions: (await events.sessionsOf(event.id)).map(sessionOut) };
  });

  app.post<{ Params: { id: string } }>('/api/v1/events/:id/publish', { config: STAFF_API }, async (request) => eventOut(await events.publish(actorOf(request), request.params.id)));
  app.post<{ Params: { id: string } }>('/api/v1/events/:id/cancel', { config: STAFF_API }, async (request) => eventOut(await events.cancel(actorOf(request), request.params.id)));

  app.post<{ Params: { id: string } }>('/api/v1/events/:id/sessions', json, async (request, reply) => {
    const session = await events.addSession(actorOf(request), request.params.id, parseApi(sessionInputSchema, request.body));
    return reply.status(201).send(sessionOut(await events.getSession(session.id)));
  });

  app.post<{ Params: { id: string } }>('/api/v1/sessions/:id/registrations', json, async (request, reply) => {
    const input = parseApi(registrationInputSchema, request.body);
    const who = 'personId' in input ? { personId: input.personId } : { person: input.person };
    const result = await registrations.register(actorOf(request), { sessionId: request.params.id, who, labelName: input.labelName, accessNeeds: input.accessNeeds, accessNotes: input.accessNotes });
    return reply.status(result.created ? 201 : 200).send(registrationOut(result.registration, result.waitlistPosition));
  });

  app.get<{ Params: { id: string } }>('/api/v1/sessions/:id/registrations', { config: STAFF_API }, async (request) => {
    const session = await events.getSession(request.params.id);
    const q = parseApi(listQuerySchema, request.query);
    const after = q.cursor && /^\d{1,18}$/.test(q.cursor) ? Number(q.cursor) : undefined;
    if (q.cursor && after === undefined) throw new NotFoundError('That cursor is not valid');
    const rows = await deps.registrationsRepo.listForSession(deps.db, session.id, { afterSeq: after, limit: q.limit + 1 });
    const page = rows.slice(0, q.limit);
    return {
      items: page.map((r) => registrationOut(r.registration, r.waitlistPosition)),
      nextCursor: rows.length > q.limit ? String(page[page.length - 1]!.registration.seq) : null,
    };
  });

  app.post<{ Params: { id: string } }>('/api/v1/registrations/:id/cancel', { config: STAFF_API }, async (request) => {
    const { registration } = await registrations.cancel({ actor: actorOf(request) }, request.params.id);
    return registrationOut(registration, null);
  });

  app.post<{ Params: { id: string } }>('/api/v1/registrations/:id/check-in', { config: STAFF_API }, async (request) => {
    const registration = await registrations.checkIn(request.params.id);
    return registrationOut(registration, null);
  });

  app.get<{ Params: { id: string } }>('/api/v1/registrations/:id/calendar.ics', { config: STAFF_API }, async (request, reply) => {
    const c = await registrations.context(request.params.id);
    if (!c) throw new NotFoundError('No registration with that id');
    return reply.type('text/calendar; charset=utf-8').send(calendarFor(c, { cancelled: c.registration.status === 'cancelled' }));
  });
}
