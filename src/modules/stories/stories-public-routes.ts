import { randomUUID } from 'node:crypto';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { failureView } from '../../lib/form-cycle.ts';
import { formFailure, parseForm, summaryFailure, type FormFailure } from '../../lib/forms.ts';
import { idParams } from '../../lib/route-schemas.ts';
import { ValidationError } from '../../lib/validation.ts';
import { actorOf } from '../../plugins/access.ts';
import type { App } from '../../plugins/types.ts';
import { MAX_STORY, STORY_BODY_LIMIT, storyFormSchema } from './stories-schemas.ts';
import { ResentFormError, type StoriesService } from './stories-service.ts';
import { publicStoryView } from './stories-view.ts';

const PUBLIC = { access: 'public' as const };
const optionalId = z
  .string()
  .regex(/^[0-9a-f-]{36}$/i)
  .optional()
  .catch(undefined);
const libraryQuery = z.object({ conversation: optionalId, theme: z.string().max(60).optional().catch(undefined) });
const thanksQuery = z.object({
  ref: z
    .string()
    .regex(/^[0-9a-f]{8}$/)
    .optional()
    .catch(undefined),
  email: z.string().max(3).optional().catch(undefined),
});

/**
 * A body over the form's limit never reaches the handler: the page says plainly what happened and
 * that nothing was kept. Any other error goes on to the app's handler.
 */
export function tooLongPage(this: unknown, err: FastifyError, _request: FastifyRequest, reply: FastifyReply) {
  if (err.code !== 'FST_ERR_CTP_BODY_TOO_LARGE') throw err;
  return reply
    .status(413)
    .view('stories/views/too-long.njk', { title: 'Your story is too long to send', max: MAX_STORY.toLocaleString('en-GB') });
}

/** The story library, one story, and the form anyone can use to send one in. */
export function storiesPublicRoutes(app: App, deps: { stories: StoriesService }) {
  const { stories } = deps;

  app.get('/stories', { schema: { querystring: libraryQuery }, config: PUBLIC }, async (request, reply) => {
    const filter = { conversationId: request.query.conversation, theme: request.query.theme };
    const lib = await stories.library(filter);
    return reply.view('stories/views/library.njk', {
      title: 'Stories',
      stories: lib.stories.map((s) => publicStoryView(s.story, s.conversationTitle)),
      filter: { conversation: filter.conversationId ?? '', theme: filter.theme ?? '' },
      filtered: !!(filter.conversationId || filter.theme),
      conversationItems: [{ value: '', text: 'All conversations' }, ...lib.conversations.map((c) => ({ value: c.id, text: c.title }))],
      themeItems: [{ value: '', text: 'All themes' }, ...lib.themes.map((t) => ({ value: t, text: t }))],
    });
  });

  async function formPage(
    request: FastifyRequest,
    reply: FastifyReply,
    extra: { values?: Record<string, unknown>; failure?: FormFailure; status?: number; conversation?: string } = {},
  ) {
    const open = await stories.openConversations();
    const me = request.person;
    const values = extra.values ?? {
      authorName: me?.name ?? '',
      authorEmail: me?.email ?? '',
      authorOrganisation: me?.organisation ?? '',
      conversationId: open.some((c) => c.id === extra.conversation) ? extra.conversation : '',
      submissionKey: randomUUID(),
    };
    return reply.status(extra.status ?? 200).view('stories/views/new.njk', {
      title: 'Share your story',
      action: '/stories/new',
      values,
      signedIn: !!me,
      max: MAX_STORY.toLocaleString('en-GB'),
      conversationItems: [
        { value: '', text: 'Not part of a conversation' },
        ...open.map((c) => ({ value: c.id, text: c.title, selected: c.id === values.conversationId })),
      ],
      ...failureView(extra.failure),
    });
  }

  app.get('/stories/new', { schema: { querystring: z.object({ conversation: optionalId }) }, config: PUBLIC }, (request, reply) =>
    formPage(request, reply, { conversation: request.query.conversation }),
  );

  app.post('/stories/new', { config: PUBLIC, bodyLimit: STORY_BODY_LIMIT, errorHandler: tooLongPage }, async (request, reply) => {
    const values = { ...((request.body ?? {}) as Record<string, unknown>) };
    const form = parseForm(storyFormSchema, request.body);
    if (!form.ok) return formPage(request, reply, { values, failure: form, status: 400 });
    try {
      const { story } = await stories.submit(request.person ? actorOf(request) : null, form.data, { source: 'web' });
      // The same page for a double click: the second post found the first story by its key.
      return reply.redirect(`/stories/thank-you?ref=${story.id.slice(0, 8)}&email=${story.authorEmail ? 'yes' : 'no'}`, 303);
    } catch (err) {
      if (err instanceof ValidationError) return formPage(request, reply, { values, failure: formFailure(err.errors), status: 400 });
      // Their words stay on the page, with a key of its own, so sending it again makes a story of its own.
      if (err instanceof ResentFormError)
        return formPage(request, reply, {
          values: { ...values, submissionKey: randomUUID() },
          failure: summaryFailure(err.message, '#title'),
          status: 409,
        });
      throw err;
    }
  });

  app.get('/stories/thank-you', { schema: { querystring: thanksQuery }, config: PUBLIC }, async (request, reply) =>
    reply.view('stories/views/thank-you.njk', {
      title: 'Thank you for your story',
      ref: request.query.ref?.toUpperCase() ?? null,
      emailed: request.query.email === 'yes',
      signedIn: !!request.person,
    }),
  );

  app.get('/stories/:id', { schema: { params: idParams }, config: PUBLIC }, async (request, reply) => {
    const { story: s, conversationTitle } = await stories.publishedStory(request.params.id);
    return reply.view('stories/views/story.njk', { title: s.title, story: publicStoryView(s, conversationTitle) });
  });
}
