import { and, asc, desc, eq, inArray, sql } from 'drizzle-orm';
import type { Executor } from '../../db/client.ts';
import {
  applications,
  cohortAttendance,
  cohorts,
  eventSessions,
  people,
  programmes,
  type Application,
  type ApplicationStatus,
  type Cohort,
  type Programme,
  type ShownAs,
} from '../../db/schema.ts';
import type { ProgrammeInput } from './programmes-schemas.ts';
import { isUuid } from '../../db/ids.ts';

const programmeColumns = (input: ProgrammeInput) => ({
  title: input.title,
  summary: input.summary,
  easyReadSummary: input.easyReadSummary ?? null,
  whoFor: input.whoFor ?? null,
  placesPerCohort: input.placesPerCohort,
  partners: input.partners ?? [],
  livedMinShare: input.mixTarget?.livedMinShare ?? null,
  trackedQuestionKeys: input.trackedQuestionKeys ?? [],
  minSessionsAttended: input.graduationRule?.minSessionsAttended ?? 0,
  projectRequired: input.graduationRule?.projectRequired ?? false,
  applicationFormId: input.applicationFormId ?? null,
});

/** An application with what reviewers need to know about the person. */
export interface ApplicationRow extends Application {
  name: string;
  email: string | null;
  experience: 'lived' | 'professional' | 'both';
  organisation: string | null;
  phone: string | null;
  postalAddress: string | null;
  contactPreference: string;
}

const applicationWithPerson = {
  application: applications,
  name: people.name,
  email: people.email,
  experience: people.experience,
  organisation: people.organisation,
  phone: people.phone,
  postalAddress: people.postalAddress,
  contactPreference: people.contactPreference,
};
const flatten = ({ application, ...person }: { application: Application } & Omit<ApplicationRow, keyof Application>): ApplicationRow => ({
  ...application,
  ...person,
});

