import { z } from 'zod';
import { CHANGE_SOURCE_TYPES, CHANGE_STATUSES, type ChangeSourceType, type ChangeStatus } from '../../db/schema.ts';
import { uuid } from '../../lib/route-schemas.ts';
import { blankToUndefined } from '../../lib/validation.ts';
import { listQuerySchema } from '../api/api-common.ts';
import { isoDay } from '../programmes/programmes-schemas.ts';

/** Each side of an entry is a few plain sentences, not a report: long enough, and a clear limit. */
export const MAX_TEXT = 2000;
export const MAX_THEME = 200;

/** Staff words for each status, and the words the public reads. */
export const STATUS_LABELS: Record<ChangeStatus, string> = { planned: 'Planned', doing: 'Doing now', done: 'Done' };
export const STATUS_IN_WORDS: Record<ChangeStatus, string> = {
  planned: 'We plan to do this',
  doing: 'We are doing this now',
  done: 'We have done this',
};
export const STATUS_TAG: Record<ChangeStatus, string> = { planned: 'grey', doing: 'blue', done: 'green' };
export const SOURCE_LABELS: Record<ChangeSourceType, string> = {
  form: 'A feedback form',
  conversation: 'A conversation (team chats)',
  meeting: 'A board meeting',
  decision: 'A board decision',
  story: 'A published story',
};

const n = (max: number) => max.toLocaleString('en-GB');
const required = (max: number, label: string, missing: string) =>
  z
    .string({ error: missing })
    .trim()
    .min(1, missing)
    .max(max, `${label} must be ${n(max)} characters or fewer. Keep it to a few plain sentences`);

const youSaid = required(MAX_TEXT, 'What people said', 'Write what people said');
const weDid = required(MAX_TEXT, 'What was done', 'Write what was done, or what will be done');
const status = z.enum(CHANGE_STATUSES, { error: 'Choose whether it is planned, being done now, or done' });
const publishedOn = isoDay('Enter the date to show it from as YYYY-MM-DD, for example 2027-03-15');

/** Where it was said: what the service checks exists, and that the public may be told about. */
export interface ChangeSourceRef {
  type: ChangeSourceType;
  id: string;
  theme?: string | undefined;
}

/** What every way in (the staff form, the API) hands the service. */
export interface ChangeInput {
  youSaid: string;
  weDid: string;
  status: ChangeStatus;
  source: ChangeSourceRef | null;
}

// ---- the JSON API -----------------------------------------------------------------------------

export const sourceSchema = z
  .strictObject(
    {
      type: z.enum(CHANGE_SOURCE_TYPES, { error: 'source.type must be one of form, conversation, meeting, decision, story' }),
      id: z.string({ error: 'source.id is the id of the form, conversation, meeting, decision or story' }).regex(/^[0-9a-f-]{36}$/i, {
        error: 'source.id is not a valid id',
      }),
      theme: z
        .string({ error: 'source.theme is the label of one of its themes' })
        .trim()
        .min(1, 'source.theme cannot be empty: leave it out for no theme')
        .max(MAX_THEME, `source.theme must be ${n(MAX_THEME)} characters or fewer`)
        .optional(),
    },
    { error: 'source is { type, id, theme? }' },
  )
  .refine((s) => !s.theme || s.type === 'form' || s.type === 'conversation', {
    path: ['theme'],
    message: 'Only a form or a conversation has themes',
  });

export const changeApiInputSchema = z.strictObject({
  youSaid,
  weDid,
  status,
  source: sourceSchema.nullish(),
  publishedOn: publishedOn.optional().describe('Publish it now, shown from this day (today or before); leave out for a draft'),
});
export type ChangeApiInput = z.infer<typeof changeApiInputSchema>;

export const publishApiInputSchema = z.strictObject({
  publishedOn: publishedOn.optional().describe('The day it is shown from: today (the default) or before'),
});

export const changeListQuerySchema = listQuerySchema.extend({
  status: z.enum(CHANGE_STATUSES, { error: 'status must be one of planned, doing, done' }).optional(),
});

const sourceOutSchema = z.object({
  type: z.enum(CHANGE_SOURCE_TYPES),
  /** Null when the public may not see the source (a draft, an unpublished board, a withdrawn story). */
  id: z.string().nullable(),
  theme: z.string().nullable(),
  /** Where it was said, in words. */
  text: z.string(),
  /** Its public page, where there is one. */
  url: z.string().nullable(),
});

