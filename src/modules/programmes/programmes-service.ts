import type { Config } from '../../config.ts';
import type { Db, Tx } from '../../db/client.ts';
import type { Application, ApplicationStatus, Cohort, FormQuestion, Person, Programme } from '../../db/schema.ts';
import { fromLondon } from '../../lib/dates.ts';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../../lib/validation.ts';
import type { AuditTrail } from '../audit/audit-service.ts';
import type { Jobs } from '../../jobs/jobs.ts';
import type { EventsLookup } from '../events/events-service.ts';
import type { EventsService } from '../events/events-service.ts';
import type { SessionInput } from '../events/events-schemas.ts';
import { checkAnswers, optionsOf } from '../forms/answers.ts';
import type { FormsLookup } from '../forms/forms-service.ts';
import type { PeopleLookup } from '../people/people-service.ts';
import { type PeopleService } from '../people/people-service.ts';
import type { PersonInput } from '../people/people-schemas.ts';
import type { EmailComposers } from '../email/email-requests.ts';
import { applicationEmail, applicationEmailKinds } from './programme-emails.ts';
import type { ApplicationRow, ProgrammesRepository } from './programmes-repository.ts';
import type { CohortInput, ProgrammeInput } from './programmes-schemas.ts';
import { HOLDS_PLACE, mixOf, mixWarning, refuseMove, type Mix, type TrackedQuestion } from './selection.ts';
import { isUniqueViolation } from '../../db/ids.ts';
import { plural } from '../../lib/plural.ts';
import { createApplicantsToPhone } from './applicants-to-phone.ts';
import type { Actor } from '../../plugins/access.ts';

/** Raised when an offer would break the programme's mix target and the organiser has not yet said "offer anyway". */
export class MixWarning extends Error {}

export interface ApplyRequest {
  who: { personId: string } | { person: PersonInput };
  answers?: Record<string, unknown> | undefined;
  helpedBy?: string | undefined;
}

const isStaff = (a: Actor | null) => !!a && (a.role === 'admin' || a.role === 'staff');

