import { and, asc, eq, ilike, inArray, or, sql, type SQL } from 'drizzle-orm';
import type { Executor } from '../../db/client.ts';
import { eventSessions, people, registrations, type RegistrationStatus } from '../../db/schema.ts';

export interface RegistrationRow {
  id: string;
  sessionId: string;
  sessionTitle: string;
  sessionStartsAt: Date;
  status: RegistrationStatus;
  waitlistPosition: number | null;
  personId: string;
  name: string;
  labelName: string | null;
  pronouns: string | null;
  email: string | null;
  phone: string | null;
  /** Whether a letter can reach them; the address itself stays on their record. */
  hasPostalAddress: boolean;
  experience: string;
  accessNeeds: string[];
  accessNotes: string | null;
  walkIn: boolean;
  createdAt: Date;
}

/** What organisers read about an event: who registered and came, their mix, their access needs. */
export function createEventReportsRepository() {
  return {
    async registrations(
      ex: Executor,
      eventId: string,
      f: { sessionId?: string; statuses?: RegistrationStatus[]; q?: string } = {},
    ): Promise<RegistrationRow[]> {
      const where: SQL[] = [eq(eventSessions.eventId, eventId)];
      if (f.sessionId) where.push(eq(registrations.sessionId, f.sessionId));
      if (f.statuses?.length) where.push(inArray(registrations.status, f.statuses));
      if (f.q) {
        const pattern = `%${f.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
        where.push(or(ilike(people.name, pattern), ilike(registrations.labelName, pattern), ilike(people.email, pattern))!);
      }
      return ex
        .select({
          id: registrations.id,
          sessionId: registrations.sessionId,
          sessionTitle: eventSessions.title,
          sessionStartsAt: eventSessions.startsAt,
          status: registrations.status,
          waitlistPosition: sql<
            number | null
          >`case when registrations.status = 'waitlisted' then (select count(*)::int from registrations w where w.session_id = registrations.session_id and w.status = 'waitlisted' and w.seq <= registrations.seq) end`,
          personId: people.id,
          name: people.name,
          labelName: registrations.labelName,
          pronouns: people.pronouns,
          email: people.email,
          phone: people.phone,
          hasPostalAddress: sql<boolean>`(${people.postalAddress} is not null and ${people.postalAddress} <> '')`,
          experience: people.experience,
          accessNeeds: registrations.accessNeeds,
          accessNotes: registrations.accessNotes,
          walkIn: registrations.walkIn,
          createdAt: registrations.createdAt,
        })
        .from(registrations)
        .innerJoin(eventSessions, eq(eventSessions.id, registrations.sessionId))
        .innerJoin(people, eq(people.id, registrations.personId))
        .where(and(...where))
        .orderBy(asc(eventSessions.startsAt), asc(eventSessions.title), asc(people.name));
    },

    /** Counts by experience, for the event (distinct people) and for each session. */
    async mix(ex: Executor, eventId: string, statuses: RegistrationStatus[]) {
      const rows = await ex
        .select({ sessionId: registrations.sessionId, personId: registrations.personId, experience: people.experience })
        .from(registrations)
        .innerJoin(eventSessions, eq(eventSessions.id, registrations.sessionId))
        .innerJoin(people, eq(people.id, registrations.personId))
        .where(and(eq(eventSessions.eventId, eventId), inArray(registrations.status, statuses)));
      const blank = () => ({ lived: 0, professional: 0, both: 0, total: 0 });
      const event = blank();
      const seen = new Set<string>();
      const bySession = new Map<string, ReturnType<typeof blank>>();
      for (const r of rows) {
        const s = bySession.get(r.sessionId) ?? blank();
        s[r.experience as 'lived']++;
        s.total++;
        bySession.set(r.sessionId, s);
        if (!seen.has(r.personId)) {
          seen.add(r.personId);
          event[r.experience as 'lived']++;
          event.total++;
        }
      }
      return { event, bySession };
    },
  };
}

export type EventReportsRepository = ReturnType<typeof createEventReportsRepository>;
