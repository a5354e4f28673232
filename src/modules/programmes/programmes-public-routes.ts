import type { FastifyReply, FastifyRequest } from 'fastify';
import { ConflictError, fieldErrors, NotFoundError, ValidationError } from '../../lib/validation.ts';
import { fieldFailure, formFailure, summaryFailure, type FormFailure } from '../../lib/forms.ts';
import { actorOf } from '../../plugins/access.ts';
import { answersFromForm } from '../forms/answers.ts';
import { questionView } from '../forms/forms-view.ts';
import { personFormOptions, submittedValues } from '../people/people-view.ts';
import type { CertificatesService } from './certificates-service.ts';
import { publicCertificate } from './certificates-service.ts';
import { applyFormSchema } from './programmes-schemas.ts';
import type { ProgrammesService } from './programmes-service.ts';
import { cohortView, longDay, programmeView } from './programmes-view.ts';
import { idParams } from '../../lib/route-schemas.ts';
import type { App } from '../../plugins/types.ts';
import { failureView } from '../../lib/form-cycle.ts';

/** What anyone can see: programmes, applying (for yourself or with help), and checking a certificate. */
export function programmesPublicRoutes(app: App, deps: { programmes: ProgrammesService; certificates: CertificatesService }) {
  const { programmes, certificates } = deps;
  const PUBLIC = { access: 'public' as const };

  app.get('/programmes', { config: PUBLIC }, async (_request, reply) => {
    const list = await programmes.listProgrammes();
    return reply.view('programmes/views/programmes.njk', { title: 'Leadership programmes', programmes: list.map(programmeView) });
  });

  app.get('/programmes/:id', { schema: { params: idParams }, config: PUBLIC }, async (request, reply) => {
    const p = await programmes.getProgramme(request.params.id);
    const cohorts = (await programmes.cohortsOf(p.id)).map((r) => cohortView(r.cohort));
    return reply.view('programmes/views/programme.njk', {
      title: p.title,
      programme: programmeView(p),
      open: cohorts.filter((c) => c.applicationsOpen && !c.graduated),
      past: cohorts.filter((c) => c.graduated),
    });
  });

  async function applyPage(
    request: FastifyRequest<{ Params: { id: string }; Querystring: { easy?: string } }>,
    reply: FastifyReply,
    extra: { values?: Record<string, unknown>; failure?: FormFailure; status?: number } = {},
  ) {
    const cohort = await programmes.getCohort(request.params.id);
    const programme = await programmes.getProgramme(cohort.programmeId);
    const easy = request.query.easy === '1';
    const questions = (await programmes.applicationQuestions(programme))
      .filter((q) => !q.hidden)
      .map((q) => questionView({ easyRead: easy }, q));
    const me = request.person;
    const values =
      extra.values ??
      (me && me.role === 'participant'
        ? { name: me.name, email: me.email, experience: me.experience, organisation: me.organisation, accessNeeds: me.accessNeeds }
        : { accessNeeds: [] });
    return reply.status(extra.status ?? 200).view('programmes/views/apply.njk', {
      title: `Apply: ${programme.title}`,
      programme: programmeView(programme),
      cohort: cohortView(cohort),
      closed: !cohort.applicationsOpen || !!cohort.graduatedAt,
      questions,
      easy,
      onBehalf: !!me && (me.role === 'admin' || me.role === 'staff'),
      values,
      options: personFormOptions,
      ...failureView(extra.failure),
    });
  }

  // The easy read application asks one question a page (easy-apply-routes.ts).
  app.get<{ Params: { id: string }; Querystring: { easy?: string } }>('/cohorts/:id/apply', { config: PUBLIC }, (request, reply) =>
    request.query.easy === '1' ? reply.redirect(`/cohorts/${request.params.id}/apply/easy`, 303) : applyPage(request, reply),
  );

  app.post<{ Params: { id: string }; Querystring: { easy?: string } }>('/cohorts/:id/apply', { config: PUBLIC }, async (request, reply) => {
    const body = (request.body ?? {}) as Record<string, unknown>;
    const values = submittedValues(body);
    const form = applyFormSchema.safeParse(body);
    const answers = answersFromForm(body);
    const actor = request.person ? actorOf(request) : null;
    // The details and the answers are checked together, so every mistake is shown at once.
    const answerErrors = (await programmes.answerErrors(request.params.id, answers, { easyRead: request.query.easy === '1' })).map((e) => ({
      path: `q_${e.path}`,
      message: e.message,
    }));
    // Staff may apply for someone without email; anyone else needs one, so we can reply.
    const staff = request.person?.role === 'admin' || request.person?.role === 'staff';
    const noEmail =
      !staff && !String(body.email ?? '').trim()
        ? [{ path: 'email', message: 'Enter your email address. No email? Ask the team to apply with you' }]
        : [];
    if (!form.success || answerErrors.length || noEmail.length) {
      const detailErrors = [
        ...noEmail,
        ...(form.success ? [] : fieldErrors(form.error).map((e) => ({ ...e, path: e.path.replace(/^person\./, '') }))),
      ];
      return applyPage(request, reply, { values, failure: formFailure([...detailErrors, ...answerErrors]), status: 400 });
    }
    try {
      const { application, created } = await programmes.apply(actor, request.params.id, {
        who: { person: form.data.person },
        answers,
        helpedBy: form.data.helpedBy,
      });
      return reply.redirect(`/cohorts/${request.params.id}/applied?${created ? 'new=1' : 'again=1'}&a=${application.id.slice(0, 8)}`, 303);
    } catch (err) {
      if (err instanceof ValidationError) {
        return applyPage(request, reply, {
          values,
          failure: formFailure(err.errors.map((e) => ({ ...e, path: e.path.replace(/^answers\./, 'q_').replace(/^person\./, '') }))),
          status: 400,
        });
      }
      if (err instanceof ConflictError)
        return applyPage(request, reply, { values, failure: summaryFailure(err.message, '#name'), status: 409 });
      throw err;
    }
  });

  app.get<{ Params: { id: string }; Querystring: { again?: string; easy?: string; mail?: string } }>(
    '/cohorts/:id/applied',
    { config: PUBLIC },
    async (request, reply) => {
      const cohort = await programmes.getCohort(request.params.id);
      const programme = await programmes.getProgramme(cohort.programmeId);
      return reply.view('programmes/views/applied.njk', {
        title: 'Application sent',
        programme,
        cohort: cohortView(cohort),
        again: request.query.again === '1',
        easy: request.query.easy === '1',
        mailed: request.query.mail === '1',
        startsOnText: longDay(cohort.startsOn),
        staff: request.person?.role === 'admin' || request.person?.role === 'staff',
      });
    },
  );

  // ---- checking a certificate --------------------------------------------------------------------
  app.get<{ Querystring: { serial?: string } }>('/certificates', { config: PUBLIC }, async (request, reply) => {
    const typed = request.query.serial;
    if (typed !== undefined) {
      try {
        const c = await certificates.get(typed);
        return reply.redirect(`/certificates/${c.serial}`, 303);
      } catch (err) {
        if (!(err instanceof NotFoundError)) throw err;
        const failure = fieldFailure(
          'serial',
          typed.trim()
            ? 'We have no certificate with that number. Check it against the certificate, like 7KQ9-M2XD-4TRA'
            : 'Enter the certificate number',
        );
        return reply.status(typed.trim() ? 404 : 400).view('programmes/views/check.njk', {
          title: 'Check a certificate',
          values: { serial: typed },
          errors: failure.errors,
          errorList: failure.errorList,
        });
      }
    }
    return reply.view('programmes/views/check.njk', { title: 'Check a certificate', values: {}, errors: {}, errorList: [] });
  });

  app.post('/certificates/check', { config: PUBLIC }, async (request, reply) => {
    const text = String(((request.body ?? {}) as Record<string, unknown>).credential ?? '');
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      const failure = fieldFailure(
        'credential',
        text.trim() ? 'This is not a credential file: paste the whole JSON file, starting with {' : 'Paste the credential',
      );
      return reply.status(400).view('programmes/views/check.njk', {
        title: 'Check a certificate',
        values: { credential: text },
        errors: failure.errors,
        errorList: failure.errorList,
      });
    }
    const result = await certificates.check(parsed);
    return reply.view('programmes/views/check.njk', {
      title: 'Check a certificate',
      values: { credential: text },
      errors: {},
      errorList: [],
      result,
    });
  });

  app.get<{ Params: { serial: string } }>('/certificates/:serial', { config: PUBLIC }, async (request, reply) => {
    const c = await certificates.get(request.params.serial);
    if (c.serial !== request.params.serial) return reply.redirect(`/certificates/${c.serial}`, 301);
    return reply.view('programmes/views/certificate.njk', {
      title: `Certificate ${c.serial}`,
      certificate: {
        ...publicCertificate(c),
        issuedOnText: longDay(c.issuedOn),
        revokedOn: c.revokedAt ? c.revokedAt.toLocaleDateString('en-GB', { day: 'numeric', month: 'long', year: 'numeric' }) : null,
      },
    });
  });

  app.get<{ Params: { serial: string } }>('/certificates/:serial/certificate.pdf', { config: PUBLIC }, async (request, reply) => {
    const c = await certificates.get(request.params.serial);
    const cohort = await programmes.getCohort(c.cohortId);
    const pdf = await certificates.pdf(c, cohort.name);
    return reply.type('application/pdf').header('content-disposition', `inline; filename="certificate-${c.serial}.pdf"`).send(pdf);
  });
}
