import { formatRange } from '../../lib/dates.ts';
import type { RegistrationsService } from '../events/registrations-service.ts';
import { whereText } from '../events/registration-emails.ts';

type Booking = Awaited<ReturnType<RegistrationsService['bookingsOf']>>[number];

const STATUS = {
  confirmed: { upcoming: 'You have a place', past: 'You had a place', colour: 'green' },
  attended: { upcoming: 'You came', past: 'You came', colour: 'green' },
  waitlisted: { upcoming: 'Waiting list', past: 'No place came up', colour: 'yellow' },
  cancelled: { upcoming: 'Cancelled', past: 'Cancelled', colour: 'grey' },
} as const;

/** One line of "Your bookings": what, when, where, the state of the place, and what the person can do. */
function line(b: Booking) {
  const r = b.registration;
  const cancelledSession = b.session.status === 'cancelled' || b.event.status === 'cancelled';
  const status = STATUS[r.status];
  const live = !b.past && !cancelledSession && (r.status === 'confirmed' || r.status === 'waitlisted');
  return {
    id: r.id,
    title: b.session.title,
    when: formatRange(b.session.startsAt, b.session.endsAt),
    where: whereText(b.session, b.venue),
    status:
      cancelledSession && r.status !== 'cancelled'
        ? 'Cancelled by the organisers'
        : r.status === 'waitlisted' && !b.past
          ? `Waiting list: number ${b.waitlistPosition}`
          : b.past
            ? status.past
            : status.upcoming,
    colour: cancelledSession ? 'red' : status.colour,
    joinUrl: live && r.status === 'confirmed' && b.session.format !== 'in_person' ? b.session.joinUrl : null,
    calendarHref: (r.status === 'confirmed' || r.status === 'attended') && !cancelledSession ? `/registrations/${r.id}/calendar.ics` : null,
    cancelHref: live ? `/registrations/${r.id}/cancel?from=bookings` : null,
    cancelText: r.status === 'waitlisted' ? 'Leave the waiting list' : 'Cancel',
  };
}

/** A person's bookings by event: upcoming events first (soonest first), then past ones (latest first). */
export function bookingsView(all: Booking[]) {
  const byEvent = new Map<string, { event: Booking['event']; lines: ReturnType<typeof line>[]; past: boolean; places: number }>();
  for (const b of all) {
    const group = byEvent.get(b.event.id) ?? { event: b.event, lines: [], past: true, places: 0 };
    group.lines.push(line(b));
    if (!b.past) group.past = false;
    if (!b.past && b.registration.status === 'confirmed' && b.session.status !== 'cancelled') group.places++;
    byEvent.set(b.event.id, group);
  }
  const groups = [...byEvent.values()].map((g) => ({
    ...g,
    title: g.event.title,
    href: g.event.kind === 'event' && g.event.status !== 'draft' ? `/events/${g.event.id}` : null,
    when: formatRange(g.event.startsAt, g.event.endsAt),
    // One calendar file for every place at the event, when there is more than one.
    calendarHref: g.places > 1 ? `/events/${g.event.id}/my-calendar.ics` : null,
  }));
  return {
    upcoming: groups.filter((g) => !g.past),
    past: groups.filter((g) => g.past).reverse(),
  };
}
