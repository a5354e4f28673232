import type { Db, Executor } from '../../db/client.ts';
import { PAID_ACTIVITIES, type ExpenseKind, type PaidActivity, type PayAs, type PaymentRate } from '../../db/schema.ts';
import { formatDay, londonDay } from '../../lib/dates.ts';
import type { CheckedFile } from '../../lib/upload-field.ts';
import { ConflictError, ForbiddenError, ValidationError, type FieldError } from '../../lib/validation.ts';
import { isStaff, type Actor } from '../../plugins/access.ts';
import type { AuditTrail } from '../audit/audit-service.ts';
import type { BoardsLookup } from '../boards/boards-lookup.ts';
import type { EventsLookup } from '../events/events-service.ts';
import type { ItemColumns, PaymentsRepository } from './payments-repository.ts';
import { ACTIVITY_LABELS, priceTime, rateLadder, type Price } from './payments-rates.ts';
import {
  BANK_DETAILS_MESSAGE,
  EXTRA_HOURS_ALLOWED,
  looksLikeBankDetails,
  MAX_EXPENSE_PENCE,
  MAX_EXPENSES,
  MAX_ITEM_HOURS,
  MAX_ITEMS,
  MAX_PREP_HOURS,
  type RateInput,
} from './payments-schemas.ts';

/*
 * What may be claimed and what it pays: the rates, what the person attended, the limits on a
 * claim's shape, the 24-hours-a-day rule and the pricing of each item. Making and sending a
 * claim (payments-drafts.ts) asks these; nothing here writes a claim.
 */

/** Something the person attended and may claim for: a board meeting, an event session or a workshop day. */
export interface AttendedChoice {
  /** `meeting:<id>` or `session:<id>`: the form's checkbox value. */
  key: string;
  sourceType: 'meeting' | 'session';
  sourceId: string;
  activity: PaidActivity;
  title: string;
  date: string;
  startsAt: Date;
  scheduledMinutes: number;
  /** The most time it may be claimed for. */
  maxMinutes: number;
}

export interface ClaimItemInput {
  activity: PaidActivity;
  date: string;
  minutes: number;
  sourceType?: 'meeting' | 'session';
  sourceId?: string;
  description?: string;
}
export interface ExpenseInput {
  kind: ExpenseKind;
  amountPence: number;
  note?: string;
  receipt?: CheckedFile;
  /** Keep the receipt of this expense of the draft being changed, rather than upload it again. */
  keepReceiptOf?: string;
}
export interface ClaimInput {
  personId: string;
  items: ClaimItemInput[];
  expenses: ExpenseInput[];
  payAs: PayAs;
  financeHasBankDetails: boolean;
  note?: string;
}

export interface RateView {
  activity: PaidActivity;
  paid: boolean;
  perHour: number | null;
  perHalfDay: number | null;
  perDay: number | null;
  source: string | null;
  updatedAt: Date | null;
  ladder: { length: string; pays: string }[];
}

/** A claim is attended within a year: older meetings are not offered (staff can still claim through the API). */
const OFFER_DAYS = 366;
/** The most time one person may claim for one day, across all their claims that count. */
const MAX_MINUTES_A_DAY = 1440;
/** Time at these must say what was attended (its meeting or session), so it is paid once. */
const SOURCED_ACTIVITIES: readonly PaidActivity[] = ['meeting', 'session', 'workshop_day'];
export const dayWords = (iso: string) => formatDay(new Date(`${iso}T12:00:00Z`));
export const hoursWords = (minutes: number) => {
  const h = Math.round((minutes / 60) * 100) / 100;
  return `${h} ${h === 1 ? 'hour' : 'hours'}`;
};

