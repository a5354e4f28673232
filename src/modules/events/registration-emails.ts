import type { Event, EventSession, Person, Registration, Venue } from '../../db/schema.ts';
import { formatRange } from '../../lib/dates.ts';
import type { OutgoingEmail } from '../email/mailer.ts';
import { ACCESS_NEED_LABELS } from '../people/people-schemas.ts';
import { buildCalendar, type CalendarEntry } from './ics.ts';

export interface RegistrationContext {
  registration: Registration;
  session: EventSession;
  event: Event;
  person: Person;
  venue: Venue | null;
  waitlistPosition: number | null;
  cancelUrl: string;
  calendarHost: string;
  serviceName: string;
  orgName: string;
}

export function whereText(session: EventSession, venue: Venue | null): string {
  if (session.format === 'online') return 'Online';
  const place = venue ? [venue.name, venue.address, venue.postcode].filter(Boolean).join(', ') : 'Venue to be confirmed';
  return session.format === 'hybrid' ? `${place}, or online` : place;
}

type CalendarSource = Pick<RegistrationContext, 'registration' | 'session' | 'event' | 'venue' | 'calendarHost'>;

/** A registration's calendar entry: a stable UID per registration, so updates replace the entry. */
function calendarEntry(c: CalendarSource, opts: { cancelled?: boolean } = {}): CalendarEntry {
  const confirmed = c.registration.status === 'confirmed' || c.registration.status === 'attended';
  return {
    uid: `registration-${c.registration.id}@${c.calendarHost}`,
    title: `${c.session.title} (${c.event.title})`,
    description: [c.session.description ?? c.event.summary, c.session.joinUrl && confirmed ? `Join online: ${c.session.joinUrl}` : '']
      .filter(Boolean)
      .join('\n\n'),
    startsAt: c.session.startsAt,
    endsAt: c.session.endsAt,
    location: whereText(c.session, c.venue),
    url: confirmed ? c.session.joinUrl : null,
    cancelled: opts.cancelled,
    sequence: opts.cancelled ? 1 : 0,
  };
}

/** The .ics for a registration. */
export function calendarFor(c: CalendarSource, opts: { cancelled?: boolean } = {}): string {
  return buildCalendar(calendarEntry(c, opts));
}

/**
 * One .ics holding several registrations (a booking, or all of a person's places at an event):
 * each keeps its own UID, so a later change or cancellation of one session replaces only that one.
 */
export function calendarForMany(cs: CalendarSource[]): string {
  return buildCalendar(cs.map((c) => calendarEntry(c, { cancelled: c.registration.status === 'cancelled' })));
}

function details(c: RegistrationContext, opts: { showJoinLink: boolean }): string[] {
  const lines = [
    `${c.event.title}: ${c.session.title}`,
    `When: ${formatRange(c.session.startsAt, c.session.endsAt)}`,
    `Where: ${whereText(c.session, c.venue)}`,
  ];
  if (opts.showJoinLink && c.session.joinUrl) lines.push(`Joining link: ${c.session.joinUrl}`);
  if (c.registration.labelName) lines.push(`Name on your label: ${c.registration.labelName}`);
  if (c.registration.accessNeeds.length) {
    lines.push(`We have noted what you need: ${c.registration.accessNeeds.map((n) => ACCESS_NEED_LABELS[n].toLowerCase()).join(', ')}.`);
  }
  return lines;
}

const signOff = (c: RegistrationContext) => [
  '',
  `If you cannot come, please tell us, so someone else can have your place:`,
  c.cancelUrl,
  '',
  c.orgName,
];

const ics = (c: RegistrationContext, cancelled = false) => [
  {
    filename: cancelled ? 'cancelled.ics' : 'event.ics',
    content: calendarFor(c, { cancelled }),
    contentType: `text/calendar; charset=utf-8; method=${cancelled ? 'CANCEL' : 'PUBLISH'}`,
  },
];

export function confirmationEmail(c: RegistrationContext): OutgoingEmail {
  return {
    to: c.person.email!,
    kind: 'registration-confirmed',
    subject: `You have a place: ${c.session.title}`,
    text: [
      `Hello ${c.person.name},`,
      '',
      'You have a place at:',
      '',
      ...details(c, { showJoinLink: true }),
      '',
      'The calendar file attached adds it to your calendar.',
      ...signOff(c),
    ].join('\n'),
    attachments: ics(c),
  };
}

export function waitlistEmail(c: RegistrationContext): OutgoingEmail {
  return {
    to: c.person.email!,
    kind: 'registration-waitlisted',
    subject: `You are on the waiting list: ${c.session.title}`,
    text: [
      `Hello ${c.person.name},`,
      '',
      `This session is full. You are number ${c.waitlistPosition} on the waiting list for:`,
      '',
      ...details(c, { showJoinLink: false }),
      '',
      'If a place comes up, we will give it to you and email you straight away.',
      '',
      'To leave the waiting list:',
      c.cancelUrl,
      '',
      c.orgName,
    ].join('\n'),
  };
}

