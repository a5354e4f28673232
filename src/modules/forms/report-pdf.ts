import PDFDocument from 'pdfkit';
import { formatRange } from '../../lib/dates.ts';
import type { EventReport } from './event-report-service.ts';
import { pct, ratingsInWords } from './forms-view.ts';

/** The event report as an A4 PDF: the same figures, themes, quotes and headlines as the page. */
export function renderReportPdf(report: EventReport, meta: { orgName: string }): Promise<Buffer> {
  const doc = new PDFDocument({
    size: 'A4',
    margin: 56,
    info: { Title: `Event report: ${report.title}`, Author: meta.orgName, Creator: 'Coproduce' },
  });
  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<Buffer>((resolve) => doc.on('end', () => resolve(Buffer.concat(chunks))));
  const h1 = (t: string) => doc.font('Helvetica-Bold').fontSize(22).fillColor('#212b32').text(t).moveDown(0.4);
  const h2 = (t: string) => doc.moveDown(0.6).font('Helvetica-Bold').fontSize(15).fillColor('#212b32').text(t).moveDown(0.3);
  const p = (t: string) => doc.font('Helvetica').fontSize(11).fillColor('#212b32').text(t).moveDown(0.2);

  h1(`Event report: ${report.title}`);
  p(formatRange(new Date(report.when.startsAt), new Date(report.when.endsAt)));
  p(meta.orgName);

  if (report.headlines.length) {
    h2('Headlines');
    for (const line of report.headlines) p(`• ${line}`);
  }

  /** Horizontal bars with the figure beside each, as on the page. */
  const bars = (counts: [string, number][]) => {
    const max = Math.max(1, ...counts.map(([, n]) => n));
    for (const [option, n] of counts) {
      const y = doc.y;
      doc.font('Helvetica').fontSize(10).fillColor('#212b32').text(option, 56, y, { width: 150 });
      doc.rect(210, y + 1, (250 * n) / max, 9).fill('#005eb8');
      doc.fillColor('#212b32').text(String(n), 215 + (250 * n) / max, y, { width: 60 });
      doc.x = 56;
      doc.y = y + 14;
    }
  };

  h2('Who came');
  p(`Registered: ${report.registered}. Came: ${report.attended}.`);
  const m = report.attendedByExperience;
  p(`Of those who came: ${m.lived} with lived experience, ${m.professional} professional, ${m.both} both.`);
  if (m.lived + m.professional + m.both > 0) {
    bars([
      ['Lived experience', m.lived],
      ['Professional', m.professional],
      ['Both', m.both],
    ]);
    doc.moveDown(0.3);
  }
  for (const s of report.sessions)
    p(
      `${s.title}: ${s.attended} came of ${s.registered} booked (lived ${s.attendedByExperience.lived}, professional ${s.attendedByExperience.professional}, both ${s.attendedByExperience.both}).`,
    );

  if (report.evaluation && report.results) {
    h2('What they thought');
    p(`${report.evaluation.responses} responses: a response rate of ${pct(report.evaluation.responseRate)} of the people who came.`);
    p(`${pct(report.evaluation.excellentOrGoodShare)} rated it excellent or good.`);
    for (const q of report.results.questions) {
      if (!Object.keys(q.counts).length) continue;
      doc.moveDown(0.3).font('Helvetica-Bold').fontSize(11).text(q.text);
      bars(Object.entries(q.counts));
      if (q.topTwoShare !== undefined) p(`Top two: ${pct(q.topTwoShare)}.`);
    }
    const withThemes = report.results.questions.filter((q) => q.themes?.length);
    if (withThemes.length) {
      h2('What they said');
      for (const q of withThemes) {
        doc.font('Helvetica-Bold').fontSize(11).text(q.text).moveDown(0.2);
        for (const t of q.themes!) {
          const ratings = ratingsInWords(t.ratings);
          p(`${t.label} (${t.count} ${t.count === 1 ? 'answer' : 'answers'})${ratings ? `: ${ratings.sentence}` : ''}`);
        }
      }
    }
  }
  h2('In their words');
  if (!report.quotes.length)
    p(
      'No quotes yet. Staff star answers as quotes on the evaluation’s results page; only answers whose authors agreed to be quoted can be used.',
    );
  for (const q of report.quotes) p(`“${q.text}” – ${q.attribution}`);
  h2('What changed');
  if (!report.whatChanged.length) p('No changes from this event’s feedback have been published yet.');
  for (const c of report.whatChanged) {
    doc.moveDown(0.2).font('Helvetica-Bold').fontSize(11).text('You said');
    p(c.youSaid);
    doc.font('Helvetica-Bold').fontSize(11).text('We did');
    p(c.weDid);
    doc.font('Helvetica').fontSize(9.5).fillColor('#4c6272');
    doc.text(`${c.statusText}. Published ${c.publishedOnText}${c.theme ? `. Theme: ${c.theme}` : ''}.`).moveDown(0.4);
  }
  doc.end();
  return done;
}
