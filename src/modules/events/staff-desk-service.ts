import type { Db, Executor } from '../../db/client.ts';
import { ACCESS_NEEDS, type AccessNeed, type RegistrationStatus } from '../../db/schema.ts';
import { formatDay, formatTime, londonDay } from '../../lib/dates.ts';
import { ConflictError, NotFoundError } from '../../lib/validation.ts';
import type { Actor } from '../../plugins/access.ts';
import type { AuditTrail } from '../audit/audit-service.ts';
import { contactWay } from '../people/contact-way.ts';
import { renderLetter } from './letters-pdf.ts';
import type { RegistrationsService } from './registrations-service.ts';
import { createStaffDeskRepository, type DeskRow } from './staff-desk-repository.ts';

/** How long a cancellation from the staff list can be taken back, if nobody has been told yet. */
export const UNDO_CANCEL_MINUTES = 10;

/** Access needs in the few words the people on the door need. */
export const DOOR_NEED_LABELS: Record<AccessNeed, string> = {
  step_free: 'Step-free access',
  bsl_interpreter: 'BSL interpreter',
  hearing_loop: 'Hearing loop',
  large_print: 'Large print',
  easy_read: 'Easy read',
  support_worker: 'Support worker coming',
  dietary: 'Dietary needs',
  other: 'Other needs',
};

const LIVE: RegistrationStatus[] = ['confirmed', 'waitlisted', 'attended'];
const byName = (a: string, b: string) => a.localeCompare(b, 'en-GB', { numeric: true, sensitivity: 'base' });

function statusText(r: Pick<DeskRow, 'status' | 'waitlistPosition'>) {
  if (r.status === 'confirmed') return 'Has a place';
  if (r.status === 'waitlisted') return `Waiting list, number ${r.waitlistPosition ?? '?'}`;
  if (r.status === 'attended') return 'Came';
  return 'Cancelled';
}

/**
 * The organisers' desk: check-in by person, cancelling from the staff list (with an honest undo),
 * and telling people who do not use email, by letter or by phone.
 */
