import type { PledgeProgress, Sector } from '../../db/schema.ts';
import { londonDay } from '../../lib/dates.ts';
import type { Actor } from '../../plugins/access.ts';
import type { ConversationsService } from '../conversations/conversations-service.ts';
import type { StoriesService } from '../stories/stories-service.ts';
import { seedDemoStories } from './demo-stories.ts';

/** The seed's four questions, each with its own words in brackets as the facilitator's prompt. */
export const TEAM_LEEDS_QUESTIONS = [
  {
    key: 'felt',
    text: 'How has it felt for you during the pandemic?',
    prompt:
      'A chance for everyone to pause, listen and acknowledge the challenges, or indeed the opportunities, the pandemic has brought, and to share how it has been for them.',
  },
  {
    key: 'together',
    text: 'Have you been able to work together with colleagues from different health, care or third sector teams or services during the pandemic? What benefits has that brought?',
    prompt:
      'Collect the stories of joined-up working: what worked well, and what would be "even better if". This tells us whether joined-up health and care matters to our workforce.',
  },
  {
    key: 'easier',
    text: 'What might make it easier for you, or encourage you, to build effective relationships with colleagues in other health, care or third sector teams or services?',
    prompt: 'This will guide senior leaders in shaping, developing and improving our networks.',
  },
  {
    key: 'steps',
    text: 'What steps will you take now to build connections with colleagues in other health, care or third sector teams or services?',
    prompt: 'Your call to action: what can you and your team do right now to embrace a Team Leeds culture?',
    steps: true,
  },
];

interface DemoChat {
  teamName: string;
  organisation: string;
  sector: Sector;
  daysAgo: number;
  people: number;
  lived?: number;
  felt: string;
  together: string;
  easier: string;
  pledges: [string, PledgeProgress | null][];
  lead?: { name: string; email?: string; phone?: string };
}

