import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { failureView } from '../../lib/form-cycle.ts';
import { fieldFailure, parseForm, summaryFailure, type FormFailure } from '../../lib/forms.ts';
import { idParams, uuid } from '../../lib/route-schemas.ts';
import { ConflictError } from '../../lib/validation.ts';
import { actorOf } from '../../plugins/access.ts';
import type { App } from '../../plugins/types.ts';
import { personFormOptions } from '../people/people-view.ts';
import { runnersOf } from './events-access.ts';
import { walkInFormSchema } from './events-schemas.ts';
import type { EventsService } from './events-service.ts';
import { eventView } from './events-view.ts';
import type { RegistrationsService } from './registrations-service.ts';

const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** Check-in on the day, on a phone: find a name, tick them in, add someone who just turned up. */
export function checkInRoutes(app: App, deps: { events: EventsService; registrations: RegistrationsService }) {
  const theirEvent = runnersOf(deps.events);
  const page = async (
    request: FastifyRequest,
    eventId: string,
    view: { q?: string | undefined; day?: string | undefined },
    extra: { failure?: FormFailure; values?: Record<string, unknown>; banner?: string | null } = {},
  ) => {
    const event = await deps.events.get(eventId);
    const sessions = await deps.events.sessionsOf(event.id);
    const sheet = await deps.events.desk.checkInSheet(actorOf(request), event.id, view);
    const attended = sessions.reduce((n, s) => n + s.attended, 0);
    return {
      title: `Check in: ${event.title}`,
      event: eventView(event),
      q: view.q ?? '',
      sheet,
      attended,
      sessionItems: sessions.filter((s) => s.status === 'scheduled').map((s) => ({ value: s.id, text: s.title })),
      options: personFormOptions,
      values: extra.values ?? {},
      ...failureView(extra.failure),
      banner: extra.banner ?? null,
    };
  };
  const query = z.object({
    q: z.string().trim().max(100).optional().catch(undefined),
    day: z.string().regex(DAY).optional().catch(undefined),
    done: z.string().max(200).optional().catch(undefined),
    undone: z.string().max(300).optional().catch(undefined),
  });
  const dayBody = z.object({ day: z.string().regex(DAY).optional().catch(undefined) }).loose();
  const back = (eventId: string, p: Record<string, string | undefined>) => {
    const qs = new URLSearchParams(Object.entries(p).filter(([, v]) => v) as [string, string][]).toString();
    return `/manage/events/${eventId}/check-in${qs ? `?${qs}` : ''}`;
  };

  app.get('/manage/events/:id/check-in', { ...theirEvent, schema: { querystring: query, params: idParams } }, async (request, reply) => {
    const q = request.query;
    return reply.view(
      'events/views/check-in.njk',
      await page(request, request.params.id, q, {
        banner: q.done ? `${q.done} is checked in` : q.undone ? q.undone : null,
      }),
    );
  });

  /** One "Arrived" for everything a person has on the day. */
  app.post(
    '/manage/events/:id/check-in/person/:personId',
    { ...theirEvent, schema: { params: z.object({ id: uuid, personId: uuid }), body: dayBody } },
    async (request, reply) => {
      const day = request.body?.day;
      if (!day) return reply.redirect(back(request.params.id, {}), 303);
      const done = await deps.events.desk.arrivePerson(request.params.id, request.params.personId, day);
      return reply.redirect(back(request.params.id, { day, done: done.name }), 303);
    },
  );

  /** Takes back an "Arrived" tapped by mistake. */
  app.post(
    '/manage/events/:id/check-in/:registrationId/undo',
    { ...theirEvent, schema: { params: z.object({ id: uuid, registrationId: uuid }), body: dayBody } },
    async (request, reply) => {
      const r = await deps.events.desk.undoArrival(actorOf(request), request.params.id, request.params.registrationId);
      const text = !r.changed
        ? `${r.name} was not checked in at ${r.sessionTitle}: nothing to undo`
        : r.walkIn
          ? `Took back ${r.name}’s check-in at ${r.sessionTitle}: the walk-in is removed`
          : `Took back ${r.name}’s check-in at ${r.sessionTitle}: they are expected again`;
      return reply.redirect(back(request.params.id, { day: request.body?.day, undone: text }), 303);
    },
  );

  app.post<{ Params: { id: string; registrationId: string } }>(
    '/manage/events/:id/check-in/:registrationId',
    theirEvent,
    async (request, reply) => {
      const c = await deps.registrations.context(request.params.registrationId);
      if (!c || c.event.id !== request.params.id) return reply.status(404).view('errors/404.njk', { title: 'Page not found' });
      try {
        await deps.registrations.checkIn(c.registration.id);
      } catch (err) {
        if (err instanceof ConflictError)
          return reply
            .status(409)
            .view('events/views/check-in.njk', await page(request, request.params.id, {}, { failure: summaryFailure(err.message, '#q') }));
        throw err;
      }
      return reply.redirect(
        `/manage/events/${request.params.id}/check-in?done=${encodeURIComponent(c.registration.labelName || c.person.name)}`,
        303,
      );
    },
  );

  app.post('/manage/events/:id/walk-in', { ...theirEvent, schema: { params: idParams } }, async (request, reply) => {
    const sessions = await deps.events.sessionsOf(request.params.id);
    const form = parseForm(walkInFormSchema, request.body, {
      idFor: (f) => (f === 'experience' ? 'walkInExperience' : f === 'name' ? 'walkInName' : f),
    });
    const body = request.body as Record<string, unknown>;
    if (!form.ok)
      return reply
        .status(400)
        .view('events/views/check-in.njk', await page(request, request.params.id, {}, { failure: form, values: body }));
    if (!sessions.some((s) => s.id === form.data.sessionId)) {
      return reply.status(400).view(
        'events/views/check-in.njk',
        await page(
          request,
          request.params.id,
          {},
          {
            failure: fieldFailure('sessionId', 'Choose a session from this event'),
            values: body,
          },
        ),
      );
    }
    await deps.registrations.walkIn(actorOf(request), form.data);
    return reply.redirect(
      `/manage/events/${request.params.id}/check-in?done=${encodeURIComponent(form.data.labelName || form.data.name)}`,
      303,
    );
  });
}
