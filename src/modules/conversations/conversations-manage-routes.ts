import type { FastifyReply } from 'fastify';
import type { Config } from '../../config.ts';
import { SECTORS, type Conversation } from '../../db/schema.ts';
import { failureView, formCycle } from '../../lib/form-cycle.ts';
import { formFailure, type FormFailure } from '../../lib/forms.ts';
import { flags, idParams } from '../../lib/route-schemas.ts';
import { ConflictError, fieldErrors, ValidationError } from '../../lib/validation.ts';
import { actorOf } from '../../plugins/access.ts';
import type { App } from '../../plugins/types.ts';
import { chatRefusal, parseChatForm, renderChatForm } from './chat-form.ts';
import { conversationFormSchema, MAX_QUESTIONS, pledgeProgressSchema, removeChatSchema, SECTOR_LABELS } from './conversations-schemas.ts';
import type { ConversationsService } from './conversations-service.ts';
import { chatsCsv, pledgesCsv } from './conversations-summary.ts';
import { conversationView, percent, pledgeItems, sectorLabel } from './conversations-view.ts';
import { renderSummaryPdf } from './summary-pdf.ts';

const STAFF = { access: ['admin', 'staff'] as const, hideWhenDenied: true };

/** A saved conversation as its form's boxes. */
const conversationValues = (c: Conversation) => ({
  title: c.title,
  summary: c.summary,
  easyReadSummary: c.easyReadSummary ?? '',
  opensOn: c.opensOn,
  closesOn: c.closesOn,
  sectors: c.sectors,
  organisations: c.organisations.join('\n'),
  steps: String(c.questions.findIndex((q) => q.steps) + 1),
  ...Object.fromEntries(
    c.questions.flatMap((q, i) => [
      [`question${i + 1}`, q.text],
      [`prompt${i + 1}`, q.prompt ?? ''],
    ]),
  ),
});

