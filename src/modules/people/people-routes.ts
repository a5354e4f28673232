import type { FastifyReply } from 'fastify';
import { z } from 'zod';
import { fieldFailure, parseForm } from '../../lib/forms.ts';
import { ConflictError, ForbiddenError } from '../../lib/validation.ts';
import { actorOf } from '../../plugins/access.ts';
import { consentFormSchema, type ConsentsService } from '../consents/consents-service.ts';
import { decodePeopleCursor, peopleCursor } from './people-cursor.ts';
import { personFormSchema, ROLE_LABELS, roleFormSchema } from './people-schemas.ts';
import { refusalToManage, type PeopleService } from './people-service.ts';
import {
  accessNeedLabel,
  contactPreferenceLabel,
  contactSummary,
  experienceLabel,
  personFormOptions,
  personFormValues,
  submittedValues,
} from './people-view.ts';
import { safeReturnPath, withQuery } from '../../lib/return-to.ts';
import { flags, idParams } from '../../lib/route-schemas.ts';
import type { App } from '../../plugins/types.ts';

const STAFF = ['admin', 'staff'] as const;
const staffOnly = { access: STAFF, hideWhenDenied: true };
const PAGE_SIZE = 50;

const newQuery = z.object({ returnTo: z.string().max(2000).optional().catch(undefined) });

const listQuery = z.object({
  q: z.string().trim().max(100).optional().catch(undefined),
  // A name of 200 letters outside ASCII makes a cursor of over 500 characters.
  after: z.string().max(2000).optional().catch(undefined),
});

