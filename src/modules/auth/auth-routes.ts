import { fieldFailure, parseForm } from '../../lib/forms.ts';
import { TooManyRequestsError } from '../../lib/validation.ts';
import type { WebSession } from '../../plugins/web-session.ts';
import { signInFormSchema, verifyFormSchema } from './auth-schemas.ts';
import { InvalidSignInLinkError, type AuthService } from './auth-service.ts';
import { flags } from '../../lib/route-schemas.ts';
import type { App } from '../../plugins/types.ts';
import { landingPathFor } from '../../plugins/access.ts';
import type { OidcService } from './oidc-service.ts';
import { oidcRoutes } from './oidc-routes.ts';

/** Sign-in by emailed single-use link; no passwords. */
export function authRoutes(
  app: App,
  deps: {
    auth: AuthService;
    session: WebSession;
    demo: boolean;
    smtp: boolean;
    linkMinutes: number;
    mailIsFailing: () => Promise<boolean>;
    oidc: OidcService;
    secure: boolean;
    publicUrl: string;
    limitPerMinute: number;
  },
) {
  const { auth, session } = deps;
  const page = { title: 'Sign in', demoHint: deps.demo && !deps.smtp, providers: deps.oidc.providers() };
  const { continuePage } = oidcRoutes(app, deps);

  app.get('/sign-in', { config: { access: 'public' } }, async (request, reply) => {
    if (request.person) return reply.redirect(landingPathFor(request.person.role), 303);
    return reply.view('auth/views/sign-in.njk', { ...page, values: {}, errors: {} });
  });

  app.post('/sign-in', { config: { access: 'public' } }, async (request, reply) => {
    const body = (request.body ?? {}) as Record<string, unknown>;
    const form = parseForm(signInFormSchema, body);
    if (!form.ok) return reply.status(400).view('auth/views/sign-in.njk', { ...page, values: body, ...form });
    // An address in a domain a provider serves signs in there, so its IT team can switch people off in one place.
    const provider = deps.oidc.providerForEmail(form.data.email);
    if (provider) return continuePage(reply, provider, form.data.email);
    try {
      await auth.requestSignIn(form.data.email, request.ip);
    } catch (err) {
      if (!(err instanceof TooManyRequestsError)) throw err;
      return reply.status(429).view('auth/views/sign-in.njk', { ...page, values: body, ...fieldFailure('email', err.message) });
    }
    return reply.redirect('/sign-in/check-email', 303);
  });

  // Whether the mail server is failing just now, for everyone alike: it says nothing about
  // whether the address typed has an account.
  app.get('/sign-in/check-email', { config: { access: 'public' } }, async (_request, reply) =>
    reply.view('auth/views/check-email.njk', {
      title: 'Check your email',
      demoHint: page.demoHint,
      linkMinutes: deps.linkMinutes,
      mailFailing: await deps.mailIsFailing(),
    }),
  );

  // The link opens a page with a button rather than signing in on GET: mail scanners that
  // follow links would otherwise spend the link before the person clicks it.
  app.get('/sign-in/verify', { schema: { querystring: flags('token') }, config: { access: 'public' } }, async (request, reply) => {
    const token = request.query.token ?? '';
    if (!verifyFormSchema.safeParse({ token }).success) {
      return reply.status(400).view('auth/views/link-problem.njk', {
        title: 'Sign-in link not valid',
        detail: 'This sign-in link is not complete. Check you copied the whole link, or ask for a new one.',
      });
    }
    return reply.view('auth/views/verify.njk', { title: 'Finish signing in', token });
  });

  app.post('/sign-in/verify', { config: { access: 'public' } }, async (request, reply) => {
    const form = parseForm(verifyFormSchema, request.body);
    if (!form.ok)
      return reply.status(400).view('auth/views/link-problem.njk', {
        title: 'Sign-in link not valid',
        detail: 'This sign-in link is not complete. Ask for a new one.',
      });
    try {
      const { sessionId, person } = await auth.completeSignIn(form.data.token);
      if (request.sessionId) await auth.signOut(request.sessionId);
      session.startSession(reply, sessionId);
      return reply.redirect(landingPathFor(person.role), 303);
    } catch (err) {
      if (!(err instanceof InvalidSignInLinkError)) throw err;
      return reply.status(400).view('auth/views/link-problem.njk', { title: 'Sign-in link not valid', detail: err.message });
    }
  });

  app.post('/sign-out', { config: { access: 'public' } }, async (request, reply) => {
    if (request.sessionId) await auth.signOut(request.sessionId);
    session.endSession(reply);
    return reply.redirect('/?signedOut=1', 303);
  });
}
