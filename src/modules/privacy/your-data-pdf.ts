import { GREY, pdfWriter } from '../../lib/pdf.ts';
import type { ReadableData } from './readable-data.ts';

/** "Your data" as a tagged A4 PDF: the same sections, labels and dates in words as the page. */
export function yourDataPdf(data: ReadableData, meta: { name: string; orgName: string; serviceName: string }): Promise<Buffer> {
  const w = pdfWriter({
    title: `Your data: ${meta.name}`,
    author: meta.orgName,
    subject: `Everything ${meta.serviceName} holds about ${meta.name}`,
    creator: meta.serviceName,
  });
  w.say(`Your data: ${meta.name}`, { size: 22, bold: true, tag: 'H1', after: 0.3 });
  w.say(`Everything ${meta.orgName} holds about you in ${meta.serviceName}, on ${data.exportedAt}.`, { size: 12, after: 0.8 });
  for (const section of data.sections) {
    w.ensure(60);
    w.say(section.heading, { size: 16, bold: true, tag: 'H2', after: 0.3 });
    if (section.empty) {
      w.say(section.empty, { size: 11, colour: GREY, after: 0.6 });
      continue;
    }
    section.items.forEach((item, i) => {
      if (section.items.length > 1) {
        w.ensure(40);
        w.say(`${i + 1} of ${section.items.length}`, { size: 12, bold: true, tag: 'H3', after: 0.1 });
      }
      for (const row of item.rows) {
        w.ensure(28);
        w.say(`${row.label}: ${row.lines.join('\n')}`, { size: 11 });
      }
      w.doc.moveDown(0.5);
    });
  }
  w.doc.end();
  return w.done;
}
