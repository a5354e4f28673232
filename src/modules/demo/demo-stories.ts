import type { StoryInput } from '../stories/stories-schemas.ts';
import type { StoriesService } from '../stories/stories-service.ts';

interface DemoStory {
  input: Omit<StoryInput, 'conversationId'>;
  /** What staff did with it, in order. */
  then?: 'ask_for_changes' | 'publish' | 'reject' | 'withdraw';
  note?: string;
  easyReadSummary?: string;
  themes?: string[];
}

const consent = (publish: boolean, showName: boolean, quote: boolean) => ({ publish, showName, quote });

// Made-up stories of joined-up working in Leeds, in the spirit of Team Leeds Hearts and Minds (seed 004).
const STORIES: DemoStory[] = [
  {
    // Waiting to be checked, with an email address and a phone number in it, so the flags show.
    input: {
      title: 'The district nurse who rang the food bank',
      body: [
        'In the second lockdown I was visiting an older gentleman every day to dress a leg wound. His fridge was empty more often than not, and the wound was not healing.',
        'I did not know who to call, so I rang the food bank at the church hall near his flat. Within two days a volunteer was dropping off a parcel every Tuesday and Friday, and staying for a cup of tea.',
        'The wound healed in five weeks. We now have a named contact at the food bank, and they know they can ring us if they are worried about someone.',
        'If other teams want to set up something similar, they can email me at ruth.district.nurse@example.org or ring 07700 900461.',
      ].join('\n\n'),
      authorName: 'Ruth Ellison (demo)',
      authorOrganisation: 'Leeds Community Healthcare (demo)',
      consent: consent(true, true, true),
    },
  },
  {
    // Changes asked for: it names a patient.
    input: {
      title: 'A GP practice and a befriending charity',
      body: [
        'Our practice noticed that some patients were booking appointments mainly because they were lonely. One of them, Harold Pickering, came in every week just to talk.',
        'We started referring people to a local befriending charity. Their volunteers phone people twice a week and, when it was allowed again, took them to a lunch club.',
        'Appointments for loneliness dropped, and the people we referred tell us they have something to look forward to.',
      ].join('\n\n'),
      authorName: 'Practice manager (demo)',
      authorOrganisation: 'Chapeltown Health Practice (demo)',
      consent: consent(true, false, true),
    },
    then: 'ask_for_changes',
    note: 'Thank you, this is a lovely story. Please take out the name of your patient, or tell us he has agreed to be named.',
  },
  {
    // Published, with the author's name.
    input: {
      title: 'Social prescribers and the library',
      body: [
        'As social prescribers we see people whose problems are not really medical: debt, housing, being on their own.',
        'During the pandemic we teamed up with the city libraries. Library staff lent tablets and showed people how to join online groups, and we made sure the people we were working with knew the library was there.',
        'It felt like the first time we were all on the same side, working for the same people, without worrying whose budget it came from.',
      ].join('\n\n'),
      authorName: 'Amira Haddad (demo)',
      authorOrganisation: 'Leeds Social Prescribing Network (demo)',
      consent: consent(true, true, true),
    },
    then: 'publish',
    themes: ['Digital inclusion', 'Loneliness'],
  },
  {
    // Published without a name, with an easy read summary and themes.
    input: {
      title: 'A housing officer and the mental health team',
      body: [
        'A tenant of ours was close to losing her home because of rent arrears. When I visited, it was clear she was struggling with her mental health.',
        'Instead of sending another letter, I phoned the community mental health team. We visited together, and the team helped her with her benefits claim while I held off the arrears process.',
        'She kept her home. Now the mental health team and our housing officers meet once a month to talk about people we are both worried about.',
      ].join('\n\n'),
      authorName: 'Council housing officer (demo)',
      authorOrganisation: 'Leeds City Council Housing (demo)',
      consent: consent(true, false, true),
    },
    then: 'publish',
    easyReadSummary:
      'A woman could not pay her rent. She was not well. A housing worker and a mental health nurse went to see her together. They helped her. She kept her home.',
    themes: ['Housing', 'Mental health', 'Working together'],
  },
  {
    // Rejected: a complaint about one person belongs elsewhere.
    input: {
      title: 'Nobody called me back',
      body: 'I rang the hospital four times about my appointment and the receptionist was rude to me every time. Nobody called me back.',
      consent: consent(true, false, false),
    },
    then: 'reject',
    note: 'We are sorry this happened. This page is for stories of teams working together, so we cannot publish it. The Patient Advice and Liaison Service (PALS) can look into it for you.',
  },
  {
    // Withdrawn by its author after it was published.
    input: {
      title: 'Home from hospital in a day',
      body: [
        'The discharge team at the hospital and the care home worked together so that my mum could come home the day she was ready, not a week later.',
        'A nurse from the care home came onto the ward to meet her before she left, so she knew a face when she arrived.',
      ].join('\n\n'),
      authorName: 'A daughter (demo)',
      consent: consent(true, false, true),
    },
    then: 'withdraw',
  },
];

/**
 * About six stories at each stage of moderation, in the demo conversation. Made by the service
 * itself, as a person and staff would, so every row and history entry is as the real thing makes it.
 */
export async function seedDemoStories(
  deps: { stories: StoriesService },
  opts: { conversationId: string; staff: { personId: string; role: 'staff' | 'admin' } },
): Promise<void> {
  for (const s of STORIES) {
    const { story } = await deps.stories.submit(null, { ...s.input, conversationId: opts.conversationId }, { source: 'web', isDemo: true });
    if (s.then === 'withdraw') {
      await deps.stories.decide(opts.staff, story.id, { decision: 'publish' });
      await deps.stories.withdraw({ actor: opts.staff }, story.id);
    } else if (s.then) {
      await deps.stories.decide(opts.staff, story.id, {
        decision: s.then,
        note: s.note,
        easyReadSummary: s.easyReadSummary,
        themes: s.themes,
      });
    }
  }
}
