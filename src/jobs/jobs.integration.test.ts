import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';
import { startTestApp, type TestApp } from '../../test/harness.ts';
import { REMINDER_QUEUE } from './jobs.ts';

// Jobs queued "in" a transaction commit or roll back with it, on the transaction's own connection.
let t: TestApp;
before(async () => {
  t = await startTestApp();
});
after(() => t.close());

const jobsWithKey = async (key: string) =>
  Number((await t.runtime.database.pool.query('select count(*) from pgboss.job where singleton_key = $1', [key])).rows[0].count);
const emailsOfKind = async (kind: string) =>
  Number((await t.runtime.database.pool.query('select count(*) from outgoing_emails where kind = $1', [kind])).rows[0].count);
const later = () => new Date(Date.now() + 86_400_000);

test('a job queued in a transaction that rolls back is not queued; one that commits is, with its queue’s settings', async () => {
  const { db } = t.runtime.database;
  const key = `test:${randomUUID()}`;
  await assert.rejects(
    db.transaction(async (tx) => {
      await t.runtime.jobs.enqueue(REMINDER_QUEUE, { registrationId: randomUUID() }, { startAfter: later(), singletonKey: key, in: tx });
      throw new Error('changed my mind');
    }),
    /changed my mind/,
  );
  assert.equal(await jobsWithKey(key), 0, 'rolled back with the transaction');

  await db.transaction(async (tx) => {
    await t.runtime.jobs.enqueue(REMINDER_QUEUE, { registrationId: randomUUID() }, { startAfter: later(), singletonKey: key, in: tx });
    assert.equal(await jobsWithKey(key), 0, 'not visible to others before the commit');
  });
  assert.equal(await jobsWithKey(key), 1);
  const row = (await t.runtime.database.pool.query('select retry_limit, start_after from pgboss.job where singleton_key = $1', [key]))
    .rows[0];
  assert.equal(row.retry_limit, 3, "the queue's own retry setting applies, as it does for a job sent outside a transaction");
  assert.ok(row.start_after.getTime() > Date.now() + 3_600_000, 'startAfter kept');
});

test('an email queued in a transaction that rolls back leaves no email and no job', async () => {
  const kind = `test-${randomUUID()}`;
  await assert.rejects(
    t.runtime.database.db.transaction(async (tx) => {
      await t.services.email.queue({ kind, ref: {} }, { in: tx });
      throw new Error('the booking failed');
    }),
  );
  assert.equal(await emailsOfKind(kind), 0);
  await t.runtime.database.db.transaction((tx) => t.services.email.queue({ kind, ref: {} }, { in: tx }));
  assert.equal(await emailsOfKind(kind), 1);
  const id = (await t.runtime.database.pool.query('select id from outgoing_emails where kind = $1', [kind])).rows[0].id;
  const jobs = await t.runtime.database.pool.query(`select count(*) from pgboss.job where name = 'email.send' and data->>'emailId' = $1`, [
    id,
  ]);
  assert.equal(Number(jobs.rows[0].count), 1, 'its sending job was queued with it');
});
