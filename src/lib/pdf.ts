import PDFDocument from 'pdfkit';
import { MAIN_FONT, registerFonts } from './pdf-fonts.ts';
import { textLayout } from './pdf-text.ts';

// Colours of the NHS design system, for text and the few lines and bars a document draws.
export const INK = '#212b32';
export const GREY = '#4c6272';
export const BLUE = '#005eb8';

export interface TextStyle {
  size: number;
  bold?: boolean;
  /** The structure tag for screen readers: headings H1–H3, a table's Caption, a list item's LBody, else a paragraph. */
  tag?: 'H1' | 'H2' | 'H3' | 'P' | 'Caption' | 'LBody';
  colour?: string;
  /** Space after, in lines. */
  after?: number;
  x?: number;
  width?: number;
  link?: string;
}

export interface TableColumn {
  header: string;
  /** A share of the width; the columns' shares are scaled to fill it. */
  width: number;
  align?: 'left' | 'right';
}

/**
 * A tagged A4 document (PDF 1.7, en-GB, title shown in the reader's title bar) with the few
 * helpers documents here need. Text is tagged as headings and paragraphs, each carrying its words
 * as ActualText (so a reader gets them in logical order whatever the script), in Noto fonts that
 * cover Latin, Greek, Cyrillic, Arabic, Hebrew and the main Indic scripts; pictures are figures
 * with alternative text; tables are tables with header cells, their header row repeated on each
 * new page as an artifact; rules and boxes are artifacts so screen readers skip them.
 */
