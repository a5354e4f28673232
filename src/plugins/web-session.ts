import type { FastifyInstance, FastifyReply } from 'fastify';
import type { ChangeFeed } from '../db/change-feed.ts';
import type { Person } from '../db/schema.ts';
import { hmac, randomToken, safeEqual, sha256 } from '../lib/tokens.ts';
import type { AuthService } from '../modules/auth/auth-service.ts';

export const SESSION_COOKIE = 'cp_session';
export const CSRF_COOKIE = 'cp_csrf';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
const isStaticPath = (url: string) => url.startsWith('/assets/') || url.startsWith('/nhsuk/') || url.startsWith('/static/');

export class CsrfError extends Error {}

/**
 * Cookie sessions stored in PostgreSQL, and CSRF protection for every state-changing form.
 * The CSRF token is an HMAC of a random per-browser cookie and the session id, so it needs no
 * storage and stops working when the session changes (a new one is made at sign-in).
 */
export function registerWebSession(
  app: FastifyInstance,
  opts: { secret: string; secure: boolean; authService: AuthService; feed?: ChangeFeed },
) {
  const sessions = rememberSessions(opts.authService, opts.feed);
  const cookieOptions = { path: '/', httpOnly: true, sameSite: 'lax' as const, secure: opts.secure };
  const csrfFor = (browserKey: string, sessionId: string | null, actionPath = '') =>
    hmac(opts.secret, `csrf:${browserKey}:${sessionId ?? ''}${actionPath ? `:${actionPath}` : ''}`);
  const pathOf = (url: string) => url.split('?')[0] ?? url;

  app.decorateRequest('person', null);
  app.decorateRequest('sessionId', null);
  app.decorateRequest('csrfToken', '');
  app.decorateRequest('csrfTokenFor', function csrfTokenFor() {
    return '';
  });

  app.addHook('onRequest', async (request, reply) => {
    if (isStaticPath(request.url) || request.routeOptions.config?.api) return;
    const sessionId = request.cookies[SESSION_COOKIE];
    if (sessionId) {
      const person = await sessions.personFor(sessionId);
      if (person) {
        request.person = person;
        request.sessionId = sessionId;
      } else {
        reply.clearCookie(SESSION_COOKIE, { path: '/' });
      }
    }
    let browserKey = request.cookies[CSRF_COOKIE];
    // A public page is the same for every visitor not signed in: it sets no cookie and holds no
    // token (the first form they open sets it), so it can be cached and shared.
    if (!request.person && request.routeOptions.config?.publicPage && (!browserKey || browserKey.length < 20)) return;
    if (!browserKey || browserKey.length < 20) {
      browserKey = randomToken(24);
      request.cookies[CSRF_COOKIE] = browserKey;
      reply.setCookie(CSRF_COOKIE, browserKey, cookieOptions);
    }
    request.csrfToken = csrfFor(browserKey, request.sessionId);
    const key = browserKey;
    request.csrfTokenFor = (actionPath: string) => csrfFor(key, request.sessionId, pathOf(actionPath));
  });

  app.addHook('preValidation', async (request) => {
    const config = request.routeOptions.config;
    if (SAFE_METHODS.has(request.method) || config?.api || config?.csrf === false || isStaticPath(request.url)) return;
    const body = (request.body ?? {}) as Record<string, unknown>;
    const sent = typeof body._csrf === 'string' ? body._csrf : '';
    const expected = config?.csrfBound ? request.csrfTokenFor(request.url) : request.csrfToken;
    if (!sent || !safeEqual(sent, expected)) throw new CsrfError();
    delete body._csrf;
  });

  return {
    startSession(reply: FastifyReply, sessionId: string) {
      if (reply.request.sessionId) sessions.forget(reply.request.sessionId);
      reply.setCookie(SESSION_COOKIE, sessionId, cookieOptions);
      // A new browser key too, so no token from before sign-in is valid after it.
      reply.setCookie(CSRF_COOKIE, randomToken(24), cookieOptions);
    },
    endSession(reply: FastifyReply) {
      if (reply.request.sessionId) sessions.forget(reply.request.sessionId);
      reply.clearCookie(SESSION_COOKIE, { path: '/' });
    },
    csrfFor,
  };
}

export type WebSession = ReturnType<typeof registerWebSession>;

/**
 * How long a process trusts a web session it has looked up without asking the database again:
 * a page costs no query for who is asking. Anything that changes a person (their role, their
 * email address, erasing them) reaches every process at once through the change feed, which
 * also empties this; signing out forgets the session at once in this process, and within this
 * bound in any other. While the feed is not listening nothing is remembered.
 */
export const SESSION_CACHE_MS = 5_000;
const SESSIONS_KEPT = 5_000;

function rememberSessions(auth: AuthService, feed: ChangeFeed | undefined) {
  // Keyed by the hash of the cookie, as the table is: no session id is held in memory.
  const kept = new Map<string, { person: Person; until: number; generation: number }>();
  return {
    async personFor(sessionId: string): Promise<Person | null> {
      if (!feed?.live) return (await auth.personForSession(sessionId))?.person ?? null;
      const key = sha256(sessionId);
      const hit = kept.get(key);
      if (hit && hit.until > Date.now() && hit.generation === feed.generation) return hit.person;
      const generation = feed.generation;
      const found = await auth.personForSession(sessionId);
      kept.delete(key);
      // Kept only if nothing changed while it was looked up.
      if (found && feed.live && feed.generation === generation) {
        if (kept.size >= SESSIONS_KEPT) kept.delete(kept.keys().next().value!);
        kept.set(key, { person: found.person, until: Date.now() + SESSION_CACHE_MS, generation });
      }
      return found?.person ?? null;
    },
    forget(sessionId: string) {
      kept.delete(sha256(sessionId));
    },
  };
}
