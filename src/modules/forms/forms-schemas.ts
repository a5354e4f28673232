import { z } from 'zod';
import { whatChangedOutSchema } from '../api/api-common.ts';
import { UUID } from '../../db/ids.ts';

export const QUESTION_TYPES = ['rating', 'agreement', 'yes_no', 'single_choice', 'multiple_choice', 'text', 'long_text', 'number'] as const;
export type QuestionType = (typeof QUESTION_TYPES)[number];

/** The fixed scales, most positive first: "top two" means the first two. */
export const SCALES = {
  rating: ['excellent', 'good', 'fair', 'poor', 'very poor'],
  agreement: ['strongly agree', 'agree', 'neither agree nor disagree', 'disagree', 'strongly disagree'],
  yes_no: ['yes', 'no'],
} as const;

export const QUESTION_TYPE_LABELS: Record<QuestionType, string> = {
  rating: 'Rating (excellent to very poor)',
  agreement: 'Agreement (strongly agree to strongly disagree)',
  yes_no: 'Yes or no',
  single_choice: 'Choose one',
  multiple_choice: 'Choose all that apply',
  text: 'Short text',
  long_text: 'Long text',
  number: 'Number',
};

export const MAX_TEXT_ANSWER = 5000;

/** The kinds of answer that take the organiser's own options. */
export const CHOICE_TYPES: readonly QuestionType[] = ['single_choice', 'multiple_choice'];

/** A question's short name (for exports and the API): made from its words unless given. */
export const questionKeySchema = z
  .string({ error: 'The short name must be text' })
  .regex(
    /^[a-z][a-z0-9_]{0,39}$/,
    'A short name is up to 40 lower-case letters, numbers and underscores (_), starting with a letter, like what_changed',
  );

/** The editable parts of a question, shared by adding and changing one. */
const questionShape = {
  key: questionKeySchema.optional(),
  type: z.enum(QUESTION_TYPES, { error: 'Choose the type of answer' }),
  text: z
    .string({ error: 'Enter the question' })
    .trim()
    .min(1, 'Enter the question')
    .max(500, 'The question must be 500 characters or fewer'),
  easyReadText: z.string().trim().max(500, 'The easy-read wording must be 500 characters or fewer').optional(),
  options: z
    .array(
      z
        .string({ error: 'Write each option as words' })
        .trim()
        .min(1, 'An option cannot be empty')
        .max(200, 'Each option must be 200 characters or fewer'),
    )
    .max(30, 'A question can have up to 30 options')
    .optional(),
  required: z.boolean().optional(),
};

/** Options belong to "Choose one" and "Choose all that apply"; the scales have theirs built in, text and numbers none. */
function checkOptions(q: { type: QuestionType; options?: string[] }, ctx: z.RefinementCtx) {
  const choice = CHOICE_TYPES.includes(q.type);
  if (choice && (q.options?.length ?? 0) < 2)
    ctx.addIssue({ code: 'custom', path: ['options'], message: 'Give at least 2 options, one on each line' });
  if (choice && q.options && new Set(q.options.map((o) => o.toLowerCase())).size !== q.options.length)
    ctx.addIssue({ code: 'custom', path: ['options'], message: 'Each option must be different' });
  if (!choice && q.options?.length)
    ctx.addIssue({
      code: 'custom',
      path: ['options'],
      message: `Options are only for “Choose one” and “Choose all that apply” questions: leave them empty for “${QUESTION_TYPE_LABELS[q.type]}”, or change the type of answer`,
    });
}

export const questionInputSchema = z.strictObject(questionShape).superRefine(checkOptions);
export type QuestionInput = z.infer<typeof questionInputSchema>;

export const formInputSchema = z
  .strictObject({
    title: z.string({ error: 'Enter a title' }).trim().min(1, 'Enter a title').max(200, 'The title must be 200 characters or fewer'),
    intro: z.string().trim().max(2000, 'The introduction must be 2,000 characters or fewer').optional(),
    anonymous: z.boolean({ error: 'Choose whether answers will be anonymous' }),
    easyRead: z.boolean().optional(),
    eventId: z.string().optional(),
    sessionId: z.string().optional(),
    cohortId: z.string().optional(),
    questions: z.array(questionInputSchema).max(100, 'A form can have up to 100 questions').default([]),
  })
  .superRefine((f, ctx) => {
    const keys = f.questions.flatMap((q) => (q.key ? [q.key] : []));
    if (new Set(keys).size !== keys.length)
      ctx.addIssue({ code: 'custom', path: ['questions'], message: 'Two questions have the same short name (key); give each its own' });
  });
export type FormInput = z.infer<typeof formInputSchema>;

export const QUOTE_CONSENTS = ['named', 'anonymous', 'no'] as const;

