import type { Config } from '../../config.ts';
import type { Db, Tx } from '../../db/client.ts';
import { sendTogether } from '../../db/send-together.ts';
import type { Logger } from '../../logger.ts';
import type { AccessNeed, Event, EventSession, Person, Registration, Venue } from '../../db/schema.ts';
import type { Jobs } from '../../jobs/jobs.ts';
import { REMINDER_QUEUE } from '../../jobs/jobs.ts';
import { hmac, safeEqual } from '../../lib/tokens.ts';
import { formatRange } from '../../lib/dates.ts';
import { ConflictError, NotFoundError, ValidationError } from '../../lib/validation.ts';
import type { EmailComposers } from '../email/email-requests.ts';
import type { PeopleLookup } from '../people/people-service.ts';
import type { PersonInput } from '../people/people-schemas.ts';
import { type PeopleService } from '../people/people-service.ts';
import type { EventsRepository } from './events-repository.ts';
import * as emails from './registration-emails.ts';
import type { BookedRow, PlaceRequest, RegistrationsRepository } from './registrations-repository.ts';
import { isStaff, type Actor } from '../../plugins/access.ts';
import { isUniqueViolation, isUuid } from '../../db/ids.ts';

export interface RegistrationResult {
  registration: Registration;
  waitlistPosition: number | null;
  /** False when the person was already registered: the same registration came back. */
  created: boolean;
}

export interface BookingRequest {
  sessionIds: string[];
  who: { personId: string } | { person: PersonInput };
  labelName?: string | undefined;
  accessNeeds?: AccessNeed[] | undefined;
  accessNotes?: string | undefined;
}

export interface BookedPlace extends RegistrationResult {
  session: EventSession;
  event: Event;
  venue: Venue | null;
}

export interface BookingResult {
  person: Person;
  /** In the order the sessions were asked for. */
  places: BookedPlace[];
}

/** A session as a clash names it. */
export interface ClashSession {
  id: string;
  title: string;
  eventTitle: string;
  startsAt: Date;
  endsAt: Date;
  /** "Tuesday 15 April 2025, 11am to 12:15pm", as the page and emails show times. */
  when: string;
}

/**
 * Two sessions at the same time: `chosen` is one being booked now; `other` is another being booked
 * now (`otherIsBooked` false) or one the person already has a place or waiting-list place at.
 */
export interface Clash {
  chosen: ClashSession;
  other: ClashSession;
  otherIsBooked: boolean;
}

const overlaps = (a: { startsAt: Date; endsAt: Date }, b: { startsAt: Date; endsAt: Date }) =>
  a.startsAt.getTime() < b.endsAt.getTime() && b.startsAt.getTime() < a.endsAt.getTime();

/** The email kind of a booking of several sessions. */
export const BOOKING_EMAIL = 'booking-confirmed';

export interface RegisterRequest {
  sessionId: string;
  who: { personId: string } | { person: PersonInput };
  labelName?: string | undefined;
  accessNeeds?: AccessNeed[] | undefined;
  accessNotes?: string | undefined;
}

const REMINDER_HOURS = 24;

