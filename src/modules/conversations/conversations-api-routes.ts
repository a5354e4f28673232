import { z } from 'zod';
import type { Conversation } from '../../db/schema.ts';
import { UUID } from '../../db/ids.ts';
import { decodeCursor, pageOf } from '../../lib/pagination.ts';
import { idParams } from '../../lib/route-schemas.ts';
import { actorOf } from '../../plugins/access.ts';
import type { App } from '../../plugins/types.ts';
import { listQuerySchema, pageSchema, problems, requireJson, STAFF_API } from '../api/api-common.ts';
import {
  chatInputSchema,
  chatOutSchema,
  conversationInputSchema,
  conversationOutSchema,
  summaryOutSchema,
} from './conversations-schemas.ts';
import type { ConversationsService, SentChat } from './conversations-service.ts';

const chatsKey = z.strictObject({ id: z.string().regex(UUID) });

export const conversationOut = (c: Conversation): z.infer<typeof conversationOutSchema> => ({
  id: c.id,
  title: c.title,
  summary: c.summary,
  easyReadSummary: c.easyReadSummary,
  questions: c.questions,
  opensOn: c.opensOn,
  closesOn: c.closesOn,
  sectors: c.sectors,
  organisations: c.organisations,
  status: c.status,
});

const chatOut = (chat: SentChat, themes: Record<string, string[]>): z.infer<typeof chatOutSchema> => ({
  id: chat.id,
  teamName: chat.teamName,
  organisation: chat.organisation,
  sector: chat.sector,
  heldOn: chat.heldOn,
  peopleCount: chat.peopleCount,
  lived: chat.livedCount,
  answers: chat.answers,
  pledges: chat.pledges.map((p) => p.text),
  pledgeProgress: chat.pledges.map((p) => ({ text: p.text, progress: p.progress })),
  themes,
  onBehalf: !!chat.recordedBy,
  submittedAt: chat.submittedAt?.toISOString() ?? null,
});

/** "Conversations (team chats)" of the v1 contract. */
export function conversationsApiRoutes(app: App, deps: { conversations: ConversationsService }) {
  const { conversations } = deps;
  const statusChange = (status: 'open' | 'closed', summary: string) =>
    app.post(
      `/api/v1/conversations/:id/${status === 'open' ? 'open' : 'close'}`,
      {
        config: STAFF_API,
        schema: { summary, params: idParams, response: { 200: conversationOutSchema, ...problems(401, 403, 404, 409) } },
      },
      async (request) => conversationOut(await conversations.setStatus(actorOf(request), request.params.id, status)),
    );

  app.post(
    '/api/v1/conversations',
    {
      config: STAFF_API,
      preValidation: requireJson,
      schema: {
        summary: 'Create a conversation (a draft): its set questions, each with a prompt for the facilitator, and its dates',
        body: conversationInputSchema,
        response: { 201: conversationOutSchema, ...problems(400, 401, 403, 413, 415) },
      },
    },
    async (request, reply) => reply.status(201).send(conversationOut(await conversations.create(actorOf(request), request.body))),
  );
  app.get(
    '/api/v1/conversations',
    {
      config: STAFF_API,
      schema: { summary: 'Every conversation, newest first', response: { 200: pageSchema(conversationOutSchema), ...problems(401, 403) } },
    },
    async () => ({ items: (await conversations.list()).map(conversationOut), nextCursor: null }),
  );
  app.get(
    '/api/v1/conversations/:id',
    {
      config: STAFF_API,
      schema: { summary: 'A conversation', params: idParams, response: { 200: conversationOutSchema, ...problems(401, 403, 404) } },
    },
    async (request) => conversationOut(await conversations.get(request.params.id)),
  );
  statusChange('open', 'Open a conversation to team chats (until its closing date)');
  statusChange('closed', 'Close a conversation: no more chats; themes are found again');

  app.post(
    '/api/v1/conversations/:id/chats',
    {
      config: STAFF_API,
      preValidation: requireJson,
      schema: {
        summary: 'Record one team’s chat: its reflections on each question and the steps it will take (pledges)',
        params: idParams,
        body: chatInputSchema,
        response: { 201: z.object({ id: z.string() }), ...problems(400, 401, 403, 404, 409, 413, 415) },
      },
    },
    async (request, reply) => {
      const { chat } = await conversations.recordChat(actorOf(request), request.params.id, request.body, { onBehalf: true });
      return reply.status(201).send({ id: chat.id });
    },
  );
  app.get(
    '/api/v1/conversations/:id/chats',
    {
      config: STAFF_API,
      schema: {
        summary: 'The chats sent, oldest first, with the themes each answer is in',
        params: idParams,
        querystring: listQuerySchema,
        response: { 200: pageSchema(chatOutSchema), ...problems(400, 401, 403, 404) },
      },
    },
    async (request) => {
      await conversations.get(request.params.id);
      const after = decodeCursor(chatsKey, request.query.cursor);
      const all = await conversations.sentChatsOf(request.params.id);
      const start = after ? all.findIndex((c) => c.id === after.id) + 1 : 0;
      const page = pageOf(all.slice(start, start + request.query.limit + 1), request.query.limit, (c) => ({ id: c.id }));
      const themes = await conversations.chatThemes(request.params.id);
      return { items: page.items.map((c) => chatOut(c, themes.get(c.id) ?? {})), nextCursor: page.nextCursor };
    },
  );
  app.get(
    '/api/v1/conversations/:id/summary',
    {
      config: STAFF_API,
      schema: {
        summary: 'What leaders see: chats, people, organisations, the mix by sector, themes per question, pledges and how many were done',
        params: idParams,
        response: { 200: summaryOutSchema, ...problems(401, 403, 404) },
      },
    },
    async (request) => {
      const summary = await conversations.summary(request.params.id);
      // The API gives each change's status and date as data; the words for them are the page's.
      const whatChanged = (summary.whatChanged ?? []).map(({ id, youSaid, weDid, status, publishedOn, theme }) => ({
        id,
        youSaid,
        weDid,
        status,
        publishedOn,
        theme,
      }));
      return { ...summary, whatChanged };
    },
  );
}
