import type { z } from 'zod';
import { errorsByField, fieldErrors, type FieldError } from './validation.ts';

export interface FormFailure {
  ok: false;
  /** Message beside each field, by field name. */
  errors: Record<string, string>;
  /** For the nhsuk error summary: each message links to its field. */
  errorList: { text: string; href: string }[];
}

export type FormResult<T> = { ok: true; data: T } | FormFailure;

export function formFailure(list: FieldError[], idFor: (path: string) => string = (p) => p): FormFailure {
  const errors = errorsByField(list);
  return {
    ok: false,
    errors,
    errorList: Object.entries(errors).map(([path, text]) => ({ text, href: `#${idFor(path)}` })),
  };
}

/** Parses a form body with the shared zod schema; on failure, everything the page needs to say why. */
export function parseForm<S extends z.ZodType>(schema: S, body: unknown, idFor?: (path: string) => string): FormResult<z.infer<S>> {
  const parsed = schema.safeParse(body ?? {});
  if (parsed.success) return { ok: true, data: parsed.data };
  return formFailure(fieldErrors(parsed.error), idFor);
}
