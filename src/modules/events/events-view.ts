import type { Event } from '../../db/schema.ts';
import { asTyped } from '../../lib/forms.ts';
import { formatDay, formatRange, formatTime, londonParts } from '../../lib/dates.ts';
import type { SessionWithCounts } from './events-repository.ts';
import type { Clash } from './registrations-service.ts';

export const FORMAT_LABELS = { in_person: 'In person', online: 'Online', hybrid: 'In person or online' } as const;

const dayLabel = (day: string) => formatDay(new Date(`${day}T12:00:00Z`));

/** What the templates need about a session, worked out once here rather than in Nunjucks. */
export function sessionView(s: SessionWithCounts) {
  const left = Math.max(0, s.capacity - s.confirmed);
  return {
    ...s,
    when: `${formatTime(s.startsAt)} to ${formatTime(s.endsAt)}`,
    whenFull: formatRange(s.startsAt, s.endsAt),
    formatLabel: FORMAT_LABELS[s.format],
    placesLeft: left,
    full: left === 0,
    cancelled: s.status === 'cancelled',
    past: s.endsAt.getTime() <= Date.now(),
  };
}

export function eventView(e: Event) {
  return { ...e, when: formatRange(e.startsAt, e.endsAt), past: e.endsAt.getTime() <= Date.now() };
}

export const dayOptions = (days: string[]) => days.map((d) => ({ value: d, text: dayLabel(d) }));
export { dayLabel };

const pad = (n: number) => String(n).padStart(2, '0');

/** A stored instant as the day/month/year boxes and time box of a form. */
export function dateFields(prefix: string, timeField: string, d: Date): Record<string, string> {
  const p = londonParts(d);
  return {
    [`${prefix}[day]`]: String(p.day),
    [`${prefix}[month]`]: String(p.month),
    [`${prefix}[year]`]: String(p.year),
    [timeField]: `${pad(p.hour)}:${pad(p.minute)}`,
  };
}

export function eventFormValues(e: Event): Record<string, unknown> {
  return {
    title: e.title,
    summary: e.summary,
    easyReadSummary: e.easyReadSummary ?? '',
    description: e.description ?? '',
    hashtag: e.hashtag ?? '',
    partners: e.partners.join('\n'),
    ...dateFields('start', 'startTime', e.startsAt),
    ...dateFields('end', 'endTime', e.endsAt),
  };
}

export function sessionFormValues(s: SessionWithCounts): Record<string, unknown> {
  const end = londonParts(s.endsAt);
  return {
    title: s.title,
    description: s.description ?? '',
    easyReadDescription: s.easyReadDescription ?? '',
    theme: s.theme ?? '',
    ...dateFields('date', 'startTime', s.startsAt),
    endTime: `${pad(end.hour)}:${pad(end.minute)}`,
    format: s.format,
    capacity: String(s.capacity),
    joinUrl: s.joinUrl ?? '',
    venueName: s.venue?.name ?? '',
    venueAddress: s.venue?.address ?? '',
    venuePostcode: s.venue?.postcode ?? '',
    venueFacts: s.venue ? (['stepFree', 'hearingLoop', 'accessibleToilet'] as const).filter((k) => s.venue![k]) : [],
    parking: s.venue?.parking ?? '',
    publicTransport: s.venue?.publicTransport ?? '',
    facilitatorIds: s.facilitators.map((f) => f.id),
    kind: s.kind,
    forEveryone: s.forEveryone ? ['yes'] : [],
  };
}

/** Items for the sessions checkboxes of a registration form. */
export function sessionChoiceItems(sessions: ReturnType<typeof sessionView>[], chosen: Set<string>) {
  return sessions.map((s) => ({
    value: s.id,
    text: s.title,
    hint: {
      text: `${s.whenFull} · ${s.formatLabel} · ${s.full ? 'Full: join the waiting list' : `${s.placesLeft} ${s.placesLeft === 1 ? 'place' : 'places'} left`}`,
    },
    checked: chosen.has(s.id),
  }));
}

/** The registration form as typed, for showing it again with errors. */
export const submittedRegistration = (body: unknown) => asTyped(body, ['sessionIds', 'accessNeeds']);

/** Clashes as the registration page words them: both sessions and their times, unless only an email address says who this is. */
export function clashItems(clashes: Clash[], opts: { knownByEmailOnly: boolean }) {
  return clashes.map((c) => ({
    text: !c.otherIsBooked
      ? `${c.chosen.title} (${c.chosen.when}) and ${c.other.title} (${c.other.when}) are at the same time.`
      : opts.knownByEmailOnly
        ? `${c.chosen.title} (${c.chosen.when}) is at the same time as another session you have already booked.`
        : `${c.chosen.title} (${c.chosen.when}) is at the same time as ${c.other.title} (${c.other.eventTitle}, ${c.other.when}), which you have already booked.`,
    href: '#sessionIds',
  }));
}
