import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { REGISTRATION_STATUSES, type Event, type Venue } from '../../db/schema.ts';
import { asTyped, fieldFailure, parseForm, summaryFailure, type FormFailure } from '../../lib/forms.ts';
import { ConflictError } from '../../lib/validation.ts';
import { actorOf } from '../../plugins/access.ts';
import type { PeopleService } from '../people/people-service.ts';
import { personFormOptions } from '../people/people-view.ts';
import type { EventReportsService } from './event-reports-service.ts';
import {
  eventFormSchema,
  newLeaderFrom,
  newLeaderSchema,
  registerFormSchema,
  sessionFormSchema,
  type SessionInput,
} from './events-schemas.ts';
import { londonDay } from '../../lib/dates.ts';
import { runnersOf, RUNNERS } from './events-access.ts';
import type { EventsService } from './events-service.ts';
import {
  clashItems,
  dateFields,
  eventFormValues,
  eventView,
  sessionChoiceItems,
  sessionFormValues,
  sessionView,
  submittedRegistration,
} from './events-view.ts';
import type { RegistrationsService } from './registrations-service.ts';
import type { FragmentCache } from '../../lib/fragment-cache.ts';
import { KeptHtml } from '../../lib/kept-html.ts';
import { flags, idParams, uuid } from '../../lib/route-schemas.ts';
import { UNDO_CANCEL_MINUTES } from './staff-desk-service.ts';
import type { App } from '../../plugins/types.ts';
import { failureView, formCycle } from '../../lib/form-cycle.ts';

const ORGANISERS = { access: ['admin', 'staff'] as const, hideWhenDenied: true };

const DATE_IDS: Record<string, string> = { start: 'start-day', end: 'end-day', date: 'date-day' };
const eventFormOptions = { idFor: (f: string) => DATE_IDS[f] ?? f, aliases: { startsAt: 'start', endsAt: 'end' } };
const sessionFormOptions = {
  idFor: (f: string) => DATE_IDS[f] ?? (f === 'venue' ? 'venueName' : f),
  aliases: { startsAt: 'date', endsAt: 'endTime' },
};

/** A session's venue as the chosen radio, with the fields for a new venue left empty. */
const venueOnly = (venueId: string | null) =>
  venueId
    ? { venueId, venueName: '', venueAddress: '', venuePostcode: '', venueFacts: [], parking: '', publicTransport: '' }
    : { venueId: 'new' };
/** Just the date boxes of a form, from an instant. */
const dateOnly = (d: Date) => {
  const f = dateFields('date', 'startTime', d);
  return { 'date[day]': f['date[day]'], 'date[month]': f['date[month]'], 'date[year]': f['date[year]'] };
};
const venueFactsText = (v: Venue) =>
  [
    v.stepFree ? 'Step-free access' : 'Not step-free',
    v.hearingLoop ? 'hearing loop' : 'no hearing loop',
    v.accessibleToilet ? 'accessible toilet' : 'no accessible toilet',
  ].join(', ');

const listFilter = z.object({
  cancelled: z.string().max(200).optional().catch(undefined),
  offered: z.string().max(400).optional().catch(undefined),
  restored: z.string().max(40).optional().catch(undefined),
  late: z.string().max(10).optional().catch(undefined),
  session: z.string().max(40).optional().catch(undefined),
  status: z.enum(REGISTRATION_STATUSES).optional().catch(undefined),
  q: z.string().trim().max(100).optional().catch(undefined),
});

