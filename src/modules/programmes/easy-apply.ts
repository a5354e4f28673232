import { asList, fieldErrors, type FieldError } from '../../lib/validation.ts';
import { optionsOf } from '../forms/answers.ts';
import { ACCESS_NEEDS, EXPERIENCES, type FormQuestion } from '../../db/schema.ts';
import { applyFormSchema } from './programmes-schemas.ts';

/**
 * The easy read application: one question a page, then "check your answers".
 *
 * The answers travel between pages as hidden fields of each page's form, not in a stored draft:
 * nothing about a person is kept until they press "Send", nothing is left behind when someone
 * stops half-way, nothing sits in a URL or a log, and it works with JavaScript and cookies for
 * sessions off (only the CSRF cookie every form needs). Each page checks its own answer; "Send"
 * checks them all again, so a changed hidden field cannot get past the rules.
 */

export const EASY_EXPERIENCE: Record<(typeof EXPERIENCES)[number], string> = {
  lived: 'I use services or I am a carer',
  professional: 'I work in health or social care',
  both: 'Both of these',
};

export const EASY_ACCESS_NEEDS: Record<(typeof ACCESS_NEEDS)[number], string> = {
  step_free: 'No stairs: I need a ramp or a lift',
  bsl_interpreter: 'A sign language (BSL) interpreter',
  hearing_loop: 'A hearing loop',
  large_print: 'Big print',
  easy_read: 'Easy read papers',
  support_worker: 'A carer or support worker coming with me',
  dietary: 'Special food',
  other: 'Something else',
};

export interface EasyStep {
  id: string;
  /** The form field this page asks for. */
  field: string;
  kind: 'text' | 'email' | 'long_text' | 'radios' | 'checkboxes';
  question: string;
  /** What the check-your-answers page calls it. */
  short: string;
  hint?: string;
  optional: boolean;
  items?: { value: string; text: string }[];
}

const capitalise = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/** Every page of the easy read application, in order, for this cohort's questions. */
export function easySteps(questions: FormQuestion[], opts: { emailOptional: boolean }): EasyStep[] {
  const asked = questions.filter((q) => !q.hidden);
  return [
    {
      id: 'name',
      field: 'name',
      kind: 'text',
      question: 'What is your name?',
      short: 'Your name',
      hint: 'The name you like to be called.',
      optional: false,
    },
    {
      id: 'email',
      field: 'email',
      kind: 'email',
      question: 'What is your email address?',
      short: 'Your email address',
      hint: opts.emailOptional
        ? 'Leave this empty if they do not use email.'
        : 'We send you emails about your application. No email? Ask the team to help you apply.',
      optional: opts.emailOptional,
    },
    {
      id: 'experience',
      field: 'experience',
      kind: 'radios',
      question: 'Which of these is you?',
      short: 'Which is you',
      hint: 'We want people from both groups.',
      optional: false,
      items: EXPERIENCES.map((value) => ({ value, text: EASY_EXPERIENCE[value] })),
    },
    {
      id: 'organisation',
      field: 'organisation',
      kind: 'text',
      question: 'Do you work for a group or organisation?',
      short: 'Your group or organisation',
      hint: 'Write its name. Or leave this empty.',
      optional: true,
    },
    ...asked.map((q): EasyStep => ({
      id: `q-${q.key}`,
      field: `q_${q.key}`,
      kind:
        q.type === 'multiple_choice'
          ? 'checkboxes'
          : ['single_choice', 'yes_no', 'rating', 'agreement'].includes(q.type)
            ? 'radios'
            : q.type === 'long_text'
              ? 'long_text'
              : 'text',
      question: q.easyReadText ?? q.text,
      short: q.easyReadText ?? q.text,
      hint: q.type === 'multiple_choice' ? 'Choose all that are right for you.' : undefined,
      optional: !q.required,
      items: optionsOf(q).length ? optionsOf(q).map((o) => ({ value: o, text: capitalise(o) })) : undefined,
    })),
    {
      id: 'access-needs',
      field: 'accessNeeds',
      kind: 'checkboxes',
      question: 'What help do you need to take part?',
      short: 'Help you need',
      hint: 'Choose all that are right for you. Or choose none.',
      optional: true,
      items: ACCESS_NEEDS.map((value) => ({ value, text: EASY_ACCESS_NEEDS[value] })),
    },
    {
      id: 'access-notes',
      field: 'accessNotes',
      kind: 'long_text',
      question: 'Is there anything else we should know?',
      short: 'Anything else',
      hint: 'For example, what helps you at a meeting. Or leave this empty.',
      optional: true,
    },
    {
      id: 'helped-by',
      field: 'helpedBy',
      kind: 'text',
      question: 'Did someone help you fill this in?',
      short: 'Who helped you',
      hint: 'Write their name. For example, a support worker or someone in your family. Or leave this empty.',
      optional: true,
    },
  ];
}

