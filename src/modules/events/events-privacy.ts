import { sql } from 'drizzle-orm';
import { rowsOf, type PersonalDataHolder } from '../privacy/personal-data.ts';

const iso = (d: Date | string | null) => (d ? new Date(d).toISOString() : null);

/**
 * Registrations hold what people told us they need. Erasure clears that and the label name, and
 * keeps the registration itself so the event's numbers and lay/professional mix still add up.
 */
export function eventsPersonalData(): PersonalDataHolder {
  return {
    module: 'events',
    tables: {
      events: 'nothing about a person: what the event is; who created it (staff)',
      venues: 'nothing about a person: places and their access facts',
      event_sessions: 'nothing about a person: what each session is, written by staff',
      session_facilitators: 'who leads a session (shown publicly with their name and bio)',
      registrations: 'who booked or came, the name for their label, their access needs and notes',
    },
    personColumns: {
      'events.created_by': 'kept: the member of staff who created the event; it names a row, not a value',
      'session_facilitators.person_id': 'deleted: an erased person leads nothing',
      'registrations.person_id': 'kept for the counts; label name, access needs and notes cleared',
      'registrations.registered_by': 'kept on other people’s registrations: who registered them (staff)',
    },
    async export(ex, personId) {
      const [registrations, facilitating] = await Promise.all([
        rowsOf<{
          event: string;
          session: string;
          starts_at: Date;
          status: string;
          label_name: string | null;
          access_needs: string[];
          access_notes: string | null;
          walk_in: boolean;
          created_at: Date;
          attended_at: Date | null;
          cancelled_at: Date | null;
        }>(
          ex,
          sql`select e.title as event, s.title as session, s.starts_at, r.status, r.label_name, r.access_needs, r.access_notes, r.walk_in, r.created_at, r.attended_at, r.cancelled_at
              from registrations r join event_sessions s on s.id = r.session_id join events e on e.id = s.event_id
              where r.person_id = ${personId} order by s.starts_at`,
        ),
        rowsOf<{ event: string; session: string; starts_at: Date }>(
          ex,
          sql`select e.title as event, s.title as session, s.starts_at
              from session_facilitators f join event_sessions s on s.id = f.session_id join events e on e.id = s.event_id
              where f.person_id = ${personId} order by s.starts_at`,
        ),
      ]);
      return {
        registrations: registrations.map((r) => ({
          event: r.event,
          session: r.session,
          startsAt: iso(r.starts_at),
          status: r.status,
          labelName: r.label_name,
          accessNeeds: r.access_needs,
          accessNotes: r.access_notes,
          walkIn: r.walk_in,
          registeredAt: iso(r.created_at),
          attendedAt: iso(r.attended_at),
          cancelledAt: iso(r.cancelled_at),
        })),
        facilitating: facilitating.map((f) => ({ event: f.event, session: f.session, startsAt: iso(f.starts_at) })),
      };
    },
    async forget(tx, person) {
      await tx.execute(
        sql`update registrations set label_name = null, access_needs = '{}', access_notes = null where person_id = ${person.id}`,
      );
      await tx.execute(sql`delete from session_facilitators where person_id = ${person.id}`);
    },
  };
}