/** Organisers: events, sessions, registrations, access needs, labels. */
export function eventsManageRoutes(
  app: App,
  deps: {
    events: EventsService;
    registrations: RegistrationsService;
    reports: EventReportsService;
    people: PeopleService;
    fragments: FragmentCache;
  },
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
                  ? /^Session (added|saved): /.test(q.session)
                    ? q.session
                    : 'Session saved'
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
  const afterSessionSaved = (event: Event, session: { title: string }, verb: string) =>
    event.kind === 'cohort'
      ? `/manage/cohorts/by-event/${event.id}`
      : `/manage/events/${event.id}?session=${encodeURIComponent(`${verb}: ${session.title}`)}`;
  const facilitatorItems = async (chosen: unknown) => {
    const ids = new Set(Array.isArray(chosen) ? chosen : chosen ? [chosen] : []);
    return (await events.facilitatorChoices()).map((p) => ({ value: p.id, text: p.name, checked: ids.has(p.id) }));
  };
  const venueItems = async (chosen: unknown) => {
    const venues = await events.venueChoices();
    const picked = String(chosen ?? '');
    // The list keeps one venue per name; a session's own venue is always offered.
    if (picked && picked !== 'new' && !venues.some((v) => v.id === picked)) {
      const own = await events.findVenue(picked);
      if (own) venues.unshift(own);
    }
    return [
      ...venues.map((v) => ({
        value: v.id,
        text: `${v.name}${v.postcode ? `, ${v.postcode}` : ''}`,
        hint: { text: venueFactsText(v) },
        checked: picked === v.id,
      })),
      { value: 'new', text: 'A new venue (enter it below)', checked: picked === 'new' || (!!venues.length && picked === '') },
    ];
  };
  const sessionFormOptionsFor = (hasVenues: boolean) => ({
    ...sessionFormOptions,
    idFor: (f: string) => (f === 'venue' && hasVenues ? 'venueId' : sessionFormOptions.idFor(f)),
  });
  const sessionForm = async (
    reply: FastifyReply,
    event: Event,
    ctx: { title: string; action: string; submitText: string; values: Record<string, unknown>; failure?: FormFailure },
    status = 200,
  ) => {
    const venues = await venueItems(ctx.values.venueId);
    return reply.status(status).view('events/views/session-form.njk', {
      ...ctx,
      event: eventView(event),
      forCohort: event.kind === 'cohort',
      facilitatorItems: await facilitatorItems(ctx.values.facilitatorIds),
      venueItems: venues.length > 1 ? venues : [],
      experienceItems: personFormOptions.experiences,
      ...failureView(ctx.failure),
    });
  };
  /** The session as submitted, with a new leader (if one was typed) added as a facilitator first. */
  const withNewLeader = async (request: FastifyRequest, data: SessionInput): Promise<SessionInput> => {
    const typed = newLeaderFrom(request.body);
    if (!typed) return data;
    const leader = newLeaderSchema.parse(typed);
    const person = await deps.people.create(actorOf(request), leader, { role: 'facilitator' });
    return { ...data, facilitatorIds: [...(data.facilitatorIds ?? []), person.id] };
  };
  const leaderConflict = (err: ConflictError) =>
    /email/i.test(err.message)
      ? fieldFailure('newLeaderEmail', 'Someone with this email address is already here: tick them in the list of leaders instead')
      : summaryFailure(err.message, '#title');

  app.get(
    '/manage/events/:id/sessions/new',
    { schema: { params: idParams, querystring: z.object({ copy: uuid.optional().catch(undefined) }) }, config: ORGANISERS },
    async (request, reply) => {
      const event = await events.get(request.params.id);
      const source = request.query.copy ? await events.getSession(request.query.copy).catch(() => null) : null;
      // A copy starts from another session of this event; a one-day event gives the date.
      const values: Record<string, unknown> =
        source && source.eventId === event.id
          ? { ...sessionFormValues(source), ...venueOnly(source.venueId), title: `${source.title} (copy)` }
          : {
              format: 'in_person',
              ...(londonDay(event.startsAt) === londonDay(event.endsAt) ? dateOnly(event.startsAt) : {}),
            };
      return sessionForm(reply, event, {
        title: source ? `Copy ${source.title}` : 'Add a session',
        action: `/manage/events/${event.id}/sessions/new`,
        submitText: 'Add session',
        values,
      });
    },
  );

  app.post('/manage/events/:id/sessions/new', { schema: { params: idParams }, config: ORGANISERS }, async (request, reply) => {
    const event = await events.get(request.params.id);
    const ctx = {
      title: 'Add a session',
      action: `/manage/events/${event.id}/sessions/new`,
      submitText: 'Add session',
      values: asTyped(request.body, ['venueFacts', 'facilitatorIds']),
    };
    const hasVenues = (await events.venueChoices()).length > 0;
    return formCycle(reply, {
      schema: sessionFormSchema,
      body: request.body,
      options: sessionFormOptionsFor(hasVenues),
      run: async (data) => events.addSession(actorOf(request), event.id, await withNewLeader(request, data)),
      redirect: (session) => afterSessionSaved(event, session, 'Session added'),
      again: (failure, status) => sessionForm(reply, event, { ...ctx, failure }, status),
      conflict: leaderConflict,
    });
  });

  app.get('/manage/sessions/:id/edit', { schema: { params: idParams }, config: ORGANISERS }, async (request, reply) => {
    const session = await events.getSession(request.params.id);
    const event = await events.get(session.eventId);
    return sessionForm(reply, event, {
      title: `Change ${session.title}`,
      action: `/manage/sessions/${session.id}/edit`,
      submitText: 'Save changes',
      values: { ...sessionFormValues(session), ...venueOnly(session.venueId) },
    });
  });

  app.post('/manage/sessions/:id/edit', { schema: { params: idParams }, config: ORGANISERS }, async (request, reply) => {
    const session = await events.getSession(request.params.id);
    const event = await events.get(session.eventId);
    const ctx = {
      title: `Change ${session.title}`,
      action: `/manage/sessions/${session.id}/edit`,
      submitText: 'Save changes',
      values: asTyped(request.body, ['venueFacts', 'facilitatorIds']),
    };
    const hasVenues = (await events.venueChoices()).length > 0;
    return formCycle(reply, {
      schema: sessionFormSchema,
      body: request.body,
      options: sessionFormOptionsFor(hasVenues),
      run: async (data) => events.updateSession(actorOf(request), session.id, await withNewLeader(request, data)),
      redirect: (saved) => afterSessionSaved(event, saved, 'Session saved'),
      again: (failure, status) => sessionForm(reply, event, { ...ctx, failure }, status),
      conflict: leaderConflict,
    });
  });

  // ---- registrations, access needs, labels ----------------------------------------------------
  const restoredText = async (eventId: string, registrationId: string) => {
    const o = await events.desk.cancelOutcome(eventId, registrationId, []);
    if (!o || o.row.status === 'cancelled') return null;
    return o.row.status === 'waitlisted'
      ? `Undone: ${o.row.name} is back on the waiting list for ${o.row.sessionTitle}, number ${o.row.waitlistPosition}`
      : `Undone: ${o.row.name} has their place at ${o.row.sessionTitle} again`;
  };

  app.get(
    '/manage/events/:id/registrations',
    // Kept for each organiser between changes too (plugins/viewer-cache.ts): all it shows comes
    // from events, sessions, registrations and people, which the change feed watches.
    { schema: { querystring: listFilter, params: idParams }, config: { ...ORGANISERS, keptForViewer: true } },
    async (request, reply) => {
      const f = request.query;
      const id = request.params.id;
      // How long a cancellation can still be undone depends on the clock: that page is made each time.
      if (f.cancelled || f.late) request.keptForViewer = false;
      // The list is the same for every organiser: made once per change to what it shows (event,
      // sessions, registrations, people) rather than once per look. Who may see it is checked above.
      const list = await deps.fragments.get(`registrations:${JSON.stringify([id, f.session, f.status, f.q])}`, async () => {
        const event = await events.get(id);
        const sessions = await events.sessionsOf(event.id);
        const rows = await reports.registrations(event.id, {
          sessionId: sessions.some((s) => s.id === f.session) ? f.session : undefined,
          statuses: f.status ? [f.status] : undefined,
          q: f.q,
        });
        const query = new URLSearchParams(
          Object.entries({ session: f.session, status: f.status, q: f.q }).filter(([, v]) => v) as [string, string][],
        ).toString();
        const html = reply.fragment('events/views/manage-registrations-list.njk', {
          event: eventView(event),
          rows,
          filter: f,
          sessionItems: [{ value: '', text: 'All sessions' }, ...sessions.map((s) => ({ value: s.id, text: s.title }))],
          statusItems: [
            { value: '', text: 'Any status' },
            ...REGISTRATION_STATUSES.map((s) => ({ value: s, text: s[0]!.toUpperCase() + s.slice(1) })),
          ],
          csvHref: `/manage/events/${event.id}/registrations.csv${query ? `?${query}` : ''}`,
        });
        return { event: { id: event.id, title: event.title }, html: new KeptHtml(html) };
      });
      const event = list.event;
      return reply.view('events/views/manage-registrations.njk', {
        title: `Registrations: ${event.title}`,
        event,
        listHtml: list.html,
        banner: f.restored ? await restoredText(event.id, f.restored) : null,
        cancelled: f.cancelled
          ? await events.desk.cancelOutcome(event.id, f.cancelled, (f.offered ?? '').split(',').filter(Boolean))
          : null,
        undoFailed: f.late === '1',
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

  // Cancelling from the staff list: a confirm page naming who will be offered the place, then a
  // banner, and an undo for a short time where nobody has been told yet.
  app.get('/manage/registrations/:id/cancel', { schema: { params: idParams }, config: ORGANISERS }, async (request, reply) => {
    const preview = await events.desk.cancelPreview(request.params.id);
    const event = await events.get(preview.row.eventId);
    return reply.view('events/views/manage-cancel-registration.njk', {
      title: `Cancel ${preview.row.name}’s place?`,
      event: eventView(event),
      ...preview,
      undoMinutes: UNDO_CANCEL_MINUTES,
    });
  });

  app.post('/manage/registrations/:id/cancel', { schema: { params: idParams }, config: ORGANISERS }, async (request, reply) => {
    try {
      const done = await events.desk.cancelByStaff(actorOf(request), request.params.id);
      const offered = done.promoted.length ? `&offered=${done.promoted.join(',')}` : '';
      return reply.redirect(`/manage/events/${done.eventId}/registrations?cancelled=${request.params.id}${offered}`, 303);
    } catch (err) {
      if (!(err instanceof ConflictError)) throw err;
      const preview = await events.desk.cancelPreview(request.params.id);
      return reply.status(409).view('events/views/manage-cancel-registration.njk', {
        title: `Cancel ${preview.row.name}’s place?`,
        event: eventView(await events.get(preview.row.eventId)),
        ...preview,
        undoMinutes: UNDO_CANCEL_MINUTES,
        ...failureView(summaryFailure(err.message, '#cancel')),
      });
    }
  });

  app.post(
    '/manage/events/:id/registrations/:registrationId/undo-cancel',
    { schema: { params: z.object({ id: uuid, registrationId: uuid }) }, config: ORGANISERS },
    async (request, reply) => {
      const { id, registrationId } = request.params;
      try {
        await events.desk.undoCancel(actorOf(request), id, registrationId);
      } catch (err) {
        if (err instanceof ConflictError)
          return reply.redirect(`/manage/events/${id}/registrations?cancelled=${registrationId}&late=1`, 303);
        throw err;
      }
      return reply.redirect(`/manage/events/${id}/registrations?restored=${registrationId}`, 303);
    },
  );

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
      schema: {
        querystring: z.object({
          q: z.string().trim().max(100).optional().catch(undefined),
          // Back from "Add a person": they are chosen, straight to their booking.
          personId: uuid.optional().catch(undefined),
          booked: uuid.optional().catch(undefined),
        }),
        params: idParams,
      },
      config: ORGANISERS,
    },
    async (request, reply) => {
      const event = await events.get(request.params.id);
      const q = request.query;
      if (q.personId) return reply.redirect(`/manage/events/${event.id}/register/${q.personId}`, 303);
      const found = q.q ? await deps.people.list({ search: q.q, limit: 20 }) : [];
      const returnTo = `/manage/events/${event.id}/register-someone`;
      return reply.view('events/views/manage-register-someone.njk', {
        title: `Register someone for ${event.title}`,
        event: eventView(event),
        q: q.q ?? '',
        found,
        addHref: `/people/new?returnTo=${encodeURIComponent(returnTo)}`,
        booked: q.booked ? await events.desk.bookingSummary(event.id, q.booked) : null,
      });
    },
  );

  app.get<{ Params: { id: string; personId: string } }>(
    '/manage/events/:id/letters/:personId.pdf',
    { schema: { params: z.object({ id: uuid, personId: uuid }) }, config: ORGANISERS },
    async (request, reply) => {
      const event = await events.get(request.params.id);
      const pdf = await events.desk.confirmationLetter(event, request.params.personId, 'The events team');
      return reply
        .type('application/pdf')
        .header('content-disposition', 'inline; filename="booking-letter.pdf"')
        .header('cache-control', 'no-store')
        .send(pdf);
    },
  );

  // People we reach by phone whose place changed without them: a list to work through.
  app.get(
    '/manage/events/:id/to-call',
    { schema: { params: idParams, querystring: flags('called') }, config: ORGANISERS },
    async (request, reply) => {
      const event = await events.get(request.params.id);
      return reply.view('events/views/manage-to-call.njk', {
        title: `People to phone: ${event.title}`,
        event: eventView(event),
        rows: await events.desk.toCall(event.id),
        banner: request.query.called ? `Marked ${request.query.called} as phoned` : null,
      });
    },
  );

  app.post(
    '/manage/events/:id/to-call/:registrationId',
    { schema: { params: z.object({ id: uuid, registrationId: uuid }) }, config: ORGANISERS },
    async (request, reply) => {
      const done = await events.desk.markCalled(actorOf(request), request.params.id, request.params.registrationId);
      return reply.redirect(`/manage/events/${request.params.id}/to-call?called=${encodeURIComponent(done.name)}`, 303);
    },
  );

  const onBehalfPage = async (
    reply: FastifyReply,
    eventId: string,
    personId: string,
    values: Record<string, unknown> | null,
    failure?: FormFailure,
    status = 200,
    clashes: ReturnType<typeof clashItems> = [],
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
      clashes,
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
      const all = (await events.sessionsOf(id)).map(sessionView);
      const sessionIds = new Set(all.map((s) => s.id));
      const typed = submittedRegistration(request.body);
      const form = parseForm(registerFormSchema, request.body);
      if (!form.ok) return onBehalfPage(reply, id, personId, typed, form, 400);
      if (form.data.sessionIds.some((s) => !sessionIds.has(s))) {
        return onBehalfPage(reply, id, personId, typed, fieldFailure('sessionIds', 'Choose sessions from this event'), 400);
      }
      // As on the public form: the sessions everyone attends come with any booking, two sessions
      // at the same time are pointed out first, and the booking is one (all or nothing, one email).
      const forEveryone = all.filter((s) => s.forEveryone && !s.cancelled && !s.past).map((s) => s.id);
      const chosen = [...new Set([...forEveryone, ...form.data.sessionIds])];
      if ((request.body as Record<string, unknown> | undefined)?.clashes !== 'book-anyway') {
        const clashes = await deps.registrations.findClashes(personId, chosen);
        if (clashes.length)
          return onBehalfPage(reply, id, personId, typed, undefined, 409, clashItems(clashes, { knownByEmailOnly: false }));
      }
      try {
        await deps.registrations.book(actorOf(request), {
          sessionIds: chosen,
          who: { personId },
          labelName: form.data.labelName,
          accessNeeds: form.data.accessNeeds,
          accessNotes: form.data.accessNotes,
        });
      } catch (err) {
        if (err instanceof ConflictError) return onBehalfPage(reply, id, personId, typed, fieldFailure('sessionIds', err.message), 409);
        throw err;
      }
      return reply.redirect(`/manage/events/${id}/register-someone?booked=${personId}`, 303);
    },
  );
}
