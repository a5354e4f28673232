import { desc, sql } from 'drizzle-orm';
import type { Executor } from '../../db/client.ts';
import { pageFeedback } from '../../db/schema.ts';

export function createPageFeedbackRepository() {
  return {
    async insert(ex: Executor, row: { path: string; useful: boolean | null; comment: string | null }) {
      await ex.insert(pageFeedback).values(row);
    },
    /** Yes and no counts by page, the most answered first. */
    byPage(ex: Executor, limit: number) {
      return ex
        .select({
          path: pageFeedback.path,
          yes: sql<number>`count(*) filter (where ${pageFeedback.useful})::int`,
          no: sql<number>`count(*) filter (where not ${pageFeedback.useful})::int`,
        })
        .from(pageFeedback)
        .groupBy(pageFeedback.path)
        .orderBy(sql`count(*) desc`)
        .limit(limit);
    },
    latestComments(ex: Executor, limit: number) {
      return ex
        .select()
        .from(pageFeedback)
        .where(sql`${pageFeedback.comment} is not null`)
        .orderBy(desc(pageFeedback.createdAt))
        .limit(limit);
    },
  };
}

export type PageFeedbackRepository = ReturnType<typeof createPageFeedbackRepository>;
