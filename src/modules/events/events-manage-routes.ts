import type { FastifyReply } from 'fastify';
import { z } from 'zod';
import { REGISTRATION_STATUSES, type Event } from '../../db/schema.ts';
import { asTyped, fieldFailure, parseForm, summaryFailure, type FormFailure } from '../../lib/forms.ts';
import { ConflictError } from '../../lib/validation.ts';
import { actorOf } from '../../plugins/access.ts';
import type { PeopleService } from '../people/people-service.ts';
import { personFormOptions } from '../people/people-view.ts';
import type { EventReportsService } from './event-reports-service.ts';
import { eventFormSchema, registerFormSchema, sessionFormSchema } from './events-schemas.ts';
import { runnersOf, RUNNERS } from './events-access.ts';
import type { EventsService } from './events-service.ts';
import { eventFormValues, eventView, sessionChoiceItems, sessionFormValues, sessionView, submittedRegistration } from './events-view.ts';
import type { RegistrationsService } from './registrations-service.ts';
import { flags, idParams } from '../../lib/route-schemas.ts';
import type { App } from '../../plugins/types.ts';
import { failureView, formCycle } from '../../lib/form-cycle.ts';

const ORGANISERS = { access: ['admin', 'staff'] as const, hideWhenDenied: true };

const DATE_IDS: Record<string, string> = { start: 'start-day', end: 'end-day', date: 'date-day' };
const eventFormOptions = { idFor: (f: string) => DATE_IDS[f] ?? f, aliases: { startsAt: 'start', endsAt: 'end' } };
const sessionFormOptions = {
  idFor: (f: string) => DATE_IDS[f] ?? (f === 'venue' ? 'venueName' : f),
  aliases: { startsAt: 'date', endsAt: 'endTime' },
};

const listFilter = z.object({
  cancelled: z.string().max(200).optional().catch(undefined),
  session: z.string().max(40).optional().catch(undefined),
  status: z.enum(REGISTRATION_STATUSES).optional().catch(undefined),
  q: z.string().trim().max(100).optional().catch(undefined),
});

