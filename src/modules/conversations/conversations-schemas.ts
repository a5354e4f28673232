import { z } from 'zod';
import { PLEDGE_PROGRESS, SECTORS } from '../../db/schema.ts';
import { blankToUndefined, lines } from '../../lib/validation.ts';
import { isoDay } from '../programmes/programmes-schemas.ts';
import { whatChangedOutSchema } from '../api/api-common.ts';

const text = (max: number, label: string) =>
  z
    .string()
    .trim()
    .max(max, `${label} must be ${max.toLocaleString('en-GB')} characters or fewer`);
const required = (max: number, label: string, missing: string) =>
  z
    .string({ error: missing })
    .trim()
    .min(1, missing)
    .max(max, `${label} must be ${max.toLocaleString('en-GB')} characters or fewer`);

export const SECTOR_LABELS: Record<(typeof SECTORS)[number], string> = {
  nhs: 'NHS',
  council: 'Council',
  third_sector: 'Third sector (voluntary and community)',
  independent: 'Independent care provider',
  other: 'Other',
};
export const PROGRESS_LABELS: Record<(typeof PLEDGE_PROGRESS)[number], string> = {
  done: 'Done',
  started: 'Started',
  not_yet: 'Not yet',
  dropped: 'Dropped',
};
/** The same answers as the team lead chooses them. */
export const PROGRESS_CHOICES: Record<(typeof PLEDGE_PROGRESS)[number], string> = { ...PROGRESS_LABELS, dropped: 'We dropped it' };

/** The longest reflection on one question: a page of notes from a paper sheet, not a book. */
export const MAX_REFLECTION = 5000;
export const MAX_PLEDGES = 10;
export const MAX_QUESTIONS = 8;

const questionKey = z
  .string({ error: 'Each question needs a key' })
  .regex(/^[a-z][a-z0-9_]{0,39}$/, 'A question key is lower-case letters, numbers and _ (up to 40), starting with a letter');

const sectorEnum = z.enum(SECTORS, { error: `The sector must be one of: ${SECTORS.join(', ')}` });

const datesInOrder = (v: { opensOn?: unknown; closesOn?: unknown }, ctx: z.RefinementCtx) => {
  if (typeof v.opensOn === 'string' && typeof v.closesOn === 'string' && v.closesOn < v.opensOn)
    ctx.addIssue({ code: 'custom', path: ['closesOn'], message: 'The closing date must be on or after the opening date' });
};

export const conversationInputSchema = z
  .strictObject({
    title: required(200, 'Title', 'Enter a title'),
    summary: required(3000, 'Summary', 'Enter a short summary'),
    easyReadSummary: text(2000, 'Easy read summary').optional(),
    questions: z
      .array(
        z.strictObject({
          key: questionKey,
          text: required(500, 'A question', 'Enter the question'),
          prompt: text(1000, 'A prompt').optional(),
          steps: z.boolean({ error: 'steps is true or false' }).optional(),
        }),
        { error: 'Give the questions as a list' },
      )
      .min(1, 'Add at least one question')
      .max(MAX_QUESTIONS, `Ask at most ${MAX_QUESTIONS} questions`)
      .refine((qs) => new Set(qs.map((q) => q.key)).size === qs.length, 'Each question needs its own key')
      .refine((qs) => qs.filter((q) => q.steps).length <= 1, 'Only one question can ask for the steps teams will take'),
    opensOn: isoDay('Enter the opening date as YYYY-MM-DD'),
    closesOn: isoDay('Enter the closing date as YYYY-MM-DD'),
    sectors: z.array(sectorEnum).max(SECTORS.length).optional(),
    organisations: z
      .array(required(200, 'An organisation', 'An organisation needs a name'))
      .max(100, 'List at most 100 organisations')
      .optional(),
  })
  .superRefine(datesInOrder);
export type ConversationInput = z.infer<typeof conversationInputSchema>;

