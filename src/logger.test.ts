import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DrizzleQueryError } from 'drizzle-orm';
import { loggable } from './logger.ts';

test('a failed query is logged with its SQL and the reason, never the values it carried', () => {
  const cause = Object.assign(new Error('date/time field value out of range: "0000-01-01"'), { code: '22008' });
  const err = new DrizzleQueryError('insert into team_chats (lead_email) values ($1)', ['sam.lead@example.org', 'Seizure plan'], cause);
  const logged = JSON.stringify(loggable(err));
  assert.doesNotMatch(logged, /sam\.lead@example\.org|Seizure/);
  assert.match(logged, /insert into team_chats/);
  assert.match(logged, /22008/);
  // Any other error is logged as it is.
  const other = new Error('boom');
  assert.equal(loggable(other), other);
});