/** A response as the API takes it; each answer is checked against its question by the service. */
export const responseInputSchema = z.strictObject({
  personId: z.string().optional(),
  answers: z.record(z.string(), z.unknown(), { error: 'Give answers as an object of question key to answer' }),
  quoteConsent: z.enum(QUOTE_CONSENTS).optional(),
});
export type ResponseInput = z.infer<typeof responseInputSchema>;

export const questionFormSchema = z.preprocess((raw) => {
  const b = (raw ?? {}) as Record<string, unknown>;
  const options = String(b.options ?? '')
    .split(/\r?\n/)
    .map((o) => o.trim())
    .filter(Boolean);
  return {
    key: typeof b.key === 'string' && b.key.trim() ? b.key.trim() : undefined,
    type: b.type,
    text: b.text,
    easyReadText: typeof b.easyReadText === 'string' && b.easyReadText.trim() ? b.easyReadText : undefined,
    options: options.length ? options : undefined,
    required: b.required === 'yes',
  };
}, questionInputSchema);

export const formSettingsFormSchema = z.preprocess((raw) => {
  const b = (raw ?? {}) as Record<string, unknown>;
  return {
    title: b.title,
    intro: typeof b.intro === 'string' && b.intro.trim() ? b.intro : undefined,
    anonymous: b.anonymous === 'yes' ? true : b.anonymous === 'no' ? false : undefined,
    easyRead: b.easyRead === 'yes',
    eventId: typeof b.eventId === 'string' && b.eventId ? b.eventId : undefined,
    questions: [],
  };
}, formInputSchema);

// What the Forms API gives back.
export const formOutSchema = z.object({
  id: z.string(),
  title: z.string(),
  anonymous: z.boolean(),
  easyRead: z.boolean(),
  eventId: z.string().nullable(),
  status: z.enum(['draft', 'open', 'closed']),
  questions: z.array(
    z.object({
      key: z.string(),
      type: z.string(),
      text: z.string(),
      options: z.array(z.string()),
      required: z.boolean(),
      hidden: z.boolean(),
    }),
  ),
});

export const responseOutSchema = z.object({ id: z.string(), personId: z.string().nullable(), submittedAt: z.string() });
/** A response as listed: its answers by question key, and the themes each text answer was placed in. */
export const listedResponseSchema = responseOutSchema.extend({
  answers: z.record(z.string(), z.unknown()),
  themes: z.record(z.string(), z.array(z.string())),
});
/** How the people whose answers fall in a theme answered the form's rating question. */
export const ratingMixSchema = z.object({
  questionKey: z.string(),
  answered: z.number().int(),
  counts: z.record(z.string(), z.number().int()),
  fairOrWorseShare: z.number(),
});
export const themeOutSchema = z.object({
  label: z.string(),
  count: z.number().int(),
  examples: z.array(z.string()),
  terms: z.array(z.string()),
  ratings: ratingMixSchema.optional(),
});
export const resultsOutSchema = z.looseObject({
  responses: z.number().int(),
  invited: z.number().int().nullable(),
  responseRate: z.number().nullable(),
  questions: z.array(
    z.looseObject({ key: z.string(), type: z.string(), answered: z.number().int(), themes: z.array(themeOutSchema).optional() }),
  ),
});
/** `POST /api/v1/forms/{id}/answers/{answerId}/star`: only answers whose authors agreed to be quoted. */
export const starParamsSchema = z.object({
  id: z.string().regex(UUID, 'Not a valid id'),
  answerId: z.coerce.number({ error: 'Not a valid answer id' }).int().positive().max(1e15),
});
export const starRequestSchema = z.strictObject({ starred: z.boolean({ error: 'starred is true or false' }) });
export const starOutSchema = z.object({ id: z.number().int(), starred: z.boolean() });
/** `POST /api/v1/forms/{id}/themes`: `force` discards staff edits (renamed, merged, split themes). */
export const themesRequestSchema = z.strictObject({ force: z.boolean().optional() });
export const themesQueuedSchema = z.object({ status: z.literal('queued'), questions: z.number().int() });
export const eventReportOutSchema = z.looseObject({
  eventId: z.string(),
  title: z.string(),
  registered: z.number().int(),
  attended: z.number().int(),
  whatChanged: z.array(whatChangedOutSchema).describe('"You said, we did" entries published from the event’s forms'),
});

/** Copying a form: the source is `template:<id>` or an earlier form's id; an empty title keeps the source's. */
export const copyFormSchema = z.preprocess(
  (raw) => {
    const b = (raw ?? {}) as Record<string, unknown>;
    return {
      source: b.source,
      title: typeof b.title === 'string' && b.title.trim() ? b.title : undefined,
      eventId: typeof b.eventId === 'string' && b.eventId ? b.eventId : undefined,
    };
  },
  z.object({
    source: z.string({ error: 'Choose a template or a form to copy' }).min(1, 'Choose a template or a form to copy').max(100),
    title: z.string().trim().max(200, 'The title must be 200 characters or fewer').optional(),
    eventId: z.string().max(40).optional(),
  }),
);