/** The staff form: up to eight question slots, each a question and its prompt; blank slots are left out. */
export const conversationFormSchema = z.preprocess((raw) => {
  const b = (raw ?? {}) as Record<string, unknown>;
  const questions = [];
  const stepsTicked = [b.steps ?? []].flat().map(String);
  for (let i = 1; i <= MAX_QUESTIONS; i++) {
    const t = blankToUndefined(b[`question${i}`]);
    const p = blankToUndefined(b[`prompt${i}`]);
    if (t !== undefined || p !== undefined)
      questions.push({ key: `q${i}`, text: t ?? '', prompt: p, ...(stepsTicked.includes(String(i)) ? { steps: true } : {}) });
  }
  const sectors = b.sectors === undefined || b.sectors === '' ? [] : Array.isArray(b.sectors) ? b.sectors : [b.sectors];
  return {
    title: b.title,
    summary: b.summary,
    easyReadSummary: blankToUndefined(b.easyReadSummary),
    questions,
    opensOn: b.opensOn,
    closesOn: b.closesOn,
    sectors,
    organisations: lines(b.organisations),
  };
}, conversationInputSchema);

const peopleCount = z
  .number({ error: 'Enter how many people took part, as a number' })
  .int('Enter a whole number of people')
  .min(1, 'At least 1 person must have taken part')
  .max(10_000, 'Enter at most 10,000 people: one team chat is a team, not a city');

const chatFields = {
  teamName: required(200, 'Team name', 'Enter the name of your team'),
  organisation: required(200, 'Organisation', 'Enter your organisation'),
  sector: sectorEnum,
  heldOn: isoDay('Enter the date of the chat'),
  peopleCount,
  lived: z
    .number({ error: 'Enter how many have lived experience, as a number' })
    .int('Enter a whole number')
    .min(0, 'This cannot be below 0')
    .optional(),
  answers: z.record(z.string(), text(MAX_REFLECTION, 'A reflection'), { error: 'Give the answers by question key' }),
  pledges: z
    .array(required(500, 'A pledge', 'A pledge cannot be blank'))
    .max(MAX_PLEDGES, `List at most ${MAX_PLEDGES} pledges`)
    .optional(),
  leadName: text(200, 'Your name').optional(),
  leadEmail: z.email('Enter an email address like name@example.org').max(320).optional(),
  leadPhone: text(40, 'Phone number').optional(),
};
const livedNotAbovePeople = (v: { peopleCount?: unknown; lived?: unknown }, ctx: z.RefinementCtx) => {
  if (typeof v.lived === 'number' && typeof v.peopleCount === 'number' && v.lived > v.peopleCount)
    ctx.addIssue({ code: 'custom', path: ['lived'], message: 'This cannot be more than the number of people who took part' });
};

/** `POST /api/v1/conversations/{id}/chats`: a finished record (the API has no drafts). */
export const chatInputSchema = z.strictObject(chatFields).superRefine(livedNotAbovePeople);
export type ChatInput = z.infer<typeof chatInputSchema>;

/** The web form's boxes as the schema's fields: numbers as typed, the date from its three boxes, pledges one a box. */
function chatFormFields(raw: unknown) {
  const b = (raw ?? {}) as Record<string, unknown>;
  const num = (v: unknown) => {
    const s = blankToUndefined(v);
    if (s === undefined) return undefined;
    const n = Number(String(s).replace(/,/g, ''));
    return Number.isFinite(n) ? n : s;
  };
  const answers: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(b)) if (k.startsWith('answer_') && typeof v === 'string' && v.trim()) answers[k.slice(7)] = v;
  const pledges = (Array.isArray(b.pledge) ? b.pledge : b.pledge === undefined ? [] : [b.pledge]).filter(
    (p) => typeof p === 'string' && p.trim(),
  );
  return {
    teamName: b.teamName,
    organisation: blankToUndefined(b.organisation),
    sector: blankToUndefined(b.sector),
    heldOn: heldOnFrom(b),
    peopleCount: num(b.peopleCount),
    lived: num(b.lived),
    answers,
    pledges,
    leadName: blankToUndefined(b.leadName),
    leadEmail: blankToUndefined(b.leadEmail),
    leadPhone: blankToUndefined(b.leadPhone),
  };
}

/** The web form, sent: every detail of the chat. */
export const chatFormSchema = z.preprocess(
  chatFormFields,
  z
    .strictObject({ ...chatFields, sector: z.enum(SECTORS, { error: 'Choose the sector your team works in' }) })
    .superRefine(livedNotAbovePeople),
);

/** Saved to finish later: only the team's name is needed, and what is typed must still make sense. */
export const chatDraftFormSchema = z.preprocess(
  chatFormFields,
  z
    .strictObject({
      ...chatFields,
      organisation: chatFields.organisation.optional(),
      sector: z.enum(SECTORS, { error: 'Choose the sector your team works in' }).optional(),
      heldOn: chatFields.heldOn.optional(),
      peopleCount: chatFields.peopleCount.optional(),
    })
    .superRefine(livedNotAbovePeople),
);
export type ChatDraftInput = z.infer<typeof chatDraftFormSchema>;