/** Organisers: events, sessions, registrations, access needs, labels. */
export function eventsManageRoutes(
  app: App,
  deps: { events: EventsService; registrations: RegistrationsService; reports: EventReportsService; people: PeopleService },
) {
  const { events, reports } = deps;
  const theirEvent = runnersOf(events);

  app.get('/manage/events', { config: RUNNERS }, async (request, reply) => {
    const list = (await events.listForRunner(actorOf(request))).map(eventView);
    return reply.view('events/views/manage-list.njk', { title: 'Manage events', events: list });
  });

  const eventForm = (
    reply: FastifyReply,
    ctx: { title: string; action: string; back: string; submitText: string; values: Record<string, unknown>; failure?: FormFailure },
    status = 200,
  ) => reply.status(status).view('events/views/event-form.njk', { ...ctx, ...failureView(ctx.failure) });

  app.get('/manage/events/new', { config: ORGANISERS }, async (_request, reply) =>
    eventForm(reply, {
      title: 'Create an event',
      action: '/manage/events/new',
      back: '/manage/events',
      submitText: 'Create event',
      values: {},
    }),
  );

  app.post('/manage/events/new', { config: ORGANISERS }, async (request, reply) => {
    const ctx = {
      title: 'Create an event',
      action: '/manage/events/new',
      back: '/manage/events',
      submitText: 'Create event',
      values: asTyped(request.body, []),
    };
    return formCycle(reply, {
      schema: eventFormSchema,
      body: request.body,
      options: eventFormOptions,
      run: (data) => events.create(actorOf(request), data),
      redirect: (event) => `/manage/events/${event.id}?created=1`,
      again: (failure, status) => eventForm(reply, { ...ctx, failure }, status),
    });
  });

  app.get(
    '/manage/events/:id',
    { ...theirEvent, schema: { querystring: flags('cancelled', 'created', 'error', 'published', 'saved', 'session'), params: idParams } },
    async (request, reply) => {
      const event = await events.get(request.params.id);
      const [sessions, mix] = await Promise.all([events.sessionsOf(event.id), reports.mix(event.id)]);
      const q = request.query;
      return reply.view('events/views/manage-event.njk', {
        title: event.title,
        event: eventView(event),
        sessions: sessions.map((s) => ({
          ...sessionView(s),
          mixRegistered: mix.registered.bySession.get(s.id),
          mixAttended: mix.attended.bySession.get(s.id),
        })),
        mix,
        canOrganise: ['admin', 'staff'].includes(request.person!.role),
        banner: q.created
          ? 'Event created. Add its sessions, then publish it.'
          : q.saved
            ? 'Changes saved'
            : q.published
              ? 'Published: people can now register'
              : q.cancelled
                ? 'Event cancelled. Everyone registered has been told.'
                : q.session
                  ? 'Session saved'
                  : null,
        errorList: q.error === 'cancelled' ? [{ text: 'A cancelled event cannot be published', href: '#actions' }] : [],
      });
    },
  );

  app.get('/manage/events/:id/edit', { schema: { params: idParams }, config: ORGANISERS }, async (request, reply) => {
    const event = await events.get(request.params.id);
    return eventForm(reply, {
      title: `Change ${event.title}`,
      action: `/manage/events/${event.id}/edit`,
      back: `/manage/events/${event.id}`,
      submitText: 'Save changes',
      values: eventFormValues(event),
    });
  });

  app.post('/manage/events/:id/edit', { schema: { params: idParams }, config: ORGANISERS }, async (request, reply) => {
    const event = await events.get(request.params.id);
    const ctx = {
      title: `Change ${event.title}`,
      action: `/manage/events/${event.id}/edit`,
      back: `/manage/events/${event.id}`,
      submitText: 'Save changes',
      values: asTyped(request.body, []),
    };
    return formCycle(reply, {
      schema: eventFormSchema,
      body: request.body,
      options: eventFormOptions,
      run: (data) => events.update(actorOf(request), event.id, data),
      redirect: () => `/manage/events/${event.id}?saved=1`,
      again: (failure, status) => eventForm(reply, { ...ctx, failure }, status),
    });
  });

  app.post('/manage/events/:id/publish', { schema: { params: idParams }, config: ORGANISERS }, async (request, reply) => {
    try {
      await events.publish(actorOf(request), request.params.id);
    } catch (err) {
      if (err instanceof ConflictError) return reply.redirect(`/manage/events/${request.params.id}?error=cancelled`, 303);
      throw err;
    }
    return reply.redirect(`/manage/events/${request.params.id}?published=1`, 303);
  });

  app.get('/manage/events/:id/cancel', { schema: { params: idParams }, config: ORGANISERS }, async (request, reply) => {
    const event = await events.get(request.params.id);
    const sessions = await events.sessionsOf(event.id);
    const told = sessions.reduce((n, s) => n + s.confirmed + s.waitlisted, 0);
    return reply.view('events/views/manage-cancel.njk', { title: `Cancel ${event.title}`, event: eventView(event), told });
  });

  app.post('/manage/events/:id/cancel', { schema: { params: idParams }, config: ORGANISERS }, async (request, reply) => {
    await events.cancel(actorOf(request), request.params.id);
    return reply.redirect(`/manage/events/${request.params.id}?cancelled=1`, 303);
  });

  // ---- sessions -------------------------------------------------------------------------------
  // A cohort's sessions are edited here too; afterwards the organiser goes back to the cohort.
  const afterSessionSaved = (event: Event) =>
    event.kind === 'cohort' ? `/manage/cohorts/by-event/${event.id}` : `/manage/events/${event.id}?session=1`;
  const facilitatorItems = async (chosen: unknown) => {
    const ids = new Set(Array.isArray(chosen) ? chosen : chosen ? [chosen] : []);
    return (await events.facilitatorChoices()).map((p) => ({ value: p.id, text: p.name, checked: ids.has(p.id) }));
  };
  const sessionForm = async (
    reply: FastifyReply,
    event: Event,
    ctx: { title: string; action: string; submitText: string; values: Record<string, unknown>; failure?: FormFailure },
    status = 200,
  ) =>
    reply.status(status).view('events/views/session-form.njk', {
      ...ctx,
      event: eventView(event),
      forCohort: event.kind === 'cohort',
      facilitatorItems: await facilitatorItems(ctx.values.facilitatorIds),
      ...failureView(ctx.failure),
    });

  app.get('/manage/events/:id/sessions/new', { schema: { params: idParams }, config: ORGANISERS }, async (request, reply) => {
    const event = await events.get(request.params.id);
    return sessionForm(reply, event, {
      title: 'Add a session',
      action: `/manage/events/${event.id}/sessions/new`,
      submitText: 'Add session',
      values: { format: 'in_person' },
    });
  });

  app.post('/manage/events/:id/sessions/new', { schema: { params: idParams }, config: ORGANISERS }, async (request, reply) => {
    const event = await events.get(request.params.id);
    const ctx = {
      title: 'Add a session',
      action: `/manage/events/${event.id}/sessions/new`,
      submitText: 'Add session',
      values: asTyped(request.body, ['venueFacts']),
    };
    return formCycle(reply, {
      schema: sessionFormSchema,
      body: request.body,
      options: sessionFormOptions,
      run: (data) => events.addSession(actorOf(request), event.id, data),
      redirect: () => afterSessionSaved(event),
      again: (failure, status) => sessionForm(reply, event, { ...ctx, failure }, status),
      conflict: (err) => summaryFailure(err.message, '#title'),
    });
  });

  app.get('/manage/sessions/:id/edit', { schema: { params: idParams }, config: ORGANISERS }, async (request, reply) => {
    const session = await events.getSession(request.params.id);
    const event = await events.get(session.eventId);
    return sessionForm(reply, event, {
      title: `Change ${session.title}`,
      action: `/manage/sessions/${session.id}/edit`,
      submitText: 'Save changes',
      values: sessionFormValues(session),
    });
  });

  app.post('/manage/sessions/:id/edit', { schema: { params: idParams }, config: ORGANISERS }, async (request, reply) => {
    const session = await events.getSession(request.params.id);
    const event = await events.get(session.eventId);
    const ctx = {
      title: `Change ${session.title}`,
      action: `/manage/sessions/${session.id}/edit`,
      submitText: 'Save changes',
      values: asTyped(request.body, ['venueFacts']),
    };
    return formCycle(reply, {
      schema: sessionFormSchema,
      body: request.body,
      options: sessionFormOptions,
      run: (data) => events.updateSession(actorOf(request), session.id, data),
      redirect: () => afterSessionSaved(event),
      again: (failure, status) => sessionForm(reply, event, { ...ctx, failure }, status),
    });
  });

  // ---- registrations, access needs, labels ----------------------------------------------------
  app.get(
    '/manage/events/:id/registrations',
    { schema: { querystring: listFilter, params: idParams }, config: ORGANISERS },
    async (request, reply) => {
      const event = await events.get(request.params.id);
      const f = request.query;
      const sessions = await events.sessionsOf(event.id);
      const rows = await reports.registrations(event.id, {
        sessionId: sessions.some((s) => s.id === f.session) ? f.session : undefined,
        statuses: f.status ? [f.status] : undefined,
        q: f.q,
      });
      const query = new URLSearchParams(Object.entries(f).filter(([, v]) => v) as [string, string][]).toString();
      return reply.view('events/views/manage-registrations.njk', {
        title: `Registrations: ${event.title}`,
        event: eventView(event),
        rows,
        filter: f,
        sessionItems: [{ value: '', text: 'All sessions' }, ...sessions.map((s) => ({ value: s.id, text: s.title }))],
        statusItems: [
          { value: '', text: 'Any status' },
          ...REGISTRATION_STATUSES.map((s) => ({ value: s, text: s[0]!.toUpperCase() + s.slice(1) })),
        ],
        csvHref: `/manage/events/${event.id}/registrations.csv${query ? `?${query}` : ''}`,
        banner: request.query.cancelled ? 'Registration cancelled' : null,
      });
    },
  );

  app.get(
    '/manage/events/:id/registrations.csv',
    { schema: { querystring: listFilter, params: idParams }, config: ORGANISERS },
    async (request, reply) => {
      const event = await events.get(request.params.id);
      const f = request.query;
      const csv = await reports.csv(actorOf(request), event.id, {
        sessionId: f.session,
        statuses: f.status ? [f.status] : undefined,
        q: f.q,
      });
      const name =
        event.title
          .replace(/[^A-Za-z0-9]+/g, '-')
          .replace(/^-|-$/g, '')
          .toLowerCase() || 'event';
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="${name}-registrations.csv"`)
        .header('cache-control', 'no-store')
        .send(csv);
    },
  );

  app.post('/manage/registrations/:id/cancel', { schema: { params: idParams }, config: ORGANISERS }, async (request, reply) => {
    const { registration } = await deps.registrations.cancel({ actor: actorOf(request) }, request.params.id);
    const c = await deps.registrations.context(registration.id);
    return reply.redirect(`/manage/events/${c!.event.id}/registrations?cancelled=1`, 303);
  });

  app.get(
    '/manage/events/:id/access',
    { ...theirEvent, schema: { querystring: flags('who'), params: idParams } },
    async (request, reply) => {
      const event = await events.get(request.params.id);
      const showWho = request.query.who === '1';
      const summary = await reports.accessSummary(actorOf(request), event.id, { showWho });
      return reply.view('events/views/manage-access.njk', { title: `Access needs: ${event.title}`, event: eventView(event), summary });
    },
  );

  app.get('/manage/events/:id/labels.pdf', { ...theirEvent, schema: { params: idParams } }, async (request, reply) => {
    const event = await events.get(request.params.id);
    const pdf = await reports.labelsPdf(event.id, event.title);
    return reply.type('application/pdf').header('content-disposition', 'inline; filename="name-labels.pdf"').send(pdf);
  });

  // ---- registering someone on their behalf ------------------------------------------------------
  app.get(
    '/manage/events/:id/register-someone',
    {
      schema: { querystring: z.object({ q: z.string().trim().max(100).optional().catch(undefined) }), params: idParams },
      config: ORGANISERS,
    },
    async (request, reply) => {
      const event = await events.get(request.params.id);
      const q = request.query;
      const found = q.q ? await deps.people.list({ search: q.q, limit: 20 }) : [];
      return reply.view('events/views/manage-register-someone.njk', {
        title: `Register someone for ${event.title}`,
        event: eventView(event),
        q: q.q ?? '',
        found,
      });
    },
  );

  const onBehalfPage = async (
    reply: FastifyReply,
    eventId: string,
    personId: string,
    values: Record<string, unknown> | null,
    failure?: FormFailure,
    status = 200,
  ) => {
    const event = await events.get(eventId);
    // Filling the form in from their record shows their access needs to staff: that read is audited.
    const person = values ? await deps.people.get(personId) : await deps.people.viewAsStaff(actorOf(reply.request), personId, 'web');
    const sessions = (await events.sessionsOf(event.id)).map(sessionView).filter((s) => !s.cancelled && !s.past);
    const v = values ?? {
      labelName: person.labelName ?? '',
      accessNeeds: person.accessNeeds,
      accessNotes: person.accessNotes ?? '',
      sessionIds: sessions.length === 1 ? [sessions[0]!.id] : [],
    };
    return reply.status(status).view('events/views/register.njk', {
      title: `Register ${person.name}`,
      event: eventView(event),
      sessions,
      sessionItems: sessionChoiceItems(sessions, new Set((v.sessionIds as string[]) ?? [])),
      values: v,
      ...failureView(failure),
      options: personFormOptions,
      onBehalfOf: person,
      action: `/manage/events/${event.id}/register/${person.id}`,
      closed: event.status !== 'published' || sessions.length === 0,
    });
  };

  app.get<{ Params: { id: string; personId: string } }>(
    '/manage/events/:id/register/:personId',
    { config: ORGANISERS },
    async (request, reply) => onBehalfPage(reply, request.params.id, request.params.personId, null),
  );

  app.post<{ Params: { id: string; personId: string } }>(
    '/manage/events/:id/register/:personId',
    { config: ORGANISERS },
    async (request, reply) => {
      const { id, personId } = request.params;
      const sessionIds = new Set((await events.sessionsOf(id)).map((s) => s.id));
      const typed = submittedRegistration(request.body);
      const form = parseForm(registerFormSchema, request.body);
      if (!form.ok) return onBehalfPage(reply, id, personId, typed, form, 400);
      if (form.data.sessionIds.some((s) => !sessionIds.has(s))) {
        return onBehalfPage(reply, id, personId, typed, fieldFailure('sessionIds', 'Choose sessions from this event'), 400);
      }
      try {
        for (const sessionId of form.data.sessionIds) {
          await deps.registrations.register(actorOf(request), {
            sessionId,
            who: { personId },
            labelName: form.data.labelName,
            accessNeeds: form.data.accessNeeds,
            accessNotes: form.data.accessNotes,
          });
        }
      } catch (err) {
        if (err instanceof ConflictError) return onBehalfPage(reply, id, personId, typed, fieldFailure('sessionIds', err.message), 409);
        throw err;
      }
      return reply.redirect(`/manage/events/${id}/registrations?q=${encodeURIComponent((await deps.people.get(personId)).name)}`, 303);
    },
  );
}
