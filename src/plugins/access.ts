import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Role } from '../db/schema.ts';
import type { AuthService } from '../modules/auth/auth-service.ts';

/** Who is acting: a signed-in person or an API token's owner. */
export interface Actor {
  personId: string;
  role: Role;
}

const STAFF_ROLES: readonly Role[] = ['admin', 'staff'];
export const isStaff = (actor: Actor | null | undefined) => !!actor && STAFF_ROLES.includes(actor.role);

/** Where a person lands after signing in: staff on their work, everyone else on their account. */
export const landingPathFor = (role: Role) => (STAFF_ROLES.includes(role) ? '/work' : '/account');

export class UnauthenticatedError extends Error {}
export class AccessDeniedError extends Error {
  constructor(public readonly hide: boolean) {
    super('Access denied');
  }
}

const UNDECLARED_OK = /^\/(assets|nhsuk|static)\//;

/**
 * Every route says who may use it (`config.access`); a route that forgets stops start-up.
 * API routes authenticate with a bearer token, pages with the session cookie.
 */
export function registerAccess(app: FastifyInstance, opts: { authService: AuthService }) {
  app.addHook('onRoute', (route) => {
    if (UNDECLARED_OK.test(route.url) || route.url === '*' || route.method === 'HEAD') return;
    if (!route.config?.access)
      throw new Error(`Route ${String(route.method)} ${route.url} does not declare who may use it (config.access)`);
  });

  // Before the route's schema is checked: someone who may not use a route learns nothing from it,
  // not even whether their body was well-formed.
  app.addHook('preValidation', async (request) => {
    const config = request.routeOptions.config;
    const access = config?.access;
    if (!access || access === 'public') return;
    if (config.api) {
      const token = bearerToken(request);
      const person = token ? await opts.authService.personForApiToken(token) : null;
      if (!person) throw new UnauthenticatedError('A valid API token is needed: Authorization: Bearer <token>');
      request.person = person;
    }
    if (!request.person) throw new UnauthenticatedError('Sign in to see this page');
    if (access === 'signed-in') return;
    if (!access.includes(request.person.role)) throw new AccessDeniedError(!!config.hideWhenDenied);
  });
}

/** The token of an `Authorization: Bearer <token>` header, or undefined. */
export function bearerToken(request: FastifyRequest): string | undefined {
  return /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '')?.[1];
}

/** The signed-in person as the services' Actor. Only for routes that require sign-in. */
export function actorOf(request: FastifyRequest): Actor {
  const person = request.person;
  if (!person) throw new UnauthenticatedError('Sign in to continue');
  return { personId: person.id, role: person.role };
}
