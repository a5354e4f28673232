import { z } from 'zod';
import { STORY_FLAG_KINDS, STORY_STATUSES } from '../../db/schema.ts';
import { blankToUndefined, lines } from '../../lib/validation.ts';
import { uuid } from '../../lib/route-schemas.ts';
import { listQuerySchema } from '../api/api-common.ts';

/** A story is a page or two of someone's experience, not a book: long enough, and a clear limit. */
export const MAX_STORY = 20_000;
/**
 * A story form's body: 20,000 characters of any script, form-encoded (up to 9 bytes a character),
 * with room for the other fields. Anything larger (a pasted file, a 1 MB post) is refused with 413.
 */
export const STORY_BODY_LIMIT = 300_000;
/** The moderation form carries the story and the text to publish, each up to the story limit. */
export const MODERATION_BODY_LIMIT = 600_000;
export const MAX_THEMES = 10;

const n = (max: number) => max.toLocaleString('en-GB');
const text = (max: number, label: string) =>
  z
    .string()
    .trim()
    .max(max, `${label} must be ${n(max)} characters or fewer`);
const required = (max: number, label: string, missing: string) =>
  z
    .string({ error: missing })
    .trim()
    .min(1, missing)
    .max(max, `${label} must be ${n(max)} characters or fewer`);
const optional = (max: number, label: string) => z.preprocess(blankToUndefined, text(max, label).optional());
const email = z
  .email({ error: 'Enter an email address in the correct format, like name@example.com' })
  .max(254, 'Email address must be 254 characters or fewer');

const title = required(200, 'The title', 'Give your story a title');
const body = z
  .string({ error: 'Write your story' })
  .trim()
  .min(1, 'Write your story')
  .max(MAX_STORY, `Your story must be ${n(MAX_STORY)} characters or fewer. Shorten it, or send it in two parts`);

export const flagSchema = z.object({
  kind: z.enum(STORY_FLAG_KINDS),
  text: z.string(),
  start: z.number().int(),
  end: z.number().int(),
  field: z
    .enum(['title', 'body'])
    .optional()
    .describe('Where it was found: the title or the body; start and end count in that field (the body if left out)'),
});

/** What every way in (the form, staff, the API) hands the service. */
export interface StoryInput {
  title: string;
  body: string;
  authorName?: string | undefined;
  authorEmail?: string | undefined;
  authorOrganisation?: string | undefined;
  personId?: string | undefined;
  conversationId?: string | undefined;
  consent: { publish: boolean; showName: boolean; quote: boolean };
  submissionKey?: string | undefined;
}

// ---- HTML forms ------------------------------------------------------------------------------

const yesNo = (missing: string) => z.enum(['yes', 'no'], { error: missing });

const storyFields = {
  title,
  body,
  authorName: optional(200, 'Your name'),
  authorEmail: z.preprocess(blankToUndefined, email.optional()),
  authorOrganisation: optional(200, 'Organisation'),
  conversationId: z.preprocess(
    blankToUndefined,
    z
      .string()
      .regex(/^[0-9a-f-]{36}$/i, 'Choose a conversation from the list')
      .optional(),
  ),
  publish: yesNo('Say whether we may publish your story'),
  showName: z.preprocess(blankToUndefined, yesNo('Say whether to show your name with it').optional()),
  quote: yesNo('Say whether we may quote your story in reports'),
  submissionKey: z.preprocess(blankToUndefined, uuid.optional()).catch(undefined),
};

/** Showing a name needs a name; it only matters when the story may be published. */
function consentRules(v: { publish?: string; showName?: string; authorName?: string }, ctx: z.RefinementCtx, who: 'you' | 'they') {
  if (v.publish !== 'yes') return;
  if (!v.showName)
    ctx.addIssue({
      code: 'custom',
      path: ['showName'],
      message: who === 'you' ? 'Say whether to show your name with it' : 'Say whether to show their name with it',
    });
  else if (v.showName === 'yes' && !v.authorName)
    ctx.addIssue({
      code: 'custom',
      path: ['authorName'],
      message:
        who === 'you' ? 'Enter the name to show with your story, or choose not to show a name' : 'Enter the name to show with their story',
    });
}

const toInput = (d: z.infer<z.ZodObject<typeof storyFields>>): StoryInput => ({
  title: d.title,
  body: d.body,
  authorName: d.authorName,
  authorEmail: d.authorEmail,
  authorOrganisation: d.authorOrganisation,
  conversationId: d.conversationId,
  consent: { publish: d.publish === 'yes', showName: d.publish === 'yes' && d.showName === 'yes', quote: d.quote === 'yes' },
  submissionKey: d.submissionKey,
});

