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

const DAY = 24 * 3_600_000;

/** A published event next month with one session; override what the test is about. */
export async function createEventWithSession(
  services: Services,
  actor: { personId: string; role: Role },
  opts: {
    capacity?: number;
    format?: 'in_person' | 'online' | 'hybrid';
    title?: string;
    publish?: boolean;
    sessionTitle?: string;
    facilitatorIds?: string[];
  } = {},
) {
  const startsAt = new Date(Math.ceil((Date.now() + 30 * DAY) / DAY) * DAY + 9 * 3_600_000);
  const event = await services.events.create(actor, {
    title: opts.title ?? `Test event ${randomBytes(3).toString('hex')}`,
    summary: 'A test event',
    startsAt,
    endsAt: new Date(startsAt.getTime() + 8 * 3_600_000),
  });
  const format = opts.format ?? 'in_person';
  const session = await services.events.addSession(actor, event.id, {
    title: opts.sessionTitle ?? 'Morning workshop',
    startsAt: new Date(startsAt.getTime() + 3_600_000),
    endsAt: new Date(startsAt.getTime() + 3 * 3_600_000),
    format,
    capacity: opts.capacity ?? 20,
    venue:
      format === 'online'
        ? undefined
        : { name: 'Town Hall', address: '1 Market Place', postcode: 'OX1 1AA', stepFree: true, hearingLoop: false, accessibleToilet: true },
    joinUrl: format === 'in_person' ? undefined : 'https://meet.example.org/workshop',
    facilitatorIds: opts.facilitatorIds,
  });
  if (opts.publish !== false) await services.events.publish(actor, event.id);
  return { event, session };
}

/** An organisation admin, as an actor for services and with an API token, as most API tests start. */
export async function createAdminWithToken(
  services: Services,
  overrides: Partial<PersonInput> = { email: 'admin@example.org', name: 'Ada Admin' },
) {
  const person = await createPerson(services, overrides, 'admin');
  return { admin: { personId: person.id, role: 'admin' as const }, token: await services.auth.createApiToken(null, person.id, 'tests') };
}