/** Programmes, their cohorts and schedules, applications and selection with the mix meter. */
export function createProgrammesService(deps: {
  db: Db;
  config: Pick<Config, 'publicUrl' | 'branding'>;
  programmes: ProgrammesRepository;
  forms: FormsLookup;
  people: PeopleLookup;
  peopleService: Pick<PeopleService, 'createIn'>;
  events: EventsService;
  eventsLookup: Pick<EventsLookup, 'insertEvent' | 'setEventSpan'>;
  audit: AuditTrail;
  jobs: Pick<Jobs, 'sendEmail'>;
}) {
  const { db, programmes: repo } = deps;

  async function mustFindProgramme(id: string, ex: Db | Tx = db): Promise<Programme> {
    const p = await repo.findProgramme(ex, id);
    if (!p) throw new NotFoundError('No programme with that id');
    return p;
  }
  async function mustFindCohort(id: string, ex: Db | Tx = db, forUpdate = false): Promise<Cohort> {
    const c = await repo.findCohort(ex, id, { forUpdate });
    if (!c) throw new NotFoundError('No cohort with that id');
    return c;
  }

  async function applicationQuestions(p: Programme, ex: Db | Tx = db): Promise<FormQuestion[]> {
    return p.applicationFormId ? deps.forms.questions(ex, p.applicationFormId) : [];
  }

  /** The application form must exist, and tracked questions must be its choice questions. */
  async function checkProgrammeInput(input: ProgrammeInput, ex: Tx) {
    if (!input.applicationFormId) {
      if (input.trackedQuestionKeys?.length)
        throw new ValidationError([
          { path: 'trackedQuestionKeys', message: 'Choose an application form before choosing questions to track' },
        ]);
      return;
    }
    const form = await deps.forms.findForm(ex, input.applicationFormId);
    if (!form) throw new ValidationError([{ path: 'applicationFormId', message: 'There is no form with that id' }]);
    if (form.anonymous) throw new ValidationError([{ path: 'applicationFormId', message: 'An application form cannot be anonymous' }]);
    const choice = new Set(
      (await deps.forms.questions(ex, form.id))
        .filter((q) => q.type === 'single_choice' || q.type === 'multiple_choice' || q.type === 'yes_no')
        .map((q) => q.key),
    );
    const unknown = (input.trackedQuestionKeys ?? []).filter((k) => !choice.has(k));
    if (unknown.length)
      throw new ValidationError([
        {
          path: 'trackedQuestionKeys',
          message: `Only choice questions on the application form can be tracked: ${unknown.join(', ')} cannot`,
        },
      ]);
  }

  /** A cohort's event spans its days, London time, so its sessions must fall within them. */
  function eventSpan(input: Pick<CohortInput, 'startsOn' | 'endsOn'>) {
    const [y1, m1, d1] = input.startsOn.split('-').map(Number) as [number, number, number];
    const [y2, m2, d2] = input.endsOn.split('-').map(Number) as [number, number, number];
    return { startsAt: fromLondon(y1, m1, d1), endsAt: fromLondon(y2, m2, d2 + 1) };
  }

  function applicationsUrl() {
    return `${deps.config.publicUrl}/account/applications`;
  }

  /** The job names the application and the step; the email is written when it is sent. */
  async function tellApplicant(a: Pick<Application, 'id' | 'personId'>, status: ApplicationStatus) {
    if (!applicationEmailKinds.includes(status)) return;
    await deps.jobs.sendEmail({ kind: 'application-step', ref: { applicationId: a.id, status } });
  }

  const composers: EmailComposers = {
    'application-step': async ({ applicationId, status }) => {
      const row = applicationId ? await repo.findApplication(db, applicationId) : undefined;
      if (!row || !status || !applicationEmailKinds.includes(status as ApplicationStatus)) return null;
      // Staff contact people without email by phone or post.
      if (!row.email) return null;
      const cohort = await repo.findCohort(db, row.cohortId);
      const programme = cohort && (await repo.findProgramme(db, cohort.programmeId));
      if (!cohort || !programme) return null;
      return applicationEmail(status as ApplicationStatus, {
        to: row.email,
        name: row.name,
        programme,
        cohort,
        applicationsUrl: applicationsUrl(),
        orgName: deps.config.branding.orgName,
      });
    },
  };

  async function trackedQuestions(p: Programme, ex: Db | Tx = db): Promise<TrackedQuestion[]> {
    const questions = await applicationQuestions(p, ex);
    return p.trackedQuestionKeys.flatMap((key) => {
      const q = questions.find((x) => x.key === key);
      return q ? [{ key, text: q.text, options: optionsOf(q) }] : [];
    });
  }

  async function mixIn(ex: Db | Tx, c: Cohort, p: Programme): Promise<Mix> {
    const holders = await repo.applicationsOf(ex, c.id, { statuses: [...HOLDS_PLACE] });
    return mixOf(holders, { places: c.places, livedMinShare: p.livedMinShare, tracked: await trackedQuestions(p, ex) });
  }

  async function applyOnce(actor: Actor | null, cohortId: string, req: ApplyRequest) {
    const cohort = await mustFindCohort(cohortId);
    const programme = await mustFindProgramme(cohort.programmeId);
    if (!cohort.applicationsOpen || cohort.graduatedAt) throw new ConflictError('Applications for this cohort are closed');
    const questions = await applicationQuestions(programme);
    const checked = checkAnswers(questions, req.answers ?? {});
    if (checked.errors.length) throw new ValidationError(checked.errors.map((e) => ({ path: `answers.${e.path}`, message: e.message })));
    const answers = Object.fromEntries(
      checked.rows.map((r) => [questions.find((q) => q.id === r.questionId)!.key, r.choice ?? r.choices ?? r.number ?? r.text]),
    );
    let known: Person | undefined;
    if ('personId' in req.who) {
      if (!isStaff(actor) && actor?.personId !== req.who.personId) throw new NotFoundError('No person with that id');
      known = await deps.people.findById(req.who.personId, db);
      if (!known || known.erasedAt) throw new NotFoundError('No person with that id');
    } else if (req.who.person.email) {
      known = await deps.people.findActiveByEmail(req.who.person.email, db);
    }
    const result = await db.transaction(async (tx) => {
      const person = known ?? (await deps.peopleService.createIn(tx, actor, (req.who as { person: PersonInput }).person));
      const submittedBy = actor && actor.personId !== person.id ? actor.personId : null;
      const out = await repo.insertApplication(tx, { cohortId, personId: person.id, answers, submittedBy, helpedBy: req.helpedBy ?? null });
      if (out.created) {
        await deps.audit.insert(tx, {
          actorId: actor?.personId ?? person.id,
          action: 'application.created',
          subjectType: 'application',
          subjectId: out.application.id,
          details: { cohortId, onBehalf: !!submittedBy },
        });
      }
      return out;
    });
    if (result.created) await tellApplicant(result.application, 'applied');
    return result;
  }

  return {
    composers,
    // ---- programmes ----------------------------------------------------------------------------
    async createProgramme(actor: Actor, input: ProgrammeInput, extra: { isDemo?: boolean } = {}): Promise<Programme> {
      return db.transaction(async (tx) => {
        await checkProgrammeInput(input, tx);
        const p = await repo.insertProgramme(tx, input, { createdBy: actor.personId, isDemo: extra.isDemo });
        await deps.audit.insert(tx, { actorId: actor.personId, action: 'programme.created', subjectType: 'programme', subjectId: p.id });
        return p;
      });
    },
    async updateProgramme(actor: Actor, id: string, input: ProgrammeInput): Promise<Programme> {
      return db.transaction(async (tx) => {
        await mustFindProgramme(id, tx);
        await checkProgrammeInput(input, tx);
        const p = (await repo.updateProgramme(tx, id, input))!;
        await deps.audit.insert(tx, { actorId: actor.personId, action: 'programme.updated', subjectType: 'programme', subjectId: id });
        return p;
      });
    },
    getProgramme: (id: string) => mustFindProgramme(id),
    listProgrammes: () => repo.listProgrammes(db),
    cohortsOf: (programmeId: string) => repo.cohortsOf(db, programmeId),
    applicationQuestions: (p: Programme) => applicationQuestions(p),
    trackedQuestions: (p: Programme) => trackedQuestions(p),

    // ---- cohorts and their schedule ------------------------------------------------------------
    async createCohort(actor: Actor, programmeId: string, input: CohortInput, extra: { isDemo?: boolean } = {}): Promise<Cohort> {
      return db.transaction(async (tx) => {
        const p = await mustFindProgramme(programmeId, tx);
        const event = await deps.eventsLookup.insertEvent(
          tx,
          { title: `${p.title}: ${input.name}`, summary: p.summary, ...eventSpan(input) },
          { createdBy: actor.personId, isDemo: extra.isDemo, kind: 'cohort' },
        );
        const cohort = await repo.insertCohort(tx, {
          programmeId,
          eventId: event.id,
          name: input.name,
          startsOn: input.startsOn,
          endsOn: input.endsOn,
          places: input.places ?? p.placesPerCohort,
          applicationsOpen: input.applicationsOpen ?? true,
          isDemo: extra.isDemo ?? false,
        });
        await deps.audit.insert(tx, {
          actorId: actor.personId,
          action: 'cohort.created',
          subjectType: 'cohort',
          subjectId: cohort.id,
          details: { programmeId },
        });
        return cohort;
      });
    },

    /** Places may not fall below those held or offered; the dates must still hold every session. */
    async updateCohort(actor: Actor, id: string, input: CohortInput): Promise<Cohort> {
      return db.transaction(async (tx) => {
        const current = await mustFindCohort(id, tx, true);
        const programme = await mustFindProgramme(current.programmeId, tx);
        const places = input.places ?? current.places;
        const holding = await repo.countHolding(tx, id);
        if (places < holding)
          throw new ValidationError([
            {
              path: 'places',
              message: `${holding === 1 ? '1 person already holds or has' : `${holding} people already hold or have`} been offered a place, so there must be at least ${plural(holding, 'place')}`,
            },
          ]);
        const sessions = await deps.events.sessionsOf(current.eventId);
        const span = eventSpan(input);
        if (sessions.some((s) => s.startsAt < span.startsAt || s.endsAt > span.endsAt)) {
          throw new ValidationError([{ path: 'startsOn', message: 'Some sessions would fall outside these dates: move them first' }]);
        }
        // The cohort's own event follows its name and dates.
        await deps.eventsLookup.setEventSpan(tx, current.eventId, { title: `${programme.title}: ${input.name}`, ...span });
        const cohort = (await repo.updateCohort(tx, id, {
          name: input.name,
          startsOn: input.startsOn,
          endsOn: input.endsOn,
          places,
          applicationsOpen: input.applicationsOpen ?? current.applicationsOpen,
        }))!;
        await deps.audit.insert(tx, { actorId: actor.personId, action: 'cohort.updated', subjectType: 'cohort', subjectId: id });
        return cohort;
      });
    },
    getCohort: (id: string) => mustFindCohort(id),
    async cohortOfSession(sessionId: string) {
      const session = await deps.events.getSession(sessionId);
      const c = await repo.findCohortByEvent(db, session.eventId);
      if (!c) throw new NotFoundError('No cohort session with that id');
      return c;
    },
    async cohortByEvent(eventId: string) {
      const c = await repo.findCohortByEvent(db, eventId);
      if (!c) throw new NotFoundError('No cohort with that id');
      return c;
    },
    sessionsOf: (c: Cohort) => deps.events.sessionsOf(c.eventId),
    async addSession(actor: Actor, cohortId: string, input: SessionInput) {
      const c = await mustFindCohort(cohortId);
      if (c.graduatedAt) throw new ConflictError('This cohort has graduated; its schedule is closed');
      return deps.events.addSession(actor, c.eventId, { ...input, kind: input.kind ?? 'workshop' });
    },

    // ---- applications and selection ------------------------------------------------------------
    /**
     * Applies for a place. Anyone may apply for themselves; staff (or a supporter, signed in as
     * themselves) may fill it in on someone's behalf. Applying twice returns the first application.
     */
    async apply(actor: Actor | null, cohortId: string, req: ApplyRequest): Promise<{ application: Application; created: boolean }> {
      try {
        return await applyOnce(actor, cohortId, req);
      } catch (err) {
        if ('person' in req.who && isUniqueViolation(err)) return applyOnce(actor, cohortId, req);
        throw err;
      }
    },

    /** Mistakes in answers to the cohort's application form, by question key. */
    async answerErrors(cohortId: string, answers: Record<string, unknown>, opts: { easyRead?: boolean } = {}) {
      const cohort = await mustFindCohort(cohortId);
      const questions = await applicationQuestions(await mustFindProgramme(cohort.programmeId));
      // Messages name each question in the words the person was shown.
      return checkAnswers(opts.easyRead ? questions.map((q) => ({ ...q, text: q.easyReadText ?? q.text })) : questions, answers).errors;
    },

    applicationsOf: (cohortId: string, opts?: Parameters<ProgrammesRepository['applicationsOf']>[2]) =>
      repo.applicationsOf(db, cohortId, opts),

    async getApplication(actor: Actor, id: string): Promise<ApplicationRow> {
      const a = await repo.findApplication(db, id);
      if (!a || (!isStaff(actor) && a.personId !== actor.personId)) throw new NotFoundError('No application with that id');
      return a;
    },

    /** The mix meter for a cohort the caller has already loaded, with its programme. */
    mix: (cohort: Cohort, programme: Programme): Promise<Mix> => mixIn(db, cohort, programme),

    /**
     * Moves an application on. Staff may make any allowed move; applicants may only accept or
     * decline an offer, or withdraw. The cohort row is locked so places are never over-given.
     * An offer that breaks the mix target needs `offerAnyway`; the warning is returned either way.
     */
    async changeStatus(actor: Actor, id: string, to: ApplicationStatus, opts: { offerAnyway?: boolean } = {}) {
      const outcome = await db.transaction(async (tx) => {
        const found = await repo.findApplication(tx, id);
        const self = found?.personId === actor.personId;
        if (!found || (!isStaff(actor) && !self)) throw new NotFoundError('No application with that id');
        if (!isStaff(actor) && !['accepted', 'declined', 'withdrawn'].includes(to))
          throw new ForbiddenError('Only staff can make that change');
        // Cohort first, then the application: every writer locks in this order, so none deadlock,
        // and the application is read again under the lock in case it moved meanwhile.
        const cohort = await mustFindCohort(found.cohortId, tx, true);
        const a = (await repo.findApplication(tx, id, { forUpdate: true }))!;
        if (a.status === to) return { application: a, warning: null as string | null, tell: null };
        const refusal = refuseMove(a.status, to);
        if (refusal) throw new ConflictError(refusal);
        if (cohort.graduatedAt) throw new ConflictError('This cohort has graduated; its places cannot change');
        const programme = await mustFindProgramme(cohort.programmeId, tx);
        let warning: string | null = null;
        if (to === 'offered') {
          const holding = await repo.countHolding(tx, cohort.id);
          if (holding >= cohort.places)
            throw new ConflictError(
              `${cohort.places === 1 ? 'The only place is' : `All ${cohort.places} places are`} held or offered. Free a place, or add places to the cohort, before offering another.`,
            );
          warning = mixWarning(await mixIn(tx, cohort, programme), a.experience);
          if (warning && !opts.offerAnyway) throw new MixWarning(warning);
        }
        await repo.setApplicationStatus(tx, id, to, actor.personId);
        await deps.audit.insert(tx, {
          actorId: actor.personId,
          action: 'application.status',
          subjectType: 'application',
          subjectId: id,
          details: { from: a.status, to, mixWarning: !!warning },
        });
        return { application: { ...a, status: to }, warning, tell: { cohort, programme } };
      });
      if (outcome.tell) await tellApplicant(outcome.application, to);
      return { application: outcome.application, warning: outcome.warning };
    },

    async review(actor: Actor, id: string, review: { score: number | null; notes: string | null }) {
      await db.transaction(async (tx) => {
        const a = await repo.findApplication(tx, id, { forUpdate: true });
        if (!a) throw new NotFoundError('No application with that id');
        await repo.setReview(tx, id, review);
        await deps.audit.insert(tx, {
          actorId: actor.personId,
          action: 'application.reviewed',
          subjectType: 'application',
          subjectId: id,
          details: { fields: ['score', 'notes'] },
        });
      });
    },

    myApplications: (personId: string) => repo.applicationsOfPerson(db, personId),
    membership: (cohortId: string, personId: string) => repo.membership(db, cohortId, personId),
    async setMembership(actor: Actor, cohortId: string, values: { shownAs: Application['shownAs']; alumniListed: boolean }) {
      const m = await repo.membership(db, cohortId, actor.personId);
      if (!m) throw new NotFoundError('You are not a member of that cohort');
      await repo.setMembership(db, m.id, values);
    },
    alumni: () => repo.alumni(db),
    toPhone: createApplicantsToPhone({ db, programmes: repo, audit: deps.audit }),
  };
}

export type ProgrammesService = ReturnType<typeof createProgrammesService>;
