import type { FastifyReply } from 'fastify';
import type { z } from 'zod';
import { ConflictError, ValidationError } from './validation.ts';
import { formFailure, parseForm, type FormFailure, type FormOptions } from './forms.ts';

/** What a form page needs to show its mistakes: a message by each field and the summary. */
export const failureView = (failure: FormFailure | undefined | null) => ({
  errors: failure?.errors ?? {},
  errorList: failure?.errorList ?? [],
});

export interface FormCycle<S extends z.ZodType, R> {
  schema: S;
  body: unknown;
  options?: FormOptions;
  /** The service call, with the parsed form. */
  run: (data: z.infer<S>) => Promise<R>;
  /** Where to go once it worked (303, so a refresh does not post again). */
  redirect: (result: R) => string | Promise<string>;
  /** The page again, with the failure beside the fields, at this status. */
  again: (failure: FormFailure, status: number) => unknown;
  /** How a service's conflict reads on the form; without it, a conflict is not the form's to show. */
  conflict?: (err: ConflictError) => FormFailure;
}

/**
 * One form post: schema, then service, then redirect. Bad input (the schema's or the service's
 * ValidationError) re-renders the page with 400, a conflict with 409; nothing was changed.
 */
export async function formCycle<S extends z.ZodType, R>(reply: FastifyReply, cycle: FormCycle<S, R>) {
  const form = parseForm(cycle.schema, cycle.body, cycle.options);
  if (!form.ok) return cycle.again(form, 400);
  let result: R;
  try {
    result = await cycle.run(form.data);
  } catch (err) {
    if (err instanceof ValidationError) return cycle.again(formFailure(err.errors, cycle.options), 400);
    if (err instanceof ConflictError && cycle.conflict) return cycle.again(cycle.conflict(err), 409);
    throw err;
  }
  return reply.redirect(await cycle.redirect(result), 303);
}