/** The nhsuk date input sends day, month and year separately. */
function heldOnFrom(b: Record<string, unknown>): string | undefined {
  const [d = '', m = '', y = ''] = ['heldOn[day]', 'heldOn[month]', 'heldOn[year]'].map((k) => String(b[k] ?? '').trim());
  if (!d && !m && !y) return undefined;
  return `${y.padStart(4, '0')}-${m.padStart(2, '0')}-${d.padStart(2, '0')}`;
}

/** The follow-up link's form: one answer per pledge, by pledge id. */
export const pledgeProgressSchema = z.preprocess(
  (raw) => {
    const b = (raw ?? {}) as Record<string, unknown>;
    const progress: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(b)) if (k.startsWith('progress_') && v !== '') progress[k.slice(9)] = v;
    return { progress, note: blankToUndefined(b.note) };
  },
  z.strictObject({
    progress: z.record(z.string(), z.enum(PLEDGE_PROGRESS, { error: 'Choose how each step went' })),
    note: text(2000, 'Your note').optional(),
  }),
);

/** Why staff take a chat out of the summary: kept with it, so the next person knows. */
export const removeChatSchema = z.strictObject({
  reason: required(500, 'The reason', 'Say why this chat is being taken out, for example "A test" or "Sent twice"'),
});

// ---- API output ---------------------------------------------------------------------------
export const conversationOutSchema = z.object({
  id: z.string(),
  title: z.string(),
  summary: z.string(),
  easyReadSummary: z.string().nullable(),
  questions: z.array(z.object({ key: z.string(), text: z.string(), prompt: z.string().nullable(), steps: z.boolean().optional() })),
  opensOn: z.string(),
  closesOn: z.string(),
  sectors: z.array(z.string()),
  organisations: z.array(z.string()),
  status: z.enum(['draft', 'open', 'closed']),
});

export const chatOutSchema = z.object({
  id: z.string(),
  teamName: z.string(),
  organisation: z.string(),
  sector: z.string(),
  heldOn: z.string(),
  peopleCount: z.number(),
  lived: z.number().nullable(),
  answers: z.record(z.string(), z.string()),
  pledges: z.array(z.string()),
  pledgeProgress: z.array(z.object({ text: z.string(), progress: z.enum(PLEDGE_PROGRESS).nullable() })),
  themes: z.record(z.string(), z.array(z.string())),
  onBehalf: z.boolean(),
  submittedAt: z.string().nullable(),
});

const sectorCounts = z.object(Object.fromEntries(SECTORS.map((s) => [s, z.number()])) as Record<(typeof SECTORS)[number], z.ZodNumber>);

export const summaryOutSchema = z.object({
  conversation: z.object({ id: z.string(), title: z.string(), status: z.string(), opensOn: z.string(), closesOn: z.string() }),
  chats: z.number(),
  people: z.number(),
  /** People with lived experience, where teams said. */
  lived: z.number(),
  organisations: z.number(),
  organisationNames: z.array(z.string()),
  bySector: sectorCounts,
  peopleBySector: sectorCounts,
  questions: z.array(
    z.object({
      key: z.string(),
      text: z.string(),
      answered: z.number(),
      themes: z.array(z.object({ label: z.string(), count: z.number(), terms: z.array(z.string()), examples: z.array(z.string()) })),
      /** Third-sector teams' own words, shown beside the themes so a small sector is not drowned out. */
      thirdSector: z.array(z.object({ text: z.string(), teamName: z.string() })),
    }),
  ),
  themesFoundAt: z.string().nullable(),
  evenBetterIf: z.array(z.string()),
  pledges: z.object({
    total: z.number(),
    followedUp: z.number(),
    done: z.number(),
    started: z.number(),
    notYet: z.number(),
    dropped: z.number(),
    examples: z.array(z.object({ text: z.string(), teamName: z.string(), progress: z.enum(PLEDGE_PROGRESS).nullable() })),
  }),
  stories: z.array(z.object({ id: z.string(), title: z.string(), excerpt: z.string(), authorName: z.string().nullable() })),
  /** "You said, we did" entries published from this conversation. */
  whatChanged: z.array(whatChangedOutSchema).optional(),
  generatedAt: z.string(),
});
export type ConversationSummary = z.infer<typeof summaryOutSchema>;
