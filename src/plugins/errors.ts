import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { isDatabaseUnavailable } from '../db/client.ts';
import { loggable } from '../logger.ts';
import { ConflictError, ForbiddenError, NotFoundError, TooManyRequestsError, ValidationError, type FieldError } from '../lib/validation.ts';
import { InvalidSignInLinkError } from '../modules/auth/auth-service.ts';
import { AccessDeniedError, UnauthenticatedError } from './access.ts';
import { CsrfError } from './web-session.ts';

interface Problem {
  status: number;
  title: string;
  detail: string;
  errors?: FieldError[];
}

const RETRY_AFTER_SECONDS = 30;

const isApi = (request: FastifyRequest) => request.url.startsWith('/api/');

export function sendProblem(reply: FastifyReply, p: Problem) {
  return reply
    .status(p.status)
    .type('application/problem+json')
    .send({ type: 'about:blank', title: p.title, status: p.status, detail: p.detail, ...(p.errors ? { errors: p.errors } : {}) });
}

/**
 * A route's schema refused the request before its handler ran. A malformed id in the path names
 * nothing (404); a bad body or query is a 400 listing each mistake, as a service's would.
 */
function schemaRefusal(err: FastifyError): Problem {
  if (err.validationContext === 'params') return { status: 404, title: 'Not found', detail: 'There is nothing with that id.' };
  const errors = (err.validation ?? []).map((v) => {
    const keys = (v.params as { keys?: string[] } | undefined)?.keys;
    if (v.keyword === 'unrecognized_keys' && keys) return { path: keys.join(', '), message: `Unknown field: ${keys.join(', ')}` };
    return { path: v.instancePath.slice(1).replaceAll('/', '.'), message: v.message ?? 'Not valid' };
  });
  return { status: 400, title: 'Bad request', detail: 'The request has mistakes in it.', errors };
}

function classify(err: FastifyError | Error): Problem | null {
  if (hasZodFastifySchemaValidationErrors(err)) return schemaRefusal(err as FastifyError);
  // The database is restarting or out of reach: nothing was written; try again shortly.
  if (isDatabaseUnavailable(err))
    return { status: 503, title: 'Service unavailable', detail: 'The service is busy, please try again in a minute.' };
  if (err instanceof ValidationError)
    return { status: 400, title: 'Bad request', detail: 'The request has mistakes in it.', errors: err.errors };
  if (err instanceof NotFoundError) return { status: 404, title: 'Not found', detail: err.message };
  if (err instanceof ConflictError) return { status: 409, title: 'Conflict', detail: err.message };
  if (err instanceof TooManyRequestsError) return { status: 429, title: 'Too many requests', detail: err.message };
  if (err instanceof UnauthenticatedError) return { status: 401, title: 'Unauthorised', detail: err.message };
  if (err instanceof ForbiddenError) return { status: 403, title: 'Forbidden', detail: err.message };
  if (err instanceof AccessDeniedError) {
    return err.hide
      ? { status: 404, title: 'Not found', detail: 'Not found' }
      : { status: 403, title: 'Forbidden', detail: 'You are not allowed to do this.' };
  }
  if (err instanceof CsrfError)
    return { status: 403, title: 'Form expired', detail: 'This form has expired or did not come from this site.' };
  if (err instanceof InvalidSignInLinkError) return { status: 400, title: 'Sign-in link not valid', detail: err.message };
  const code = (err as FastifyError).code;
  const status = (err as FastifyError).statusCode;
  if (code === 'FST_ERR_CTP_BODY_TOO_LARGE') return { status: 413, title: 'Too large', detail: 'The request is too large.' };
  if (code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE')
    return { status: 415, title: 'Unsupported media type', detail: 'Send JSON (application/json) or a form.' };
  if (code === 'FST_ERR_RATE_LIMIT' || status === 429) return { status: 429, title: 'Too many requests', detail: err.message };
  if (status && status >= 400 && status < 500)
    return { status, title: 'Bad request', detail: 'The request could not be read. Check it is well-formed.' };
  return null;
}

const PAGE_FOR: Record<number, { template: string; title: string }> = {
  400: { template: 'errors/400.njk', title: 'There is a problem with the request' },
  503: { template: 'errors/503.njk', title: 'The service is busy' },
  401: { template: 'errors/401.njk', title: 'Sign in to continue' },
  403: { template: 'errors/403.njk', title: 'You cannot do this' },
  404: { template: 'errors/404.njk', title: 'Page not found' },
};

/** One handler: plain-language pages for people, problem+json for the API, details only in the log. */
export function registerErrorHandlers(app: FastifyInstance) {
  app.setErrorHandler(async (err: Error, request, reply) => {
    const problem = classify(err);
    if (!problem) {
      request.log.error({ err: loggable(err) }, 'unhandled error');
      if (isApi(request))
        return sendProblem(reply, { status: 500, title: 'Server error', detail: 'Something went wrong on our side. Try again later.' });
      return reply.status(500).view('errors/500.njk');
    }
    if (problem.status === 503) {
      reply.header('retry-after', String(RETRY_AFTER_SECONDS));
      request.log.warn({ err: { message: err.message, code: (err as { code?: string }).code } }, 'database unavailable');
    } else if (problem.status >= 500) request.log.error({ err: loggable(err) }, 'error');
    if (isApi(request)) return sendProblem(reply, problem);
    if (problem.status === 401) return reply.redirect('/sign-in', 303);
    const page = PAGE_FOR[problem.status] ?? { template: 'errors/400.njk', title: problem.title };
    return reply.status(problem.status).view(page.template, { title: page.title, detail: problem.detail });
  });

  app.setNotFoundHandler(async (request, reply) => {
    if (isApi(request)) return sendProblem(reply, { status: 404, title: 'Not found', detail: 'There is nothing at this address.' });
    return reply.status(404).view('errors/404.njk', { title: 'Page not found' });
  });
}
