import type { FastifyInstance, FastifyReply } from 'fastify';
import { hmac, randomToken, safeEqual } from '../lib/tokens.ts';
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
export function registerWebSession(app: FastifyInstance, opts: { secret: string; secure: boolean; authService: AuthService }) {
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
      const found = await opts.authService.personForSession(sessionId);
      if (found) {
        request.person = found.person;
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
      reply.setCookie(SESSION_COOKIE, sessionId, cookieOptions);
      // A new browser key too, so no token from before sign-in is valid after it.
      reply.setCookie(CSRF_COOKIE, randomToken(24), cookieOptions);
    },
    endSession(reply: FastifyReply) {
      reply.clearCookie(SESSION_COOKIE, { path: '/' });
    },
    csrfFor,
  };
}

export type WebSession = ReturnType<typeof registerWebSession>;