export function createStaffDesk(deps: {
  db: Db;
  registrationsService: Pick<RegistrationsService, 'checkIn' | 'cancel'>;
  audit: AuditTrail;
}) {
  const { db } = deps;
  const desk = createStaffDeskRepository();

  async function mustFind(registrationId: string, eventId?: string) {
    const row = await desk.one(db, registrationId);
    if (!row || (eventId && row.eventId !== eventId)) throw new NotFoundError('No registration with that id');
    return row;
  }

  /** Why a cancellation cannot be taken back, or null when it can. */
  async function whyNoUndo(ex: Executor, row: DeskRow, now = Date.now()): Promise<string | null> {
    if (row.status !== 'cancelled' || !row.cancelledAt) return 'This registration is not cancelled.';
    if (now - row.cancelledAt.getTime() > UNDO_CANCEL_MINUTES * 60_000)
      return `More than ${UNDO_CANCEL_MINUTES} minutes have passed, so this cannot be undone. Register them again if they still want to come.`;
    if (!(await desk.audited(ex, 'registration.cancelled_by_staff', row.id, new Date(row.cancelledAt.getTime() - 60_000))))
      return 'This was not cancelled from the staff list, so it cannot be undone here.';
    if (row.sessionStatus === 'cancelled') return 'The session has been cancelled.';
    if (row.email)
      return `We have already emailed ${row.name} to say their place is cancelled, so this cannot be undone. Register them again if it was a mistake.`;
    if (row.confirmedAt) {
      if (await desk.placeGivenSince(ex, row.sessionId, row.cancelledAt))
        return 'Their place has already been given to someone else, so this cannot be undone. Register them again to join the waiting list.';
      if ((await desk.placesTaken(ex, row.sessionId)) >= row.sessionCapacity)
        return 'The session is now full, so this cannot be undone. Register them again to join the waiting list.';
    }
    return null;
  }

  return {
    /**
     * Who is expected on a day, one card per person with their sessions that day, A to Z. The day
     * is today when the event has sessions today, else its next day with sessions (or its last).
     */
    async checkInSheet(actor: Actor, eventId: string, opts: { day?: string | undefined; q?: string | undefined }) {
      const rows = (await desk.ofEvent(db, eventId, { statuses: LIVE })).filter((r) => r.sessionStatus === 'scheduled');
      const days = [...new Set(rows.map((r) => londonDay(r.sessionStartsAt)))].sort();
      const today = londonDay(new Date());
      const day =
        opts.day && days.includes(opts.day)
          ? opts.day
          : days.includes(today)
            ? today
            : (days.find((d) => d > today) ?? days[days.length - 1] ?? today);
      const cards = new Map<string, ReturnType<typeof cardFrom>>();
      function cardFrom(r: DeskRow) {
        return {
          personId: r.personId,
          name: r.name,
          shownName: r.labelName || r.name,
          pronouns: r.pronouns,
          sessions: [] as {
            registrationId: string;
            title: string;
            when: string;
            status: RegistrationStatus;
            waitlisted: boolean;
            position: number | null;
            walkIn: boolean;
          }[],
          needs: new Set<AccessNeed>(),
          notes: new Set<string>(),
          toArrive: 0,
        };
      }
      for (const r of rows.filter((x) => londonDay(x.sessionStartsAt) === day)) {
        const card = cards.get(r.personId) ?? cardFrom(r);
        cards.set(r.personId, card);
        if (r.labelName) card.shownName = r.labelName;
        card.sessions.push({
          registrationId: r.id,
          title: r.sessionTitle,
          when: `${formatTime(r.sessionStartsAt)} to ${formatTime(r.sessionEndsAt)}`,
          status: r.status,
          waitlisted: r.status === 'waitlisted',
          position: r.waitlistPosition,
          walkIn: r.walkIn,
        });
        for (const n of r.accessNeeds) card.needs.add(n);
        if (r.accessNotes?.trim()) card.notes.add(r.accessNotes.trim());
        if (r.status !== 'attended') card.toArrive++;
      }
      const all = [...cards.values()]
        .map((c) => ({
          ...c,
          needs: ACCESS_NEEDS.filter((n) => c.needs.has(n)).map((n) => DOOR_NEED_LABELS[n]),
          notes: [...c.notes],
          arrived: c.toArrive === 0,
          pendingTitle: c.sessions.find((x) => x.status !== 'attended')?.title ?? '',
          initial: (c.shownName.trim()[0] ?? '#').toLocaleUpperCase('en-GB'),
        }))
        .sort((a, b) => byName(a.shownName, b.shownName) || byName(a.name, b.name));
      const q = opts.q?.trim().toLocaleLowerCase('en-GB');
      const shown = q ? all.filter((c) => `${c.name} ${c.shownName}`.toLocaleLowerCase('en-GB').includes(q)) : all;
      const letters = [...new Set(shown.map((c) => c.initial))];
      const withNeeds = shown.filter((c) => c.needs.length || c.notes.length).length;
      // Access needs are shown at the door to those running the event; that look is audited.
      if (withNeeds)
        await deps.audit.insert(db, {
          actorId: actor.personId,
          action: 'event.checkin.viewed',
          subjectType: 'event',
          subjectId: eventId,
          details: { day, peopleWithNeeds: withNeeds },
        });
      return {
        day,
        dayText: formatDay(new Date(`${day}T12:00:00Z`)),
        days: days.map((d) => ({ value: d, text: formatDay(new Date(`${d}T12:00:00Z`)), current: d === day })),
        expected: all.length,
        arrived: all.filter((c) => c.arrived).length,
        groups: letters.map((letter) => ({ letter, cards: shown.filter((c) => c.initial === letter) })),
        shownCount: shown.length,
      };
    },

    /** One "Arrived" for all of a person's sessions on the day; a second tap changes nothing. */
    async arrivePerson(eventId: string, personId: string, day: string) {
      const rows = await desk.ofEvent(db, eventId, { personId, statuses: ['confirmed', 'waitlisted'] });
      const theirs = rows.filter((r) => r.sessionStatus === 'scheduled' && londonDay(r.sessionStartsAt) === day);
      for (const r of theirs) await deps.registrationsService.checkIn(r.id);
      const any = rows[0] ?? (await desk.ofEvent(db, eventId, { personId }))[0];
      if (!any) throw new NotFoundError('That person is not registered for this event');
      return { name: any.labelName || any.name, sessions: theirs.length };
    },

    /** Takes back an "Arrived" tapped by mistake: they are expected again, in the place they had. */
    async undoArrival(actor: Actor, eventId: string, registrationId: string) {
      const found = await mustFind(registrationId, eventId);
      return db.transaction(async (tx) => {
        await desk.lockSession(tx, found.sessionId);
        await desk.lock(tx, registrationId);
        const row = (await desk.one(tx, registrationId))!;
        if (row.status !== 'attended') return { name: row.labelName || row.name, sessionTitle: row.sessionTitle, changed: false };
        // A walk-in was only ever a check-in: taking it back removes them.
        const back: RegistrationStatus = row.walkIn ? 'cancelled' : row.confirmedAt ? 'confirmed' : 'waitlisted';
        await desk.undoArrival(tx, registrationId, back);
        await deps.audit.insert(tx, {
          actorId: actor.personId,
          action: 'registration.arrival_undone',
          subjectType: 'registration',
          subjectId: registrationId,
          details: { eventId, status: back },
        });
        return { name: row.labelName || row.name, sessionTitle: row.sessionTitle, changed: true, walkIn: row.walkIn };
      });
    },

    /** What cancelling would do: who loses a place, and who would be offered it. */
    async cancelPreview(registrationId: string) {
      const row = await mustFind(registrationId);
      const offerTo =
        row.status === 'confirmed' && row.sessionStatus === 'scheduled' ? ((await desk.firstWaiting(db, row.sessionId)) ?? null) : null;
      return { row, way: contactWay(row), offerTo, cancellable: row.status === 'confirmed' || row.status === 'waitlisted' };
    },

    /** Cancels from the staff list; the first person waiting is offered the place (and emailed, if they have email). */
    async cancelByStaff(actor: Actor, registrationId: string) {
      const before = await mustFind(registrationId);
      const { registration, promoted } = await deps.registrationsService.cancel({ actor }, registrationId);
      if (before.status !== 'cancelled' && registration.status === 'cancelled')
        await deps.audit.insert(db, {
          actorId: actor.personId,
          action: 'registration.cancelled_by_staff',
          subjectType: 'registration',
          subjectId: registrationId,
          details: { eventId: before.eventId, promoted: promoted.map((p) => p.id) },
        });
      return { eventId: before.eventId, promoted: promoted.map((p) => p.id) };
    },

    /** For the banner after cancelling: who it was, who was offered the place, whether it can be undone. */
    async cancelOutcome(eventId: string, registrationId: string, offeredIds: string[]) {
      const row = await desk.one(db, registrationId);
      if (!row || row.eventId !== eventId) return null;
      const offered = [];
      for (const id of offeredIds.slice(0, 10)) {
        const o = await desk.one(db, id);
        if (o && o.sessionId === row.sessionId) offered.push({ name: o.name, emailed: !!o.email, way: contactWay(o), phone: o.phone });
      }
      return { row, offered, whyNoUndo: await whyNoUndo(db, row), undoMinutes: UNDO_CANCEL_MINUTES };
    },

    /** Takes back a cancellation, only while nobody has been told and the place is still free. */
    async undoCancel(actor: Actor, eventId: string, registrationId: string) {
      const found = await mustFind(registrationId, eventId);
      return db.transaction(async (tx) => {
        await desk.lockSession(tx, found.sessionId);
        await desk.lock(tx, registrationId);
        const row = (await desk.one(tx, registrationId))!;
        const why = await whyNoUndo(tx, row);
        if (why) throw new ConflictError(why);
        const back = row.confirmedAt ? 'confirmed' : 'waitlisted';
        await desk.undoCancel(tx, registrationId, back);
        await deps.audit.insert(tx, {
          actorId: actor.personId,
          action: 'registration.cancel_undone',
          subjectType: 'registration',
          subjectId: registrationId,
          details: { eventId, status: back },
        });
        return { name: row.name, sessionTitle: row.sessionTitle, status: back };
      });
    },

    /** A person's bookings for an event, and how to tell them, for the message after booking them. */
    async bookingSummary(eventId: string, personId: string) {
      const rows = await desk.ofEvent(db, eventId, { personId, statuses: LIVE });
      if (!rows.length) return null;
      const p = rows[0]!;
      return {
        personId,
        name: p.name,
        way: contactWay(p),
        email: p.email,
        phone: p.phone,
        sessions: rows.map((r) => ({ title: r.sessionTitle, status: r.status, statusText: statusText(r) })),
      };
    },

    /** A printable letter confirming someone's bookings, for people who are written to. */
    async confirmationLetter(event: { id: string; title: string }, personId: string, from: string) {
      const rows = await desk.ofEvent(db, event.id, { personId, statuses: LIVE });
      if (!rows.length) throw new NotFoundError('That person is not registered for this event');
      const p = rows[0]!;
      return renderLetter({
        from,
        to: { name: p.name, address: p.postalAddress },
        eventTitle: event.title,
        sessions: rows.map((r) => ({
          title: r.sessionTitle,
          when: `${formatDay(r.sessionStartsAt)}, ${formatTime(r.sessionStartsAt)} to ${formatTime(r.sessionEndsAt)}`,
          where: [r.venueName, r.venueAddress, r.venuePostcode].filter(Boolean).join(', ') || null,
          status: statusText(r),
          waitlisted: r.status === 'waitlisted',
        })),
      });
    },

    /**
     * People to phone: those we reach by phone whose place changed without them (given a place
     * from the waiting list, or cancelled), until someone marks the call as made.
     */
    async toCall(eventId: string) {
      const [rows, called] = await Promise.all([desk.ofEvent(db, eventId), desk.lastCalled(db, eventId)]);
      const out = [];
      for (const r of rows) {
        if (contactWay(r) !== 'phone') continue;
        const promoted = r.status === 'confirmed' && r.promotedAt;
        const cancelled = r.status === 'cancelled' && r.cancelledAt;
        const changedAt = promoted ? r.promotedAt! : cancelled ? r.cancelledAt! : null;
        if (!changedAt) continue;
        const last = called.get(r.id);
        if (last && last >= changedAt) continue;
        out.push({
          registrationId: r.id,
          name: r.name,
          phone: r.phone,
          sessionTitle: r.sessionTitle,
          when: `${formatDay(r.sessionStartsAt)}, ${formatTime(r.sessionStartsAt)}`,
          what: promoted ? 'Now has a place (was on the waiting list)' : 'Place cancelled',
          changedAt,
        });
      }
      return out.sort((a, b) => a.changedAt.getTime() - b.changedAt.getTime());
    },

    async markCalled(actor: Actor, eventId: string, registrationId: string) {
      const row = await mustFind(registrationId, eventId);
      await deps.audit.insert(db, {
        actorId: actor.personId,
        action: 'registration.phoned',
        subjectType: 'registration',
        subjectId: registrationId,
        details: { eventId, status: row.status },
      });
      return { name: row.name };
    },
  };
}

export type StaffDesk = ReturnType<typeof createStaffDesk>;
