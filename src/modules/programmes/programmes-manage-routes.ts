import type { FastifyReply } from 'fastify';
import { z } from 'zod';
import type { Programme } from '../../db/schema.ts';
import { asTyped, fieldFailure, formFailure, parseForm, summaryFailure, type FormFailure } from '../../lib/forms.ts';
import { ConflictError, NotFoundError, ValidationError } from '../../lib/validation.ts';
import { actorOf } from '../../plugins/access.ts';
import type { FormsService } from '../forms/forms-service.ts';
import { experienceLabel } from '../people/people-view.ts';
import { cohortFormSchema, programmeFormSchema, reviewFormSchema, statusChangeSchema } from './programmes-schemas.ts';
import { MixWarning, type ProgrammesService } from './programmes-service.ts';
import { PHONE_ABOUT, appliedWithHelp, cohortView, mixMeterView, movedText, programmeView, statusLabel } from './programmes-view.ts';
import { NEXT_STATUSES, STATUS_LABELS } from './selection.ts';
import { idParams, uuid } from '../../lib/route-schemas.ts';
import { formatDay, formatTime } from '../../lib/dates.ts';
import type { App } from '../../plugins/types.ts';
import { failureView } from '../../lib/form-cycle.ts';

const STAFF = { access: ['admin', 'staff'] as const, hideWhenDenied: true };

