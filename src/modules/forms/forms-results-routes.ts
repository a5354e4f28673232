import { z } from 'zod';
import { barChart } from '../../lib/charts.ts';
import { ConflictError, ValidationError } from '../../lib/validation.ts';
import { actorOf } from '../../plugins/access.ts';
import { capitalise, pct, ratingsInWords } from './forms-view.ts';
import { NOT_QUOTABLE, type FormsService } from './forms-service.ts';
import type { ResultsService } from './results-service.ts';
import { flags, idParams } from '../../lib/route-schemas.ts';
import type { App } from '../../plugins/types.ts';

const STAFF = { access: ['admin', 'staff'] as const, hideWhenDenied: true };

/** What the results page says after each action on it. */
const RESULTS_BANNERS = {
  starred: 'Quote starred: it can go in the event report',
  unstarred: 'Star taken off the quote',
  renamed: 'Theme renamed',
  merged: 'Themes merged into one',
  split: 'The answers you chose are now a theme of their own',
} as const;

/** Staff: reading a form's results and themes, choosing quotes, exporting the answers. */
export function formsResultsRoutes(app: App, deps: { forms: FormsService; results: ResultsService }) {
  const { forms, results } = deps;

  // ---- results -------------------------------------------------------------------------------
  app.get(
    '/manage/forms/:id/results',
    { schema: { querystring: flags('refused', 'themes', 'done'), params: idParams }, config: STAFF },
    async (request, reply) => {
      const form = await forms.get(request.params.id);
      const [r, progress] = await Promise.all([results.results(form.id), results.themeProgress(form.id)]);
      const hasThemes = r.questions.some((q) => q.themes?.length);
      // Asked for themes and none are being found any more: say whether any came of it.
      const themeStatus = progress.pending
        ? 'finding'
        : progress.stale
          ? 'stalled'
          : request.query.themes
            ? hasThemes
              ? 'found'
              : 'none'
            : null;
      const questions = await Promise.all(
        r.questions.map(async (q, i) => ({
          ...q,
          chart: Object.keys(q.counts).length
            ? barChart(
                `chart-${i}`,
                q.text,
                Object.entries(q.counts).map(([label, value]) => ({ label: capitalise(label), value })),
              )
            : null,
          rows: Object.entries(q.counts).map(([option, n]) => ({
            option: capitalise(option),
            n,
            share: pct(q.answered ? n / q.answered : 0),
            lived: q.byExperience?.lived.counts[option] ?? 0,
            professional: q.byExperience?.professional.counts[option] ?? 0,
            both: q.byExperience?.both.counts[option] ?? 0,
          })),
          topTwo:
            q.topTwoShare !== undefined
              ? {
                  all: pct(q.topTwoShare),
                  lived: pct(q.byExperience?.lived.topTwoShare),
                  professional: pct(q.byExperience?.professional.topTwoShare),
                  both: pct(q.byExperience?.both.topTwoShare),
                }
              : null,
          themes: q.themes?.map((t) => ({
            ...t,
            ratingsText: ratingsInWords(t.ratings),
            mergeItems: q.themes!.filter((o) => o.id !== t.id).map((o) => ({ value: o.id, text: o.label })),
          })),
          answers: q.type === 'text' || q.type === 'long_text' ? await results.textAnswersForStaff(q.id, 200) : [],
        })),
      );
      // The report's "how to add quotes" links to the first list of answers people wrote.
      const firstWritten = questions.findIndex((q) => q.answers.length);
      return reply.view('forms/views/results.njk', {
        title: `Results: ${form.title}`,
        form,
        r,
        rate: pct(r.responseRate),
        questions: questions.map((q, i) => ({ ...q, firstWritten: i === firstWritten })),
        banner: RESULTS_BANNERS[request.query.done as keyof typeof RESULTS_BANNERS] ?? null,
        themeStatus,
        errorList: /^\d{1,15}$/.test(request.query.refused ?? '') ? [{ text: NOT_QUOTABLE, href: `#answer-${request.query.refused}` }] : [],
      });
    },
  );

  app.get('/manage/forms/:id/responses.csv', { schema: { params: idParams }, config: STAFF }, async (request, reply) => {
    const form = await forms.get(request.params.id);
    const csv = await forms.exportCsv(actorOf(request), form.id);
    return reply
      .type('text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="responses.csv"`)
      .header('cache-control', 'no-store')
      .send(csv);
  });

  app.post<{ Params: { id: string; answerId: string } }>(
    '/manage/forms/:id/answers/:answerId/star',
    { config: STAFF },
    async (request, reply) => {
      const starred = (request.body as { starred?: string }).starred === 'yes';
      const answerId = /^\d{1,15}$/.test(request.params.answerId) ? Number(request.params.answerId) : -1;
      try {
        await forms.star(request.params.id, answerId, starred);
      } catch (err) {
        if (!(err instanceof ConflictError)) throw err;
        return reply.redirect(`/manage/forms/${request.params.id}/results?refused=${answerId}#answer-${answerId}`, 303);
      }
      return reply.redirect(`/manage/forms/${request.params.id}/results?done=${starred ? 'starred' : 'unstarred'}#answer-${answerId}`, 303);
    },
  );

  app.post('/manage/forms/:id/themes', { schema: { params: idParams }, config: STAFF }, async (request, reply) => {
    await results.queueThemes(request.params.id, { force: (request.body as { force?: string }).force === 'yes' });
    return reply.redirect(`/manage/forms/${request.params.id}/results?themes=asked#themes-status`, 303);
  });

  const themeBody = z.object({
    label: z.string().max(200).optional(),
    into: z.string().max(40).optional(),
    answerIds: z.union([z.string(), z.array(z.string())]).optional(),
  });

  app.post<{ Params: { id: string; themeId: string } }>(
    '/manage/forms/:id/themes/:themeId/rename',
    { config: STAFF },
    async (request, reply) => {
      const body = themeBody.parse(request.body ?? {});
      await results.renameTheme(request.params.id, request.params.themeId, body.label ?? '');
      return reply.redirect(`/manage/forms/${request.params.id}/results?done=renamed`, 303);
    },
  );

  app.post<{ Params: { id: string; themeId: string } }>(
    '/manage/forms/:id/themes/:themeId/merge',
    { config: STAFF },
    async (request, reply) => {
      const body = themeBody.parse(request.body ?? {});
      await results.mergeThemes(request.params.id, body.into ?? '', request.params.themeId);
      return reply.redirect(`/manage/forms/${request.params.id}/results?done=merged`, 303);
    },
  );

  app.get<{ Params: { id: string; themeId: string } }>('/manage/forms/:id/themes/:themeId', { config: STAFF }, async (request, reply) => {
    const theme = await results.themeOf(request.params.id, request.params.themeId);
    const answers = await results.themeAnswers(theme.id);
    return reply.view('forms/views/theme.njk', {
      title: `Theme: ${theme.label}`,
      formId: request.params.id,
      theme,
      answers,
      answerItems: answers.map((a) => ({ value: String(a.id), text: a.text })),
      errors: {},
      errorList: [],
    });
  });

  app.post<{ Params: { id: string; themeId: string } }>(
    '/manage/forms/:id/themes/:themeId/split',
    { config: STAFF },
    async (request, reply) => {
      const body = themeBody.parse(request.body ?? {});
      const ids = (Array.isArray(body.answerIds) ? body.answerIds : body.answerIds ? [body.answerIds] : []).map(Number);
      try {
        await results.splitTheme(request.params.id, request.params.themeId, body.label ?? '', ids);
      } catch (err) {
        if (!(err instanceof ValidationError)) throw err;
        const theme = await results.themeOf(request.params.id, request.params.themeId);
        const errors = Object.fromEntries(err.errors.map((e) => [e.path, e.message]));
        const answers = await results.themeAnswers(theme.id);
        return reply.status(400).view('forms/views/theme.njk', {
          title: `Theme: ${theme.label}`,
          formId: request.params.id,
          theme,
          answers,
          answerItems: answers.map((a) => ({ value: String(a.id), text: a.text })),
          errors,
          errorList: err.errors.map((e) => ({ text: e.message, href: `#${e.path}` })),
        });
      }
      return reply.redirect(`/manage/forms/${request.params.id}/results?done=split`, 303);
    },
  );
}
