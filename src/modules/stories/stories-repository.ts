import { and, asc, desc, eq, isNull, lt, ne, or, sql, type SQL } from 'drizzle-orm';
import type { Executor } from '../../db/client.ts';
import { isUuid } from '../../db/ids.ts';
import {
  stories,
  storyMailReplies,
  storyModeration,
  type Story,
  type StoryMailReply,
  type StoryModerationEntry,
  type StoryStatus,
} from '../../db/schema.ts';

export type NewStory = typeof stories.$inferInsert;
export type ModerationAction = StoryModerationEntry['action'];

export type NewStoryMailReply = typeof storyMailReplies.$inferInsert;

/** Published, and the author still agrees: what the public may see. */
const isPublic = and(eq(stories.status, 'published'), eq(stories.consentPublish, true))!;

const byEmail = (column: typeof stories.authorEmail | typeof storyMailReplies.fromEmail, email: string) =>
  sql`lower(${column}) = lower(${email})`;

export function createStoriesRepository() {
  return {
    /**
     * Inserts a story, or finds the one already stored with the same submission key or Message-ID
     * (a double click, a mailbox read twice).
     */
    async insert(ex: Executor, values: NewStory): Promise<{ story: Story; created: boolean }> {
      const [row] = await ex.insert(stories).values(values).onConflictDoNothing().returning();
      if (row) return { story: row, created: true };
      const key = values.submissionKey
        ? eq(stories.submissionKey, values.submissionKey)
        : values.messageId
          ? eq(stories.messageId, values.messageId)
          : undefined;
      if (!key) throw new Error('A story conflicted without a submission key or Message-ID');
      const [existing] = await ex.select().from(stories).where(key);
      return { story: existing!, created: false };
    },

    /** Holds, until the transaction ends, every other submission to this address (in any case). */
    async lockAddress(ex: Executor, email: string): Promise<void> {
      await ex.execute(sql`select pg_advisory_xact_lock(hashtext(${'story-address:' + email.toLowerCase()}))`);
    },

    /** Stories sent through the public form to this address in the last `hours` hours, this one included. */
    async countWebStoriesTo(ex: Executor, email: string, hours: number): Promise<number> {
      const [row] = await ex
        .select({ n: sql<number>`count(*)::int` })
        .from(stories)
        .where(
          and(
            eq(stories.source, 'web'),
            byEmail(stories.authorEmail, email),
            sql`${stories.createdAt} > now() - make_interval(hours => ${hours}::int)`,
          ),
        );
      return row?.n ?? 0;
    },

    async find(ex: Executor, id: string, opts: { forUpdate?: boolean } = {}): Promise<Story | undefined> {
      if (!isUuid(id)) return undefined;
      const q = ex.select().from(stories).where(eq(stories.id, id));
      const [row] = opts.forUpdate ? await q.for('update') : await q;
      return row;
    },

    async update(ex: Executor, id: string, values: Partial<NewStory>): Promise<Story> {
      const [row] = await ex
        .update(stories)
        .set({ ...values, updatedAt: new Date() })
        .where(eq(stories.id, id))
        .returning();
      return row!;
    },

    /** The moderation queue, newest first. */
    async list(ex: Executor, opts: { status?: StoryStatus; limit: number }): Promise<Story[]> {
      return ex
        .select()
        .from(stories)
        .where(opts.status ? eq(stories.status, opts.status) : undefined)
        .orderBy(desc(stories.createdAt), desc(stories.id))
        .limit(opts.limit);
    },

    async countsByStatus(ex: Executor): Promise<Partial<Record<StoryStatus, number>>> {
      const rows = await ex
        .select({ status: stories.status, n: sql<number>`count(*)::int` })
        .from(stories)
        .groupBy(stories.status);
      return Object.fromEntries(rows.map((r) => [r.status, r.n]));
    },

    /** Published stories, newest first, as keyset pages: `after` is the last one of the page before. */
    async published(
      ex: Executor,
      opts: { conversationId?: string; theme?: string; quotable?: boolean; after?: { at: Date; id: string }; limit: number },
    ): Promise<Story[]> {
      const conditions: (SQL | undefined)[] = [
        isPublic,
        opts.conversationId ? eq(stories.conversationId, opts.conversationId) : undefined,
        opts.theme ? sql`lower(${opts.theme}) = any (select lower(t) from unnest(${stories.themes}) t)` : undefined,
        opts.quotable ? eq(stories.consentQuote, true) : undefined,
        opts.after ? sql`(${stories.publishedAt}, ${stories.id}) < (${opts.after.at}, ${opts.after.id})` : undefined,
      ];
      return ex
        .select()
        .from(stories)
        .where(and(...conditions))
        .orderBy(desc(stories.publishedAt), desc(stories.id))
        .limit(opts.limit);
    },

    async findPublished(ex: Executor, id: string): Promise<Story | undefined> {
      if (!isUuid(id)) return undefined;
      const [row] = await ex
        .select()
        .from(stories)
        .where(and(eq(stories.id, id), isPublic));
      return row;
    },

    /** Every theme a published story has, for the library's filter. */
    async publishedThemes(ex: Executor): Promise<string[]> {
      const rows = await ex.execute(
        sql`select min(t) as theme from ${stories}, unnest(${stories.themes}) t where ${isPublic} group by lower(t) order by lower(t)`,
      );
      return (rows.rows as { theme: string }[]).map((r) => r.theme);
    },

    async publishedConversationIds(ex: Executor): Promise<string[]> {
      const rows = await ex
        .selectDistinct({ id: stories.conversationId })
        .from(stories)
        .where(and(isPublic, sql`${stories.conversationId} is not null`));
      return rows.map((r) => r.id!);
    },

    async ofPerson(ex: Executor, personId: string): Promise<Story[]> {
      return ex.select().from(stories).where(eq(stories.personId, personId)).orderBy(desc(stories.createdAt));
    },

    // ---- the moderation history ----------------------------------------------------------------
    async insertEntry(
      ex: Executor,
      values: { storyId: string; action: ModerationAction; note: string | null; titleBefore?: string | null; byPerson: string | null },
    ): Promise<StoryModerationEntry> {
      const [row] = await ex.insert(storyModeration).values(values).returning();
      return row!;
    },
    async entries(ex: Executor, storyId: string): Promise<StoryModerationEntry[]> {
      return ex.select().from(storyModeration).where(eq(storyModeration.storyId, storyId)).orderBy(asc(storyModeration.id));
    },
    async findEntry(ex: Executor, id: number): Promise<StoryModerationEntry | undefined> {
      if (!Number.isSafeInteger(id)) return undefined;
      const [row] = await ex.select().from(storyModeration).where(eq(storyModeration.id, id));
      return row;
    },

    // ---- emails to the mailbox with no story in them ------------------------------------------
    /**
     * Remembers an email that held no story, once per Message-ID: true only for the first time it
     * is seen (a mailbox read twice, a message delivered twice), so its sender is answered once.
     */
    async insertMailReply(ex: Executor, values: NewStoryMailReply): Promise<boolean> {
      const rows = await ex
        .insert(storyMailReplies)
        .values(values)
        .onConflictDoNothing({ target: storyMailReplies.messageId })
        .returning({ messageId: storyMailReplies.messageId });
      return rows.length > 0;
    },
    async findMailReply(ex: Executor, messageId: string): Promise<StoryMailReply | undefined> {
      const [row] = await ex.select().from(storyMailReplies).where(eq(storyMailReplies.messageId, messageId));
      return row;
    },
    async deleteMailReply(ex: Executor, messageId: string): Promise<void> {
      await ex.delete(storyMailReplies).where(eq(storyMailReplies.messageId, messageId));
    },
    /** Forgets emails received before `before`: by then their answer has long been sent. */
    async deleteMailRepliesBefore(ex: Executor, before: Date): Promise<number> {
      const rows = await ex
        .delete(storyMailReplies)
        .where(lt(storyMailReplies.receivedAt, before))
        .returning({ messageId: storyMailReplies.messageId });
      return rows.length;
    },

    // ---- personal data -------------------------------------------------------------------------
    /**
     * What a person told us: their stories, by account, or by email address when no account holds
     * the story (emailed in, or sent through the form without signing in). A story another account
     * holds is that person's, whatever address they typed.
     */
    async ofAuthor(ex: Executor, personId: string, email: string | null): Promise<Story[]> {
      return ex
        .select()
        .from(stories)
        .where(or(eq(stories.personId, personId), email ? and(isNull(stories.personId), byEmail(stories.authorEmail, email)) : undefined))
        .orderBy(asc(stories.createdAt));
    },
    /** Their emails to the mailbox that held no story, by the address they came from. */
    async mailRepliesOf(ex: Executor, email: string | null): Promise<StoryMailReply[]> {
      if (!email) return [];
      return ex.select().from(storyMailReplies).where(byEmail(storyMailReplies.fromEmail, email)).orderBy(asc(storyMailReplies.receivedAt));
    },
    async forgetAuthor(ex: Executor, personId: string, email: string | null) {
      await ex
        .delete(stories)
        .where(or(eq(stories.personId, personId), email ? and(isNull(stories.personId), byEmail(stories.authorEmail, email)) : undefined));
      if (email) {
        // Someone else's story with this address typed in stays theirs; the address goes.
        await ex
          .update(stories)
          .set({ authorEmail: null })
          .where(and(ne(stories.personId, personId), byEmail(stories.authorEmail, email)));
        await ex.delete(storyMailReplies).where(byEmail(storyMailReplies.fromEmail, email));
      }
      await ex.update(stories).set({ enteredBy: null }).where(eq(stories.enteredBy, personId));
      await ex.update(storyModeration).set({ byPerson: null }).where(eq(storyModeration.byPerson, personId));
    },
  };
}

export type StoriesRepository = ReturnType<typeof createStoriesRepository>;
