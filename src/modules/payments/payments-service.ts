import { createHash, randomUUID } from 'node:crypto';
import type { Config } from '../../config.ts';
import type { Db } from '../../db/client.ts';
import { isUuid } from '../../db/ids.ts';
import {
  PAID_ACTIVITIES,
  type Claim,
  type ClaimStatus,
  type ExpenseKind,
  type PaidActivity,
  type PayAs,
  type PaymentRate,
  type Person,
} from '../../db/schema.ts';
import type { Jobs } from '../../jobs/jobs.ts';
import { toCsv } from '../../lib/csv.ts';
import { formatDay, londonDay } from '../../lib/dates.ts';
import { fileKey, type FileStore } from '../../lib/file-store.ts';
import type { CheckedFile } from '../../lib/upload-field.ts';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError, type FieldError } from '../../lib/validation.ts';
import type { Logger } from '../../logger.ts';
import { isStaff, type Actor } from '../../plugins/access.ts';
import type { AuditTrail } from '../audit/audit-service.ts';
import type { BoardsLookup } from '../boards/boards-lookup.ts';
import type { EventsLookup } from '../events/events-service.ts';
import type { PeopleService } from '../people/people-service.ts';
import { claimEmailComposers } from './payments-emails.ts';
import { createPaymentsRepository, type ClaimWithParts, type ExpenseColumns, type ItemColumns } from './payments-repository.ts';
import { ACTIVITY_LABELS, priceTime, rateLadder, taxYearOf, type Price, type TaxYear } from './payments-rates.ts';
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

export type { ClaimWithParts };

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

export interface ClaimDetail extends ClaimWithParts {
  personName: string;
  personEmail: string | null;
  names: Map<string, string>;
}

/** The finance export's columns, in this order, always: a spreadsheet or a finance system reads them by position. */
export const FINANCE_CSV_COLUMNS = [
  'claim_id',
  'claimant_name',
  'claimant_email',
  'pay_as',
  'finance_has_bank_details',
  'time_total',
  'expenses_total',
  'total',
  'approved_on',
  'approved_by',
  'paid_on',
] as const;

/** Pence as pounds for finance: 1250 is "12.50". */
export const poundsCell = (pence: number) => (pence / 100).toFixed(2);

/** A claim is attended within a year: older meetings are not offered (staff can still claim through the API). */
const OFFER_DAYS = 366;
/** The most time one person may claim for one day, across all their claims that count. */
const MAX_MINUTES_A_DAY = 1440;
/** Time at these must say what was attended (its meeting or session), so it is paid once. */
const SOURCED_ACTIVITIES: readonly PaidActivity[] = ['meeting', 'session', 'workshop_day'];
const MOVES: Record<string, readonly ClaimStatus[]> = { submitted: ['approved', 'rejected'], approved: ['paid'] };