/** What does not need the database: sizes, counts, dates, and that there is something to claim. */
export function checkShape(input: ClaimInput) {
  const errors: FieldError[] = [];
  if (!input.items.length && !input.expenses.length)
    errors.push({ path: 'items', message: 'Choose something you came to, add preparation time or add an expense' });
  if (input.items.length > MAX_ITEMS) errors.push({ path: 'items', message: `A claim can have at most ${MAX_ITEMS} items` });
  if (input.expenses.length > MAX_EXPENSES) errors.push({ path: 'expenses', message: `A claim can have at most ${MAX_EXPENSES} expenses` });
  const today = londonDay(new Date());
  const sources = new Set<string>();
  let prep = 0;
  const attendedItems = input.items.filter((i) => i.sourceId && SOURCED_ACTIVITIES.includes(i.activity)).length;
  input.items.forEach((item, i) => {
    if (!Number.isInteger(item.minutes) || item.minutes <= 0 || item.minutes > 1440)
      errors.push({ path: `items.${i}.hours`, message: 'The hours must be more than 0 and at most 24' });
    if (item.date > today)
      errors.push({ path: `items.${i}.date`, message: 'You can only claim for time already given: the date is in the future' });
    if (looksLikeBankDetails(item.description)) errors.push({ path: `items.${i}.description`, message: BANK_DETAILS_MESSAGE });
    if (item.activity === 'preparation') {
      if (!attendedItems && prep === 0)
        errors.push({
          path: `items.${i}.activity`,
          message:
            'Preparation time can only be claimed with the meeting, session or workshop day it was for, in the same claim: choose what you prepared for',
        });
      prep += item.minutes;
    }
    if (SOURCED_ACTIVITIES.includes(item.activity) && !item.sourceId)
      errors.push({
        path: `items.${i}.sourceId`,
        message: `Time at a ${ACTIVITY_LABELS[item.activity].toLowerCase()} must say which one was attended (its sourceId), so it is paid once. For anything else, use the activity “other”.`,
      });
    if (item.sourceId) {
      if (sources.has(item.sourceId))
        errors.push({ path: `items.${i}.sourceId`, message: 'The same meeting or session is in the claim twice' });
      sources.add(item.sourceId);
    } else if (item.activity !== 'preparation' && item.minutes > MAX_ITEM_HOURS * 60)
      errors.push({ path: `items.${i}.hours`, message: `One item can be at most ${MAX_ITEM_HOURS} hours` });
  });
  if (prep > MAX_PREP_HOURS * 60)
    errors.push({ path: 'prepHours', message: `Preparation time must be ${MAX_PREP_HOURS} hours or less. For more, talk to us first.` });
  input.expenses.forEach((e, i) => {
    if (!Number.isInteger(e.amountPence) || e.amountPence <= 0 || e.amountPence > MAX_EXPENSE_PENCE)
      errors.push({ path: `expenses.${i}.amount`, message: 'An expense must be more than £0 and at most £1,000' });
    if ((e.note ?? '').length > 500) errors.push({ path: `expenses.${i}.note`, message: 'The note must be 500 characters or fewer' });
    else if (looksLikeBankDetails(e.note)) errors.push({ path: `expenses.${i}.note`, message: BANK_DETAILS_MESSAGE });
  });
  if ((input.note ?? '').length > 1000) errors.push({ path: 'note', message: 'The note must be 1,000 characters or fewer' });
  else if (looksLikeBankDetails(input.note)) errors.push({ path: 'note', message: BANK_DETAILS_MESSAGE });
  if (errors.length) throw new ValidationError(errors);
}

