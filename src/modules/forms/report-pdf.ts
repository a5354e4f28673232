import { BLUE, GREY, pdfWriter } from '../../lib/pdf.ts';
import { formatRange } from '../../lib/dates.ts';
import type { EventReport } from './event-report-service.ts';
import { pct, ratingsInWords } from './forms-view.ts';

/**
 * The event report as a tagged A4 PDF (it goes into board papers and onto public websites): the
 * same figures, themes, quotes and headlines as the page. Each chart is a figure whose
 * alternative text reads its figures out, with its data table beside it, as on the web.
 */
export function renderReportPdf(report: EventReport, meta: { orgName: string }): Promise<Buffer> {
  const w = pdfWriter({
    title: `Event report: ${report.title}`,
    author: meta.orgName,
    subject: `What happened at ${report.title}, what people thought and said, and what changed`,
    creator: 'Coproduce',
  });
  const { doc } = w;
  const h1 = (t: string) => w.say(t, { size: 22, bold: true, tag: 'H1', after: 0.4 });
  const h2 = (t: string) => {
    w.ensure(80);
    doc.moveDown(0.6);
    w.say(t, { size: 15, bold: true, tag: 'H2', after: 0.3 });
  };
  const h3 = (t: string) => {
    w.ensure(60);
    doc.moveDown(0.3);
    w.say(t, { size: 11.5, bold: true, tag: 'H3', after: 0.2 });
  };
  const p = (t: string) => w.say(t, { size: 11, after: 0.2 });

  /** Horizontal bars with the figure beside each, as on the page, then the same figures as a table. */
  const chart = (what: string, counts: [string, number][], header: string) => {
    const max = Math.max(1, ...counts.map(([, n]) => n));
    const total = counts.reduce((sum, [, n]) => sum + n, 0);
    w.ensure(counts.length * 14 + 10);
    const alt = `Bar chart of ${what}: ${counts.map(([option, n]) => `${option} ${n}`).join(', ')}${total ? ` (${total} in all)` : ''}.`;
    w.figure(alt, () => {
      for (const [option, n] of counts) {
        const y = doc.y;
        w.write(option, { size: 10 }, { x: w.left, y, width: 150 });
        doc.rect(w.left + 154, y + 2, (250 * n) / max, 9).fill(BLUE);
        w.write(String(n), { size: 10 }, { x: w.left + 159 + (250 * n) / max, y, width: 60 });
        doc.x = w.left;
        doc.y = y + 14;
      }
    });
    doc.moveDown(0.3);
    w.table(
      [
        { header, width: 3 },
        { header: 'Number', width: 1, align: 'right' },
      ],
      counts.map(([option, n]) => [option, String(n)]),
    );
  };

  h1(`Event report: ${report.title}`);
  p(formatRange(new Date(report.when.startsAt), new Date(report.when.endsAt)));
  p(meta.orgName);

  if (report.headlines.length) {
    h2('Headlines');
    w.list(report.headlines, { size: 11, after: 0.2 });
  }

  h2('Who came');
  p(`Registered: ${report.registered}. Came: ${report.attended}.`);
  const m = report.attendedByExperience;
  p(`Of those who came: ${m.lived} with lived experience, ${m.professional} professional, ${m.both} both.`);
  if (m.lived + m.professional + m.both > 0)
    chart(
      'who came, by experience',
      [
        ['Lived experience', m.lived],
        ['Professional', m.professional],
        ['Both', m.both],
      ],
      'Experience',
    );
  if (report.sessions.length)
    w.table(
      [
        { header: 'Session', width: 3.4 },
        { header: 'Booked', width: 1, align: 'right' },
        { header: 'Came', width: 0.9, align: 'right' },
        { header: 'Lived experience', width: 1.6, align: 'right' },
        { header: 'Professional', width: 1.6, align: 'right' },
        { header: 'Both', width: 0.9, align: 'right' },
      ],
      report.sessions.map((s) => [
        s.title,
        String(s.registered),
        String(s.attended),
        String(s.attendedByExperience.lived),
        String(s.attendedByExperience.professional),
        String(s.attendedByExperience.both),
      ]),
      { caption: 'Each session' },
    );

  if (report.evaluation && report.results) {
    h2('What they thought');
    p(`${report.evaluation.responses} responses: a response rate of ${pct(report.evaluation.responseRate)} of the people who came.`);
    p(`${pct(report.evaluation.excellentOrGoodShare)} rated it excellent or good.`);
    for (const q of report.results.questions) {
      if (!Object.keys(q.counts).length) continue;
      h3(q.text);
      chart(`answers to “${q.text}”`, Object.entries(q.counts), 'Answer');
      if (q.topTwoShare !== undefined) p(`Top two: ${pct(q.topTwoShare)}.`);
    }
    const withThemes = report.results.questions.filter((q) => q.themes?.length);
    if (withThemes.length) {
      h2('What they said');
      for (const q of withThemes) {
        h3(q.text);
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
    h3('You said');
    p(c.youSaid);
    h3('We did');
    p(c.weDid);
    w.say(`${c.statusText}. Published ${c.publishedOnText}${c.theme ? `. Theme: ${c.theme}` : ''}.`, {
      size: 9.5,
      colour: GREY,
      after: 0.4,
    });
  }
  doc.end();
  return w.done;
}