export function createPaymentsService(deps: {
  db: Db;
  config: Config;
  secret: string;
  files: FileStore;
  audit: AuditTrail;
  jobs: Pick<Jobs, 'sendEmail' | 'enqueue'>;
  people: Pick<PeopleService, 'findById' | 'namesByIds' | 'list'>;
  boardsLookup: Pick<BoardsLookup, 'attendedMeetings'>;
  eventsLookup: Pick<EventsLookup, 'attendedSessions'>;
  log: Pick<Logger, 'info' | 'warn' | 'error'>;
}) {
  const { db, files, people } = deps;
  const repo = createPaymentsRepository();

  const removeFiles = async (keys: string[]) => {
    for (const key of keys) await files.remove(key).catch((err: unknown) => deps.log.error({ err }, 'could not remove a receipt'));
  };

  async function mustFindPerson(personId: string): Promise<Person> {
    const p = isUuid(personId) ? await people.findById(personId) : undefined;
    if (!p || p.erasedAt) throw new ValidationError([{ path: 'personId', message: 'There is no one with that id' }]);
    return p;
  }

  /** Who can see a claim: a draft only its maker; a sent claim its claimant, and staff. */
  const canSee = (actor: Actor, c: Claim) =>
    c.status === 'draft' ? (c.madeBy ?? c.personId) === actor.personId : isStaff(actor) || c.personId === actor.personId;

  async function mustSee(actor: Actor, id: string): Promise<Claim> {
    const c = isUuid(id) ? await repo.find(db, id) : null;
    if (!c || !canSee(actor, c)) throw new NotFoundError('No claim with that id');
    return c;
  }

  async function rateRules(ex: Parameters<typeof repo.rates>[0] = db): Promise<Map<PaidActivity, PaymentRate>> {
    return new Map((await repo.rates(ex)).map((r) => [r.activity, r]));
  }

  /** Everything the person attended, all time, by `type:id`. */
  async function attendedOf(personId: string, ex: Parameters<typeof repo.rates>[0], since?: Date): Promise<Map<string, AttendedChoice>> {
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

  /** What does not need the database: sizes, counts, dates, and that there is something to claim. */
  function checkShape(input: ClaimInput) {
    const errors: FieldError[] = [];
    if (!input.items.length && !input.expenses.length)
      errors.push({ path: 'items', message: 'Choose something you came to, add preparation time or add an expense' });
    if (input.items.length > MAX_ITEMS) errors.push({ path: 'items', message: `A claim can have at most ${MAX_ITEMS} items` });
    if (input.expenses.length > MAX_EXPENSES)
      errors.push({ path: 'expenses', message: `A claim can have at most ${MAX_EXPENSES} expenses` });
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

  const dayWords = (iso: string) => formatDay(new Date(`${iso}T12:00:00Z`));
  const hoursWords = (minutes: number) => {
    const h = Math.round((minutes / 60) * 100) / 100;
    return `${h} ${h === 1 ? 'hour' : 'hours'}`;
  };

  /**
   * No one is paid for more than 24 hours of one day: this claim's time on each day, with the time
   * already in their sent claims that were not rejected, is at most that.
   */
  async function dayCapErrors(
    ex: Parameters<typeof repo.rates>[0],
    personId: string,
    items: { date: string; minutes: number }[],
  ): Promise<FieldError[]> {
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

  /** Each item priced from the rates, and its description; sources checked against what the person attended. */
  function priceItems(
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

  /**
   * Makes a claim: a draft for the person to check (web), or sent at once (API, demo). Receipts
   * go to the file store first and the rows after, in one transaction; if the rows fail, the files
   * go again, so nothing is ever half there. The same submission key twice records one claim.
   */
  async function createClaim(
    actor: Actor,
    input: ClaimInput,
    opts: { draft: boolean; submissionKey?: string; replaces?: string },
  ): Promise<{ claim: Claim; repeated: boolean }> {
    if (!isStaff(actor) && input.personId !== actor.personId) throw new NotFoundError('No one with that id');
    await mustFindPerson(input.personId);
    checkShape(input);
    const madeBy = input.personId === actor.personId ? null : actor.personId;
    const key = opts.submissionKey && isUuid(opts.submissionKey) ? opts.submissionKey : null;
    const hash = inputHash(input, madeBy, opts.replaces);
    /**
     * The claim made earlier with this key: the same answers again are a repeat (a double click);
     * other answers (back in the browser, changed, sent again) replace that draft on the web, and
     * are refused once it was sent, or through the API.
     */
    const earlierOf = (earlier: Claim | null): { repeat: Claim } | { replace: Claim } | null => {
      if (!earlier) return null;
      if (earlier.personId !== input.personId || earlier.madeBy !== madeBy)
        throw new ConflictError('This form was already sent. Reload the page to make another claim.');
      if (earlier.submissionHash === hash) return { repeat: earlier };
      if (opts.draft && earlier.status === 'draft') return { replace: earlier };
      throw new ConflictError(
        opts.draft
          ? 'You have already sent this claim, so it cannot be changed here. To claim for something else, make a new claim.'
          : 'This submissionKey was already used for a different claim: use a new key for a new claim',
      );
    };
    if (key) {
      const earlier = earlierOf(await repo.findBySubmissionKey(db, key));
      if (earlier && 'repeat' in earlier) return { claim: earlier.repeat, repeated: true };
    }

    // The draft being changed, if it is this maker's draft for this person; its receipts may be kept.
    const replaced = opts.replaces && isUuid(opts.replaces) ? await repo.find(db, opts.replaces) : null;
    const replacing =
      replaced && replaced.status === 'draft' && replaced.personId === input.personId && replaced.madeBy === madeBy ? replaced : null;

    const stored: string[] = [];
    const expenseRows: ExpenseColumns[] = [];
    try {
      for (const [position, e] of input.expenses.entries()) {
        const id = randomUUID();
        let receipt: { name: string; type: string } | null = null;
        if (e.receipt) {
          await files.put(fileKey('receipts', id), e.receipt.data, e.receipt.contentType);
          stored.push(fileKey('receipts', id));
          receipt = { name: e.receipt.name, type: e.receipt.contentType };
        } else if (e.keepReceiptOf && replacing && isUuid(e.keepReceiptOf)) {
          const old = await repo.expense(db, replacing.id, e.keepReceiptOf);
          const data = old?.receiptKey ? await files.get(old.receiptKey) : null;
          if (old && data) {
            await files.put(fileKey('receipts', id), data, old.receiptType ?? 'application/octet-stream');
            stored.push(fileKey('receipts', id));
            receipt = { name: old.receiptName!, type: old.receiptType ?? 'application/octet-stream' };
          }
        }
        expenseRows.push({
          id,
          position,
          kind: e.kind,
          amountPence: e.amountPence,
          note: e.note || null,
          receiptKey: receipt ? fileKey('receipts', id) : null,
          receiptName: receipt?.name ?? null,
          receiptType: receipt?.type ?? null,
        });
      }

      const result = await db.transaction(async (tx) => {
        await repo.lockPerson(tx, input.personId);
        const earlier = key ? earlierOf(await repo.findBySubmissionKey(tx, key)) : null;
        if (earlier && 'repeat' in earlier) return { claim: earlier.repeat, repeated: true, discarded: [] as string[] };
        // One after another: a transaction's client runs one statement at a time.
        const attended = await attendedOf(input.personId, tx);
        const claimed = await repo.claimedSources(tx, input.personId);
        const rates = await rateRules(tx);
        const items = priceItems(input, attended, claimed, rates);
        const overDay = await dayCapErrors(
          tx,
          input.personId,
          items.map((i) => ({ date: i.onDate, minutes: i.minutes })),
        );
        if (overDay.length) throw new ValidationError(overDay);
        const timePence = items.reduce((s, i) => s + i.amountPence, 0);
        const expensesPence = expenseRows.reduce((s, e) => s + e.amountPence, 0);
        if (timePence + expensesPence === 0)
          throw new ValidationError([
            {
              path: input.payAs === 'decline' ? 'payAs' : 'items',
              message:
                input.payAs === 'decline'
                  ? 'You chose not to be paid for your time and have no expenses, so there is nothing to claim. Thank you for giving your time.'
                  : 'There is nothing to pay on this claim: the time in it is not paid and it has no expenses',
            },
          ]);
        // One draft per maker and person: starting again replaces the one before.
        const old = opts.draft ? await repo.draftsOf(tx, input.personId, actor.personId) : replacing ? [replacing] : [];
        if (earlier && 'replace' in earlier) old.push(earlier.replace);
        const oldIds = [...new Set(old.map((c) => c.id))];
        const discarded = await repo.receiptKeysOf(tx, oldIds);
        await repo.deleteClaims(tx, oldIds);
        const claim = await repo.insertClaim(tx, {
          personId: input.personId,
          status: opts.draft ? 'draft' : 'submitted',
          payAs: input.payAs,
          financeHasBankDetails: input.financeHasBankDetails,
          timePence,
          expensesPence,
          totalPence: timePence + expensesPence,
          note: input.note || null,
          madeBy,
          submissionKey: key,
          submissionHash: key ? hash : null,
          submittedAt: opts.draft ? null : new Date(),
        });
        // Two identical posts at the same moment: the second finds the first's claim.
        if (!claim) throw new ConflictError('This form was already sent. Reload the page to make another claim.');
        await repo.insertParts(
          tx,
          claim.id,
          items.map(({ price: _p, ...row }) => row),
          expenseRows,
        );
        if (!opts.draft) await recordSubmitted(tx, actor, claim);
        return { claim, repeated: false, discarded };
      });
      if (result.repeated) await removeFiles(stored);
      await removeFiles(result.discarded);
      return { claim: result.claim, repeated: result.repeated };
    } catch (err) {
      await removeFiles(stored);
      throw err;
    }
  }

  async function recordSubmitted(tx: Parameters<typeof repo.rates>[0], actor: Actor, claim: Claim) {
    await repo.addUpdate(tx, { claimId: claim.id, status: 'submitted', note: null, byPerson: actor.personId });
    await deps.audit.insert(tx, {
      actorId: actor.personId,
      action: 'claim.submitted',
      subjectType: 'claim',
      subjectId: claim.id,
      details: { onBehalf: !!claim.madeBy },
    });
  }

  async function detail(c: Claim): Promise<ClaimDetail> {
    const full = await repo.withParts(db, c);
    const person = c.personId ? await people.findById(c.personId) : undefined;
    const names = await people.namesByIds(
      [c.personId, c.madeBy, c.decidedBy, c.paidBy, ...full.updates.map((u) => u.byPerson)].filter((x): x is string => !!x),
    );
    return { ...full, personName: person?.name ?? 'Erased person', personEmail: person?.erasedAt ? null : (person?.email ?? null), names };
  }

  return {
    composers: claimEmailComposers({ db, config: deps.config, repo, people }),

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

    // ---- making a claim -------------------------------------------------------------------------
    /** What the person came to in the last year and has not yet claimed for (in a claim that was not rejected). */
    async attendedToClaim(personId: string): Promise<AttendedChoice[]> {
      const since = new Date(Date.now() - OFFER_DAYS * 86_400_000);
      const [attended, claimed] = await Promise.all([attendedOf(personId, db, since), repo.claimedSources(db, personId)]);
      return [...attended.values()].filter((a) => !claimed.has(a.key)).sort((a, b) => a.startsAt.getTime() - b.startsAt.getTime());
    },

    /** A claim for the person to check before sending it; it replaces any draft this maker had for them. */
    prepareDraft: (actor: Actor, input: ClaimInput, opts: { submissionKey?: string; replaces?: string } = {}) =>
      createClaim(actor, input, { ...opts, draft: true }),

    /** A claim sent at once (the API, and demo data). */
    submitClaim: (actor: Actor, input: ClaimInput, opts: { submissionKey?: string } = {}) =>
      createClaim(actor, input, { ...opts, draft: false }),

    /** The checked draft is sent. Sending it twice (a double click) is one claim. */
    async submitDraft(actor: Actor, id: string): Promise<Claim> {
      const c = await mustSeeMaker(actor, id);
      if (c.status !== 'draft') return c;
      return db.transaction(async (tx) => {
        await repo.lockPerson(tx, c.personId!);
        const now = await repo.find(tx, id, { lock: true });
        if (!now) throw new NotFoundError('No claim with that id');
        if (now.status !== 'draft') return now;
        const claimed = await repo.claimedSources(tx, c.personId!);
        const items = await repo.itemsOf(tx, [id]);
        const taken = items.find((i) => i.sourceId && claimed.has(`${i.sourceType}:${i.sourceId}`));
        if (taken) throw new ConflictError(`“${taken.description}” is already in another claim. Go back and take it out of this one.`);
        // What the draft claims may have changed since it was made: a meeting cancelled, an
        // attendance taken back, a session made shorter or moved. Check each again as it is now.
        const attended = await attendedOf(c.personId!, tx);
        for (const i of items) {
          if (!i.sourceId) continue;
          const found = attended.get(`${i.sourceType}:${i.sourceId}`);
          const what = `“${i.description}” on ${dayWords(i.onDate)}`;
          if (!found)
            throw new ConflictError(
              `${what} is no longer recorded as attended, or did not go ahead. Go back and take it out of this claim.`,
            );
          if (found.date !== i.onDate)
            throw new ConflictError(`${what} has moved to ${dayWords(found.date)}. Go back and choose it again.`);
          if (i.minutes > found.maxMinutes)
            throw new ConflictError(
              `${what} is now ${hoursWords(found.scheduledMinutes)} long: claim at most ${hoursWords(found.maxMinutes)} for it. Go back and change the hours.`,
            );
        }
        const overDay = await dayCapErrors(
          tx,
          c.personId!,
          items.map((i) => ({ date: i.onDate, minutes: i.minutes })),
        );
        if (overDay.length) throw new ConflictError(`${overDay[0]!.message}. Go back and change the hours.`);
        await repo.submitDraft(tx, id);
        const sent = (await repo.find(tx, id))!;
        await recordSubmitted(tx, actor, sent);
        return sent;
      });
    },

    async discardDraft(actor: Actor, id: string): Promise<void> {
      const c = await mustSeeMaker(actor, id);
      if (c.status !== 'draft') throw new ConflictError('This claim has been sent, so it cannot be deleted');
      const keys = await db.transaction(async (tx) => {
        const keys = await repo.receiptKeysOf(tx, [id]);
        await repo.deleteClaims(tx, [id]);
        return keys;
      });
      await removeFiles(keys);
    },

    // ---- deciding -------------------------------------------------------------------------------
    /**
     * Staff move a claim on: submitted to approved or rejected, approved to paid; nothing else.
     * Nobody decides their own claim, and whoever made a claim for someone does not approve it.
     */
    async setStatus(actor: Actor, id: string, move: { status: ClaimStatus; note?: string }): Promise<Claim> {
      if (!isStaff(actor)) throw new ForbiddenError('Only staff can approve, reject or pay claims');
      const note = move.note?.trim() || null;
      const claim = await db.transaction(async (tx) => {
        const c = isUuid(id) ? await repo.find(tx, id, { lock: true }) : null;
        if (!c || c.status === 'draft') throw new NotFoundError('No claim with that id');
        if (c.personId === actor.personId) throw new ForbiddenError('This is your own claim: a colleague must decide it and pay it');
        if (!(MOVES[c.status] ?? []).includes(move.status)) throw new ConflictError(refusal(c.status, move.status));
        if (move.status === 'approved' && c.madeBy === actor.personId)
          throw new ForbiddenError('You made this claim on their behalf, so a colleague must approve it');
        if (looksLikeBankDetails(note)) throw new ValidationError([{ path: 'note', message: BANK_DETAILS_MESSAGE }]);
        if (move.status === 'rejected' && !note)
          throw new ValidationError([{ path: 'note', message: 'Say why the claim is not approved: the claimant will read it' }]);
        const at = new Date();
        await repo.setStatus(
          tx,
          id,
          move.status,
          move.status === 'paid'
            ? { paidBy: actor.personId, paidAt: at }
            : { decidedBy: actor.personId, decidedAt: at, rejectedReason: move.status === 'rejected' ? note : null },
        );
        await repo.addUpdate(tx, { claimId: id, status: move.status, note, byPerson: actor.personId });
        await deps.audit.insert(tx, {
          actorId: actor.personId,
          action: `claim.${move.status}`,
          subjectType: 'claim',
          subjectId: id,
        });
        return (await repo.find(tx, id))!;
      });
      await deps.jobs
        .sendEmail({ kind: `claim-${move.status}`, ref: { claimId: id } })
        .catch((err: unknown) => deps.log.error({ err }, 'could not queue the claim email'));
      return claim;
    },

    // ---- reading --------------------------------------------------------------------------------
    async get(actor: Actor, id: string): Promise<ClaimDetail> {
      return detail(await mustSee(actor, id));
    },

    /** A receipt, for its claimant and staff only; anyone else is told there is none. */
    async receipt(actor: Actor, claimId: string, expenseId: string): Promise<{ data: Buffer; name: string; contentType: string }> {
      const c = await mustSee(actor, claimId);
      const e = isUuid(expenseId) ? await repo.expense(db, c.id, expenseId) : null;
      const data = e?.receiptKey ? await files.get(e.receiptKey) : null;
      if (!e || !data) throw new NotFoundError('No receipt here');
      return { data, name: e.receiptName ?? 'receipt', contentType: e.receiptType ?? 'application/octet-stream' };
    },

    /** The person's own claims, with the drafts they are making. */
    async mine(actor: Actor) {
      return repo.ofPerson(db, actor.personId, { drafts: 'own' });
    },

    /** A person's sent claims, for staff. */
    ofPerson: (personId: string) => repo.ofPerson(db, personId, { drafts: 'none' }),

    async taxYear(
      personId: string,
      at = new Date(),
    ): Promise<{ year: TaxYear; totalPence: number; paidPence: number; timePence: number; claims: number }> {
      const year = taxYearOf(at);
      const t = await repo.taxYearTotals(db, personId, year.from, year.until);
      return { year, totalPence: t.total, paidPence: t.paid, timePence: t.time, claims: t.claims };
    },

    async list(opts: { status?: ClaimStatus; after?: { at: string; id: string }; limit: number }) {
      const rows = await repo.list(db, opts);
      const names = await people.namesByIds(rows.flatMap((c) => (c.personId ? [c.personId] : [])));
      return rows.map((c) => ({ ...c, personName: (c.personId && names.get(c.personId)) || 'Erased person' }));
    },
    /** How many claims in the list come before this cursor: where a page starts. */
    countNewer: (opts: { status?: ClaimStatus; after: { at: string; id: string } }) => repo.countNewer(db, opts),
    counts: () => repo.counts(db),

    /** Claims with their items and expenses, for the API. */
    async withParts(list: Claim[]): Promise<ClaimWithParts[]> {
      const ids = list.map((c) => c.id);
      const [items, expenses] = await Promise.all([repo.itemsOf(db, ids), repo.expensesOf(db, ids)]);
      return list.map((c) => ({
        ...c,
        items: items.filter((i) => i.claimId === c.id),
        expenses: expenses.filter((e) => e.claimId === c.id),
        updates: [],
      }));
    },
    detail,

    /** The finance export: every claim in this status, in FINANCE_CSV_COLUMNS. */
    async financeCsv(status: ClaimStatus = 'approved'): Promise<string> {
      const rows = await repo.list(db, { status, limit: 100_000 });
      const ids = [...new Set(rows.flatMap((c) => [c.personId, c.decidedBy]).filter((x): x is string => !!x))];
      const found = new Map(
        (await Promise.all(ids.map((id) => people.findById(id)))).filter((p): p is Person => !!p).map((p) => [p.id, p]),
      );
      const approved = (c: Claim) => c.status === 'approved' || c.status === 'paid';
      return toCsv(
        [...FINANCE_CSV_COLUMNS],
        rows.map((c) => {
          const p = c.personId ? found.get(c.personId) : undefined;
          return [
            c.id,
            p?.name ?? 'Erased person',
            p && !p.erasedAt ? p.email : null,
            c.payAs,
            c.financeHasBankDetails ? 'yes' : 'no',
            poundsCell(c.timePence),
            poundsCell(c.expensesPence),
            poundsCell(c.totalPence),
            approved(c) && c.decidedAt ? londonDay(c.decidedAt) : null,
            approved(c) && c.decidedBy ? (found.get(c.decidedBy)?.name ?? null) : null,
            c.paidAt ? londonDay(c.paidAt) : null,
          ];
        }),
      );
    },

    /** People to claim for, by name, email or organisation. */
    findPeople: (q: string) => people.list({ search: q, limit: 20 }),
    findPerson: (personId: string) => mustFindPerson(personId),
  };

  async function mustSeeMaker(actor: Actor, id: string): Promise<Claim> {
    const c = isUuid(id) ? await repo.find(db, id) : null;
    if (!c || (c.madeBy ?? c.personId) !== actor.personId) throw new NotFoundError('No claim with that id');
    return c;
  }
}

/**
 * What a claim's form or API call said, as a hash: the same key with the same hash is a repeat.
 * Receipts count by their bytes, so a double click with the same photo is still the same claim.
 */
function inputHash(input: ClaimInput, madeBy: string | null, replaces: string | undefined): string {
  const sha = (data: Buffer | string) => createHash('sha256').update(data).digest('hex');
  return sha(
    JSON.stringify({
      personId: input.personId,
      madeBy,
      replaces: replaces ?? null,
      items: input.items.map((i) => [i.activity, i.date, i.minutes, i.sourceType ?? null, i.sourceId ?? null, i.description ?? null]),
      expenses: input.expenses.map((e) => [
        e.kind,
        e.amountPence,
        e.note ?? null,
        e.receipt ? [e.receipt.name, e.receipt.contentType, sha(e.receipt.data)] : null,
        e.keepReceiptOf ?? null,
      ]),
      payAs: input.payAs,
      financeHasBankDetails: input.financeHasBankDetails,
      note: input.note ?? null,
    }),
  );
}

function refusal(from: string, to: ClaimStatus): string {
  if (from === 'rejected') return `This claim was not approved, so it cannot be ${to === 'paid' ? 'marked paid' : to}`;
  if (from === 'paid') return 'This claim is already paid: nothing more can happen to it';
  if (from === to) return `This claim is already ${to}`;
  if (from === 'submitted' && to === 'paid') return 'This claim must be approved before it is marked paid';
  if (from === 'approved') return 'This claim is approved: the next step is to mark it paid';
  return `A claim cannot go from ${from} to ${to}`;
}

export type PaymentsService = ReturnType<typeof createPaymentsService>;
