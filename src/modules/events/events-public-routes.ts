import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { formatRange } from '../../lib/dates.ts';
import { fieldFailure, parseForm, type FormFailure } from '../../lib/forms.ts';
import { ConflictError, NotFoundError } from '../../lib/validation.ts';
import { actorOf } from '../../plugins/access.ts';
import { personFormOptions } from '../people/people-view.ts';
import type { Person } from '../../db/schema.ts';
import { programme, type EventsService } from './events-service.ts';
import { publicRegisterFormSchema, registerFormSchema } from './events-schemas.ts';
import { dayLabel, dayOptions, eventView, FORMAT_LABELS, sessionChoiceItems, sessionView, submittedRegistration } from './events-view.ts';
import type { RegistrationsService } from './registrations-service.ts';
import { calendarFor } from './registration-emails.ts';
import { flags, idParams } from '../../lib/route-schemas.ts';
import type { App } from '../../plugins/types.ts';
import { failureView } from '../../lib/form-cycle.ts';

const filterQuery = z.object({
  day: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/)
    .optional()
    .catch(undefined),
  format: z.enum(['in_person', 'online', 'hybrid']).optional().catch(undefined),
  theme: z.string().max(100).optional().catch(undefined),
});

const tokenQuery = z.object({ token: z.string().max(200).optional().catch(undefined) });

interface Deps {
  events: EventsService;
  registrations: RegistrationsService;
}

