import type { PaidActivity } from '../../db/schema.ts';
import { fromLondon, londonParts } from '../../lib/dates.ts';

/** A rate as the rules read it: amounts in pence, null where the organisation set none. */
export interface RateRule {
  paid: boolean;
  perHour: number | null;
  perHalfDay: number | null;
  perDay: number | null;
}

/** From this much time a claim uses the day rate, and from HALF_DAY_MINUTES the half-day rate. */
export const DAY_MINUTES = 5 * 60;
export const HALF_DAY_MINUTES = 150;

export type PriceBasis = 'day' | 'half_day' | 'hourly' | 'unpaid' | 'declined';

export interface Price {
  amountPence: number;
  basis: PriceBasis;
  /** How the amount was reached, in words, for the claim and the check page. */
  how: string;
}

const money = (pence: number) => `£${(pence / 100).toFixed(2)}`;
const hoursText = (minutes: number) => {
  const h = Math.round((minutes / 60) * 100) / 100;
  return `${h} ${h === 1 ? 'hour' : 'hours'}`;
};

/**
 * What some time is paid at. The day rate for 5 hours or more, the half-day rate for 2½ hours up
 * to 5, else the hourly rate. When the rate a length needs is not set, the hourly rate for the
 * hours claimed; with no hourly rate either, a shorter time is paid at the half-day rate and a
 * longer one at the day rate (or two half days), as a day's work never earns less than half of it.
 */
export function priceTime(rate: RateRule | null | undefined, minutes: number): Price {
  if (!rate || !rate.paid) return { amountPence: 0, basis: 'unpaid', how: 'This activity is not paid' };
  const hourly = (): Price | null =>
    rate.perHour === null
      ? null
      : {
          amountPence: Math.round((rate.perHour * minutes) / 60),
          basis: 'hourly',
          how: `${hoursText(minutes)} at ${money(rate.perHour)} an hour`,
        };
  const halfDay = (): Price | null =>
    rate.perHalfDay === null
      ? null
      : { amountPence: rate.perHalfDay, basis: 'half_day', how: `The half-day rate, ${money(rate.perHalfDay)}` };
  const day = (): Price | null =>
    rate.perDay === null ? null : { amountPence: rate.perDay, basis: 'day', how: `The day rate, ${money(rate.perDay)}` };
  const twoHalves = (): Price | null =>
    rate.perHalfDay === null
      ? null
      : { amountPence: rate.perHalfDay * 2, basis: 'half_day', how: `Two half days at ${money(rate.perHalfDay)}` };
  const halfOfDay = (): Price | null =>
    rate.perDay === null
      ? null
      : { amountPence: Math.round(rate.perDay / 2), basis: 'day', how: `Half the day rate of ${money(rate.perDay)}` };

  const order =
    minutes >= DAY_MINUTES
      ? [day, hourly, twoHalves]
      : minutes >= HALF_DAY_MINUTES
        ? [halfDay, hourly, halfOfDay]
        : [hourly, halfDay, halfOfDay];
  for (const f of order) {
    const p = f();
    if (p) return p;
  }
  // The table's check makes a paid rate have at least one amount; this is for a rate built by hand.
  return { amountPence: 0, basis: 'unpaid', how: 'No rate is set for this activity' };
}

/** The rule in words, for the rates page and the claim form. */
export const RATE_RULE_TEXT = [
  'A claim uses the day rate for 5 hours or more, the half-day rate for 2½ hours up to 5 hours, and the hourly rate for less than 2½ hours.',
  'If the rate it needs is not set, it uses the hourly rate for the hours claimed. With no hourly rate, less than 2½ hours is paid at the half-day rate (or half the day rate), and 5 hours or more at two half days.',
];

/** Which rate applies to this activity at each length, in words: for the rates page. */
export function rateLadder(rate: RateRule): { length: string; pays: string }[] {
  if (!rate.paid) return [{ length: 'Any length', pays: 'Not paid (expenses are still paid back)' }];
  return [
    { length: '1 hour', minutes: 60 },
    { length: '2½ hours up to 5 hours (3 hours, say)', minutes: 180 },
    { length: '5 hours or more (6 hours, say)', minutes: 360 },
  ].map(({ length, minutes }) => {
    const p = priceTime(rate, minutes);
    return { length, pays: `${money(p.amountPence)}: ${p.how.charAt(0).toLowerCase()}${p.how.slice(1)}` };
  });
}

// ---- the UK tax year: 6 April to 5 April, by the clocks in London --------------------------------

export interface TaxYear {
  /** The calendar year it starts in: 2026 for 6 April 2026 to 5 April 2027. */
  startYear: number;
  from: Date;
  /** The first instant of the next tax year. */
  until: Date;
  label: string;
}

export function taxYearOf(at: Date): TaxYear {
  const p = londonParts(at);
  const startYear = p.month > 4 || (p.month === 4 && p.day >= 6) ? p.year : p.year - 1;
  return {
    startYear,
    from: fromLondon(startYear, 4, 6),
    until: fromLondon(startYear + 1, 4, 6),
    label: `6 April ${startYear} to 5 April ${startYear + 1}`,
  };
}

export const ACTIVITY_LABELS: Record<PaidActivity, string> = {
  meeting: 'Board or group meeting',
  session: 'Event session',
  workshop_day: 'Programme workshop day',
  preparation: 'Preparation (reading papers, getting ready)',
  other: 'Other involvement',
};
