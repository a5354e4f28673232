import type { Db, Tx } from '../../db/client.ts';
import type { Cohort, Person } from '../../db/schema.ts';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../../lib/validation.ts';
import type { AuditTrail } from '../audit/audit-service.ts';
import type { EventsLookup } from '../events/events-service.ts';
import type { CohortRepository } from './cohort-repository.ts';
import type { ProgrammesRepository } from './programmes-repository.ts';
import type { ProjectInput } from './programmes-schemas.ts';
import { graduationCheck, projectFlags } from './selection.ts';
import type { Actor } from '../../plugins/access.ts';
import { formatDay, formatTime } from '../../lib/dates.ts';

const isStaff = (a: Actor) => a.role === 'admin' || a.role === 'staff';

/** Running a cohort: who is in it, attendance, coaching, group projects, and who has met the graduation rule. */
export function createCohortService(deps: {
  db: Db;
  programmes: ProgrammesRepository;
  cohort: CohortRepository;
  events: Pick<EventsLookup, 'sessionsOf' | 'findSession' | 'existingPeople' | 'facilitatorChoices'>;
  audit: AuditTrail;
}) {
  const { db, programmes: repo, cohort: runs } = deps;

  async function mustFindCohort(id: string, ex: Db | Tx = db, forUpdate = false): Promise<Cohort> {
    const c = await repo.findCohort(ex, id, { forUpdate });
    if (!c) throw new NotFoundError('No cohort with that id');
    return c;
  }

  const members = (cohortId: string, ex: Db | Tx = db) => repo.applicationsOf(ex, cohortId, { statuses: ['accepted'] });

  async function projectsWithMembers(cohortId: string, ex: Db | Tx = db) {
    const list = await runs.projectsOf(ex, cohortId);
    const ids = list.map((p) => p.id);
    const [memberRows, updates] = await Promise.all([runs.membersOfProjects(ex, ids), runs.updatesOf(ex, ids)]);
    return list.map((p) => {
      const ms = memberRows.filter((m) => m.projectId === p.id);
      return { ...p, members: ms, flags: projectFlags(ms), updates: updates.filter((u) => u.projectId === p.id) };
    });
  }

  /** Everything graduation needs, read in one place (also inside the graduation transaction). */
  async function graduationReport(cohortId: string, ex: Db | Tx = db) {
    const cohort = await mustFindCohort(cohortId, ex);
    const programme = (await repo.findProgramme(ex, cohort.programmeId))!;
    const [people, sessions, attendance, projectList] = await Promise.all([
      members(cohortId, ex),
      deps.events.sessionsOf(ex, cohort.eventId),
      repo.attendanceOf(ex, cohort),
      projectsWithMembers(cohortId, ex),
    ]);
    const workshops = sessions.filter((s) => s.kind === 'workshop' && s.status !== 'cancelled');
    const workshopIds = new Set(workshops.map((s) => s.id));
    const rule = { minSessionsAttended: programme.minSessionsAttended, projectRequired: programme.projectRequired };
    const rows = people.map((m) => {
      const attendedWorkshops = attendance.filter((a) => a.personId === m.personId && a.attended && workshopIds.has(a.sessionId)).length;
      const project = projectList.find((p) => p.members.some((x) => x.personId === m.personId)) ?? null;
      return {
        member: m,
        attendedWorkshops,
        project,
        ...graduationCheck(rule, { workshops: workshops.length, attendedWorkshops, project }),
      };
    });
    return { cohort, programme, rule, workshops: workshops.length, rows };
  }

  async function mustBeMembers(ex: Db | Tx, cohortId: string, ids: string[], path: string) {
    const inCohort = new Set((await members(cohortId, ex)).map((m) => m.personId));
    if (ids.some((id) => !inCohort.has(id)))
      throw new ValidationError([{ path, message: 'Everyone chosen must be a member of this cohort (someone who has accepted a place)' }]);
  }

  return {
    members: (cohortId: string) => members(cohortId),
    graduationReport: (cohortId: string) => graduationReport(cohortId),
    graduationReportIn: graduationReport,
    projects: (cohortId: string) => projectsWithMembers(cohortId),

    // ---- attendance ----------------------------------------------------------------------------
    async attendance(cohortId: string) {
      const cohort = await mustFindCohort(cohortId);
      return repo.attendanceOf(db, cohort);
    },

    /** Records who came to a cohort session: only members can be marked, and only staff or those leading it mark them. */
    async recordAttendance(actor: Actor, sessionId: string, marks: { personId: string; attended: boolean }[]) {
      return db.transaction(async (tx) => {
        const session = await deps.events.findSession(tx, sessionId);
        const cohort = session && (await repo.findCohortByEvent(tx, session.eventId));
        if (!session || !cohort) throw new NotFoundError('No cohort session with that id');
        if (!isStaff(actor) && actor.role !== 'facilitator') throw new ForbiddenError('Only staff and facilitators record attendance');
        // Who came can only be known once a session has started.
        if (session.startsAt.getTime() > Date.now())
          throw new ConflictError(
            `“${session.title}” has not happened yet. You can record who came once it starts, on ${formatDay(session.startsAt)} at ${formatTime(session.startsAt)}`,
          );
        await mustBeMembers(
          tx,
          cohort.id,
          marks.map((m) => m.personId),
          'personId',
        );
        await repo.recordAttendance(
          tx,
          marks.map((m) => ({ ...m, sessionId, recordedBy: actor.personId })),
        );
        await deps.audit.insert(tx, {
          actorId: actor.personId,
          action: 'attendance.recorded',
          subjectType: 'session',
          subjectId: sessionId,
          details: { marks: marks.length },
        });
        return { cohort, session };
      });
    },

    // ---- coaching ------------------------------------------------------------------------------
    async bookCoaching(actor: Actor, cohortId: string, input: { participantId: string; coachId: string; startsAt: Date }) {
      return db.transaction(async (tx) => {
        await mustFindCohort(cohortId, tx);
        await mustBeMembers(tx, cohortId, [input.participantId], 'participantId');
        if ((await deps.events.existingPeople(tx, [input.coachId])).length !== 1)
          throw new ValidationError([{ path: 'coachId', message: 'Choose a coach from the list' }]);
        const c = await runs.insertCoaching(tx, { cohortId, ...input, createdBy: actor.personId });
        await deps.audit.insert(tx, { actorId: actor.personId, action: 'coaching.booked', subjectType: 'coaching', subjectId: c.id });
        return c;
      });
    },

    /**
     * Coaching in a cohort as this person may see it: notes belong to the coach and the person
     * coached, so staff see only that coaching happened.
     */
    async coaching(actor: Actor, cohortId: string) {
      const rows = await runs.coachingOf(db, cohortId);
      return rows
        .filter((c) => isStaff(actor) || c.coachId === actor.personId || c.participantId === actor.personId)
        .map((c) => ({
          ...c,
          notes: c.coachId === actor.personId || c.participantId === actor.personId ? c.notes : null,
          canSeeNotes: c.coachId === actor.personId || c.participantId === actor.personId,
        }));
    },

    async getCoachingForNotes(actor: Actor, id: string) {
      const c = await runs.findCoaching(db, id);
      if (!c || (c.coachId !== actor.personId && c.participantId !== actor.personId))
        throw new NotFoundError('No coaching session with that id');
      return c;
    },

    /** Only the coach writes the notes and marks the session; the participant reads them. */
    async recordCoaching(actor: Actor, id: string, values: { notes: string | null; status: 'booked' | 'done' | 'cancelled' }) {
      await db.transaction(async (tx) => {
        const c = await runs.findCoaching(tx, id);
        if (!c || (c.coachId !== actor.personId && c.participantId !== actor.personId))
          throw new NotFoundError('No coaching session with that id');
        if (c.coachId !== actor.personId) throw new ForbiddenError('Only the coach can change the notes');
        await runs.updateCoaching(tx, id, values);
        await deps.audit.insert(tx, {
          actorId: actor.personId,
          action: 'coaching.recorded',
          subjectType: 'coaching',
          subjectId: id,
          details: { status: values.status },
        });
      });
    },

    // ---- group projects ------------------------------------------------------------------------
    async createProject(actor: Actor, cohortId: string, input: ProjectInput) {
      return db.transaction(async (tx) => {
        const cohort = await mustFindCohort(cohortId, tx, true);
        if (cohort.graduatedAt) throw new ConflictError('This cohort has graduated; its projects are closed');
        await mustBeMembers(tx, cohortId, input.memberIds, 'memberIds');
        const p = await runs.insertProject(tx, cohortId, input);
        await runs.setMembers(tx, p.id, input);
        await deps.audit.insert(tx, { actorId: actor.personId, action: 'project.created', subjectType: 'project', subjectId: p.id });
        return p;
      });
    },
    async updateProject(actor: Actor, projectId: string, input: ProjectInput) {
      await db.transaction(async (tx) => {
        const p = await runs.findProject(tx, projectId, { forUpdate: true });
        if (!p) throw new NotFoundError('No project with that id');
        await mustBeMembers(tx, p.cohortId, input.memberIds, 'memberIds');
        await runs.updateProject(tx, projectId, input);
        await runs.setMembers(tx, projectId, input);
        await deps.audit.insert(tx, { actorId: actor.personId, action: 'project.updated', subjectType: 'project', subjectId: projectId });
      });
    },
    async getProject(projectId: string) {
      const p = await runs.findProject(db, projectId);
      if (!p) throw new NotFoundError('No project with that id');
      return p;
    },
    /** Members of the project and staff post progress updates. */
    async addUpdate(actor: Actor, projectId: string, body: string) {
      await db.transaction(async (tx) => {
        const p = await runs.findProject(tx, projectId);
        if (!p) throw new NotFoundError('No project with that id');
        const memberIds = (await runs.membersOfProjects(tx, [projectId])).map((m) => m.personId);
        if (!isStaff(actor) && !memberIds.includes(actor.personId)) throw new NotFoundError('No project with that id');
        await runs.insertUpdate(tx, { projectId, authorId: actor.personId, body });
      });
    },
    async setPresented(actor: Actor, projectId: string, presented: boolean) {
      await db.transaction(async (tx) => {
        const p = await runs.findProject(tx, projectId, { forUpdate: true });
        if (!p) throw new NotFoundError('No project with that id');
        const cohort = await mustFindCohort(p.cohortId, tx);
        if (cohort.graduatedAt) throw new ConflictError('This cohort has graduated; its projects are closed');
        await runs.setPresented(tx, projectId, presented ? (p.presentedAt ?? new Date()) : null);
        await deps.audit.insert(tx, {
          actorId: actor.personId,
          action: presented ? 'project.presented' : 'project.not_presented',
          subjectType: 'project',
          subjectId: projectId,
        });
      });
    },

    /** What a member sees of their group: each as they chose to be shown. */
    async groupAsSeenBy(cohortId: string): Promise<{ name: string; organisation: string | null }[]> {
      return (await members(cohortId))
        .filter((m) => m.shownAs !== 'hidden')
        .map((m) => ({ name: m.name, organisation: m.shownAs === 'name_and_organisation' ? m.organisation : null }));
    },
    /** Coaches are facilitators and staff, as for sessions. */
    coachChoices: (): Promise<Pick<Person, 'id' | 'name'>[]> => deps.events.facilitatorChoices(db),
  };
}

export type CohortService = ReturnType<typeof createCohortService>;
