import { fromLondon, londonDay } from '../../lib/dates.ts';
import { pdfWriter } from '../../lib/pdf.ts';
import type { Actor } from '../../plugins/access.ts';
import type { BoardsService } from '../boards/boards-service.ts';
import type { PersonInput } from '../people/people-schemas.ts';
import type { PeopleService } from '../people/people-service.ts';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** The demo co-chair: a parent carer with lived experience, who can sign in with this address. */
export const DEMO_CO_CHAIR_EMAIL = 'demo-cochair@coproduce.example';
const PARTICIPANT_EMAIL = 'demo-participant@coproduce.example';

// Made-up members of Oxfordshire's team-up co-production board (seed 003): people who use social
// care and their families, with people who provide it.
const MEMBERS: (PersonInput & { role: 'co_chair' | 'member' | 'adviser'; shown: boolean })[] = [
  {
    name: 'Rachel Okafor (demo)',
    labelName: 'Rachel',
    pronouns: 'she/her',
    experience: 'lived',
    email: DEMO_CO_CHAIR_EMAIL,
    bio: 'Parent of a young adult with a learning disability and autism.',
    accessNeeds: ['easy_read'],
    role: 'co_chair',
    shown: true,
  },
  {
    name: 'Karen Fielding (demo)',
    experience: 'professional',
    organisation: 'Oxfordshire County Council adult social care (demo)',
    email: 'karen.fielding.demo@coproduce.example',
    role: 'co_chair',
    shown: true,
  },
  {
    name: 'Tom Aziz (demo)',
    experience: 'lived',
    email: 'tom.aziz.demo@coproduce.example',
    accessNeeds: ['step_free'],
    role: 'member',
    shown: true,
  },
  {
    name: 'Bernadette Lowe (demo)',
    experience: 'lived',
    phone: '01865 000 222',
    contactPreference: 'phone',
    accessNeeds: ['hearing_loop', 'large_print'],
    role: 'member',
    // She did not agree to be named on the public page.
    shown: false,
  },
  {
    name: 'Dev Mistry (demo)',
    experience: 'both',
    organisation: 'Carers Oxfordshire (demo)',
    email: 'dev.mistry.demo@coproduce.example',
    role: 'member',
    shown: true,
  },
  {
    name: 'Dr Anna Price (demo)',
    experience: 'professional',
    organisation: 'Oxford Health NHS Foundation Trust (demo)',
    email: 'anna.price.demo@coproduce.example',
    role: 'adviser',
    shown: true,
  },
];

async function respitePaper(): Promise<Buffer> {
  const w = pdfWriter({
    title: 'Short breaks for carers: what you told us',
    author: 'Team-up co-production board (demo)',
    subject: 'Easy read paper for the board meeting',
    creator: 'Coproduce demo',
  });
  w.say('Short breaks for carers: what you told us', { size: 22, bold: true, tag: 'H1', after: 0.5 });
  w.say('This paper is in easy read.', { size: 16, after: 0.5 });
  w.say('Carers look after someone every day.', { size: 16, after: 0.3 });
  w.say('Carers told us they need a break, and that breaks are hard to book.', { size: 16, after: 0.3 });
  w.say('At the meeting we will decide what to ask the council to change.', { size: 16, after: 0.3 });
  w.doc.end();
  return w.done;
}

/**
 * Oxfordshire's team-up co-production board, published, with made-up members (a parent carer with
 * lived experience as co-chair), three meetings (two past with attendance and published minutes,
 * one coming with an agenda, easy-read lines and an easy-read PDF paper), and decisions in every state.
 * The demo participant sits on the board and came to the first meeting. Everything goes through
 * the services, and every person is marked as demo.
 */
