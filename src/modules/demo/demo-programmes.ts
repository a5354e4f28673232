import { fromLondon } from '../../lib/dates.ts';
import type { FormsService } from '../forms/forms-service.ts';
import type { PeopleService } from '../people/people-service.ts';
import type { CertificatesService } from '../programmes/certificates-service.ts';
import type { CohortService } from '../programmes/cohort-service.ts';
import type { ProgrammesService } from '../programmes/programmes-service.ts';
import type { Actor } from '../../plugins/access.ts';

export interface DemoProgrammeDeps {
  admin: Actor;
  people: PeopleService;
  forms: FormsService;
  programmes: ProgrammesService;
  cohorts: CohortService;
  certificates: CertificatesService;
}

const AREAS = ['Oxfordshire', 'Buckinghamshire', 'Berkshire West', 'Milton Keynes'];

// The 2018 pilot: professionals alongside five people with learning disabilities (seed 000).
const PILOT = [
  { name: 'Danny Holt', experience: 'lived', organisation: 'My Life, My Choice (demo)', area: 'Oxfordshire', workshops: 3 },
  { name: 'Shona Ali', experience: 'lived', organisation: 'My Life, My Choice (demo)', area: 'Oxfordshire', workshops: 3 },
  { name: 'Peter Green', experience: 'lived', organisation: 'My Life, My Choice (demo)', area: 'Buckinghamshire', workshops: 2 },
  { name: 'Lucy Evans', experience: 'lived', organisation: null, area: 'Oxfordshire', workshops: 3 },
  { name: 'Marcus Bell', experience: 'lived', organisation: null, area: 'Berkshire West', workshops: 1 },
  {
    name: 'Dominic Harte',
    experience: 'professional',
    organisation: 'Oxford Health NHS Foundation Trust (demo)',
    area: 'Oxfordshire',
    workshops: 3,
  },
  {
    name: 'Karen Rowe',
    experience: 'professional',
    organisation: 'Oxford Health NHS Foundation Trust (demo)',
    area: 'Oxfordshire',
    workshops: 3,
  },
  { name: 'Dr Nadia Khan', experience: 'professional', organisation: 'TPC Health (demo)', area: 'Buckinghamshire', workshops: 2 },
  { name: 'Simon Ford', experience: 'professional', organisation: 'Oxfordshire County Council (demo)', area: 'Oxfordshire', workshops: 3 },
  {
    name: 'Beth Morgan',
    experience: 'both',
    organisation: 'Oxford Health NHS Foundation Trust (demo)',
    area: 'Milton Keynes',
    workshops: 3,
  },
] as const;

/**
 * Leading Together: the 2018 learning-disabilities pilot as a finished cohort, graduated with
 * certificates, and a new cohort open for applications (seeds 000 and 001).
 */
