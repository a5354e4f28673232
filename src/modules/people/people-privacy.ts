import { sql } from 'drizzle-orm';
import type { PersonalDataHolder } from '../privacy/personal-data.ts';
import type { PeopleRepository } from './people-repository.ts';
import { toPersonOut } from './people-service.ts';

/** The person's own record. Erasure keeps the row, with its experience, so that what they took part in still counts. */
export function peoplePersonalData(people: PeopleRepository): PersonalDataHolder {
  return {
    module: 'people',
    tables: { people: 'the person: names, contact details, access needs and notes, bio' },
    personColumns: {
      'people.created_by': 'kept: who added the record (a member of staff); it names a row, not a value',
      'people.erasure_requested_by': 'kept until erasure, then it is cleared with the rest of the row',
    },
    async export(ex, personId) {
      const person = await people.findById(ex, personId);
      if (!person) return {};
      return {
        person: toPersonOut(person),
        emailWaitingForConfirmation: person.pendingEmail,
        erasureRequestedAt: person.erasureRequestedAt?.toISOString() ?? null,
      };
    },
    async forget(tx, person) {
      await people.anonymise(tx, person.id);
      // Who recorded the request goes with the rest of the row; the audit log keeps that it happened.
      await tx.execute(sql`update people set erasure_requested_by = null where id = ${person.id}`);
    },
  };
}
