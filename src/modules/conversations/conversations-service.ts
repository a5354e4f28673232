import type { Config } from '../../config.ts';
import type { Db, Executor } from '../../db/client.ts';
import { isUuid } from '../../db/ids.ts';
import type { Conversation } from '../../db/schema.ts';
import { CONVERSATION_THEMES_QUEUE, type JobQueue, type Jobs } from '../../jobs/jobs.ts';
import { londonDay } from '../../lib/dates.ts';
import { ConflictError, NotFoundError, ValidationError } from '../../lib/validation.ts';
import type { Logger } from '../../logger.ts';
import type { Actor } from '../../plugins/access.ts';
import type { AuditTrail } from '../audit/audit-service.ts';
import { analyseInWorker, type AnalyseThemes } from '../forms/themes/analyse.ts';
import type { ChatWithPledges, ConversationsRepository, SentChat } from './conversations-repository.ts';
import type { ConversationInput } from './conversations-schemas.ts';
import { buildSummary, findConversationThemes, type PublishedStory, type WhatChangedEntry } from './conversations-summary.ts';
import { acceptsChats, createTeamChats } from './team-chats.ts';

export type { ChatWithPledges, SentChat };
export { acceptsChats };

/** What other modules may know of a conversation (stories belong to one). */
export interface ConversationsLookup {
  get(id: string, ex?: Executor): Promise<{ id: string; title: string; status: Conversation['status'] } | null>;
  list(): Promise<{ id: string; title: string; status: Conversation['status'] }[]>;
  /** The labels of the themes found across its chats, each once, question by question. */
  themeLabels(id: string): Promise<string[]>;
  /** The accounts of the people who led its sent chats (a lead who gave only an address has none). */
  chatLeads(id: string): Promise<{ personIds: string[] }>;
}

export function createConversationsLookup(deps: { db: Db; conversations: ConversationsRepository }): ConversationsLookup {
  const brief = (c: Conversation) => ({ id: c.id, title: c.title, status: c.status });
  return {
    async get(id, ex) {
      if (!isUuid(id)) return null;
      const c = await deps.conversations.find(ex ?? deps.db, id);
      return c ? brief(c) : null;
    },
    async list() {
      return (await deps.conversations.list(deps.db)).map(brief);
    },
    async themeLabels(id) {
      if (!isUuid(id)) return [];
      const c = await deps.conversations.find(deps.db, id);
      if (!c) return [];
      const rows = await deps.conversations.themesOf(deps.db, id);
      const order = new Map(c.questions.map((q, i) => [q.key, i]));
      rows.sort((a, b) => (order.get(a.questionKey) ?? 99) - (order.get(b.questionKey) ?? 99));
      return [...new Set(rows.flatMap((r) => r.themes.map((t) => t.label)))];
    },
    async chatLeads(id) {
      if (!isUuid(id)) return { personIds: [] };
      const chats = await deps.conversations.sentChatsOf(deps.db, id);
      return { personIds: [...new Set(chats.map((c) => c.leadPersonId).filter((p): p is string => !!p))] };
    },
  };
}

const today = () => londonDay(new Date());

