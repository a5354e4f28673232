import { fromLondon } from '../../lib/dates.ts';
import type { EventsService } from '../events/events-service.ts';
import type { RegistrationsService } from '../events/registrations-service.ts';
import type { PeopleService } from '../people/people-service.ts';
import type { Actor } from '../../plugins/access.ts';

/** The next year in which this month and day are still ahead, so demo events can be booked. */
function nextYearFor(month: number, day: number, now = new Date()): number {
  const year = now.getUTCFullYear();
  return fromLondon(year, month, day) > now ? year : year + 1;
}

const LEADERS = [
  { name: 'Maya Lindqvist (demo patient leader)', email: 'demo-facilitator@coproduce.example' },
  {
    name: 'Tomasz Nowak (demo patient leader)',
    bio: 'I had a kidney transplant in 2009. I spent twenty years in management before that, and now I help design technology with the people who will use it.',
  },
  {
    name: 'Kemi Adebayo (demo patient leader)',
    bio: 'Trainer, DJ and poet. I live with a mental health condition and train NHS staff about recovery. I want organisations to stop tokenism.',
  },
  {
    name: 'Rhiannon Price (demo patient leader)',
    bio: 'I use social media to change policy. I co-chair a national commission on personality disorder, from the outside in.',
  },
  {
    name: 'Prof. Alan Fisher (demo patient leader)',
    bio: 'I have lived with a mental health condition for a long time. I collect stories that change culture, policy and stigma.',
  },
];

/**
 * #PatientsasPartners: a one-day conference co-designed by patients, five masterclasses led by
 * patient leaders. Co-production week: a council's five days of online workshops and talks.
 */
