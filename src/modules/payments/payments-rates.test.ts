import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { priceTime, taxYearOf } from './payments-rates.ts';
import { minutesFromText, penceFromText } from './payments-schemas.ts';

const full = { paid: true, perHour: 2500, perHalfDay: 7500, perDay: 15000 };

describe('what time is paid at', () => {
  test('the day rate from 5 hours, the half-day rate from 2½ hours, else hourly', () => {
    assert.deepEqual(
      [60, 149, 150, 299, 300, 480].map((m) => [priceTime(full, m).basis, priceTime(full, m).amountPence]),
      [
        ['hourly', 2500],
        ['hourly', 6208],
        ['half_day', 7500],
        ['half_day', 7500],
        ['day', 15000],
        ['day', 15000],
      ],
    );
  });

  test('a missing rate falls back: hourly for the hours, then the half day or half the day rate', () => {
    const hourOnly = { paid: true, perHour: 2000, perHalfDay: null, perDay: null };
    assert.equal(priceTime(hourOnly, 360).amountPence, 12000, '6 hours at £20 with no day rate');
    assert.equal(priceTime(hourOnly, 180).amountPence, 6000);
    const daysOnly = { paid: true, perHour: null, perHalfDay: 7000, perDay: 14000 };
    assert.equal(priceTime(daysOnly, 60).amountPence, 7000, 'an hour with no hourly rate is a half day');
    const dayOnly = { paid: true, perHour: null, perHalfDay: null, perDay: 14000 };
    assert.equal(priceTime(dayOnly, 180).amountPence, 7000, 'half the day rate');
    const halfOnly = { paid: true, perHour: null, perHalfDay: 7000, perDay: null };
    assert.equal(priceTime(halfOnly, 360).amountPence, 14000, 'a whole day is two half days');
  });

  test('an unpaid or missing activity pays nothing, and says so', () => {
    assert.equal(priceTime({ ...full, paid: false }, 300).amountPence, 0);
    assert.equal(priceTime(null, 300).basis, 'unpaid');
  });
});

describe('the UK tax year', () => {
  test('starts on 6 April by the clocks in London', () => {
    // 23:30 on 5 April 2026 in London (BST) is 22:30 UTC: still the 2025 tax year.
    assert.equal(taxYearOf(new Date('2026-04-05T22:30:00Z')).startYear, 2025);
    // 00:30 on 6 April 2026 in London is 23:30 UTC on the 5th: the 2026 tax year.
    assert.equal(taxYearOf(new Date('2026-04-05T23:30:00Z')).startYear, 2026);
    const y = taxYearOf(new Date('2027-01-10T12:00:00Z'));
    assert.equal(y.label, '6 April 2026 to 5 April 2027');
    assert.equal(y.from.toISOString(), '2026-04-05T23:00:00.000Z');
    assert.equal(y.until.toISOString(), '2027-04-05T23:00:00.000Z');
  });
});

describe('money and hours as typed', () => {
  test('pounds become pence; anything else is refused', () => {
    assert.deepEqual(['4.50', '£4.5', '1,000', '12', ' 0.01 '].map(penceFromText), [450, 450, 100000, 1200, 1]);
    assert.deepEqual(['-5', 'four', '4.505', '', '1e3'].map(penceFromText), [null, null, null, null, null]);
  });
  test('hours become minutes', () => {
    assert.deepEqual(['2', '2.5', '1.75 hours', '0.25'].map(minutesFromText), [120, 150, 105, 15]);
    assert.deepEqual(['two', '-1', '2:30'].map(minutesFromText), [null, null, null]);
  });
});
