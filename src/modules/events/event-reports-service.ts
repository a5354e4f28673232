import type { Db } from '../../db/client.ts';
import { ACCESS_NEEDS, type RegistrationStatus } from '../../db/schema.ts';
import { toCsv } from '../../lib/csv.ts';
import { formatDay, formatTime } from '../../lib/dates.ts';
import type { AuditTrail } from '../audit/audit-service.ts';
import { ACCESS_NEED_LABELS } from '../people/people-schemas.ts';
import type { EventReportsRepository, RegistrationRow } from './event-reports-repository.ts';
import { renderLabels } from './labels-pdf.ts';
import { isStaff, type Actor } from '../../plugins/access.ts';

const COMING: RegistrationStatus[] = ['confirmed', 'attended'];

export function createEventReportsService(deps: { db: Db; reports: EventReportsRepository; audit: AuditTrail }) {
  const { db, reports } = deps;
  return {
    registrations: (eventId: string, f: { sessionId?: string; statuses?: RegistrationStatus[]; q?: string }) =>
      reports.registrations(db, eventId, f),

    async csv(actor: Actor, eventId: string, f: { sessionId?: string; statuses?: RegistrationStatus[]; q?: string }): Promise<string> {
      const rows = await reports.registrations(db, eventId, f);
      await deps.audit.insert(db, {
        actorId: actor.personId,
        action: 'event.registrations.exported',
        subjectType: 'event',
        subjectId: eventId,
        details: { rows: rows.length },
      });
      return toCsv(
        [
          'Name',
          'Name on label',
          'Pronouns',
          'Experience',
          'Email',
          'Phone',
          'Session',
          'When',
          'Status',
          'Waiting list position',
          'Access needs',
          'Access notes',
          'Walk-in',
          'Registered at',
        ],
        rows.map((r) => [
          r.name,
          r.labelName,
          r.pronouns,
          r.experience,
          r.email,
          r.phone,
          r.sessionTitle,
          `${formatDay(r.sessionStartsAt)}, ${formatTime(r.sessionStartsAt)}`,
          r.status,
          r.waitlistPosition,
          r.accessNeeds.map((n) => ACCESS_NEED_LABELS[n as keyof typeof ACCESS_NEED_LABELS] ?? n).join('; '),
          r.accessNotes,
          r.walkIn ? 'yes' : 'no',
          r.createdAt.toISOString(),
        ]),
      );
    },

    /**
     * How many people coming need each kind of support, counted once per person. Who they are is
     * shown only to staff who ask for it, and that look is written to the audit log.
     */
    async accessSummary(actor: Actor, eventId: string, opts: { showWho: boolean }) {
      const rows = await reports.registrations(db, eventId, { statuses: COMING });
      const byPerson = new Map<string, RegistrationRow & { sessions: string[] }>();
      for (const r of rows) {
        const seen = byPerson.get(r.personId);
        if (seen) {
          seen.sessions.push(r.sessionTitle);
          seen.accessNeeds = [...new Set([...seen.accessNeeds, ...r.accessNeeds])];
        } else byPerson.set(r.personId, { ...r, sessions: [r.sessionTitle] });
      }
      const people = [...byPerson.values()];
      const counts = ACCESS_NEEDS.map((need) => ({
        need,
        label: ACCESS_NEED_LABELS[need],
        count: people.filter((p) => p.accessNeeds.includes(need)).length,
      }));
      const mayShow = opts.showWho && isStaff(actor);
      if (mayShow) {
        await deps.audit.insert(db, {
          actorId: actor.personId,
          action: 'event.access_needs.viewed',
          subjectType: 'event',
          subjectId: eventId,
          details: { people: people.filter((p) => p.accessNeeds.length || p.accessNotes).length },
        });
      }
      return {
        coming: people.length,
        counts,
        who: mayShow
          ? people
              .filter((p) => p.accessNeeds.length || p.accessNotes)
              .map((p) => ({
                name: p.name,
                needs: p.accessNeeds.map((n) => ACCESS_NEED_LABELS[n as keyof typeof ACCESS_NEED_LABELS] ?? n),
                notes: p.accessNotes,
                sessions: p.sessions,
              }))
          : null,
        canShowWho: isStaff(actor),
      };
    },

    mix: (eventId: string) =>
      Promise.all([reports.mix(db, eventId, COMING), reports.mix(db, eventId, ['attended'])]).then(([registered, attended]) => ({
        registered,
        attended,
      })),

    /** Labels for everyone with a place, one per person, in name order. */
    async labelsPdf(eventId: string, title: string): Promise<Buffer> {
      const rows = await reports.registrations(db, eventId, { statuses: COMING });
      const unique = new Map<string, { name: string; pronouns: string | null }>();
      for (const r of rows) if (!unique.has(r.personId)) unique.set(r.personId, { name: r.labelName || r.name, pronouns: r.pronouns });
      const labels = [...unique.values()].sort((a, b) => a.name.localeCompare(b.name, 'en-GB'));
      return renderLabels(labels, { title: `Name labels: ${title}` });
    },
  };
}

export type EventReportsService = ReturnType<typeof createEventReportsService>;
