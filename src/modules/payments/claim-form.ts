import { randomUUID } from 'node:crypto';
import type { FastifyReply } from 'fastify';
import { EXPENSE_KINDS, PAY_AS, type ExpenseKind, type PayAs } from '../../db/schema.ts';
import { failureView } from '../../lib/form-cycle.ts';
import { formFailure, type FormFailure } from '../../lib/forms.ts';
import { uploadField } from '../../lib/upload-field.ts';
import { asList, fieldErrors, type FieldError } from '../../lib/validation.ts';
import { isUploadedFile } from '../../plugins/uploads.ts';
import { ACTIVITY_LABELS, RATE_RULE_TEXT } from './payments-rates.ts';
import {
  BANK_DETAILS_MESSAGE,
  EXPENSE_LABELS,
  looksLikeBankDetails,
  MAX_EXPENSE_PENCE,
  MAX_EXPENSES,
  MAX_PREP_HOURS,
  minutesFromText,
  PAY_AS_LABELS,
  penceFromText,
} from './payments-schemas.ts';
import type { AttendedChoice, ClaimDetail, ClaimInput, ExpenseInput, RateView } from './payments-service.ts';
import { hoursText, money } from './payments-view.ts';

/** Expense rows shown open; the rest sit in a "more expenses" section that opens without JavaScript. */
export const EXPENSE_ROWS_OPEN = 3;

const receiptField = uploadField('the receipt', 'pdf_or_image').optional();
const str = (v: unknown) => (typeof v === 'string' ? v : '');
/** `meeting:<id>` as a form field's name part: `meeting_<id>`. */
export const fieldKey = (key: string) => key.replace(':', '_');

export interface ParsedClaim {
  ok: true;
  data: ClaimInput;
  /** Which form field each item and each expense came from, to put the service's messages beside them. */
  itemFields: string[];
  expenseRows: number[];
  submissionKey?: string;
  replaces?: string;
}

/**
 * The claim form as a claim: the meetings and sessions ticked (each with its hours), preparation
 * time, up to ten expenses with their receipts, and how to be paid. Amounts for time are never
 * read from the form: the service works them out from the rates.
 */
