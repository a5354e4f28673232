import { z } from 'zod';
import { fieldFailure, parseForm, summaryFailure, type FormFailure } from '../../lib/forms.ts';
import { ConflictError } from '../../lib/validation.ts';
import { actorOf } from '../../plugins/access.ts';
import { personFormOptions } from '../people/people-view.ts';
import type { EventReportsService } from './event-reports-service.ts';
import { walkInFormSchema } from './events-schemas.ts';
import { runnersOf } from './events-access.ts';
import type { EventsService } from './events-service.ts';
import { eventView } from './events-view.ts';
import type { RegistrationsService } from './registrations-service.ts';
import { idParams } from '../../lib/route-schemas.ts';
import type { App } from '../../plugins/types.ts';
import { failureView } from '../../lib/form-cycle.ts';

/** Check-in on the day, on a phone: find a name, tick them in, add someone who just turned up. */
export function checkInRoutes(
  app: App,
  deps: { events: EventsService; registrations: RegistrationsService; reports: EventReportsService },
) {
  const theirEvent = runnersOf(deps.events);
  const page = async (
    eventId: string,
    q: string,
    extra: { failure?: FormFailure; values?: Record<string, unknown>; banner?: string | null } = {},
  ) => {
    const event = await deps.events.get(eventId);
    const sessions = await deps.events.sessionsOf(event.id);
    const rows = q ? await deps.reports.registrations(event.id, { statuses: ['confirmed', 'waitlisted', 'attended'], q }) : [];
    const attended = sessions.reduce((n, s) => n + s.attended, 0);
    return {
      title: `Check in: ${event.title}`,
      event: eventView(event),
      q,
      rows,
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
    done: z.string().max(200).optional().catch(undefined),
  });

  app.get('/manage/events/:id/check-in', { ...theirEvent, schema: { querystring: query, params: idParams } }, async (request, reply) => {
    const q = request.query;
    return reply.view(
      'events/views/check-in.njk',
      await page(request.params.id, q.q ?? '', { banner: q.done ? `${q.done} is checked in` : null }),
    );
  });

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
            .view('events/views/check-in.njk', await page(request.params.id, '', { failure: summaryFailure(err.message, '#q') }));
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
      return reply.status(400).view('events/views/check-in.njk', await page(request.params.id, '', { failure: form, values: body }));
    if (!sessions.some((s) => s.id === form.data.sessionId)) {
      return reply
        .status(400)
        .view(
          'events/views/check-in.njk',
          await page(request.params.id, '', { failure: fieldFailure('sessionId', 'Choose a session from this event'), values: body }),
        );
    }
    await deps.registrations.walkIn(actorOf(request), form.data);
    return reply.redirect(
      `/manage/events/${request.params.id}/check-in?done=${encodeURIComponent(form.data.labelName || form.data.name)}`,
      303,
    );
  });
}
