import type { Db } from '../../db/client.ts';
import { NotFoundError } from '../../lib/validation.ts';
import type { Actor } from '../../plugins/access.ts';
import type { AuditTrail } from '../audit/audit-service.ts';
import { contactWay } from '../people/contact-way.ts';
import { applicationEmailKinds } from './programme-emails.ts';
import type { ApplicationRow, ProgrammesRepository } from './programmes-repository.ts';

/**
 * Applicants we reach by phone whose application staff moved on (a step we would email about),
 * until someone records the call. A move the applicant made themselves is not listed: they know.
 */
export function needsPhoning(a: ApplicationRow): boolean {
  if (contactWay(a) !== 'phone') return false;
  if (!a.statusChangedAt || !applicationEmailKinds.includes(a.status)) return false;
  if (a.statusChangedBy === a.personId) return false;
  return !a.phonedAt || a.phonedAt < a.statusChangedAt;
}

export function createApplicantsToPhone(deps: { db: Db; programmes: ProgrammesRepository; audit: AuditTrail }) {
  const { db, programmes: repo } = deps;
  return {
    /** The cohort's applicants to phone, the longest-waiting first. */
    async ofCohort(cohortId: string): Promise<ApplicationRow[]> {
      const all = await repo.applicationsOf(db, cohortId);
      return all.filter(needsPhoning).sort((a, b) => a.statusChangedAt!.getTime() - b.statusChangedAt!.getTime());
    },

    /** Records the call. The application is locked so a second click records nothing new. */
    async markPhoned(actor: Actor, cohortId: string, applicationId: string): Promise<ApplicationRow> {
      return db.transaction(async (tx) => {
        const a = await repo.findApplication(tx, applicationId, { forUpdate: true });
        if (!a || a.cohortId !== cohortId) throw new NotFoundError('No application with that id in this cohort');
        if (!needsPhoning(a)) return a;
        await repo.markPhoned(tx, a.id);
        await deps.audit.insert(tx, {
          actorId: actor.personId,
          action: 'application.phoned',
          subjectType: 'application',
          subjectId: a.id,
          details: { cohortId, status: a.status },
        });
        return a;
      });
    },
  };
}

export type ApplicantsToPhone = ReturnType<typeof createApplicantsToPhone>;
