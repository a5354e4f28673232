import { MAIN_FONT, textRuns, type TextRun } from './pdf-fonts.ts';

/**
 * Lines of text laid out by us rather than by pdfkit, which wraps and aligns one font at a time:
 * a line here may hold words in several faces (a Polish name, an Arabic one beside English), each
 * word measured in its own faces, words of right-to-left scripts put in right-to-left order (the
 * Unicode bidirectional algorithm's rules for words: a run of RTL words in an LTR line is
 * reversed; a paragraph that starts RTL runs right to left and is right-aligned), and every piece
 * set on one baseline whatever its face's ascender.
 */

const RTL = /[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufefc]/;
const STRONG = /[\p{L}]/u;

/** Whether a text's first letter is of a right-to-left script. */
export function startsRightToLeft(text: string): boolean {
  for (const ch of text) if (STRONG.test(ch)) return RTL.test(ch);
  return false;
}

interface Piece extends TextRun {
  width: number;
}

interface Word {
  text: string;
  pieces: Piece[];
  width: number;
  rtl: boolean;
}

export interface Line {
  words: Word[];
  width: number;
  rtl: boolean;
}

interface FontMetrics {
  ascender: number;
  descender: number;
  lineGap: number;
}

const metricsOf = (doc: PDFKit.PDFDocument) => (doc as unknown as { _font: FontMetrics })._font;

export function textLayout(doc: PDFKit.PDFDocument) {
  const measure = (run: TextRun, size: number): Piece => ({ ...run, width: doc.font(run.font).fontSize(size).widthOfString(run.text) });
  const spaceWidth = (size: number, bold?: boolean) =>
    doc
      .font(bold ? MAIN_FONT.bold : MAIN_FONT.regular)
      .fontSize(size)
      .widthOfString(' ');

  const wordOf = (text: string, size: number, bold?: boolean): Word => {
    const pieces = textRuns(text, bold).map((r) => measure(r, size));
    return { text, pieces, width: pieces.reduce((n, p) => n + p.width, 0), rtl: startsRightToLeft(text) };
  };

  /** A word wider than the line, cut into pieces that fit (a long web address). */
  const cut = (text: string, size: number, width: number, bold?: boolean): Word[] => {
    const out: Word[] = [];
    let rest = [...text];
    while (rest.length) {
      let n = rest.length;
      while (n > 1 && wordOf(rest.slice(0, n).join(''), size, bold).width > width) n--;
      out.push(wordOf(rest.slice(0, n).join(''), size, bold));
      rest = rest.slice(n);
    }
    return out;
  };

  /** Breaks text into lines no wider than `width`; a newline always starts a new line. */
  function lines(text: string, s: { size: number; bold?: boolean }, width: number): Line[] {
    const gap = spaceWidth(s.size, s.bold);
    const baseRtl = startsRightToLeft(text);
    const out: Line[] = [];
    for (const paragraph of text.split('\n')) {
      let current: Word[] = [];
      let used = 0;
      const flush = () => {
        out.push({ words: current, width: used, rtl: baseRtl });
        current = [];
        used = 0;
      };
      for (const token of paragraph.split(/\s+/).filter(Boolean)) {
        const word = wordOf(token, s.size, s.bold);
        const words = word.width > width ? cut(token, s.size, width, s.bold) : [word];
        for (const w of words) {
          const needed = (current.length ? gap : 0) + w.width;
          if (current.length && used + needed > width) flush();
          used += (current.length ? gap : 0) + w.width;
          current.push(w);
        }
      }
      flush();
    }
    return out;
  }

  /** The words of a line in the order they are printed, left to right. */
  function visualOrder(line: Line): Word[] {
    const reverseRuns = (words: Word[], ofRtl: boolean) => {
      const out: Word[] = [];
      let run: Word[] = [];
      for (const w of words) {
        if (w.rtl === ofRtl) run.push(w);
        else {
          out.push(...run.reverse(), w);
          run = [];
        }
      }
      return [...out, ...run.reverse()];
    };
    // LTR line: runs of RTL words reversed. RTL line: the whole line reversed, and runs of LTR
    // words put back in their own order.
    return line.rtl ? reverseRuns([...line.words].reverse(), false) : reverseRuns(line.words, true);
  }

  /** The height of a line: the tallest face in it, at this size. */
  function lineHeight(line: Line, size: number): number {
    const fonts = new Set([MAIN_FONT.regular, ...line.words.flatMap((w) => w.pieces.map((p) => p.font))]);
    return Math.max(...[...fonts].map((f) => doc.font(f).fontSize(size).currentLineHeight(true)));
  }

  /** Prints a line with its top at y; returns the line's height. */
  function draw(
    line: Line,
    s: { size: number; bold?: boolean; colour: string; link?: string },
    at: { x: number; y: number; width: number; align: 'left' | 'right' | 'center' },
  ): number {
    const gap = spaceWidth(s.size, s.bold);
    const align = line.rtl && at.align === 'left' ? 'right' : at.align;
    let x = align === 'left' ? at.x : align === 'right' ? at.x + at.width - line.width : at.x + (at.width - line.width) / 2;
    const pieces = visualOrder(line).flatMap((w, i) => [...(i ? [null] : []), ...(w.rtl ? [...w.pieces].reverse() : w.pieces)]);
    // One baseline: each face's ascender differs, and pdfkit places text by its top.
    const ascent = (font: string) => (metricsOf(doc.font(font).fontSize(s.size)).ascender / 1000) * s.size;
    const baseline = at.y + Math.max(...pieces.map((p) => ascent(p?.font ?? MAIN_FONT.regular)));
    doc.fillColor(s.colour);
    for (const p of pieces) {
      if (!p) {
        x += gap;
        continue;
      }
      doc
        .font(p.font)
        .fontSize(s.size)
        .text(p.text, x, baseline - ascent(p.font), { lineBreak: false, ...(s.link ? { link: s.link, underline: true } : {}) });
      x += p.width;
    }
    return lineHeight(line, s.size);
  }

  return { lines, draw, lineHeight, visualOrder };
}
