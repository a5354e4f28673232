import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { createEventWithSession, createPerson } from '../../../test/builders.ts';
import { startTestApp, type TestApp } from '../../../test/harness.ts';
import { ConflictError, NotFoundError } from '../../lib/validation.ts';

/**
 * Bookings for the same session that arrive together go to the database as one group (issue 16).
 * Each is still answered on its own, in the order they came, and one that cannot be booked does
 * not take the others with it.
 */
describe('bookings that arrive together', () => {
  let t: TestApp;
  let db: pg.Client;
  let admin: { personId: string; role: 'admin' };
  before(async () => {
    t = await startTestApp();
    db = new pg.Client({ connectionString: t.databaseUrl });
    await db.connect();
    admin = { personId: (await createPerson(t.services, { email: 'group-admin@example.org' }, 'admin')).id, role: 'admin' };
  });
  after(async () => {
    await db.end();
    await t.close();
  });

  const someone = (i: number, tag: string) => createPerson(t.services, { name: `Grouped ${tag} ${i}`, email: `${tag}-${i}@example.org` });

  test('each is answered in the order it came: places first, then exact waiting-list positions; an unknown person is refused alone', async () => {
    const { session } = await createEventWithSession(t.services, admin, { capacity: 3 });
    const people = [];
    for (let i = 0; i < 8; i++) people.push(await someone(i, 'order'));
    const who = [...people.slice(0, 4).map((p) => p.id), randomUUID(), ...people.slice(4).map((p) => p.id)];
    const answers = await Promise.allSettled(
      who.map((personId) => t.services.registrations.register(admin, { sessionId: session.id, who: { personId } })),
    );

    const unknown = answers[4]!;
    assert.equal(unknown.status, 'rejected');
    assert.ok((unknown as PromiseRejectedResult).reason instanceof NotFoundError);
    const booked = answers
      .filter((_, i) => i !== 4)
      .map((a) => (a as PromiseFulfilledResult<Awaited<ReturnType<typeof t.services.registrations.register>>>).value);
    assert.deepEqual(
      booked.map((b) => [b.registration.status, b.waitlistPosition, b.created]),
      [
        ['confirmed', null, true],
        ['confirmed', null, true],
        ['confirmed', null, true],
        ['waitlisted', 1, true],
        ['waitlisted', 2, true],
        ['waitlisted', 3, true],
        ['waitlisted', 4, true],
        ['waitlisted', 5, true],
      ],
    );
    assert.deepEqual(
      booked.map((b) => b.registration.personId),
      people.map((p) => p.id),
    );
    // The waiting list's order is the order they came in.
    const { rows } = await db.query('select person_id from registrations where session_id = $1 order by seq', [session.id]);
    assert.deepEqual(
      rows.map((r) => r.person_id),
      people.map((p) => p.id),
    );
    // One email each, about their own registration.
    const emails = await db.query(`select ref->>'registrationId' as id, kind from outgoing_emails where ref->>'registrationId' = any($1)`, [
      booked.map((b) => b.registration.id),
    ]);
    assert.equal(emails.rows.length, 8);
    assert.equal(new Set(emails.rows.map((r) => r.id)).size, 8);
    assert.equal(emails.rows.filter((r) => r.kind === 'registration-confirmed').length, 3);
  });

  test('the same person twice at once has one place: the second answer is the same registration', async () => {
    const { session } = await createEventWithSession(t.services, admin, { capacity: 5 });
    const person = await someone(0, 'twice');
    const [a, b] = await Promise.all(
      [1, 2].map(() => t.services.registrations.register(admin, { sessionId: session.id, who: { personId: person.id } })),
    );
    assert.equal(a!.registration.id, b!.registration.id);
    assert.deepEqual([a!.created, b!.created], [true, false]);
    assert.equal((await db.query('select count(*)::int as n from registrations where session_id = $1', [session.id])).rows[0].n, 1);
  });

  test('a cancelled session refuses everyone who arrives together, in words', async () => {
    const { event, session } = await createEventWithSession(t.services, admin, { capacity: 5 });
    await t.services.events.cancel(admin, event.id);
    const people = await Promise.all([0, 1, 2].map((i) => someone(i, 'cancelled')));
    const answers = await Promise.allSettled(
      people.map((p) => t.services.registrations.register(admin, { sessionId: session.id, who: { personId: p.id } })),
    );
    for (const a of answers) {
      assert.equal(a.status, 'rejected');
      assert.ok(a.reason instanceof ConflictError);
      assert.match(a.reason.message, /cancelled/);
    }
  });

  test('one request the database refuses fails alone; the others that came with it are booked', async () => {
    const { session } = await createEventWithSession(t.services, admin, { capacity: 5 });
    const people = await Promise.all([0, 1, 2].map((i) => someone(i, 'refused')));
    const answers = await Promise.allSettled(
      people.map((p, i) =>
        // A NUL character is text PostgreSQL will not store.
        t.services.registrations.register(admin, {
          sessionId: session.id,
          who: { personId: p.id },
          labelName: i === 1 ? 'Bad\u0000name' : undefined,
        }),
      ),
    );
    assert.deepEqual(
      answers.map((a) => a.status),
      ['fulfilled', 'rejected', 'fulfilled'],
    );
    const { rows } = await db.query('select person_id from registrations where session_id = $1 order by seq', [session.id]);
    assert.deepEqual(
      rows.map((r) => r.person_id),
      [people[0]!.id, people[2]!.id],
    );
  });
});
