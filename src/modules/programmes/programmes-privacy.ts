import { sql } from 'drizzle-orm';
import { rowsOf, type PersonalDataHolder } from '../privacy/personal-data.ts';
import type { CohortRepository } from './cohort-repository.ts';
import type { ProgrammesRepository } from './programmes-repository.ts';

const iso = (d: Date | string | null) => (d ? new Date(d).toISOString() : null);

/**
 * Applications, attendance, coaching, projects and certificates. Erasure clears what people
 * wrote or was written about them, revokes their certificates and keeps attendance and
 * membership, linked to the erased row, so the cohort's numbers still add up.
 */
export function programmesPersonalData(deps: { programmes: ProgrammesRepository; cohort: CohortRepository }): PersonalDataHolder {
  return {
    module: 'programmes',
    tables: {
      programmes: 'nothing about a person: the programme, written by staff',
      cohorts: 'nothing about a person: a cohort’s dates and places',
      applications: 'who applied, their answers, who helped them, staff notes and score, how they are shown to their group',
      cohort_attendance: 'who came to each workshop day',
      coaching_sessions: 'who was coached by whom, and the coach’s notes',
      projects: 'nothing about a person: group projects’ titles and aims',
      project_members: 'who is in each project group',
      project_updates: 'progress updates, in the words of the member who wrote them',
      certificates: 'the name on each certificate and its signed credential',
    },
    personColumns: {
      'programmes.created_by': 'kept: the member of staff who created the programme; it names a row, not a value',
      'applications.person_id': 'kept for the cohort’s numbers; answers, notes, who helped and listing cleared',
      'applications.submitted_by': 'kept on other people’s applications: who filled them in (staff)',
      'applications.status_changed_by': 'kept: who last moved an application on (staff, or the applicant themselves)',
      'cohort_attendance.person_id': 'kept for the counts; it says only came or not',
      'cohort_attendance.recorded_by': 'kept: who took the register (staff)',
      'coaching_sessions.participant_id': 'kept for the counts; notes deleted',
      'coaching_sessions.coach_id': 'kept: the coach’s notes belong to the person coached',
      'coaching_sessions.created_by': 'kept: who booked it (staff)',
      'project_members.person_id': 'kept: the group’s membership, now an erased person',
      'project_updates.author_id': 'deleted with the words they wrote',
      'certificates.person_id': 'revoked; the name replaced and the signed credential (which holds it) deleted',
      'certificates.revoked_by': 'kept: who revoked a certificate (staff)',
    },
    async export(ex, personId) {
      const [applications, certificates, attendance, coaching, projects, updates] = await Promise.all([
        deps.programmes.applicationsOfPerson(ex, personId),
        deps.cohort.certificatesOfPerson(ex, personId),
        rowsOf<{ cohort: string; session: string; starts_at: Date; attended: boolean }>(
          ex,
          sql`select c.name as cohort, s.title as session, s.starts_at, a.attended from cohort_attendance a
              join event_sessions s on s.id = a.session_id join cohorts c on c.event_id = s.event_id
              where a.person_id = ${personId} order by s.starts_at`,
        ),
        rowsOf<{ cohort: string; starts_at: Date; status: string; notes: string | null; as_participant: boolean }>(
          ex,
          sql`select c.name as cohort, k.starts_at, k.status, case when k.participant_id = ${personId} then k.notes end as notes, k.participant_id = ${personId} as as_participant
              from coaching_sessions k join cohorts c on c.id = k.cohort_id
              where k.participant_id = ${personId} or k.coach_id = ${personId} order by k.starts_at`,
        ),
        rowsOf<{ title: string; co_lead: boolean; cohort: string }>(
          ex,
          sql`select p.title, m.co_lead, c.name as cohort from project_members m join projects p on p.id = m.project_id join cohorts c on c.id = p.cohort_id where m.person_id = ${personId}`,
        ),
        rowsOf<{ project: string; body: string; created_at: Date }>(
          ex,
          sql`select p.title as project, u.body, u.created_at from project_updates u join projects p on p.id = u.project_id where u.author_id = ${personId} order by u.created_at`,
        ),
      ]);
      return {
        applications: applications.map((a) => ({
          programme: a.programme.title,
          cohort: a.cohort.name,
          status: a.application.status,
          answers: a.application.answers,
          helpedBy: a.application.helpedBy,
          // A subject access request covers what staff wrote about the person too.
          staffNotes: a.application.notes,
          staffScore: a.application.score,
          shownToGroupAs: a.application.shownAs,
          inAlumniDirectory: a.application.alumniListed,
          appliedAt: iso(a.application.createdAt),
        })),
        attendance: attendance.map((a) => ({ cohort: a.cohort, session: a.session, startsAt: iso(a.starts_at), attended: a.attended })),
        coaching: coaching.map((k) => ({
          cohort: k.cohort,
          startsAt: iso(k.starts_at),
          status: k.status,
          role: k.as_participant ? 'coached' : 'coach',
          notes: k.notes,
        })),
        projects: projects.map((p) => ({ cohort: p.cohort, title: p.title, coLead: p.co_lead })),
        projectUpdates: updates.map((u) => ({ project: u.project, body: u.body, writtenAt: iso(u.created_at) })),
        certificates: certificates.map((c) => ({
          serial: c.serial,
          name: c.name,
          achievement: c.achievement,
          issuedOn: c.issuedOn,
          revoked: !!c.revokedAt,
        })),
      };
    },
    async forget(tx, person) {
      await deps.programmes.forgetPerson(tx, person.id);
      await tx.execute(sql`delete from project_updates where author_id = ${person.id}`);
    },
  };
}
