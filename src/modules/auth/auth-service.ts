import type { Config } from '../../config.ts';
import type { Db, Executor } from '../../db/client.ts';
import type { Person } from '../../db/schema.ts';
import { randomUUID } from 'node:crypto';
import { hmac, randomToken, sha256 } from '../../lib/tokens.ts';
import { NotFoundError, TooManyRequestsError } from '../../lib/validation.ts';
import type { AuditTrail } from '../audit/audit-service.ts';
import type { EmailComposers, EmailRequest } from '../email/email-requests.ts';
import type { PeopleLookup } from '../people/people-service.ts';
import { signInRequestKey } from './auth-privacy.ts';
import type { AuthRepository } from './auth-repository.ts';
import { isUuid } from '../../db/ids.ts';

export class InvalidSignInLinkError extends Error {}

export interface AuthServiceDeps {
  db: Db;
  config: Pick<Config, 'publicUrl' | 'signIn' | 'session' | 'branding'>;
  auth: AuthRepository;
  people: PeopleLookup;
  audit: AuditTrail;
  /** Signs link tokens, so a link can be rebuilt when its email is sent and nothing plaintext is stored. */
  secret: string;
  sendEmail: (request: EmailRequest) => Promise<void>;
}

const SESSION_TOUCH_MS = 60_000;

/**
 * How long a process trusts an API token it has looked up, without asking the database again.
 * In this process, revoking a token, erasing its owner or changing their email address forgets it
 * at once. Another process (several behind a load balancer) finds out when its copy runs out: a
 * revoked token, or the token of someone erased, removed or given a lesser role, is refused
 * everywhere within this bound. Unknown and revoked tokens are never remembered.
 */
export const API_TOKEN_CACHE_MS = 5_000;
const API_TOKEN_CACHE_MAX = 1_000;

