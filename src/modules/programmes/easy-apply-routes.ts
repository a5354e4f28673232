import type { FastifyReply, FastifyRequest } from 'fastify';
import { formFailure, summaryFailure, type FormFailure } from '../../lib/forms.ts';
import { failureView } from '../../lib/form-cycle.ts';
import { idParams } from '../../lib/route-schemas.ts';
import { ConflictError, ValidationError } from '../../lib/validation.ts';
import { actorOf } from '../../plugins/access.ts';
import type { App } from '../../plugins/types.ts';
import { answersFromForm } from '../forms/answers.ts';
import { answerRows, carriedValues, easyErrors, easySteps, hiddenFields, inPageOrder, type EasyStep } from './easy-apply.ts';
import { applyFormSchema } from './programmes-schemas.ts';
import type { ProgrammesService } from './programmes-service.ts';
import { cohortView, programmeView } from './programmes-view.ts';

type Values = Record<string, string | string[]>;

/**
 * The easy read application, one question a page (see easy-apply.ts for how the answers are
 * kept between pages). Every page posts to one address; `_go` says where to go next.
 */
export function easyApplyRoutes(app: App, deps: { programmes: ProgrammesService }) {
  const { programmes } = deps;
  const PUBLIC = { access: 'public' as const };
  const isStaff = (request: FastifyRequest) => request.person?.role === 'admin' || request.person?.role === 'staff';

  async function load(request: FastifyRequest & { params: { id: string } }) {
    const cohort = await programmes.getCohort(request.params.id);
    const programme = await programmes.getProgramme(cohort.programmeId);
    const emailOptional = isStaff(request);
    const steps = easySteps(await programmes.applicationQuestions(programme), { emailOptional });
    return { cohort, programme, steps, emailOptional, closed: !cohort.applicationsOpen || !!cohort.graduatedAt };
  }
  type Loaded = Awaited<ReturnType<typeof load>>;

  function common(l: Loaded) {
    return { programme: programmeView(l.programme), cohort: cohortView(l.cohort), total: l.steps.length, closed: l.closed };
  }

  function stepPage(
    reply: FastifyReply,
    l: Loaded,
    index: number,
    values: Values,
    extra: { returnTo?: boolean; failure?: FormFailure; status?: number } = {},
  ) {
    const step = l.steps[index]!;
    return reply.status(extra.status ?? 200).view('programmes/views/easy-apply.njk', {
      title: `${step.question} – Apply to join ${l.programme.title}`,
      ...common(l),
      step,
      number: index + 1,
      value: values[step.field] ?? (step.kind === 'checkboxes' ? [] : ''),
      hidden: hiddenFields(values, step.field),
      returnTo: !!extra.returnTo,
      ...failureView(extra.failure),
    });
  }

  function checkPage(reply: FastifyReply, l: Loaded, values: Values, extra: { failure?: FormFailure; status?: number } = {}) {
    return reply.status(extra.status ?? 200).view('programmes/views/easy-check.njk', {
      title: `Check your answers – Apply to join ${l.programme.title}`,
      ...common(l),
      rows: answerRows(values, l.steps),
      hidden: hiddenFields(values, null),
      ...failureView(extra.failure),
    });
  }

  async function errorsOf(l: Loaded, values: Values) {
    const answerErrors = await programmes.answerErrors(l.cohort.id, answersFromForm(values), { easyRead: true });
    return inPageOrder(easyErrors(values, answerErrors, { emailOptional: l.emailOptional }), l.steps);
  }

  /** The check page's summary links each mistake to the "Change" button of its answer. */
  const onCheckPage = (errors: { path: string; message: string }[], steps: EasyStep[]) =>
    formFailure(errors, { idFor: (field) => `change-${steps.find((s) => s.field === field)?.id ?? 'name'}` });

  app.get('/cohorts/:id/apply/easy', { schema: { params: idParams }, config: PUBLIC }, async (request, reply) => {
    const l = await load(request);
    const me = request.person;
    // Someone signed in starts with what we already know about them; they can change it.
    const known: Values =
      me && me.role === 'participant'
        ? carriedValues(
            {
              name: me.name,
              email: me.email ?? '',
              experience: me.experience,
              organisation: me.organisation ?? '',
              accessNeeds: me.accessNeeds,
            },
            l.steps,
          )
        : {};
    return reply.view('programmes/views/easy-start.njk', {
      title: `Apply to join ${l.programme.title}`,
      ...common(l),
      hidden: hiddenFields(known, null),
      onBehalf: isStaff(request),
    });
  });

  app.post('/cohorts/:id/apply/easy', { schema: { params: idParams }, config: PUBLIC }, async (request, reply) => {
    const l = await load(request);
    if (l.closed) return reply.redirect(`/cohorts/${l.cohort.id}/apply/easy`, 303);
    const body = (request.body ?? {}) as Record<string, unknown>;
    const values = carriedValues(body, l.steps);
    const go = typeof body._go === 'string' ? body._go : 'next';
    const at = l.steps.findIndex((s) => s.id === body._step);
    const returnTo = body._return === 'check';

    if (go === 'start') return stepPage(reply, l, 0, values);
    if (go.startsWith('change:')) {
      const to = l.steps.findIndex((s) => s.id === go.slice('change:'.length));
      return to < 0 ? checkPage(reply, l, values) : stepPage(reply, l, to, values, { returnTo: true });
    }
    if (go === 'back') {
      if (returnTo || at < 0) return checkPage(reply, l, values);
      if (at === 0) return reply.redirect(`/cohorts/${l.cohort.id}/apply/easy`, 303);
      return stepPage(reply, l, at - 1, values);
    }
    if (go === 'send') return send(request, reply, l, values);

    // "Continue": this page's answer must be right before the next page.
    if (at < 0) return stepPage(reply, l, 0, values);
    const step = l.steps[at]!;
    const mine = (await errorsOf(l, values)).filter((e) => e.path === step.field);
    if (mine.length) return stepPage(reply, l, at, values, { returnTo, failure: formFailure(mine), status: 400 });
    if (returnTo || at === l.steps.length - 1) return checkPage(reply, l, values);
    return stepPage(reply, l, at + 1, values);
  });

  async function send(request: FastifyRequest, reply: FastifyReply, l: Loaded, values: Values) {
    const errors = await errorsOf(l, values);
    if (errors.length) return checkPage(reply, l, values, { failure: onCheckPage(errors, l.steps), status: 400 });
    const form = applyFormSchema.safeParse(values);
    if (!form.success) return checkPage(reply, l, values, { failure: summaryFailure('Check your answers', '#change-name'), status: 400 });
    try {
      const { application, created } = await programmes.apply(request.person ? actorOf(request) : null, l.cohort.id, {
        who: { person: form.data.person },
        answers: answersFromForm(values),
        helpedBy: form.data.helpedBy,
      });
      const mail = form.data.person.email ? '&mail=1' : '';
      return reply.redirect(
        `/cohorts/${l.cohort.id}/applied?${created ? 'new=1' : 'again=1'}&easy=1${mail}&a=${application.id.slice(0, 8)}`,
        303,
      );
    } catch (err) {
      if (err instanceof ValidationError)
        return checkPage(reply, l, values, {
          failure: onCheckPage(
            err.errors.map((e) => ({ ...e, path: e.path.replace(/^answers\./, 'q_').replace(/^person\./, '') })),
            l.steps,
          ),
          status: 400,
        });
      if (err instanceof ConflictError) return checkPage(reply, l, values, { failure: summaryFailure(err.message, '#send'), status: 409 });
      throw err;
    }
  }
}
