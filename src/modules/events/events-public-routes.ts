import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { formatRange } from '../../lib/dates.ts';
import { fieldFailure, parseForm, type FormFailure } from '../../lib/forms.ts';
import { ConflictError, NotFoundError } from '../../lib/validation.ts';
import { actorOf } from '../../plugins/access.ts';
import { personFormOptions } from '../people/people-view.ts';
import type { Person, SessionFormat, Venue } from '../../db/schema.ts';
import { programme, type EventsService, type SessionWithCounts } from './events-service.ts';
import { publicRegisterFormSchema, registerFormSchema } from './events-schemas.ts';
import {
  clashItems,
  dayLabel,
  dayOptions,
  eventView,
  FORMAT_LABELS,
  sessionChoiceItems,
  sessionView,
  submittedRegistration,
} from './events-view.ts';
import type { RegistrationsService } from './registrations-service.ts';
import { calendarFor } from './registration-emails.ts';
import { flags, idParams, uuid } from '../../lib/route-schemas.ts';
import type { App } from '../../plugins/types.ts';
import { failureView } from '../../lib/form-cycle.ts';

const filterQuery = z.object({
  day: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/)
    .optional()
    .catch(undefined),
  // How someone takes part: "online" and "in_person" include sessions offering both; "both" is only those.
  // "hybrid" is what older links said for "both".
  format: z
    .enum(['in_person', 'online', 'both', 'hybrid'])
    .transform((f) => (f === 'hybrid' ? 'both' : f))
    .optional()
    .catch(undefined),
  theme: z.string().max(100).optional().catch(undefined),
});

/** The registration form's "Just the day" choice: only the sessions everyone attends. */
const DAY_CHOICE = 'day';

const tokenQuery = z.object({ token: z.string().max(200).optional().catch(undefined) });
/** Where a cancel began: "Your bookings" goes back there; anything else goes back to the event. */
const cancelQuery = tokenQuery.extend({ from: z.enum(['bookings']).optional().catch(undefined) });

/** Whether a session suits how someone wants to take part. */
function takesPart(format: SessionFormat, wanted: 'in_person' | 'online' | 'both' | undefined): boolean {
  if (!wanted) return true;
  if (wanted === 'both') return format === 'hybrid';
  return format === wanted || format === 'hybrid';
}

/**
 * The venue every session in a room shares (the same name, address and access facts), so the page
 * gives its access facts once; null when sessions are in different places or there is no room.
 */
