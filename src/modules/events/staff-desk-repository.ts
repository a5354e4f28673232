import { sql } from 'drizzle-orm';
import type { Executor } from '../../db/client.ts';
import type { AccessNeed, RegistrationStatus } from '../../db/schema.ts';
import { isUuid } from '../../db/ids.ts';

/** One registration of an event with what the desk, the phone and the post need about its person. */
export interface DeskRow {
  id: string;
  sessionId: string;
  sessionTitle: string;
  sessionStartsAt: Date;
  sessionEndsAt: Date;
  sessionStatus: 'scheduled' | 'cancelled';
  sessionCapacity: number;
  status: RegistrationStatus;
  seq: number;
  waitlistPosition: number | null;
  walkIn: boolean;
  labelName: string | null;
  accessNeeds: AccessNeed[];
  accessNotes: string | null;
  createdAt: Date;
  confirmedAt: Date | null;
  promotedAt: Date | null;
  cancelledAt: Date | null;
  attendedAt: Date | null;
  personId: string;
  name: string;
  pronouns: string | null;
  email: string | null;
  phone: string | null;
  postalAddress: string | null;
  contactPreference: 'email' | 'phone' | 'post';
  venueName: string | null;
  venueAddress: string | null;
  venuePostcode: string | null;
}

const dates = ['sessionStartsAt', 'sessionEndsAt', 'createdAt', 'confirmedAt', 'promotedAt', 'cancelledAt', 'attendedAt'] as const;

function asRow(r: Record<string, unknown>): DeskRow {
  const out = { ...r } as Record<string, unknown>;
  for (const k of dates) out[k] = r[k] == null ? null : new Date(r[k] as string);
  out.seq = Number(r.seq);
  return out as unknown as DeskRow;
}

const SELECT = sql`
  select r.id, r.session_id as "sessionId", s.title as "sessionTitle", s.starts_at as "sessionStartsAt",
    s.ends_at as "sessionEndsAt", s.status as "sessionStatus", s.capacity as "sessionCapacity",
    r.status, r.seq, r.walk_in as "walkIn", r.label_name as "labelName", r.access_needs as "accessNeeds",
    r.access_notes as "accessNotes", r.created_at as "createdAt", r.confirmed_at as "confirmedAt", r.promoted_at as "promotedAt",
    r.cancelled_at as "cancelledAt", r.attended_at as "attendedAt",
    case when r.status = 'waitlisted' then (select count(*)::int from registrations w
      where w.session_id = r.session_id and w.status = 'waitlisted' and w.seq <= r.seq) end as "waitlistPosition",
    p.id as "personId", p.name, p.pronouns, p.email, p.phone, p.postal_address as "postalAddress",
    p.contact_preference as "contactPreference",
    v.name as "venueName", v.address as "venueAddress", v.postcode as "venuePostcode"
  from registrations r
  join event_sessions s on s.id = r.session_id
  join people p on p.id = r.person_id
  left join venues v on v.id = s.venue_id`;

/** SQL for the organisers' desk: check-in by person, cancelling with undo, the post and the phone. */
export function createStaffDeskRepository() {
  return {
    async ofEvent(ex: Executor, eventId: string, f: { personId?: string; statuses?: RegistrationStatus[] } = {}): Promise<DeskRow[]> {
      if (!isUuid(eventId) || (f.personId && !isUuid(f.personId))) return [];
      const rows = await ex.execute(sql`${SELECT}
        where s.event_id = ${eventId} and p.erased_at is null
          ${f.personId ? sql`and r.person_id = ${f.personId}` : sql``}
          ${
            f.statuses?.length
              ? sql`and r.status in (${sql.join(
                  f.statuses.map((s) => sql`${s}`),
                  sql`, `,
                )})`
              : sql``
          }
        order by s.starts_at, s.title, r.seq`);
      return rows.rows.map(asRow);
    },

    async one(ex: Executor, registrationId: string): Promise<(DeskRow & { eventId: string }) | undefined> {
      if (!isUuid(registrationId)) return undefined;
      const rows = await ex.execute(sql`${SELECT} where r.id = ${registrationId}`);
      const row = rows.rows[0];
      if (!row) return undefined;
      const ev = await ex.execute<{ eventId: string }>(sql`select event_id as "eventId" from event_sessions where id = ${row.sessionId}`);
      return { ...asRow(row), eventId: ev.rows[0]!.eventId };
    },

    /** The first person waiting for a session, who would be offered a place that comes free. */
    async firstWaiting(ex: Executor, sessionId: string) {
      const rows = await ex.execute<{ id: string; name: string; email: string | null }>(sql`
        select r.id, p.name, p.email from registrations r join people p on p.id = r.person_id
        where r.session_id = ${sessionId} and r.status = 'waitlisted' order by r.seq limit 1`);
      return rows.rows[0];
    },

    async placesTaken(ex: Executor, sessionId: string): Promise<number> {
      const rows = await ex.execute<{ n: number }>(
        sql`select count(*)::int as n from registrations where session_id = ${sessionId} and status in ('confirmed', 'attended')`,
      );
      return rows.rows[0]?.n ?? 0;
    },

    /** Whether anyone was given a place in the session since a moment (a promotion or a new booking). */
    async placeGivenSince(ex: Executor, sessionId: string, since: Date): Promise<boolean> {
      const rows = await ex.execute(sql`select 1 from registrations where session_id = ${sessionId} and confirmed_at >= ${since} limit 1`);
      return rows.rows.length > 0;
    },

    async lock(ex: Executor, registrationId: string) {
      await ex.execute(sql`select 1 from registrations where id = ${registrationId} for update`);
    },
    async lockSession(ex: Executor, sessionId: string) {
      await ex.execute(sql`select 1 from event_sessions where id = ${sessionId} for update`);
    },

    /** Takes back an "Arrived": the registration returns to what it was, its place in the queue kept. */
    async undoArrival(ex: Executor, registrationId: string, status: RegistrationStatus) {
      await ex.execute(sql`update registrations set status = ${status}, attended_at = null,
        cancelled_at = ${status === 'cancelled' ? sql`now()` : sql`cancelled_at`} where id = ${registrationId}`);
    },

    /** Takes back a cancellation: the place (or the place in the queue, by seq) comes back. */
    async undoCancel(ex: Executor, registrationId: string, status: 'confirmed' | 'waitlisted') {
      await ex.execute(sql`update registrations set status = ${status}, cancelled_at = null where id = ${registrationId}`);
    },

    /** Whether the audit log holds this action on this registration since a moment. */
    async audited(ex: Executor, action: string, registrationId: string, since: Date): Promise<boolean> {
      const rows = await ex.execute(
        sql`select 1 from audit_log where action = ${action} and subject_type = 'registration' and subject_id = ${registrationId} and at >= ${since} limit 1`,
      );
      return rows.rows.length > 0;
    },

    /** When each registration of an event was last marked as phoned about (from the audit log). */
    async lastCalled(ex: Executor, eventId: string): Promise<Map<string, Date>> {
      const rows = await ex.execute<{ id: string; at: string }>(sql`
        select a.subject_id as id, max(a.at) as at from audit_log a
        where a.action = 'registration.phoned' and a.subject_type = 'registration'
          and a.details->>'eventId' = ${eventId}
        group by a.subject_id`);
      return new Map(rows.rows.map((r) => [r.id, new Date(r.at)]));
    },
  };
}

export type StaffDeskRepository = ReturnType<typeof createStaffDeskRepository>;
