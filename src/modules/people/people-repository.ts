import { and, asc, eq, ilike, inArray, isNotNull, isNull, or, sql } from 'drizzle-orm';
import { isUuid } from '../../db/ids.ts';
import type { Executor } from '../../db/client.ts';
import { people, type Person, type Role } from '../../db/schema.ts';
import type { PersonInput } from './people-schemas.ts';

/** A person's input as the columns it is stored in. */
export function personColumns(input: PersonInput) {
  const contactPreference: Person['contactPreference'] =
    input.contactPreference ?? (input.email ? 'email' : input.phone ? 'phone' : input.postalAddress ? 'post' : 'email');
  return {
    name: input.name,
    labelName: input.labelName ?? null,
    pronouns: input.pronouns ?? null,
    experience: input.experience,
    organisation: input.organisation ?? null,
    email: input.email ?? null,
    phone: input.phone ?? null,
    postalAddress: input.postalAddress ?? null,
    contactPreference,
    accessNeeds: [...new Set(input.accessNeeds ?? [])],
    accessNotes: input.accessNotes ?? null,
    bio: input.bio ?? null,
  };
}

export function createPeopleRepository() {
  return {
    async insert(ex: Executor, input: PersonInput, extra: { createdBy?: string | null; role?: Role; isDemo?: boolean } = {}) {
      const [row] = await ex
        .insert(people)
        .values({
          ...personColumns(input),
          createdBy: extra.createdBy ?? null,
          role: extra.role ?? 'participant',
          isDemo: extra.isDemo ?? false,
        })
        .returning();
      return row!;
    },

    async update(ex: Executor, id: string, input: PersonInput): Promise<Person | undefined> {
      const [row] = await ex
        .update(people)
        .set({ ...personColumns(input), updatedAt: new Date() })
        .where(and(eq(people.id, id), isNull(people.erasedAt)))
        .returning();
      return row;
    },

    async findById(ex: Executor, id: string, opts: { forUpdate?: boolean } = {}): Promise<Person | undefined> {
      if (!isUuid(id)) return undefined;
      const q = ex.select().from(people).where(eq(people.id, id));
      const [row] = opts.forUpdate ? await q.for('update') : await q;
      return row;
    },

    async findActiveByEmail(ex: Executor, email: string): Promise<Person | undefined> {
      const [row] = await ex
        .select()
        .from(people)
        .where(and(sql`lower(${people.email}) = lower(${email})`, isNull(people.erasedAt)));
      return row;
    },

    /** Names for a set of ids, in one query (audit log, exports). */
    async namesByIds(ex: Executor, ids: string[]): Promise<Map<string, string>> {
      const valid = [...new Set(ids.filter(isUuid))];
      if (!valid.length) return new Map();
      const rows = await ex.select({ id: people.id, name: people.name }).from(people).where(inArray(people.id, valid));
      return new Map(rows.map((r) => [r.id, r.name]));
    },

    /** The demo accounts still present, in one query (the home page lists them). */
    async findDemoByEmails(ex: Executor, emails: string[]): Promise<Pick<Person, 'email' | 'role' | 'name'>[]> {
      return ex
        .select({ email: people.email, role: people.role, name: people.name })
        .from(people)
        .where(
          and(
            eq(people.isDemo, true),
            isNull(people.erasedAt),
            inArray(
              sql`lower(${people.email})`,
              emails.map((e) => e.toLowerCase()),
            ),
          ),
        );
    },

    /** Keyset pagination by (name, id) so pages stay stable while people are added. */
    async list(ex: Executor, opts: { search?: string; after?: { name: string; id: string }; limit: number }): Promise<Person[]> {
      const conditions = [isNull(people.erasedAt)];
      if (opts.search) {
        const pattern = `%${opts.search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
        conditions.push(or(ilike(people.name, pattern), ilike(people.email, pattern), ilike(people.organisation, pattern))!);
      }
      // Natural order ("Delegate 2" before "Delegate 10"): the natural_sort collation (migration 0016).
      const naturalName = sql`(${people.name} collate natural_sort)`;
      if (opts.after) {
        // A row comparison, so the index on (name collate natural_sort, id) starts the page (an OR only filters).
        conditions.push(sql`(${naturalName}, ${people.id}) > (${opts.after.name}, ${opts.after.id}::uuid)`);
      }
      return ex
        .select()
        .from(people)
        .where(and(...conditions))
        .orderBy(naturalName, asc(people.id))
        .limit(opts.limit);
    },

    async setRole(ex: Executor, id: string, role: Role) {
      const [row] = await ex.update(people).set({ role, updatedAt: new Date() }).where(eq(people.id, id)).returning();
      return row;
    },

    async setErasureRequested(ex: Executor, id: string, request: { at: Date; by: string } | null) {
      await ex
        .update(people)
        .set({ erasureRequestedAt: request?.at ?? null, erasureRequestedBy: request?.by ?? null })
        .where(eq(people.id, id));
    },

    async setPendingEmail(ex: Executor, id: string, email: string | null, at: Date | null): Promise<Person | undefined> {
      const [row] = await ex
        .update(people)
        .set({ pendingEmail: email, emailChangeRequestedAt: at, updatedAt: new Date() })
        .where(eq(people.id, id))
        .returning();
      return row;
    },

    /** The new address was confirmed: it becomes the address, and the preferred way to write. */
    async applyPendingEmail(ex: Executor, id: string): Promise<Person | undefined> {
      const [row] = await ex
        .update(people)
        .set({ email: sql`${people.pendingEmail}`, pendingEmail: null, emailChangeRequestedAt: null, updatedAt: new Date() })
        .where(and(eq(people.id, id), isNotNull(people.pendingEmail)))
        .returning();
      return row;
    },

    async listErasureRequests(ex: Executor): Promise<Person[]> {
      return ex
        .select()
        .from(people)
        .where(and(isNotNull(people.erasureRequestedAt), isNull(people.erasedAt)))
        .orderBy(asc(people.erasureRequestedAt));
    },

    /**
     * Erasure keeps the row (and its experience) so that what the person took part in still
     * counts in the lay/professional mix, but nothing in it identifies them any more.
     */
    async anonymise(ex: Executor, id: string) {
      await ex
        .update(people)
        .set({
          name: 'Erased person',
          labelName: null,
          pronouns: null,
          organisation: null,
          email: null,
          phone: null,
          postalAddress: null,
          accessNeeds: [],
          accessNotes: null,
          bio: null,
          pendingEmail: null,
          emailChangeRequestedAt: null,
          role: 'participant',
          isDemo: false,
          erasedAt: new Date(),
          updatedAt: new Date(),
        })
        .where(eq(people.id, id));
    },

    async count(ex: Executor): Promise<number> {
      const [row] = await ex.select({ n: sql<number>`count(*)::int` }).from(people);
      return row?.n ?? 0;
    },

    /** Serialises role changes so two admins cannot demote each other at the same moment. */
    async lockRoles(ex: Executor) {
      await ex.execute(sql`select pg_advisory_xact_lock(724012)`);
    },

    async countActiveWithRole(ex: Executor, role: Role): Promise<number> {
      const [row] = await ex
        .select({ n: sql<number>`count(*)::int` })
        .from(people)
        .where(and(eq(people.role, role), isNull(people.erasedAt)));
      return row?.n ?? 0;
    },
  };
}

export type PeopleRepository = ReturnType<typeof createPeopleRepository>;
