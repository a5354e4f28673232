import { sql } from 'drizzle-orm';
import { sha256 } from '../../lib/tokens.ts';
import { rowsOf, type PersonalDataHolder } from '../privacy/personal-data.ts';
import type { AuthRepository } from './auth-repository.ts';

/** The key sign-in requests are counted under: a hash, so the table never holds an address. */
export const signInRequestKey = (email: string) => sha256(`sign-in-request:${email.trim().toLowerCase()}`);

/** Sign-in links, sessions and API tokens: exported as dates, deleted on erasure. */
export function authPersonalData(auth: AuthRepository): PersonalDataHolder {
  return {
    module: 'auth',
    tables: {
      sign_in_tokens: 'hashes of sign-in links and when they were used',
      sign_in_requests: 'a hash of the address and the IP of each sign-in request, for 24 hours (rate limits)',
      web_sessions: 'signed-in sessions: a hash of the id, when they began and were last used',
      api_tokens: 'hashes of API tokens, their names and when they were used',
      person_identities: 'the organisation accounts (identity provider and its id for the person) they sign in with',
      oidc_sign_ins: 'sign-ins begun at an identity provider, for ten minutes; nobody is known until one finishes',
    },
    personColumns: {
      'sign_in_tokens.person_id': 'deleted',
      'web_sessions.person_id': 'deleted',
      'api_tokens.person_id': 'deleted',
      'person_identities.person_id': 'deleted',
    },
    async export(ex, personId) {
      const [links, sessions, tokens, identities] = await Promise.all([
        rowsOf<{ created_at: Date; used_at: Date | null }>(
          ex,
          sql`select created_at, used_at from sign_in_tokens where person_id = ${personId} order by created_at desc`,
        ),
        rowsOf<{ created_at: Date; last_seen_at: Date }>(
          ex,
          sql`select created_at, last_seen_at from web_sessions where person_id = ${personId} order by created_at desc`,
        ),
        rowsOf<{ name: string; created_at: Date; last_used_at: Date | null; revoked_at: Date | null }>(
          ex,
          sql`select name, created_at, last_used_at, revoked_at from api_tokens where person_id = ${personId} order by created_at desc`,
        ),
        rowsOf<{ issuer: string; subject: string; created_at: Date; last_signed_in_at: Date }>(
          ex,
          sql`select issuer, subject, created_at, last_signed_in_at from person_identities where person_id = ${personId} order by created_at`,
        ),
      ]);
      const iso = (d: Date | null) => (d ? new Date(d).toISOString() : null);
      return {
        signInLinks: links.map((l) => ({ sentAt: iso(l.created_at), usedAt: iso(l.used_at) })),
        sessions: sessions.map((s) => ({ startedAt: iso(s.created_at), lastUsedAt: iso(s.last_seen_at) })),
        apiTokens: tokens.map((t) => ({
          name: t.name,
          createdAt: iso(t.created_at),
          lastUsedAt: iso(t.last_used_at),
          revokedAt: iso(t.revoked_at),
        })),
        organisationAccounts: identities.map((i) => ({
          provider: i.issuer,
          accountId: i.subject,
          linkedAt: iso(i.created_at),
          lastSignedInAt: iso(i.last_signed_in_at),
        })),
      };
    },
    async forget(tx, person) {
      await auth.forgetCredentials(tx, person.id);
      const keys = [person.email, person.pendingEmail].filter((e): e is string => !!e).map(signInRequestKey);
      for (const key of keys) await tx.execute(sql`delete from sign_in_requests where email_key = ${key}`);
    },
  };
}
