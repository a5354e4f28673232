import type { CertificatesService } from '../programmes/certificates-service.ts';
import type { ProgrammesService } from '../programmes/programmes-service.ts';
import type { FastifyInstance } from 'fastify';
import { fieldFailure, parseForm } from '../../lib/forms.ts';
import { ConflictError } from '../../lib/validation.ts';
import { actorOf } from '../../plugins/access.ts';
import { consentFormSchema, type ConsentsService } from '../consents/consents-service.ts';
import { ROLE_LABELS, personFormSchema } from '../people/people-schemas.ts';
import type { PeopleService } from '../people/people-service.ts';
import { accessNeedLabel, experienceLabel, personFormOptions, personFormValues, submittedValues } from '../people/people-view.ts';

const signedIn = { access: 'signed-in' } as const;

/** A person's own record: details, access needs, consent, a download of everything, erasure. */
export function accountRoutes(
  app: FastifyInstance,
  deps: { people: PeopleService; consents: ConsentsService; programmes?: { myApplications: ProgrammesService['myApplications']; certificatesOfPerson: CertificatesService['certificatesOfPerson'] } },
) {
  const { people, consents } = deps;

  app.get('/account', { config: signedIn }, async (request, reply) => {
    const me = await people.get(request.person!.id);
    const q = request.query as Record<string, string | undefined>;
    return reply.view('account/views/account.njk', {
      title: 'Your account',
      me,
      accessNeedLabel,
      experienceLabel,
      roleLabel: ROLE_LABELS[me.role],
      banner: q.saved ? 'Your details are saved' : null,
    });
  });

  app.get('/account/details', { config: signedIn }, async (request, reply) => {
    const me = await people.get(request.person!.id);
    return reply.view('account/views/details.njk', { title: 'Change your details', values: personFormValues(me), errors: {}, options: personFormOptions });
  });

  app.post('/account/details', { config: signedIn }, async (request, reply) => {
    const form = parseForm(personFormSchema, request.body);
    const render = (failure: { errors: Record<string, string>; errorList: unknown[] }) =>
      reply.status(400).view('account/views/details.njk', { title: 'Change your details', values: submittedValues(request.body), options: personFormOptions, ...failure });
    if (!form.ok) return render(form);
    try {
      await people.update(actorOf(request), request.person!.id, form.data);
    } catch (err) {
      if (err instanceof ConflictError) return render(fieldFailure('email', err.message));
      throw err;
    }
    return reply.redirect('/account?saved=1', 303);
  });

  app.get('/account/consents', { config: signedIn }, async (request, reply) => {
    const status = await consents.statusFor(request.person!.id);
    const q = request.query as Record<string, string | undefined>;
    return reply.view('account/views/consents.njk', {
      title: 'Your consent',
      ...status,
      banner: q.withdrawn ? 'You have withdrawn your consent. This takes effect now.' : q.given ? 'Thank you. Your consent is recorded.' : null,
    });
  });

  for (const action of ['give', 'withdraw'] as const) {
    app.post(`/account/consents/${action}`, { config: signedIn }, async (request, reply) => {
      const form = parseForm(consentFormSchema, request.body);
      if (!form.ok) return reply.status(400).view('errors/400.njk', { title: 'Choose a consent', detail: 'Choose one of the consents listed.' });
      await consents[action](request.person!.id, request.person!.id, form.data.purpose);
      return reply.redirect(`/account/consents?${action === 'give' ? 'given' : 'withdrawn'}=1`, 303);
    });
  }

  app.get('/account/export', { config: signedIn }, async (request, reply) => {
    const id = request.person!.id;
    const data = await people.exportFor(id);
    // Programme records too: applications with the answers given, and certificates.
    const [applications, certificates] = deps.programmes ? await Promise.all([deps.programmes.myApplications(id), deps.programmes.certificatesOfPerson(id)]) : [[], []];
    Object.assign(data, {
      applications: applications.map((a) => ({ programme: a.programme.title, cohort: a.cohort.name, status: a.application.status, answers: a.application.answers, appliedAt: a.application.createdAt })),
      certificates: certificates.map((c) => ({ serial: c.serial, name: c.name, achievement: c.achievement, issuedOn: c.issuedOn, revoked: !!c.revokedAt })),
    });
    return reply
      .header('content-disposition', 'attachment; filename="my-coproduce-data.json"')
      .header('cache-control', 'no-store')
      .type('application/json; charset=utf-8')
      .send(JSON.stringify(data, null, 2));
  });

  app.get('/account/erasure', { config: signedIn }, async (request, reply) => {
    const me = await people.get(request.person!.id);
    return reply.view('account/views/erasure.njk', { title: 'Ask us to delete your data', me });
  });

  app.post('/account/erasure', { config: signedIn }, async (request, reply) => {
    await people.requestErasure(actorOf(request), request.person!.id);
    return reply.redirect('/account/erasure', 303);
  });

  app.post('/account/erasure/cancel', { config: signedIn }, async (request, reply) => {
    await people.cancelErasureRequest(actorOf(request), request.person!.id);
    return reply.redirect('/account/erasure', 303);
  });
}
