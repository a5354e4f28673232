import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { PageFeedbackService } from './page-feedback-service.ts';

const feedbackSchema = z.object({
  // Pages link here with their own path, percent-encoded: anything else (spaces, raw non-ASCII,
  // which cannot go in a Location header) is not a page of this site.
  path: z.string().regex(/^\/(?![/\\])[\x21-\x7e]{0,500}$/, 'Not a page of this site'),
  useful: z.enum(['yes', 'no']).optional(),
  comment: z.string().trim().max(2000, 'Write 2,000 characters or fewer').optional(),
});

/** "Is this page useful?" on every page, and a list of what people said for staff. */
export function pageFeedbackRoutes(app: FastifyInstance, deps: { feedback: PageFeedbackService }) {
  // Anonymous and attributed to nobody: no CSRF token (a forged post could say nothing that
  // anyone cannot say directly), which keeps the form out of cached public pages' bytes.
  app.post('/page-feedback', { config: { access: 'public', csrf: false } }, async (request, reply) => {
    const parsed = feedbackSchema.safeParse(request.body ?? {});
    if (!parsed.success)
      return reply.status(400).view('errors/400.njk', { title: 'Feedback not sent', detail: parsed.error.issues[0]!.message });
    const { path, useful, comment } = parsed.data;
    if (!useful && !comment) return reply.redirect(`${path.split('#')[0]}#page-feedback`, 303);
    await deps.feedback.record({ path, useful, comment });
    const [base, query] = path.split('?');
    const params = new URLSearchParams(query ?? '');
    params.set('feedback', comment ? 'thanks' : 'more');
    return reply.redirect(`${base}?${params.toString()}#page-feedback`, 303);
  });

  app.get('/manage/page-feedback', { config: { access: ['admin', 'staff'] as const } }, async (_request, reply) => {
    const { byPage, comments } = await deps.feedback.summary();
    return reply.view('feedback/views/page-feedback.njk', { title: 'Page feedback', byPage, comments });
  });
}