/** The public form: anyone, signed in or not. */
export const storyFormSchema = z
  .object(storyFields)
  .superRefine((v, ctx) => consentRules(v, ctx, 'you'))
  .transform(toInput);

export const CONSENT_HOW = {
  phone: 'On the phone',
  letter: 'In a letter',
  in_person: 'In person',
  other: 'Another way',
} as const;

/** Staff entering a story told by phone, letter or in person: who told it and how they agreed. */
export const staffStoryFormSchema = z
  .object({
    ...storyFields,
    authorName: required(200, 'Their name', 'Enter the name of the person who told the story'),
    consentHow: z.enum(Object.keys(CONSENT_HOW) as [keyof typeof CONSENT_HOW], { error: 'Say how they gave their consent' }),
    consentNote: optional(1000, 'The note about consent'),
  })
  .superRefine((v, ctx) => consentRules(v, ctx, 'they'))
  .transform((d) => ({ input: toInput(d), consentHow: d.consentHow, consentNote: d.consentNote }));

/** The author's own choices, changed through the link in their email or from their account. */
export const consentFormSchema = z
  .object({
    publish: storyFields.publish,
    showName: storyFields.showName,
    quote: storyFields.quote,
  })
  .superRefine((v, ctx) => consentRules({ ...v, authorName: 'given' }, ctx, 'you'))
  .transform((d) => ({ publish: d.publish === 'yes', showName: d.publish === 'yes' && d.showName === 'yes', quote: d.quote === 'yes' }));

/** The author changes their story after staff asked them to. */
export const changeStoryFormSchema = z.object({ title, body });

/**
 * What staff may decide. publish, ask_for_changes and reject are the v1 contract's; take_down and
 * correct (added) are for a published story: take it down, or correct it where it is. Which a
 * story allows, and where each takes it, is in story-moderation.ts (MOVES).
 */
export const DECISIONS = ['publish', 'ask_for_changes', 'reject', 'take_down', 'correct'] as const;
export type Decision = (typeof DECISIONS)[number];

/** The decisions that need a note, and what to say when it is missing. */
export const NOTE_NEEDED: Partial<Record<Decision, string>> = {
  ask_for_changes: 'Tell the author what to change',
  take_down: 'Say why you are taking the story down',
  correct: 'Say what you changed and why',
};
export const NOTHING_CHANGED =
  'Nothing is changed: change the title, the text, the easy read summary or the themes, or leave the story as it is';

const themesFrom = (v: unknown) => {
  const seen = new Map<string, string>();
  for (const t of Array.isArray(v) ? v.map(String) : lines(v)) if (!seen.has(t.toLowerCase())) seen.set(t.toLowerCase(), t);
  return [...seen.values()];
};
const themes = z.array(text(60, 'Each theme').min(1)).max(MAX_THEMES, `Give at most ${MAX_THEMES} themes`).optional();

const moderationFields = {
  decision: z.enum(DECISIONS, { error: 'Choose publish, ask the author for changes, or reject' }),
  // Left out, the title as it is; sent blank on the form, a mistake (the box starts with the title in it).
  title: text(200, 'The title to publish').optional(),
  body: z.preprocess(blankToUndefined, text(MAX_STORY, 'The text to publish').optional()),
  note: optional(5000, 'The note'),
  easyReadSummary: optional(3000, 'The easy read summary'),
  themes: z.preprocess((v) => (v === undefined ? undefined : themesFrom(v)), themes),
  publishAnyway: z.boolean().optional(),
};

const noteNeeded = (v: { decision?: Decision; note?: string | undefined }, ctx: z.RefinementCtx) => {
  const missing = v.decision && NOTE_NEEDED[v.decision];
  if (missing && !v.note) ctx.addIssue({ code: 'custom', path: ['note'], message: missing });
};

/** Staff deciding on the moderation page: publishing a waiting story, or correcting a published one. */
export const moderationFormSchema = z.preprocess(
  (raw) => {
    const b = (raw ?? {}) as Record<string, unknown>;
    return { ...b, themes: b.themes ?? '', publishAnyway: b.publishAnyway === 'yes' };
  },
  z
    .object(moderationFields)
    .superRefine(noteNeeded)
    .superRefine((v, ctx) => {
      if (v.decision !== 'publish' && v.decision !== 'correct') return;
      if (v.title === '') ctx.addIssue({ code: 'custom', path: ['title'], message: 'Enter the title to publish' });
      if (!v.body) ctx.addIssue({ code: 'custom', path: ['body'], message: 'Enter the text to publish' });
    }),
);
export type ModerationInput = z.infer<typeof moderationFormSchema>;

