import { z } from 'zod';
import type { Config } from '../../config.ts';
import type { Db } from '../../db/client.ts';
import { sendTogether } from '../../db/send-together.ts';
import type { Form, FormQuestion, FormResponse, Person } from '../../db/schema.ts';
import type { Jobs } from '../../jobs/jobs.ts';
import { toCsv } from '../../lib/csv.ts';
import { hmac, safeEqual } from '../../lib/tokens.ts';
import { ConflictError, NotFoundError, ValidationError, type FieldError } from '../../lib/validation.ts';
import type { AuditTrail } from '../audit/audit-service.ts';
import type { EventsLookup } from '../events/events-service.ts';
import type { EmailComposers } from '../email/email-requests.ts';
import type { OutgoingEmail } from '../email/mailer.ts';
import type { PeopleLookup } from '../people/people-service.ts';
import { checkAnswers } from './answers.ts';
import { keyFromText } from './question-keys.ts';
import { findTemplate } from './form-templates.ts';
import type { FormsRepository, NewResponse } from './forms-repository.ts';
import { CHOICE_TYPES, type FormInput, type QuestionInput } from './forms-schemas.ts';
import { isUuid, isUniqueViolation, UUID } from '../../db/ids.ts';
import { decodeCursor, pageOf } from '../../lib/pagination.ts';
import type { Actor } from '../../plugins/access.ts';

export interface Respondent {
  /** Who answered, when known: signed in, invited by personal link, or entered by staff. */
  person: Person | null;
}

/** Why an answer cannot be starred as a quote. */
export const NOT_QUOTABLE = 'The person who wrote this did not agree to be quoted, so it cannot be used as a quote';

/** API responses page in the order they came: by time, then id. */
const responsesKey = z.strictObject({ at: z.iso.datetime(), id: z.string().regex(UUID) });