export function parseClaimForm(
  body: Record<string, unknown>,
  ctx: { personId: string; offered: AttendedChoice[] },
): ParsedClaim | FormFailure {
  const errors: FieldError[] = [];
  const offered = new Map(ctx.offered.map((a) => [fieldKey(a.key), a]));
  const items: ClaimInput['items'] = [];
  const itemFields: string[] = [];

  for (const value of asList(body.attended) as unknown[]) {
    const a = typeof value === 'string' ? offered.get(value) : undefined;
    if (!a) {
      errors.push({
        path: 'attended',
        message: 'Something you ticked is already claimed, or was not recorded as attended. Check the list again.',
      });
      continue;
    }
    const field = `hours_${fieldKey(a.key)}`;
    const raw = str(body[field]).trim();
    const minutes = raw ? minutesFromText(raw) : a.scheduledMinutes;
    if (minutes === null || minutes <= 0)
      errors.push({ path: field, message: `Enter the hours at “${a.title}” as a number, like 2 or 2.5` });
    else if (minutes > a.maxMinutes)
      errors.push({
        path: field,
        message: `“${a.title}” was ${hoursText(a.scheduledMinutes)} long: claim at most ${hoursText(a.maxMinutes)}`,
      });
    else {
      items.push({ activity: a.activity, date: a.date, minutes, sourceType: a.sourceType, sourceId: a.sourceId });
      itemFields.push(field);
    }
  }

  const prepRaw = str(body.prepHours).trim();
  const prepNote = str(body.prepNote).trim();
  if (prepNote.length > 150) errors.push({ path: 'prepNote', message: 'What you did to prepare must be 150 characters or fewer' });
  else if (looksLikeBankDetails(prepNote)) errors.push({ path: 'prepNote', message: BANK_DETAILS_MESSAGE });
  if (prepRaw && prepRaw !== '0') {
    const minutes = minutesFromText(prepRaw);
    if (minutes === null || minutes <= 0) errors.push({ path: 'prepHours', message: 'Enter preparation time in hours, like 1 or 1.5' });
    else if (minutes > MAX_PREP_HOURS * 60)
      errors.push({ path: 'prepHours', message: `Preparation time must be ${MAX_PREP_HOURS} hours or less. For more, talk to us first.` });
    else if (!items.length && !errors.some((e) => e.path === 'attended' || e.path.startsWith('hours_')))
      errors.push({
        path: 'prepHours',
        message: 'Preparation time is paid with the meeting or session it was for: tick what you prepared for, in this claim',
      });
    else if (items.length) {
      // Preparation belongs with the latest thing it was for.
      const date = items
        .map((i) => i.date)
        .sort()
        .at(-1)!;
      items.push({
        activity: 'preparation',
        date,
        minutes,
        description: prepNote ? `Preparation: ${prepNote}` : ACTIVITY_LABELS.preparation,
      });
      itemFields.push('prepHours');
    }
  }

  const expenses: ExpenseInput[] = [];
  const expenseRows: number[] = [];
  for (let n = 1; n <= MAX_EXPENSES; n++) {
    const kind = str(body[`expenseKind_${n}`]);
    const amountRaw = str(body[`expenseAmount_${n}`]).trim();
    const note = str(body[`expenseNote_${n}`]).trim();
    const file = body[`receipt_${n}`];
    const keep = str(body[`keepReceipt_${n}`]);
    if (!kind && !amountRaw && !note && !isUploadedFile(file)) continue;
    const rowErrors = errors.length;
    if (!(EXPENSE_KINDS as readonly string[]).includes(kind))
      errors.push({ path: `expenseKind_${n}`, message: `Choose what expense ${n} was for` });
    const pence = amountRaw ? penceFromText(amountRaw) : null;
    if (!amountRaw) errors.push({ path: `expenseAmount_${n}`, message: `Enter how much expense ${n} was, like 4.50` });
    else if (pence === null) errors.push({ path: `expenseAmount_${n}`, message: `Expense ${n} must be an amount in pounds, like 4.50` });
    else if (pence <= 0) errors.push({ path: `expenseAmount_${n}`, message: `Expense ${n} must be more than £0` });
    else if (pence > MAX_EXPENSE_PENCE)
      errors.push({ path: `expenseAmount_${n}`, message: `Expense ${n} must be £1,000 or less. For more, talk to us first.` });
    if (note.length > 500) errors.push({ path: `expenseNote_${n}`, message: `The note for expense ${n} must be 500 characters or fewer` });
    else if (looksLikeBankDetails(note)) errors.push({ path: `expenseNote_${n}`, message: `${BANK_DETAILS_MESSAGE} (expense ${n})` });
    const receipt = receiptField.safeParse(isUploadedFile(file) ? file : undefined);
    if (!receipt.success)
      errors.push(...fieldErrors(receipt.error).map((e) => ({ path: `receipt_${n}`, message: `${e.message} (expense ${n})` })));
    if (errors.length === rowErrors) {
      expenses.push({
        kind: kind as ExpenseKind,
        amountPence: pence!,
        note: note || undefined,
        receipt: receipt.success ? receipt.data : undefined,
        keepReceiptOf: keep || undefined,
      });
      expenseRows.push(n);
    }
  }

  const payAs = str(body.payAs);
  if (!(PAY_AS as readonly string[]).includes(payAs)) errors.push({ path: 'payAs', message: 'Choose how you would like to be paid' });
  const note = str(body.note).trim();
  if (note.length > 1000) errors.push({ path: 'note', message: 'Anything else must be 1,000 characters or fewer' });
  else if (looksLikeBankDetails(note)) errors.push({ path: 'note', message: BANK_DETAILS_MESSAGE });
  if (!errors.length && !items.length && !expenses.length)
    errors.push({ path: 'attended', message: 'Tick something you came to, add preparation time or add an expense' });

  if (errors.length) return claimFailure(errors);
  return {
    ok: true,
    data: {
      personId: ctx.personId,
      items,
      expenses,
      payAs: payAs as PayAs,
      financeHasBankDetails: body.financeHasBankDetails === 'yes',
      note: note || undefined,
    },
    itemFields,
    expenseRows,
    submissionKey: str(body.submissionKey) || undefined,
    replaces: str(body.replaces) || undefined,
  };
}

/** Where each message links: the first box of a group. */
const idFor = (field: string) => (field === 'attended' ? 'attended' : field === 'payAs' ? 'payAs' : field);
export const claimFailure = (errors: FieldError[]) => formFailure(errors, { idFor });

/** The service's messages (`items.2.hours`, `expenses.0.amount`) beside the boxes they are about. */
export function serviceFailure(errors: FieldError[], parsed: Pick<ParsedClaim, 'itemFields' | 'expenseRows'>): FormFailure {
  return claimFailure(
    errors.map((e) => {
      const item = /^items\.(\d+)/.exec(e.path);
      if (item) return { ...e, path: parsed.itemFields[Number(item[1])] ?? 'attended' };
      const expense = /^expenses\.(\d+)\.(\w+)/.exec(e.path);
      if (expense) {
        const n = parsed.expenseRows[Number(expense[1])] ?? 1;
        return { ...e, path: expense[2] === 'note' ? `expenseNote_${n}` : `expenseAmount_${n}` };
      }
      return e.path === 'items' ? { ...e, path: 'attended' } : e;
    }),
  );
}

