import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Form, FormQuestion, Person } from '../../db/schema.ts';
import { formFailure } from '../../lib/forms.ts';
import { ConflictError, ValidationError, type FieldError } from '../../lib/validation.ts';
import { answersFromForm, checkAnswers } from './answers.ts';
import { questionView } from './forms-view.ts';
import { RESPONSE_BODY_LIMIT } from '../api/api-common.ts';
import type { FormsService } from './forms-service.ts';
import { idParams } from '../../lib/route-schemas.ts';
import type { App } from '../../plugins/types.ts';

const CONSENT = {
  named: { value: 'named', text: 'Yes, with my name' },
  anonymous: { value: 'anonymous', text: 'Yes, without my name' },
  no: { value: 'no', text: 'No' },
};

// A question's field is named and id'd q_<key>; its error links there.
const answerIds = { idFor: (key: string) => (key === 'quoteConsent' ? key : `q_${key}`) };

const answerValues = (
  answers: { questionId: string; choice: string | null; choices: string[] | null; number: number | null; text: string | null }[],
  questions: FormQuestion[],
) =>
  Object.fromEntries(
    answers.map((a) => {
      const q = questions.find((x) => x.id === a.questionId);
      return [`q_${q?.key}`, a.choice ?? a.choices ?? (a.number !== null ? String(a.number) : a.text)];
    }),
  );

const isText = (q: FormQuestion) => q.type === 'text' || q.type === 'long_text';

/** Whether any text answer has words in it: only then is there something to quote. */
function wroteText(questions: FormQuestion[], values: Record<string, unknown>) {
  return questions.some((q) => {
    const v = values[`q_${q.key}`];
    return isText(q) && typeof v === 'string' && v.trim() !== '';
  });
}

/** Errors sorted as their questions appear on the page; anything else after them. */
function inPageOrder(questions: FormQuestion[], errors: FieldError[]): FieldError[] {
  const at = (path: string) => {
    const i = questions.findIndex((q) => q.key === path);
    return i < 0 ? questions.length : i;
  };
  return [...errors].sort((a, b) => at(a.path) - at(b.path));
}