/** The fields a page may carry: the person's, and the answers (q_<key>). Nothing else is passed on. */
export function carriedValues(body: Record<string, unknown>, steps: EasyStep[]): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const s of steps) {
    const v = body[s.field];
    if (s.kind === 'checkboxes') {
      const list = (asList(v) as unknown[]).filter((x): x is string => typeof x === 'string' && x !== '');
      if (list.length) out[s.field] = list;
    } else if (typeof v === 'string' && v !== '') out[s.field] = v;
  }
  return out;
}

/** Hidden inputs for every answer except those the page itself asks. */
export function hiddenFields(values: Record<string, string | string[]>, except: string | null) {
  return Object.entries(values).flatMap(([name, v]) =>
    name === except ? [] : (Array.isArray(v) ? v : [v]).map((value) => ({ name, value })),
  );
}

/** Mistakes in easy words, keyed by form field. */
export function easyErrors(
  values: Record<string, string | string[]>,
  answerErrors: FieldError[],
  opts: { emailOptional: boolean },
): FieldError[] {
  const parsed = applyFormSchema.safeParse(values);
  const detail = parsed.success ? [] : fieldErrors(parsed.error).map((e) => ({ ...e, path: e.path.replace(/^person\./, '') }));
  const out: FieldError[] = [];
  const first = (path: string) => detail.find((e) => e.path === path || e.path.startsWith(`${path}.`));
  if (!String(values.name ?? '').trim()) out.push({ path: 'name', message: 'Write your name' });
  else if (first('name')) out.push({ path: 'name', message: first('name')!.message });
  if (!String(values.email ?? '').trim()) {
    if (!opts.emailOptional) out.push({ path: 'email', message: 'Write your email address. No email? Ask the team to help you apply' });
  } else if (first('email')) out.push({ path: 'email', message: 'Write your email address like name@example.com' });
  if (!values.experience) out.push({ path: 'experience', message: 'Choose which one is you' });
  else if (first('experience')) out.push({ path: 'experience', message: 'Choose one from the list' });
  for (const f of ['organisation', 'accessNeeds', 'accessNotes', 'helpedBy']) {
    const e = first(f);
    if (e) out.push({ path: f, message: e.message });
  }
  for (const e of answerErrors) out.push({ path: `q_${e.path}`, message: e.message });
  return out;
}

/** Errors in the order the pages ask them. */
export function inPageOrder(errors: FieldError[], steps: EasyStep[]): FieldError[] {
  const order = new Map(steps.map((s, i) => [s.field, i]));
  return [...errors].sort((a, b) => (order.get(a.path) ?? 99) - (order.get(b.path) ?? 99));
}

/** The check-your-answers rows, in easy words. */
export function answerRows(values: Record<string, string | string[]>, steps: EasyStep[]) {
  return steps.map((s) => {
    const v = values[s.field];
    const list = Array.isArray(v) ? v : v ? [v] : [];
    const text = list.map((x) => s.items?.find((i) => i.value === x)?.text ?? x);
    return { step: s.id, field: s.field, short: s.short, answers: text, empty: text.length === 0 };
  });
}
