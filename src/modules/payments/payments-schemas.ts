import { z } from 'zod';
import { CLAIM_STATUSES, EXPENSE_KINDS, PAID_ACTIVITIES, PAY_AS, type ClaimState, type ExpenseKind, type PayAs } from '../../db/schema.ts';
import { uuid } from '../../lib/route-schemas.ts';
import { blankToUndefined } from '../../lib/validation.ts';
import { isoDay } from '../programmes/programmes-schemas.ts';
import { listQuerySchema } from '../api/api-common.ts';

/** The most one expense may be: more than this is a mistake or needs talking about first. */
export const MAX_EXPENSE_PENCE = 100_000;
/** The most a rate may be. */
export const MAX_RATE_PENCE = 100_000;
export const MAX_ITEMS = 20;
/** Receipts arrive in one form post, and the upload plugin takes 10 files at most. */
export const MAX_EXPENSES = 10;
/** Hours of preparation one claim may carry; more is for a conversation with staff. */
export const MAX_PREP_HOURS = 10;
/** Hours of one unsourced item (API, demo). */
export const MAX_ITEM_HOURS = 12;
/** An attended meeting or session may be claimed for up to its length plus this (arriving early, staying on). */
export const EXTRA_HOURS_ALLOWED = 1;

export const EXPENSE_LABELS: Record<ExpenseKind, string> = {
  travel: 'Travel (bus, train, taxi, parking, mileage)',
  care: 'Care costs (a carer, childcare, a support worker)',
  subsistence: 'Food and drink',
  other: 'Something else',
};
export const EXPENSE_SHORT: Record<ExpenseKind, string> = {
  travel: 'Travel',
  care: 'Care costs',
  subsistence: 'Food and drink',
  other: 'Other',
};
export const PAY_AS_LABELS: Record<PayAs, string> = {
  bank: 'Bank transfer',
  voucher: 'A voucher',
  decline: 'No payment for my time (I decline it)',
};
export const STATUS_LABELS: Record<ClaimState, string> = {
  draft: 'Not sent yet',
  submitted: 'Waiting to be checked',
  approved: 'Approved',
  rejected: 'Not approved',
  paid: 'Paid',
};

// ---- bank details, which we never hold ----------------------------------------------------------

export const BANK_DETAILS_MESSAGE = 'Please do not write bank details here: our finance team will ask you for them safely';

const SORT_CODE = /(?<!\d)\d{2}[-\s.]?\d{2}[-\s.]?\d{2}(?!\d)/g;
const ACCOUNT_NEAR = /(?<!\d)\d{4}[\s-]?\d{3,4}(?!\d)/;
const EIGHT_DIGITS = /(?<!\d)\d{8}(?!\d)/;
const IBAN = /(?<![A-Z0-9])[A-Z]{2}\d{2}(?:\s?[A-Z0-9]){11,30}(?![A-Z0-9])/gi;

/**
 * Whether free text looks like it holds bank details: a UK sort code with an account number near
 * it, an 8-digit account number, or an IBAN (two letters, two check digits, then letters and at
 * least ten digits). Finance asks people for them safely; they must not sit in a note here.
 */
export function looksLikeBankDetails(text: string | null | undefined): boolean {
  if (!text) return false;
  if (EIGHT_DIGITS.test(text)) return true;
  for (const m of text.matchAll(SORT_CODE)) {
    const around = `${text.slice(Math.max(0, m.index - 40), m.index)} ${text.slice(m.index + m[0].length, m.index + m[0].length + 40)}`;
    if (ACCOUNT_NEAR.test(around)) return true;
  }
  for (const m of text.matchAll(IBAN)) if ((m[0].match(/\d/g) ?? []).length >= 10) return true;
  return false;
}

// ---- money and time as typed, and as the API sends them ----------------------------------------

/** "£12.50", "12.5", "1,000" as pence; anything else is not money. */
export function penceFromText(text: string): number | null {
  const t = text.trim().replace(/^£\s*/, '').replace(/,/g, '');
  if (!/^\d{1,7}(\.\d{1,2})?$/.test(t)) return null;
  return Math.round(Number(t) * 100);
}

/** Pounds as a JSON number with at most two decimals: 12.5 is £12.50, 12.505 is a mistake. */
export const poundsNumber = (what: string, opts: { positive: boolean; maxPence: number }) =>
  z
    .number({ error: `${what} must be a number of pounds, like 12.50` })
    .refine((n) => Number.isFinite(n) && Math.abs(n * 100 - Math.round(n * 100)) < 1e-6, `${what} must be in pounds and pence, like 12.50`)
    .refine((n) => (opts.positive ? n > 0 : n >= 0), `${what} must be more than £0${opts.positive ? '' : ' or £0'}`)
    .refine((n) => Math.round(n * 100) <= opts.maxPence, `${what} must be £${(opts.maxPence / 100).toLocaleString('en-GB')} or less`)
    .transform((n) => Math.round(n * 100));

