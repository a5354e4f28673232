import { and, asc, eq, getTableColumns, inArray, lte, ne, sql, type Column, type Table } from 'drizzle-orm';
import type { Executor } from '../../db/client.ts';
import {
  eventSessions,
  events,
  people,
  registrations,
  venues,
  type AccessNeed,
  type Event,
  type EventSession,
  type Person,
  type Registration,
  type Venue,
} from '../../db/schema.ts';
import { isUuid } from '../../db/ids.ts';

export type BookingRefusal = 'no_person' | 'missing' | 'cancelled' | 'not_open' | 'past' | 'two_events';

/** One person's booking; label name, access needs and notes left out (undefined) are the person's own. */
export interface PlaceRequest {
  personId: string;
  labelName?: string | undefined;
  accessNeeds?: AccessNeed[] | undefined;
  accessNotes?: string | undefined;
  /** Who is booking: recorded as having registered them, unless it is the person themselves. */
  actorId: string | null;
}

/** What booking one session gave: the rows as the tables' own selects would give them. */
export interface BookedRow {
  sessionId: string | null;
  created: boolean;
  waitlistPosition: number | null;
  refusal: BookingRefusal | null;
  registration: Registration | null;
  session: EventSession | null;
  event: Event | null;
  venue: Venue | null;
  person: Person | null;
}

type Columns = [key: string, column: Column][];
const columnsOf = (table: Table): Columns => Object.entries(getTableColumns(table));
const registrationColumns = columnsOf(registrations);
const sessionColumns = columnsOf(eventSessions);
const eventColumns = columnsOf(events);
const venueColumns = columnsOf(venues);
const personColumns = columnsOf(people);

/** A row the database gave as json (named by column), decoded as drizzle decodes a select. */
function fromRow<T>(columns: Columns, raw: Record<string, unknown>): T {
  const row: Record<string, unknown> = {};
  for (const [key, column] of columns) {
    const value = raw[column.name];
    row[key] = value === null || value === undefined ? null : column.mapFromDriverValue(value);
  }
  return row as T;
}

