import { and, asc, eq, inArray, lte, ne, sql } from 'drizzle-orm';
import type { Executor } from '../../db/client.ts';
import { eventSessions, events, people, registrations, venues, type AccessNeed, type Registration } from '../../db/schema.ts';
import { isUuid } from '../../db/ids.ts';

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
     * Books a person onto sessions in one statement (the `book_places` function, migration 0019):
     * locked, checked, counted and inserted inside the database. One row per session asked for,
     * or a single row with the refusal.
     */
    async bookPlaces(
      ex: Executor,
      b: {
        sessionIds: string[];
        personId: string;
        labelName: string | null;
        accessNeeds: AccessNeed[];
        accessNotes: string | null;
        registeredBy: string | null;
      },
    ) {
      const result = await ex.execute<{
        o_session_id: string;
        o_registration_id: string | null;
        o_created: boolean;
        o_waitlist_position: number | null;
        o_refusal: 'missing' | 'cancelled' | 'not_open' | 'past' | 'two_events' | null;
      }>(sql`select * from book_places(${`{${b.sessionIds.join(',')}}`}::uuid[], ${b.personId}, ${b.labelName},
        ${`{${b.accessNeeds.join(',')}}`}::text[], ${b.accessNotes}, ${b.registeredBy})`);
      return result.rows.map((r) => ({
        sessionId: r.o_session_id,
        registrationId: r.o_registration_id,
        created: r.o_created,
        waitlistPosition: r.o_waitlist_position,
        refusal: r.o_refusal,
      }));
    },
    async findMany(ex: Executor, ids: string[]): Promise<Registration[]> {
      const valid = ids.filter(isUuid);
      return valid.length ? ex.select().from(registrations).where(inArray(registrations.id, valid)) : [];
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