/** Each item priced from the rates, and its description; sources checked against what the person attended. */
export function priceItems(
  input: ClaimInput,
  attended: Map<string, AttendedChoice>,
  claimed: Set<string>,
  rates: Map<PaidActivity, PaymentRate>,
) {
  const errors: FieldError[] = [];
  const rows: (ItemColumns & { price: Price })[] = [];
  input.items.forEach((item, i) => {
    let sourceType: 'meeting' | 'session' | null = null;
    let description = item.description ?? ACTIVITY_LABELS[item.activity];
    if (item.sourceId) {
      const found =
        (item.sourceType ? attended.get(`${item.sourceType}:${item.sourceId}`) : undefined) ??
        attended.get(`meeting:${item.sourceId}`) ??
        attended.get(`session:${item.sourceId}`);
      if (!found || (item.sourceType && found.sourceType !== item.sourceType)) {
        errors.push({ path: `items.${i}.sourceId`, message: 'That is not a meeting or session this person was recorded as attending' });
        return;
      }
      if (claimed.has(found.key))
        throw new ConflictError(`“${found.title}” on ${dayWords(found.date)} is already in a claim, so it cannot be claimed again`);
      const activityFits =
        found.sourceType === 'meeting' ? item.activity === 'meeting' : ['session', 'workshop_day'].includes(item.activity);
      if (!activityFits)
        errors.push({
          path: `items.${i}.activity`,
          message: `“${found.title}” is a ${found.sourceType}: its activity cannot be ${item.activity}`,
        });
      if (item.date !== found.date)
        errors.push({ path: `items.${i}.date`, message: `“${found.title}” was on ${found.date}, not ${item.date}` });
      if (item.minutes > found.maxMinutes)
        errors.push({
          path: `items.${i}.hours`,
          message: `“${found.title}” was ${Math.round((found.scheduledMinutes / 60) * 100) / 100} hours long: claim at most ${Math.round((found.maxMinutes / 60) * 100) / 100} hours for it`,
        });
      sourceType = found.sourceType;
      description = found.title;
    }
    const rate = rates.get(item.activity);
    const price: Price =
      input.payAs === 'decline'
        ? { amountPence: 0, basis: 'declined', how: 'Payment for time declined' }
        : priceTime(
            rate ? { paid: rate.paid, perHour: rate.perHour, perHalfDay: rate.perHalfDay, perDay: rate.perDay } : null,
            item.minutes,
          );
    rows.push({
      position: i,
      activity: item.activity,
      onDate: item.date,
      minutes: item.minutes,
      sourceType,
      sourceId: sourceType ? item.sourceId! : null,
      description,
      amountPence: price.amountPence,
      price,
    });
  });
  if (errors.length) throw new ValidationError(errors);
  return rows;
}

