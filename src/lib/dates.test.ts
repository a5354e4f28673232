import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatTime, fromLondon, londonDay, parseTime } from './dates.ts';

test('London wall-clock times become the right instants in summer and winter', () => {
  assert.equal(fromLondon(2026, 7, 6, 10, 0).toISOString(), '2026-07-06T09:00:00.000Z');
  assert.equal(fromLondon(2026, 1, 15, 10, 0).toISOString(), '2026-01-15T10:00:00.000Z');
  assert.equal(londonDay(new Date('2026-07-06T23:30:00Z')), '2026-07-07');
  assert.equal(formatTime(new Date('2026-07-06T13:30:00Z')), '2:30pm');
  assert.equal(formatTime(new Date('2026-07-06T11:15:00Z')), '12:15pm');
  assert.equal(formatTime(new Date('2026-07-06T23:00:00Z')), '12am');
});

test('times typed the ways people type them', () => {
  assert.deepEqual(parseTime('14:30'), { hour: 14, minute: 30 });
  assert.deepEqual(parseTime('2:30pm'), { hour: 14, minute: 30 });
  assert.deepEqual(parseTime('9am'), { hour: 9, minute: 0 });
  assert.deepEqual(parseTime('12am'), { hour: 0, minute: 0 });
  for (const bad of ['25:00', '9', '13pm', 'noon', '10:61']) assert.equal(parseTime(bad), null, bad);
});