/** Made-up teams across the NHS, the council and the third sector, in the spirit of the seed. */
const CHATS: DemoChat[] = [
  {
    teamName: 'Seacroft district nurses',
    organisation: 'Leeds Community Healthcare (demo)',
    sector: 'nhs',
    daysAgo: 70,
    people: 9,
    felt: 'Exhausted at times, and frightened for our families early on. We leant on each other more than ever.',
    together:
      'We worked with the food bank to get parcels to housebound patients. The shared care record meant we could see hospital discharge notes the same day. It would be even better if we could see social care notes too.',
    easier: 'Knowing a named person in each team. Time in the week to meet people outside our own service.',
    pledges: [
      ['Invite the food bank coordinator to our team meeting', 'done'],
      ['Visit the local community hub once a month', 'started'],
    ],
    lead: { name: 'Janet Hollis', email: 'janet.hollis.demo@coproduce.example' },
  },
  {
    teamName: 'Chapeltown befriending service',
    organisation: 'Chapeltown Neighbours (demo)',
    sector: 'third_sector',
    daysAgo: 65,
    people: 6,
    lived: 3,
    felt: 'Our volunteers kept going when everything closed. Some of them were shielding themselves and still rang people every day.',
    together:
      'Social prescribers referred lonely older people to us and we rang them every week. GPs started to trust us with people who would not talk to a doctor. Even better if referrals came with a little more about the person.',
    easier:
      'Being invited to the meetings where decisions are made, not only asked for help afterwards. Small grants that last more than a year.',
    pledges: [
      ['Ask to join the primary care network meeting', 'done'],
      ['Share our referral form with the two GP practices nearby', 'done'],
    ],
    lead: { name: 'Yaw Mensah', email: 'yaw.mensah.demo@coproduce.example' },
  },
  {
    teamName: 'Hospital discharge team',
    organisation: 'Leeds Teaching Hospitals (demo)',
    sector: 'nhs',
    daysAgo: 60,
    people: 12,
    felt: 'Relentless. Beds were full every day. But we saw what we can do when the barriers come down.',
    together:
      'Council reablement staff sat with us on the ward, so people went home days sooner. The care record showed us who already had a package of care. Even better if the voluntary sector could take referrals from the ward directly.',
    easier: 'One phone number for community services. Shared training days with social care colleagues.',
    pledges: [
      ['Keep a reablement worker on the ward two days a week', 'started'],
      ['Run a joint training session with adult social care', 'not_yet'],
    ],
    lead: { name: 'Priti Shah', email: 'priti.shah.demo@coproduce.example' },
  },
  {
    teamName: 'Adult social care, east',
    organisation: 'Leeds City Council (demo)',
    sector: 'council',
    daysAgo: 58,
    people: 10,
    lived: 1,
    felt: 'Tired but proud. We changed how we work in weeks, not years.',
    together:
      'We held daily huddles with district nurses and the hospital discharge team. Different IT systems meant we typed the same details into three records.',
    easier: 'Access to the same systems. Fewer forms when we refer to each other.',
    pledges: [
      ['Keep the daily huddle going as a weekly one', 'done'],
      ['Map who is who in the neighbourhood team', 'dropped'],
    ],
    lead: { name: 'Owen Pryce', email: 'owen.pryce.demo@coproduce.example' },
  },
  {
    teamName: 'Beeston community kitchen',
    organisation: 'Beeston Community Kitchen (demo)',
    sector: 'third_sector',
    daysAgo: 55,
    people: 5,
    lived: 4,
    felt: 'Busy and emotional. Many of our volunteers use services themselves, and they knew what people were going through.',
    together:
      'We cooked hot meals for people leaving hospital with no food at home, after the discharge team rang us. The council paid for the ingredients for three months.',
    easier: 'Being paid on time. Being treated as partners, not as a free service.',
    pledges: [['Write to the hospital about a regular meals-on-discharge scheme', null]],
    lead: { name: 'Grace Okafor', phone: '0113 496 0123' },
  },
  {
    teamName: 'Moortown GP practice',
    organisation: 'Moortown Medical Centre (demo)',
    sector: 'nhs',
    daysAgo: 50,
    people: 8,
    felt: 'Phones ringing all day, and patients angry and scared. We tried to look after each other.',
    together:
      'Our social prescriber linked patients with befriending charities and walking groups. It would be even better if we heard back what happened after we referred someone.',
    easier: 'A directory of local groups that is kept up to date. Meeting the charities face to face.',
    pledges: [
      ['Invite two local charities to our practice meeting', 'started'],
      ['Ask patients what groups they would like', 'not_yet'],
    ],
    lead: { name: 'Dr Ian Cole', email: 'ian.cole.demo@coproduce.example' },
  },
  {
    teamName: 'Housing support officers',
    organisation: 'Leeds City Council (demo)',
    sector: 'council',
    daysAgo: 48,
    people: 7,
    felt: 'Hard. People in temporary housing were very isolated.',
    together: 'The mental health team joined our visits to tenants in crisis, and we stopped passing people between services.',
    easier: 'Joint visits as a normal way of working. Knowing the mental health team by name.',
    pledges: [['Set up a monthly case meeting with the community mental health team', 'done']],
    lead: { name: 'Farah Iqbal', email: 'farah.iqbal.demo@coproduce.example' },
  },
  {
    teamName: 'Carers support line',
    organisation: 'Carers Leeds Together (demo)',
    sector: 'third_sector',
    daysAgo: 45,
    people: 4,
    lived: 4,
    felt: 'Carers were forgotten at first. Our calls doubled, and many carers were at breaking point.',
    together:
      'District nurses told carers about us, and we got carers their vaccines early by working with the GP practices. Even better if carers were asked about their own health at every visit.',
    easier: 'Carers named in care plans. A seat for carers at the table when services are planned.',
    pledges: [
      ['Give every district nurse team our leaflet and number', 'done'],
      ['Ask to speak at the GP practice managers meeting', null],
    ],
    lead: { name: 'Linda Marsh' },
  },
  {
    teamName: 'Meadowview care home',
    organisation: 'Meadowview Care (demo)',
    sector: 'independent',
    daysAgo: 40,
    people: 11,
    felt: 'The hardest time of our working lives. We lost residents we loved.',
    together:
      'The community matron rang every morning and the GP did video rounds. The care record let the ambulance crew see residents’ wishes.',
    easier: 'Being included in NHS training. Someone to call at night who knows the home.',
    pledges: [['Join the care homes network meetings', 'started']],
    lead: { name: 'Tom Birch', email: 'tom.birch.demo@coproduce.example' },
  },
  {
    teamName: 'Children’s centre family workers',
    organisation: 'Leeds City Council (demo)',
    sector: 'council',
    daysAgo: 30,
    people: 6,
    felt: 'Worried for families we could not see. Online visits were not the same.',
    together: 'Health visitors and our family workers shared a list of families to check on, and a food charity delivered to them.',
    easier: 'Shared office space with health visitors again.',
    pledges: [['Share a desk day each week with the health visitors', null]],
    lead: { name: 'Kemi Ade', email: 'kemi.ade.demo@coproduce.example' },
  },
  {
    teamName: 'Mental health peer support',
    organisation: 'Leeds Mind Matters (demo)',
    sector: 'third_sector',
    daysAgo: 20,
    people: 7,
    lived: 6,
    felt: 'People who use our service felt cut off. Our peer workers, who have been there, kept people going.',
    together:
      'The crisis team referred people to our peer support groups after a crisis. Even better if peer workers were part of the discharge plan from the start.',
    easier: 'Paying peer workers fairly. Trusting lived experience as expertise.',
    pledges: [['Offer a peer worker to the crisis team each week', null]],
    lead: { name: 'Sol Reyes', email: 'sol.reyes.demo@coproduce.example' },
  },
  {
    teamName: 'Community pharmacy team',
    organisation: 'Armley Pharmacy (demo)',
    sector: 'other',
    daysAgo: 10,
    people: 3,
    felt: 'We were the only door open on the high street for weeks.',
    together: 'Volunteers from the local church delivered medicines to people who were shielding.',
    easier: 'Being asked to join the neighbourhood team.',
    pledges: [],
    lead: { name: 'Aziz Karim', email: 'aziz.karim.demo@coproduce.example' },
  },
];

