import type { FastifyReply } from 'fastify';
import { z } from 'zod';
import type { App } from '../../plugins/types.ts';
import type { WebSession } from '../../plugins/web-session.ts';
import { landingPathFor } from '../../plugins/access.ts';
import type { AuthService } from './auth-service.ts';
import { OIDC_CALLBACK_PATH, OidcSignInError, type OidcService } from './oidc-service.ts';

/** The state a sign-in at a provider must bring back, held by the browser that began it. */
export const OIDC_STATE_COOKIE = 'cp_oidc_state';
const COOKIE_PATH = '/sign-in/oidc';

/**
 * "Sign in with {provider}": off to the provider, and back to the callback. Both are GETs, as
 * the provider's redirect is; the state cookie (SameSite=Lax, sent on that top-level redirect)
 * ties the callback to the browser that began it. Returns `toProvider` for the sign-in form,
 * which sends addresses in a provider's domains straight there.
 */
export function oidcRoutes(
  app: App,
  deps: { oidc: OidcService; auth: AuthService; session: WebSession; secure: boolean; publicUrl: string },
) {
  const { oidc } = deps;

  function problem(reply: FastifyReply, err: OidcSignInError, providerId?: string) {
    return reply.status(err.reason === 'unreachable' ? 503 : 400).view('auth/views/oidc-problem.njk', {
      title: 'You are not signed in',
      detail: err.message,
      retry: providerId ? oidc.providers().find((p) => p.id === providerId) : undefined,
    });
  }

  async function toProvider(reply: FastifyReply, providerId: string, loginHint?: string) {
    try {
      const { url, state } = await oidc.begin(providerId, { loginHint });
      reply.setCookie(OIDC_STATE_COOKIE, state, { path: COOKIE_PATH, httpOnly: true, sameSite: 'lax', secure: deps.secure, maxAge: 600 });
      return reply.redirect(url, 303);
    } catch (err) {
      if (err instanceof OidcSignInError) return problem(reply, err, providerId);
      throw err;
    }
  }

  app.get(
    '/sign-in/oidc/:provider',
    { schema: { params: z.object({ provider: z.string().regex(/^[1-9]$/) }) }, config: { access: 'public' } },
    async (request, reply) => toProvider(reply, request.params.provider),
  );

  app.get(OIDC_CALLBACK_PATH, { config: { access: 'public' } }, async (request, reply) => {
    const browserState = request.cookies[OIDC_STATE_COOKIE];
    reply.clearCookie(OIDC_STATE_COOKIE, { path: COOKIE_PATH });
    try {
      // The URL as the provider was told it (PUBLIC_URL), whatever host a proxy in front says.
      const { sessionId, person } = await oidc.finish(new URL(request.url, deps.publicUrl), browserState);
      if (request.sessionId) await deps.auth.signOut(request.sessionId);
      deps.session.startSession(reply, sessionId);
      return reply.redirect(landingPathFor(person.role), 303);
    } catch (err) {
      if (err instanceof OidcSignInError) return problem(reply, err);
      throw err;
    }
  });

  return { toProvider };
}