/** Staff pages for people: add and edit on someone's behalf (no email needed), roles, consent, erasure. */
export function peopleRoutes(app: App, deps: { people: PeopleService; consents: ConsentsService }) {
  const { people, consents } = deps;
  const roleItems = Object.entries(ROLE_LABELS).map(([value, text]) => ({ value, text }));

  app.get('/people', { schema: { querystring: listQuery }, config: staffOnly }, async (request, reply) => {
    const query = request.query;
    const rows = await people.list({ search: query.q, after: decodePeopleCursor(query.after), limit: PAGE_SIZE + 1 });
    const page = peopleCursor(rows, PAGE_SIZE);
    return reply.view('people/views/list.njk', {
      title: 'People',
      people: page.items.map((p) => ({ ...p, contact: contactSummary(p) })),
      q: query.q ?? '',
      // Keyset pages: on to the names after the last one shown, or back to the first page.
      nextUrl: page.nextCursor ? `/people?${new URLSearchParams({ ...(query.q ? { q: query.q } : {}), after: page.nextCursor })}` : null,
      firstUrl: query.after ? `/people${query.q ? `?${new URLSearchParams({ q: query.q })}` : ''}` : null,
      experienceLabel,
    });
  });

  // `returnTo`: a page on this site to come back to with `personId` of the person added (the
  // staff booking page links here). Anything that is not a path on this site is ignored.
  app.get('/people/new', { schema: { querystring: newQuery }, config: staffOnly }, async (request, reply) =>
    reply.view('people/views/new.njk', {
      title: 'Add a person',
      values: {},
      errors: {},
      options: personFormOptions,
      returnTo: safeReturnPath(request.query.returnTo),
    }),
  );

  app.post('/people/new', { config: staffOnly }, async (request, reply) => {
    const { returnTo: rawReturnTo, ...fields } = (request.body ?? {}) as Record<string, unknown>;
    const returnTo = safeReturnPath(rawReturnTo);
    const form = parseForm(personFormSchema, fields);
    const render = (failure: { errors: Record<string, string>; errorList: unknown[] }) =>
      reply.status(400).view('people/views/new.njk', {
        title: 'Add a person',
        values: submittedValues(fields),
        options: personFormOptions,
        returnTo,
        ...failure,
      });
    if (!form.ok) return render(form);
    try {
      const person = await people.create(actorOf(request), form.data);
      if (returnTo) return reply.redirect(withQuery(returnTo, 'personId', person.id), 303);
      return reply.redirect(`/people/${person.id}?created=1`, 303);
    } catch (err) {
      if (err instanceof ConflictError) return render(fieldFailure('email', err.message));
      throw err;
    }
  });

  app.get(
    '/people/:id',
    {
      schema: { querystring: flags('created', 'email', 'saved', 'role', 'consent', 'erasure', 'error'), params: idParams },
      config: staffOnly,
    },
    async (request, reply) => {
      const actor = actorOf(request);
      const person = await people.viewAsStaff(actor, request.params.id, 'web');
      const consentStatus = await consents.statusFor(person.id);
      const q = request.query;
      return reply.view('people/views/show.njk', {
        title: person.name,
        subject: person,
        consents: consentStatus.current,
        accessNeedLabel,
        experienceLabel,
        roleLabel: ROLE_LABELS[person.role],
        contactLabel: contactPreferenceLabel(person),
        roleItems,
        canChangeRole: request.person!.role === 'admin',
        banner: q.created
          ? 'Person added'
          : q.email === 'pending' && person.pendingEmail
            ? `Changes saved. The new email address, ${person.pendingEmail}, is used once its owner uses the link we sent to it. Until then we write to the old one.`
            : q.saved
              ? 'Changes saved'
              : q.role
                ? 'Role changed'
                : q.consent
                  ? 'Consent updated'
                  : q.erasure
                    ? 'Erasure request recorded'
                    : null,
        errorList: q.error === 'last-admin' ? [{ text: 'There must always be at least one organisation admin', href: '#role' }] : [],
      });
    },
  );

  app.get('/people/:id/edit', { schema: { params: idParams }, config: staffOnly }, async (request, reply) => {
    const person = await people.viewAsStaff(actorOf(request), request.params.id, 'web', { toChange: true });
    return reply.view('people/views/edit.njk', {
      title: `Change ${person.name}'s details`,
      subject: person,
      values: personFormValues(person),
      errors: {},
      options: personFormOptions,
    });
  });

  app.post('/people/:id/edit', { schema: { params: idParams }, config: { ...staffOnly, csrfBound: true } }, async (request, reply) => {
    const actor = actorOf(request);
    const subject = await people.get(request.params.id);
    const form = parseForm(personFormSchema, request.body);
    const render = (failure: { errors: Record<string, string>; errorList: unknown[] }) =>
      reply.status(400).view('people/views/edit.njk', {
        title: `Change ${subject.name}'s details`,
        subject,
        values: submittedValues(request.body),
        options: personFormOptions,
        ...failure,
      });
    if (!form.ok) return render(form);
    try {
      const { emailChange } = await people.update(actor, subject.id, form.data);
      return reply.redirect(`/people/${subject.id}?saved=1${emailChange === 'pending' ? '&email=pending' : ''}`, 303);
    } catch (err) {
      if (err instanceof ConflictError) return render(fieldFailure('email', err.message));
      throw err;
    }
  });

  // Bound to its own form: a token from any other form (an injected `formaction`) is refused.
  app.post(
    '/people/:id/role',
    { schema: { params: idParams }, config: { access: ['admin'], hideWhenDenied: true, csrfBound: true } },
    async (request, reply) => {
      const subject = await people.get(request.params.id);
      const form = parseForm(roleFormSchema, request.body);
      if (!form.ok) return reply.status(400).view('errors/400.njk', { title: 'Choose a role', detail: 'Choose one of the roles listed.' });
      try {
        await people.setRole(actorOf(request), subject.id, form.data.role);
      } catch (err) {
        if (err instanceof ConflictError) return reply.redirect(`/people/${subject.id}?error=last-admin`, 303);
        throw err;
      }
      return reply.redirect(`/people/${subject.id}?role=1`, 303);
    },
  );

  for (const action of ['give', 'withdraw'] as const) {
    app.post<{ Params: { id: string } }>(`/people/:id/consents/${action}`, { config: staffOnly }, async (request, reply) => {
      const subject = await people.get(request.params.id);
      const refusal = refusalToManage(actorOf(request), subject);
      if (refusal) throw new ForbiddenError(refusal);
      const form = parseForm(consentFormSchema, request.body);
      if (!form.ok)
        return reply.status(400).view('errors/400.njk', { title: 'Choose a consent', detail: 'Choose one of the consents listed.' });
      await consents[action](request.person!.id, subject.id, form.data.purpose);
      return reply.redirect(`/people/${subject.id}?consent=1#consents`, 303);
    });
  }

  // Staff record a request made by phone or post, for someone who does not use the web.
  app.post('/people/:id/erasure-request', { schema: { params: idParams }, config: staffOnly }, async (request, reply) => {
    await people.requestErasure(actorOf(request), request.params.id);
    return reply.redirect(`/people/${request.params.id}?erasure=1`, 303);
  });

  const erasureRequestsPage = async (reply: FastifyReply, opts: { status?: number; banner?: string | null; error?: string } = {}) =>
    reply.status(opts.status ?? 200).view('people/views/erasure-requests.njk', {
      title: 'Erasure requests',
      requests: await people.listErasureRequests(),
      banner: opts.banner ?? null,
      errorList: opts.error ? [{ text: opts.error, href: '#requests' }] : [],
    });

  app.get('/erasure-requests', { schema: { querystring: flags('cancelled', 'done') }, config: staffOnly }, async (request, reply) => {
    const q = request.query;
    return erasureRequestsPage(reply, {
      banner: q.done ? 'Erased. Their contributions still count, without their name.' : q.cancelled ? 'Request cancelled' : null,
    });
  });

  app.post(
    '/erasure-requests/:id/confirm',
    { schema: { params: idParams }, config: { ...staffOnly, csrfBound: true } },
    async (request, reply) => {
      try {
        await people.confirmErasure(actorOf(request), request.params.id);
      } catch (err) {
        // Nothing was erased: say why on the same page.
        if (err instanceof ConflictError) return erasureRequestsPage(reply, { status: 409, error: err.message });
        if (err instanceof ForbiddenError) return erasureRequestsPage(reply, { status: 403, error: err.message });
        throw err;
      }
      return reply.redirect('/erasure-requests?done=1', 303);
    },
  );

  app.post('/erasure-requests/:id/cancel', { schema: { params: idParams }, config: staffOnly }, async (request, reply) => {
    await people.cancelErasureRequest(actorOf(request), request.params.id);
    return reply.redirect('/erasure-requests?cancelled=1', 303);
  });
}
