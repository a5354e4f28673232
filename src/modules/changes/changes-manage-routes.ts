import { randomUUID } from 'node:crypto';
import type { FastifyReply } from 'fastify';
import { CHANGE_STATUSES, type Change } from '../../db/schema.ts';
import { failureView } from '../../lib/form-cycle.ts';
import { formFailure, parseForm, summaryFailure, type FormFailure } from '../../lib/forms.ts';
import { flags, idParams } from '../../lib/route-schemas.ts';
import { ConflictError, NotFoundError, ValidationError } from '../../lib/validation.ts';
import { londonDay } from '../../lib/dates.ts';
import { actorOf } from '../../plugins/access.ts';
import type { App } from '../../plugins/types.ts';
import { changeFormSchema, MAX_TEXT, publishFormSchema, sourceChoiceValue, STATUS_LABELS } from './changes-schemas.ts';
import type { ChangesService } from './changes-service.ts';
import { staffChangeView } from './changes-view.ts';

const STAFF = { access: ['admin', 'staff'] as const, hideWhenDenied: true };
// The source's errors come as source.id and source.theme: both belong to the one list on the form.
const FORM_OPTIONS = { idFor: (p: string) => (p === 'publishedOn' ? 'publishedOn-day' : p === 'status' ? 'status' : p) };

/** A saved entry as its form's boxes. */
const valuesOf = (c: Change) => {
  const [y = '', m = '', d = ''] = c.publishedOn?.split('-') ?? [];
  return {
    youSaid: c.youSaid,
    weDid: c.weDid,
    status: c.status,
    source: c.sourceType && c.sourceId ? sourceChoiceValue({ type: c.sourceType, id: c.sourceId, theme: c.sourceTheme }) : '',
    'publishedOn[day]': d && String(Number(d)),
    'publishedOn[month]': m && String(Number(m)),
    'publishedOn[year]': y,
  };
};

