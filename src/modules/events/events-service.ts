import type { Db, Tx } from '../../db/client.ts';
import type { Event, EventSession } from '../../db/schema.ts';
import { londonDay } from '../../lib/dates.ts';
import { ConflictError, NotFoundError, ValidationError } from '../../lib/validation.ts';
import type { AuditTrail } from '../audit/audit-service.ts';
import type { EventsRepository, SessionWithCounts } from './events-repository.ts';
import type { EventInput, SessionInput } from './events-schemas.ts';
import type { EventReportsRepository } from './event-reports-repository.ts';
import type { RegistrationsRepository } from './registrations-repository.ts';
import type { RegistrationsService } from './registrations-service.ts';
import { isStaff, type Actor } from '../../plugins/access.ts';
import { createStaffDesk } from './staff-desk-service.ts';

export type { SessionWithCounts };

export interface ProgrammeFilter {
  day?: string | undefined;
  format?: string | undefined;
  theme?: string | undefined;
}

/** Organisers' rules for events and their sessions. */
export function createEventsService(deps: {
  db: Db;
  events: EventsRepository;
  registrations: RegistrationsRepository;
  registrationsService: Pick<RegistrationsService, 'fillPlaces' | 'afterPromotion' | 'tell' | 'checkIn' | 'cancel'>;
  audit: AuditTrail;
}) {
  const { db, events } = deps;

  async function mustFindEvent(id: string, tx: Db | Tx = db, forUpdate = false): Promise<Event> {
    const event = await events.findEvent(tx, id, { forUpdate });
    if (!event) throw new NotFoundError('No event with that id');
    return event;
  }

  function checkSessionFits(event: Event, input: SessionInput) {
    if (input.startsAt < event.startsAt || input.endsAt > event.endsAt) {
      throw new ValidationError([
        { path: 'startsAt', message: 'The session must happen during the event: change the session times or the event dates' },
      ]);
    }
  }

  async function checkFacilitators(tx: Tx, ids: string[] | undefined): Promise<string[]> {
    const unique = [...new Set(ids ?? [])];
    const found = await events.existingPeople(tx, unique);
    if (found.length !== unique.length)
      throw new ValidationError([{ path: 'facilitatorIds', message: 'One or more facilitators are not people here' }]);
    return found;
  }

  /**
   * The venue of a session: one chosen from the list, or the one typed. Typing the same name as the
   * session's venue corrects that venue's facts, for every session held there (facts typed once);
   * a new name is a new venue.
   */
  async function chosenOrNewVenue(tx: Tx, input: SessionInput, currentId: string | null): Promise<string | null> {
    if (input.venueId) {
      const known = await events.findVenue(tx, input.venueId);
      if (!known) throw new ValidationError([{ path: 'venue', message: 'Choose a venue from the list, or add a new one' }]);
      return known.id;
    }
    if (!input.venue) return null;
    const current = currentId ? await events.findVenue(tx, currentId) : undefined;
    if (current && current.name.trim().toLowerCase() === input.venue.name.trim().toLowerCase()) {
      await events.updateVenue(tx, current.id, input.venue);
      return current.id;
    }
    return (await events.insertVenue(tx, input.venue)).id;
  }

  return {
    /** The organisers' desk: check-in by person, cancelling with undo, letters and calls. */
    desk: createStaffDesk({ db, registrationsService: deps.registrationsService, audit: deps.audit }),

    async create(actor: Actor, input: EventInput, extra: { isDemo?: boolean } = {}): Promise<Event> {
      return db.transaction(async (tx) => {
        const event = await events.insertEvent(tx, input, { createdBy: actor.personId, isDemo: extra.isDemo });
        await deps.audit.insert(tx, { actorId: actor.personId, action: 'event.created', subjectType: 'event', subjectId: event.id });
        return event;
      });
    },

    async update(actor: Actor, id: string, input: EventInput): Promise<Event> {
      return db.transaction(async (tx) => {
        await mustFindEvent(id, tx, true);
        const sessions = await events.sessionsOf(tx, id);
        const outside = sessions.filter((s) => s.startsAt < input.startsAt || s.endsAt > input.endsAt);
        if (outside.length) {
          throw new ValidationError([
            {
              path: 'startsAt',
              message: `${outside.length} session${outside.length > 1 ? 's' : ''} would fall outside the new dates: move ${outside.length > 1 ? 'them' : 'it'} first`,
            },
          ]);
        }
        const event = (await events.updateEvent(tx, id, input))!;
        await deps.audit.insert(tx, { actorId: actor.personId, action: 'event.updated', subjectType: 'event', subjectId: id });
        return event;
      });
    },

    async publish(actor: Actor, id: string): Promise<Event> {
      return db.transaction(async (tx) => {
        const event = await mustFindEvent(id, tx, true);
        if (event.status === 'cancelled') throw new ConflictError('A cancelled event cannot be published');
        if (event.kind === 'cohort')
          throw new ConflictError('A cohort’s schedule is shown with its programme; it is not published as an event');
        if (event.status === 'published') return event;
        await events.setEventStatus(tx, id, 'published');
        await deps.audit.insert(tx, { actorId: actor.personId, action: 'event.published', subjectType: 'event', subjectId: id });
        return { ...event, status: 'published' as const };
      });
    },

    /** Cancels the event; everyone registered is told. */
    async cancel(actor: Actor, id: string): Promise<Event> {
      const { event, toTell } = await db.transaction(async (tx) => {
        const event = await mustFindEvent(id, tx, true);
        if (event.status === 'cancelled') return { event, toTell: [] as string[] };
        await events.setEventStatus(tx, id, 'cancelled');
        const live = await events.liveRegistrationsOfEvent(tx, id);
        await deps.audit.insert(tx, {
          actorId: actor.personId,
          action: 'event.cancelled',
          subjectType: 'event',
          subjectId: id,
          details: { registrationsTold: live.length },
        });
        return { event: { ...event, status: 'cancelled' as const }, toTell: live.map((l) => l.registration.id) };
      });
      for (const registrationId of toTell) await deps.registrationsService.tell(registrationId, 'event-cancelled');
      return event;
    },

    get: (id: string) => mustFindEvent(id),
    list: (opts: { publishedOnly: boolean }) => events.listEvents(db, opts),
    /** The events someone may run on the day: all for staff; for a facilitator, those they lead a session of. */
    listForRunner: (actor: Actor) =>
      events.listEvents(db, { publishedOnly: false, ...(isStaff(actor) ? {} : { facilitatedBy: actor.personId }) }),
    /** Facilitators see only the events they lead a session of (check-in, labels, access counts, registrations). */
    async mayRun(actor: Actor, eventId: string): Promise<boolean> {
      return isStaff(actor) || events.facilitates(db, eventId, actor.personId);
    },
    sessionsOf: (eventId: string) => events.sessionsOf(db, eventId),
    facilitatorChoices: () => events.facilitatorChoices(db),
    /** Venues used before, with their access facts, to choose from on the session form. */
    venueChoices: () => events.venueChoices(db),
    findVenue: (id: string) => events.findVenue(db, id),

    async addSession(actor: Actor, eventId: string, input: SessionInput): Promise<EventSession> {
      return db.transaction(async (tx) => {
        const event = await mustFindEvent(eventId, tx, true);
        if (event.status === 'cancelled') throw new ConflictError('This event has been cancelled');
        checkSessionFits(event, input);
        const facilitators = await checkFacilitators(tx, input.facilitatorIds);
        const venueId = input.format === 'online' ? null : await chosenOrNewVenue(tx, input, null);
        const session = await events.insertSession(tx, eventId, input, venueId);
        await events.setFacilitators(tx, session.id, facilitators);
        await deps.audit.insert(tx, {
          actorId: actor.personId,
          action: 'session.created',
          subjectType: 'session',
          subjectId: session.id,
          details: { eventId },
        });
        return session;
      });
    },

    /** Changing a session: capacity may not fall below the places already given; more places go to those waiting. */
    async updateSession(actor: Actor, sessionId: string, input: SessionInput): Promise<EventSession> {
      const { session, promoted } = await db.transaction(async (tx) => {
        const current = await events.findSession(tx, sessionId, { forUpdate: true });
        if (!current) throw new NotFoundError('No session with that id');
        const event = await mustFindEvent(current.eventId, tx);
        checkSessionFits(event, input);
        const taken = await deps.registrations.countTaken(tx, sessionId);
        if (input.capacity < taken) {
          throw new ValidationError([
            { path: 'capacity', message: `${taken} people already have a place, so there must be at least ${taken} places` },
          ]);
        }
        const facilitators = await checkFacilitators(tx, input.facilitatorIds);
        const venueId = input.format === 'online' ? null : await chosenOrNewVenue(tx, input, current.venueId);
        const session = (await events.updateSession(tx, sessionId, input, venueId))!;
        await events.setFacilitators(tx, sessionId, facilitators);
        const promoted = await deps.registrationsService.fillPlaces(tx, sessionId, input.capacity);
        await deps.audit.insert(tx, { actorId: actor.personId, action: 'session.updated', subjectType: 'session', subjectId: sessionId });
        return { session, promoted };
      });
      await deps.registrationsService.afterPromotion(promoted);
      return session;
    },

    async getSession(sessionId: string) {
      const session = await events.findSession(db, sessionId);
      if (!session) throw new NotFoundError('No session with that id');
      const [one] = await events.sessionsOf(db, session.eventId, session.id);
      return one!;
    },
  };
}