export function promotedEmail(c: RegistrationContext): OutgoingEmail {
  return {
    to: c.person.email!,
    kind: 'registration-promoted',
    subject: `A place came up – you are booked: ${c.session.title}`,
    text: [
      `Hello ${c.person.name},`,
      '',
      'Good news. A place came up and it is yours:',
      '',
      ...details(c, { showJoinLink: true }),
      ...signOff(c),
    ].join('\n'),
    attachments: ics(c),
  };
}

export function cancelledEmail(c: RegistrationContext): OutgoingEmail {
  return {
    to: c.person.email!,
    kind: 'registration-cancelled',
    subject: `Cancelled: your place at ${c.session.title}`,
    text: [
      `Hello ${c.person.name},`,
      '',
      'We have cancelled your place at:',
      '',
      ...details(c, { showJoinLink: false }),
      '',
      'Thank you for telling us.',
      '',
      c.orgName,
    ].join('\n'),
    attachments: ics(c, true),
  };
}

export function eventCancelledEmail(c: RegistrationContext): OutgoingEmail {
  return {
    to: c.person.email!,
    kind: 'event-cancelled',
    subject: `Cancelled: ${c.event.title}`,
    text: [
      `Hello ${c.person.name},`,
      '',
      `We are sorry. ${c.event.title} has been cancelled, so this will not happen:`,
      '',
      ...details(c, { showJoinLink: false }),
      '',
      c.orgName,
    ].join('\n'),
    attachments: ics(c, true),
  };
}

export function reminderEmail(c: RegistrationContext): OutgoingEmail {
  return {
    to: c.person.email!,
    kind: 'registration-reminder',
    subject: `Reminder: ${c.session.title} is soon`,
    text: [
      `Hello ${c.person.name},`,
      '',
      'A reminder that you have a place at:',
      '',
      ...details(c, { showJoinLink: true }),
      ...signOff(c),
    ].join('\n'),
  };
}

/** A booking: the places (and waiting-list places) one person took at one event in one go. */
export interface BookingContext {
  person: Person;
  event: Event;
  /** In time order; each with its own cancel link and waiting-list position. */
  items: RegistrationContext[];
  orgName: string;
}

/**
 * One email for a booking of several sessions: every session listed, places first, then the
 * waiting lists with positions, and one calendar file holding every session with a place.
 */
export function bookingEmail(b: BookingContext): OutgoingEmail {
  const placed = b.items.filter((c) => c.registration.status === 'confirmed' || c.registration.status === 'attended');
  const waiting = b.items.filter((c) => c.registration.status === 'waitlisted');
  const block = (c: RegistrationContext, showJoinLink: boolean) => [
    `${c.session.title}`,
    `When: ${formatRange(c.session.startsAt, c.session.endsAt)}`,
    `Where: ${whereText(c.session, c.venue)}`,
    ...(showJoinLink && c.session.joinUrl ? [`Joining link: ${c.session.joinUrl}`] : []),
    ...(c.registration.status === 'waitlisted' ? [`You are number ${c.waitlistPosition} on the waiting list.`] : []),
    `To cancel this one: ${c.cancelUrl}`,
    '',
  ];
  const first = b.items[0]!.registration;
  const sessions = (n: number) => `${n} ${n === 1 ? 'session' : 'sessions'}`;
  const subject = placed.length
    ? `Your booking: ${b.event.title} (${sessions(placed.length)})`
    : `You are on the waiting list: ${b.event.title} (${sessions(waiting.length)})`;
  const text = [
    `Hello ${b.person.name},`,
    '',
    `Thank you for booking ${b.event.title}.`,
    '',
    ...(placed.length ? [`You have a place at ${sessions(placed.length)}:`, '', ...placed.flatMap((c) => block(c, true))] : []),
    ...(waiting.length
      ? [
          `You are on the waiting list for ${sessions(waiting.length)}. If a place comes up, we will give it to you and email you straight away:`,
          '',
          ...waiting.flatMap((c) => block(c, false)),
        ]
      : []),
    ...(first.labelName ? [`Name on your label: ${first.labelName}`] : []),
    ...(first.accessNeeds.length
      ? [`We have noted what you need: ${first.accessNeeds.map((n) => ACCESS_NEED_LABELS[n].toLowerCase()).join(', ')}.`]
      : []),
    ...(placed.length ? ['The calendar file attached adds every session you have a place at to your calendar.'] : []),
    '',
    'If you cannot come to a session, please tell us with its link above, so someone else can have your place.',
    '',
    b.orgName,
  ].join('\n');
  return {
    to: b.person.email!,
    kind: 'booking-confirmed',
    subject,
    text,
    ...(placed.length
      ? {
          attachments: [
            { filename: 'booking.ics', content: calendarForMany(placed), contentType: 'text/calendar; charset=utf-8; method=PUBLISH' },
          ],
        }
      : {}),
  };
}

/** Every email about a registration, by the kind its queued job names. */
export const REGISTRATION_EMAILS = {
  'registration-confirmed': confirmationEmail,
  'registration-waitlisted': waitlistEmail,
  'registration-promoted': promotedEmail,
  'registration-cancelled': cancelledEmail,
  'event-cancelled': eventCancelledEmail,
  'registration-reminder': reminderEmail,
} as const;
export type RegistrationEmailKind = keyof typeof REGISTRATION_EMAILS;