export async function seedDemoProgrammes(deps: DemoProgrammeDeps) {
  const { admin } = deps;
  const form = await deps.forms.create(
    admin,
    {
      title: 'Leading Together: application (demo)',
      anonymous: false,
      questions: [
        {
          key: 'why',
          type: 'long_text',
          text: 'Why would you like to join Leading Together?',
          easyReadText: 'Why do you want to join?',
          required: true,
        },
        {
          key: 'change',
          type: 'long_text',
          text: 'What would you like to change in local health or care services?',
          easyReadText: 'What would you like to make better?',
        },
        {
          key: 'area',
          type: 'single_choice',
          text: 'Where do you live or work?',
          easyReadText: 'Where do you live?',
          options: AREAS,
          required: true,
        },
        { key: 'days', type: 'yes_no', text: 'Can you come to all three workshop days?', easyReadText: 'Can you come to all 3 days?' },
      ],
    },
    { isDemo: true },
  );
  await deps.forms.setStatus(admin, form.id, 'open');
  const programme = await deps.programmes.createProgramme(
    admin,
    {
      title: 'Leading Together (demo)',
      summary:
        'A free leadership programme that trains patients, carers, members of the public and health and care professionals together, in groups of about 20. Three workshop days over three months, coaching by leadership experts, and a real group project presented at graduation.',
      easyReadSummary:
        'A free course. People who use services and people who work in the NHS learn together. There are 3 days of workshops. You get a coach. You work on a project with your group. At the end there is a party and you get a certificate.',
      whoFor: 'Patients, carers, members of the public, and people who work in health and social care who want to lead change together.',
      placesPerCohort: 20,
      partners: [
        'Oxford Academic Health Science Network (demo)',
        'NHS Thames Valley and Wessex Leadership Academy (demo)',
        'TPC Health (demo)',
        'My Life, My Choice (demo)',
      ],
      mixTarget: { livedMinShare: 0.5 },
      trackedQuestionKeys: ['area'],
      graduationRule: { minSessionsAttended: 2, projectRequired: true },
      applicationFormId: form.id,
    },
    { isDemo: true },
  );

  // ---- the 2018 pilot, finished ------------------------------------------------------------------
  const pilot = await deps.programmes.createCohort(
    admin,
    programme.id,
    { name: '2018 learning disabilities pilot', startsOn: '2018-07-01', endsOn: '2018-11-30', places: 12 },
    { isDemo: true },
  );
  const workshop = async (cohortId: string, title: string, y: number, m: number, d: number, venue: string) =>
    deps.programmes.addSession(admin, cohortId, {
      title,
      kind: 'workshop',
      startsAt: fromLondon(y, m, d, 10),
      endsAt: fromLondon(y, m, d, 15, 30),
      format: 'in_person',
      capacity: 25,
      venue: { name: venue, stepFree: true, hearingLoop: true, accessibleToilet: true, publicTransport: 'Buses stop outside.' },
      easyReadDescription: 'A day of learning together. There is lunch. There are breaks.',
    });
  const pilotDays = [
    await workshop(pilot.id, 'Workshop day 1: what is co-production?', 2018, 7, 12, 'Unipart House, Oxford (demo)'),
    await workshop(pilot.id, 'Workshop day 2: leading change together', 2018, 9, 13, 'Aylesbury Vale centre (demo)'),
    await workshop(pilot.id, 'Workshop day 3: planning our projects', 2018, 10, 25, 'Unipart House, Oxford (demo)'),
  ];
  const members: { id: string; workshops: number }[] = [];
  for (const p of PILOT) {
    const person = await deps.people.create(
      admin,
      {
        name: `${p.name} (demo)`,
        experience: p.experience,
        organisation: p.organisation ?? undefined,
        contactPreference: 'post',
        postalAddress: 'c/o My Life, My Choice (demo)',
      },
      { isDemo: true },
    );
    const { application } = await deps.programmes.apply(admin, pilot.id, {
      who: { personId: person.id },
      answers: { why: 'To make services better for people like me.', area: p.area, days: 'yes' },
      helpedBy: p.experience === 'lived' ? 'Support worker (demo)' : undefined,
    });
    for (const s of ['shortlisted', 'offered', 'accepted'] as const)
      await deps.programmes.changeStatus(admin, application.id, s, { offerAnyway: true });
    members.push({ id: person.id, workshops: p.workshops });
  }
  for (const [i, day] of pilotDays.entries()) {
    await deps.cohorts.recordAttendance(
      admin,
      day.id,
      members.map((m) => ({ personId: m.id, attended: i < m.workshops })),
    );
  }
  const letters = await deps.cohorts.createProject(admin, pilot.id, {
    title: 'Easy read appointment letters',
    aim: 'Every appointment letter from the learning disability service has an easy read version.',
    memberIds: [members[0]!.id, members[1]!.id, members[5]!.id, members[7]!.id, members[4]!.id],
    coLeadIds: [members[0]!.id, members[5]!.id],
  });
  const health = await deps.cohorts.createProject(admin, pilot.id, {
    title: 'Annual health checks: come with me',
    aim: 'More people with learning disabilities have their annual health check, with a friend who has had one.',
    memberIds: [members[2]!.id, members[3]!.id, members[6]!.id, members[8]!.id, members[9]!.id],
    coLeadIds: [members[3]!.id, members[6]!.id],
  });
  await deps.cohorts.addUpdate(admin, letters.id, 'Ten letters rewritten with self-advocates and tested at the September workshop.');
  await deps.cohorts.setPresented(admin, letters.id, true);
  await deps.cohorts.setPresented(admin, health.id, true);
  await deps.certificates.graduate(admin, pilot.id, { at: fromLondon(2018, 11, 28, 15) });
  for (const m of members.slice(0, 2))
    await deps.programmes.setMembership({ personId: m.id, role: 'participant' }, pilot.id, {
      shownAs: 'name_and_organisation',
      alumniListed: true,
    });

  // ---- a new cohort, open for applications ---------------------------------------------------------
  const year = new Date().getUTCFullYear() + 1;
  const open = await deps.programmes.createCohort(
    admin,
    programme.id,
    { name: `Oxfordshire, spring ${year}`, startsOn: `${year}-02-01`, endsOn: `${year}-05-31`, places: 20 },
    { isDemo: true },
  );
  await workshop(
    open.id,
    'Workshop day 1: seeing the world through other people’s eyes',
    year,
    2,
    11,
    'Kassam Stadium conference centre (demo)',
  );
  await workshop(open.id, 'Workshop day 2: leading together', year, 3, 18, 'High Wycombe community hall (demo)');
  await workshop(open.id, 'Workshop day 3: putting it into practice', year, 5, 6, 'Kassam Stadium conference centre (demo)');
  await deps.programmes.addSession(admin, open.id, {
    title: 'Online catch-up',
    kind: 'catch_up',
    startsAt: fromLondon(year, 4, 15, 18),
    endsAt: fromLondon(year, 4, 15, 19),
    format: 'online',
    capacity: 25,
    joinUrl: 'https://meet.example.org/leading-together-demo',
  });
  const participant = await deps.people.findActiveByEmail('demo-participant@coproduce.example');
  const applicants = [
    { name: 'Grace Owusu', experience: 'lived' as const, area: 'Oxfordshire', to: ['shortlisted', 'offered'] as const },
    {
      name: 'Mr Ian Tully',
      experience: 'professional' as const,
      area: 'Buckinghamshire',
      to: ['shortlisted', 'offered', 'accepted'] as const,
    },
    // Reached by phone: her shortlisting puts her on the cohort's list of people to phone.
    {
      name: 'Fatima Noor',
      experience: 'both' as const,
      area: 'Berkshire West',
      to: ['shortlisted'] as const,
      contact: { phone: '01865 000 333', contactPreference: 'phone' as const },
    },
    { name: 'Ben Carter', experience: 'lived' as const, area: 'Milton Keynes', to: [] as const },
    { name: 'Dr Helen Moss', experience: 'professional' as const, area: 'Oxfordshire', to: ['waiting'] as const },
  ];
  for (const a of applicants) {
    const contact = 'contact' in a ? a.contact : {};
    const person = await deps.people.create(admin, { name: `${a.name} (demo)`, experience: a.experience, ...contact }, { isDemo: true });
    const { application } = await deps.programmes.apply({ personId: person.id, role: 'participant' }, open.id, {
      who: { personId: person.id },
      answers: { why: 'I want patients and staff to plan services together.', area: a.area, days: 'yes' },
    });
    for (const s of a.to) await deps.programmes.changeStatus(admin, application.id, s, { offerAnyway: true });
  }
  if (participant) {
    const { application } = await deps.programmes.apply({ personId: participant.id, role: 'participant' }, open.id, {
      who: { personId: participant.id },
      answers: { why: 'I care for my brother and want his voice heard.', area: 'Oxfordshire', days: 'yes' },
      helpedBy: undefined,
    });
    for (const s of ['shortlisted', 'offered'] as const)
      await deps.programmes.changeStatus(admin, application.id, s, { offerAnyway: true });
  }
}