const daysAgo = (n: number) => londonDay(new Date(Date.now() - n * 86_400_000));

/** Team Leeds Hearts and Minds: the conversation, a dozen chats with pledges at each stage, and stories. */
export async function seedDemoConversations(deps: { conversations: ConversationsService; stories: StoriesService; admin: Actor }) {
  const { conversations, admin } = deps;
  const c = await conversations.create(
    admin,
    {
      title: 'Team Leeds Hearts and Minds',
      summary:
        'A city-wide programme to shape how health, care and third-sector teams in Leeds work together. Hold a Team Leeds Chat with your team on four simple questions, tell us what you said, and what steps you will take. Senior leaders will plan from what teams say.',
      easyReadSummary:
        'We want teams in Leeds to work well together. Talk with your team about 4 questions. Tell us what you said. Tell us what you will do next.',
      questions: TEAM_LEEDS_QUESTIONS,
      opensOn: daysAgo(90),
      closesOn: daysAgo(-90),
    },
    { isDemo: true },
  );
  await conversations.setStatus(admin, c.id, 'open');
  for (const chat of CHATS) {
    const { chat: saved } = await conversations.recordChat(
      chat.lead?.email ? null : admin,
      c.id,
      {
        teamName: chat.teamName,
        organisation: chat.organisation,
        sector: chat.sector,
        heldOn: daysAgo(chat.daysAgo),
        peopleCount: chat.people,
        lived: chat.lived,
        answers: { felt: chat.felt, together: chat.together, easier: chat.easier },
        pledges: chat.pledges.map(([text]) => text),
        leadName: chat.lead?.name,
        leadEmail: chat.lead?.email,
        leadPhone: chat.lead?.phone,
      },
      { onBehalf: !chat.lead?.email },
    );
    const progress = Object.fromEntries(
      saved.pledges.flatMap((p, i) => (chat.pledges[i]![1] ? [[p.id, chat.pledges[i]![1]!] as const] : [])),
    );
    // Only teams that have answered every step: a half-answered follow-up does not happen.
    if (saved.pledges.length && Object.keys(progress).length === saved.pledges.length)
      await conversations.recordPledgeProgress(null, saved.id, { progress });
  }
  // One team has started its record and not sent it yet.
  await conversations.recordChat(
    null,
    c.id,
    {
      teamName: 'Kirkstall library volunteers',
      organisation: 'Kirkstall Community Library (demo)',
      sector: 'third_sector',
      heldOn: daysAgo(3),
      peopleCount: 5,
      answers: { felt: 'We missed our regulars terribly.' },
      leadName: 'Ann Booth',
      leadEmail: 'ann.booth.demo@coproduce.example',
    },
    { draft: true },
  );
  await seedDemoStories({ stories: deps.stories }, { conversationId: c.id, staff: { personId: admin.personId, role: 'admin' } });
}
