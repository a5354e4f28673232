import assert from 'node:assert/strict';
import { test } from 'node:test';
import { followUpDue } from './team-chats.ts';

test('the follow-up falls due at 9 am London time, in summer and winter, or at once when that has passed', () => {
  const early = new Date('2026-01-01T05:00:00Z');
  assert.equal(followUpDue('2026-05-01', 42, early).toISOString(), '2026-06-12T08:00:00.000Z');
  assert.equal(followUpDue('2026-11-01', 42, early).toISOString(), '2026-12-13T09:00:00.000Z');
  // Held today before 9 am with no wait: 9 am today, not 5 am.
  assert.equal(followUpDue('2026-01-01', 0, early).toISOString(), '2026-01-01T09:00:00.000Z');
  const late = new Date('2026-01-01T15:00:00Z');
  assert.equal(followUpDue('2026-01-01', 0, late), late);
  assert.equal(followUpDue('2025-12-31', 0, early), early);
});
