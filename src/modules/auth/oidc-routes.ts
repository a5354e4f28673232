import type { FastifyReply } from 'fastify';
import { z } from 'zod';
import type { App } from '../../plugins/types.ts';
import type { WebSession } from '../../plugins/web-session.ts';
import { landingPathFor } from '../../plugins/access.ts';
import type { AuthService } from './auth-service.ts';
import { OIDC_CALLBACK_PATH, OidcSignInError, type OidcService } from './oidc-service.ts';

/**
 * The state a sign-in at a provider must bring back, held by the browser that began it. Over
 * https it is a `__Host-` cookie, which no other subdomain (and no plain-http answer) can set.
 */
export const OIDC_STATE_COOKIE = 'cp_oidc_state';
const stateCookie = (secure: boolean) => (secure ? `__Host-${OIDC_STATE_COOKIE}` : OIDC_STATE_COOKIE);

const hint = z.string().trim().max(254).pipe(z.email()).optional().catch(undefined);

/**
 * "Sign in with {provider}": off to the provider, and back to the callback. Both are GETs, as
 * the provider's redirect is; the state cookie (SameSite=Lax, sent on that top-level redirect)
 * ties the callback to the browser that began it. An address typed into the email form that a
 * provider serves gets a page that sends its owner there (`continuePage`).
 */
export function oidcRoutes(
  app: App,
  deps: { oidc: OidcService; auth: AuthService; session: WebSession; secure: boolean; publicUrl: string; limitPerMinute: number },
) {
  const { oidc } = deps;
  const cookie = stateCookie(deps.secure);

  function problem(reply: FastifyReply, err: OidcSignInError, providerId?: string) {
    return reply.status(err.reason === 'unreachable' ? 503 : 400).view('auth/views/oidc-problem.njk', {
      title: 'You are not signed in',
      detail: err.message,
      retry: providerId ? oidc.providers().find((p) => p.id === providerId) : undefined,
    });
  }

  // Each start writes a row and may ask the provider for its settings: limited per IP as public forms are.
  app.get(
    '/sign-in/oidc/:provider',
    {
      schema: { params: z.object({ provider: z.string().regex(/^[1-9]$/) }), querystring: z.object({ hint }) },
      config: { access: 'public', rateLimit: { max: deps.limitPerMinute, timeWindow: 60_000 } },
    },
    async (request, reply) => {
      try {
        const { url, state } = await oidc.begin(request.params.provider, { loginHint: request.query.hint });
        reply.setCookie(cookie, state, { path: '/', httpOnly: true, sameSite: 'lax', secure: deps.secure, maxAge: 600 });
        return reply.redirect(url, 303);
      } catch (err) {
        if (err instanceof OidcSignInError) return problem(reply, err, request.params.provider);
        throw err;
      }
    },
  );

  app.get(OIDC_CALLBACK_PATH, { config: { access: 'public' } }, async (request, reply) => {
    const browserState = request.cookies[cookie];
    reply.clearCookie(cookie, { path: '/' });
    try {
      // The URL as the provider was told it (PUBLIC_URL), whatever host a proxy in front says.
      const { sessionId, person } = await oidc.finish(new URL(`${deps.publicUrl}${request.url}`), browserState);
      if (request.sessionId) await deps.auth.signOut(request.sessionId);
      deps.session.startSession(reply, sessionId);
      return reply.redirect(landingPathFor(person.role), 303);
    } catch (err) {
      if (err instanceof OidcSignInError) return problem(reply, err);
      throw err;
    }
  });

  return {
    /**
     * A page with a link rather than a redirect: the form's CSP (`form-action 'self'`) would stop
     * a redirect from its submission to the provider, and to wherever the provider sends people on.
     */
    continuePage(reply: FastifyReply, provider: { id: string; name: string }, email: string) {
      return reply.view('auth/views/oidc-continue.njk', {
        title: `Sign in with ${provider.name}`,
        provider,
        domain: email.slice(email.lastIndexOf('@') + 1),
        href: `/sign-in/oidc/${provider.id}?hint=${encodeURIComponent(email)}`,
      });
    },
  };
}