export function pdfWriter(info: {
  title: string;
  author: string;
  subject: string;
  creator: string;
  layout?: 'portrait' | 'landscape';
  margin?: number;
}) {
  const doc = new PDFDocument({
    size: 'A4',
    layout: info.layout ?? 'portrait',
    margin: info.margin ?? 56,
    pdfVersion: '1.7',
    tagged: true,
    lang: 'en-GB',
    displayTitle: true,
    info: { Title: info.title, Author: info.author, Subject: info.subject, Creator: info.creator },
  });
  registerFonts(doc);
  doc.font(MAIN_FONT.regular);
  const root = doc.struct('Document');
  doc.addStructure(root);
  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<Buffer>((resolve) => doc.on('end', () => resolve(Buffer.concat(chunks))));
  const left = doc.page.margins.left;
  const width = doc.page.width - doc.page.margins.left - doc.page.margins.right;
  const bottom = () => doc.page.height - doc.page.margins.bottom;

  const layout = textLayout(doc);
  /** Writes text with its top at (x, y), wrapped to the width, in the faces its characters need. */
  const write = (
    text: string,
    s: Omit<TextStyle, 'tag' | 'after'>,
    at: { x: number; y: number; width: number; align?: 'left' | 'right' | 'center' },
  ) => {
    let y = at.y;
    for (const line of layout.lines(text, s, at.width))
      y += layout.draw(line, { ...s, colour: s.colour ?? INK }, { x: at.x, y, width: at.width, align: at.align ?? 'left' });
    doc.x = left;
    doc.y = y;
  };
  /**
   * A paragraph or heading at the cursor, carrying on over the page if it must: one structure
   * element, its marked content ended at the foot of one page and begun again on the next.
   */
  /**
   * A paragraph that is a link: the link is a Link element inside it, which its annotation is
   * attached to (pdfkit does so for text drawn inside a Link element), so a reader announces it.
   */
  const linked = (tag: string, text: string, draw: () => void) =>
    doc.struct(tag, { actual: text }, [doc.struct('Link', { alt: `Link: ${text}` }, draw)]);
  const say = (text: string, s: TextStyle, parent: PDFKit.PDFStructureElement = root) => {
    const x = s.x ?? left;
    const lineWidth = s.width ?? width - (x - left);
    const tag = s.tag ?? 'P';
    if (s.link) {
      // A link is a line or two: kept to one page rather than split.
      ensure(heightOf(text, { ...s, width: lineWidth }));
      parent.add(linked(tag, text, () => write(text, s, { x, y: doc.y, width: lineWidth })));
      if (s.after) doc.font(MAIN_FONT.regular).fontSize(s.size).moveDown(s.after);
      return;
    }
    const element = doc.struct(tag, { actual: text });
    parent.add(element);
    let content = doc.markStructureContent(tag);
    let y = doc.y;
    for (const line of layout.lines(text, s, lineWidth)) {
      if (y + layout.lineHeight(line, s.size) > bottom() && y > doc.page.margins.top) {
        doc.endMarkedContent();
        element.add(content);
        doc.addPage();
        y = doc.page.margins.top;
        content = doc.markStructureContent(tag);
      }
      y += layout.draw(line, { ...s, colour: s.colour ?? INK }, { x, y, width: lineWidth, align: 'left' });
    }
    doc.endMarkedContent();
    element.add(content);
    element.end();
    doc.x = left;
    doc.y = y;
    if (s.after) doc.font(MAIN_FONT.regular).fontSize(s.size).moveDown(s.after);
  };
  /** The height `text` takes at this size and width. */
  const heightOf = (text: string, s: { size: number; bold?: boolean; width?: number }) =>
    layout.lines(text, s, s.width ?? width).reduce((sum, line) => sum + layout.lineHeight(line, s.size), 0);
  /** The width `text` takes on one line, in the faces it prints in. */
  const widthOf = (text: string, s: { size: number; bold?: boolean }) => layout.lines(text, s, Infinity)[0]?.width ?? 0;
  /** Text placed at a point (labels, certificates), tagged as a paragraph like any other. */
  const place = (
    text: string,
    s: Omit<TextStyle, 'tag' | 'after' | 'x' | 'width'> & { tag?: TextStyle['tag'] },
    at: { x: number; y: number; width: number; align?: 'left' | 'right' | 'center' },
  ) => {
    const draw = () => write(text, s, at);
    root.add(s.link ? linked(s.tag ?? 'P', text, draw) : doc.struct(s.tag ?? 'P', { actual: text }, draw));
  };
  /** A bulleted list, tagged as one (L, LI, LBody); the bullets are decoration. */
  const list = (items: string[], s: Omit<TextStyle, 'tag' | 'x'>) => {
    const l = doc.struct('L');
    root.add(l);
    for (const item of items) {
      const y = doc.y;
      artifact(() => doc.circle(left + 8, y + s.size * 0.5, 1.8).fill(s.colour ?? INK));
      const li = doc.struct('LI');
      l.add(li);
      say(item, { ...s, tag: 'LBody', x: left + 18 }, li);
      li.end();
    }
    l.end();
  };
  /** A picture (a chart, a QR code): drawn, and described for those who cannot see it. */
  const figure = (alt: string, draw: () => void, parent: PDFKit.PDFStructureElement = root) => {
    parent.add(doc.struct('Figure', { alt }, draw));
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
    const from = left + Math.min(widthOf(label, { size, bold: true }), width * 0.6) + 8;
    writeOn(from, left + width, lineY);
    doc.y = Math.max(doc.y + size * 0.9, y + size * 2.4);
  };
  /**
   * A real table: a header row of TH cells (scope column) and rows of TD cells, tagged as such.
   * A row that would cross the foot of the page starts a new one, where the header row is drawn
   * again as an artifact (a reader has it once, from the table's structure).
   */
  const table = (columns: TableColumn[], rows: string[][], opts: { size?: number; caption?: string } = {}) => {
    const size = opts.size ?? 10;
    const total = columns.reduce((n, c) => n + c.width, 0);
    const widths = columns.map((c) => (c.width / total) * width);
    const pad = 4;
    const rowHeight = (cells: string[], bold: boolean) =>
      Math.max(...cells.map((c, i) => heightOf(c, { size, bold, width: widths[i]! - 2 * pad }))) + 2 * pad;
    const tableEl = doc.struct('Table');
    root.add(tableEl);
    if (opts.caption) say(opts.caption, { size: size + 1, bold: true, tag: 'Caption', after: 0.2 }, tableEl);
    const drawRow = (cells: string[], kind: 'TH' | 'TD', tagged: boolean) => {
      const height = rowHeight(cells, kind === 'TH');
      const y = doc.y;
      const rowEl = tagged ? doc.struct('TR') : undefined;
      if (rowEl) tableEl.add(rowEl);
      let x = left;
      cells.forEach((cell, i) => {
        const at = { x: x + pad, y: y + pad, width: widths[i]! - 2 * pad, align: columns[i]!.align ?? 'left' };
        const style = { size, bold: kind === 'TH' };
        if (rowEl) {
          const cellEl = doc.struct(kind, { actual: cell }, () => write(cell, style, at));
          // A header cell says which cells it heads (PDF/UA: Scope on TH).
          if (kind === 'TH')
            (cellEl as unknown as { dictionary: { data: Record<string, unknown> } }).dictionary.data.A = { O: 'Table', Scope: 'Column' };
          rowEl.add(cellEl);
        } else artifact(() => write(cell, style, at));
        x += widths[i]!;
      });
      rowEl?.end();
      artifact(() =>
        doc
          .moveTo(left, y + height)
          .lineTo(left + width, y + height)
          .lineWidth(kind === 'TH' ? 1 : 0.5)
          .strokeColor(kind === 'TH' ? INK : '#d8dde0')
          .stroke(),
      );
      doc.y = y + height;
      doc.x = left;
    };
    const headers = columns.map((c) => c.header);
    ensure(rowHeight(headers, true) + (rows[0] ? rowHeight(rows[0], false) : 0));
    drawRow(headers, 'TH', true);
    for (const row of rows) {
      if (doc.y + rowHeight(row, false) > bottom()) {
        doc.addPage();
        drawRow(headers, 'TH', false);
      }
      drawRow(row, 'TD', true);
    }
    tableEl.end();
    doc.moveDown(0.6);
  };
  return {
    doc,
    root,
    say,
    write,
    place,
    heightOf,
    widthOf,
    list,
    figure,
    table,
    artifact,
    writeOn,
    ensure,
    rules,
    field,
    left,
    width,
    bottom,
    done,
  };
}