export function createFormsService(deps: {
  db: Db;
  config: Pick<Config, 'publicUrl' | 'branding'>;
  secret: string;
  forms: FormsRepository;
  people: PeopleLookup;
  events: Pick<EventsLookup, 'findEvent' | 'findSession' | 'registrations'>;
  audit: AuditTrail;
  jobs: Pick<Jobs, 'sendEmail'>;
  /** Told after a form closes and after an answer is saved, so themes are found without asking. */
  themes?: { closed(formId: string): Promise<unknown>; answered(formId: string): Promise<unknown> };
}) {
  const { db, forms } = deps;
  const definitions = createDefinitionCache();
  /**
   * Responses to one form at the same moment go in one statement (`sendTogether`): a survey link
   * sent to a whole trust is answered by many people at once. Undefined for each when the form
   * is no longer open or has changed since its answers were checked.
   */
  const responding = sendTogether<{ form: { formId: string; definitionVersion: number }; response: NewResponse }, FormResponse | undefined>(
    {
      max: 50,
      async send(group) {
        const made = await forms.insertResponsesWithAnswers(
          db,
          group[0]!.form,
          group.map((g) => g.response),
        );
        return group.map((_, i) => made[i]);
      },
    },
  );

  /**
   * Tells `themes` a form has a new answer, off the request path: the answer is saved whatever
   * happens there. A busy form is checked once, then at most once a second while answers keep
   * coming, not once per answer (each check counts the form's text answers); the last answer
   * is always followed by a check.
   */
  const themeChecks = new Map<string, { again: boolean }>();
  function themesMayBeDue(formId: string) {
    const themes = deps.themes;
    if (!themes) return;
    const check = themeChecks.get(formId);
    if (check) {
      check.again = true;
      return;
    }
    const entry = { again: false };
    themeChecks.set(formId, entry);
    void (async () => {
      try {
        do {
          entry.again = false;
          await themes.answered(formId).catch(() => undefined);
          await new Promise((resolve) => setTimeout(resolve, THEME_CHECK_GAP_MS).unref());
        } while (entry.again);
      } finally {
        themeChecks.delete(formId);
      }
    })();
  }

  const consentFor = (form: Form, asked: 'named' | 'anonymous' | 'no' | undefined) =>
    form.anonymous && asked === 'named' ? 'anonymous' : (asked ?? 'no');
  const respondentKey = (formId: string, personId: string) => hmac(deps.secret, `respondent:${formId}:${personId}`);
  const inviteToken = (formId: string, personId: string) => `${personId}.${hmac(deps.secret, `invite:${formId}:${personId}`)}`;
  const personalLink = (formId: string, personId: string) => `${deps.config.publicUrl}/f/${formId}?invite=${inviteToken(formId, personId)}`;

  /** Invitations and reminders, built when their job runs from the form and the person's ids. */
  const invitationEmail =
    (reminder: boolean) =>
    async (ref: Record<string, string>): Promise<OutgoingEmail | null> => {
      if (!ref.formId || !ref.personId || !isUuid(ref.formId)) return null;
      const [form, person] = await Promise.all([forms.findForm(db, ref.formId), deps.people.findById(ref.personId, db)]);
      if (!form || !person?.email || person.erasedAt) return null;
      const link = personalLink(form.id, person.id);
      const org = deps.config.branding.orgName;
      return reminder
        ? {
            to: person.email,
            kind: 'form-reminder',
            subject: `A reminder: ${form.title}`,
            text: [
              `Hello ${person.name},`,
              '',
              'We would still like to hear what you thought. It takes a few minutes:',
              '',
              link,
              '',
              org,
            ].join('\n'),
          }
        : {
            to: person.email,
            kind: 'form-invitation',
            subject: `Tell us what you thought: ${form.title}`,
            text: [
              `Hello ${person.name},`,
              '',
              'Thank you for coming. Please tell us what you thought. It takes a few minutes.',
              '',
              link,
              '',
              form.anonymous ? 'Your answers are anonymous: we do not record who said what.' : '',
              org,
            ].join('\n'),
          };
    };
  const composers: EmailComposers = { 'form-invitation': invitationEmail(false), 'form-reminder': invitationEmail(true) };

  async function mustFind(id: string, forUpdate = false) {
    const form = await forms.findForm(db, id, { forUpdate });
    if (!form) throw new NotFoundError('No form with that id');
    return form;
  }

  async function checkLinks(input: Pick<FormInput, 'eventId' | 'sessionId'>) {
    if (input.eventId && !(await deps.events.findEvent(db, input.eventId)))
      throw new ValidationError([{ path: 'eventId', message: 'That event could not be found: choose one from the list' }]);
    if (input.sessionId && !(await deps.events.findSession(db, input.sessionId)))
      throw new ValidationError([{ path: 'sessionId', message: 'That session could not be found: choose one from the list' }]);
  }

  async function createForm(actor: Actor, input: FormInput, extra: { isDemo?: boolean } = {}): Promise<Form> {
    await checkLinks(input);
    return db.transaction(async (tx) => {
      const form = await forms.insertForm(tx, {
        title: input.title,
        intro: input.intro ?? null,
        anonymous: input.anonymous,
        easyRead: input.easyRead ?? false,
        eventId: input.eventId ?? null,
        sessionId: input.sessionId ?? null,
        cohortId: null,
        createdBy: actor.personId,
        isDemo: extra.isDemo ?? false,
      });
      const taken = new Set(input.questions.flatMap((q) => (q.key ? [q.key] : [])));
      for (const [i, q] of input.questions.entries()) {
        const key = q.key ?? keyFromText(q.text, taken);
        taken.add(key);
        await forms.insertQuestion(tx, form.id, { ...q, key }, i + 1);
      }
      await deps.audit.insert(tx, { actorId: actor.personId, action: 'form.created', subjectType: 'form', subjectId: form.id });
      return form;
    });
  }

  return {
    composers,
    respondentKey,
    personalLink,

    create: createForm,

    async updateSettings(actor: Actor, id: string, input: Pick<FormInput, 'title' | 'intro' | 'anonymous' | 'easyRead' | 'eventId'>) {
      await checkLinks(input);
      await db.transaction(async (tx) => {
        const form = await forms.findForm(tx, id, { forUpdate: true });
        if (!form) throw new NotFoundError('No form with that id');
        if (form.anonymous !== input.anonymous && (await forms.responsesPage(tx, id, { limit: 1 })).responses.length) {
          throw new ConflictError(
            'People have answered already, so whether the form is anonymous cannot change: they answered on that promise',
          );
        }
        await forms.updateForm(tx, id, {
          title: input.title,
          intro: input.intro ?? null,
          anonymous: input.anonymous,
          easyRead: input.easyRead ?? false,
          eventId: input.eventId ?? null,
        });
        await deps.audit.insert(tx, { actorId: actor.personId, action: 'form.updated', subjectType: 'form', subjectId: id });
      });
    },

    /**
     * A new draft form with the questions of an earlier form (those still asked) or of a
     * template: same wording, types, options and short names; none of the answers, invitations
     * or themes. An empty title keeps the source's.
     */
    async copy(actor: Actor, source: string, target: { title?: string; eventId?: string }): Promise<Form> {
      let from: Pick<FormInput, 'title' | 'intro' | 'anonymous' | 'easyRead' | 'questions'>;
      if (source.startsWith('template:')) {
        const template = findTemplate(source.slice('template:'.length));
        if (!template) throw new ValidationError([{ path: 'source', message: 'Choose a template or a form to copy' }]);
        from = template;
      } else {
        const form = await forms.findForm(db, source);
        if (!form) throw new ValidationError([{ path: 'source', message: 'Choose a template or a form to copy' }]);
        const questions = (await forms.questions(db, form.id)).filter((q) => !q.hidden);
        from = {
          title: form.title,
          intro: form.intro ?? undefined,
          anonymous: form.anonymous,
          easyRead: form.easyRead,
          questions: questions.map((q) => ({
            key: q.key,
            type: q.type,
            text: q.text,
            easyReadText: q.easyReadText ?? undefined,
            options: q.options.length ? [...q.options] : undefined,
            required: q.required,
          })),
        };
      }
      const created = await createForm(actor, {
        title: target.title?.trim() || from.title,
        intro: from.intro,
        anonymous: from.anonymous,
        easyRead: from.easyRead,
        eventId: target.eventId,
        questions: from.questions,
      });
      await deps.audit.insert(db, {
        actorId: actor.personId,
        action: 'form.copied',
        subjectType: 'form',
        subjectId: created.id,
        details: { from: source },
      });
      return created;
    },

    get: (id: string) => mustFind(id),
    list: () => forms.listForms(db),
    formsOfEvent: (eventId: string) => forms.formsOfEvent(db, eventId),
    questions: (formId: string) => forms.questions(db, formId),

    async addQuestion(actor: Actor, formId: string, q: QuestionInput): Promise<FormQuestion> {
      return db.transaction(async (tx) => {
        await mustFindIn(tx, formId);
        const existing = await forms.questions(tx, formId);
        const taken = existing.map((e) => e.key);
        if (q.key && taken.includes(q.key))
          throw new ValidationError([{ path: 'key', message: 'Another question on this form already has that short name' }]);
        const key = q.key ?? keyFromText(q.text, taken);
        return forms.insertQuestion(tx, formId, { ...q, key }, (existing.at(-1)?.position ?? 0) + 1);
      });
    },

    /** A question with how many answers it has, for the page that changes it. */
    async questionForChange(formId: string, questionId: string) {
      const q = (await forms.questions(db, formId)).find((x) => x.id === questionId);
      if (!q) throw new NotFoundError('No question with that id on this form');
      return { question: q, answered: await forms.answerCount(db, q.id) };
    },

    /**
     * Changes a question in place. Once people have answered, what they answered must keep its
     * meaning: the wording, easy-read wording, required and new options may change; the type of
     * answer may not, and an option someone chose cannot be removed or reworded.
     */
    async changeQuestion(actor: Actor, formId: string, questionId: string, input: QuestionInput) {
      await db.transaction(async (tx) => {
        await mustFindIn(tx, formId);
        const all = await forms.questions(tx, formId);
        const q = all.find((x) => x.id === questionId);
        if (!q) throw new NotFoundError('No question with that id on this form');
        const answered = (await forms.answerCount(tx, q.id)) > 0;
        const errors: FieldError[] = [];
        if (answered && input.type !== q.type)
          errors.push({
            path: 'type',
            message: 'People have answered this question, so its type of answer cannot change. Add a new question instead',
          });
        if (answered && CHOICE_TYPES.includes(q.type) && input.type === q.type) {
          const kept = new Set(input.options ?? []);
          const lost = (await forms.chosenOptions(tx, q.id)).filter((o) => !kept.has(o));
          if (lost.length)
            errors.push({
              path: 'options',
              message: `People chose ${lost.map((o) => `“${o}”`).join(' and ')}, so ${lost.length === 1 ? 'that option stays' : 'those options stay'} as written. You can add options, put them in another order, or remove options nobody chose`,
            });
        }
        if (input.key && input.key !== q.key && all.some((o) => o.id !== q.id && o.key === input.key))
          errors.push({ path: 'key', message: 'Another question on this form already has that short name' });
        if (errors.length) throw new ValidationError(errors);
        await forms.updateQuestion(tx, q.id, {
          key: input.key ?? q.key,
          type: input.type,
          text: input.text,
          easyReadText: input.easyReadText ?? null,
          options: input.options ?? [],
          required: input.required ?? false,
        });
        await deps.audit.insert(tx, {
          actorId: actor.personId,
          action: 'form.question.changed',
          subjectType: 'form',
          subjectId: formId,
          details: { questionId: q.id },
        });
      });
    },

    /** Moves a question up or down by swapping places with its neighbour. */
    async moveQuestion(formId: string, questionId: string, direction: 'up' | 'down') {
      await db.transaction(async (tx) => {
        await mustFindIn(tx, formId);
        const qs = await forms.questions(tx, formId);
        const i = qs.findIndex((q) => q.id === questionId);
        if (i < 0) throw new NotFoundError('No question with that id on this form');
        const j = direction === 'up' ? i - 1 : i + 1;
        if (j < 0 || j >= qs.length) return;
        await forms.updateQuestion(tx, qs[i]!.id, { position: qs[j]!.position });
        await forms.updateQuestion(tx, qs[j]!.id, { position: qs[i]!.position });
      });
    },

    /** A question with answers is hidden, never deleted: what people said is kept. */
    async removeQuestion(formId: string, questionId: string): Promise<'deleted' | 'hidden'> {
      return db.transaction(async (tx) => {
        await mustFindIn(tx, formId);
        const q = (await forms.questions(tx, formId)).find((x) => x.id === questionId);
        if (!q) throw new NotFoundError('No question with that id on this form');
        if ((await forms.answerCount(tx, q.id)) > 0) {
          await forms.updateQuestion(tx, q.id, { hidden: true });
          return 'hidden';
        }
        await forms.deleteQuestion(tx, q.id);
        return 'deleted';
      });
    },

    async showQuestion(formId: string, questionId: string) {
      const q = (await forms.questions(db, formId)).find((x) => x.id === questionId);
      if (!q) throw new NotFoundError('No question with that id on this form');
      await forms.updateQuestion(db, q.id, { hidden: false });
    },

    async setStatus(actor: Actor, id: string, status: 'open' | 'closed'): Promise<Form> {
      const form = await db.transaction(async (tx) => {
        const form = await forms.findForm(tx, id, { forUpdate: true });
        if (!form) throw new NotFoundError('No form with that id');
        if (status === 'open' && (await forms.questions(tx, id)).filter((q) => !q.hidden).length === 0)
          throw new ConflictError('Add at least one question before opening the form');
        await forms.updateForm(tx, id, { status });
        await deps.audit.insert(tx, {
          actorId: actor.personId,
          action: `form.${status === 'open' ? 'opened' : 'closed'}`,
          subjectType: 'form',
          subjectId: id,
        });
        return { ...form, status, wasClosed: form.status === 'closed' };
      });
      const { wasClosed, ...updated } = form;
      if (status === 'closed' && !wasClosed && deps.themes) await deps.themes.closed(id);
      return updated;
    },

    /** The person a personal link belongs to, or null when the link is not genuine. */
    async personForInvite(formId: string, token: string): Promise<Person | null> {
      const [personId] = token.split('.');
      if (!personId || !safeEqual(token, inviteToken(formId, personId))) return null;
      const person = await deps.people.findById(personId, db);
      return person && !person.erasedAt ? person : null;
    },

    /** Someone's earlier response, to show it again for editing. */
    async existingResponse(formId: string, personId: string) {
      const r = await forms.findResponseByKey(db, formId, respondentKey(formId, personId));
      if (!r) return null;
      return { response: r, answers: await forms.answersOf(db, r.id) };
    },

    /**
     * Records a response. One per person: a person answering again replaces their answers
     * (`allowEdit`, the web form) or is refused (the API). Anonymous forms never store who.
     */
    async respond(
      formId: string,
      who: Respondent,
      answers: Record<string, unknown>,
      opts: { quoteConsent?: 'named' | 'anonymous' | 'no'; allowEdit: boolean },
    ) {
      let saved;
      try {
        saved = (await respondAtOnce(formId, who, answers, opts)) ?? (await respondOnce(formId, who, answers, opts));
      } catch (err) {
        // Someone answering again through the API, or the same person sending twice at once (a
        // double click): the second finds the first.
        if (!isUniqueViolation(err)) throw err;
        if (!opts.allowEdit) throw new ConflictError('This person has already answered this form');
        saved = await respondOnce(formId, who, answers, opts);
      }
      themesMayBeDue(formId);
      return saved;
    },

    /** Invites the people who came to the form's event (or session) by email, each with a personal link. */
    async inviteAttendees(actor: Actor, formId: string): Promise<{ invited: number; emailed: number }> {
      const form = await mustFind(formId);
      if (!form.eventId) throw new ConflictError('This form is not linked to an event, so there is no one who came to invite');
      const came = await deps.events.registrations(db, form.eventId, {
        statuses: ['attended'],
        ...(form.sessionId ? { sessionId: form.sessionId } : {}),
      });
      const byId = new Map(came.map((r) => [r.personId, { name: r.name, email: r.email }]));
      const added = await forms.invite(db, formId, [...byId.keys()]);
      let emailed = 0;
      for (const personId of added) {
        if (!byId.get(personId)!.email) continue;
        await deps.jobs.sendEmail({ kind: 'form-invitation', ref: { formId, personId } });
        emailed++;
      }
      await deps.audit.insert(db, {
        actorId: actor.personId,
        action: 'form.invited',
        subjectType: 'form',
        subjectId: formId,
        details: { invited: added.length },
      });
      return { invited: added.length, emailed };
    },

    async remind(actor: Actor, formId: string): Promise<number> {
      const form = await mustFind(formId);
      if (form.status !== 'open') throw new ConflictError('Open the form before sending reminders: only an open form can be answered');
      const waiting = await forms.notYetAnswered(db, formId, (personId) => respondentKey(formId, personId));
      const withEmail = waiting.filter((p) => p.email);
      for (const p of withEmail) await deps.jobs.sendEmail({ kind: 'form-reminder', ref: { formId, personId: p.id } });
      await forms.markReminded(
        db,
        formId,
        withEmail.map((p) => p.id),
      );
      await deps.audit.insert(db, {
        actorId: actor.personId,
        action: 'form.reminded',
        subjectType: 'form',
        subjectId: formId,
        details: { reminded: withEmail.length },
      });
      return withEmail.length;
    },

    /** Responses for the API, in the order they came; anonymous forms never say who. */
    async responsesForApi(form: Form, opts: { cursor?: string; limit: number }) {
      const key = decodeCursor(responsesKey, opts.cursor);
      const after = key ? { at: new Date(key.at), id: key.id } : undefined;
      const page = await forms.responsesPage(db, form.id, { after, limit: opts.limit + 1 });
      const questions = await forms.questions(db, form.id);
      const themeRows = await forms.themesOfAnswers(
        db,
        page.answers.map((a) => a.id),
      );
      const items = page.responses.slice(0, opts.limit).map((r) => {
        const mine = page.answers.filter((a) => a.responseId === r.id);
        const answers: Record<string, unknown> = {};
        const themes: Record<string, string[]> = {};
        for (const a of mine) {
          const q = questions.find((x) => x.id === a.questionId);
          if (!q) continue;
          answers[q.key] = q.type === 'yes_no' ? a.choice === 'yes' : (a.choice ?? a.choices ?? a.number ?? a.text);
          const t = themeRows.filter((x) => x.answerId === a.id).map((x) => x.label);
          if (a.text !== null) themes[q.key] = t;
        }
        return { id: r.id, personId: form.anonymous ? null : r.personId, submittedAt: r.submittedAt.toISOString(), answers, themes };
      });
      const { nextCursor } = pageOf(page.responses, opts.limit, (last) => ({ at: last.submittedAt.toISOString(), id: last.id }));
      return { items, nextCursor };
    },

    /** All responses as CSV; an anonymous form's export has no names, ids or experience. */
    async exportCsv(actor: Actor, formId: string): Promise<string> {
      const form = await mustFind(formId);
      const questions = await forms.questions(db, formId);
      const header = [...(form.anonymous ? [] : ['Name', 'Experience']), 'Submitted', ...questions.map((q) => q.text), 'Quote consent'];
      const rows: (string | number | null)[][] = [];
      let after: { at: Date; id: string } | undefined;
      for (;;) {
        const page = await forms.responsesPage(db, formId, { after, limit: 1000 });
        if (!page.responses.length) break;
        const names = form.anonymous
          ? new Map<string, string>()
          : await deps.people.namesByIds(
              page.responses.flatMap((r) => (r.personId ? [r.personId] : [])),
              db,
            );
        for (const r of page.responses) {
          const mine = page.answers.filter((a) => a.responseId === r.id);
          const cells = questions.map((q) => {
            const a = mine.find((x) => x.questionId === q.id);
            return a ? (a.choice ?? a.choices?.join('; ') ?? (a.number !== null ? a.number : a.text)) : null;
          });
          rows.push([
            ...(form.anonymous ? [] : [r.personId ? (names.get(r.personId) ?? '') : '', r.experience]),
            r.submittedAt.toISOString(),
            ...cells,
            r.quoteConsent,
          ]);
        }
        const last = page.responses.at(-1)!;
        after = { at: last.submittedAt, id: last.id };
      }
      await deps.audit.insert(db, {
        actorId: actor.personId,
        action: 'form.responses.exported',
        subjectType: 'form',
        subjectId: formId,
        details: { rows: rows.length },
      });
      return toCsv(header, rows);
    },

    async star(formId: string, answerId: number, starred: boolean) {
      const found = await forms.answerWithForm(db, answerId);
      if (!found || found.formId !== formId || found.answer.text === null)
        throw new NotFoundError('No text answer with that id on this form');
      // Unstarring is always allowed: it is how a quote whose author said no leaves the report.
      if (starred && found.quoteConsent === 'no') throw new ConflictError(NOT_QUOTABLE);
      await forms.setStar(db, answerId, starred);
    },
  };

  /**
   * The usual way a response arrives: checked against the form as this process last saw it, and
   * written in one statement that holds only if the form is still open and unchanged since. Null
   * when that cannot be done (the form is not known here yet, is not open, has changed, or the
   * answers have a problem, or the person may be changing an earlier response): `respondOnce`
   * then does it the careful way, and says what is wrong.
   */
  async function respondAtOnce(
    formId: string,
    who: Respondent,
    answers: Record<string, unknown>,
    opts: { quoteConsent?: 'named' | 'anonymous' | 'no'; allowEdit: boolean },
  ): Promise<{ response: FormResponse; edited: boolean } | null> {
    if (who.person && opts.allowEdit) return null;
    const known = definitions.get(formId);
    if (!known || known.form.status !== 'open') return null;
    const { rows, errors } = checkAnswers(known.questions, answers);
    if (errors.length) return null;
    const { form } = known;
    const response = await responding(`${formId}:${form.definitionVersion}`, {
      form: { formId, definitionVersion: form.definitionVersion },
      response: {
        personId: form.anonymous ? null : (who.person?.id ?? null),
        respondentKey: who.person ? respondentKey(formId, who.person.id) : null,
        experience: who.person?.experience ?? null,
        quoteConsent: consentFor(form, opts.quoteConsent),
        answers: rows,
      },
    });
    if (response) return { response, edited: false };
    definitions.delete(formId);
    return null;
  }

  /** A response in a transaction that holds the form (shared) while it reads it and its questions. */
  function respondOnce(
    formId: string,
    who: Respondent,
    answers: Record<string, unknown>,
    opts: { quoteConsent?: 'named' | 'anonymous' | 'no'; allowEdit: boolean },
  ) {
    return db.transaction(async (tx) => {
      const form = await forms.findForm(tx, formId, { forShare: true });
      if (!form) throw new NotFoundError('No form with that id');
      // What was read under the lock is the form at its version, for the next response to use.
      const questions = await forms.questions(tx, formId);
      definitions.set(formId, { form, questions });
      if (form.status !== 'open')
        throw new ConflictError(
          form.status === 'closed' ? 'This form has closed, so it cannot take answers any more' : 'This form is not open yet',
        );
      const { rows, errors } = checkAnswers(questions, answers);
      if (errors.length) throw new ValidationError(errors);
      const consent = consentFor(form, opts.quoteConsent);
      const key = who.person ? respondentKey(formId, who.person.id) : null;
      const existing = key ? await forms.findResponseByKey(tx, formId, key) : undefined;
      if (existing && !opts.allowEdit) throw new ConflictError('This person has already answered this form');
      const response = existing
        ? (await forms.updateResponse(tx, existing.id, { quoteConsent: consent }), existing)
        : await forms.insertResponse(tx, {
            formId,
            personId: form.anonymous ? null : (who.person?.id ?? null),
            respondentKey: key,
            experience: who.person?.experience ?? null,
            quoteConsent: consent,
          });
      await forms.replaceAnswers(tx, response.id, rows, response.experience);
      return { response, edited: !!existing };
    });
  }

  async function mustFindIn(tx: Parameters<FormsRepository['findForm']>[0], id: string) {
    const form = await forms.findForm(tx, id, { forUpdate: true });
    if (!form) throw new NotFoundError('No form with that id');
    return form;
  }
}

