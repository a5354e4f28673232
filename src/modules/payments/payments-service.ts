import type { Config } from '../../config.ts';
import type { Db } from '../../db/client.ts';
import { isUuid } from '../../db/ids.ts';
import type { Claim, ClaimStatus } from '../../db/schema.ts';
import type { Jobs } from '../../jobs/jobs.ts';
import type { FileStore } from '../../lib/file-store.ts';
import { NotFoundError } from '../../lib/validation.ts';
import type { Logger } from '../../logger.ts';
import { isStaff, type Actor } from '../../plugins/access.ts';
import type { AuditTrail } from '../audit/audit-service.ts';
import type { BoardsLookup } from '../boards/boards-lookup.ts';
import type { EventsLookup } from '../events/events-service.ts';
import type { PeopleService } from '../people/people-service.ts';
import { createClaimDecisions } from './payments-decisions.ts';
import { createClaimDrafts } from './payments-drafts.ts';
import { claimEmailComposers } from './payments-emails.ts';
import { taxYearOf, type TaxYear } from './payments-rates.ts';
import { createPaymentsRepository, type ClaimWithParts } from './payments-repository.ts';
import { createClaimRules } from './payments-rules.ts';

// The module's one service, made of parts by job; the rest of the code imports it and its types from here.
export type { ClaimWithParts };
export type { AttendedChoice, ClaimInput, ClaimItemInput, ExpenseInput, RateView } from './payments-rules.ts';
export { FINANCE_CSV_COLUMNS, poundsCell } from './payments-decisions.ts';

export interface ClaimDetail extends ClaimWithParts {
  personName: string;
  personEmail: string | null;
  names: Map<string, string>;
}

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
  // One repository for all the parts.
  const repo = createPaymentsRepository();
  const rules = createClaimRules({ ...deps, repo });
  const drafts = createClaimDrafts({ ...deps, rules, repo });
  const decisions = createClaimDecisions({ ...deps, repo });

  /** Who can see a claim: a draft only its maker; a sent claim its claimant, and staff. */
  const canSee = (actor: Actor, c: Claim) =>
    c.status === 'draft' ? (c.madeBy ?? c.personId) === actor.personId : isStaff(actor) || c.personId === actor.personId;

  async function mustSee(actor: Actor, id: string): Promise<Claim> {
    const c = isUuid(id) ? await repo.find(db, id) : null;
    if (!c || !canSee(actor, c)) throw new NotFoundError('No claim with that id');
    return c;
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

    // ---- rates: payments-rules.ts ---------------------------------------------------------------
    rates: rules.rates,
    setRates: rules.setRates,

    // ---- making a claim: payments-rules.ts, payments-drafts.ts ----------------------------------
    attendedToClaim: rules.attendedToClaim,
    prepareDraft: drafts.prepareDraft,
    submitClaim: drafts.submitClaim,
    submitDraft: drafts.submitDraft,
    discardDraft: drafts.discardDraft,

    // ---- deciding: payments-decisions.ts --------------------------------------------------------
    setStatus: decisions.setStatus,

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

    financeCsv: decisions.financeCsv,

    findPeople: drafts.findPeople,
    findPerson: drafts.findPerson,
  };
}

export type PaymentsService = ReturnType<typeof createPaymentsService>;
