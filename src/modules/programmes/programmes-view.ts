import type { Cohort, Programme } from '../../db/schema.ts';
import { formatRange } from '../../lib/dates.ts';
import type { SessionWithCounts } from '../events/events-service.ts';
import { FORMAT_LABELS } from '../events/events-view.ts';
import { whereText } from '../events/registration-emails.ts';
import { pct } from '../forms/forms-view.ts';
import { ruleText } from './certificates-service.ts';
import { STATUS_LABELS, type Mix } from './selection.ts';

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
        : `Target: at least ${mix.livedTarget} of ${mix.places} places for people with lived experience (lived or both). Now ${livedHeld}.`,
    targetMet: mix.livedTarget === null || livedHeld >= mix.livedTarget,
    targetReachable: mix.professionalRoom === null || mix.professional <= mix.professionalRoom,
  };
}

/** When a coaching session is, as pages show it: booked as an hour. */
export const coachingWhen = (startsAt: Date) => formatRange(startsAt, new Date(startsAt.getTime() + 60 * 60 * 1000));