/** Hours as typed into a form: "2", "2.5", "1.75". */
export function minutesFromText(text: string): number | null {
  const t = text.trim().replace(/\s*(hours?|hrs?|h)$/i, '');
  if (!/^\d{1,2}(\.\d{1,2})?$/.test(t)) return null;
  return Math.round(Number(t) * 60);
}

// ---- rates -----------------------------------------------------------------------------------------

const ratePounds = (what: string) => poundsNumber(what, { positive: false, maxPence: MAX_RATE_PENCE }).nullable().optional();

export const rateInputSchema = z.strictObject({
  activity: z.enum(PAID_ACTIVITIES, { error: `activity must be one of: ${PAID_ACTIVITIES.join(', ')}` }),
  paid: z.boolean({ error: 'paid must be true or false' }).optional(),
  perHour: ratePounds('perHour'),
  perHalfDay: ratePounds('perHalfDay'),
  perDay: ratePounds('perDay'),
  currency: z.literal('GBP', { error: 'currency must be GBP' }),
  source: z.string({ error: 'source must be text' }).trim().max(1000, 'source must be 1,000 characters or fewer').optional(),
});
export type RateInput = z.infer<typeof rateInputSchema>;

const ratesRules = (v: { rates: RateInput[] }, ctx: z.RefinementCtx) => {
  const seen = new Set<string>();
  v.rates.forEach((r, i) => {
    if (seen.has(r.activity)) ctx.addIssue({ code: 'custom', path: ['rates', i, 'activity'], message: `${r.activity} is given twice` });
    seen.add(r.activity);
    if (r.paid !== false && r.perHour == null && r.perHalfDay == null && r.perDay == null)
      ctx.addIssue({
        code: 'custom',
        path: ['rates', i],
        message: `A paid activity needs at least one rate (per hour, half day or day): ${r.activity}`,
      });
  });
};

export const ratesInputSchema = z
  .strictObject({ rates: z.array(rateInputSchema, { error: 'rates must be a list' }).min(1, 'Give at least one rate').max(5) })
  .superRefine(ratesRules);

export const rateOutSchema = z.object({
  activity: z.enum(PAID_ACTIVITIES),
  paid: z.boolean(),
  perHour: z.number().nullable(),
  perHalfDay: z.number().nullable(),
  perDay: z.number().nullable(),
  currency: z.literal('GBP'),
  source: z.string().nullable(),
  updatedAt: z.string().nullable(),
});
export const ratesOutSchema = z.object({ rates: z.array(rateOutSchema) });

/** The rates form: per activity, paid or not, three amounts in pounds and where they come from (as pence, like the API's parsed body). */
export function parseRatesForm(
  body: Record<string, unknown>,
): { ok: true; data: RateInput[] } | { ok: false; errors: { path: string; message: string }[] } {
  const errors: { path: string; message: string }[] = [];
  const data: RateInput[] = [];
  for (const activity of PAID_ACTIVITIES) {
    const paid = body[`${activity}_paid`] === 'yes';
    const amounts: Record<'perHour' | 'perHalfDay' | 'perDay', number | null> = { perHour: null, perHalfDay: null, perDay: null };
    for (const [field, label] of [
      ['perHour', 'The hourly rate'],
      ['perHalfDay', 'The half-day rate'],
      ['perDay', 'The day rate'],
    ] as const) {
      const raw = String(body[`${activity}_${field}`] ?? '').trim();
      if (!raw) continue;
      const pence = penceFromText(raw);
      if (pence === null) errors.push({ path: `${activity}_${field}`, message: `${label} must be an amount in pounds, like 25 or 82.50` });
      else if (pence > MAX_RATE_PENCE) errors.push({ path: `${activity}_${field}`, message: `${label} must be £1,000 or less` });
      else amounts[field] = pence;
    }
    if (
      paid &&
      amounts.perHour === null &&
      amounts.perHalfDay === null &&
      amounts.perDay === null &&
      !errors.some((e) => e.path.startsWith(activity))
    )
      errors.push({ path: `${activity}_perHour`, message: 'Give at least one rate for a paid activity, or choose "Not paid"' });
    const source = String(body[`${activity}_source`] ?? '').trim();
    if (source.length > 1000)
      errors.push({ path: `${activity}_source`, message: 'Where the rate comes from must be 1,000 characters or fewer' });
    data.push({
      activity,
      paid,
      perHour: amounts.perHour,
      perHalfDay: amounts.perHalfDay,
      perDay: amounts.perDay,
      currency: 'GBP',
      source: source || undefined,
    });
  }
  return errors.length ? { ok: false, errors } : { ok: true, data };
}

// ---- claims through the API ---------------------------------------------------------------------

