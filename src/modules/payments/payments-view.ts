import type { Claim, ClaimState } from '../../db/schema.ts';
import { dayInWords, formatDay, formatTime } from '../../lib/dates.ts';
import { ACTIVITY_LABELS } from './payments-rates.ts';
import { EXPENSE_SHORT, PAY_AS_LABELS, STATUS_LABELS } from './payments-schemas.ts';
import type { ClaimDetail, RateView } from './payments-service.ts';

/** Pence as money people read: 1250 is "£12.50", 100000 is "£1,000.00". */
export const money = (pence: number) => `£${(pence / 100).toLocaleString('en-GB', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;

export const hoursText = (minutes: number) => {
  const h = Math.round((minutes / 60) * 100) / 100;
  return `${h} ${h === 1 ? 'hour' : 'hours'}`;
};

const TAGS: Record<ClaimState, string> = {
  draft: 'nhsuk-tag--grey',
  submitted: 'nhsuk-tag--blue',
  approved: 'nhsuk-tag--green',
  rejected: 'nhsuk-tag--red',
  paid: 'nhsuk-tag--purple',
};

const when = (d: Date | null) => (d ? `${formatDay(d)}, ${formatTime(d)}` : '');

/** A claim as a list row. */
export const claimRow = (c: Claim & { personName?: string }) => ({
  id: c.id,
  personName: c.personName ?? '',
  madeOn: formatDay(c.submittedAt ?? c.createdAt),
  total: money(c.totalPence),
  statusText: STATUS_LABELS[c.status],
  statusTag: TAGS[c.status],
  isDraft: c.status === 'draft',
  onBehalf: !!c.madeBy,
});

/** Everything a claim's page shows, as strings: items, expenses, totals and its history. */
export function claimView(d: ClaimDetail, opts: { receiptBase: string }) {
  const name = (id: string | null) => (id ? (d.names.get(id) ?? 'a member of staff') : 'nobody');
  return {
    ...claimRow(d),
    personName: d.personName,
    personEmail: d.personEmail ?? '',
    personId: d.personId ?? '',
    payAsText: PAY_AS_LABELS[d.payAs],
    bankText:
      d.payAs === 'voucher'
        ? 'Not needed for a voucher'
        : d.financeHasBankDetails
          ? 'Yes, finance already has them'
          : 'No: finance will ask for them',
    madeByText: d.madeBy ? `By ${name(d.madeBy)}, on ${d.personName}’s behalf` : `By ${d.personName}`,
    timeTotal: money(d.timePence),
    expensesTotal: money(d.expensesPence),
    note: d.note ?? '',
    rejectedReason: d.rejectedReason ?? '',
    anonymised: !!d.anonymisedAt,
    items: d.items.map((i) => ({
      description: i.description,
      activity: ACTIVITY_LABELS[i.activity],
      date: dayInWords(i.onDate),
      hours: hoursText(i.minutes),
      amount: money(i.amountPence),
    })),
    expenses: d.expenses.map((e) => ({
      kind: EXPENSE_SHORT[e.kind],
      amount: money(e.amountPence),
      note: e.note ?? '',
      receiptName: e.receiptName ?? '',
      receiptUrl: e.receiptKey ? `${opts.receiptBase}/${d.id}/receipts/${e.id}` : '',
    })),
    history: d.updates.map((u) => ({
      statusText: STATUS_LABELS[u.status],
      by: name(u.byPerson),
      at: when(u.at),
      note: u.note ?? '',
    })),
  };
}

/** The rates as a table: what each activity pays and where the figures come from. */
export const rateRows = (rates: RateView[]) =>
  rates.map((r) => ({
    activity: r.activity,
    label: ACTIVITY_LABELS[r.activity],
    paid: r.paid,
    perHour: r.perHour === null ? 'Not set' : money(r.perHour),
    perHalfDay: r.perHalfDay === null ? 'Not set' : money(r.perHalfDay),
    perDay: r.perDay === null ? 'Not set' : money(r.perDay),
    source: r.source ?? 'Not given',
    ladder: r.ladder,
  }));

export function taxYearView(t: { year: { label: string }; totalPence: number; paidPence: number; timePence: number; claims: number }) {
  return {
    label: t.year.label,
    total: money(t.totalPence),
    paid: money(t.paidPence),
    time: money(t.timePence),
    expenses: money(t.totalPence - t.timePence),
    claims: t.claims,
  };
}
