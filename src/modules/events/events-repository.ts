import { and, asc, desc, eq, inArray, ne, sql } from 'drizzle-orm';
import type { Executor } from '../../db/client.ts';
import {
  eventSessions,
  events,
  people,
  registrations,
  sessionFacilitators,
  venues,
  type Event,
  type EventSession,
  type Person,
  type Venue,
} from '../../db/schema.ts';
import type { EventInput, SessionInput, VenueInput } from './events-schemas.ts';
import { isUuid } from '../../db/ids.ts';

export interface SessionWithCounts extends EventSession {
  venue: Venue | null;
  confirmed: number;
  waitlisted: number;
  attended: number;
  facilitators: Pick<Person, 'id' | 'name' | 'bio' | 'pronouns'>[];
}

const eventColumns = (input: EventInput) => ({
  title: input.title,
  summary: input.summary,
  easyReadSummary: input.easyReadSummary ?? null,
  description: input.description ?? null,
  startsAt: input.startsAt,
  endsAt: input.endsAt,
  hashtag: input.hashtag ?? null,
  partners: input.partners ?? [],
});

const sessionColumns = (input: SessionInput) => ({
  title: input.title,
  description: input.description ?? null,
  easyReadDescription: input.easyReadDescription ?? null,
  theme: input.theme ?? null,
  startsAt: input.startsAt,
  endsAt: input.endsAt,
  format: input.format,
  capacity: input.capacity,
  joinUrl: input.joinUrl ?? null,
  ...(input.kind ? { kind: input.kind } : {}),
  ...(input.forEveryone === undefined ? {} : { forEveryone: input.forEveryone }),
});

const venueColumns = (v: VenueInput) => ({
  name: v.name,
  address: v.address ?? null,
  postcode: v.postcode ?? null,
  stepFree: v.stepFree,
  hearingLoop: v.hearingLoop,
  accessibleToilet: v.accessibleToilet,
  parking: v.parking ?? null,
  publicTransport: v.publicTransport ?? null,
});

