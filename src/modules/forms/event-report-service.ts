import type { Db } from '../../db/client.ts';
import { eq } from 'drizzle-orm';
import { events } from '../../db/schema.ts';
import type { AuditTrail } from '../audit/audit-service.ts';
import { ValidationError } from '../../lib/validation.ts';
import type { EventReportsService } from '../events/event-reports-service.ts';
import type { EventsService } from '../events/events-service.ts';
import type { FormsRepository } from './forms-repository.ts';
import type { FormResults, ResultsService } from './results-service.ts';
import type { Actor } from '../../plugins/access.ts';

export interface EventReport {
  eventId: string;
  title: string;
  when: { startsAt: string; endsAt: string };
  registered: number;
  attended: number;
  attendedByExperience: { lived: number; professional: number; both: number };
  sessions: {
    id: string;
    title: string;
    registered: number;
    attended: number;
    attendedByExperience: { lived: number; professional: number; both: number };
  }[];
  evaluation: { formId: string; title: string; responses: number; responseRate: number | null; excellentOrGoodShare: number | null } | null;
  results: FormResults | null;
  quotes: { text: string; attribution: string }[];
  headlines: string[];
  /** "You said, we did" entries published from the event's forms. */
  whatChanged: WhatChangedEntry[];
}

/** A published "You said, we did" entry, as the report lists it under "What changed". */
export interface WhatChangedEntry {
  id: string;
  status: 'planned' | 'doing' | 'done';
  publishedOn: string;
  youSaid: string;
  weDid: string;
  statusText: string;
  publishedOnText: string;
  theme: string | null;
}

const ATTRIBUTION: Record<string, string> = {
  lived: 'someone with lived experience',
  professional: 'a professional',
  both: 'someone with lived and professional experience',
};

/** The event report: who came, what they thought, what they said, and the organisers' headlines. */
export function createEventReportService(deps: {
  db: Db;
  events: EventsService;
  eventReports: EventReportsService;
  forms: FormsRepository;
  results: ResultsService;
  audit: AuditTrail;
  /** The published "You said, we did" entries that came from the event's forms, read when the report is made. */
  whatChanged?: (eventId: string) => Promise<WhatChangedEntry[]>;
}) {
  return {
    async report(eventId: string): Promise<EventReport> {
      const event = await deps.events.get(eventId);
      const [sessions, mix] = await Promise.all([deps.events.sessionsOf(event.id), deps.eventReports.mix(event.id)]);
      // The evaluation is the event's form with a rating question (the first made, if several).
      const forms = await deps.forms.formsOfEvent(deps.db, event.id);
      let evaluation: EventReport['evaluation'] = null;
      let results: FormResults | null = null;
      let quotes: EventReport['quotes'] = [];
      for (const f of forms) {
        const r = await deps.results.results(f.id);
        const rating = r.questions.find((q) => q.type === 'rating' && !q.hidden);
        if (!rating) continue;
        results = r;
        evaluation = {
          formId: f.id,
          title: f.title,
          responses: r.responses,
          responseRate: r.responseRate,
          excellentOrGoodShare: rating.answered ? (rating.topTwoShare ?? null) : null,
        };
        quotes = (await deps.results.quotes(f.id)).map((q) => ({
          text: q.text,
          attribution:
            q.consent === 'named' && q.name ? q.name : q.experience ? `Said by ${ATTRIBUTION[q.experience]}` : 'Said by a participant',
        }));
        break;
      }
      return {
        eventId: event.id,
        title: event.title,
        when: { startsAt: event.startsAt.toISOString(), endsAt: event.endsAt.toISOString() },
        registered: mix.registered.event.total,
        attended: mix.attended.event.total,
        attendedByExperience: {
          lived: mix.attended.event.lived,
          professional: mix.attended.event.professional,
          both: mix.attended.event.both,
        },
        sessions: sessions.map((s) => {
          const a = mix.attended.bySession.get(s.id);
          return {
            id: s.id,
            title: s.title,
            registered: s.confirmed,
            attended: s.attended,
            attendedByExperience: { lived: a?.lived ?? 0, professional: a?.professional ?? 0, both: a?.both ?? 0 },
          };
        }),
        evaluation,
        results,
        quotes,
        headlines: event.reportHeadlines,
        whatChanged: deps.whatChanged ? await deps.whatChanged(event.id) : [],
      };
    },

    async setHeadlines(actor: Actor, eventId: string, text: string) {
      await deps.events.get(eventId);
      const lines = text
        .split(/\r?\n/)
        .map((l) => l.replace(/^[-*•]\s*/, '').trim())
        .filter(Boolean);
      if (lines.length > 20 || lines.some((l) => l.length > 300))
        throw new ValidationError([{ path: 'headlines', message: 'Write up to 20 headlines of up to 300 characters each' }]);
      await deps.db.update(events).set({ reportHeadlines: lines, updatedAt: new Date() }).where(eq(events.id, eventId));
      await deps.audit.insert(deps.db, {
        actorId: actor.personId,
        action: 'event.report_headlines.updated',
        subjectType: 'event',
        subjectId: eventId,
      });
    },
  };
}

export type EventReportService = ReturnType<typeof createEventReportService>;
