import { and, asc, desc, eq, inArray, isNull, sql } from 'drizzle-orm';
import type { Executor } from '../../db/client.ts';
import {
  chatPledges,
  conversations,
  conversationThemes,
  teamChats,
  type ChatPledge,
  type Conversation,
  type ConversationQuestion,
  type PledgeProgress,
  type Sector,
  type StoredConversationTheme,
  type TeamChat,
} from '../../db/schema.ts';

export interface ConversationColumns {
  title: string;
  summary: string;
  easyReadSummary: string | null;
  questions: ConversationQuestion[];
  opensOn: string;
  closesOn: string;
  sectors: Sector[];
  organisations: string[];
}

export interface ChatColumns {
  teamName: string;
  organisation: string | null;
  sector: Sector | null;
  heldOn: string | null;
  peopleCount: number | null;
  livedCount: number | null;
  answers: Record<string, string>;
  leadName: string | null;
  leadEmail: string | null;
  leadPhone: string | null;
}

export type ChatWithPledges = TeamChat & { pledges: ChatPledge[] };
/** A sent chat: the table's check makes these four present once a chat is sent. */
export type SentChat = ChatWithPledges & { organisation: string; sector: Sector; heldOn: string; peopleCount: number };

export function createConversationsRepository() {
  async function withPledges(ex: Executor, chats: TeamChat[]): Promise<ChatWithPledges[]> {
    if (!chats.length) return [];
    const pledges = await ex
      .select()
      .from(chatPledges)
      .where(
        inArray(
          chatPledges.chatId,
          chats.map((c) => c.id),
        ),
      )
      .orderBy(asc(chatPledges.position));
    return chats.map((c) => ({ ...c, pledges: pledges.filter((p) => p.chatId === c.id) }));
  }

  return {
    async insert(ex: Executor, columns: ConversationColumns & { createdBy: string | null; isDemo?: boolean }): Promise<Conversation> {
      const [row] = await ex.insert(conversations).values(columns).returning();
      return row!;
    },
    async update(ex: Executor, id: string, columns: ConversationColumns): Promise<void> {
      await ex
        .update(conversations)
        .set({ ...columns, updatedAt: new Date() })
        .where(eq(conversations.id, id));
    },
    async find(ex: Executor, id: string, opts: { lock?: boolean } = {}): Promise<Conversation | null> {
      const q = ex.select().from(conversations).where(eq(conversations.id, id));
      const [row] = opts.lock ? await q.for('update') : await q;
      return row ?? null;
    },
    async list(ex: Executor, opts: { status?: Conversation['status'] } = {}): Promise<Conversation[]> {
      return ex
        .select()
        .from(conversations)
        .where(opts.status ? eq(conversations.status, opts.status) : undefined)
        .orderBy(desc(conversations.opensOn), asc(conversations.title));
    },
    async setStatus(ex: Executor, id: string, status: Conversation['status']): Promise<void> {
      await ex.update(conversations).set({ status, updatedAt: new Date() }).where(eq(conversations.id, id));
    },
    /** Chats recorded in each conversation (drafts apart), for the list page. */
    async chatCounts(ex: Executor): Promise<Map<string, { submitted: number; drafts: number }>> {
      const rows = await ex
        .select({
          id: teamChats.conversationId,
          submitted: sql<number>`count(*) filter (where ${teamChats.status} = 'submitted')::int`,
          drafts: sql<number>`count(*) filter (where ${teamChats.status} = 'draft')::int`,
        })
        .from(teamChats)
        .groupBy(teamChats.conversationId);
      return new Map(rows.map((r) => [r.id, { submitted: r.submitted, drafts: r.drafts }]));
    },

    // ---- team chats ---------------------------------------------------------------------------
    async insertChat(
      ex: Executor,
      columns: ChatColumns & {
        conversationId: string;
        status: TeamChat['status'];
        leadPersonId: string | null;
        recordedBy: string | null;
        submissionKey: string | null;
        submittedAt: Date | null;
      },
    ): Promise<TeamChat | null> {
      // A double click sends the same submission key twice: the second insert does nothing.
      const [row] = await ex.insert(teamChats).values(columns).onConflictDoNothing({ target: teamChats.submissionKey }).returning();
      return row ?? null;
    },
    async findChatBySubmissionKey(ex: Executor, key: string): Promise<TeamChat | null> {
      const [row] = await ex.select().from(teamChats).where(eq(teamChats.submissionKey, key));
      return row ?? null;
    },
    async updateChat(
      ex: Executor,
      id: string,
      columns: ChatColumns & { status: TeamChat['status']; submittedAt: Date | null },
    ): Promise<void> {
      await ex
        .update(teamChats)
        .set({ ...columns, updatedAt: new Date() })
        .where(eq(teamChats.id, id));
    },
    /** The team's steps as now written; a step whose words did not change keeps how it went. */
    async replacePledges(ex: Executor, chatId: string, texts: string[]): Promise<void> {
      const before = await ex.select().from(chatPledges).where(eq(chatPledges.chatId, chatId));
      await ex.delete(chatPledges).where(eq(chatPledges.chatId, chatId));
      if (!texts.length) return;
      const kept = new Map(before.map((p) => [p.text, p]));
      await ex.insert(chatPledges).values(
        texts.map((text, position) => {
          const same = kept.get(text);
          kept.delete(text);
          return {
            chatId,
            position,
            text,
            progress: same?.progress ?? null,
            progressNote: same?.progressNote ?? null,
            progressAt: same?.progressAt ?? null,
          };
        }),
      );
    },
    /** Chats this address was given as the lead's in the last day: more than a few is someone using the form to send mail. */
    async recentChatsLedBy(ex: Executor, email: string): Promise<number> {
      const [row] = await ex
        .select({ n: sql<number>`count(*)::int` })
        .from(teamChats)
        .where(and(eq(teamChats.leadEmail, email), sql`${teamChats.createdAt} > now() - interval '1 day'`));
      return row?.n ?? 0;
    },
    async setRemoved(ex: Executor, id: string, removed: { by: string; reason: string } | null): Promise<void> {
      await ex
        .update(teamChats)
        .set({
          status: removed ? 'removed' : 'submitted',
          removedBy: removed?.by ?? null,
          removedReason: removed?.reason ?? null,
          updatedAt: new Date(),
        })
        .where(eq(teamChats.id, id));
    },
    async findChat(ex: Executor, id: string, opts: { lock?: boolean } = {}): Promise<ChatWithPledges | null> {
      const q = ex.select().from(teamChats).where(eq(teamChats.id, id));
      const [row] = opts.lock ? await q.for('update') : await q;
      return row ? ((await withPledges(ex, [row]))[0] ?? null) : null;
    },
    /** Every chat, drafts and those taken out too, for staff. */
    async chatsOf(ex: Executor, conversationId: string): Promise<ChatWithPledges[]> {
      const rows = await ex
        .select()
        .from(teamChats)
        .where(eq(teamChats.conversationId, conversationId))
        .orderBy(asc(teamChats.heldOn), asc(teamChats.createdAt));
      return withPledges(ex, rows);
    },
    /** The chats that count: sent, and not taken out. */
    async sentChatsOf(ex: Executor, conversationId: string): Promise<SentChat[]> {
      const rows = await ex
        .select()
        .from(teamChats)
        .where(and(eq(teamChats.conversationId, conversationId), eq(teamChats.status, 'submitted')))
        .orderBy(asc(teamChats.heldOn), asc(teamChats.createdAt));
      return (await withPledges(ex, rows)) as SentChat[];
    },
    async setPledgeProgress(ex: Executor, chatId: string, progress: Record<string, PledgeProgress>, note: string | null): Promise<number> {
      let changed = 0;
      for (const [pledgeId, value] of Object.entries(progress)) {
        const rows = await ex
          .update(chatPledges)
          .set({ progress: value, progressNote: note, progressAt: new Date() })
          .where(and(eq(chatPledges.id, pledgeId), eq(chatPledges.chatId, chatId)))
          .returning({ id: chatPledges.id });
        changed += rows.length;
      }
      return changed;
    },
    async markFollowUpSent(ex: Executor, chatId: string): Promise<boolean> {
      const rows = await ex
        .update(teamChats)
        .set({ followUpSentAt: new Date() })
        .where(and(eq(teamChats.id, chatId), isNull(teamChats.followUpSentAt)))
        .returning({ id: teamChats.id });
      return rows.length > 0;
    },

    // ---- themes -------------------------------------------------------------------------------
    async saveThemes(ex: Executor, conversationId: string, questionKey: string, themes: StoredConversationTheme[], chats: number) {
      await ex
        .insert(conversationThemes)
        .values({ conversationId, questionKey, themes, chats })
        .onConflictDoUpdate({
          target: [conversationThemes.conversationId, conversationThemes.questionKey],
          set: { themes, chats, foundAt: new Date() },
        });
    },
    async themesOf(ex: Executor, conversationId: string) {
      return ex.select().from(conversationThemes).where(eq(conversationThemes.conversationId, conversationId));
    },
    async clearThemes(ex: Executor, conversationId: string, questionKey: string) {
      await ex
        .delete(conversationThemes)
        .where(and(eq(conversationThemes.conversationId, conversationId), eq(conversationThemes.questionKey, questionKey)));
    },
  };
}

export type ConversationsRepository = ReturnType<typeof createConversationsRepository>;