export const publishedChangeOutSchema = z.object({
  id: z.string(),
  youSaid: z.string(),
  weDid: z.string(),
  status: z.enum(CHANGE_STATUSES),
  statusText: z.string(),
  publishedOn: z.string(),
  source: sourceOutSchema.nullable(),
});

export const changeOutSchema = z.object({
  id: z.string(),
  youSaid: z.string(),
  weDid: z.string(),
  status: z.enum(CHANGE_STATUSES),
  /** The source as given, with its id, for staff. */
  source: z.object({ type: z.enum(CHANGE_SOURCE_TYPES), id: z.string(), theme: z.string().nullable(), title: z.string() }).nullable(),
  /** "published" once it has a day to be shown from; "draft" before. */
  state: z.enum(['draft', 'published']),
  publishedOn: z.string().nullable(),
  notifiedAt: z.string().nullable(),
  notified: z.number().nullable(),
  createdAt: z.string(),
});

// ---- the staff form ---------------------------------------------------------------------------

/** A choice of the source list: `type:id`, or `type:id:theme` for one of its themes. */
const SOURCE_CHOICE = new RegExp(`^(${CHANGE_SOURCE_TYPES.join('|')}):([0-9a-f-]{36})(?::([\\s\\S]+))?$`, 'i');

export const sourceChoiceValue = (ref: { type: string; id: string; theme?: string | null | undefined }) =>
  ref.theme ? `${ref.type}:${ref.id}:${ref.theme}` : `${ref.type}:${ref.id}`;

const sourceChoice = z.preprocess(
  blankToUndefined,
  z
    .string()
    .max(400, 'Choose where it was said from the list')
    .regex(SOURCE_CHOICE, 'Choose where it was said from the list')
    .transform((v): ChangeSourceRef => {
      const [, type, id, theme] = SOURCE_CHOICE.exec(v)!;
      return { type: type!.toLowerCase() as ChangeSourceType, id: id!.toLowerCase(), ...(theme ? { theme } : {}) };
    })
    .optional(),
);

/** The nhsuk date input sends day, month and year separately; all three blank is "today". */
function dayFrom(b: Record<string, unknown>, name: string): string | undefined {
  const [d = '', m = '', y = ''] = ['day', 'month', 'year'].map((k) => String(b[`${name}[${k}]`] ?? '').trim());
  if (!d && !m && !y) return undefined;
  return `${y.padStart(4, '0')}-${m.padStart(2, '0')}-${d.padStart(2, '0')}`;
}

const formFields = {
  youSaid,
  weDid,
  status,
  source: sourceChoice,
  publishedOn: isoDay('Enter a real date, for example 15 3 2027, or leave it empty for today').optional(),
  action: z.enum(['draft', 'publish', 'save']).catch('draft'),
  submissionKey: z.preprocess(blankToUndefined, uuid.optional()).catch(undefined),
};

/** Recording or changing an entry: what people said and did, its status, where it was said, and (to publish) the day. */
export const changeFormSchema = z.preprocess(
  (raw) => {
    const b = (raw ?? {}) as Record<string, unknown>;
    return {
      youSaid: b.youSaid,
      weDid: b.weDid,
      status: blankToUndefined(b.status),
      source: b.source,
      publishedOn: dayFrom(b, 'publishedOn'),
      action: b.action,
      submissionKey: b.submissionKey,
    };
  },
  z.object(formFields).transform((d) => ({
    input: { youSaid: d.youSaid, weDid: d.weDid, status: d.status, source: d.source ?? null } satisfies ChangeInput,
    publishedOn: d.publishedOn,
    action: d.action,
    submissionKey: d.submissionKey,
  })),
);

/** Publishing from the entry's page: a day, or today. */
export const publishFormSchema = z.preprocess(
  (raw) => ({ publishedOn: dayFrom((raw ?? {}) as Record<string, unknown>, 'publishedOn') }),
  z.object({ publishedOn: formFields.publishedOn }),
);

export const publicListQuery = z.object({ status: z.enum(CHANGE_STATUSES).optional().catch(undefined) });