export function createRegistrationsService(deps: {
  db: Db;
  config: Pick<Config, 'publicUrl' | 'branding'>;
  linkSecret: string;
  events: EventsRepository;
  registrations: RegistrationsRepository;
  people: PeopleLookup;
  peopleService: Pick<PeopleService, 'createIn'>;
  jobs: Pick<Jobs, 'sendEmail' | 'enqueue'>;
  log: Pick<Logger, 'warn'>;
}) {
  const { db, events, registrations, people } = deps;
  const cancelToken = (id: string) => hmac(deps.linkSecret, `cancel-registration:${id}`);
  const calendarHost = new URL(deps.config.publicUrl).hostname;

  async function context(id: string): Promise<emails.RegistrationContext | null> {
    const d = await registrations.details(db, id);
    if (!d) return null;
    return contextFrom({ ...d, waitlistPosition: await registrations.waitlistPosition(db, d.registration) });
  }

  function contextFrom(
    d: Omit<emails.RegistrationContext, 'cancelUrl' | 'calendarHost' | 'serviceName' | 'orgName'>,
  ): emails.RegistrationContext {
    const id = d.registration.id;
    return {
      ...d,
      cancelUrl: `${deps.config.publicUrl}/registrations/${id}/cancel?token=${cancelToken(id)}`,
      calendarHost,
      serviceName: deps.config.branding.serviceName,
      orgName: deps.config.branding.orgName,
    };
  }

  /**
   * Emails go after the commit; a failure to queue one is logged, never undoes the registration.
   * The job names the registration only; the message is built, and its address checked, when it
   * is sent. The waiting-list position is the one when the email was asked for.
   */
  async function queueEmail(registrationId: string, kind: emails.RegistrationEmailKind, position?: number | null) {
    try {
      await deps.jobs.sendEmail({
        kind,
        ref: { registrationId, ...(kind === 'registration-waitlisted' && position ? { position: String(position) } : {}) },
      });
    } catch (err) {
      deps.log.warn({ err, registrationId }, 'could not queue an email about a registration');
    }
  }

  /** With the registration's details already in hand, people without email get no job at all. */
  async function tellWith(
    c: Pick<emails.RegistrationContext, 'registration' | 'person' | 'waitlistPosition'>,
    kind: emails.RegistrationEmailKind,
  ) {
    if (c.person.email) await queueEmail(c.registration.id, kind, c.waitlistPosition);
  }

  const tell = (id: string, kind: emails.RegistrationEmailKind) => queueEmail(id, kind);

  const composers: EmailComposers = Object.fromEntries(
    (Object.keys(emails.REGISTRATION_EMAILS) as emails.RegistrationEmailKind[]).map((kind) => [
      kind,
      async (ref: Record<string, string>) => {
        const c = ref.registrationId ? await context(ref.registrationId) : null;
        if (!c?.person.email || c.person.erasedAt) return null;
        if (ref.position) c.waitlistPosition = Number(ref.position);
        // A reminder is checked again when it is sent: plans change in a day.
        if (
          kind === 'registration-reminder' &&
          (c.registration.status !== 'confirmed' || c.session.status !== 'scheduled' || c.event.status !== 'published')
        )
          return null;
        return emails.REGISTRATION_EMAILS[kind](c);
      },
    ]),
  );

  async function scheduleReminder(r: Registration, startsAt: Date) {
    const at = new Date(startsAt.getTime() - REMINDER_HOURS * 3_600_000);
    if (at.getTime() <= Date.now()) return;
    try {
      await deps.jobs.enqueue(REMINDER_QUEUE, { registrationId: r.id }, { startAfter: at, singletonKey: `reminder:${r.id}` });
    } catch (err) {
      deps.log.warn({ err, registrationId: r.id }, 'could not schedule a reminder');
    }
  }

  /** Gives free places to the longest-waiting people. Runs under the session lock. */
  async function fillPlaces(tx: Tx, sessionId: string, capacity: number): Promise<Registration[]> {
    const free = capacity - (await registrations.countTaken(tx, sessionId));
    const promoted: Registration[] = [];
    for (const waiting of await registrations.firstWaiting(tx, sessionId, free)) promoted.push(await registrations.promote(tx, waiting.id));
    return promoted;
  }

  async function afterPromotion(promoted: Registration[]) {
    for (const p of promoted) {
      const c = await context(p.id);
      if (!c) continue;
      await tellWith(c, 'registration-promoted');
      await scheduleReminder(p, c.session.startsAt);
    }
  }

  /** Why a session cannot be booked now, if it cannot; `named` puts the session's title first (a booking of several). */
  function refusal(l: { session: EventSession; event: Event }, named: boolean): string | null {
    const { session, event } = l;
    const why =
      event.status === 'cancelled' || session.status === 'cancelled'
        ? 'This event has been cancelled, so you cannot register for it'
        : event.status !== 'published'
          ? 'This event is not open for registration yet'
          : session.endsAt.getTime() <= Date.now()
            ? 'This session has already happened'
            : null;
    if (!why || !named) return why;
    return `${session.title}: ${why.charAt(0).toLowerCase()}${why.slice(1)}`;
  }

  /**
   * Bookings for the same sessions at the same moment go to the database together
   * (`sendTogether`): the sessions are locked and their places counted once for the group, in
   * the order people came, so a burst at one popular session costs one statement per group.
   */
  const booking = sendTogether<{ sessionIds: string[]; place: PlaceRequest }, BookedRow[]>({
    max: 50,
    send: (group) =>
      registrations.bookPlaces(
        db,
        group[0]!.sessionIds,
        group.map((g) => g.place),
      ),
  });
  const placeTogether = (sessionIds: string[], place: PlaceRequest) => booking(sessionIds.join(','), { sessionIds, place });

  /**
   * Books a person onto one or more sessions: all of them or none. The person is read, and the
   * places decided and taken, in one statement inside the database (`book_places_returning`),
   * which locks the session rows in id order, so two bookings that share sessions never deadlock
   * and no lock waits on this process; it answers with every row the emails and the caller need.
   * Someone already known goes with others booking the same sessions at that moment (placeTogether).
   */
  async function bookOnce(actor: Actor | null, req: BookingRequest): Promise<BookingResult> {
    const ids = [...new Set(req.sessionIds)];
    if (!ids.length) throw new ValidationError([{ path: 'sessionIds', message: 'Choose at least one session' }]);
    if (!ids.every(isUuid)) throw new NotFoundError('No session with that id');
    const request = (personId: string): PlaceRequest => ({
      personId,
      // Not given: the person's own, as their record holds it when the places are taken.
      labelName: req.labelName,
      accessNeeds: req.accessNeeds && [...new Set(req.accessNeeds)],
      accessNotes: req.accessNotes,
      actorId: actor?.personId ?? null,
    });
    const outcomeOf = (booked: BookedRow[]) => {
      const refused = booked.find((b) => b.refusal);
      if (refused) throw refusalError(refused, ids.length > 1);
      return { person: booked[0]!.person!, booked };
    };
    let outcome: { person: Person; booked: BookedRow[] };
    if ('personId' in req.who) {
      if (!isUuid(req.who.personId)) throw new NotFoundError('No person with that id');
      // A known person: one statement (shared with others booking the same sessions just now),
      // the lock taken and let go inside it.
      outcome = outcomeOf(await placeTogether(ids, request(req.who.personId)));
    } else {
      const input = req.who.person;
      const known = input.email ? await people.findActiveByEmail(input.email, db) : undefined;
      // Someone new is created in the same transaction as their places, so a refused booking
      // leaves no stray person behind.
      outcome = known
        ? outcomeOf(await placeTogether(ids, request(known.id)))
        : await db.transaction(async (tx) => {
            const person = await deps.peopleService.createIn(tx, actor, input);
            return outcomeOf((await registrations.bookPlaces(tx, ids, [request(person.id)]))[0]!);
          });
    }
    const { person } = outcome;
    const rows: BookedPlace[] = outcome.booked.map((b) => ({
      session: b.session!,
      event: b.event!,
      venue: b.venue,
      registration: b.registration!,
      waitlistPosition: b.waitlistPosition,
      created: b.created,
    }));
    const fresh = rows.filter((r) => r.created);
    // The email and the reminders are separate jobs: queued side by side, each failure logged alone.
    const queued: Promise<void>[] = [];
    if (fresh.length === 1) {
      const r = fresh[0]!;
      queued.push(tellWith({ ...r, person }, r.registration.status === 'confirmed' ? 'registration-confirmed' : 'registration-waitlisted'));
    } else if (fresh.length > 1 && person.email) {
      // One email for the whole booking, not one per session.
      const inOrder = [...fresh].sort((a, b) => a.session.startsAt.getTime() - b.session.startsAt.getTime());
      queued.push(
        deps.jobs
          .sendEmail({
            kind: BOOKING_EMAIL,
            ref: {
              registrationIds: inOrder.map((r) => r.registration.id).join(','),
              positions: inOrder.map((r) => r.waitlistPosition ?? 0).join(','),
            },
          })
          .catch((err: unknown) => deps.log.warn({ err, personId: person.id }, 'could not queue an email about a booking')),
      );
    }
    for (const r of fresh) if (r.registration.status === 'confirmed') queued.push(scheduleReminder(r.registration, r.session.startsAt));
    await Promise.all(queued);
    return { person, places: rows };
  }

  /** The words for a refused booking, from the session as it was when it was refused. */
  function refusalError(b: BookedRow, named: boolean): Error {
    if (b.refusal === 'no_person') return new NotFoundError('No person with that id');
    if (b.refusal === 'two_events') return new ConflictError('A booking is for one event');
    if (b.refusal === 'missing' || !b.session || !b.event) return new NotFoundError('No session with that id');
    return new ConflictError(refusal({ session: b.session, event: b.event }, named) ?? 'This session cannot be booked now');
  }

  /** Two requests for the same new person at once: the second finds the first one's record. */
  async function book(actor: Actor | null, req: BookingRequest): Promise<BookingResult> {
    try {
      return await bookOnce(actor, req);
    } catch (err) {
      if ('person' in req.who && isUniqueViolation(err)) return bookOnce(actor, req);
      throw err;
    }
  }

  const clashSession = (r: { session: EventSession; eventTitle: string }): ClashSession => ({
    id: r.session.id,
    title: r.session.title,
    eventTitle: r.eventTitle,
    startsAt: r.session.startsAt,
    endsAt: r.session.endsAt,
    when: formatRange(r.session.startsAt, r.session.endsAt),
  });

  /**
   * Sessions that overlap in time: between the ones chosen, and (given a person) between a chosen
   * one and one they already hold a place or waiting-list place at. Cancelled sessions never clash.
   * Each pair once, in programme order (time, then title).
   */
  async function findClashes(personId: string | null, sessionIds: string[]): Promise<Clash[]> {
    const ids = [...new Set(sessionIds)];
    const chosen = (await registrations.sessionsWithEvent(db, ids))
      .filter((r) => r.session.status === 'scheduled')
      .map(clashSession)
      .sort((a, b) => a.startsAt.getTime() - b.startsAt.getTime() || a.title.localeCompare(b.title));
    const clashes: Clash[] = [];
    for (const [i, a] of chosen.entries())
      for (const b of chosen.slice(i + 1)) if (overlaps(a, b)) clashes.push({ chosen: a, other: b, otherIsBooked: false });
    if (personId) {
      const held = (await registrations.liveSessionsOfPerson(db, personId)).map(clashSession).filter((h) => !ids.includes(h.id));
      for (const a of chosen) for (const h of held) if (overlaps(a, h)) clashes.push({ chosen: a, other: h, otherIsBooked: true });
    }
    return clashes;
  }

  /** The booking email, built when its job runs: places cancelled since are left out. */
  async function composeBooking(ref: Record<string, string>) {
    const ids = (ref.registrationIds ?? '').split(',').filter(Boolean).slice(0, 200);
    const positions = (ref.positions ?? '').split(',');
    const items: emails.RegistrationContext[] = [];
    for (const [i, id] of ids.entries()) {
      const c = await context(id);
      if (!c || c.registration.status === 'cancelled') continue;
      const p = Number(positions[i]);
      if (c.registration.status === 'waitlisted' && p > 0) c.waitlistPosition = p;
      items.push(c);
    }
    const first = items[0];
    if (!first?.person.email || first.person.erasedAt) return null;
    return emails.bookingEmail({ person: first.person, event: first.event, items, orgName: deps.config.branding.orgName });
  }
  composers[BOOKING_EMAIL] = composeBooking;

  return {
    composers,
    cancelToken,

    /** A person's registrations for an event (cancelled ones left out), each with its waiting-list position. */
    async mineInEvent(personId: string, eventId: string) {
      const mine = await registrations.forPersonInEvent(db, personId, eventId);
      return Promise.all(mine.map(async (m) => ({ ...m, position: await registrations.waitlistPosition(db, m.registration) })));
    },

    /**
     * Everything a person has booked, for "Your bookings": upcoming and past, waiting-list
     * positions, cancelled places too (so nothing silently disappears).
     */
    async bookingsOf(personId: string) {
      const now = Date.now();
      return (await registrations.allForPerson(db, personId)).map((r) => ({ ...r, past: r.session.endsAt.getTime() <= now }));
    },

    /** One calendar file with every place a person has at an event (not the waiting lists); null if none. */
    async calendarForPersonInEvent(personId: string, eventId: string): Promise<string | null> {
      const rows = (await registrations.allForPerson(db, personId)).filter(
        (r) => r.event.id === eventId && (r.registration.status === 'confirmed' || r.registration.status === 'attended'),
      );
      return rows.length ? emails.calendarForMany(rows.map((r) => ({ ...r, calendarHost }))) : null;
    },

    /**
     * Marks a session as one everyone at the event attends (a welcome, a plenary, the closing
     * reflection): it is booked with any booking for the event, and "Register for the day" books
     * just those. Staff only.
     */
    async markForEveryone(actor: Actor, sessionId: string, forEveryone: boolean) {
      if (!isStaff(actor)) throw new NotFoundError('No session with that id');
      const row = await registrations.setForEveryone(db, sessionId, forEveryone);
      if (!row) throw new NotFoundError('No session with that id');
      return row;
    },

    /** Demo data only: someone recorded as having come to a past session, as check-in would have. */
    recordPastAttendance(actor: Actor, sessionId: string, personId: string) {
      return registrations.insert(db, {
        sessionId,
        personId,
        status: 'attended',
        labelName: null,
        accessNeeds: [],
        accessNotes: null,
        registeredBy: actor.personId,
      });
    },

    /** A page of a session's registrations in the order they were accepted, with waiting-list positions. */
    listForSession(sessionId: string, opts: { afterSeq?: number; limit: number }) {
      return registrations.listForSession(db, sessionId, opts);
    },

    fillPlaces,
    afterPromotion,
    tell,

    /**
     * Registers a person for a session. The session row is locked for the whole transaction, so
     * places are never over-given and the waiting list keeps the order requests were accepted in.
     * Registering twice returns the same registration.
     */
    async register(actor: Actor | null, req: RegisterRequest): Promise<RegistrationResult> {
      const { sessionId, ...rest } = req;
      const { places } = await book(actor, { ...rest, sessionIds: [sessionId] });
      const only = places[0]!;
      return { registration: only.registration, waitlistPosition: only.waitlistPosition, created: only.created };
    },

    /**
     * Books a person onto several sessions of one event at once, all or none (the web form, staff
     * booking on someone's behalf). Sessions they already hold come back unchanged. The person gets
     * one email for the booking (one calendar file for all of it), or the single-session email
     * when only one place is new.
     */
    book,

    /**
     * Sessions at the same time, to warn about before booking (the public form, staff booking on
     * someone's behalf): within `sessionIds`, and against `personId`'s existing bookings.
     */
    findClashes,

    /**
     * Clashes for whoever is booking: a signed-in person or one named by id, or someone known only
     * by the email address they typed (whose existing bookings must not be shown to whoever typed it).
     */
    async clashesFor(who: BookingRequest['who'], sessionIds: string[]): Promise<{ clashes: Clash[]; knownByEmailOnly: boolean }> {
      if ('personId' in who) return { clashes: await findClashes(who.personId, sessionIds), knownByEmailOnly: false };
      const known = who.person.email ? await people.findActiveByEmail(who.person.email, db) : undefined;
      return { clashes: await findClashes(known?.id ?? null, sessionIds), knownByEmailOnly: !!known };
    },

    /**
     * Cancels a registration (or leaves the waiting list) and gives any freed place to the first
     * person waiting. Allowed for the person themselves, staff, or whoever holds the emailed link.
     */
    async cancel(
      by: { actor: Actor } | { token: string },
      registrationId: string,
    ): Promise<{ registration: Registration; promoted: Registration[] }> {
      const found = await registrations.find(db, registrationId);
      if (!found || !mayChange(by, found)) throw new NotFoundError('No registration with that id');
      const outcome = await db.transaction(async (tx) => {
        // Lock the session first, as registering does, so the two never deadlock.
        const session = (await events.findSession(tx, found.sessionId, { forUpdate: true }))!;
        const current = (await registrations.find(tx, registrationId, { forUpdate: true }))!;
        if (current.status === 'cancelled') return { registration: current, promoted: [], changed: false };
        if (current.status === 'attended')
          throw new ConflictError('This person has already come to the session, so the place cannot be cancelled');
        const registration = await registrations.setStatus(tx, current.id, 'cancelled');
        const promoted = session.status === 'scheduled' ? await fillPlaces(tx, session.id, session.capacity) : [];
        return { registration, promoted, changed: true };
      });
      if (outcome.changed) {
        await tell(outcome.registration.id, 'registration-cancelled');
        await afterPromotion(outcome.promoted);
      }
      return { registration: outcome.registration, promoted: outcome.promoted };
    },

    /** Marks that someone came. Those waiting who turn up are welcome too. */
    async checkIn(registrationId: string): Promise<Registration> {
      return db.transaction(async (tx) => {
        const found = await registrations.find(tx, registrationId);
        if (!found) throw new NotFoundError('No registration with that id');
        await events.findSession(tx, found.sessionId, { forUpdate: true });
        const current = (await registrations.find(tx, registrationId, { forUpdate: true }))!;
        if (current.status === 'attended') return current;
        if (current.status === 'cancelled') throw new ConflictError('This registration was cancelled. Add them as a walk-in instead.');
        return registrations.setStatus(tx, current.id, 'attended');
      });
    },

    /**
     * Attendance for an event session by person (the API's attendance call): came checks them in;
     * not came undoes a check-in made by mistake. They must be registered.
     */
    async markAttendance(sessionId: string, personId: string, attended: boolean): Promise<Registration> {
      const live = await registrations.findLive(db, sessionId, personId);
      if (!live) throw new NotFoundError('That person is not registered for this session');
      if (attended) return this.checkIn(live.id);
      return db.transaction(async (tx) => {
        await events.findSession(tx, sessionId, { forUpdate: true });
        const current = (await registrations.find(tx, live.id, { forUpdate: true }))!;
        return current.status === 'attended' ? registrations.setStatus(tx, current.id, 'confirmed') : current;
      });
    },

    /** Someone who turns up without registering: added and marked as come, whatever the capacity. */
    async walkIn(
      actor: Actor,
      input: { sessionId: string; name: string; experience: Person['experience']; labelName?: string | undefined },
    ) {
      return db.transaction(async (tx) => {
        const session = await events.findSession(tx, input.sessionId, { forUpdate: true });
        if (!session) throw new NotFoundError('No session with that id');
        const person = await deps.peopleService.createIn(tx, actor, {
          name: input.name,
          experience: input.experience,
          labelName: input.labelName,
        });
        return registrations.insert(tx, {
          sessionId: session.id,
          personId: person.id,
          status: 'attended',
          labelName: input.labelName ?? null,
          accessNeeds: [],
          accessNotes: null,
          registeredBy: actor.personId,
          walkIn: true,
        });
      });
    },

    async sendReminder(registrationId: string) {
      await tell(registrationId, 'registration-reminder');
    },

    context,
    checkCancelToken: (id: string, token: string) => safeEqual(token, cancelToken(id)),
  };

  function mayChange(by: { actor: Actor } | { token: string }, r: Registration): boolean {
    if ('token' in by) return safeEqual(by.token, cancelToken(r.id));
    return isStaff(by.actor) || by.actor.personId === r.personId;
  }
}

export type RegistrationsService = ReturnType<typeof createRegistrationsService>;
