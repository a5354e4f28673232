import { z } from 'zod';
import { barChart } from '../../lib/charts.ts';
import { formatRange } from '../../lib/dates.ts';
import { ValidationError } from '../../lib/validation.ts';
import { actorOf } from '../../plugins/access.ts';
import type { EventReportService } from './event-report-service.ts';
import { capitalise, pct, ratingsInWords } from './forms-view.ts';
import { renderReportPdf } from './report-pdf.ts';
import { flags, idParams } from '../../lib/route-schemas.ts';
import type { App } from '../../plugins/types.ts';

const STAFF = { access: ['admin', 'staff'] as const, hideWhenDenied: true };

/** The event report: a page, the same as a PDF, and the organisers' headlines. */
export function reportRoutes(app: App, deps: { reports: EventReportService; orgName: string }) {
  app.get(
    '/manage/events/:id/report',
    { schema: { querystring: flags('saved'), params: idParams }, config: STAFF },
    async (request, reply) => {
      const report = await deps.reports.report(request.params.id);
      const questions = (report.results?.questions ?? []).map((q, i) => ({
        ...q,
        chart: Object.keys(q.counts).length
          ? barChart(
              `report-chart-${i}`,
              q.text,
              Object.entries(q.counts).map(([label, value]) => ({ label: capitalise(label), value })),
            )
          : null,
        rows: Object.entries(q.counts).map(([option, n]) => ({ option: capitalise(option), n })),
        topTwo: q.topTwoShare !== undefined ? pct(q.topTwoShare) : null,
        themes: q.themes?.map((t) => ({ ...t, ratingsText: ratingsInWords(t.ratings) })),
      }));
      const m = report.attendedByExperience;
      const cameTotal = m.lived + m.professional + m.both;
      const mix = [
        { label: 'Lived experience', value: m.lived },
        { label: 'Professional', value: m.professional },
        { label: 'Both', value: m.both },
      ];
      const whoCame = {
        chart: cameTotal ? barChart('report-who-came', 'Who came, by experience', mix) : null,
        rows: mix.map((b) => ({ ...b, share: pct(cameTotal ? b.value / cameTotal : 0) })),
      };
      return reply.view('forms/views/report.njk', {
        whoCame,
        title: `Report: ${report.title}`,
        report,
        when: formatRange(new Date(report.when.startsAt), new Date(report.when.endsAt)),
        rate: pct(report.evaluation?.responseRate),
        goodShare: pct(report.evaluation?.excellentOrGoodShare),
        questions,
        anyThemes: questions.some((q) => q.themes?.length),
        headlinesText: report.headlines.join('\n'),
        errors: {},
        banner: request.query.saved ? 'Headlines saved' : null,
      });
    },
  );

  app.get('/manage/events/:id/report.pdf', { schema: { params: idParams }, config: STAFF }, async (request, reply) => {
    const report = await deps.reports.report(request.params.id);
    const pdf = await renderReportPdf(report, { orgName: deps.orgName });
    return reply.type('application/pdf').header('content-disposition', 'inline; filename="event-report.pdf"').send(pdf);
  });

  app.post('/manage/events/:id/report/headlines', { schema: { params: idParams }, config: STAFF }, async (request, reply) => {
    const body = z.object({ headlines: z.string().max(10_000).optional() }).parse(request.body ?? {});
    try {
      await deps.reports.setHeadlines(actorOf(request), request.params.id, body.headlines ?? '');
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err;
      return reply.status(400).view('errors/400.njk', { title: 'Headlines not saved', detail: err.errors[0]!.message });
    }
    return reply.redirect(`/manage/events/${request.params.id}/report?saved=1`, 303);
  });
}
