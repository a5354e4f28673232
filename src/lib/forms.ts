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

export interface FormOptions {
  /** The HTML id a field's error links to, when it is not the field name (date inputs). */
  idFor?: (field: string) => string;
  /** Form field names for schema paths that differ (startsAt is typed into "start"). */
  aliases?: Record<string, string>;
}

export function formFailure(list: FieldError[], opts: FormOptions = {}): FormFailure {
  const idFor = opts.idFor ?? ((p: string) => p);
  const aliased = list.map((e) => {
    const [head = '', ...rest] = e.path.split('.');
    return { ...e, path: [opts.aliases?.[head] ?? head, ...rest].join('.') };
  });
  const errors = errorsByField(aliased);
  return {
    ok: false,
    errors,
    errorList: Object.entries(errors).map(([path, text]) => ({ text, href: `#${idFor(path)}` })),
  };
}

/** The form as typed, for showing it again: fields that may hold several values become lists. */
export function asTyped(body: unknown, listFields: string[]): Record<string, unknown> {
  const b = { ...((body ?? {}) as Record<string, unknown>) };
  for (const k of listFields) b[k] = Array.isArray(b[k]) ? b[k] : b[k] ? [b[k]] : [];
  return b;
}

/** One message beside one field, and in the summary: what a service's refusal looks like on a form. */
export const fieldFailure = (path: string, message: string, opts?: FormOptions): FormFailure => formFailure([{ path, message }], opts);

/** A message in the summary only, for a refusal that belongs to no one field. */
export const summaryFailure = (message: string, href: string): FormFailure => ({
  ok: false,
  errors: {},
  errorList: [{ text: message, href }],
});

/** Parses a form body with the shared zod schema; on failure, everything the page needs to say why. */
export function parseForm<S extends z.ZodType>(schema: S, body: unknown, opts?: FormOptions): FormResult<z.infer<S>> {
  const parsed = schema.safeParse(body ?? {});
  if (parsed.success) return { ok: true, data: parsed.data };
  return formFailure(fieldErrors(parsed.error), opts);
}
