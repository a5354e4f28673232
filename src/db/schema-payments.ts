import { boolean, date, integer, pgTable, smallint, text, timestamp, uuid } from 'drizzle-orm/pg-core';

// Mirrors migrations/0011_payments.sql. Re-exported by schema.ts. Money is in pence.

const at = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

export const PAID_ACTIVITIES = ['meeting', 'session', 'workshop_day', 'preparation', 'other'] as const;
export type PaidActivity = (typeof PAID_ACTIVITIES)[number];
/** The statuses a sent claim moves through (the API's); a claim being checked before it is sent is a draft. */
export const CLAIM_STATUSES = ['submitted', 'approved', 'rejected', 'paid'] as const;
export type ClaimStatus = (typeof CLAIM_STATUSES)[number];
export type ClaimState = ClaimStatus | 'draft';
export const PAY_AS = ['bank', 'voucher', 'decline'] as const;
export type PayAs = (typeof PAY_AS)[number];
export const EXPENSE_KINDS = ['travel', 'care', 'subsistence', 'other'] as const;
export type ExpenseKind = (typeof EXPENSE_KINDS)[number];

export const paymentRates = pgTable('payment_rates', {
  activity: text('activity').$type<PaidActivity>().primaryKey(),
  paid: boolean('paid').notNull().default(true),
  perHour: integer('per_hour'),
  perHalfDay: integer('per_half_day'),
  perDay: integer('per_day'),
  currency: text('currency').$type<'GBP'>().notNull().default('GBP'),
  source: text('source'),
  updatedBy: uuid('updated_by'),
  updatedAt: at('updated_at').notNull().defaultNow(),
});

export const claims = pgTable('claims', {
  id: uuid('id').primaryKey().defaultRandom(),
  personId: uuid('person_id'),
  status: text('status').$type<ClaimState>().notNull().default('submitted'),
  payAs: text('pay_as').$type<PayAs>().notNull(),
  financeHasBankDetails: boolean('finance_has_bank_details').notNull().default(false),
  timePence: integer('time_pence').notNull(),
  expensesPence: integer('expenses_pence').notNull(),
  totalPence: integer('total_pence').notNull(),
  note: text('note'),
  madeBy: uuid('made_by'),
  submissionKey: uuid('submission_key'),
  submissionHash: text('submission_hash'),
  decidedBy: uuid('decided_by'),
  decidedAt: at('decided_at'),
  rejectedReason: text('rejected_reason'),
  paidBy: uuid('paid_by'),
  paidAt: at('paid_at'),
  submittedAt: at('submitted_at'),
  anonymisedAt: at('anonymised_at'),
  createdAt: at('created_at').notNull().defaultNow(),
  updatedAt: at('updated_at').notNull().defaultNow(),
});

export const claimItems = pgTable('claim_items', {
  id: uuid('id').primaryKey().defaultRandom(),
  claimId: uuid('claim_id').notNull(),
  position: smallint('position').notNull(),
  activity: text('activity').$type<PaidActivity>().notNull(),
  onDate: date('on_date', { mode: 'string' }).notNull(),
  minutes: integer('minutes').notNull(),
  sourceType: text('source_type').$type<'meeting' | 'session'>(),
  sourceId: uuid('source_id'),
  description: text('description').notNull(),
  amountPence: integer('amount_pence').notNull(),
});

export const claimExpenses = pgTable('claim_expenses', {
  id: uuid('id').primaryKey().defaultRandom(),
  claimId: uuid('claim_id').notNull(),
  position: smallint('position').notNull(),
  kind: text('kind').$type<ExpenseKind>().notNull(),
  amountPence: integer('amount_pence').notNull(),
  note: text('note'),
  receiptKey: text('receipt_key'),
  receiptName: text('receipt_name'),
  receiptType: text('receipt_type'),
});

export const claimUpdates = pgTable('claim_updates', {
  id: uuid('id').primaryKey().defaultRandom(),
  claimId: uuid('claim_id').notNull(),
  status: text('status').$type<ClaimStatus>().notNull(),
  note: text('note'),
  byPerson: uuid('by_person'),
  at: at('at').notNull().defaultNow(),
});

export type PaymentRate = typeof paymentRates.$inferSelect;
export type Claim = typeof claims.$inferSelect;
export type ClaimItem = typeof claimItems.$inferSelect;
export type ClaimExpense = typeof claimExpenses.$inferSelect;
