import { randomBytes } from 'node:crypto';
import type { Role } from '../src/db/schema.ts';
import type { PersonInput } from '../src/modules/people/people-schemas.ts';
import type { Services } from '../src/services.ts';

/** A valid person with defaults; override what the test is about. */
export function aPerson(overrides: Partial<PersonInput> = {}): PersonInput {
  const id = randomBytes(4).toString('hex');
  return {
    name: `Test Person ${id}`,
    experience: 'lived',
    email: `person-${id}@example.org`,
    ...overrides,
  };
}

export async function createPerson(services: Services, overrides: Partial<PersonInput> = {}, role: Role = 'participant') {
  return services.people.create(null, aPerson(overrides), { role });
}