/** A draft's answers as the form's boxes, to change it: its receipts are kept unless another is chosen. */
export function draftValues(d: ClaimDetail): Record<string, unknown> {
  const values: Record<string, unknown> = {
    attended: d.items.filter((i) => i.sourceId).map((i) => `${i.sourceType}_${i.sourceId}`),
    payAs: d.payAs,
    financeHasBankDetails: d.financeHasBankDetails ? 'yes' : '',
    note: d.note ?? '',
    replaces: d.id,
  };
  for (const i of d.items) {
    const hours = String(Math.round((i.minutes / 60) * 100) / 100);
    if (i.sourceId) values[`hours_${i.sourceType}_${i.sourceId}`] = hours;
    else if (i.activity === 'preparation') {
      values.prepHours = hours;
      values.prepNote = i.description.startsWith('Preparation: ') ? i.description.slice('Preparation: '.length) : '';
    }
  }
  d.expenses.forEach((e, i) => {
    const n = i + 1;
    values[`expenseKind_${n}`] = e.kind;
    values[`expenseAmount_${n}`] = (e.amountPence / 100).toFixed(2);
    values[`expenseNote_${n}`] = e.note ?? '';
    if (e.receiptKey) {
      values[`keepReceipt_${n}`] = e.id;
      values[`keptName_${n}`] = e.receiptName;
    }
  });
  return values;
}

export interface ClaimFormContext {
  title: string;
  caption?: string;
  action: string;
  back: string;
  /** Whose claim it is, when staff make it for them. */
  onBehalfOf?: string;
  offered: AttendedChoice[];
  rates: RateView[];
  values: Record<string, unknown>;
  failure?: FormFailure;
  /** A receipt was chosen but the form came back: a browser does not keep a chosen file. */
  filesLost?: boolean;
  /** A new claim: everything attended and not yet claimed starts ticked. */
  fresh?: boolean;
  contact: string;
}

export function renderClaimForm(reply: FastifyReply, ctx: ClaimFormContext, status = 200) {
  const v = ctx.values;
  const ticked = new Set((asList(v.attended) as unknown[]).map(String));
  const rate = new Map(ctx.rates.map((r) => [r.activity, r]));
  const rateLine = (activity: AttendedChoice['activity']) => {
    const r = rate.get(activity);
    if (!r?.paid) return 'This is not paid, but you can claim expenses for it.';
    return [
      r.perHour !== null && `${money(r.perHour)} an hour`,
      r.perHalfDay !== null && `${money(r.perHalfDay)} a half day`,
      r.perDay !== null && `${money(r.perDay)} a day`,
    ]
      .filter(Boolean)
      .join(', ');
  };
  const failure = failureView(ctx.failure);
  return reply.status(status).view('payments/views/claim-form.njk', {
    title: ctx.title,
    caption: ctx.caption ?? null,
    action: ctx.action,
    back: ctx.back,
    onBehalfOf: ctx.onBehalfOf ?? null,
    submissionKey: str(v.submissionKey) || randomUUID(),
    replaces: str(v.replaces),
    attended: ctx.offered.map((a, i) => {
      const key = fieldKey(a.key);
      return {
        n: i + 1,
        value: key,
        title: a.title,
        hint: `${ACTIVITY_LABELS[a.activity]}, ${new Date(`${a.date}T12:00:00Z`).toLocaleDateString('en-GB', { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' })}, ${hoursText(a.scheduledMinutes)} long. ${rateLine(a.activity)}`,
        checked: ctx.fresh || ticked.has(key),
        hoursName: `hours_${key}`,
        hours: str(v[`hours_${key}`]) || String(Math.round((a.scheduledMinutes / 60) * 100) / 100),
        hoursError: failure.errors[`hours_${key}`] ?? null,
        maxText: `Up to ${hoursText(a.maxMinutes)}`,
      };
    }),
    prepRate: rateLine('preparation'),
    expenseRows: Array.from({ length: MAX_EXPENSES }, (_, i) => {
      const n = i + 1;
      return {
        n,
        kindItems: [
          { value: '', text: 'Choose' },
          ...EXPENSE_KINDS.map((k) => ({ value: k, text: EXPENSE_LABELS[k], selected: v[`expenseKind_${n}`] === k })),
        ],
        amount: str(v[`expenseAmount_${n}`]),
        note: str(v[`expenseNote_${n}`]),
        keep: str(v[`keepReceipt_${n}`]),
        keptName: str(v[`keptName_${n}`]),
        kindError: failure.errors[`expenseKind_${n}`] ?? null,
        amountError: failure.errors[`expenseAmount_${n}`] ?? null,
        noteError: failure.errors[`expenseNote_${n}`] ?? null,
        receiptError: failure.errors[`receipt_${n}`] ?? null,
      };
    }),
    openRows: EXPENSE_ROWS_OPEN,
    moreOpen: Array.from({ length: MAX_EXPENSES - EXPENSE_ROWS_OPEN }, (_, i) => i + EXPENSE_ROWS_OPEN + 1).some(
      (n) => !!(v[`expenseKind_${n}`] || v[`expenseAmount_${n}`] || v[`expenseNote_${n}`]),
    ),
    payAsItems: PAY_AS.map((p) => ({ value: p, text: PAY_AS_LABELS[p], checked: v.payAs === p })),
    bankDetailsChecked: v.financeHasBankDetails === 'yes',
    values: { prepHours: str(v.prepHours), prepNote: str(v.prepNote), note: str(v.note) },
    ruleText: RATE_RULE_TEXT,
    contact: ctx.contact,
    filesLost: !!ctx.filesLost,
    ...failure,
  });
}
