import type { Db } from '../../db/client.ts';
import type { PaymentsService } from '../payments/payments-service.ts';
import type { PeopleService } from '../people/people-service.ts';
import { createWorkRepository, type WorkRepository } from './work-repository.ts';

const UPCOMING_SHOWN = 8;

/**
 * The staff home page ("Your work"): what is coming up and what is waiting for someone to act,
 * read from each module's own service where it offers the count, and read-only SQL otherwise.
 */
export function createWorkService(deps: {
  db: Db;
  people: Pick<PeopleService, 'listErasureRequests'>;
  payments: Pick<PaymentsService, 'counts'>;
  work?: WorkRepository;
}) {
  const { db } = deps;
  const work = deps.work ?? createWorkRepository();
  return {
    async overview() {
      const [events, eventCount, applications, forms, stories, claims, erasures] = await Promise.all([
        work.upcomingEvents(db, { limit: UPCOMING_SHOWN }),
        work.upcomingEventCount(db),
        work.applicationsWaiting(db),
        work.openForms(db),
        work.storiesToModerate(db),
        deps.payments.counts(),
        deps.people.listErasureRequests(),
      ]);
      return {
        events: events.map((e) => ({ ...e, percentFull: e.capacity ? Math.min(100, Math.round((e.booked / e.capacity) * 100)) : 0 })),
        moreEvents: Math.max(0, eventCount - events.length),
        applications,
        applicationsWaiting: applications.reduce((n, c) => n + c.applied + c.shortlisted, 0),
        forms,
        decisions: { claims: claims.submitted, stories, erasures: erasures.length },
      };
    },
  };
}

export type WorkService = ReturnType<typeof createWorkService>;
