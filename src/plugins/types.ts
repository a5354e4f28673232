import type { Person, Role } from '../db/schema.ts';

/** Who may use a route. Every route must declare one; see plugins/access.ts. */
export type Access = 'public' | 'signed-in' | readonly Role[];

declare module 'fastify' {
  interface FastifyRequest {
    person: Person | null;
    sessionId: string | null;
    csrfToken: string;
    cspNonce: string;
  }
  interface FastifyContextConfig {
    access?: Access;
    /** JSON API route: bearer token instead of cookie, problem+json errors. */
    api?: boolean;
    /** A signed-in person without the role gets 404, as if the record did not exist. */
    hideWhenDenied?: boolean;
  }
  interface FastifyReply {
    view(template: string, context?: Record<string, unknown>): FastifyReply;
  }
}