export async function seedDemoEvents(deps: {
  admin: Actor;
  people: PeopleService;
  events: EventsService;
  registrations: RegistrationsService;
}) {
  const { admin } = deps;
  const leaders: string[] = [];
  for (const l of LEADERS) {
    const existing = l.email ? await deps.people.findActiveByEmail(l.email) : undefined;
    if (existing) {
      leaders.push(existing.id);
      continue;
    }
    const p = await deps.people.create(admin, { name: l.name, experience: 'lived', bio: l.bio }, { role: 'facilitator', isDemo: true });
    leaders.push(p.id);
  }
  const maya = await deps.people.findActiveByEmail(LEADERS[0]!.email!);
  if (maya && !maya.bio) {
    await deps.people.update(admin, maya.id, {
      name: maya.name,
      email: maya.email ?? undefined,
      experience: 'lived',
      bio: 'I recovered from locked-in syndrome. Technology, my own experience and sheer determination got me here; now I help others aim higher.',
    });
  }

  // ---- the conference -------------------------------------------------------------------------
  const y = nextYearFor(4, 15);
  const at = (h: number, m = 0) => fromLondon(y, 4, 15, h, m);
  const conference = await deps.events.create(
    admin,
    {
      title: `#PatientsasPartners${String(y).slice(2)} (demo)`,
      summary:
        'A one-day conference designed by patients: how health and care leaders and people with lived experience can build real partnerships.',
      easyReadSummary:
        'A day to meet and talk. Patients and people who work in the NHS learn together. There are no job titles on name labels. You make your own label.',
      description:
        'Patients designed the format. Partner organisations support it but do not control the content. Five patient leaders each run a masterclass.',
      startsAt: at(9, 30),
      endsAt: at(16, 30),
      hashtag: `#PatientsasPartners${String(y).slice(2)}`,
      partners: ['Recovery Enterprises (demo)', 'NHS Confederation (demo)', 'Sheffield Health and Social Care (demo)'],
    },
    { isDemo: true },
  );
  const venue = {
    name: 'The Exchange Hall (demo)',
    address: '15 Paternoster Row, Sheffield',
    postcode: 'S1 2BX',
    stepFree: true,
    hearingLoop: true,
    accessibleToilet: true,
    parking: 'Two blue badge spaces at the side entrance.',
    publicTransport: 'Five minutes from Sheffield station; trams stop outside.',
  };
  const masterclasses = [
    { title: 'Technology and determination: recovering from locked-in syndrome', theme: 'Digital', slot: [11, 0, 12, 15] },
    { title: 'Patient-led design of devices for dignity', theme: 'Digital', slot: [11, 0, 12, 15] },
    { title: 'Removing tokenism: valuing lived experience at work', theme: 'Workforce', slot: [11, 0, 12, 15] },
    { title: 'Changing policy from the outside in', theme: 'Leadership', slot: [13, 30, 14, 45] },
    { title: 'Stories that change culture', theme: 'Leadership', slot: [13, 30, 14, 45] },
  ];
  // The welcome and the closing reflection are for everyone: booked with any booking, or on their own.
  const welcome = await deps.events.addSession(admin, conference.id, {
    title: 'Welcome: make your own label',
    description: 'No badges, no titles. Make a label with the name you want to be called, and meet the people around you.',
    startsAt: at(9, 30),
    endsAt: at(10, 30),
    format: 'in_person',
    capacity: 120,
    venue,
  });
  for (const [i, m] of masterclasses.entries()) {
    const [h1, m1, h2, m2] = m.slot as [number, number, number, number];
    await deps.events.addSession(admin, conference.id, {
      title: `Masterclass: ${m.title}`,
      theme: m.theme,
      startsAt: at(h1, m1),
      endsAt: at(h2, m2),
      format: 'in_person',
      capacity: 25,
      venue,
      facilitatorIds: [leaders[i]!],
    });
  }
  const reflection = await deps.events.addSession(admin, conference.id, {
    title: 'Reflecting together: what have we learnt?',
    description: 'Everyone together. We agree the headlines and what each of us will do next.',
    startsAt: at(15, 0),
    endsAt: at(16, 30),
    format: 'hybrid',
    capacity: 120,
    venue,
    joinUrl: 'https://meet.example.org/patients-as-partners-reflection',
  });
  for (const s of [welcome, reflection]) await deps.registrations.markForEveryone(admin, s.id, true);
  await deps.events.publish(admin, conference.id);

  // ---- co-production week ---------------------------------------------------------------------
  const wy = nextYearFor(7, 6);
  const day = (d: number, h: number, m = 0) => fromLondon(wy, 7, d, h, m);
  const week = await deps.events.create(
    admin,
    {
      title: `Co-production week ${wy} (demo)`,
      summary:
        'Five days of online workshops and talks about collaboration in a time of crisis, put together with local and national partners.',
      easyReadSummary:
        'A week of online meetings. People who use social care and people who work in it talk as equals. You can join from home.',
      startsAt: day(6, 9),
      endsAt: day(10, 17),
      hashtag: `#CoProductionWeek${String(wy).slice(2)}`,
      partners: ['Team-up co-production board (demo)', 'Social Care Institute for Excellence (demo)'],
    },
    { isDemo: true },
  );
  const talks = [
    {
      d: 6,
      h: 10,
      title: 'Getting started with co-production',
      theme: 'Getting started',
      easy: 'What co-production means, and how to start. For everyone.',
    },
    { d: 6, h: 14, title: 'Working together in a crisis: what we learnt', theme: 'Collaboration in a crisis' },
    { d: 7, h: 11, title: 'Publishing the two-year evaluation', theme: 'Evaluation' },
    { d: 7, h: 15, title: 'Families as experts', theme: 'Collaboration in a crisis', lead: 1 },
    {
      d: 8,
      h: 10,
      title: 'Easy read workshop: making information clear',
      theme: 'Getting started',
      easy: 'Learn to write so more people understand. We practise together.',
      lead: 2,
    },
    { d: 8, h: 14, title: 'Young people shaping services', theme: 'Young people' },
    { d: 9, h: 11, title: 'Co-producing commissioning', theme: 'Evaluation', lead: 3 },
    { d: 10, h: 10, title: 'Small group conversation: what next?', theme: 'Getting started', capacity: 3 },
  ];
  let small = '';
  for (const t of talks) {
    const s = await deps.events.addSession(admin, week.id, {
      title: t.title,
      theme: t.theme,
      easyReadDescription: t.easy,
      startsAt: day(t.d, t.h),
      endsAt: day(t.d, t.h + 1, 30),
      format: 'online',
      capacity: t.capacity ?? 60,
      joinUrl: `https://meet.example.org/coproduction-week-${t.d}-${t.h}`,
      facilitatorIds: t.lead ? [leaders[t.lead]!] : [],
    });
    if (t.capacity === 3) small = s.id;
  }
  await deps.events.publish(admin, week.id);

  // A full small session with a waiting list, so organisers can see how that looks.
  const demoPeople = (await deps.people.list({ search: '(demo)', limit: 50 })).filter((p) => p.role === 'participant');
  for (const p of demoPeople.slice(0, 5)) await deps.registrations.register(admin, { sessionId: small, who: { personId: p.id } });
}