export function createProgrammesRepository() {
  return {
    // ---- programmes and cohorts ----------------------------------------------------------------
    async insertProgramme(ex: Executor, input: ProgrammeInput, extra: { createdBy: string | null; isDemo?: boolean }) {
      const [row] = await ex
        .insert(programmes)
        .values({ ...programmeColumns(input), createdBy: extra.createdBy, isDemo: extra.isDemo ?? false })
        .returning();
      return row!;
    },
    async updateProgramme(ex: Executor, id: string, input: ProgrammeInput) {
      const [row] = await ex
        .update(programmes)
        .set({ ...programmeColumns(input), updatedAt: new Date() })
        .where(eq(programmes.id, id))
        .returning();
      return row;
    },
    async findProgramme(ex: Executor, id: string): Promise<Programme | undefined> {
      if (!isUuid(id)) return undefined;
      const [row] = await ex.select().from(programmes).where(eq(programmes.id, id));
      return row;
    },
    async listProgrammes(ex: Executor) {
      return ex.select().from(programmes).orderBy(asc(programmes.title));
    },
    async insertCohort(ex: Executor, values: typeof cohorts.$inferInsert) {
      const [row] = await ex.insert(cohorts).values(values).returning();
      return row!;
    },
    async updateCohort(
      ex: Executor,
      id: string,
      values: Partial<Pick<Cohort, 'name' | 'startsOn' | 'endsOn' | 'places' | 'applicationsOpen'>>,
    ) {
      const [row] = await ex.update(cohorts).set(values).where(eq(cohorts.id, id)).returning();
      return row;
    },
    async findCohort(ex: Executor, id: string, opts: { forUpdate?: boolean } = {}): Promise<Cohort | undefined> {
      if (!isUuid(id)) return undefined;
      const q = ex.select().from(cohorts).where(eq(cohorts.id, id));
      const [row] = opts.forUpdate ? await q.for('update') : await q;
      return row;
    },
    async findCohortByEvent(ex: Executor, eventId: string): Promise<Cohort | undefined> {
      if (!isUuid(eventId)) return undefined;
      const [row] = await ex.select().from(cohorts).where(eq(cohorts.eventId, eventId));
      return row;
    },
    /** Each cohort with how many people applied and how many places are held or offered. */
    async cohortsOf(ex: Executor, programmeId: string) {
      return ex
        .select({
          cohort: cohorts,
          applied: sql<number>`(select count(*)::int from applications a where a.cohort_id = cohorts.id)`,
          holding: sql<number>`(select count(*)::int from applications a where a.cohort_id = cohorts.id and a.status in ('offered', 'accepted'))`,
          members: sql<number>`(select count(*)::int from applications a where a.cohort_id = cohorts.id and a.status = 'accepted')`,
        })
        .from(cohorts)
        .where(eq(cohorts.programmeId, programmeId))
        .orderBy(desc(cohorts.startsOn));
    },
    async setGraduated(ex: Executor, id: string, at: Date) {
      await ex.update(cohorts).set({ graduatedAt: at, applicationsOpen: false }).where(eq(cohorts.id, id));
    },

    // ---- applications --------------------------------------------------------------------------
    /** Inserts the application, or finds the one this person already made for the cohort. */
    async insertApplication(
      ex: Executor,
      values: typeof applications.$inferInsert,
    ): Promise<{ application: Application; created: boolean }> {
      const [row] = await ex
        .insert(applications)
        .values(values)
        .onConflictDoNothing({ target: [applications.cohortId, applications.personId] })
        .returning();
      if (row) return { application: row, created: true };
      const [existing] = await ex
        .select()
        .from(applications)
        .where(and(eq(applications.cohortId, values.cohortId), eq(applications.personId, values.personId)));
      return { application: existing!, created: false };
    },
    async findApplication(ex: Executor, id: string, opts: { forUpdate?: boolean } = {}): Promise<ApplicationRow | undefined> {
      if (!isUuid(id)) return undefined;
      const q = ex
        .select(applicationWithPerson)
        .from(applications)
        .innerJoin(people, eq(people.id, applications.personId))
        .where(eq(applications.id, id));
      const [row] = opts.forUpdate ? await q.for('update', { of: applications }) : await q;
      return row && flatten(row);
    },
    async applicationsOf(
      ex: Executor,
      cohortId: string,
      opts: { statuses?: ApplicationStatus[]; after?: string; limit?: number } = {},
    ): Promise<ApplicationRow[]> {
      const rows = await ex
        .select(applicationWithPerson)
        .from(applications)
        .innerJoin(people, eq(people.id, applications.personId))
        .where(
          and(
            eq(applications.cohortId, cohortId),
            opts.statuses ? inArray(applications.status, opts.statuses) : undefined,
            opts.after ? sql`${applications.id} > ${opts.after}` : undefined,
          ),
        )
        .orderBy(opts.limit ? asc(applications.id) : asc(applications.createdAt))
        .limit(opts.limit ?? 100_000);
      return rows.map(flatten);
    },
    async applicationsOfPerson(ex: Executor, personId: string) {
      return ex
        .select({ application: applications, cohort: cohorts, programme: programmes })
        .from(applications)
        .innerJoin(cohorts, eq(cohorts.id, applications.cohortId))
        .innerJoin(programmes, eq(programmes.id, cohorts.programmeId))
        .where(eq(applications.personId, personId))
        .orderBy(desc(cohorts.startsOn));
    },
    async countHolding(ex: Executor, cohortId: string): Promise<number> {
      const [row] = await ex
        .select({ n: sql<number>`count(*)::int` })
        .from(applications)
        .where(and(eq(applications.cohortId, cohortId), inArray(applications.status, ['offered', 'accepted'])));
      return row?.n ?? 0;
    },
    async setApplicationStatus(ex: Executor, id: string, status: ApplicationStatus, by: string | null) {
      const now = new Date();
      await ex
        .update(applications)
        .set({ status, statusChangedAt: now, statusChangedBy: by, updatedAt: now })
        .where(eq(applications.id, id));
    },
    async markPhoned(ex: Executor, id: string) {
      await ex.update(applications).set({ phonedAt: new Date() }).where(eq(applications.id, id));
    },
    async setReview(ex: Executor, id: string, review: { score: number | null; notes: string | null }) {
      await ex
        .update(applications)
        .set({ ...review, updatedAt: new Date() })
        .where(eq(applications.id, id));
    },
    async setMembership(ex: Executor, id: string, values: { shownAs: ShownAs; alumniListed: boolean }) {
      await ex
        .update(applications)
        .set({ ...values, updatedAt: new Date() })
        .where(eq(applications.id, id));
    },
    async membership(ex: Executor, cohortId: string, personId: string): Promise<Application | undefined> {
      if (!isUuid(cohortId)) return undefined;
      const [row] = await ex
        .select()
        .from(applications)
        .where(and(eq(applications.cohortId, cohortId), eq(applications.personId, personId), eq(applications.status, 'accepted')));
      return row;
    },

    // ---- sessions and attendance ---------------------------------------------------------------
    async attendanceOf(ex: Executor, cohort: Cohort) {
      return ex
        .select({ sessionId: cohortAttendance.sessionId, personId: cohortAttendance.personId, attended: cohortAttendance.attended })
        .from(cohortAttendance)
        .innerJoin(eventSessions, eq(eventSessions.id, cohortAttendance.sessionId))
        .where(eq(eventSessions.eventId, cohort.eventId));
    },
    async recordAttendance(ex: Executor, rows: { sessionId: string; personId: string; attended: boolean; recordedBy: string | null }[]) {
      if (!rows.length) return;
      await ex
        .insert(cohortAttendance)
        .values(rows.map((r) => ({ ...r, recordedAt: new Date() })))
        .onConflictDoUpdate({
          target: [cohortAttendance.sessionId, cohortAttendance.personId],
          set: { attended: sql`excluded.attended`, recordedBy: sql`excluded.recorded_by`, recordedAt: sql`excluded.recorded_at` },
        });
    },

    /**
     * Erasure: what they wrote in applications and coaching goes; their certificates are revoked
     * and no longer carry their name, so the public check page shows nothing about them.
     */
    async forgetPerson(ex: Executor, personId: string) {
      await ex.execute(
        sql`update applications set answers = '{}', notes = null, helped_by = null, alumni_listed = false, shown_as = 'hidden' where person_id = ${personId}`,
      );
      await ex.execute(sql`update coaching_sessions set notes = null where participant_id = ${personId}`);
      await ex.execute(
        sql`update certificates set name = 'Name removed at the person’s request', credential = '{}'::jsonb, revoked_at = coalesce(revoked_at, now()), revoked_reason = coalesce(revoked_reason, 'The person asked for their data to be erased') where person_id = ${personId}`,
      );
    },

    /** Public alumni directory: graduates who chose to be listed. */
    async alumni(ex: Executor) {
      return ex
        .select({
          name: people.name,
          organisation: people.organisation,
          bio: people.bio,
          cohortName: cohorts.name,
          programmeTitle: programmes.title,
          graduatedAt: cohorts.graduatedAt,
        })
        .from(applications)
        .innerJoin(people, eq(people.id, applications.personId))
        .innerJoin(cohorts, eq(cohorts.id, applications.cohortId))
        .innerJoin(programmes, eq(programmes.id, cohorts.programmeId))
        .where(
          and(
            eq(applications.alumniListed, true),
            sql`exists (select 1 from certificates c where c.person_id = ${applications.personId} and c.cohort_id = ${applications.cohortId} and c.revoked_at is null)`,
          ),
        )
        .orderBy(asc(people.name));
    },
  };
}

export type ProgrammesRepository = ReturnType<typeof createProgrammesRepository>;
