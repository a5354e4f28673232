import type { PersonalDataHolder } from '../privacy/personal-data.ts';

/** Placeholder: claims, their items, expenses and receipts. */
export function paymentsPersonalData(): PersonalDataHolder {
  return {
    module: 'payments',
    tables: {
      payment_rates: 'nothing about a person: the organisation’s rates',
      claims: 'a person’s claim: how they want to be paid, amounts, notes',
      claim_items: 'what the person attended and the time they claimed',
      claim_expenses: 'the person’s expenses and receipts',
      claim_updates: 'who moved a claim on, and why',
    },
    personColumns: {
      'payment_rates.updated_by': 'kept: the member of staff who set the rate',
      'claims.person_id': 'kept with the amounts finance must keep; the rest is cleared',
      'claims.made_by': 'kept',
      'claims.decided_by': 'kept',
      'claims.paid_by': 'kept',
      'claim_updates.by_person': 'kept',
    },
    async export() {
      return {};
    },
    async forget() {},
  };
}