function sharedVenue(sessions: SessionWithCounts[]): Venue | null {
  const placed = sessions.filter((s) => s.format !== 'online' && s.status !== 'cancelled');
  if (!placed.length || placed.some((s) => !s.venue)) return null;
  const key = (v: Venue) => JSON.stringify({ ...v, id: undefined });
  const first = key(placed[0]!.venue!);
  return placed.every((s) => key(s.venue!) === first) ? placed[0]!.venue : null;
}

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

  app.get('/events', { schema: { querystring: filterQuery }, config: { access: 'public', publicPage: true } }, async (_request, reply) => {
    const list = (await events.list({ publishedOnly: true })).map(eventView);
    return reply.view('events/views/events.njk', {
      title: 'Events',
      upcoming: list.filter((e) => !e.past),
      past: list.filter((e) => e.past),
    });
  });

  app.get(
    '/events/:id',
    // Cached for visitors not signed in until its event, sessions, venues, leaders or places change.
    { schema: { querystring: filterQuery, params: idParams }, config: { access: 'public', publicPage: true } },
    async (request, reply) => {
      const event = await publishedEvent(request.params.id);
      const filter = request.query;
      const all = await events.sessionsOf(event.id);
      // Day and theme are filtered by the programme; how people take part is filtered here.
      const prog = programme(all, { day: filter.day, theme: filter.theme });
      const groups = prog.groups
        .map((g) => ({ ...g, sessions: g.sessions.filter((s) => takesPart(s.format, filter.format)) }))
        .filter((g) => g.sessions.length > 0);
      const formats = new Set(all.map((s) => s.format));
      const venue = sharedVenue(all);
      const open = event.status === 'published' && !eventView(event).past;
      const card = (s: SessionWithCounts) => {
        const v = sessionView(s);
        return { ...v, bookHref: open && !v.cancelled && !v.past ? `/events/${event.id}/register?session=${s.id}` : null };
      };
      return reply.view('events/views/programme.njk', {
        title: event.title,
        event: eventView(event),
        filter,
        dayItems: [{ value: '', text: 'All days' }, ...dayOptions(prog.days)],
        // A filter with one choice only hides things: shown only when there is something to choose.
        showDay: prog.days.length > 1,
        showFormat: formats.size > 1,
        showTheme: prog.themes.length > 1,
        themes: prog.themes,
        themeItems: [{ value: '', text: 'All themes' }, ...prog.themes.map((t) => ({ value: t, text: t }))],
        formatItems: [
          { value: '', text: 'Any' },
          { value: 'in_person', text: 'In person' },
          { value: 'online', text: 'Online' },
          { value: 'both', text: 'Both (in person or online, you choose)' },
        ],
        groups: groups.map((g) => ({ day: g.day, label: dayLabel(g.day), sessions: g.sessions.map(card) })),
        shownCount: groups.reduce((n, g) => n + g.sessions.length, 0),
        totalCount: all.length,
        formatLabels: FORMAT_LABELS,
        venue,
        single: all.length === 1,
      });
    },
  );

  async function registerPage(
    request: FastifyRequest & { params: { id: string } },
    reply: FastifyReply,
    extra: {
      values?: Record<string, unknown>;
      failure?: FormFailure;
      status?: number;
      notice?: string;
      clashes?: ReturnType<typeof clashItems>;
      preselect?: string | undefined;
    } = {},
  ) {
    const event = await publishedEvent(request.params.id);
    const sessions = (await events.sessionsOf(event.id)).map(sessionView).filter((s) => !s.cancelled && !s.past);
    const me: Person | null = request.person;
    // Sessions everyone attends come with any booking; "just the day" books only those.
    const everyone = sessions.filter((s) => s.forEveryone);
    const optional = sessions.filter((s) => !s.forEveryone);
    const dayChoice = everyone.length > 0 && optional.length > 0;
    const pre = sessions.find((s) => s.id === extra.preselect);
    const values = extra.values ?? {
      name: '',
      labelName: me?.labelName ?? '',
      accessNeeds: me?.accessNeeds ?? [],
      accessNotes: me?.accessNotes ?? '',
      sessionIds: sessions.length === 1 ? [sessions[0]!.id] : pre ? [dayChoice && pre.forEveryone ? DAY_CHOICE : pre.id] : [],
    };
    const chosen = new Set((values.sessionIds as string[] | undefined) ?? []);
    return reply.status(extra.status ?? 200).view('events/views/register.njk', {
      title: `Register for ${event.title}`,
      event: eventView(event),
      sessions,
      everyone: dayChoice ? everyone : [],
      sessionItems: dayChoice
        ? [
            ...sessionChoiceItems(optional, chosen),
            { divider: 'or' },
            {
              value: DAY_CHOICE,
              text: 'Just the day',
              hint: { text: `Only ${everyone.map((s) => s.title).join(', ')}` },
              checked: chosen.has(DAY_CHOICE),
              behaviour: 'exclusive',
            },
          ]
        : sessionChoiceItems(sessions, chosen),
      values,
      ...failureView(extra.failure),
      options: personFormOptions,
      signedIn: !!me,
      notice: extra.notice,
      clashes: extra.clashes ?? [],
      closed: event.status !== 'published' || sessions.length === 0,
    });
  }

  // "Book" beside a session on the programme comes here with that session chosen.
  app.get(
    '/events/:id/register',
    { schema: { params: idParams, querystring: z.object({ session: uuid.optional().catch(undefined) }) }, config: { access: 'public' } },
    async (request, reply) => registerPage(request, reply, { preselect: request.query.session }),
  );

  app.post('/events/:id/register', { schema: { params: idParams }, config: { access: 'public' } }, async (request, reply) => {
    const event = await publishedEvent(request.params.id);
    const all = (await events.sessionsOf(event.id)).map(sessionView);
    const sessionIds = new Set(all.map((s) => s.id));
    const forEveryone = all.filter((s) => s.forEveryone && !s.cancelled && !s.past).map((s) => s.id);
    const signedIn = request.person;
    const form = signedIn
      ? parseForm(registerFormSchema, request.body, { idFor: (f) => (f === 'sessionIds' ? 'sessionIds' : f) })
      : parseForm(publicRegisterFormSchema, request.body);
    if (!form.ok) return registerPage(request, reply, { values: submittedRegistration(request.body), failure: form, status: 400 });
    const picked = form.data.sessionIds.filter((id) => id !== DAY_CHOICE);
    const wantsDay = picked.length < form.data.sessionIds.length;
    if (picked.some((id) => !sessionIds.has(id)) || (wantsDay && !forEveryone.length)) {
      return registerPage(request, reply, {
        values: submittedRegistration(request.body),
        failure: fieldFailure('sessionIds', 'Choose sessions from this event'),
        status: 400,
      });
    }
    // Any booking brings the sessions everyone attends; "just the day" is those alone.
    const chosen = [...new Set([...forEveryone, ...picked])];
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
    // Two sessions at the same time: say so, and let the person change their choice or book anyway.
    if ((request.body as Record<string, unknown> | undefined)?.clashes !== 'book-anyway') {
      const { clashes, knownByEmailOnly } = await registrations.clashesFor(who, chosen);
      if (clashes.length)
        return registerPage(request, reply, {
          values: submittedRegistration(request.body),
          clashes: clashItems(clashes, { knownByEmailOnly }),
          status: 409,
        });
    }
    const outcomes: string[] = [];
    try {
      // One booking: all the sessions or none, and one email about it.
      const booked = await registrations.book(signedIn ? actorOf(request) : null, { sessionIds: chosen, who, ...extras });
      for (const p of booked.places) outcomes.push(p.registration.status);
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
    { schema: { querystring: cancelQuery, params: idParams }, config: { access: 'public' } },
    async (request, reply) => {
      const { token, from } = request.query;
      const c = await registrations.context(request.params.id);
      const allowed =
        c &&
        ((token && registrations.checkCancelToken(c.registration.id, token)) ||
          (request.person && request.person.id === c.registration.personId));
      if (!c || !allowed) throw new NotFoundError();
      return reply.view('events/views/cancel.njk', {
        title: c.registration.status === 'waitlisted' ? 'Leave the waiting list' : 'Cancel your place',
        c,
        token: token ?? '',
        from: from ?? '',
        keepHref:
          from === 'bookings' ? '/account/bookings' : request.person ? `/events/${c.event.id}/my-registration` : `/events/${c.event.id}`,
        session: c.session,
        when: formatRange(c.session.startsAt, c.session.endsAt),
      });
    },
  );

  app.post('/registrations/:id/cancel', { schema: { params: idParams }, config: { access: 'public' } }, async (request, reply) => {
    const body = z
      .object({ token: z.string().max(200).optional(), from: z.enum(['bookings']).optional().catch(undefined) })
      .safeParse(request.body ?? {});
    const token = body.success ? body.data.token : undefined;
    const from = body.success ? body.data.from : undefined;
    const by = token ? { token } : request.person ? { actor: actorOf(request) } : null;
    if (!by) throw new NotFoundError();
    try {
      const { registration } = await registrations.cancel(by, request.params.id);
      const c = await registrations.context(registration.id);
      if (request.person && request.person.id === registration.personId)
        return reply.redirect(
          from === 'bookings' ? '/account/bookings?cancelled=1' : `/events/${c!.event.id}/my-registration?cancelled=1`,
          303,
        );
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

  // Every place the signed-in person has at the event, in one calendar file.
  app.get('/events/:id/my-calendar.ics', { schema: { params: idParams }, config: { access: 'signed-in' } }, async (request, reply) => {
    const ics = await registrations.calendarForPersonInEvent(request.person!.id, request.params.id);
    if (!ics) throw new NotFoundError();
    return reply.type('text/calendar; charset=utf-8').header('content-disposition', 'attachment; filename="my-sessions.ics"').send(ics);
  });
}
