import { and, eq, gt, isNull, lt, ne, or, sql } from 'drizzle-orm';
import type { Executor } from '../../db/client.ts';
import {
  apiTokens,
  oidcSignIns,
  people,
  personIdentities,
  signInRequests,
  signInTokens,
  webSessions,
  type Person,
} from '../../db/schema.ts';

export function createAuthRepository() {
  const credentialsEnded = new Set<(personId: string) => void>();
  return {
    /** Told when a person's ways in are removed, so whatever remembers them (API tokens) forgets them. */
    onCredentialsEnded(listener: (personId: string) => void) {
      credentialsEnded.add(listener);
    },
    async countRecentRequests(ex: Executor, by: { emailKey?: string; ip?: string }, since: Date): Promise<number> {
      const where = by.emailKey
        ? and(eq(signInRequests.emailKey, by.emailKey), gt(signInRequests.createdAt, since))
        : and(eq(signInRequests.ip, by.ip!), gt(signInRequests.createdAt, since));
      const [row] = await ex
        .select({ n: sql<number>`count(*)::int` })
        .from(signInRequests)
        .where(where);
      return row?.n ?? 0;
    },
    async recordRequest(ex: Executor, emailKey: string, ip: string) {
      await ex.insert(signInRequests).values({ emailKey, ip });
    },
    /** Serialises requests for one address or IP so that the limit holds under a burst. */
    async lockKey(ex: Executor, key: string) {
      await ex.execute(sql`select pg_advisory_xact_lock(hashtext(${key}))`);
    },

    async insertSignInToken(ex: Executor, row: { id: string; personId: string; tokenHash: string; expiresAt: Date }) {
      await ex.insert(signInTokens).values(row);
    },
    async findSignInTokenById(ex: Executor, id: string) {
      const [row] = await ex.select().from(signInTokens).where(eq(signInTokens.id, id));
      return row;
    },
    async findSignInToken(ex: Executor, tokenHash: string) {
      const [row] = await ex.select().from(signInTokens).where(eq(signInTokens.tokenHash, tokenHash)).for('update');
      return row;
    },
    /** Using one link spends every other link that person still holds. */
    async spendSignInTokens(ex: Executor, personId: string) {
      await ex
        .update(signInTokens)
        .set({ usedAt: new Date() })
        .where(and(eq(signInTokens.personId, personId), isNull(signInTokens.usedAt)));
    },

    async insertSession(ex: Executor, row: { idHash: string; personId: string; expiresAt: Date }) {
      await ex.insert(webSessions).values(row);
    },
    async findLiveSession(ex: Executor, idHash: string, idleSince: Date): Promise<{ person: Person; lastSeenAt: Date } | undefined> {
      const [row] = await ex
        .select({ person: people, lastSeenAt: webSessions.lastSeenAt })
        .from(webSessions)
        .innerJoin(people, eq(people.id, webSessions.personId))
        .where(
          and(
            eq(webSessions.idHash, idHash),
            gt(webSessions.expiresAt, new Date()),
            gt(webSessions.lastSeenAt, idleSince),
            isNull(people.erasedAt),
          ),
        );
      return row;
    },
    async touchSession(ex: Executor, idHash: string) {
      await ex.update(webSessions).set({ lastSeenAt: new Date() }).where(eq(webSessions.idHash, idHash));
    },
    async deleteSession(ex: Executor, idHash: string) {
      await ex.delete(webSessions).where(eq(webSessions.idHash, idHash));
    },
    async deleteOtherSessions(ex: Executor, personId: string, keepIdHash: string) {
      await ex.delete(webSessions).where(and(eq(webSessions.personId, personId), ne(webSessions.idHash, keepIdHash)));
    },

    async insertApiToken(ex: Executor, row: { personId: string; name: string; tokenHash: string }) {
      const [created] = await ex.insert(apiTokens).values(row).returning();
      return created!;
    },
    async findLiveApiToken(ex: Executor, tokenHash: string) {
      const [row] = await ex
        .select({ token: apiTokens, person: people })
        .from(apiTokens)
        .innerJoin(people, eq(people.id, apiTokens.personId))
        .where(and(eq(apiTokens.tokenHash, tokenHash), isNull(apiTokens.revokedAt), isNull(people.erasedAt)));
      return row;
    },
    async touchApiToken(ex: Executor, id: string) {
      await ex.update(apiTokens).set({ lastUsedAt: new Date() }).where(eq(apiTokens.id, id));
    },
    async listApiTokens(ex: Executor) {
      return ex
        .select({ token: apiTokens, ownerName: people.name, ownerRole: people.role })
        .from(apiTokens)
        .innerJoin(people, eq(people.id, apiTokens.personId))
        .orderBy(sql`${apiTokens.revokedAt} is not null`, sql`${apiTokens.createdAt} desc`);
    },
    async revokeApiToken(ex: Executor, id: string): Promise<boolean> {
      const rows = await ex
        .update(apiTokens)
        .set({ revokedAt: new Date() })
        .where(and(eq(apiTokens.id, id), isNull(apiTokens.revokedAt)))
        .returning({ id: apiTokens.id });
      return rows.length > 0;
    },

    async insertOidcSignIn(ex: Executor, row: typeof oidcSignIns.$inferInsert) {
      await ex.insert(oidcSignIns).values(row);
    },
    /** Takes a begun sign-in out as it is read: a state works once, whatever happens next. */
    async takeOidcSignIn(ex: Executor, stateHash: string) {
      const [row] = await ex.delete(oidcSignIns).where(eq(oidcSignIns.stateHash, stateHash)).returning();
      return row;
    },
    async findPersonByIdentity(ex: Executor, issuer: string, subject: string): Promise<Person | undefined> {
      const [row] = await ex
        .select({ person: people })
        .from(personIdentities)
        .innerJoin(people, eq(people.id, personIdentities.personId))
        .where(and(eq(personIdentities.issuer, issuer), eq(personIdentities.subject, subject), isNull(people.erasedAt)));
      return row?.person;
    },
    async hasIdentityAt(ex: Executor, personId: string, issuer: string): Promise<boolean> {
      const rows = await ex
        .select({ subject: personIdentities.subject })
        .from(personIdentities)
        .where(and(eq(personIdentities.personId, personId), eq(personIdentities.issuer, issuer)));
      return rows.length > 0;
    },
    async linkIdentity(ex: Executor, row: { issuer: string; subject: string; personId: string }) {
      await ex
        .insert(personIdentities)
        .values(row)
        .onConflictDoUpdate({ target: [personIdentities.issuer, personIdentities.subject], set: { lastSignedInAt: new Date() } });
    },

    async deleteExpired(ex: Executor, opts: { idleSince: Date; before: Date }) {
      await ex.delete(webSessions).where(or(lt(webSessions.expiresAt, new Date()), lt(webSessions.lastSeenAt, opts.idleSince)));
      await ex.delete(oidcSignIns).where(lt(oidcSignIns.expiresAt, new Date()));
      await ex.delete(signInTokens).where(lt(signInTokens.expiresAt, opts.before));
      await ex.delete(signInRequests).where(lt(signInRequests.createdAt, opts.before));
    },

    /**
     * Used by erasure and an address change: no way back in for an erased person, and an
     * organisation account is linked again by its verified address at the next sign-in.
     */
    async forgetCredentials(ex: Executor, personId: string) {
      await ex.delete(webSessions).where(eq(webSessions.personId, personId));
      await ex.delete(personIdentities).where(eq(personIdentities.personId, personId));
      await ex.delete(signInTokens).where(eq(signInTokens.personId, personId));
      await ex.delete(apiTokens).where(eq(apiTokens.personId, personId));
      // Told now, inside the caller's transaction: a look-up between here and its commit still
      // finds the token, and is remembered for at most API_TOKEN_CACHE_MS (auth-service.ts).
      for (const listener of credentialsEnded) listener(personId);
    },
  };
}

export type AuthRepository = ReturnType<typeof createAuthRepository>;