/** Sessions grouped by London day, after the visitor's filters; the filter choices come from all sessions. */
export function programme(sessions: SessionWithCounts[], filter: ProgrammeFilter) {
  const days = [...new Set(sessions.map((s) => londonDay(s.startsAt)))];
  const themes = [...new Set(sessions.map((s) => s.theme).filter((t): t is string => !!t))].sort();
  const shown = sessions.filter(
    (s) =>
      (!filter.day || londonDay(s.startsAt) === filter.day) &&
      (!filter.format || s.format === filter.format) &&
      (!filter.theme || s.theme === filter.theme),
  );
  const groups = days
    .map((day) => ({ day, sessions: shown.filter((s) => londonDay(s.startsAt) === day) }))
    .filter((g) => g.sessions.length > 0);
  return { days, themes, groups, shownCount: shown.length };
}

export type EventsService = ReturnType<typeof createEventsService>;

/**
 * What other modules do with events, each inside the caller's transaction: a cohort's event is
 * made and kept in step with the cohort, a form checks the event it is for and counts who came.
 * The events module chooses what it lends; nothing else of its repositories is reachable.
 */
export function createEventsLookup(deps: { events: EventsRepository; reports: EventReportsRepository }) {
  const { events, reports } = deps;
  return {
    findEvent: events.findEvent,
    findSession: events.findSession,
    sessionsOf: events.sessionsOf,
    existingPeople: events.existingPeople,
    facilitatorChoices: events.facilitatorChoices,
    insertEvent: events.insertEvent,
    setEventSpan: events.setEventSpan,
    /** Registrations of an event (by status, session or name), as the registrations list shows them. */
    registrations: reports.registrations,
    /** Venues and their access facts, for other modules' meetings to reuse. */
    insertVenue: events.insertVenue,
    updateVenue: events.updateVenue,
    findVenue: events.findVenue,
    venueChoices: events.venueChoices,
    /** Sessions and workshop days a person came to (for claims). */
    attendedSessions: events.attendedSessions,
  };
}

export type EventsLookup = ReturnType<typeof createEventsLookup>;