export function createConversationsService(deps: {
  db: Db;
  config: Config;
  secret: string;
  conversations: ConversationsRepository;
  audit: AuditTrail;
  jobs: Pick<Jobs, 'sendEmail' | 'enqueue'> | Pick<JobQueue, 'enqueue'>;
  publishedStories: (conversationId: string) => Promise<PublishedStory[]>;
  /** The published "You said, we did" entries that came from the conversation. */
  whatChanged?: (conversationId: string) => Promise<WhatChangedEntry[]>;
  analyse?: AnalyseThemes;
  log: Pick<Logger, 'warn' | 'error'>;
}) {
  const { db, conversations: repo } = deps;
  const jobs = deps.jobs as Pick<Jobs, 'sendEmail' | 'enqueue'>;

  async function mustFind(id: string, ex: Executor = db, opts: { lock?: boolean } = {}) {
    const c = isUuid(id) ? await repo.find(ex, id, opts) : null;
    if (!c) throw new NotFoundError('No conversation with that id');
    return c;
  }

  const columnsOf = (input: ConversationInput) => ({
    title: input.title,
    summary: input.summary,
    easyReadSummary: input.easyReadSummary || null,
    questions: input.questions.map((q) => ({ key: q.key, text: q.text, prompt: q.prompt || null, ...(q.steps ? { steps: true } : {}) })),
    opensOn: input.opensOn,
    closesOn: input.closesOn,
    sectors: input.sectors ?? [],
    organisations: input.organisations ?? [],
  });

  const queueThemes = (conversationId: string) =>
    jobs.enqueue(CONVERSATION_THEMES_QUEUE, { conversationId }, { singletonKey: `conversation-themes:${conversationId}` });

  // Recording chats and following up their pledges live in team-chats.ts; this service lends them out.
  const teamChats = createTeamChats({ ...deps, jobs, mustFind, queueThemes });

  return {
    ...teamChats,
    acceptsChats,

    // ---- conversations -------------------------------------------------------------------------
    list: () => repo.list(db),
    chatCounts: () => repo.chatCounts(db),
    get: (id: string) => mustFind(id),

    async create(actor: Actor, input: ConversationInput, extra: { isDemo?: boolean } = {}): Promise<Conversation> {
      return db.transaction(async (tx) => {
        const c = await repo.insert(tx, { ...columnsOf(input), createdBy: actor.personId, isDemo: extra.isDemo });
        await deps.audit.insert(tx, {
          actorId: actor.personId,
          action: 'conversation.created',
          subjectType: 'conversation',
          subjectId: c.id,
        });
        return c;
      });
    },

    /** Wording and dates may change; a question teams have already answered may not go. */
    async update(actor: Actor, id: string, input: ConversationInput): Promise<void> {
      await db.transaction(async (tx) => {
        const c = await mustFind(id, tx, { lock: true });
        const kept = new Set(input.questions.map((q) => q.key));
        const answered = new Set((await repo.chatsOf(tx, id)).flatMap((chat) => Object.keys(chat.answers)));
        const lost = c.questions.filter((q) => answered.has(q.key) && !kept.has(q.key));
        if (lost.length)
          throw new ValidationError([
            { path: 'questions', message: `Teams have answered "${lost[0]!.text}": keep that question (you can reword it)` },
          ]);
        await repo.update(tx, id, columnsOf(input));
        await deps.audit.insert(tx, {
          actorId: actor.personId,
          action: 'conversation.updated',
          subjectType: 'conversation',
          subjectId: id,
        });
      });
    },

    async setStatus(actor: Actor, id: string, status: 'open' | 'closed'): Promise<Conversation> {
      const c = await db.transaction(async (tx) => {
        const c = await mustFind(id, tx, { lock: true });
        if (c.status === status) throw new ConflictError(`This conversation is already ${status}`);
        if (status === 'open' && c.closesOn < today())
          throw new ConflictError('Its closing date has passed: change the closing date before opening it again');
        await repo.setStatus(tx, id, status);
        await deps.audit.insert(tx, {
          actorId: actor.personId,
          action: `conversation.${status === 'open' ? 'opened' : 'closed'}`,
          subjectType: 'conversation',
          subjectId: id,
        });
        return { ...c, status };
      });
      if (status === 'closed') await queueThemes(id).catch((err) => deps.log.error({ err }, 'could not queue themes'));
      return c;
    },

    // ---- what leaders see ----------------------------------------------------------------------
    async summary(conversationId: string) {
      const c = await mustFind(conversationId);
      const [chats, themes, stories, whatChanged] = await Promise.all([
        repo.sentChatsOf(db, conversationId),
        repo.themesOf(db, conversationId),
        deps.publishedStories(conversationId),
        deps.whatChanged ? deps.whatChanged(conversationId) : [],
      ]);
      return { ...buildSummary(c, chats, themes, stories), whatChanged };
    },

    /** Theme labels of each chat's answers, for the chats list. */
    async chatThemes(conversationId: string): Promise<Map<string, Record<string, string[]>>> {
      const out = new Map<string, Record<string, string[]>>();
      for (const row of await repo.themesOf(db, conversationId))
        for (const t of row.themes)
          for (const id of t.chatIds) {
            const mine = out.get(id) ?? {};
            (mine[row.questionKey] ??= []).push(t.label);
            out.set(id, mine);
          }
      return out;
    },

    /** The job: themes per question across every sent chat, in a worker thread. */
    async runThemes(conversationId: string): Promise<void> {
      const c = isUuid(conversationId) ? await repo.find(db, conversationId) : null;
      if (!c) return;
      const chats = await repo.sentChatsOf(db, conversationId);
      const found = await findConversationThemes(c, chats, deps.analyse ?? analyseInWorker);
      await db.transaction(async (tx) => {
        for (const q of found) {
          if (q.themes) await repo.saveThemes(tx, conversationId, q.key, q.themes, q.answered);
          else await repo.clearThemes(tx, conversationId, q.key);
        }
      });
    },
  };
}

export type ConversationsService = ReturnType<typeof createConversationsService>;
