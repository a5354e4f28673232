import type { ApplicationStatus, Cohort, Programme } from '../../db/schema.ts';
import { applicationEmailKinds } from './programme-emails.ts';
import { formatRange } from '../../lib/dates.ts';
import type { SessionWithCounts } from '../events/events-service.ts';
import { FORMAT_LABELS } from '../events/events-view.ts';
import { whereText } from '../events/registration-emails.ts';
import { pct } from '../forms/forms-view.ts';
import { contactWay, type ContactDetails } from '../people/contact-way.ts';
import { ruleText } from './certificates-service.ts';
import { STATUS_LABELS, type Mix } from './selection.ts';
import { plural } from '../../lib/plural.ts';

export { plural } from '../../lib/plural.ts';

export const longDay = (iso: string) =>
  new Date(`${iso}T12:00:00Z`).toLocaleDateString('en-GB', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' });

export function cohortView(c: Cohort) {
  return { ...c, when: `${longDay(c.startsOn)} to ${longDay(c.endsOn)}`, graduated: !!c.graduatedAt };
}

export function programmeView(p: Programme) {
  return {
    ...p,
    rule: ruleText(p),
    target: p.livedMinShare === null ? null : `At least ${pct(p.livedMinShare)} of places for people with lived experience`,
  };
}

export const SESSION_KIND_LABELS = { workshop: 'Workshop day', catch_up: 'Catch-up', session: 'Session' } as const;

export function scheduleView(s: SessionWithCounts) {
  return {
    id: s.id,
    title: s.title,
    kind: SESSION_KIND_LABELS[s.kind],
    when: formatRange(s.startsAt, s.endsAt),
    where: whereText(s, s.venue),
    format: FORMAT_LABELS[s.format],
    leads: s.facilitators.map((f) => f.name).join(', '),
  };
}

/**
 * "Applied with help" is shown only when someone did help: they were named as helping, or someone
 * else (staff, a supporter) filled the application in for them. Applying for yourself is not help.
 */
export const appliedWithHelp = (a: { personId: string; submittedBy: string | null; helpedBy: string | null }) =>
  !!a.helpedBy?.trim() || (!!a.submittedBy && a.submittedBy !== a.personId);

/** "Moved Grace Owusu to shortlisted and emailed them": what a move did, including who was told and how. */
export function movedText(a: { name: string; status: ApplicationStatus } & ContactDetails): string {
  const moves: Record<ApplicationStatus, string> = {
    applied: `Moved ${a.name} back to applied`,
    shortlisted: `Moved ${a.name} to shortlisted`,
    waiting: `Moved ${a.name} to the waiting list`,
    offered: `Offered ${a.name} a place`,
    accepted: `Recorded that ${a.name} accepted their place`,
    declined: `Recorded that ${a.name} said no to the place`,
    unsuccessful: `Moved ${a.name} to not offered a place`,
    withdrawn: `Withdrew ${a.name}’s application`,
  };
  const done = moves[a.status];
  if (!applicationEmailKinds.includes(a.status)) return `${done}.`;
  const way = contactWay(a);
  const emailed = a.email ? `${done} and emailed them.` : `${done}.`;
  if (way === 'phone') return `${emailed} They are on the list of people to phone.`;
  if (way === 'post') return `${emailed} We reach them by post: send them a letter.`;
  return a.email ? emailed : `${done}. We hold no way to reach them: tell them when you next see them.`;
}

/** What to tell an applicant on the phone, by the step their application is at now. */
export const PHONE_ABOUT: Record<ApplicationStatus, string> = {
  applied: 'Their application is back with us to read',
  shortlisted: 'They are on the shortlist',
  waiting: 'They are on the waiting list',
  offered: 'We are offering them a place: ask if they want it',
  accepted: 'Their place is confirmed',
  declined: 'We recorded that they said no to the place',
  unsuccessful: 'We cannot offer them a place this time',
  withdrawn: 'Their application is withdrawn',
};

export const statusLabel = (s: keyof typeof STATUS_LABELS) => STATUS_LABELS[s];

/** The mix meter as the page shows it: numbers and bar widths, and whether the target is in reach. */
export function mixMeterView(mix: Mix) {
  const livedHeld = mix.lived + mix.both;
  const width = (n: number) => (mix.places ? Math.round((n / mix.places) * 100) : 0);
  return {
    ...mix,
    livedHeld,
    rows: [
      { label: 'Lived experience', count: mix.lived, width: width(mix.lived) },
      { label: 'Both', count: mix.both, width: width(mix.both) },
      { label: 'Professional', count: mix.professional, width: width(mix.professional) },
    ],
    free: mix.places - mix.held,
    targetText:
      mix.livedTarget === null
        ? null
        : `Target: at least ${mix.livedTarget} of ${plural(mix.places, 'place')} for people with lived experience (lived or both). Now ${livedHeld}.`,
    targetMet: mix.livedTarget === null || livedHeld >= mix.livedTarget,
    targetReachable: mix.professionalRoom === null || mix.professional <= mix.professionalRoom,
    bar: mixBar(mix),
  };
}

/**
 * The mix as one bar: lived experience (and "both") fills from the left, professionals from the
 * right, free places between, and a line where the lived experience target is. Lived reaching
 * the line means the target is met; professionals crossing it means it is out of reach.
 */
function mixBar(mix: Mix) {
  const share = (n: number) => (mix.places ? Math.min(100, Math.max(0, (n / mix.places) * 100)) : 0);
  const at = (n: number) => Number(n.toFixed(2));
  const lived = share(mix.lived);
  const both = share(mix.both);
  const professional = share(mix.professional);
  const target = mix.livedTarget === null ? null : share(mix.livedTarget);
  const livedHeld = mix.lived + mix.both;
  const free = Math.max(0, mix.places - mix.held);
  const parts = [
    `${plural(livedHeld, 'place')} for people with lived experience${mix.both ? ` (${mix.both} of them with both)` : ''}`,
    `${plural(mix.professional, 'place')} for professionals`,
    `${free} free`,
  ];
  return {
    lived: { x: 0, width: at(lived) },
    both: { x: at(lived), width: at(both) },
    professional: { x: at(100 - professional), width: at(professional) },
    target:
      target === null
        ? null
        : { x: at(target), anchor: target < 12 ? 'start' : target > 88 ? 'end' : 'middle', label: `Target ${mix.livedTarget}` },
    // The same picture in words, for screen readers and anyone who reads rather than looks.
    text: `Of ${plural(mix.places, 'place')}: ${parts.join(', ')}.${
      mix.livedTarget === null ? '' : ` The target is at least ${mix.livedTarget} for people with lived experience.`
    }`,
  };
}

/** When a coaching session is, as pages show it: booked as an hour. */
export const coachingWhen = (startsAt: Date) => formatRange(startsAt, new Date(startsAt.getTime() + 60 * 60 * 1000));