/** The public side: events, programmes, registering, the waiting list, cancelling. */
export function eventsPublicRoutes(app: App, deps: Deps) {
  const { events, registrations } = deps;

  async function publishedEvent(id: string) {
    const event = await events.get(id);
    if (event.status === 'draft') throw new NotFoundError('No event with that id');
    return event;
  }

  app.get('/events', { schema: { querystring: filterQuery }, config: { access: 'public' } }, async (_request, reply) => {
    const list = (await events.list({ publishedOnly: true })).map(eventView);
    return reply.view('events/views/events.njk', {
      title: 'Events',
      upcoming: list.filter((e) => !e.past),
      past: list.filter((e) => e.past),
    });
  });

  app.get(
    '/events/:id',
    { schema: { querystring: filterQuery, params: idParams }, config: { access: 'public' } },
    async (request, reply) => {
      const event = await publishedEvent(request.params.id);
      const filter = request.query;
      const sessions = await events.sessionsOf(event.id);
      const prog = programme(sessions, filter);
      return reply.view('events/views/programme.njk', {
        title: event.title,
        event: eventView(event),
        filter,
        dayItems: [{ value: '', text: 'All days' }, ...dayOptions(prog.days)],
        themes: prog.themes,
        themeItems: [{ value: '', text: 'All themes' }, ...prog.themes.map((t) => ({ value: t, text: t }))],
        groups: prog.groups.map((g) => ({ day: g.day, label: dayLabel(g.day), sessions: g.sessions.map(sessionView) })),
        shownCount: prog.shownCount,
        totalCount: sessions.length,
        formatLabels: FORMAT_LABELS,
        single: sessions.length === 1,
      });
    },
  );

  async function registerPage(
    request: FastifyRequest & { params: { id: string } },
    reply: FastifyReply,
    extra: { values?: Record<string, unknown>; failure?: FormFailure; status?: number; notice?: string } = {},
  ) {
    const event = await publishedEvent(request.params.id);
    const sessions = (await events.sessionsOf(event.id)).map(sessionView).filter((s) => !s.cancelled && !s.past);
    const me: Person | null = request.person;
    const values = extra.values ?? {
      name: '',
      labelName: me?.labelName ?? '',
      accessNeeds: me?.accessNeeds ?? [],
      accessNotes: me?.accessNotes ?? '',
      sessionIds: sessions.length === 1 ? [sessions[0]!.id] : [],
    };
    const chosen = new Set((values.sessionIds as string[] | undefined) ?? []);
    return reply.status(extra.status ?? 200).view('events/views/register.njk', {
      title: `Register for ${event.title}`,
      event: eventView(event),
      sessions,
      sessionItems: sessionChoiceItems(sessions, chosen),
      values,
      ...failureView(extra.failure),
      options: personFormOptions,
      signedIn: !!me,
      notice: extra.notice,
      closed: event.status !== 'published' || sessions.length === 0,
    });
  }

  app.get('/events/:id/register', { schema: { params: idParams }, config: { access: 'public' } }, async (request, reply) =>
    registerPage(request, reply),
  );

  app.post('/events/:id/register', { schema: { params: idParams }, config: { access: 'public' } }, async (request, reply) => {
    const event = await publishedEvent(request.params.id);
    const sessionIds = new Set((await events.sessionsOf(event.id)).map((s) => s.id));
    const signedIn = request.person;
    const form = signedIn
      ? parseForm(registerFormSchema, request.body, { idFor: (f) => (f === 'sessionIds' ? 'sessionIds' : f) })
      : parseForm(publicRegisterFormSchema, request.body);
    if (!form.ok) return registerPage(request, reply, { values: submittedRegistration(request.body), failure: form, status: 400 });
    const chosen = form.data.sessionIds;
    if (chosen.some((id) => !sessionIds.has(id))) {
      return registerPage(request, reply, {
        values: submittedRegistration(request.body),
        failure: fieldFailure('sessionIds', 'Choose sessions from this event'),
        status: 400,
      });
    }
    const extras = { labelName: form.data.labelName, accessNeeds: form.data.accessNeeds, accessNotes: form.data.accessNotes };
    const who = signedIn
      ? { personId: signedIn.id }
      : (() => {
          const d = form.data as z.infer<typeof publicRegisterFormSchema>;
          return {
            person: {
              name: d.name,
              email: d.email,
              experience: d.experience,
              labelName: d.labelName,
              pronouns: d.pronouns,
              accessNeeds: d.accessNeeds,
              accessNotes: d.accessNotes,
            },
          };
        })();
    const outcomes: string[] = [];
    try {
      for (const sessionId of chosen) {
        const r = await registrations.register(signedIn ? actorOf(request) : null, { sessionId, who, ...extras });
        outcomes.push(r.registration.status);
      }
    } catch (err) {
      if (err instanceof ConflictError)
        return registerPage(request, reply, {
          values: submittedRegistration(request.body),
          failure: fieldFailure('sessionIds', err.message),
          status: 409,
        });
      throw err;
    }
    if (signedIn) return reply.redirect(`/events/${event.id}/my-registration?done=1`, 303);
    const confirmed = outcomes.filter((o) => o === 'confirmed').length;
    return reply.redirect(`/events/${event.id}/thank-you?confirmed=${confirmed}&waitlisted=${outcomes.length - confirmed}`, 303);
  });

  app.get(
    '/events/:id/thank-you',
    {
      schema: {
        querystring: z.object({
          confirmed: z.coerce.number().int().min(0).max(100).catch(0),
          waitlisted: z.coerce.number().int().min(0).max(100).catch(0),
        }),
        params: idParams,
      },
      config: { access: 'public' },
    },
    async (request, reply) => {
      const event = await publishedEvent(request.params.id);
      const q = request.query;
      return reply.view('events/views/thank-you.njk', { title: 'Thank you', event: eventView(event), ...q });
    },
  );

  app.get(
    '/events/:id/my-registration',
    { schema: { querystring: flags('done', 'cancelled'), params: idParams }, config: { access: 'signed-in' } },
    async (request, reply) => {
      const event = await events.get(request.params.id);
      const mine = await registrations.mineInEvent(request.person!.id, event.id);
      // A draft (or a cohort's own event) is nobody's business but staff's, unless you are booked on it.
      if (!mine.length && (event.status === 'draft' || event.kind !== 'event')) throw new NotFoundError();
      const sessions = await events.sessionsOf(event.id);
      const rows = mine.map((m) => ({
        registration: m.registration,
        session: sessionView(sessions.find((s) => s.id === m.session.id)!),
        position: m.position,
      }));
      const q = request.query;
      return reply.view('events/views/my-registration.njk', {
        title: `Your place at ${event.title}`,
        event: eventView(event),
        rows,
        done: q.done === '1',
        cancelled: q.cancelled === '1',
      });
    },
  );

  // Cancelling from the signed-in page (a form), or from the link in an email (a token).
  app.get(
    '/registrations/:id/cancel',
    { schema: { querystring: tokenQuery, params: idParams }, config: { access: 'public' } },
    async (request, reply) => {
      const { token } = request.query;
      const c = await registrations.context(request.params.id);
      const allowed =
        c &&
        ((token && registrations.checkCancelToken(c.registration.id, token)) ||
          (request.person && request.person.id === c.registration.personId));
      if (!c || !allowed) throw new NotFoundError();
      return reply.view('events/views/cancel.njk', {
        title: 'Cancel your place',
        c,
        token: token ?? '',
        session: c.session,
        when: formatRange(c.session.startsAt, c.session.endsAt),
      });
    },
  );

  app.post('/registrations/:id/cancel', { schema: { params: idParams }, config: { access: 'public' } }, async (request, reply) => {
    const body = z.object({ token: z.string().max(200).optional() }).safeParse(request.body ?? {});
    const token = body.success ? body.data.token : undefined;
    const by = token ? { token } : request.person ? { actor: actorOf(request) } : null;
    if (!by) throw new NotFoundError();
    try {
      const { registration } = await registrations.cancel(by, request.params.id);
      const c = await registrations.context(registration.id);
      if (request.person && request.person.id === registration.personId)
        return reply.redirect(`/events/${c!.event.id}/my-registration?cancelled=1`, 303);
      return reply.view('events/views/cancelled.njk', { title: 'Your place is cancelled', c });
    } catch (err) {
      if (err instanceof ConflictError)
        return reply.status(409).view('errors/400.njk', { title: 'This place cannot be cancelled', detail: err.message });
      throw err;
    }
  });

  app.get(
    '/registrations/:id/calendar.ics',
    { schema: { querystring: tokenQuery, params: idParams }, config: { access: 'public' } },
    async (request, reply) => {
      const { token } = request.query;
      const c = await registrations.context(request.params.id);
      const allowed =
        c &&
        ((token && registrations.checkCancelToken(c.registration.id, token)) ||
          (request.person && (request.person.id === c.registration.personId || ['admin', 'staff'].includes(request.person.role))));
      if (!c || !allowed) throw new NotFoundError();
      return reply
        .type('text/calendar; charset=utf-8')
        .header('content-disposition', 'attachment; filename="event.ics"')
        .send(calendarFor(c, { cancelled: c.registration.status === 'cancelled' }));
    },
  );
}
