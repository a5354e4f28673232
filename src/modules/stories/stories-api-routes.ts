import type { z } from 'zod';
import type { Story } from '../../db/schema.ts';
import { idParams } from '../../lib/route-schemas.ts';
import { actorOf } from '../../plugins/access.ts';
import type { App } from '../../plugins/types.ts';
import { pageSchema, problems, requireJson, STAFF_API } from '../api/api-common.ts';
import {
  moderationApiInputSchema,
  publishedStoryOutSchema,
  STORY_BODY_LIMIT,
  storyApiInputSchema,
  storyCreatedSchema,
  storyListQuerySchema,
  storyOutSchema,
} from './stories-schemas.ts';
import { shownName, type StoriesService } from './stories-service.ts';
import { withFields } from './story-flags.ts';

const OPEN = { access: 'public', api: true } as const;
const iso = (d: Date | null) => (d ? d.toISOString() : null);

const publishedOut = (s: Story): z.infer<typeof publishedStoryOutSchema> => ({
  id: s.id,
  title: s.title,
  body: s.publishedBody ?? '',
  authorName: shownName(s),
  publishedAt: s.publishedAt!.toISOString(),
  conversationId: s.conversationId,
  easyReadSummary: s.easyReadSummary,
  themes: s.themes,
});

/** "Conversations and stories" of the v1 contract: the stories part. */
export function storiesApiRoutes(app: App, deps: { stories: StoriesService }) {
  const { stories } = deps;

  async function storyOut(id: string): Promise<z.infer<typeof storyOutSchema>> {
    const { story: s, history } = await stories.forStaff(id);
    return {
      id: s.id,
      title: s.title,
      body: s.body,
      publishedBody: s.publishedBody,
      status: s.status,
      flags: withFields(s.flags),
      consent: { publish: s.consentPublish, showName: s.consentShowName, quote: s.consentQuote, answeredAt: iso(s.consentAt) },
      authorName: s.authorName,
      authorEmail: s.authorEmail,
      authorOrganisation: s.authorOrganisation,
      personId: s.personId,
      conversationId: s.conversationId,
      source: s.source,
      easyReadSummary: s.easyReadSummary,
      themes: s.themes,
      createdAt: s.createdAt.toISOString(),
      publishedAt: iso(s.publishedAt),
      withdrawnAt: iso(s.withdrawnAt),
      // `note` is what staff wrote; a publish or correction that changed the title says what it was.
      moderation: history.map((h) => ({
        action: h.action,
        note: h.note,
        byPersonId: h.byPerson,
        at: h.at.toISOString(),
        ...(h.titleAsSent !== null ? { titleAsSent: h.titleAsSent } : {}),
        ...(h.titleBefore !== null ? { titleBefore: h.titleBefore } : {}),
      })),
    };
  }

  app.post(
    '/api/v1/stories',
    {
      config: STAFF_API,
      preValidation: requireJson,
      bodyLimit: STORY_BODY_LIMIT,
      schema: {
        summary: 'Send in a story for someone (staff): it waits for moderation, with the personal details found in it',
        body: storyApiInputSchema,
        response: { 201: storyCreatedSchema, ...problems(400, 401, 403, 413, 415) },
      },
    },
    async (request, reply) => {
      const { consent, ...rest } = request.body;
      const { story } = await stories.submit(actorOf(request), { ...rest, consent }, { source: 'api' });
      return reply.status(201).send({ id: story.id, status: 'submitted' as const, flags: withFields(story.flags) });
    },
  );

  app.post(
    '/api/v1/stories/:id/moderation',
    {
      config: STAFF_API,
      preValidation: requireJson,
      bodyLimit: STORY_BODY_LIMIT,
      schema: {
        summary:
          'Decide on a story: publish (title and body = the redacted title and text), ask the author for changes, or reject; once published, correct it in place or take_down (it leaves the library and this API at once and waits for changes). 409 if the story has moved on (or the decision is not one its status allows), the author has not agreed to publish, or flagged details remain in the title or the text without publishAnyway',
        params: idParams,
        body: moderationApiInputSchema,
        response: { 200: storyOutSchema, ...problems(400, 401, 403, 404, 409, 413, 415) },
      },
    },
    async (request) => {
      await stories.decide(actorOf(request), request.params.id, request.body);
      return storyOut(request.params.id);
    },
  );

  app.get(
    '/api/v1/stories/:id',
    {
      config: STAFF_API,
      schema: {
        summary: 'A story as staff see it: status, flags, consent and its moderation history',
        params: idParams,
        response: { 200: storyOutSchema, ...problems(401, 403, 404) },
      },
    },
    async (request) => storyOut(request.params.id),
  );

  app.get(
    '/api/v1/stories',
    {
      config: OPEN,
      schema: {
        summary: 'Published stories, newest first (no token needed); a story whose author withdraws leaves this list at once',
        querystring: storyListQuerySchema,
        response: { 200: pageSchema(publishedStoryOutSchema), ...problems(400) },
      },
    },
    async (request) => {
      const q = request.query;
      const page = await stories.publishedPage({ conversationId: q.conversationId, theme: q.theme, cursor: q.cursor, limit: q.limit });
      return { items: page.items.map(publishedOut), nextCursor: page.nextCursor };
    },
  );
}
