import type { Db } from '../../db/client.ts';
import type { PageFeedbackRepository } from './page-feedback-repository.ts';

/** "Is this page useful?": anonymous answers, kept by page path only (never its query). */
export function createPageFeedbackService(deps: { db: Db; feedback: PageFeedbackRepository }) {
  const { db, feedback } = deps;
  return {
    record: (input: { path: string; useful?: 'yes' | 'no'; comment?: string }) =>
      feedback.insert(db, {
        path: input.path.split('?')[0]!,
        useful: input.useful ? input.useful === 'yes' : null,
        comment: input.comment || null,
      }),
    async summary() {
      return { byPage: await feedback.byPage(db, 100), comments: await feedback.latestComments(db, 200) };
    },
  };
}

export type PageFeedbackService = ReturnType<typeof createPageFeedbackService>;
