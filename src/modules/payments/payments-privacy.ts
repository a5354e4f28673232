import type { FileStore } from '../../lib/file-store.ts';
import type { PersonalDataHolder } from '../privacy/personal-data.ts';
import { ACTIVITY_LABELS } from './payments-rates.ts';
import { createPaymentsRepository } from './payments-repository.ts';

const iso = (d: Date | null) => (d ? d.toISOString() : null);
const pounds = (pence: number) => (pence / 100).toFixed(2);

/**
 * A person's claims are theirs: export gives every claim with its time, expenses (and the names
 * of the receipts sent) and what happened to it. Erasure cannot delete a sent claim: finance must
 * keep payment records (HMRC asks for six years). So it keeps the dates, hours and amounts, and
 * deletes what could say who it was or something about them: receipts (the files too), notes,
 * the reason a claim was not approved, and what was attended. Unsent drafts go altogether.
 * Bank details are never held here.
 */
export function paymentsPersonalData(deps: { files?: FileStore } = {}): PersonalDataHolder {
  const repo = createPaymentsRepository();
  // Receipts whose rows went in the erasure, removed from the file store once it has committed.
  const receiptsToRemove = new Map<string, string[]>();

  return {
    module: 'payments',
    tables: {
      payment_rates: 'nothing about a person: the organisation’s rates and where they come from',
      claims:
        'a person’s claim: how they want to be paid, whether finance has their bank details (never the details), amounts and notes; on erasure the amounts are kept without what identifies',
      claim_items: 'what the person attended and the time they claimed; on erasure only dates, hours and amounts are kept',
      claim_expenses: 'the person’s expenses, notes and receipts (files in the file store); on erasure receipts and notes are deleted',
      claim_updates: 'who moved a claim on, and their note; on erasure the notes are cleared',
    },
    personColumns: {
      'payment_rates.updated_by': 'kept: the member of staff who set the rate',
      'claims.person_id': 'kept, pointing at the erased (anonymised) person, with the amounts finance must keep; the rest is cleared',
      'claims.made_by': 'kept: the member of staff who made the claim on someone’s behalf',
      'claims.decided_by': 'kept: the member of staff who approved or rejected it',
      'claims.paid_by': 'kept: the member of staff who marked it paid',
      'claim_updates.by_person': 'kept: who moved the claim on (staff, or the claimant sending it)',
    },
    async export(ex, personId) {
      // Every claim that is theirs: drafts too, those staff are making on their behalf as well.
      const claims = await repo.ofPerson(ex, personId, { drafts: 'all' });
      const full = [];
      for (const c of claims) full.push(await repo.withParts(ex, c));
      return {
        claims: full.map((c) => ({
          status: c.status,
          payAs: c.payAs,
          financeHasYourBankDetails: c.financeHasBankDetails,
          madeOnYourBehalf: !!c.madeBy,
          timeTotal: pounds(c.timePence),
          expensesTotal: pounds(c.expensesPence),
          total: pounds(c.totalPence),
          note: c.note,
          createdAt: iso(c.createdAt),
          sentAt: iso(c.submittedAt),
          decidedAt: iso(c.decidedAt),
          notApprovedBecause: c.rejectedReason,
          paidAt: iso(c.paidAt),
          time: c.items.map((i) => ({
            activity: ACTIVITY_LABELS[i.activity],
            what: i.description,
            date: i.onDate,
            hours: Math.round((i.minutes / 60) * 100) / 100,
            amount: pounds(i.amountPence),
          })),
          expenses: c.expenses.map((e) => ({ kind: e.kind, amount: pounds(e.amountPence), note: e.note, receipt: e.receiptName })),
          history: c.updates.map((u) => ({ status: u.status, note: u.note, at: iso(u.at) })),
        })),
      };
    },
    async forget(tx, person) {
      const mine = await repo.claimIdsOf(tx, person.id);
      const ids = mine.map((c) => c.id);
      receiptsToRemove.set(person.id, await repo.receiptKeysOf(tx, ids));
      await repo.deleteClaims(
        tx,
        mine.filter((c) => c.status === 'draft').map((c) => c.id),
      );
      await repo.anonymise(
        tx,
        mine.filter((c) => c.status !== 'draft').map((c) => c.id),
        ACTIVITY_LABELS,
      );
    },
    async afterForget(person) {
      const keys = receiptsToRemove.get(person.id) ?? [];
      receiptsToRemove.delete(person.id);
      if (!deps.files) return;
      for (const key of keys) await deps.files.remove(key);
    },
  };
}
