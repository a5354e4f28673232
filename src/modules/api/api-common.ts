import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { fieldErrors, ValidationError } from '../../lib/validation.ts';
import { sendProblem } from '../../plugins/errors.ts';

/** Parses an API body or query with a zod schema; bad input becomes a 400 problem and changes nothing. */
export function parseApi<S extends z.ZodType>(schema: S, value: unknown): z.infer<S> {
  const parsed = schema.safeParse(value ?? {});
  if (!parsed.success) throw new ValidationError(fieldErrors(parsed.error));
  return parsed.data;
}

/** Writes to the API take JSON only; a form post to the API is a mistake, not a request. */
export async function requireJson(request: FastifyRequest, reply: FastifyReply) {
  if (request.method !== 'POST' && request.method !== 'PUT' && request.method !== 'PATCH') return;
  const type = request.headers['content-type'] ?? '';
  if (!/^application\/json\b/i.test(type)) {
    return sendProblem(reply, {
      status: 415,
      title: 'Unsupported media type',
      detail: 'Send the body as JSON with Content-Type: application/json.',
    });
  }
}

export const listQuerySchema = z.strictObject({
  cursor: z.string().max(500).optional(),
  limit: z.coerce
    .number({ error: 'limit must be a number' })
    .int('limit must be a whole number')
    .min(1, 'limit must be at least 1')
    .max(1000, 'limit must be at most 1000')
    .default(100),
});

export const problemSchema = z.object({
  type: z.string(),
  title: z.string(),
  status: z.number().int(),
  detail: z.string(),
  errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
});

/** The problem+json answers a route may give, for its `schema.response`. */
export const problems = (...codes: number[]) =>
  Object.fromEntries(codes.map((code) => [code, problemSchema.describe('A problem')])) as Record<number, typeof problemSchema>;

/** A page of a list: the items and the cursor to the next page (null on the last). */
export const pageSchema = <T extends z.ZodType>(item: T) => z.object({ items: z.array(item), nextCursor: z.string().nullable() });

export const STAFF_API = { access: ['admin', 'staff'] as const, api: true };

/** Form responses may carry long answers: a larger body, so the answer gets its own clear message. */
export const RESPONSE_BODY_LIMIT = 1_000_000;

/** A published "You said, we did" entry as the event report and the conversation summary list it under "What changed". */
export const whatChangedOutSchema = z.object({
  id: z.string(),
  youSaid: z.string(),
  weDid: z.string(),
  status: z.enum(['planned', 'doing', 'done']),
  publishedOn: z.string(),
  /** The theme it came from, when it came from one. */
  theme: z.string().nullable(),
});
