import type { FastifyReply } from 'fastify';
import QRCode from 'qrcode';
import { z } from 'zod';
import { fieldFailure, parseForm, summaryFailure, type FormFailure } from '../../lib/forms.ts';
import { ConflictError, ValidationError } from '../../lib/validation.ts';
import { actorOf } from '../../plugins/access.ts';
import type { EventsService } from '../events/events-service.ts';
import { optionsOf } from './answers.ts';
import { questionView } from './forms-view.ts';
import { copyFormSchema, formSettingsFormSchema, QUESTION_TYPE_LABELS, QUESTION_TYPES, questionFormSchema } from './forms-schemas.ts';
import { FORM_TEMPLATES } from './form-templates.ts';
import type { FormsService } from './forms-service.ts';
import { flags, idParams, uuid } from '../../lib/route-schemas.ts';
import { plural } from '../../lib/plural.ts';
import type { App } from '../../plugins/types.ts';
import { failureView, formCycle } from '../../lib/form-cycle.ts';

const STAFF = { access: ['admin', 'staff'] as const, hideWhenDenied: true };

/** Staff: building forms, copying them, opening and closing, inviting and reminding. Results are in forms-results-routes.ts. */
export function formsManageRoutes(app: App, deps: { forms: FormsService; events: EventsService; publicUrl: string }) {
  const { forms } = deps;

  const eventItems = async () => [
    { value: '', text: 'Not linked to an event' },
    ...(await deps.events.list({ publishedOnly: false })).map((e) => ({ value: e.id, text: e.title })),
  ];

  app.get('/manage/forms', { config: STAFF }, async (_request, reply) =>
    reply.view('forms/views/manage-list.njk', { title: 'Forms', forms: await forms.list() }),
  );

  const settingsPage = async (
    reply: FastifyReply,
    values: Record<string, unknown>,
    failure?: FormFailure,
    status = 200,
    edit?: { id: string },
  ) =>
    reply.status(status).view('forms/views/manage-new.njk', {
      title: edit ? 'Change the form' : 'Create a form',
      action: edit ? `/manage/forms/${edit.id}/settings` : '/manage/forms/new',
      back: edit ? `/manage/forms/${edit.id}` : '/manage/forms',
      submitText: edit ? 'Save changes' : 'Create form',
      editing: !!edit,
      values,
      eventItems: await eventItems(),
      ...failureView(failure),
    });

  app.get('/manage/forms/new', { schema: { querystring: flags('event') }, config: STAFF }, async (request, reply) =>
    settingsPage(reply, { eventId: request.query.event ?? '' }),
  );

  app.post('/manage/forms/new', { config: STAFF }, async (request, reply) => {
    const form = parseForm(formSettingsFormSchema, request.body, { idFor: (f) => (f === 'anonymous' ? 'anonymous' : f) });
    if (!form.ok) return settingsPage(reply, request.body as Record<string, unknown>, form, 400);
    try {
      const created = await forms.create(actorOf(request), form.data);
      return reply.redirect(`/manage/forms/${created.id}?created=1`, 303);
    } catch (err) {
      if (err instanceof ValidationError)
        return settingsPage(reply, request.body as Record<string, unknown>, fieldFailure('eventId', err.errors[0]!.message), 400);
      throw err;
    }
  });

  // ---- copying a form from a template or an earlier form ---------------------------------------
  const copyPage = async (reply: FastifyReply, values: Record<string, unknown>, failure?: FormFailure, status = 200) => {
    const [all, events] = await Promise.all([forms.list(), deps.events.list({ publishedOnly: false })]);
    const eventTitle = new Map(events.map((e) => [e.id, e.title]));
    const counts = await Promise.all(all.slice(0, 50).map(async (f) => (await forms.questions(f.id)).filter((q) => !q.hidden).length));
    const questionsText = (n: number) => `${n} ${n === 1 ? 'question' : 'questions'}`;
    const sourceItems = [
      ...FORM_TEMPLATES.map((tpl) => ({
        value: `template:${tpl.id}`,
        text: `Template: ${tpl.title}`,
        hint: { text: `${tpl.summary} ${questionsText(tpl.questions.length)}.` },
      })),
      ...(all.length ? [{ divider: 'or an earlier form' }] : []),
      ...all.slice(0, 50).map((f, i) => ({
        value: f.id,
        text: f.title,
        hint: {
          text: [f.eventId ? `For ${eventTitle.get(f.eventId) ?? 'an event'}` : 'Not linked to an event', questionsText(counts[i]!)].join(
            ' · ',
          ),
        },
      })),
    ];
    return reply.status(status).view('forms/views/manage-copy.njk', {
      title: 'Copy a form',
      values,
      sourceItems,
      eventItems: await eventItems(),
      ...failureView(failure),
    });
  };

  app.get('/manage/forms/copy', { schema: { querystring: flags('event', 'from') }, config: STAFF }, async (request, reply) =>
    copyPage(reply, { eventId: request.query.event ?? '', source: request.query.from ?? '' }),
  );

  app.post('/manage/forms/copy', { config: STAFF }, async (request, reply) =>
    formCycle(reply, {
      schema: copyFormSchema,
      body: request.body,
      options: { idFor: (f) => (f === 'source' ? 'source' : f) },
      run: (data) => forms.copy(actorOf(request), data.source, { title: data.title, eventId: data.eventId }),
      redirect: (created) => `/manage/forms/${created.id}?copied=1`,
      again: (failure, status) => copyPage(reply, request.body as Record<string, unknown>, failure, status),
    }),
  );

  app.get('/manage/forms/:id/settings', { schema: { params: idParams }, config: STAFF }, async (request, reply) => {
    const f = await forms.get(request.params.id);
    return settingsPage(
      reply,
      {
        title: f.title,
        intro: f.intro ?? '',
        anonymous: f.anonymous ? 'yes' : 'no',
        easyRead: f.easyRead ? 'yes' : '',
        eventId: f.eventId ?? '',
      },
      undefined,
      200,
      { id: f.id },
    );
  });

  app.post('/manage/forms/:id/settings', { schema: { params: idParams }, config: STAFF }, async (request, reply) => {
    const f = await forms.get(request.params.id);
    const values = request.body as Record<string, unknown>;
    const form = parseForm(formSettingsFormSchema, request.body);
    if (!form.ok) return settingsPage(reply, values, form, 400, { id: f.id });
    try {
      await forms.updateSettings(actorOf(request), f.id, form.data);
    } catch (err) {
      if (err instanceof ConflictError) return settingsPage(reply, values, fieldFailure('anonymous', err.message), 409, { id: f.id });
      if (err instanceof ValidationError)
        return settingsPage(reply, values, fieldFailure('eventId', err.errors[0]!.message), 400, { id: f.id });
      throw err;
    }
    return reply.redirect(`/manage/forms/${f.id}?saved=1`, 303);
  });

  const builder = async (
    reply: FastifyReply,
    id: string,
    extra: { values?: Record<string, unknown>; failure?: FormFailure; banner?: string | null } = {},
    status = 200,
  ) => {
    const form = await forms.get(id);
    const questions = await forms.questions(id);
    const publicLink = `${deps.publicUrl}/f/${id}`;
    return reply.status(status).view('forms/views/manage-form.njk', {
      title: form.title,
      form,
      questions: questions.map((q) => ({ ...q, typeLabel: QUESTION_TYPE_LABELS[q.type], optionsText: optionsOf(q).join(', ') })),
      typeItems: QUESTION_TYPES.map((t) => ({ value: t, text: QUESTION_TYPE_LABELS[t] })),
      values: extra.values ?? { type: 'rating' },
      ...failureView(extra.failure),
      banner: extra.banner ?? null,
      publicLink,
    });
  };

  app.get(
    '/manage/forms/:id',
    {
      schema: {
        querystring: flags(
          'added',
          'closed',
          'copied',
          'created',
          'emailed',
          'error',
          'hidden',
          'invited',
          'moved',
          'opened',
          'reminded',
          'removed',
          'saved',
          'shown',
        ),
        params: idParams,
      },
      config: STAFF,
    },
    async (request, reply) => {
      const q = request.query;
      // One line per action, so every button on the builder says what it did.
      const banners: [string | undefined, string][] = [
        [q.created, 'Form created. Add its questions, then open it when it is ready'],
        [q.saved, 'Changes saved'],
        [q.added, 'Question added'],
        [q.moved, `Question moved ${q.moved === 'up' ? 'up' : 'down'}`],
        [q.removed, 'Question deleted'],
        [q.shown, 'Question shown again: people will be asked it'],
        [q.hidden, 'That question has answers, so it is hidden rather than deleted'],
        [q.copied, 'Form copied: it is a draft, so check the questions, then open it'],
        [q.opened, 'The form is open: people can answer it'],
        [q.closed, 'The form is closed'],
        [q.invited, `Invited ${plural(Number(q.invited), 'person', 'people')} who came (${q.emailed} by email)`],
        [q.reminded, `Reminded ${plural(Number(q.reminded), 'person', 'people')}`],
      ];
      const banner = banners.find(([flag]) => flag)?.[1] ?? null;
      return builder(reply, request.params.id, { banner, failure: q.error ? summaryFailure(q.error, '#questions') : undefined });
    },
  );

  app.post('/manage/forms/:id/questions', { schema: { params: idParams }, config: STAFF }, async (request, reply) =>
    formCycle(reply, {
      schema: questionFormSchema,
      body: request.body,
      run: (data) => forms.addQuestion(actorOf(request), request.params.id, data),
      redirect: () => `/manage/forms/${request.params.id}?added=1#questions`,
      again: (failure, status) => builder(reply, request.params.id, { values: request.body as Record<string, unknown>, failure }, status),
    }),
  );

  // ---- changing one question -----------------------------------------------------------------
  const questionParams = z.object({ id: uuid, qid: uuid });
  const questionPage = async (
    reply: FastifyReply,
    params: { id: string; qid: string },
    values: Record<string, unknown> | null,
    failure?: FormFailure,
    status = 200,
  ) => {
    const form = await forms.get(params.id);
    const { question: q, answered } = await forms.questionForChange(form.id, params.qid);
    return reply.status(status).view('forms/views/manage-question.njk', {
      title: `Change a question: ${q.text}`,
      form,
      questionId: q.id,
      answered,
      fixedType: answered ? QUESTION_TYPE_LABELS[q.type] : null,
      typeItems: QUESTION_TYPES.map((t) => ({ value: t, text: QUESTION_TYPE_LABELS[t] })),
      values: values ?? {
        text: q.text,
        easyReadText: q.easyReadText ?? '',
        type: q.type,
        options: q.options.join('\n'),
        required: q.required ? 'yes' : '',
        key: q.key,
      },
      ...failureView(failure),
    });
  };

  app.get('/manage/forms/:id/questions/:qid', { schema: { params: questionParams }, config: STAFF }, async (request, reply) =>
    questionPage(reply, request.params, null),
  );

  app.post('/manage/forms/:id/questions/:qid', { schema: { params: questionParams }, config: STAFF }, async (request, reply) =>
    formCycle(reply, {
      schema: questionFormSchema,
      body: request.body,
      run: (data) => forms.changeQuestion(actorOf(request), request.params.id, request.params.qid, data),
      redirect: () => `/manage/forms/${request.params.id}?saved=1#questions`,
      again: (failure, status) => questionPage(reply, request.params, request.body as Record<string, unknown>, failure, status),
    }),
  );

  app.post<{ Params: { id: string; qid: string } }>(
    '/manage/forms/:id/questions/:qid/:action',
    { config: STAFF },
    async (request, reply) => {
      const { id, qid, action } = request.params as { id: string; qid: string; action: string };
      let done: string;
      if (action === 'up' || action === 'down') {
        await forms.moveQuestion(id, qid, action);
        done = `moved=${action}`;
      } else if (action === 'remove') done = (await forms.removeQuestion(id, qid)) === 'hidden' ? 'hidden=1' : 'removed=1';
      else if (action === 'show') {
        await forms.showQuestion(id, qid);
        done = 'shown=1';
      } else return reply.status(404).view('errors/404.njk', { title: 'Page not found' });
      return reply.redirect(`/manage/forms/${id}?${done}#questions`, 303);
    },
  );

  for (const status of ['open', 'closed'] as const) {
    app.post<{ Params: { id: string } }>(
      `/manage/forms/:id/${status === 'open' ? 'open' : 'close'}`,
      { config: STAFF },
      async (request, reply) => {
        try {
          await forms.setStatus(actorOf(request), request.params.id, status);
        } catch (err) {
          if (err instanceof ConflictError)
            return reply.redirect(`/manage/forms/${request.params.id}?error=${encodeURIComponent(err.message)}`, 303);
          throw err;
        }
        return reply.redirect(`/manage/forms/${request.params.id}?${status === 'open' ? 'opened' : 'closed'}=1`, 303);
      },
    );
  }

  app.post('/manage/forms/:id/invite', { schema: { params: idParams }, config: STAFF }, async (request, reply) => {
    try {
      const r = await forms.inviteAttendees(actorOf(request), request.params.id);
      return reply.redirect(`/manage/forms/${request.params.id}?invited=${r.invited}&emailed=${r.emailed}`, 303);
    } catch (err) {
      if (err instanceof ConflictError)
        return reply.redirect(`/manage/forms/${request.params.id}?error=${encodeURIComponent(err.message)}`, 303);
      throw err;
    }
  });

  app.post('/manage/forms/:id/remind', { schema: { params: idParams }, config: STAFF }, async (request, reply) => {
    try {
      const n = await forms.remind(actorOf(request), request.params.id);
      return reply.redirect(`/manage/forms/${request.params.id}?reminded=${n}`, 303);
    } catch (err) {
      if (err instanceof ConflictError)
        return reply.redirect(`/manage/forms/${request.params.id}?error=${encodeURIComponent(err.message)}`, 303);
      throw err;
    }
  });

  app.get('/manage/forms/:id/preview', { schema: { params: idParams }, config: STAFF }, async (request, reply) => {
    const form = await forms.get(request.params.id);
    const questions = (await forms.questions(form.id)).filter((q) => !q.hidden);
    return reply.view('forms/views/preview.njk', {
      title: `Preview: ${form.title}`,
      form,
      questions: questions.map((q) => questionView(form, q)),
      values: {},
      errors: {},
    });
  });

  app.get('/manage/forms/:id/qr.svg', { schema: { params: idParams }, config: STAFF }, async (request, reply) => {
    const form = await forms.get(request.params.id);
    const svg = await QRCode.toString(`${deps.publicUrl}/f/${form.id}`, { type: 'svg', margin: 2, width: 400, errorCorrectionLevel: 'M' });
    return reply.type('image/svg+xml').send(svg);
  });

  app.get('/manage/forms/:id/print', { schema: { params: idParams }, config: STAFF }, async (request, reply) => {
    const form = await forms.get(request.params.id);
    const qr = await QRCode.toString(`${deps.publicUrl}/f/${form.id}`, { type: 'svg', margin: 2, width: 400 });
    return reply.view('forms/views/print.njk', {
      title: `Print: ${form.title}`,
      form,
      qr: qr.replace('<svg ', '<svg role="img" aria-label="QR code for the form" '),
      publicLink: `${deps.publicUrl}/f/${form.id}`,
    });
  });
}