export const claimItemInputSchema = z.strictObject({
  activity: z.enum(PAID_ACTIVITIES, { error: `activity must be one of: ${PAID_ACTIVITIES.join(', ')}` }),
  date: isoDay('Enter the date as YYYY-MM-DD'),
  hours: z
    .number({ error: 'hours must be a number' })
    .positive('hours must be more than 0')
    .max(24, 'hours must be 24 or less')
    .refine((h) => Number.isInteger(Math.round(h * 60 * 1000) / 1000), 'hours must come to whole minutes'),
  sourceId: uuid.optional(),
  description: z
    .string({ error: 'description must be text' })
    .trim()
    .min(1)
    .max(200, 'description must be 200 characters or fewer')
    .optional(),
});

export const expenseInputSchema = z.strictObject({
  kind: z.enum(EXPENSE_KINDS, { error: `kind must be one of: ${EXPENSE_KINDS.join(', ')}` }),
  amount: poundsNumber('amount', { positive: true, maxPence: MAX_EXPENSE_PENCE }),
  note: z.string({ error: 'note must be text' }).trim().max(500, 'note must be 500 characters or fewer').optional(),
});

export const claimInputSchema = z.strictObject({
  personId: uuid,
  items: z.array(claimItemInputSchema, { error: 'items must be a list' }).max(MAX_ITEMS, `At most ${MAX_ITEMS} items`).default([]),
  expenses: z
    .array(expenseInputSchema, { error: 'expenses must be a list' })
    .max(MAX_EXPENSES, `At most ${MAX_EXPENSES} expenses`)
    .default([]),
  payAs: z.enum(PAY_AS, { error: `payAs must be one of: ${PAY_AS.join(', ')}` }),
  financeHasBankDetails: z.boolean({ error: 'financeHasBankDetails must be true or false' }).optional(),
  note: z.string({ error: 'note must be text' }).trim().max(1000, 'note must be 1,000 characters or fewer').optional(),
  /** A key of the caller's choosing: the same key with the same claim is one claim; with another claim, 409. */
  submissionKey: uuid.optional(),
});
export type ClaimApiInput = z.infer<typeof claimInputSchema>;

export const statusInputSchema = z.strictObject({
  status: z.enum(['approved', 'rejected', 'paid'], { error: 'status must be one of: approved, rejected, paid' }),
  note: z.string({ error: 'note must be text' }).trim().max(1000, 'note must be 1,000 characters or fewer').optional(),
});

/** The staff page's form for a move: the same rules, and an empty note is no note. */
export const statusFormSchema = z.object({
  status: z.enum(['approved', 'rejected', 'paid'], { error: 'Choose what to do with this claim' }),
  note: z.preprocess(blankToUndefined, z.string().trim().max(1000, 'The note must be 1,000 characters or fewer').optional()),
});

export const claimsQuerySchema = listQuerySchema.extend({
  status: z.enum(CLAIM_STATUSES, { error: `status must be one of: ${CLAIM_STATUSES.join(', ')}` }).optional(),
});
/** The claims list's cursor: when the last claim shown was sent, and its id. */
export const claimsCursorSchema = z.strictObject({
  at: z
    .string()
    .max(40)
    .refine((t) => !Number.isNaN(Date.parse(t))),
  id: uuid,
});
export const csvQuerySchema = z.strictObject({
  status: z.enum(CLAIM_STATUSES, { error: `status must be one of: ${CLAIM_STATUSES.join(', ')}` }).default('approved'),
});

export const claimOutSchema = z.object({
  id: z.string(),
  personId: z.string().nullable(),
  status: z.enum(CLAIM_STATUSES),
  payAs: z.enum(PAY_AS),
  financeHasBankDetails: z.boolean(),
  items: z.array(
    z.object({
      activity: z.enum(PAID_ACTIVITIES),
      date: z.string(),
      hours: z.number(),
      sourceId: z.string().nullable(),
      description: z.string(),
      amount: z.number(),
    }),
  ),
  expenses: z.array(
    z.object({
      id: z.string(),
      kind: z.enum(EXPENSE_KINDS),
      amount: z.number(),
      note: z.string().nullable(),
      receiptName: z.string().nullable(),
    }),
  ),
  timeTotal: z.number(),
  expensesTotal: z.number(),
  total: z.number(),
  note: z.string().nullable(),
  madeBy: z.string().nullable(),
  submittedAt: z.string().nullable(),
  decidedBy: z.string().nullable(),
  decidedAt: z.string().nullable(),
  rejectedReason: z.string().nullable(),
  paidAt: z.string().nullable(),
  anonymised: z.boolean(),
  history: z.array(z.object({ status: z.enum(CLAIM_STATUSES), note: z.string().nullable(), by: z.string().nullable(), at: z.string() })),
});
