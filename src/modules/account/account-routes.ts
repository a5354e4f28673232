import { z } from 'zod';
import { fieldFailure, parseForm } from '../../lib/forms.ts';
import { ConflictError } from '../../lib/validation.ts';
import { actorOf } from '../../plugins/access.ts';
import { consentFormSchema, type ConsentsService } from '../consents/consents-service.ts';
import { ROLE_LABELS, personFormSchema } from '../people/people-schemas.ts';
import type { PeopleService } from '../people/people-service.ts';
import { accessNeedLabel, experienceLabel, personFormOptions, personFormValues, submittedValues } from '../people/people-view.ts';
import type { App } from '../../plugins/types.ts';
import { flags } from '../../lib/route-schemas.ts';
import type { RegistrationsService } from '../events/registrations-service.ts';
import { bookingsView } from './bookings-view.ts';

const signedIn = { access: 'signed-in' } as const;

/** A person's own record: details, access needs, consent, a download of everything, erasure. */
const emailChangeQuery = z.object({ token: z.string().max(200).catch('') });

/** A link from an email may arrive damaged: it gets the "this link does not work" page, not a 404. */
const linkParams = z.object({ id: z.string().max(200) });

export function accountRoutes(app: App, deps: { people: PeopleService; consents: ConsentsService; registrations: RegistrationsService }) {
  const { people, consents, registrations } = deps;

  // Every booking, upcoming and past: the calendar files, and cancelling through a confirm page.
  app.get('/account/bookings', { schema: { querystring: flags('cancelled') }, config: signedIn }, async (request, reply) => {
    const view = bookingsView(await registrations.bookingsOf(request.person!.id));
    return reply.view('account/views/bookings.njk', {
      title: 'Your bookings',
      ...view,
      banner: request.query.cancelled ? 'Cancelled. Thank you for telling us: someone else can now have the place.' : null,
    });
  });

  app.get('/account', { schema: { querystring: flags('email', 'saved') }, config: signedIn }, async (request, reply) => {
    const me = await people.get(request.person!.id);
    const q = request.query;
    return reply.view('account/views/account.njk', {
      title: 'Your account',
      me,
      accessNeedLabel,
      experienceLabel,
      roleLabel: ROLE_LABELS[me.role],
      banner:
        q.email === 'pending' && me.pendingEmail
          ? `Your details are saved. We have sent a link to ${me.pendingEmail}: your email address changes when you use it.`
          : q.saved
            ? 'Your details are saved'
            : null,
    });
  });

  app.get('/account/details', { config: signedIn }, async (request, reply) => {
    const me = await people.get(request.person!.id);
    return reply.view('account/views/details.njk', {
      title: 'Change your details',
      values: personFormValues(me),
      errors: {},
      options: personFormOptions,
    });
  });

  app.post('/account/details', { config: signedIn }, async (request, reply) => {
    const form = parseForm(personFormSchema, request.body);
    const render = (failure: { errors: Record<string, string>; errorList: unknown[] }) =>
      reply.status(400).view('account/views/details.njk', {
        title: 'Change your details',
        values: submittedValues(request.body),
        options: personFormOptions,
        ...failure,
      });
    if (!form.ok) return render(form);
    try {
      const { emailChange } = await people.update(actorOf(request), request.person!.id, form.data);
      return reply.redirect(emailChange === 'pending' ? '/account?saved=1&email=pending' : '/account?saved=1', 303);
    } catch (err) {
      if (err instanceof ConflictError) return render(fieldFailure('email', err.message));
      throw err;
    }
  });

  app.get('/account/consents', { schema: { querystring: flags('given', 'withdrawn') }, config: signedIn }, async (request, reply) => {
    const status = await consents.statusFor(request.person!.id);
    const q = request.query;
    return reply.view('account/views/consents.njk', {
      title: 'Your consent',
      ...status,
      banner: q.withdrawn
        ? 'You have withdrawn your consent. This takes effect now.'
        : q.given
          ? 'Thank you. Your consent is recorded.'
          : null,
    });
  });

  for (const action of ['give', 'withdraw'] as const) {
    app.post(`/account/consents/${action}`, { config: signedIn }, async (request, reply) => {
      const form = parseForm(consentFormSchema, request.body);
      if (!form.ok)
        return reply.status(400).view('errors/400.njk', { title: 'Choose a consent', detail: 'Choose one of the consents listed.' });
      await consents[action](request.person!.id, request.person!.id, form.data.purpose);
      return reply.redirect(`/account/consents?${action === 'give' ? 'given' : 'withdrawn'}=1`, 303);
    });
  }

  app.get('/account/export', { config: signedIn }, async (request, reply) => {
    const id = request.person!.id;
    // Every module's part: registrations with access needs, answers, programmes, sign-ins and more.
    const data = await people.exportFor(id);
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

  // The link sent to a new email address. Opening it only shows a button, so mail scanners that
  // follow links cannot confirm the change; using it needs no sign-in (it proves the address).
  app.get(
    '/email-change/:id',
    { schema: { querystring: emailChangeQuery, params: linkParams }, config: { access: 'public' } },
    async (request, reply) => {
      const { token } = request.query;
      const person = await people.checkEmailChange(request.params.id, token);
      if (!person) return reply.status(400).view('account/views/email-change.njk', { title: 'This link does not work', state: 'invalid' });
      return reply.view('account/views/email-change.njk', {
        title: 'Confirm your new email address',
        state: 'confirm',
        newEmail: person.pendingEmail,
        token,
        id: person.id,
      });
    },
  );

  app.post('/email-change/:id', { schema: { params: linkParams }, config: { access: 'public' } }, async (request, reply) => {
    const { token } = emailChangeQuery.parse(request.body ?? {});
    try {
      const person = await people.confirmEmailChange(request.params.id, token);
      if (!person) return reply.status(400).view('account/views/email-change.njk', { title: 'This link does not work', state: 'invalid' });
      // Every session ended with the change, this browser's included.
      return reply.view('account/views/email-change.njk', {
        title: 'Your email address is changed',
        state: 'done',
        newEmail: person.email,
      });
    } catch (err) {
      if (err instanceof ConflictError)
        return reply.status(409).view('account/views/email-change.njk', { title: 'This address is taken', state: 'taken' });
      throw err;
    }
  });
}