/** Staff set up conversations, type up paper sheets, ring teams, and read what teams said. */
export function conversationsManageRoutes(app: App, deps: { conversations: ConversationsService; config: Config }) {
  const { conversations } = deps;

  app.get('/manage/conversations', { config: STAFF }, async (_request, reply) => {
    const [list, counts] = await Promise.all([conversations.list(), conversations.chatCounts()]);
    return reply.view('conversations/views/manage-list.njk', {
      title: 'Team chats',
      conversations: list.map((c) => ({ ...conversationView(c), chats: counts.get(c.id) ?? { submitted: 0, drafts: 0 } })),
    });
  });

  function conversationForm(
    reply: FastifyReply,
    ctx: { c?: Conversation; values: Record<string, unknown>; failure?: FormFailure },
    status = 200,
  ) {
    const chosen = new Set([ctx.values.sectors ?? []].flat().map(String));
    return reply.status(status).view('conversations/views/conversation-form.njk', {
      title: ctx.c ? `Change ${ctx.c.title}` : 'Create a conversation',
      action: ctx.c ? `/manage/conversations/${ctx.c.id}/edit` : '/manage/conversations/new',
      back: ctx.c ? `/manage/conversations/${ctx.c.id}` : '/manage/conversations',
      values: ctx.values,
      slots: Array.from({ length: MAX_QUESTIONS }, (_, i) => i + 1),
      sectorItems: SECTORS.map((s) => ({ value: s, text: SECTOR_LABELS[s], checked: chosen.has(s) })),
      ...failureView(ctx.failure),
    });
  }
  // The question slots are one list in the schema: its errors belong to the first question box.
  const formOptions = { aliases: { questions: 'question1' } };

  app.get('/manage/conversations/new', { config: STAFF }, async (_request, reply) => conversationForm(reply, { values: {} }));
  app.post('/manage/conversations/new', { config: STAFF }, async (request, reply) =>
    formCycle(reply, {
      schema: conversationFormSchema,
      body: request.body,
      options: formOptions,
      run: (data) => conversations.create(actorOf(request), data),
      redirect: (c) => `/manage/conversations/${c.id}?created=1`,
      again: (failure, status) => conversationForm(reply, { values: request.body as Record<string, unknown>, failure }, status),
    }),
  );

  const detailQuery = flags('created', 'saved', 'opened', 'closed', 'recorded', 'error');
  app.get(
    '/manage/conversations/:id',
    { config: STAFF, schema: { params: idParams, querystring: detailQuery } },
    async (request, reply) => {
      const c = await conversations.get(request.params.id);
      const { chats, toPhone } = await conversations.chatsForStaff(c.id);
      return reply.view('conversations/views/manage-conversation.njk', {
        title: c.title,
        conversation: conversationView(c),
        flags: request.query,
        acceptsChats: conversations.acceptsChats(c),
        chats: chats.map((chat) => ({ ...chat, sectorText: chat.sector ? sectorLabel(chat.sector) : 'Not given yet' })),
        toPhone,
      });
    },
  );

  app.get('/manage/conversations/:id/edit', { config: STAFF, schema: { params: idParams } }, async (request, reply) => {
    const c = await conversations.get(request.params.id);
    return conversationForm(reply, { c, values: conversationValues(c) });
  });
  app.post('/manage/conversations/:id/edit', { config: STAFF, schema: { params: idParams } }, async (request, reply) => {
    const c = await conversations.get(request.params.id);
    return formCycle(reply, {
      schema: conversationFormSchema,
      body: request.body,
      options: formOptions,
      run: (data) => conversations.update(actorOf(request), c.id, data),
      redirect: () => `/manage/conversations/${c.id}?saved=1`,
      again: (failure, status) => conversationForm(reply, { c, values: request.body as Record<string, unknown>, failure }, status),
    });
  });

  for (const [verb, status] of [
    ['open', 'open'],
    ['close', 'closed'],
  ] as const)
    app.post(`/manage/conversations/:id/${verb}`, { config: STAFF, schema: { params: idParams } }, async (request, reply) => {
      try {
        await conversations.setStatus(actorOf(request), request.params.id, status);
        return reply.redirect(`/manage/conversations/${request.params.id}?${status === 'open' ? 'opened' : 'closed'}=1`, 303);
      } catch (err) {
        if (err instanceof ConflictError)
          return reply.redirect(`/manage/conversations/${request.params.id}?error=${encodeURIComponent(err.message)}`, 303);
        throw err;
      }
    });

  // ---- a chat typed up from a paper sheet --------------------------------------------------------
  const onBehalfForm = (reply: FastifyReply, c: Conversation, values: Record<string, unknown>, failure?: FormFailure, status = 200) =>
    renderChatForm(
      reply,
      {
        conversation: c,
        title: 'Record a team chat from a paper sheet',
        action: `/manage/conversations/${c.id}/chats/new`,
        back: `/manage/conversations/${c.id}`,
        values,
        failure,
        ...(values.submissionKey ? { hidden: { submissionKey: String(values.submissionKey) } } : {}),
        canSaveDraft: false,
        onBehalf: true,
      },
      status,
    );
  app.get('/manage/conversations/:id/chats/new', { config: STAFF, schema: { params: idParams } }, async (request, reply) =>
    onBehalfForm(reply, await conversations.get(request.params.id), {}),
  );
  app.post('/manage/conversations/:id/chats/new', { config: STAFF, schema: { params: idParams } }, async (request, reply) => {
    const c = await conversations.get(request.params.id);
    const body = (request.body ?? {}) as Record<string, unknown>;
    const form = parseChatForm(body, { draft: false });
    if (!form.ok) return onBehalfForm(reply, c, body, form, 400);
    try {
      await conversations.recordChat(actorOf(request), c.id, form.data, {
        onBehalf: true,
        submissionKey: typeof body.submissionKey === 'string' ? body.submissionKey : undefined,
      });
      return reply.redirect(`/manage/conversations/${c.id}?recorded=1`, 303);
    } catch (err) {
      const refused = chatRefusal(err);
      if (refused) return onBehalfForm(reply, c, body, refused.failure, refused.status);
      throw err;
    }
  });

  // ---- one chat, as staff see it ----------------------------------------------------------------------
  const chatPage = async (
    reply: FastifyReply,
    chatId: string,
    opts: { failure?: FormFailure; flags?: Record<string, unknown> } = {},
    status = 200,
  ) => {
    const chat = await conversations.getChat(chatId);
    const c = await conversations.get(chat.conversationId);
    return reply.status(status).view('conversations/views/manage-chat.njk', {
      title: chat.teamName,
      conversation: conversationView(c),
      chat: {
        ...chat,
        sectorText: chat.sector ? sectorLabel(chat.sector) : 'Not given yet',
        peopleText: `${chat.peopleCount ?? 'Not given yet'}${chat.livedCount === null ? '' : ` (${chat.livedCount} with lived experience)`}`,
      },
      answers: c.questions.map((q) => ({ text: q.text, answer: chat.answers[q.key] ?? '' })),
      pledges: pledgeItems(chat.pledges, {}),
      pledgeNote: chat.pledges.find((p) => p.progressNote)?.progressNote ?? null,
      flags: opts.flags ?? {},
      ...failureView(opts.failure),
    });
  };
  app.get(
    '/manage/chats/:id',
    { config: STAFF, schema: { params: idParams, querystring: flags('removed', 'restored') } },
    async (request, reply) => chatPage(reply, request.params.id, { flags: request.query }),
  );
  app.post('/manage/chats/:id/remove', { config: STAFF, schema: { params: idParams } }, async (request, reply) =>
    formCycle(reply, {
      schema: removeChatSchema,
      body: request.body,
      run: (data) => conversations.removeChat(actorOf(request), request.params.id, data.reason),
      redirect: () => `/manage/chats/${request.params.id}?removed=1`,
      again: (failure, status) => chatPage(reply, request.params.id, { failure }, status),
      conflict: (err) => ({ ok: false, errors: {}, errorList: [{ text: err.message, href: '#reason' }] }),
    }),
  );
  app.post('/manage/chats/:id/restore', { config: STAFF, schema: { params: idParams } }, async (request, reply) => {
    try {
      await conversations.restoreChat(actorOf(request), request.params.id);
    } catch (err) {
      if (err instanceof ConflictError)
        return chatPage(
          reply,
          request.params.id,
          { failure: { ok: false, errors: {}, errorList: [{ text: err.message, href: '#restore' }] } },
          409,
        );
      throw err;
    }
    return reply.redirect(`/manage/chats/${request.params.id}?restored=1`, 303);
  });

  // ---- ringing teams without email ------------------------------------------------------------------
  app.get(
    '/manage/conversations/:id/to-phone',
    { config: STAFF, schema: { params: idParams, querystring: flags('saved') } },
    async (request, reply) => {
      const c = await conversations.get(request.params.id);
      return reply.view('conversations/views/to-phone.njk', {
        title: `Teams to phone: ${c.title}`,
        conversation: conversationView(c),
        chats: (await conversations.toPhone(c.id)).map((chat) => ({ ...chat, sectorText: sectorLabel(chat.sector) })),
        followUpDays: deps.config.pledgeFollowUpDays,
        saved: request.query.saved,
      });
    },
  );

  const pledgePage = async (reply: FastifyReply, chatId: string, body: Record<string, unknown>, failure?: FormFailure, status = 200) => {
    const chat = await conversations.getChat(chatId);
    const c = await conversations.get(chat.conversationId);
    return reply.status(status).view('conversations/views/pledges.njk', {
      title: `Steps for ${chat.teamName}`,
      conversation: conversationView(c),
      chat,
      staff: true,
      pledges: pledgeItems(chat.pledges, body),
      // The note is kept once for all the steps: show it again so a second call adds to it.
      note: body.note ?? chat.pledges.find((p) => p.progressNote)?.progressNote ?? '',
      action: `/manage/chats/${chat.id}/pledges`,
      back: `/manage/conversations/${c.id}`,
      ...failureView(failure),
    });
  };
  app.get(
    '/manage/chats/:id/pledges',
    { config: STAFF, schema: { params: idParams, querystring: flags('done') } },
    async (request, reply) => pledgePage(reply, request.params.id, {}),
  );
  app.post('/manage/chats/:id/pledges', { config: STAFF, schema: { params: idParams } }, async (request, reply) => {
    const body = (request.body ?? {}) as Record<string, unknown>;
    const chat = await conversations.getChat(request.params.id);
    const parsed = pledgeProgressSchema.safeParse(body);
    if (!parsed.success)
      return pledgePage(
        reply,
        chat.id,
        body,
        formFailure(fieldErrors(parsed.error).map((e) => ({ ...e, path: e.path.replace(/^progress\./, 'progress_') }))),
        400,
      );
    try {
      await conversations.recordPledgeProgress(actorOf(request), chat.id, parsed.data);
    } catch (err) {
      if (err instanceof ValidationError) return pledgePage(reply, chat.id, body, formFailure(err.errors), 400);
      throw err;
    }
    return reply.redirect(`/manage/conversations/${chat.conversationId}/to-phone?saved=${encodeURIComponent(chat.teamName)}`, 303);
  });

  // ---- what leaders see -------------------------------------------------------------------------------
  app.get('/manage/conversations/:id/summary', { config: STAFF, schema: { params: idParams } }, async (request, reply) => {
    const summary = await conversations.summary(request.params.id);
    const sectors = SECTORS.map((s) => ({
      label: SECTOR_LABELS[s],
      chats: summary.bySector[s],
      people: summary.peopleBySector[s],
      share: percent(summary.bySector[s], summary.chats),
    }));
    return reply.view('conversations/views/summary.njk', {
      title: `What teams said: ${summary.conversation.title}`,
      summary: {
        ...summary,
        questions: summary.questions.map((q) => ({ ...q, themes: q.themes.map((t) => ({ ...t, termsText: t.terms.join(', ') })) })),
      },
      sectors,
      id: request.params.id,
      thirdSectorShare: percent(summary.bySector.third_sector, summary.chats),
      followedUpShare: percent(summary.pledges.followedUp, summary.pledges.total),
      doneShare: percent(summary.pledges.done, summary.pledges.followedUp),
    });
  });
  app.get('/manage/conversations/:id/summary.pdf', { config: STAFF, schema: { params: idParams } }, async (request, reply) => {
    const pdf = await renderSummaryPdf(await conversations.summary(request.params.id), { orgName: deps.config.branding.orgName });
    return reply.type('application/pdf').header('content-disposition', 'attachment; filename="team-chats-summary.pdf"').send(pdf);
  });
  app.get('/manage/conversations/:id/chats.csv', { config: STAFF, schema: { params: idParams } }, async (request, reply) => {
    const c = await conversations.get(request.params.id);
    const csv = chatsCsv(c, await conversations.sentChatsOf(c.id));
    return reply.type('text/csv; charset=utf-8').header('content-disposition', 'attachment; filename="team-chats.csv"').send(csv);
  });
  app.get('/manage/conversations/:id/pledges.csv', { config: STAFF, schema: { params: idParams } }, async (request, reply) => {
    const c = await conversations.get(request.params.id);
    const csv = pledgesCsv(await conversations.sentChatsOf(c.id));
    return reply.type('text/csv; charset=utf-8').header('content-disposition', 'attachment; filename="team-chat-pledges.csv"').send(csv);
  });
}
