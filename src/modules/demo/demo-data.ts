import type { ConsentPurpose, Role } from '../../db/schema.ts';
import type { ConsentsService } from '../consents/consents-service.ts';
import type { PersonInput } from '../people/people-schemas.ts';
import type { EventsService } from '../events/events-service.ts';
import type { RegistrationsService } from '../events/registrations-service.ts';
import type { PeopleService } from '../people/people-service.ts';
import { seedDemoEvaluation } from './demo-evaluation.ts';
import { seedDemoEvents } from './demo-events.ts';
import { seedDemoProgrammes, type DemoProgrammeDeps } from './demo-programmes.ts';
import { seedDemoConversations } from './demo-conversations.ts';
import { seedDemoBoards } from './demo-boards.ts';
import { seedDemoChanges } from './demo-changes.ts';
import { seedDemoPayments } from './demo-payments.ts';
import type { Actor } from '../../plugins/access.ts';

/** One account per role, so a newcomer can see what each kind of user sees. */
export const DEMO_ACCOUNTS: { email: string; role: Role; name: string; experience: PersonInput['experience'] }[] = [
  { email: 'demo-admin@coproduce.example', role: 'admin', name: 'Aisha Rahman (demo admin)', experience: 'professional' },
  { email: 'demo-staff@coproduce.example', role: 'staff', name: 'Gareth Price (demo staff)', experience: 'both' },
  { email: 'demo-facilitator@coproduce.example', role: 'facilitator', name: 'Maya Lindqvist (demo patient leader)', experience: 'lived' },
  { email: 'demo-participant@coproduce.example', role: 'participant', name: 'Joe Barker (demo participant)', experience: 'lived' },
  // A parent carer who co-chairs the demo co-production board: a member's view of boards.
  { email: 'demo-cochair@coproduce.example', role: 'participant', name: 'Rachel Okafor (demo co-chair)', experience: 'lived' },
];

/**
 * Made-up people in the spirit of the seeds: patient leaders, carers, self-advocates with
 * learning disabilities, and professionals from trusts, councils and the third sector.
 */
const DEMO_PEOPLE: (PersonInput & { consents?: ConsentPurpose[] })[] = [
  {
    name: 'Priya Natarajan',
    labelName: 'Priya',
    pronouns: 'she/her',
    experience: 'lived',
    organisation: 'Recovery Enterprises (demo)',
    email: 'priya.demo@coproduce.example',
    accessNeeds: ['step_free'],
    accessNotes: 'Uses a wheelchair; needs a table at the right height.',
    consents: ['contact', 'quoting'],
  },
  {
    name: 'Danny Walsh',
    labelName: 'Danny',
    pronouns: 'he/him',
    experience: 'lived',
    organisation: 'My Life, My Choice (demo)',
    phone: '01865 000 111',
    contactPreference: 'phone',
    accessNeeds: ['easy_read', 'support_worker'],
    accessNotes: 'His support worker, Sam, comes with him.',
    consents: ['contact', 'photos'],
  },
  {
    name: 'Margaret Osei',
    pronouns: 'she/her',
    experience: 'lived',
    postalAddress: '12 Meadow Lane\nBanbury\nOX16 0AA',
    contactPreference: 'post',
    accessNeeds: ['large_print', 'hearing_loop'],
    consents: ['contact'],
  },
  {
    name: 'Chris Hartley',
    labelName: 'Chris',
    pronouns: 'they/them',
    experience: 'both',
    organisation: 'Team-up co-production board (demo)',
    email: 'chris.demo@coproduce.example',
    accessNeeds: ['bsl_interpreter'],
    consents: ['contact', 'quoting', 'research'],
  },
  {
    name: 'Dr Helen Marsh',
    labelName: 'Helen',
    experience: 'professional',
    organisation: 'Oxford Health NHS Foundation Trust (demo)',
    email: 'helen.demo@coproduce.example',
    accessNeeds: ['dietary'],
    accessNotes: 'Vegetarian.',
  },
  {
    name: 'Samir Haddad',
    labelName: 'Samir',
    pronouns: 'he/him',
    experience: 'professional',
    organisation: 'Adult social care, county council (demo)',
    email: 'samir.demo@coproduce.example',
  },
  {
    name: 'Bethan Lloyd',
    labelName: 'Bethan',
    experience: 'professional',
    organisation: 'Leeds third sector partnership (demo)',
    email: 'bethan.demo@coproduce.example',
    consents: ['contact'],
  },
  {
    name: 'Ruth Adeyemi',
    labelName: 'Ruth',
    pronouns: 'she/her',
    experience: 'lived',
    organisation: 'Carer, parent of a young adult with autism (demo)',
    email: 'ruth.demo@coproduce.example',
    accessNeeds: ['other'],
    accessNotes: 'Needs to leave by 3pm for caring duties.',
    consents: ['contact', 'story_publishing'],
  },
];

/** Fills an empty database with demo people and events. Returns false when there was already data. */
export async function seedDemoData(deps: {
  people: PeopleService;
  consents: ConsentsService;
  events: EventsService;
  registrations: RegistrationsService;
  evaluation?: Omit<Parameters<typeof seedDemoEvaluation>[0], 'admin' | 'people' | 'events' | 'registrations'>;
  programmes?: Omit<DemoProgrammeDeps, 'admin' | 'people'>;
  conversations?: Omit<Parameters<typeof seedDemoConversations>[0], 'admin'>;
  /** The co-production board, then "You said, we did" from the evaluation's themes, then claims for its meetings. */
  boards?: Omit<Parameters<typeof seedDemoBoards>[0], 'admin' | 'people'>;
  changes?: Omit<Parameters<typeof seedDemoChanges>[0], 'admin'>;
  payments?: Omit<Parameters<typeof seedDemoPayments>[0], 'people'>;
  isEmpty: () => Promise<boolean>;
}): Promise<boolean> {
  if (!(await deps.isEmpty())) return false;
  let admin: Actor | null = null;
  let staff: Actor | null = null;
  for (const account of DEMO_ACCOUNTS) {
    const p = await deps.people.create(
      null,
      { name: account.name, email: account.email, experience: account.experience },
      { role: account.role, isDemo: true },
    );
    if (account.role === 'admin') admin = { personId: p.id, role: 'admin' };
    if (account.role === 'staff') staff = { personId: p.id, role: 'staff' };
  }
  for (const { consents, ...person } of DEMO_PEOPLE) {
    const created = await deps.people.create(null, { ...person, name: `${person.name} (demo)` }, { isDemo: true });
    for (const purpose of consents ?? []) await deps.consents.give(null, created.id, purpose);
  }
  await seedDemoEvents({ admin: admin!, people: deps.people, events: deps.events, registrations: deps.registrations });
  if (deps.evaluation)
    await seedDemoEvaluation({
      ...deps.evaluation,
      admin: admin!,
      people: deps.people,
      events: deps.events,
      registrations: deps.registrations,
    });
  if (deps.programmes) await seedDemoProgrammes({ ...deps.programmes, admin: admin!, people: deps.people });
  if (deps.conversations) await seedDemoConversations({ ...deps.conversations, admin: admin! });
  if (deps.boards) await seedDemoBoards({ ...deps.boards, people: deps.people, admin: admin! });
  if (deps.changes) await seedDemoChanges({ ...deps.changes, admin: admin! });
  if (deps.payments) await seedDemoPayments({ ...deps.payments, people: deps.people }, { admin: admin!, staff: staff! });
  return true;
}
