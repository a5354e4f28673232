import type { Db } from '../../db/client.ts';
import { isUuid } from '../../db/ids.ts';
import type { Claim, ClaimStatus, Person } from '../../db/schema.ts';
import type { Jobs } from '../../jobs/jobs.ts';
import { toCsv } from '../../lib/csv.ts';
import { londonDay } from '../../lib/dates.ts';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../../lib/validation.ts';
import type { Logger } from '../../logger.ts';
import { isStaff, type Actor } from '../../plugins/access.ts';
import type { AuditTrail } from '../audit/audit-service.ts';
import type { PeopleService } from '../people/people-service.ts';
import type { PaymentsRepository } from './payments-repository.ts';
import { BANK_DETAILS_MESSAGE, looksLikeBankDetails } from './payments-schemas.ts';

/*
 * What staff do with a sent claim: approve, reject or mark it paid (each once, in order, never
 * their own), and the export finance pays from.
 */

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

const MOVES: Record<string, readonly ClaimStatus[]> = { submitted: ['approved', 'rejected'], approved: ['paid'] };

export function createClaimDecisions(deps: {
  db: Db;
  audit: AuditTrail;
  jobs: Pick<Jobs, 'sendEmail'>;
  people: Pick<PeopleService, 'findById'>;
  repo: PaymentsRepository;
  log: Pick<Logger, 'error'>;
}) {
  const { db, people, repo } = deps;
  return {
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
        // Queued with the move: the claimant hears of every decision that was made, and of none that was not.
        await deps.jobs.sendEmail({ kind: `claim-${move.status}`, ref: { claimId: id } }, { in: tx });
        return (await repo.find(tx, id))!;
      });
      return claim;
    },

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
  };
}

function refusal(from: string, to: ClaimStatus): string {
  if (from === 'rejected') return `This claim was not approved, so it cannot be ${to === 'paid' ? 'marked paid' : to}`;
  if (from === 'paid') return 'This claim is already paid: nothing more can happen to it';
  if (from === to) return `This claim is already ${to}`;
  if (from === 'submitted' && to === 'paid') return 'This claim must be approved before it is marked paid';
  if (from === 'approved') return 'This claim is approved: the next step is to mark it paid';
  return `A claim cannot go from ${from} to ${to}`;
}
