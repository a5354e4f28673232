import type { FastifyBaseLogger, FastifyInstance, RawReplyDefaultExpression, RawRequestDefaultExpression, RawServerDefault } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Person, Role } from '../db/schema.ts';

/** Who may use a route. Every route must declare one; see plugins/access.ts. */
export type Access = 'public' | 'signed-in' | readonly Role[];

declare module 'fastify' {
  interface FastifyRequest {
    person: Person | null;
    sessionId: string | null;
    csrfToken: string;
    /** The CSRF token for a form bound to one action (see `csrfBound`). */
    csrfTokenFor(actionPath: string): string;
    /** Set when this answer may be kept for other visitors (see plugins/page-cache.ts). */
    pageCache: { key: string; generation: number } | null;
  }
  interface FastifyContextConfig {
    access?: Access;
    /** JSON API route: bearer token instead of cookie, problem+json errors. */
    api?: boolean;
    /** A signed-in person without the role gets 404, as if the record did not exist. */
    hideWhenDenied?: boolean;
    /**
     * The form's CSRF token is bound to this route's path, so a token taken from another form
     * (an injected `formaction`, say) is refused. Used for role changes, edits and erasure.
     */
    csrfBound?: boolean;
    /**
     * No CSRF token: only for a form whose post is attributed to nobody, so a forged one can do
     * nothing that anyone could not do directly (page feedback). Public pages then hold no token.
     */
    csrf?: false;
    /**
     * The same page for every visitor who is not signed in: kept in memory until what it shows
     * changes, with an ETag and caching a CDN may use (plugins/page-cache.ts). Its template must
     * hold no CSRF token for such visitors.
     */
    publicPage?: boolean;
    /**
     * A signed-in page that may be kept for the one viewer it was made for, until what it shows
     * changes (plugins/viewer-cache.ts). Everything it shows must come from the tables the change
     * feed watches, the viewer and the URL.
     */
    keptForViewer?: boolean;
  }
  interface FastifyReply {
    view(template: string, context?: Record<string, unknown>): FastifyReply;
    /** A part of a page, rendered with no viewer's details, as a string (see plugins/views.ts). */
    fragment(template: string, context?: Record<string, unknown>): string;
  }
}

/** The app as routes see it: request and reply types come from each route's zod schemas. */
export type App = FastifyInstance<
  RawServerDefault,
  RawRequestDefaultExpression,
  RawReplyDefaultExpression,
  FastifyBaseLogger,
  ZodTypeProvider
>;