export function createAuthService(deps: AuthServiceDeps) {
  const { db, config, auth, people, audit } = deps;
  const windowMs = 15 * 60_000;
  // The link's token is derived from the row's id: the job queue carries only the id, and the
  // table only the token's hash.
  const signInToken = (tokenId: string) => hmac(deps.secret, `sign-in:${tokenId}`);

  /** The sign-in email, built when its job runs; nothing if the link was used or has expired. */
  const composers: EmailComposers = {
    'sign-in': async ({ tokenId }) => {
      const row = tokenId && isUuid(tokenId) ? await auth.findSignInTokenById(db, tokenId) : undefined;
      if (!row || row.usedAt || row.expiresAt.getTime() <= Date.now()) return null;
      const person = await people.findById(row.personId, db);
      if (!person?.email || person.erasedAt) return null;
      const minutes = Math.max(1, Math.round((row.expiresAt.getTime() - row.createdAt.getTime()) / 60_000));
      return {
        to: person.email,
        subject: `Your link to sign in to ${config.branding.serviceName}`,
        text: [
          `Hello ${person.name},`,
          '',
          `Use this link to sign in to ${config.branding.serviceName}:`,
          `${config.publicUrl}/sign-in/verify?token=${signInToken(row.id)}`,
          '',
          `The link works once, for ${minutes} minutes.`,
          'If you did not ask to sign in, you can ignore this email. Nobody can sign in without this link.',
          '',
          config.branding.orgName,
        ].join('\n'),
        kind: 'sign-in',
      };
    },
  };

  /**
   * API tokens remembered by the hash of the token: only live ones, at most API_TOKEN_CACHE_MAX.
   * `generation` moves on whenever some are forgotten, so a look-up that started before cannot
   * put back what was just forgotten.
   */
  const tokenCache = new Map<string, { person: Person; tokenId: string; until: number }>();
  const tokenLookups = new Map<string, Promise<Person | null>>();
  let generation = 0;

  function forgetApiTokens(which: (entry: { person: Person; tokenId: string }) => boolean) {
    generation++;
    tokenLookups.clear();
    for (const [hash, entry] of tokenCache) if (which(entry)) tokenCache.delete(hash);
  }
  // A person erased, or whose email address changed, loses their tokens: forget them here at once.
  auth.onCredentialsEnded((personId) => forgetApiTokens((entry) => entry.person.id === personId));

  async function lookUpApiToken(tokenHash: string): Promise<Person | null> {
    const startedIn = generation;
    const found = await auth.findLiveApiToken(db, tokenHash);
    if (!found) return null;
    if (!found.token.lastUsedAt || Date.now() - found.token.lastUsedAt.getTime() > SESSION_TOUCH_MS) {
      await auth.touchApiToken(db, found.token.id);
    }
    if (startedIn === generation) {
      if (tokenCache.size >= API_TOKEN_CACHE_MAX) tokenCache.delete(tokenCache.keys().next().value!);
      tokenCache.set(tokenHash, { person: found.person, tokenId: found.token.id, until: Date.now() + API_TOKEN_CACHE_MS });
    }
    return found.person;
  }

  /** A fresh session for someone just proved to be who they are; its id is new at every sign-in. */
  async function openSession(tx: Executor, person: Person, how?: { provider: string }): Promise<string> {
    const sessionId = randomToken();
    await auth.insertSession(tx, {
      idHash: sha256(sessionId),
      personId: person.id,
      expiresAt: new Date(Date.now() + config.session.absoluteHours * 3_600_000),
    });
    await audit.insert(tx, {
      actorId: person.id,
      action: 'person.signed_in',
      subjectType: 'person',
      subjectId: person.id,
      ...(how ? { details: { with: how.provider } } : {}),
    });
    return sessionId;
  }

  return {
    composers,

    /**
     * Sends a single-use sign-in link if the address belongs to someone. The answer is the
     * same either way, so the form cannot be used to find out who has an account.
     */
    async requestSignIn(email: string, ip: string): Promise<void> {
      // Counted by a hash of the address: the table never holds the address itself.
      const emailKey = signInRequestKey(email);
      const since = new Date(Date.now() - windowMs);
      const tokenId = await db.transaction(async (tx) => {
        await auth.lockKey(tx, `sign-in:${emailKey}`);
        await auth.lockKey(tx, `sign-in-ip:${ip}`);
        const [byEmail, byIp] = await Promise.all([
          auth.countRecentRequests(tx, { emailKey }, since),
          auth.countRecentRequests(tx, { ip }, since),
        ]);
        if (byEmail >= config.signIn.limitPerEmail || byIp >= config.signIn.limitPerIp) {
          throw new TooManyRequestsError('You have asked for too many sign-in links. Wait 15 minutes, then try again.');
        }
        await auth.recordRequest(tx, emailKey, ip);
        const person = await people.findActiveByEmail(email.trim(), tx);
        if (!person) return null;
        const id = randomUUID();
        await auth.insertSignInToken(tx, {
          id,
          personId: person.id,
          tokenHash: sha256(signInToken(id)),
          expiresAt: new Date(Date.now() + config.signIn.linkMinutes * 60_000),
        });
        return id;
      });
      if (tokenId) await deps.sendEmail({ kind: 'sign-in', ref: { tokenId } });
    },

    /** Spends a link and opens a fresh session; the session id is new at every sign-in. */
    async completeSignIn(token: string): Promise<{ sessionId: string; person: Person }> {
      return db.transaction(async (tx) => {
        const row = await auth.findSignInToken(tx, sha256(token));
        if (!row)
          throw new InvalidSignInLinkError('This sign-in link is not valid. Check you copied the whole link, or ask for a new one.');
        if (row.usedAt) throw new InvalidSignInLinkError('This sign-in link has already been used. Ask for a new one.');
        if (row.expiresAt.getTime() <= Date.now()) throw new InvalidSignInLinkError('This sign-in link has expired. Ask for a new one.');
        const person = await people.findById(row.personId, tx);
        if (!person || person.erasedAt) throw new InvalidSignInLinkError('This sign-in link is not valid. Ask for a new one.');
        await auth.spendSignInTokens(tx, person.id);
        return { sessionId: await openSession(tx, person), person };
      });
    },

    openSession,

    /** The signed-in person for a session cookie, or null once it is idle or too old. */
    async personForSession(sessionId: string): Promise<{ person: Person; idHash: string } | null> {
      const idHash = sha256(sessionId);
      const idleSince = new Date(Date.now() - config.session.idleMinutes * 60_000);
      const found = await auth.findLiveSession(db, idHash, idleSince);
      if (!found) {
        // Idle, too old or unknown: make sure it can never come back.
        await auth.deleteSession(db, idHash);
        return null;
      }
      // Touching on every request would write on every page view; once a minute is enough.
      if (Date.now() - found.lastSeenAt.getTime() > SESSION_TOUCH_MS) await auth.touchSession(db, idHash);
      return { person: found.person, idHash };
    },

    /** Removes what has expired: sessions, spent links and old rate-limit counts. */
    async removeExpired(): Promise<void> {
      const idleSince = new Date(Date.now() - config.session.idleMinutes * 60_000);
      await auth.deleteExpired(db, { idleSince, before: new Date(Date.now() - 24 * 3_600_000) });
    },

    async signOut(sessionId: string) {
      await auth.deleteSession(db, sha256(sessionId));
    },

    async createApiToken(actorId: string | null, personId: string, name: string): Promise<string> {
      const token = `cpt_${randomToken()}`;
      await db.transaction(async (tx) => {
        const created = await auth.insertApiToken(tx, { personId, name, tokenHash: sha256(token) });
        await audit.insert(tx, {
          actorId,
          action: 'api_token.created',
          subjectType: 'api_token',
          subjectId: created.id,
          details: { personId },
        });
      });
      return token;
    },

    /**
     * The owner of a live API token, or null. Remembered for API_TOKEN_CACHE_MS (see there for how
     * revocation and erasure are respected), so a script making many calls costs one look-up per
     * few seconds, not one per call.
     */
    async personForApiToken(token: string): Promise<Person | null> {
      const tokenHash = sha256(token);
      const hit = tokenCache.get(tokenHash);
      if (hit && hit.until > Date.now()) return hit.person;
      if (hit) tokenCache.delete(tokenHash);
      // Calls arriving together while the token is looked up share the one look-up.
      let pending = tokenLookups.get(tokenHash);
      if (!pending) {
        pending = lookUpApiToken(tokenHash).finally(() => {
          if (tokenLookups.get(tokenHash) === pending) tokenLookups.delete(tokenHash);
        });
        tokenLookups.set(tokenHash, pending);
      }
      return pending;
    },

    listApiTokens() {
      return auth.listApiTokens(db);
    },

    async revokeApiToken(actorId: string, id: string) {
      if (!isUuid(id)) throw new NotFoundError('No live token with that id');
      await db.transaction(async (tx) => {
        const revoked = await auth.revokeApiToken(tx, id);
        if (!revoked) throw new NotFoundError('No live token with that id');
        await audit.insert(tx, { actorId, action: 'api_token.revoked', subjectType: 'api_token', subjectId: id });
      });
      // After the commit, so no look-up can find the token live again and remember it.
      forgetApiTokens((entry) => entry.tokenId === id);
    },
  };
}

export type AuthService = ReturnType<typeof createAuthService>;