export async function seedDemoBoards(deps: { boards: BoardsService; people: PeopleService; admin: Actor }) {
  const { boards, people, admin } = deps;
  const now = Date.now();
  const termFrom = londonDay(new Date(now - 400 * DAY));

  const board = await boards.create(
    admin,
    {
      name: 'Team-up co-production board (demo)',
      purpose:
        'Brings together people who need to use adult social care, and their families, with those who provide it, in an open and transparent manner, to achieve the best outcomes. Those who need assistance are the experts: we work with them, listen and learn.',
      easyReadPurpose:
        'People who use social care and people who work in social care meet as equals. We listen to each other. We decide together how to make care better.',
      livedTarget: 50,
      papersDaysBefore: 7,
    },
    { isDemo: true },
  );
  await boards.setPublished(admin, board.id, true);

  const ids: Record<string, string> = {};
  for (const { role, shown, ...person } of MEMBERS) {
    // Someone already there with the address (the co-chair listed as a demo account, say) is reused.
    const p =
      (person.email ? await people.findActiveByEmail(person.email) : undefined) ?? (await people.create(null, person, { isDemo: true }));
    ids[person.name] = p.id;
    await boards.addMember(admin, board.id, { personId: p.id, role, from: termFrom, shownPublicly: shown });
  }
  const participant = await people.findActiveByEmail(PARTICIPANT_EMAIL);
  if (participant)
    await boards.addMember(admin, board.id, { personId: participant.id, role: 'member', from: termFrom, shownPublicly: false });
  const coChair = ids['Rachel Okafor (demo)']!;
  const karen = ids['Karen Fielding (demo)']!;
  const tom = ids['Tom Aziz (demo)']!;
  const dev = ids['Dev Mistry (demo)']!;

  const venue = {
    name: 'County Hall (demo)',
    address: 'New Road, Oxford',
    postcode: 'OX1 1ND',
    stepFree: true,
    hearingLoop: true,
    accessibleToilet: true,
    parking: '3 blue badge spaces at the back',
    publicTransport: 'Buses stop on Castle Street, 2 minutes away',
  };
  const at = (daysFromNow: number, hour = 10) => {
    const [y, m, d] = londonDay(new Date(now + daysFromNow * DAY))
      .split('-')
      .map(Number);
    return fromLondon(y!, m!, d!, hour);
  };

  // ---- the first past meeting: the demo participant came -----------------------------------------
  const spring = await boards.createMeeting(admin, board.id, {
    title: 'Board meeting: spring (demo)',
    startsAt: at(-70),
    endsAt: new Date(at(-70).getTime() + 2 * HOUR),
    format: 'in_person',
    venue,
    agenda: [
      { title: 'Welcome and introductions', easyRead: 'We say hello and who we are.' },
      { title: 'Short breaks for carers', easyRead: 'How carers can get a rest.' },
    ],
  });
  await boards.recordAttendance(admin, spring.id, {
    came: [coChair, karen, tom, dev, ...(participant ? [participant.id] : [])],
  });
  await boards.saveMinutes(admin, spring.id, {
    minutes:
      'Present: Rachel Okafor (co-chair), Karen Fielding (co-chair), Tom Aziz, Dev Mistry and others.\n\nShort breaks for carers: carers described how hard breaks are to book. The board agreed to ask carers what would help, and to write to commissioners.',
    easyReadMinutes: 'We talked about breaks for carers. Breaks are hard to book. We will ask carers what would help.',
    publish: true,
  });
  const survey = await boards.recordDecision(admin, spring.id, {
    kind: 'action',
    text: 'Ask carers, through Carers Oxfordshire, which times and kinds of short break would help most',
    easyRead: 'Ask carers what breaks they need',
    owner: dev,
    due: londonDay(new Date(now - 30 * DAY)),
    published: true,
  });
  await boards.moveDecision(admin, survey.id, { status: 'in_progress', note: 'Survey written with two carers and sent out' });
  await boards.moveDecision(admin, survey.id, { status: 'done', note: '84 carers answered; the results go to the summer meeting' });
  const cafe = await boards.recordDecision(admin, spring.id, {
    kind: 'action',
    text: 'Run a carers’ café at every board meeting',
    owner: karen,
  });
  await boards.moveDecision(admin, cafe.id, {
    status: 'dropped',
    note: 'Carers said a café clashed with caring times; we meet them online instead',
  });

  // ---- the second past meeting -----------------------------------------------------------------
  const summer = await boards.createMeeting(admin, board.id, {
    title: 'Board meeting: summer (demo)',
    startsAt: at(-20, 14),
    endsAt: new Date(at(-20, 14).getTime() + 2 * HOUR),
    format: 'hybrid',
    venue,
    joinUrl: 'https://meet.example.org/team-up-demo',
    agenda: [{ title: 'What carers told us about short breaks', easyRead: 'What carers said about breaks.' }],
  });
  await boards.recordAttendance(admin, summer.id, { came: [coChair, karen, dev] });
  await boards.saveMinutes(admin, summer.id, {
    minutes: 'The survey results were shared. The board decided that carers will help choose the next short breaks provider.',
    easyReadMinutes: 'Carers will help choose who gives short breaks.',
    publish: true,
  });
  const choose = await boards.recordDecision(admin, summer.id, {
    kind: 'decision',
    text: 'Carers with lived experience sit on the panel that chooses the next short breaks provider',
    easyRead: 'Carers help choose who gives short breaks',
    owner: coChair,
    due: londonDay(new Date(now + 2 * DAY)),
    published: true,
  });
  await boards.moveDecision(admin, choose.id, { status: 'in_progress', note: 'Two carers have joined the panel' });
  await boards.recordDecision(admin, summer.id, {
    kind: 'action',
    text: 'Write an easy read guide to booking a short break',
    easyRead: 'Make an easy read guide to booking a break',
    owner: tom,
    due: londonDay(new Date(now + 25 * DAY)),
  });

  // ---- the coming meeting: an agenda with easy-read lines and an easy-read paper ----------------------
  const autumn = await boards.createMeeting(admin, board.id, {
    title: 'Board meeting: autumn (demo)',
    startsAt: at(12),
    endsAt: new Date(at(12).getTime() + 2 * HOUR),
    format: 'hybrid',
    venue,
    joinUrl: 'https://meet.example.org/team-up-demo',
  });
  await boards.addAgendaItem(admin, autumn.id, {
    title: 'Short breaks for carers: what you told us',
    easyRead: 'What carers told us about breaks. What we will ask the council to change.',
    paperEasyRead: true,
    paper: { name: 'short-breaks-easy-read.pdf', contentType: 'application/pdf', data: await respitePaper() },
  });
  await boards.addAgendaItem(admin, autumn.id, {
    title: 'Co-production week: planning the online festival',
    easyRead: 'Plans for co-production week.',
  });
  await boards.addAgendaItem(admin, autumn.id, { title: 'Any other business', easyRead: 'Anything else you want to talk about.' });
  return { boardId: board.id, meetingIds: [spring.id, summer.id, autumn.id], coChairEmail: DEMO_CO_CHAIR_EMAIL };
}
