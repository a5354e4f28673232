import type { z } from 'zod';

export interface FieldError {
  path: string;
  message: string;
}

/** zod issues as `{ path, message }`, the shape both the error summary and problem+json use. */
export function fieldErrors(error: z.ZodError): FieldError[] {
  return error.issues.map((issue) => {
    if (issue.code === 'unrecognized_keys') {
      return { path: issue.keys.join(', '), message: `Unknown field: ${issue.keys.join(', ')}` };
    }
    return { path: issue.path.join('.'), message: issue.message };
  });
}

/**
 * First message per form field, for the message beside it. A problem inside a list
 * (`accessNeeds.2`) belongs to the field that holds the list.
 */
export function errorsByField(errors: FieldError[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of errors) {
    const field = e.path.split('.')[0] || e.path;
    if (!(field in out)) out[field] = e.message;
  }
  return out;
}

/** Form bodies give one value or many for the same name; forms want a list either way. */
export function asList(value: unknown): unknown {
  if (value === undefined || value === '') return [];
  return Array.isArray(value) ? value.filter((v) => v !== '') : [value];
}

/** An empty text box means "not given". */
export function blankToUndefined(value: unknown): unknown {
  return typeof value === 'string' && value.trim() === '' ? undefined : value;
}

export class ValidationError extends Error {
  constructor(public readonly errors: FieldError[]) {
    super(errors.map((e) => `${e.path}: ${e.message}`).join('; '));
  }
}

export class NotFoundError extends Error {
  constructor(message = 'Not found') {
    super(message);
  }
}

export class ConflictError extends Error {}

export class ForbiddenError extends Error {}

export class TooManyRequestsError extends Error {}

/** A textarea of one item a line (partners, say): the lines that are not blank, trimmed. */
export const lines = (v: unknown): string[] =>
  String(v ?? '')
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean);
