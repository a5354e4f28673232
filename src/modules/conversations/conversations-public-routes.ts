import { z } from 'zod';
import type { Config } from '../../config.ts';
import { failureView } from '../../lib/form-cycle.ts';
import { formFailure } from '../../lib/forms.ts';
import { flags, idParams } from '../../lib/route-schemas.ts';
import { fieldErrors, NotFoundError, ValidationError } from '../../lib/validation.ts';
import type { App } from '../../plugins/types.ts';
import { renderChatPack } from './chat-pack-pdf.ts';
import { chatRefusal, chatValues, parseChatForm, renderChatForm } from './chat-form.ts';
import { pledgeProgressSchema } from './conversations-schemas.ts';
import type { ConversationsService } from './conversations-service.ts';
import { conversationView, pledgeItems } from './conversations-view.ts';

const PUBLIC = { access: 'public' } as const;
const tokenQuery = z.object({
  token: z.string().max(200).optional(),
  saved: z.string().max(10).optional(),
  sent: z.string().max(10).optional(),
});

/** What anyone can do: read a conversation, download its chat pack, record a chat, follow up pledges. */
export function conversationsPublicRoutes(app: App, deps: { conversations: ConversationsService; config: Config }) {
  const { conversations } = deps;
  /** Drafts are for staff only: to anyone else a draft conversation does not exist. */
  const visible = async (id: string) => {
    const c = await conversations.get(id);
    if (c.status === 'draft') throw new NotFoundError('No conversation with that id');
    return c;
  };

  app.get('/conversations', { config: PUBLIC }, async (_request, reply) => {
    const all = (await conversations.list()).filter((c) => c.status !== 'draft');
    return reply.view('conversations/views/conversations.njk', {
      title: 'Team chats',
      open: all.filter(conversations.acceptsChats).map(conversationView),
      closed: all.filter((c) => !conversations.acceptsChats(c)).map(conversationView),
    });
  });

  app.get('/conversations/:id', { config: PUBLIC, schema: { params: idParams } }, async (request, reply) => {
    const c = await visible(request.params.id);
    return reply.view('conversations/views/conversation.njk', {
      title: c.title,
      conversation: conversationView(c),
      open: conversations.acceptsChats(c),
    });
  });

  for (const [path, easyRead] of [
    ['chat-pack.pdf', false],
    ['chat-pack-easy-read.pdf', true],
  ] as const)
    app.get(`/conversations/:id/${path}`, { config: PUBLIC, schema: { params: idParams } }, async (request, reply) => {
      const c = await visible(request.params.id);
      const pdf = await renderChatPack(
        {
          title: c.title,
          summary: c.summary,
          easyReadSummary: c.easyReadSummary,
          questions: c.questions,
          opensOn: c.opensOn,
          closesOn: c.closesOn,
          orgName: deps.config.branding.orgName,
          serviceName: deps.config.branding.serviceName,
          recordUrl: `${deps.config.publicUrl}/conversations/${c.id}/chat`,
          storyUrl: `${deps.config.publicUrl}/stories/new?conversation=${c.id}`,
        },
        { easyRead },
      );
      return reply
        .type('application/pdf')
        .header('content-disposition', `inline; filename="${easyRead ? 'chat-pack-easy-read' : 'chat-pack'}.pdf"`)
        .send(pdf);
    });

  // ---- recording a chat ---------------------------------------------------------------------
  app.get('/conversations/:id/chat', { config: PUBLIC, schema: { params: idParams } }, async (request, reply) => {
    const c = await visible(request.params.id);
    if (!conversations.acceptsChats(c))
      return reply.view('conversations/views/closed.njk', { title: `${c.title} is closed`, conversation: conversationView(c) });
    const me = request.person;
    return renderChatForm(reply, {
      conversation: c,
      title: 'Tell us about your team chat',
      action: `/conversations/${c.id}/chat`,
      back: `/conversations/${c.id}`,
      values: me ? { leadName: me.name, leadEmail: me.email ?? '', organisation: me.organisation ?? '' } : {},
      canSaveDraft: true,
    });
  });

  app.post('/conversations/:id/chat', { config: PUBLIC, schema: { params: idParams } }, async (request, reply) => {
    const c = await visible(request.params.id);
    const body = (request.body ?? {}) as Record<string, unknown>;
    const draft = body.action === 'draft';
    const again = (failure: Parameters<typeof renderChatForm>[1]['failure'], status: number) =>
      renderChatForm(
        reply,
        {
          conversation: c,
          title: 'Tell us about your team chat',
          action: `/conversations/${c.id}/chat`,
          back: `/conversations/${c.id}`,
          values: body,
          failure,
          hidden: { submissionKey: String(body.submissionKey ?? '') },
          canSaveDraft: true,
        },
        status,
      );
    const form = parseChatForm(body, { draft });
    if (!form.ok) return again(form, 400);
    try {
      const actor = request.person ? { personId: request.person.id, role: request.person.role } : null;
      const { chat, token } = await conversations.recordChat(actor, c.id, form.data, {
        draft,
        submissionKey: typeof body.submissionKey === 'string' ? body.submissionKey : undefined,
      });
      return reply.redirect(`/chats/${chat.id}?token=${token}&${chat.status === 'draft' ? 'saved' : 'sent'}=1`, 303);
    } catch (err) {
      const refused = chatRefusal(err);
      if (refused) return again(refused.failure, refused.status);
      throw err;
    }
  });

  // ---- through the chat's own link --------------------------------------------------------------
  app.get('/chats/:id', { config: PUBLIC, schema: { params: idParams, querystring: tokenQuery } }, async (request, reply) => {
    const { chat, conversation } = await conversations.chatForToken(request.params.id, request.query.token);
    if (request.query.sent || (chat.status === 'submitted' && !conversations.acceptsChats(conversation)))
      return reply.view('conversations/views/chat-sent.njk', {
        title: 'Thank you for your team chat',
        conversation: conversationView(conversation),
        chat,
        justSent: !!request.query.sent,
        editUrl: conversations.acceptsChats(conversation) ? `/chats/${chat.id}?token=${request.query.token}` : null,
      });
    return renderChatForm(reply, {
      conversation,
      title: chat.status === 'draft' ? 'Finish your team chat record' : 'Change your team chat record',
      action: `/chats/${chat.id}`,
      back: `/conversations/${conversation.id}`,
      values: { ...chatValues(chat), saved: request.query.saved ? 'yes' : '' },
      hidden: { token: request.query.token! },
      canSaveDraft: chat.status === 'draft',
    });
  });

  app.post('/chats/:id', { config: PUBLIC, schema: { params: idParams } }, async (request, reply) => {
    const body = (request.body ?? {}) as Record<string, unknown>;
    const token = typeof body.token === 'string' ? body.token : undefined;
    const { chat, conversation } = await conversations.chatForToken(request.params.id, token);
    const again = (failure: Parameters<typeof renderChatForm>[1]['failure'], status: number) =>
      renderChatForm(
        reply,
        {
          conversation,
          title: chat.status === 'draft' ? 'Finish your team chat record' : 'Change your team chat record',
          action: `/chats/${chat.id}`,
          back: `/conversations/${conversation.id}`,
          values: body,
          failure,
          hidden: { token: token! },
          canSaveDraft: chat.status === 'draft',
        },
        status,
      );
    const draft = chat.status === 'draft' && body.action === 'draft';
    const form = parseChatForm(body, { draft });
    if (!form.ok) return again(form, 400);
    try {
      const updated = await conversations.updateChat(null, chat.id, form.data, { draft });
      return reply.redirect(`/chats/${chat.id}?token=${token}&${updated.status === 'draft' ? 'saved' : 'sent'}=1`, 303);
    } catch (err) {
      const refused = chatRefusal(err);
      if (refused) return again(refused.failure, refused.status);
      throw err;
    }
  });

  // ---- following up pledges -----------------------------------------------------------------------
  const followUpQuery = z.object({ token: z.string().max(200).optional(), ...flags('done').shape });
  app.get('/chats/:id/pledges', { config: PUBLIC, schema: { params: idParams, querystring: followUpQuery } }, async (request, reply) => {
    const { chat, conversation } = await conversations.chatForToken(request.params.id, request.query.token, 'follow-up');
    return reply.view('conversations/views/pledges.njk', {
      title: 'How did your team’s steps go?',
      conversation: conversationView(conversation),
      chat,
      token: request.query.token,
      done: !!request.query.done,
      pledges: pledgeItems(chat.pledges, {}),
      note: chat.pledges.find((p) => p.progressNote)?.progressNote ?? '',
      action: `/chats/${chat.id}/pledges`,
      ...failureView(null),
    });
  });

  app.post('/chats/:id/pledges', { config: PUBLIC, schema: { params: idParams } }, async (request, reply) => {
    const body = (request.body ?? {}) as Record<string, unknown>;
    const token = typeof body.token === 'string' ? body.token : undefined;
    const { chat, conversation } = await conversations.chatForToken(request.params.id, token, 'follow-up');
    const again = (failure: ReturnType<typeof formFailure>, status: number) =>
      reply.status(status).view('conversations/views/pledges.njk', {
        title: 'How did your team’s steps go?',
        conversation: conversationView(conversation),
        chat,
        token,
        pledges: pledgeItems(chat.pledges, body),
        note: body.note,
        action: `/chats/${chat.id}/pledges`,
        ...failureView(failure),
      });
    const parsed = pledgeProgressSchema.safeParse(body);
    if (!parsed.success)
      return again(formFailure(fieldErrors(parsed.error).map((e) => ({ ...e, path: e.path.replace(/^progress\./, 'progress_') }))), 400);
    try {
      await conversations.recordPledgeProgress(null, chat.id, parsed.data);
    } catch (err) {
      if (err instanceof ValidationError) return again(formFailure(err.errors), 400);
      throw err;
    }
    return reply.redirect(`/chats/${chat.id}/pledges?token=${token}&done=1`, 303);
  });
}