export function createClaimRules(deps: {
  db: Db;
  repo: PaymentsRepository;
  audit: AuditTrail;
  boardsLookup: Pick<BoardsLookup, 'attendedMeetings'>;
  eventsLookup: Pick<EventsLookup, 'attendedSessions'>;
}) {
  const { db, repo } = deps;

  async function rateRules(ex: Executor = db): Promise<Map<PaidActivity, PaymentRate>> {
    return new Map((await repo.rates(ex)).map((r) => [r.activity, r]));
  }

  /** Everything the person attended, all time, by `type:id`. */
  async function attendedOf(personId: string, ex: Executor, since?: Date): Promise<Map<string, AttendedChoice>> {
    // One after another: `ex` may be a transaction's client.
    const meetings = await deps.boardsLookup.attendedMeetings(personId, since ? { since } : {}, ex);
    const sessions = await deps.eventsLookup.attendedSessions(ex, personId, since);
    const now = Date.now();
    const out = new Map<string, AttendedChoice>();
    const add = (c: Omit<AttendedChoice, 'key' | 'date' | 'scheduledMinutes' | 'maxMinutes'> & { endsAt: Date }) => {
      // Only what is over: a meeting still going on is claimed once it has ended.
      if (c.endsAt.getTime() > now) return;
      const scheduledMinutes = Math.max(1, Math.min(1440, Math.round((c.endsAt.getTime() - c.startsAt.getTime()) / 60_000)));
      const { endsAt: _ends, ...rest } = c;
      out.set(`${c.sourceType}:${c.sourceId}`, {
        ...rest,
        key: `${c.sourceType}:${c.sourceId}`,
        date: londonDay(c.startsAt),
        scheduledMinutes,
        maxMinutes: Math.min(1440, scheduledMinutes + EXTRA_HOURS_ALLOWED * 60),
      });
    };
    for (const m of meetings)
      add({
        sourceType: 'meeting',
        sourceId: m.meetingId,
        activity: 'meeting',
        title: `${m.boardName}: ${m.title}`,
        startsAt: m.startsAt,
        endsAt: m.endsAt,
      });
    for (const s of sessions)
      add({
        sourceType: 'session',
        sourceId: s.sessionId,
        activity: s.eventKind === 'cohort' ? 'workshop_day' : 'session',
        title: `${s.eventTitle}: ${s.title}`,
        startsAt: s.startsAt,
        endsAt: s.endsAt,
      });
    return out;
  }

  /**
   * No one is paid for more than 24 hours of one day: this claim's time on each day, with the time
   * already in their sent claims that were not rejected, is at most that.
   */
  async function dayCapErrors(ex: Executor, personId: string, items: { date: string; minutes: number }[]): Promise<FieldError[]> {
    const here = new Map<string, { minutes: number; first: number }>();
    items.forEach((it, i) => {
      const day = here.get(it.date);
      here.set(it.date, { minutes: (day?.minutes ?? 0) + it.minutes, first: day?.first ?? i });
    });
    if (!here.size) return [];
    const already = await repo.minutesOnDays(ex, personId, [...here.keys()]);
    const errors: FieldError[] = [];
    for (const [day, { minutes, first }] of here) {
      const before = already.get(day) ?? 0;
      if (minutes + before > MAX_MINUTES_A_DAY)
        errors.push({
          path: `items.${first}.hours`,
          message: before
            ? `No more than 24 hours can be claimed for one day: ${dayWords(day)} already has ${hoursWords(before)} in other claims, and this claim adds ${hoursWords(minutes)}`
            : `No more than 24 hours can be claimed for one day: this claim has ${hoursWords(minutes)} on ${dayWords(day)}`,
        });
    }
    return errors;
  }

  return {
    rateRules,
    attendedOf,
    dayCapErrors,

    // ---- rates ----------------------------------------------------------------------------------
    async rates(): Promise<RateView[]> {
      const found = await rateRules();
      return PAID_ACTIVITIES.map((activity) => {
        const r = found.get(activity);
        const rule = r ?? { paid: false, perHour: null, perHalfDay: null, perDay: null };
        return {
          activity,
          paid: rule.paid,
          perHour: rule.perHour,
          perHalfDay: rule.perHalfDay,
          perDay: rule.perDay,
          source: r?.source ?? null,
          updatedAt: r?.updatedAt ?? null,
          ladder: rateLadder(rule),
        };
      });
    },

    /** Sets the rates for the activities given; the others keep theirs. */
    async setRates(actor: Actor, rates: RateInput[]): Promise<void> {
      if (!isStaff(actor)) throw new ForbiddenError('Only staff can set the rates');
      await db.transaction(async (tx) => {
        for (const r of rates) {
          const paid = r.paid ?? true;
          if (paid && r.perHour == null && r.perHalfDay == null && r.perDay == null)
            throw new ValidationError([
              { path: `${r.activity}_perHour`, message: `A paid activity needs at least one rate: ${r.activity}` },
            ]);
          await repo.upsertRate(tx, {
            activity: r.activity,
            paid,
            perHour: r.perHour ?? null,
            perHalfDay: r.perHalfDay ?? null,
            perDay: r.perDay ?? null,
            currency: 'GBP',
            source: r.source || null,
            updatedBy: actor.personId,
          });
        }
        await deps.audit.insert(tx, {
          actorId: actor.personId,
          action: 'payment_rates.updated',
          subjectType: 'payment_rates',
          subjectId: null,
          details: { activities: rates.map((r) => r.activity) },
        });
      });
    },

    /** What the person came to in the last year and has not yet claimed for (in a claim that was not rejected). */
    async attendedToClaim(personId: string): Promise<AttendedChoice[]> {
      const since = new Date(Date.now() - OFFER_DAYS * 86_400_000);
      const [attended, claimed] = await Promise.all([attendedOf(personId, db, since), repo.claimedSources(db, personId)]);
      return [...attended.values()].filter((a) => !claimed.has(a.key)).sort((a, b) => a.startsAt.getTime() - b.startsAt.getTime());
    },
  };
}

export type ClaimRules = ReturnType<typeof createClaimRules>;