export type FormsService = ReturnType<typeof createFormsService>;

/** The least time between two checks of one form for themes that are due (`themesMayBeDue`). */
const THEME_CHECK_GAP_MS = 1000;

/** How many forms' definitions a process keeps for taking responses: the most recently read. */
const DEFINITIONS_KEPT = 500;

/**
 * The forms this process takes responses for, as last read under a lock: the form (with its
 * `definitionVersion`) and its questions. Never trusted alone: a response written from it
 * checks in the same statement that the form is open and still at that version.
 */
function createDefinitionCache() {
  const kept = new Map<string, { form: Form; questions: FormQuestion[] }>();
  return {
    get: (formId: string) => kept.get(formId),
    set(formId: string, definition: { form: Form; questions: FormQuestion[] }) {
      kept.delete(formId);
      kept.set(formId, definition);
      if (kept.size > DEFINITIONS_KEPT) kept.delete(kept.keys().next().value!);
    },
    delete: (formId: string) => kept.delete(formId),
  };
}

/** What other modules read of forms, inside their own transaction: a programme's application form. */
export function createFormsLookup(deps: { forms: FormsRepository }) {
  return {
    findForm: deps.forms.findForm,
    questions: deps.forms.questions,
    /** Every form, newest first, and an event's forms ("You said, we did" sources and the event report). */
    listForms: deps.forms.listForms,
    formsOfEvent: deps.forms.formsOfEvent,
    /** The labels of the themes found in a form's answers. */
    themeLabels: deps.forms.themeLabelsOf,
    /** The people who answered a form under their own name (never anonymous answers). */
    respondentIds: deps.forms.respondentIdsOf,
  };
}

export type FormsLookup = ReturnType<typeof createFormsLookup>;