/** Staff record "You said, we did" entries, publish them, take them down, and delete drafts. */
export function changesManageRoutes(app: App, deps: { changes: ChangesService }) {
  const { changes } = deps;

  app.get('/manage/changes', { config: STAFF, schema: { querystring: flags('deleted') } }, async (request, reply) => {
    const list = await changes.listForStaff();
    const views = list.map((e) => staffChangeView(e.change, e.source));
    return reply.view('changes/views/manage-list.njk', {
      title: 'You said, we did',
      drafts: views.filter((v) => !v.published),
      published: views.filter((v) => v.published),
      deleted: !!request.query.deleted,
    });
  });

  async function changeForm(
    reply: FastifyReply,
    ctx: { change?: Change; values: Record<string, unknown>; failure?: FormFailure },
    status = 200,
  ) {
    const choices = await changes.sourceChoices();
    const chosen = String(ctx.values.source ?? '');
    // A source chosen before that can no longer be chosen (a story withdrawn since) stays on the list, said so.
    const current =
      ctx.change && chosen && !choices.some((c) => c.value === chosen)
        ? [
            {
              value: chosen,
              text: `${(await changes.forStaff(ctx.change.id)).source?.title ?? 'The source chosen before'} (kept as it is)`,
            },
          ]
        : [];
    return reply.status(status).view('changes/views/manage-form.njk', {
      title: ctx.change ? 'Change this entry' : 'Record a change',
      action: ctx.change ? `/manage/changes/${ctx.change.id}/edit` : '/manage/changes/new',
      back: ctx.change ? `/manage/changes/${ctx.change.id}` : '/manage/changes',
      creating: !ctx.change,
      published: !!ctx.change?.publishedOn,
      values: ctx.values,
      max: MAX_TEXT.toLocaleString('en-GB'),
      statusItems: CHANGE_STATUSES.map((s) => ({ value: s, text: STATUS_LABELS[s], checked: ctx.values.status === s })),
      sourceItems: [
        { value: '', text: 'Not linked to a source' },
        ...[...current, ...choices].map((c) => ({ value: c.value, text: c.text, selected: c.value === chosen })),
      ],
      ...failureView(ctx.failure),
    });
  }

  app.get('/manage/changes/new', { config: STAFF }, async (_request, reply) =>
    changeForm(reply, { values: { submissionKey: randomUUID() } }),
  );

  app.post('/manage/changes/new', { config: STAFF }, async (request, reply) => {
    const values = { ...((request.body ?? {}) as Record<string, unknown>) };
    const form = parseForm(changeFormSchema, request.body, FORM_OPTIONS);
    if (!form.ok) return changeForm(reply, { values, failure: form }, 400);
    const publish = form.data.action === 'publish';
    try {
      const { change } = await changes.create(actorOf(request), form.data.input, {
        publishedOn: publish ? (form.data.publishedOn ?? londonDay(new Date())) : undefined,
        submissionKey: form.data.submissionKey,
      });
      return reply.redirect(`/manage/changes/${change.id}?${change.publishedOn ? 'published' : 'saved'}=1`, 303);
    } catch (err) {
      if (err instanceof ValidationError) return changeForm(reply, { values, failure: formFailure(err.errors, FORM_OPTIONS) }, 400);
      // What was typed stays, with a key of its own, so sending it again records an entry of its own.
      if (err instanceof ConflictError)
        return changeForm(
          reply,
          { values: { ...values, submissionKey: randomUUID() }, failure: summaryFailure(err.message, '#youSaid') },
          409,
        );
      throw err;
    }
  });

  const detailQuery = flags('saved', 'published', 'unpublished', 'changed', 'error');
  async function detailPage(
    reply: FastifyReply,
    id: string,
    extra: { query?: Record<string, string | undefined>; failure?: FormFailure; values?: Record<string, unknown> } = {},
    status = 200,
  ) {
    const { change, source } = await changes.forStaff(id);
    const q = extra.query ?? {};
    const banner = q.published
      ? 'Published: it is on the You said, we did page'
      : q.unpublished
        ? 'Unpublished: it is a draft again, seen only by staff'
        : q.saved
          ? 'Saved as a draft'
          : q.changed
            ? 'Changes saved'
            : null;
    return reply.status(status).view('changes/views/manage-change.njk', {
      title: 'You said, we did: an entry',
      entry: staffChangeView(change, source),
      banner,
      problem: q.error === 'published' ? 'This change is published: unpublish it before deleting it' : null,
      values: extra.values ?? {},
      ...failureView(extra.failure),
    });
  }

  app.get('/manage/changes/:id', { config: STAFF, schema: { params: idParams, querystring: detailQuery } }, async (request, reply) =>
    detailPage(reply, request.params.id, { query: request.query }),
  );

  app.get('/manage/changes/:id/edit', { config: STAFF, schema: { params: idParams } }, async (request, reply) => {
    const change = await changes.get(request.params.id);
    return changeForm(reply, { change, values: valuesOf(change) });
  });

  app.post('/manage/changes/:id/edit', { config: STAFF, schema: { params: idParams } }, async (request, reply) => {
    const change = await changes.get(request.params.id);
    const values = { ...((request.body ?? {}) as Record<string, unknown>) };
    const form = parseForm(changeFormSchema, request.body, FORM_OPTIONS);
    if (!form.ok) return changeForm(reply, { change, values, failure: form }, 400);
    try {
      await changes.update(actorOf(request), change.id, form.data.input, { publishedOn: form.data.publishedOn });
    } catch (err) {
      if (err instanceof ValidationError) return changeForm(reply, { change, values, failure: formFailure(err.errors, FORM_OPTIONS) }, 400);
      throw err;
    }
    return reply.redirect(`/manage/changes/${change.id}?changed=1`, 303);
  });

  app.post('/manage/changes/:id/publish', { config: STAFF, schema: { params: idParams } }, async (request, reply) => {
    const id = request.params.id;
    const values = { ...((request.body ?? {}) as Record<string, unknown>) };
    const form = parseForm(publishFormSchema, request.body, FORM_OPTIONS);
    if (!form.ok) return detailPage(reply, id, { failure: form, values }, 400);
    try {
      await changes.publish(actorOf(request), id, form.data.publishedOn);
    } catch (err) {
      if (err instanceof ValidationError) return detailPage(reply, id, { failure: formFailure(err.errors, FORM_OPTIONS), values }, 400);
      // A second click finds it published: the same page, saying so.
      if (err instanceof ConflictError) return reply.redirect(`/manage/changes/${id}?published=1`, 303);
      throw err;
    }
    return reply.redirect(`/manage/changes/${id}?published=1`, 303);
  });

  app.post('/manage/changes/:id/unpublish', { config: STAFF, schema: { params: idParams } }, async (request, reply) => {
    const id = request.params.id;
    try {
      await changes.unpublish(actorOf(request), id);
    } catch (err) {
      if (!(err instanceof ConflictError)) throw err;
    }
    return reply.redirect(`/manage/changes/${id}?unpublished=1`, 303);
  });

  app.post('/manage/changes/:id/delete', { config: STAFF, schema: { params: idParams } }, async (request, reply) => {
    const id = request.params.id;
    try {
      await changes.remove(actorOf(request), id);
    } catch (err) {
      if (err instanceof ConflictError) return reply.redirect(`/manage/changes/${id}?error=published`, 303);
      // A second click finds it gone: the list, as after the first.
      if (!(err instanceof NotFoundError)) throw err;
    }
    return reply.redirect('/manage/changes?deleted=1', 303);
  });
}
