import { and, asc, desc, eq, inArray, isNull } from 'drizzle-orm';
import type { Executor } from '../../db/client.ts';
import { certificates, coachingSessions, people, projectMembers, projects, projectUpdates, type Certificate } from '../../db/schema.ts';
import type { ProjectInput } from './programmes-schemas.ts';
import { isUuid } from '../../db/ids.ts';

/** SQL for running a cohort: coaching, group projects and certificates. */
export function createCohortRepository() {
  return {
    // ---- coaching ------------------------------------------------------------------------------
    async insertCoaching(ex: Executor, values: typeof coachingSessions.$inferInsert) {
      const [row] = await ex.insert(coachingSessions).values(values).returning();
      return row!;
    },
    async findCoaching(ex: Executor, id: string) {
      if (!isUuid(id)) return undefined;
      const [row] = await ex.select().from(coachingSessions).where(eq(coachingSessions.id, id));
      return row;
    },
    async updateCoaching(ex: Executor, id: string, values: { notes: string | null; status: 'booked' | 'done' | 'cancelled' }) {
      await ex
        .update(coachingSessions)
        .set({ ...values, updatedAt: new Date() })
        .where(eq(coachingSessions.id, id));
    },
    /** Coaching in a cohort, optionally only where this person is the coach or the one coached. */
    async coachingOf(ex: Executor, cohortId: string) {
      return ex.select().from(coachingSessions).where(eq(coachingSessions.cohortId, cohortId)).orderBy(asc(coachingSessions.startsAt));
    },

    // ---- projects ------------------------------------------------------------------------------
    async insertProject(ex: Executor, cohortId: string, input: ProjectInput) {
      const [row] = await ex.insert(projects).values({ cohortId, title: input.title, aim: input.aim }).returning();
      return row!;
    },
    async updateProject(ex: Executor, id: string, input: ProjectInput) {
      await ex.update(projects).set({ title: input.title, aim: input.aim, updatedAt: new Date() }).where(eq(projects.id, id));
    },
    async findProject(ex: Executor, id: string, opts: { forUpdate?: boolean } = {}) {
      if (!isUuid(id)) return undefined;
      const q = ex.select().from(projects).where(eq(projects.id, id));
      const [row] = opts.forUpdate ? await q.for('update') : await q;
      return row;
    },
    async setMembers(ex: Executor, projectId: string, input: ProjectInput) {
      await ex.delete(projectMembers).where(eq(projectMembers.projectId, projectId));
      await ex
        .insert(projectMembers)
        .values(input.memberIds.map((personId) => ({ projectId, personId, coLead: input.coLeadIds.includes(personId) })));
    },
    async setPresented(ex: Executor, id: string, at: Date | null) {
      await ex.update(projects).set({ presentedAt: at, updatedAt: new Date() }).where(eq(projects.id, id));
    },
    async projectsOf(ex: Executor, cohortId: string) {
      return ex.select().from(projects).where(eq(projects.cohortId, cohortId)).orderBy(asc(projects.title));
    },
    async membersOfProjects(ex: Executor, projectIds: string[]) {
      if (!projectIds.length) return [];
      return ex
        .select({
          projectId: projectMembers.projectId,
          personId: projectMembers.personId,
          coLead: projectMembers.coLead,
          name: people.name,
          experience: people.experience,
          organisation: people.organisation,
        })
        .from(projectMembers)
        .innerJoin(people, eq(people.id, projectMembers.personId))
        .where(inArray(projectMembers.projectId, projectIds))
        .orderBy(asc(people.name));
    },
    async insertUpdate(ex: Executor, values: { projectId: string; authorId: string | null; body: string }) {
      await ex.insert(projectUpdates).values(values);
    },
    async updatesOf(ex: Executor, projectIds: string[]) {
      if (!projectIds.length) return [];
      return ex
        .select({
          id: projectUpdates.id,
          projectId: projectUpdates.projectId,
          body: projectUpdates.body,
          createdAt: projectUpdates.createdAt,
          author: people.name,
        })
        .from(projectUpdates)
        .leftJoin(people, eq(people.id, projectUpdates.authorId))
        .where(inArray(projectUpdates.projectId, projectIds))
        .orderBy(desc(projectUpdates.createdAt));
    },

    // ---- certificates --------------------------------------------------------------------------
    async insertCertificate(ex: Executor, values: typeof certificates.$inferInsert): Promise<Certificate> {
      const [row] = await ex.insert(certificates).values(values).returning();
      return row!;
    },
    async findCertificate(ex: Executor, serial: string): Promise<Certificate | undefined> {
      const [row] = await ex.select().from(certificates).where(eq(certificates.serial, serial));
      return row;
    },
    async findCertificateById(ex: Executor, id: string, opts: { forUpdate?: boolean } = {}): Promise<Certificate | undefined> {
      if (!isUuid(id)) return undefined;
      const q = ex.select().from(certificates).where(eq(certificates.id, id));
      const [row] = opts.forUpdate ? await q.for('update') : await q;
      return row;
    },
    async certificatesOf(ex: Executor, cohortId: string) {
      return ex.select().from(certificates).where(eq(certificates.cohortId, cohortId)).orderBy(asc(certificates.name));
    },
    async certificatesOfPerson(ex: Executor, personId: string) {
      return ex.select().from(certificates).where(eq(certificates.personId, personId)).orderBy(desc(certificates.issuedOn));
    },
    async revoke(ex: Executor, id: string, values: { reason: string; by: string }) {
      await ex
        .update(certificates)
        .set({ revokedAt: new Date(), revokedReason: values.reason, revokedBy: values.by })
        .where(and(eq(certificates.id, id), isNull(certificates.revokedAt)));
    },
  };
}

export type CohortRepository = ReturnType<typeof createCohortRepository>;