/** Staff set up programmes and cohorts, review applications and offer places with the mix meter beside them. */
export function programmesManageRoutes(app: App, deps: { programmes: ProgrammesService; forms: FormsService }) {
  const { programmes } = deps;

  // ---- programmes ------------------------------------------------------------------------------
  app.get('/manage/programmes', { config: STAFF }, async (_request, reply) => {
    const list = await programmes.listProgrammes();
    const rows = await Promise.all(
      list.map(async (p) => ({
        ...programmeView(p),
        cohorts: (await programmes.cohortsOf(p.id)).map((r) => ({
          ...cohortView(r.cohort),
          applied: r.applied,
          holding: r.holding,
          members: r.members,
        })),
      })),
    );
    return reply.view('programmes/views/manage-programmes.njk', { title: 'Programmes', programmes: rows });
  });

  async function programmeForm(
    reply: FastifyReply,
    ctx: { programme?: Programme; values: Record<string, unknown>; failure?: FormFailure },
    status = 200,
  ) {
    const forms = (await deps.forms.list()).filter((f) => !f.anonymous);
    const formId = (ctx.values.applicationFormId as string | undefined) ?? ctx.programme?.applicationFormId ?? '';
    const choiceQuestions = formId
      ? (await deps.forms.questions(formId).catch(() => [])).filter((q) => ['single_choice', 'multiple_choice', 'yes_no'].includes(q.type))
      : [];
    const tracked = new Set((ctx.values.trackedQuestionKeys as string[] | undefined) ?? []);
    return reply.status(status).view('programmes/views/programme-form.njk', {
      title: ctx.programme ? `Change ${ctx.programme.title}` : 'Create a programme',
      action: ctx.programme ? `/manage/programmes/${ctx.programme.id}/edit` : '/manage/programmes/new',
      values: ctx.values,
      formItems: [
        { value: '', text: 'No application form: details only' },
        ...forms.map((f) => ({ value: f.id, text: f.title, selected: f.id === formId })),
      ],
      trackedItems: choiceQuestions.map((q) => ({ value: q.key, text: q.text, checked: tracked.has(q.key) })),
      ...failureView(ctx.failure),
    });
  }

  const programmeValues = (p: Programme) => ({
    title: p.title,
    summary: p.summary,
    easyReadSummary: p.easyReadSummary ?? '',
    whoFor: p.whoFor ?? '',
    placesPerCohort: String(p.placesPerCohort),
    partners: p.partners.join('\n'),
    livedMinPercent: p.livedMinShare === null ? '' : String(Math.round(p.livedMinShare * 100)),
    minSessionsAttended: String(p.minSessionsAttended),
    projectRequired: p.projectRequired ? 'yes' : 'no',
    applicationFormId: p.applicationFormId ?? '',
    trackedQuestionKeys: p.trackedQuestionKeys,
  });
  const formOptions = { aliases: { mixTarget: 'livedMinPercent', graduationRule: 'minSessionsAttended' } };

  app.get('/manage/programmes/new', { config: STAFF }, async (_request, reply) =>
    programmeForm(reply, { values: { placesPerCohort: '20', livedMinPercent: '50', minSessionsAttended: '2', projectRequired: 'yes' } }),
  );
  app.post('/manage/programmes/new', { config: STAFF }, async (request, reply) => {
    const values = asTyped(request.body, ['trackedQuestionKeys']);
    const form = parseForm(programmeFormSchema, request.body, formOptions);
    if (!form.ok) return programmeForm(reply, { values, failure: form }, 400);
    try {
      const p = await programmes.createProgramme(actorOf(request), form.data);
      return reply.redirect(`/manage/programmes/${p.id}?done=created`, 303);
    } catch (err) {
      if (err instanceof ValidationError) return programmeForm(reply, { values, failure: formFailure(err.errors, formOptions) }, 400);
      throw err;
    }
  });

  app.get('/manage/programmes/:id', { schema: { params: idParams }, config: STAFF }, async (request, reply) => {
    const p = await programmes.getProgramme(request.params.id);
    const done = (request.query as { done?: string }).done;
    const cohorts = (await programmes.cohortsOf(p.id)).map((r) => ({
      ...cohortView(r.cohort),
      applied: r.applied,
      holding: r.holding,
      members: r.members,
    }));
    return reply.view('programmes/views/manage-programme.njk', {
      title: p.title,
      programme: programmeView(p),
      cohorts,
      formTitle: p.applicationFormId ? (await deps.forms.get(p.applicationFormId)).title : null,
      banner: done === 'created' ? `Created ${p.title}. Next, add a cohort.` : done === 'saved' ? `Saved the changes to ${p.title}.` : null,
    });
  });
  app.get('/manage/programmes/:id/edit', { schema: { params: idParams }, config: STAFF }, async (request, reply) => {
    const p = await programmes.getProgramme(request.params.id);
    return programmeForm(reply, { programme: p, values: programmeValues(p) });
  });
  app.post('/manage/programmes/:id/edit', { schema: { params: idParams }, config: STAFF }, async (request, reply) => {
    const p = await programmes.getProgramme(request.params.id);
    const values = asTyped(request.body, ['trackedQuestionKeys']);
    const form = parseForm(programmeFormSchema, request.body, formOptions);
    if (!form.ok) return programmeForm(reply, { programme: p, values, failure: form }, 400);
    try {
      await programmes.updateProgramme(actorOf(request), p.id, form.data);
      return reply.redirect(`/manage/programmes/${p.id}?done=saved`, 303);
    } catch (err) {
      if (err instanceof ValidationError)
        return programmeForm(reply, { programme: p, values, failure: formFailure(err.errors, formOptions) }, 400);
      throw err;
    }
  });

  // ---- cohorts ---------------------------------------------------------------------------------
  const dayParts = (prefix: string, iso: string) => {
    const [y, m, d] = iso.split('-');
    return { [`${prefix}[day]`]: String(Number(d)), [`${prefix}[month]`]: String(Number(m)), [`${prefix}[year]`]: y };
  };
  const cohortFormOptions = { idFor: (f: string) => (f === 'startsOn' || f === 'endsOn' ? `${f}[day]` : f) };
  const cohortForm = (
    reply: FastifyReply,
    ctx: { programme: Programme; action: string; title: string; values: Record<string, unknown>; failure?: FormFailure },
    status = 200,
  ) => reply.status(status).view('programmes/views/cohort-form.njk', { ...ctx, ...failureView(ctx.failure) });

  app.get('/manage/programmes/:id/cohorts/new', { schema: { params: idParams }, config: STAFF }, async (request, reply) => {
    const p = await programmes.getProgramme(request.params.id);
    return cohortForm(reply, {
      programme: p,
      title: 'Add a cohort',
      action: `/manage/programmes/${p.id}/cohorts/new`,
      values: { places: String(p.placesPerCohort), applicationsOpen: 'yes' },
    });
  });
  app.post('/manage/programmes/:id/cohorts/new', { schema: { params: idParams }, config: STAFF }, async (request, reply) => {
    const p = await programmes.getProgramme(request.params.id);
    const ctx = {
      programme: p,
      title: 'Add a cohort',
      action: `/manage/programmes/${p.id}/cohorts/new`,
      values: (request.body ?? {}) as Record<string, unknown>,
    };
    const form = parseForm(cohortFormSchema, request.body, cohortFormOptions);
    if (!form.ok) return cohortForm(reply, { ...ctx, failure: form }, 400);
    const c = await programmes.createCohort(actorOf(request), p.id, form.data);
    return reply.redirect(`/manage/cohorts/${c.id}?done=created`, 303);
  });
  app.get('/manage/cohorts/:id/edit', { schema: { params: idParams }, config: STAFF }, async (request, reply) => {
    const c = await programmes.getCohort(request.params.id);
    const p = await programmes.getProgramme(c.programmeId);
    return cohortForm(reply, {
      programme: p,
      title: `Change ${c.name}`,
      action: `/manage/cohorts/${c.id}/edit`,
      values: {
        name: c.name,
        places: String(c.places),
        applicationsOpen: c.applicationsOpen ? 'yes' : 'no',
        ...dayParts('startsOn', c.startsOn),
        ...dayParts('endsOn', c.endsOn),
      },
    });
  });
  app.post('/manage/cohorts/:id/edit', { schema: { params: idParams }, config: STAFF }, async (request, reply) => {
    const c = await programmes.getCohort(request.params.id);
    const p = await programmes.getProgramme(c.programmeId);
    const ctx = {
      programme: p,
      title: `Change ${c.name}`,
      action: `/manage/cohorts/${c.id}/edit`,
      values: (request.body ?? {}) as Record<string, unknown>,
    };
    const form = parseForm(cohortFormSchema, request.body, cohortFormOptions);
    if (!form.ok) return cohortForm(reply, { ...ctx, failure: form }, 400);
    try {
      await programmes.updateCohort(actorOf(request), c.id, form.data);
    } catch (err) {
      if (err instanceof ValidationError) return cohortForm(reply, { ...ctx, failure: formFailure(err.errors, cohortFormOptions) }, 400);
      throw err;
    }
    return reply.redirect(`/manage/cohorts/${c.id}?done=saved`, 303);
  });
  app.get<{ Params: { eventId: string } }>('/manage/cohorts/by-event/:eventId', { config: STAFF }, async (request, reply) => {
    const c = await programmes.cohortByEvent(request.params.eventId);
    return reply.redirect(`/manage/cohorts/${c.id}/schedule`, 303);
  });

  // ---- reviewing applications, with the mix meter ------------------------------------------------
  app.get<{ Params: { id: string }; Querystring: { status?: string; done?: string; moved?: string } }>(
    '/manage/cohorts/:id',
    { config: STAFF },
    async (request, reply) => {
      const c = await programmes.getCohort(request.params.id);
      const p = await programmes.getProgramme(c.programmeId);
      const all = await programmes.applicationsOf(c.id);
      const filter = request.query.status && request.query.status in STATUS_LABELS ? request.query.status : '';
      const rows = all
        .filter((a) => !filter || a.status === filter)
        .map((a) => ({
          ...a,
          statusText: statusLabel(a.status),
          experienceText: experienceLabel(a.experience).split(' (')[0],
          onBehalf: appliedWithHelp(a),
        }));
      const counts = Object.entries(STATUS_LABELS).map(([value, text]) => ({
        value,
        text: `${text} (${all.filter((a) => a.status === value).length})`,
        selected: value === filter,
      }));
      // What the last action did, said plainly (the application as it is now, so it stays true).
      const moved = request.query.moved ? all.find((a) => a.id === request.query.moved) : undefined;
      const banner = moved
        ? movedText(moved)
        : request.query.done === 'created'
          ? `Added ${c.name}. ${c.applicationsOpen ? 'It is open for applications.' : 'It is not open for applications yet.'} Next, add its sessions.`
          : request.query.done === 'saved'
            ? `Saved the changes to ${c.name}.`
            : null;
      return reply.view('programmes/views/manage-cohort.njk', {
        title: `${c.name}: applications`,
        banner,
        programme: programmeView(p),
        cohort: cohortView(c),
        rows,
        mix: mixMeterView(await programmes.mix(c, p)),
        statusItems: [{ value: '', text: `All (${all.length})` }, ...counts],
      });
    },
  );

  async function applicationPage(
    reply: FastifyReply,
    id: string,
    request: Parameters<typeof actorOf>[0],
    extra: {
      failure?: FormFailure;
      values?: Record<string, unknown>;
      warning?: { to: string; text: string };
      status?: number;
      banner?: string | null;
    } = {},
  ) {
    const a = await programmes.getApplication(actorOf(request), id);
    const c = await programmes.getCohort(a.cohortId);
    const p = await programmes.getProgramme(c.programmeId);
    const questions = await programmes.applicationQuestions(p);
    const answers = questions
      .filter((q) => a.answers[q.key] !== undefined)
      .map((q) => ({
        question: q.text,
        answer: Array.isArray(a.answers[q.key]) ? (a.answers[q.key] as string[]).join(', ') : String(a.answers[q.key]),
      }));
    return reply.status(extra.status ?? 200).view('programmes/views/manage-application.njk', {
      title: `Application: ${a.name}`,
      application: { ...a, statusText: statusLabel(a.status), experienceText: experienceLabel(a.experience) },
      cohort: cohortView(c),
      answers,
      moves: NEXT_STATUSES[a.status].map((s) => ({ value: s, text: STATUS_LABELS[s] })),
      mix: mixMeterView(await programmes.mix(c, p)),
      values: extra.values ?? { score: a.score ? String(a.score) : '', notes: a.notes ?? '' },
      warning: extra.warning,
      banner: extra.banner ?? null,
      ...failureView(extra.failure),
    });
  }

  app.get('/manage/applications/:id', { schema: { params: idParams }, config: STAFF }, async (request, reply) =>
    applicationPage(reply, request.params.id, request, {
      banner: (request.query as { saved?: string }).saved === '1' ? 'Saved your review notes. Only staff see them.' : null,
    }),
  );

  app.post('/manage/applications/:id/review', { schema: { params: idParams }, config: STAFF }, async (request, reply) => {
    const form = parseForm(reviewFormSchema, request.body);
    if (!form.ok)
      return applicationPage(reply, request.params.id, request, {
        failure: form,
        values: request.body as Record<string, unknown>,
        status: 400,
      });
    await programmes.review(actorOf(request), request.params.id, form.data);
    return reply.redirect(`/manage/applications/${request.params.id}?saved=1`, 303);
  });

  app.post('/manage/applications/:id/status', { schema: { params: idParams }, config: STAFF }, async (request, reply) => {
    const body = (request.body ?? {}) as Record<string, unknown>;
    const form = parseForm(statusChangeSchema, { status: body.status });
    if (!form.ok)
      return applicationPage(reply, request.params.id, request, {
        failure: fieldFailure('status', 'Choose what happens next'),
        status: 400,
      });
    try {
      await programmes.changeStatus(actorOf(request), request.params.id, form.data.status, { offerAnyway: body.offerAnyway === 'yes' });
    } catch (err) {
      if (err instanceof MixWarning)
        return applicationPage(reply, request.params.id, request, { warning: { to: form.data.status, text: err.message }, status: 409 });
      if (err instanceof ConflictError)
        return applicationPage(reply, request.params.id, request, { failure: summaryFailure(err.message, '#status'), status: 409 });
      throw err;
    }
    const a = await programmes.getApplication(actorOf(request), request.params.id);
    return reply.redirect(`/manage/cohorts/${a.cohortId}?moved=${a.id}#application-${a.id}`, 303);
  });

  // ---- applicants to phone: people we reach by phone whose application staff moved on ----------
  app.get(
    '/manage/cohorts/:id/to-call',
    { schema: { params: idParams, querystring: z.object({ phoned: uuid.optional() }) }, config: STAFF },
    async (request, reply) => {
      const c = await programmes.getCohort(request.params.id);
      const rows = await programmes.toPhone.ofCohort(c.id);
      const phoned = request.query.phoned
        ? await programmes.getApplication(actorOf(request), request.query.phoned).catch((err: unknown) => {
            // A stale or hand-typed id only loses the banner; anything else is a real failure.
            if (err instanceof NotFoundError) return null;
            throw err;
          })
        : null;
      return reply.view('programmes/views/manage-to-call.njk', {
        title: `People to phone: ${c.name}`,
        cohort: cohortView(c),
        rows: rows.map((a) => ({
          ...a,
          what: PHONE_ABOUT[a.status],
          phoneDigits: (a.phone ?? '').replace(/[^+\d]/g, ''),
          since: `${formatDay(a.statusChangedAt!)}, ${formatTime(a.statusChangedAt!)}`,
        })),
        banner: phoned && phoned.cohortId === c.id ? `Recorded that you phoned ${phoned.name}.` : null,
      });
    },
  );

  app.post(
    '/manage/cohorts/:id/to-call/:applicationId',
    { schema: { params: z.object({ id: uuid, applicationId: uuid }) }, config: STAFF },
    async (request, reply) => {
      const a = await programmes.toPhone.markPhoned(actorOf(request), request.params.id, request.params.applicationId);
      return reply.redirect(`/manage/cohorts/${request.params.id}/to-call?phoned=${a.id}`, 303);
    },
  );
}
