import type { ApplicationStatus, Cohort, Programme } from '../../db/schema.ts';
import type { OutgoingEmail } from '../email/mailer.ts';

export interface ApplicationEmailContext {
  to: string;
  name: string;
  programme: Pick<Programme, 'title'>;
  cohort: Pick<Cohort, 'name' | 'startsOn' | 'endsOn'>;
  applicationsUrl: string;
  orgName: string;
}

const dayText = (iso: string) =>
  new Date(`${iso}T12:00:00Z`).toLocaleDateString('en-GB', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' });

/** What each step says, in plain words. Short sentences; one thing to do, if any. */
const STEP_WORDS: Record<ApplicationStatus, { subject: string; body: (c: ApplicationEmailContext) => string[] } | null> = {
  applied: {
    subject: 'We have your application',
    body: (c) => [
      `Thank you for applying to ${c.programme.title} (${c.cohort.name}).`,
      'We will read it and write to you again. You do not need to do anything now.',
    ],
  },
  shortlisted: {
    subject: 'Your application: the next step',
    body: (c) => [
      `Good news: your application to ${c.programme.title} is on our shortlist.`,
      'We will write to you again soon to tell you if we can offer you a place.',
    ],
  },
  waiting: {
    subject: 'Your application: on the waiting list',
    body: (c) => [
      `We cannot offer you a place on ${c.programme.title} (${c.cohort.name}) yet.`,
      'You are on the waiting list. If a place comes up, we will write to you straight away.',
    ],
  },
  offered: {
    subject: 'We are offering you a place',
    body: (c) => [
      `We would like to offer you a place on ${c.programme.title} (${c.cohort.name}).`,
      `It runs from ${dayText(c.cohort.startsOn)} to ${dayText(c.cohort.endsOn)}.`,
      `Please tell us yes or no here: ${c.applicationsUrl}`,
      'If you want to talk about it first, just reply to this email.',
    ],
  },
  accepted: {
    subject: 'Welcome to the group',
    body: (c) => [
      `Thank you for saying yes. You have a place on ${c.programme.title} (${c.cohort.name}).`,
      `You can see the dates and your group here: ${c.applicationsUrl}`,
    ],
  },
  declined: {
    subject: 'You said no to the place',
    body: (c) => [
      `You told us you do not want your place on ${c.programme.title} (${c.cohort.name}). Thank you for letting us know.`,
      'You are welcome to apply again another time.',
    ],
  },
  unsuccessful: {
    subject: 'Your application',
    body: (c) => [
      `Thank you for applying to ${c.programme.title}. We are sorry: we cannot offer you a place in ${c.cohort.name}.`,
      'We had more people apply than places. You are welcome to apply again for a later group.',
    ],
  },
  withdrawn: {
    subject: 'Your application has been withdrawn',
    body: (c) => [
      `Your application to ${c.programme.title} (${c.cohort.name}) has been withdrawn.`,
      'If this is a mistake, reply to this email and we will help.',
    ],
  },
};

/** The steps that are worth an email. */
export const applicationEmailKinds = (Object.keys(STEP_WORDS) as ApplicationStatus[]).filter((s) => STEP_WORDS[s]);

export function applicationEmail(status: ApplicationStatus, c: ApplicationEmailContext): OutgoingEmail | null {
  const words = STEP_WORDS[status];
  if (!words) return null;
  return {
    to: c.to,
    kind: `application-${status}`,
    subject: `${words.subject}: ${c.programme.title}`,
    text: [`Hello ${c.name},`, '', ...words.body(c).flatMap((l) => [l, '']), c.orgName].join('\n'),
  };
}

export function graduationEmail(c: {
  to: string;
  name: string;
  programmeTitle: string;
  cohortName: string;
  certificateUrl: string;
  orgName: string;
}): OutgoingEmail {
  return {
    to: c.to,
    kind: 'graduation',
    subject: `Congratulations: you have graduated from ${c.programmeTitle}`,
    text: [
      `Hello ${c.name},`,
      '',
      `Congratulations. You have completed ${c.programmeTitle} (${c.cohortName}).`,
      '',
      `Your certificate is here. You can download it, and anyone can check it is real: ${c.certificateUrl}`,
      '',
      c.orgName,
    ].join('\n'),
  };
}