export function createEventsRepository() {
  return {
    async insertEvent(ex: Executor, input: EventInput, extra: { createdBy: string | null; isDemo?: boolean; kind?: Event['kind'] }) {
      const [row] = await ex
        .insert(events)
        .values({ ...eventColumns(input), createdBy: extra.createdBy, isDemo: extra.isDemo ?? false, kind: extra.kind ?? 'event' })
        .returning();
      return row!;
    },
    async updateEvent(ex: Executor, id: string, input: EventInput) {
      const [row] = await ex
        .update(events)
        .set({ ...eventColumns(input), updatedAt: new Date() })
        .where(eq(events.id, id))
        .returning();
      return row;
    },
    async setEventSpan(ex: Executor, id: string, values: { title: string; startsAt: Date; endsAt: Date }) {
      await ex
        .update(events)
        .set({ ...values, updatedAt: new Date() })
        .where(eq(events.id, id));
    },
    async setEventStatus(ex: Executor, id: string, status: Event['status']) {
      await ex.update(events).set({ status, updatedAt: new Date() }).where(eq(events.id, id));
    },
    async findEvent(ex: Executor, id: string, opts: { forUpdate?: boolean } = {}): Promise<Event | undefined> {
      if (!isUuid(id)) return undefined;
      const q = ex.select().from(events).where(eq(events.id, id));
      const [row] = opts.forUpdate ? await q.for('update') : await q;
      return row;
    },
    async listEvents(ex: Executor, opts: { publishedOnly: boolean; facilitatedBy?: string }) {
      return (
        ex
          .select()
          .from(events)
          // A cohort's own event holds its schedule; it is shown with its programme, not as an event.
          .where(
            and(
              eq(events.kind, 'event'),
              opts.publishedOnly ? eq(events.status, 'published') : undefined,
              opts.facilitatedBy
                ? sql`${events.id} in (select s.event_id from event_sessions s join session_facilitators f on f.session_id = s.id where f.person_id = ${opts.facilitatedBy})`
                : undefined,
            ),
          )
          .orderBy(opts.publishedOnly ? asc(events.startsAt) : desc(events.startsAt))
      );
    },

    /** Whether someone leads at least one session of an event. */
    async facilitates(ex: Executor, eventId: string, personId: string): Promise<boolean> {
      if (!isUuid(eventId)) return false;
      const rows = await ex.execute(
        sql`select 1 from event_sessions s join session_facilitators f on f.session_id = s.id where s.event_id = ${eventId} and f.person_id = ${personId} limit 1`,
      );
      return rows.rows.length > 0;
    },

    async insertVenue(ex: Executor, v: VenueInput) {
      const [row] = await ex.insert(venues).values(venueColumns(v)).returning();
      return row!;
    },
    async updateVenue(ex: Executor, id: string, v: VenueInput) {
      await ex.update(venues).set(venueColumns(v)).where(eq(venues.id, id));
    },

    async insertSession(ex: Executor, eventId: string, input: SessionInput, venueId: string | null) {
      const [row] = await ex
        .insert(eventSessions)
        .values({ ...sessionColumns(input), eventId, venueId })
        .returning();
      return row!;
    },
    async updateSession(ex: Executor, id: string, input: SessionInput, venueId: string | null) {
      const [row] = await ex
        .update(eventSessions)
        .set({ ...sessionColumns(input), venueId, updatedAt: new Date() })
        .where(eq(eventSessions.id, id))
        .returning();
      return row;
    },
    async setSessionStatus(ex: Executor, id: string, status: EventSession['status']) {
      await ex.update(eventSessions).set({ status, updatedAt: new Date() }).where(eq(eventSessions.id, id));
    },
    /** Sessions with their event and venue, not locked (after a booking, for its emails and answer). */
    async sessionsWithEventAndVenue(ex: Executor, ids: string[]): Promise<{ session: EventSession; event: Event; venue: Venue | null }[]> {
      const valid = ids.filter(isUuid);
      if (!valid.length) return [];
      return ex
        .select({ session: eventSessions, event: events, venue: venues })
        .from(eventSessions)
        .innerJoin(events, eq(events.id, eventSessions.eventId))
        .leftJoin(venues, eq(venues.id, eventSessions.venueId))
        .where(inArray(eventSessions.id, valid));
    },

    /** The session row, locked when asked: every change to its places happens under this lock. */
    async findSession(ex: Executor, id: string, opts: { forUpdate?: boolean } = {}): Promise<EventSession | undefined> {
      if (!isUuid(id)) return undefined;
      const q = ex.select().from(eventSessions).where(eq(eventSessions.id, id));
      const [row] = opts.forUpdate ? await q.for('update') : await q;
      return row;
    },
    async setFacilitators(ex: Executor, sessionId: string, personIds: string[]) {
      await ex.delete(sessionFacilitators).where(eq(sessionFacilitators.sessionId, sessionId));
      if (personIds.length) await ex.insert(sessionFacilitators).values(personIds.map((personId) => ({ sessionId, personId })));
    },
    async existingPeople(ex: Executor, ids: string[]): Promise<string[]> {
      const valid = ids.filter(isUuid);
      if (!valid.length) return [];
      const rows = await ex
        .select({ id: people.id })
        .from(people)
        .where(and(inArray(people.id, valid), sql`${people.erasedAt} is null`));
      return rows.map((r) => r.id);
    },

    /** Every session of an event with its venue, facilitators and counts, in time order. */
    /** Every session of an event, or just one of them (`only`), with venue, facilitators and counts. */
    async sessionsOf(ex: Executor, eventId: string, only?: string): Promise<SessionWithCounts[]> {
      // One pass over the event's registrations, rather than three counts per session.
      const counts = ex
        .select({
          sessionId: registrations.sessionId,
          confirmed: sql<number>`count(*) filter (where ${registrations.status} in ('confirmed', 'attended'))::int`.as('confirmed'),
          waitlisted: sql<number>`count(*) filter (where ${registrations.status} = 'waitlisted')::int`.as('waitlisted'),
          attended: sql<number>`count(*) filter (where ${registrations.status} = 'attended')::int`.as('attended'),
        })
        .from(registrations)
        .innerJoin(eventSessions, eq(eventSessions.id, registrations.sessionId))
        .where(only ? eq(registrations.sessionId, only) : eq(eventSessions.eventId, eventId))
        .groupBy(registrations.sessionId)
        .as('counts');
      const rows = await ex
        .select({
          session: eventSessions,
          venue: venues,
          confirmed: sql<number>`coalesce(${counts.confirmed}, 0)`,
          waitlisted: sql<number>`coalesce(${counts.waitlisted}, 0)`,
          attended: sql<number>`coalesce(${counts.attended}, 0)`,
        })
        .from(eventSessions)
        .leftJoin(venues, eq(venues.id, eventSessions.venueId))
        .leftJoin(counts, eq(counts.sessionId, eventSessions.id))
        .where(only ? and(eq(eventSessions.eventId, eventId), eq(eventSessions.id, only)) : eq(eventSessions.eventId, eventId))
        .orderBy(asc(eventSessions.startsAt), asc(eventSessions.title));
      const ids = rows.map((r) => r.session.id);
      const facilitators = ids.length
        ? await ex
            .select({
              sessionId: sessionFacilitators.sessionId,
              id: people.id,
              name: people.name,
              bio: people.bio,
              pronouns: people.pronouns,
            })
            .from(sessionFacilitators)
            .innerJoin(people, eq(people.id, sessionFacilitators.personId))
            .where(inArray(sessionFacilitators.sessionId, ids))
            .orderBy(asc(people.name))
        : [];
      return rows.map((r) => ({
        ...r.session,
        venue: r.venue,
        confirmed: r.confirmed,
        waitlisted: r.waitlisted,
        attended: r.attended,
        facilitators: facilitators.filter((f) => f.sessionId === r.session.id).map(({ sessionId: _s, ...f }) => f),
      }));
    },

    /** People who may lead sessions: facilitators and staff. */
    async facilitatorChoices(ex: Executor) {
      return ex
        .select({ id: people.id, name: people.name })
        .from(people)
        .where(and(inArray(people.role, ['facilitator', 'staff', 'admin']), sql`${people.erasedAt} is null`))
        .orderBy(asc(people.name));
    },

    async findVenue(ex: Executor, id: string): Promise<Venue | undefined> {
      if (!isUuid(id)) return undefined;
      const [row] = await ex.select().from(venues).where(eq(venues.id, id));
      return row;
    },

    /** Venues to choose from again: one row per name (the most recently added), by name. */
    async venueChoices(ex: Executor): Promise<Venue[]> {
      const rows = await ex.execute(sql`
        select distinct on (lower(name)) id, name, address, postcode, step_free as "stepFree",
          hearing_loop as "hearingLoop", accessible_toilet as "accessibleToilet", parking,
          public_transport as "publicTransport"
        from venues order by lower(name), id desc`);
      return rows.rows as unknown as Venue[];
    },

    /**
     * Sessions a person came to: checked in at an event, or marked present at a programme's
     * workshop day. For claims, so what is claimed starts from what happened.
     */
    async attendedSessions(ex: Executor, personId: string, since?: Date) {
      if (!isUuid(personId)) return [];
      const rows = await ex.execute(sql`
        select s.id as "sessionId", s.title, e.title as "eventTitle", e.kind as "eventKind",
          s.starts_at as "startsAt", s.ends_at as "endsAt"
        from event_sessions s join events e on e.id = s.event_id
        where s.status = 'scheduled' and e.status <> 'cancelled' and s.starts_at >= ${since ?? new Date(0)}
          and (exists (select 1 from registrations r where r.session_id = s.id and r.person_id = ${personId}
                        and r.status = 'attended')
            or exists (select 1 from cohort_attendance a where a.session_id = s.id and a.person_id = ${personId}
                        and a.attended))
        order by s.starts_at`);
      return (
        rows.rows as {
          sessionId: string;
          title: string;
          eventTitle: string;
          eventKind: Event['kind'];
          startsAt: Date | string;
          endsAt: Date | string;
        }[]
      ).map((r) => ({ ...r, startsAt: new Date(r.startsAt), endsAt: new Date(r.endsAt) }));
    },

    async liveRegistrationsOfEvent(ex: Executor, eventId: string) {
      return ex
        .select({ registration: registrations, person: people, sessionTitle: eventSessions.title })
        .from(registrations)
        .innerJoin(eventSessions, eq(eventSessions.id, registrations.sessionId))
        .innerJoin(people, eq(people.id, registrations.personId))
        .where(and(eq(eventSessions.eventId, eventId), ne(registrations.status, 'cancelled')));
    },
  };
}

export type EventsRepository = ReturnType<typeof createEventsRepository>;
