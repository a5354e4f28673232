import { fromLondon } from '../../lib/dates.ts';
import type { EventReportService } from '../forms/event-report-service.ts';
import type { FormsService } from '../forms/forms-service.ts';
import type { ResultsService } from '../forms/results-service.ts';
import type { EventsService } from '../events/events-service.ts';
import type { RegistrationsService } from '../events/registrations-service.ts';
import type { PeopleService } from '../people/people-service.ts';
import type { Actor } from '../../plugins/access.ts';

/** What people wrote, in the spirit of the #PatientsasPartners16 evaluation. */
const COMMENTS = [
  'Very thought provoking. I have come away with ideas and useful contacts to take the work on.',
  'A truly inspiring event, well organised, with a positive and collaborative atmosphere.',
  'Courageous leadership is needed if this is going to change anything.',
  'We need leaders who are brave enough to share power with patients.',
  'Leadership at board level has to make room for lived experience.',
  'The need for active listening across all partners came through in every story.',
  'Listening properly, without jumping to solutions, was the big lesson.',
  'I will listen more and talk less in our planning meetings.',
  'The power imbalance between staff and patients must be explored and challenged.',
  'Culture change is needed before real partnership can happen.',
  'Power and culture came up in every masterclass.',
  'Local partnerships and relationships are what make this work.',
  'Building relationships with local groups matters more than big strategies.',
  'Authentic co-production depends on positive human relationships.',
  'No badges and safe spaces led to better conversations.',
  'Making our own labels made everyone feel equal.',
];

/**
 * #PatientsasPartners16 as it happened: a past conference with 100 people who came, and an
 * evaluation that 70 answered, 68 of them rating it excellent or good, so the report shows
 * the seed's 70% and 97%, its themes, consented quotes and the organisers' seven headlines.
 */
export async function seedDemoEvaluation(deps: {
  admin: Actor;
  people: PeopleService;
  events: EventsService;
  registrations: Pick<RegistrationsService, 'recordPastAttendance'>;
  forms: FormsService;
  results: ResultsService;
  eventReport: EventReportService;
}) {
  const { admin } = deps;
  const at = (h: number, m = 0) => fromLondon(2016, 4, 15, h, m);
  const event = await deps.events.create(
    admin,
    {
      title: '#PatientsasPartners16 (demo)',
      summary: 'Co-designed by patients: building partnerships of trust between health and care leaders and people with lived experience.',
      startsAt: at(9, 30),
      endsAt: at(16, 30),
      hashtag: '#PatientsasPartners16',
      partners: ['Recovery Enterprises (demo)', 'NHS Confederation (demo)'],
    },
    { isDemo: true },
  );
  const session = await deps.events.addSession(admin, event.id, {
    title: 'The conference day',
    startsAt: at(9, 30),
    endsAt: at(16, 30),
    format: 'in_person',
    capacity: 120,
    venue: { name: 'The Exchange Hall (demo)', address: 'Sheffield', stepFree: true, hearingLoop: true, accessibleToilet: true },
  });
  await deps.events.publish(admin, event.id);
  const attendees = [];
  for (let i = 0; i < 100; i++) {
    const p = await deps.people.create(
      admin,
      { name: `Delegate ${i + 1} (demo)`, experience: i % 5 < 3 ? 'lived' : i % 5 === 3 ? 'professional' : 'both' },
      { isDemo: true },
    );
    // The day is past, so the delegates are recorded as having come, as check-in would have.
    await deps.registrations.recordPastAttendance(admin, session.id, p.id);
    attendees.push(p);
  }
  const form = await deps.forms.create(
    admin,
    {
      title: 'How was #PatientsasPartners16?',
      anonymous: false,
      eventId: event.id,
      questions: [
        { key: 'overall', type: 'rating', text: 'Overall, how was the event?', easyReadText: 'Was the day good?', required: true },
        { key: 'objectives', type: 'yes_no', text: 'Did you achieve your objectives?' },
        { key: 'learnt', type: 'long_text', text: 'What will you take away from today?' },
      ],
    },
    { isDemo: true },
  );
  await deps.forms.setStatus(admin, form.id, 'open');
  const ratings = [...Array(41).fill('excellent'), ...Array(27).fill('good'), 'fair', 'fair'];
  for (let i = 0; i < 70; i++) {
    await deps.forms.respond(
      form.id,
      { person: attendees[i]! },
      { overall: ratings[i], objectives: i < 68 ? 'yes' : 'no', learnt: COMMENTS[i % COMMENTS.length] },
      { quoteConsent: i % 3 === 0 ? 'named' : i % 3 === 1 ? 'anonymous' : 'no', allowEdit: false },
    );
  }
  await deps.forms.setStatus(admin, form.id, 'closed');
  const learnt = (await deps.forms.questions(form.id)).find((q) => q.key === 'learnt')!;
  await deps.results.runThemes(learnt.id);
  // Two quotes chosen by the organisers, both from people who agreed to be quoted.
  for (const text of [COMMENTS[0], COMMENTS[1]]) {
    const answer = (await deps.results.textAnswersForStaff(learnt.id, 500)).find((a) => a.text === text && a.consent !== 'no');
    if (answer) await deps.forms.star(form.id, Number(answer.id), true);
  }
  await deps.eventReport.setHeadlines(
    admin,
    event.id,
    [
      'Courageous leadership is needed',
      'The importance of local partnerships and relationships',
      'Power imbalance and culture must be explored, challenged and changed',
      'Purposeful action towards equality and inclusion must be included',
      'A strength-based approach to unleashing the potential in our people and place is key',
      'The value of authentic co-production and positive human relationships',
      'The need for active listening across all partners',
    ].join('\n'),
  );
}
