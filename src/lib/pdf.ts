import PDFDocument from 'pdfkit';

// Colours of the NHS design system, for text and the few lines and bars a document draws.
export const INK = '#212b32';
export const GREY = '#4c6272';
export const BLUE = '#005eb8';

export interface TextStyle {
  size: number;
  bold?: boolean;
  /** The structure tag for screen readers: headings are H1–H3, everything else a paragraph. */
  tag?: 'H1' | 'H2' | 'H3' | 'P';
  colour?: string;
  /** Space after, in lines. */
  after?: number;
  x?: number;
  width?: number;
  link?: string;
}

/**
 * A tagged A4 document (PDF 1.7, en-GB, title shown in the reader's title bar) with the few
 * helpers documents here need. Text is tagged as headings and paragraphs; rules and
 * boxes are marked as artifacts so screen readers skip them.
 */
export function pdfWriter(info: { title: string; author: string; subject: string; creator: string }) {
  const doc = new PDFDocument({
    size: 'A4',
    margin: 56,
    pdfVersion: '1.7',
    tagged: true,
    lang: 'en-GB',
    displayTitle: true,
    info: { Title: info.title, Author: info.author, Subject: info.subject, Creator: info.creator },
  });
  const root = doc.struct('Document');
  doc.addStructure(root);
  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<Buffer>((resolve) => doc.on('end', () => resolve(Buffer.concat(chunks))));
  const left = doc.page.margins.left;
  const width = doc.page.width - doc.page.margins.left - doc.page.margins.right;
  const bottom = () => doc.page.height - doc.page.margins.bottom;

  const say = (text: string, s: TextStyle) => {
    const x = s.x ?? left;
    doc
      .font(s.bold ? 'Helvetica-Bold' : 'Helvetica')
      .fontSize(s.size)
      .fillColor(s.colour ?? INK)
      .text(text, x, doc.y, {
        width: s.width ?? width - (x - left),
        structParent: root,
        structType: s.tag ?? 'P',
        ...(s.link ? { link: s.link, underline: true } : {}),
      });
    if (s.after) doc.moveDown(s.after);
    doc.x = left;
  };
  const artifact = (draw: () => void) => {
    doc.markContent('Artifact');
    draw();
    doc.endMarkedContent();
  };
  /** One grey line to write on. */
  const writeOn = (x1: number, x2: number, y: number) =>
    artifact(() => doc.moveTo(x1, y).lineTo(x2, y).lineWidth(0.75).strokeColor('#aeb7bd').stroke());
  /** Starts a new page unless `space` points are left, so a heading is not stranded at the foot of a page. */
  const ensure = (space: number) => {
    if (doc.y + space > bottom()) doc.addPage();
  };
  /** Ruled lines to write on, `gap` apart, carrying on over the page if need be. */
  const rules = (count: number, gap: number, x = left) => {
    for (let i = 0; i < count; i++) {
      ensure(gap);
      const y = doc.y + gap;
      writeOn(x, left + width, y);
      doc.y = y;
    }
    doc.y += 4;
    doc.x = left;
  };
  /** "Team name: ________" on one line. */
  const field = (label: string, size: number) => {
    ensure(size * 2.4);
    const y = doc.y;
    say(label, { size, bold: true, width: width * 0.6 });
    // A label that wraps gets its line beside its last line.
    const lineY = doc.y - size * 0.15;
    const from = left + Math.min(doc.widthOfString(label), width * 0.6) + 8;
    writeOn(from, left + width, lineY);
    doc.y = Math.max(doc.y + size * 0.9, y + size * 2.4);
  };
  return { doc, say, artifact, writeOn, ensure, rules, field, left, width, bottom, done };
}