/** Answering a form: by personal link, signed in, or through the public link (and QR code) on the day. */
export function answerRoutes(app: App, deps: { forms: FormsService }) {
  const { forms } = deps;

  async function respondent(request: FastifyRequest, form: Form, invite: string | undefined): Promise<Person | null> {
    if (invite) return forms.personForInvite(form.id, invite);
    return request.person;
  }

  async function setUp(request: FastifyRequest & { params: { id: string } }, invite: string | undefined) {
    const form = await forms.get(request.params.id);
    const questions = (await forms.questions(form.id)).filter((q) => !q.hidden);
    const person = await respondent(request, form, invite);
    const hasText = questions.some(isText);
    const consentItems = hasText
      ? form.anonymous
        ? [CONSENT.anonymous, CONSENT.no]
        : [CONSENT.named, CONSENT.anonymous, CONSENT.no]
      : null;
    return { form, questions, person, consentItems };
  }

  function page(
    reply: FastifyReply,
    ctx: Awaited<ReturnType<typeof setUp>>,
    extra: {
      values: Record<string, unknown>;
      errors?: Record<string, string>;
      errorList?: unknown[];
      invite?: string;
      editing?: boolean;
      step?: number;
    },
    status = 200,
  ) {
    const { form, questions, consentItems } = ctx;
    const base = {
      title: form.title,
      form,
      consentItems,
      values: extra.values,
      errors: extra.errors ?? {},
      errorList: extra.errorList ?? [],
      invite: extra.invite,
      editing: extra.editing,
    };
    if (!form.easyRead)
      return reply.status(status).view('forms/views/answer.njk', { ...base, questions: questions.map((q) => questionView(form, q)) });
    // Easy read: one question to a page; answers so far travel along as hidden fields.
    const total = questions.length + (consentItems ? 1 : 0);
    const index = Math.min(extra.step ?? 0, total - 1);
    const question = questions[index] ? questionView(form, questions[index]) : null;
    const currentKey = question ? `q_${question.key}` : 'quoteConsent';
    const carried = Object.fromEntries(
      Object.entries(extra.values).filter(
        ([k, v]) => (k.startsWith('q_') || k === 'quoteConsent') && k !== currentKey && v !== undefined && v !== '',
      ),
    );
    return reply.status(status).view('forms/views/answer.njk', {
      ...base,
      title: question ? `${question.label} – ${form.title}` : form.title,
      carried,
      easyStep: { index, number: index + 1, total, question, last: index === total - 1 },
    });
  }

  app.get<{ Params: { id: string }; Querystring: { invite?: string } }>(
    '/f/:id',
    { config: { access: 'public' } },
    async (request, reply) => {
      const invite = typeof request.query.invite === 'string' ? request.query.invite : undefined;
      const ctx = await setUp(request, invite);
      if (ctx.form.status !== 'open') return reply.view('forms/views/answer-closed.njk', { title: ctx.form.title, form: ctx.form });
      if (invite && !ctx.person)
        return reply.status(404).view('errors/400.njk', {
          title: 'This link does not work',
          detail: 'Check you copied the whole link from your email, or use the form’s public link.',
        });
      const existing = ctx.person ? await forms.existingResponse(ctx.form.id, ctx.person.id) : null;
      const values = existing ? { ...answerValues(existing.answers, ctx.questions), quoteConsent: existing.response.quoteConsent } : {};
      return page(reply, ctx, { values, invite, editing: !!existing });
    },
  );

  app.post(
    '/f/:id',
    { schema: { params: idParams }, config: { access: 'public' }, bodyLimit: RESPONSE_BODY_LIMIT },
    async (request, reply) => {
      const body = (request.body ?? {}) as Record<string, unknown>;
      const invite = typeof body.invite === 'string' ? body.invite : undefined;
      const ctx = await setUp(request, invite);
      if (ctx.form.status !== 'open')
        return reply.status(409).view('forms/views/answer-closed.njk', { title: ctx.form.title, form: ctx.form });
      if (invite && !ctx.person)
        return reply
          .status(404)
          .view('errors/400.njk', { title: 'This link does not work', detail: 'Check you copied the whole link from your email.' });
      const values: Record<string, unknown> = Object.fromEntries(
        Object.entries(body).filter(([k]) => k.startsWith('q_') || k === 'quoteConsent'),
      );
      const consent =
        typeof body.quoteConsent === 'string' && ['named', 'anonymous', 'no'].includes(body.quoteConsent)
          ? (body.quoteConsent as 'named' | 'anonymous' | 'no')
          : undefined;

      if (ctx.form.easyRead) {
        const step = Number(body.step ?? 0);
        const total = ctx.questions.length + (ctx.consentItems ? 1 : 0);
        const question = ctx.questions[step];
        if (question) {
          const { errors } = checkAnswers([question], { [question.key]: values[`q_${question.key}`] });
          if (errors.length) return page(reply, ctx, { values, invite, step, ...formFailure(errors, answerIds) }, 400);
        }
        // The last step asks about quoting: skipped when the person wrote nothing to quote.
        const next = step + 1;
        const skipConsent = ctx.consentItems && next === total - 1 && !wroteText(ctx.questions, values);
        if (next < total && !skipConsent) return page(reply, ctx, { values, invite, step: next });
      }
      // Every problem at once, in the order the page shows them; quoting is asked only of someone who wrote.
      const problems = ctx.form.easyRead ? [] : inPageOrder(ctx.questions, checkAnswers(ctx.questions, answersFromForm(values)).errors);
      if (ctx.consentItems && !consent && wroteText(ctx.questions, values))
        problems.push({ path: 'quoteConsent', message: 'Choose whether we can quote what you wrote' });
      if (problems.length) {
        const failure = formFailure(problems, answerIds);
        const first = ctx.questions.findIndex((q) => failure.errors[q.key]);
        return page(reply, ctx, { values, invite, step: first >= 0 ? first : Number(body.step ?? 0), ...failure }, 400);
      }
      try {
        await forms.respond(ctx.form.id, { person: ctx.person }, answersFromForm(values), { quoteConsent: consent, allowEdit: true });
      } catch (err) {
        if (err instanceof ValidationError) {
          const failure = formFailure(err.errors, answerIds);
          // On an easy-read form, go back to the first question with a problem.
          const first = ctx.questions.findIndex((q) => failure.errors[q.key]);
          return page(reply, ctx, { values, invite, step: Math.max(0, first), ...failure }, 400);
        }
        if (err instanceof ConflictError)
          return reply.status(409).view('forms/views/answer-closed.njk', { title: ctx.form.title, form: ctx.form });
        throw err;
      }
      const editHref = `/f/${ctx.form.id}${invite ? `?invite=${encodeURIComponent(invite)}` : ''}`;
      return reply.view('forms/views/answer-thanks.njk', { title: 'Thank you', canEdit: !!ctx.person, editHref });
    },
  );
}