/** Taking a published story down, from its own form on the moderation page. */
export const takeDownFormSchema = z.object({
  takeDownNote: z
    .string({ error: NOTE_NEEDED.take_down })
    .trim()
    .min(1, NOTE_NEEDED.take_down)
    .max(5000, 'The note must be 5,000 characters or fewer'),
});

// ---- JSON API --------------------------------------------------------------------------------

export const storyApiInputSchema = z.strictObject({
  title,
  body,
  authorName: text(200, 'authorName').min(1).optional(),
  authorEmail: email.optional(),
  authorOrganisation: text(200, 'authorOrganisation').min(1).optional(),
  personId: z.string().max(100).optional(),
  conversationId: z.string().max(100).optional(),
  consent: z.strictObject({
    publish: z.boolean({ error: 'consent.publish is true or false' }),
    showName: z.boolean({ error: 'consent.showName is true or false' }),
    quote: z
      .boolean({ error: 'consent.quote is true or false' })
      .default(false)
      .describe('May we quote it in reports? (false if left out)'),
  }),
});

export const moderationApiInputSchema = z
  .strictObject({
    ...moderationFields,
    title: text(200, 'title')
      .min(1, 'title cannot be empty')
      .optional()
      .describe('The title to publish, with personal details taken out; left out, the title as sent'),
    body: text(MAX_STORY, 'body')
      .min(1, 'body cannot be empty')
      .optional()
      .describe('The text to publish, with personal details taken out'),
    decision: z
      .enum(DECISIONS, { error: `decision is one of ${DECISIONS.join(', ')}` })
      .describe(
        'publish, ask_for_changes or reject a story waiting to be checked; for a published story, correct it in place (title, body, ' +
          'easyReadSummary, themes; it stays published) or take_down (it leaves the library and this API at once and waits for changes; ' +
          'the author is emailed the note). take_down changes no text: title, body, easyReadSummary and themes are left as they are',
      ),
    note: optional(5000, 'note').describe('To the author, emailed with the decision; needed for ask_for_changes, take_down and correct'),
    themes: themes.describe('Themes for filtering the library'),
    publishAnyway: z.boolean().optional().describe('Publish even though flagged personal details remain in the title or the text'),
  })
  .superRefine(noteNeeded);

export const storyListQuerySchema = listQuerySchema.extend({
  status: z.enum(['published'], { error: 'Only published stories are listed: status=published' }).default('published'),
  conversationId: uuid.optional(),
  theme: z.string().max(60).optional(),
});

export const storyCreatedSchema = z.object({ id: z.string(), status: z.literal('submitted'), flags: z.array(flagSchema) });

export const storyOutSchema = z.object({
  id: z.string(),
  title: z.string(),
  body: z.string(),
  publishedBody: z.string().nullable(),
  status: z.enum(STORY_STATUSES),
  flags: z.array(flagSchema),
  consent: z.object({ publish: z.boolean(), showName: z.boolean(), quote: z.boolean(), answeredAt: z.string().nullable() }),
  authorName: z.string().nullable(),
  authorEmail: z.string().nullable(),
  authorOrganisation: z.string().nullable(),
  personId: z.string().nullable(),
  conversationId: z.string().nullable(),
  source: z.enum(['web', 'email', 'staff', 'api']),
  easyReadSummary: z.string().nullable(),
  themes: z.array(z.string()),
  createdAt: z.string(),
  publishedAt: z.string().nullable(),
  withdrawnAt: z.string().nullable(),
  moderation: z.array(
    z.object({
      action: z
        .string()
        .describe(
          'publish, reject, ask_for_changes, take_down, correct (staff); consent, withdraw, resubmit (the author, or staff for them)',
        ),
      note: z.string().nullable(),
      byPersonId: z.string().nullable(),
      at: z.string(),
      titleAsSent: z
        .string()
        .optional()
        .describe('On the first publish or correct step that changed the title since the author sent it: the title as they sent it'),
      titleBefore: z.string().optional().describe('On a later publish or correct step that changed the title: the title it replaced'),
    }),
  ),
});

export const publishedStoryOutSchema = z.object({
  id: z.string(),
  title: z.string(),
  body: z.string().describe('The published text, with personal details taken out'),
  authorName: z.string().nullable().describe('Only when the author chose to show it'),
  publishedAt: z.string(),
  conversationId: z.string().nullable(),
  easyReadSummary: z.string().nullable(),
  themes: z.array(z.string()),
});