export function createRegistrationsRepository() {
  return {
    async findLive(ex: Executor, sessionId: string, personId: string): Promise<Registration | undefined> {
      const [row] = await ex
        .select()
        .from(registrations)
        .where(and(eq(registrations.sessionId, sessionId), eq(registrations.personId, personId), ne(registrations.status, 'cancelled')));
      return row;
    },
    async find(ex: Executor, id: string, opts: { forUpdate?: boolean } = {}): Promise<Registration | undefined> {
      if (!isUuid(id)) return undefined;
      const q = ex.select().from(registrations).where(eq(registrations.id, id));
      const [row] = opts.forUpdate ? await q.for('update') : await q;
      return row;
    },
    /**
     * Books people onto sessions in one statement (the `book_places_returning` function, migration
     * 0021): each person read, the sessions locked, checked, counted and booked inside the
     * database, in the order the requests are given, and the rows a caller needs given back, so
     * nothing is read again afterwards. For each request, in order: one row per session asked for,
     * or a single row with the refusal.
     */
    async bookPlaces(ex: Executor, sessionIds: string[], requests: PlaceRequest[]): Promise<BookedRow[][]> {
      const result = await ex.execute<{
        o_request: number;
        o_session_id: string | null;
        o_created: boolean;
        o_waitlist_position: number | null;
        o_refusal: BookingRefusal | null;
        o_registration: Record<string, unknown> | null;
        o_session: Record<string, unknown> | null;
        o_event: Record<string, unknown> | null;
        o_venue: Record<string, unknown> | null;
        o_person: Record<string, unknown> | null;
      }>(sql`select * from book_places_returning(${`{${sessionIds.join(',')}}`}::uuid[], ${JSON.stringify(requests)}::json)`);
      const byRequest: BookedRow[][] = requests.map(() => []);
      for (const r of result.rows)
        byRequest[r.o_request - 1]!.push({
          sessionId: r.o_session_id,
          created: r.o_created,
          waitlistPosition: r.o_waitlist_position,
          refusal: r.o_refusal,
          registration: r.o_registration && fromRow(registrationColumns, r.o_registration),
          session: r.o_session && fromRow(sessionColumns, r.o_session),
          event: r.o_event && fromRow(eventColumns, r.o_event),
          venue: r.o_venue && fromRow(venueColumns, r.o_venue),
          person: r.o_person && fromRow(personColumns, r.o_person),
        });
      return byRequest;
    },
    /** Places taken: confirmed, and those who came. */
    async countTaken(ex: Executor, sessionId: string): Promise<number> {
      const [row] = await ex
        .select({ n: sql<number>`count(*)::int` })
        .from(registrations)
        .where(and(eq(registrations.sessionId, sessionId), inArray(registrations.status, ['confirmed', 'attended'])));
      return row?.n ?? 0;
    },
    async insert(
      ex: Executor,
      row: {
        sessionId: string;
        personId: string;
        status: Registration['status'];
        labelName: string | null;
        accessNeeds: AccessNeed[];
        accessNotes: string | null;
        registeredBy: string | null;
        walkIn?: boolean;
      },
    ): Promise<Registration> {
      const now = new Date();
      const [created] = await ex
        .insert(registrations)
        .values({
          ...row,
          confirmedAt: row.status === 'confirmed' ? now : null,
          attendedAt: row.status === 'attended' ? now : null,
        })
        .returning();
      return created!;
    },
    /** Position on the waiting list: 1 for the first, counting only those still waiting. */
    async waitlistPosition(ex: Executor, r: Pick<Registration, 'sessionId' | 'seq' | 'status'>): Promise<number | null> {
      if (r.status !== 'waitlisted') return null;
      const [row] = await ex
        .select({ n: sql<number>`count(*)::int` })
        .from(registrations)
        .where(and(eq(registrations.sessionId, r.sessionId), eq(registrations.status, 'waitlisted'), lte(registrations.seq, r.seq)));
      return row?.n ?? null;
    },
    /** A place from the waiting list: confirmed, and marked as a promotion. */
    async promote(ex: Executor, id: string) {
      const now = new Date();
      const [row] = await ex
        .update(registrations)
        .set({ status: 'confirmed', confirmedAt: now, promotedAt: now })
        .where(eq(registrations.id, id))
        .returning();
      return row!;
    },
    async setStatus(ex: Executor, id: string, status: Registration['status']) {
      const now = new Date();
      const [row] = await ex
        .update(registrations)
        .set({
          status,
          ...(status === 'confirmed' ? { confirmedAt: now } : {}),
          ...(status === 'cancelled' ? { cancelledAt: now } : {}),
          ...(status === 'attended' ? { attendedAt: now } : {}),
        })
        .where(eq(registrations.id, id))
        .returning();
      return row!;
    },
    /** The longest-waiting people first, as many as asked. */
    async firstWaiting(ex: Executor, sessionId: string, limit: number): Promise<Registration[]> {
      if (limit <= 0) return [];
      return ex
        .select()
        .from(registrations)
        .where(and(eq(registrations.sessionId, sessionId), eq(registrations.status, 'waitlisted')))
        .orderBy(asc(registrations.seq))
        .limit(limit);
    },
    /**
     * Registrations of a session with their waiting-list positions, in the order they were accepted.
     * The subquery names the outer table in plain SQL: drizzle leaves single-table columns unqualified.
     */
    async listForSession(ex: Executor, sessionId: string, opts: { afterSeq?: number; limit: number }) {
      return ex
        .select({
          registration: registrations,
          waitlistPosition: sql<
            number | null
          >`case when registrations.status = 'waitlisted' then (select count(*)::int from registrations w where w.session_id = registrations.session_id and w.status = 'waitlisted' and w.seq <= registrations.seq) end`,
        })
        .from(registrations)
        .where(and(eq(registrations.sessionId, sessionId), opts.afterSeq ? sql`${registrations.seq} > ${opts.afterSeq}` : undefined))
        .orderBy(asc(registrations.seq))
        .limit(opts.limit);
    },
    /** One person's registrations for an event, with each session. */
    async forPersonInEvent(ex: Executor, personId: string, eventId: string) {
      return ex
        .select({ registration: registrations, session: eventSessions })
        .from(registrations)
        .innerJoin(eventSessions, eq(eventSessions.id, registrations.sessionId))
        .where(and(eq(registrations.personId, personId), eq(eventSessions.eventId, eventId), ne(registrations.status, 'cancelled')))
        .orderBy(asc(eventSessions.startsAt));
    },
    /**
     * Every registration a person has, cancelled ones too, with session, event, venue and
     * waiting-list position, soonest session first.
     */
    async allForPerson(ex: Executor, personId: string) {
      return ex
        .select({
          registration: registrations,
          session: eventSessions,
          event: events,
          venue: venues,
          waitlistPosition: sql<
            number | null
          >`case when ${registrations.status} = 'waitlisted' then (select count(*)::int from registrations w where w.session_id = ${registrations.sessionId} and w.status = 'waitlisted' and w.seq <= ${registrations.seq}) end`,
        })
        .from(registrations)
        .innerJoin(eventSessions, eq(eventSessions.id, registrations.sessionId))
        .innerJoin(events, eq(events.id, eventSessions.eventId))
        .leftJoin(venues, eq(venues.id, eventSessions.venueId))
        .where(eq(registrations.personId, personId))
        .orderBy(asc(eventSessions.startsAt), asc(eventSessions.title));
    },
    /** Marks a session as one everyone at the event attends (or not). */
    async setForEveryone(ex: Executor, sessionId: string, forEveryone: boolean) {
      if (!isUuid(sessionId)) return undefined;
      const [row] = await ex
        .update(eventSessions)
        .set({ forEveryone, updatedAt: new Date() })
        .where(eq(eventSessions.id, sessionId))
        .returning();
      return row;
    },
    /** Sessions by id with their event's title, for clash checks. */
    async sessionsWithEvent(ex: Executor, ids: string[]) {
      const valid = ids.filter(isUuid);
      if (!valid.length) return [];
      return ex
        .select({ session: eventSessions, eventTitle: events.title })
        .from(eventSessions)
        .innerJoin(events, eq(events.id, eventSessions.eventId))
        .where(inArray(eventSessions.id, valid));
    },
    /** The sessions a person holds a place or a waiting-list place at, still to come and not called off. */
    async liveSessionsOfPerson(ex: Executor, personId: string) {
      return ex
        .select({ session: eventSessions, eventTitle: events.title })
        .from(registrations)
        .innerJoin(eventSessions, eq(eventSessions.id, registrations.sessionId))
        .innerJoin(events, eq(events.id, eventSessions.eventId))
        .where(
          and(
            eq(registrations.personId, personId),
            inArray(registrations.status, ['confirmed', 'waitlisted']),
            eq(eventSessions.status, 'scheduled'),
            ne(events.status, 'cancelled'),
            sql`${eventSessions.endsAt} > now()`,
          ),
        );
    },
    /** Everything an email or calendar file about a registration needs. */
    async details(ex: Executor, id: string) {
      if (!isUuid(id)) return undefined;
      const [row] = await ex
        .select({ registration: registrations, session: eventSessions, event: events, person: people, venue: venues })
        .from(registrations)
        .innerJoin(eventSessions, eq(eventSessions.id, registrations.sessionId))
        .innerJoin(events, eq(events.id, eventSessions.eventId))
        .innerJoin(people, eq(people.id, registrations.personId))
        .leftJoin(venues, eq(venues.id, eventSessions.venueId))
        .where(eq(registrations.id, id));
      return row;
    },
    async liveForSession(ex: Executor, sessionId: string) {
      return ex
        .select()
        .from(registrations)
        .where(and(eq(registrations.sessionId, sessionId), inArray(registrations.status, ['confirmed', 'waitlisted'])));
    },
  };
}

export type RegistrationsRepository = ReturnType<typeof createRegistrationsRepository>;
