import { readFileSync } from 'node:fs';
import path from 'node:path';
import * as fontkit from 'fontkit';
import { rootDir } from '../plugins/paths.ts';

/**
 * The fonts every PDF prints in: Noto Sans, from npm (@fontsource), so that a name in any of the
 * scripts the communities we work with write prints as written. One face per script, tried in
 * this order for each character; pdfkit embeds only the glyphs a document uses.
 */
const FACES: { family: string; subsets: string[] }[] = [
  { family: 'noto-sans', subsets: ['latin', 'latin-ext', 'greek', 'greek-ext', 'cyrillic', 'cyrillic-ext', 'vietnamese', 'devanagari'] },
  { family: 'noto-sans-arabic', subsets: ['arabic'] },
  { family: 'noto-sans-hebrew', subsets: ['hebrew'] },
  { family: 'noto-sans-bengali', subsets: ['bengali'] },
  { family: 'noto-sans-gujarati', subsets: ['gujarati'] },
  { family: 'noto-sans-tamil', subsets: ['tamil'] },
  { family: 'noto-sans-gurmukhi', subsets: ['gurmukhi'] },
];

interface Face {
  name: string;
  data: Buffer;
  font: fontkit.Font;
}

type Layout = (this: fontkit.Font, text: string, features?: unknown, ...rest: unknown[]) => unknown;

/**
 * fontkit 2.0.4 fails while positioning some marks in Noto Sans Gurmukhi (a null anchor in its
 * above- and below-base mark lookups), and pdfkit measures words without the features a run was
 * given. So such a run is laid out again without those two lookups: the marks then sit where the
 * glyphs themselves put them. Once per process, on the prototype pdfkit's fonts share.
 */
function tolerateBrokenMarkAnchors(font: fontkit.Font) {
  let owner: { layout: Layout; tolerant?: boolean } | null = Object.getPrototypeOf(font);
  while (owner && !Object.prototype.hasOwnProperty.call(owner, 'layout')) owner = Object.getPrototypeOf(owner);
  if (!owner || owner.tolerant) return;
  const layout = owner.layout;
  owner.layout = function (text, features, ...rest) {
    try {
      return layout.call(this, text, features, ...rest);
    } catch (err) {
      if (!(err instanceof TypeError)) throw err;
      const given = features && typeof features === 'object' && !Array.isArray(features) ? features : {};
      return layout.call(this, text, { ...given, abvm: false, blwm: false }, ...rest);
    }
  };
  owner.tolerant = true;
}

let loaded: Record<'regular' | 'bold', Face[]> | undefined;

function faces(): Record<'regular' | 'bold', Face[]> {
  if (loaded) return loaded;
  const load = (weight: 400 | 700) =>
    FACES.flatMap(({ family, subsets }) =>
      subsets.map((subset) => {
        const file = path.join(rootDir, 'node_modules/@fontsource', family, 'files', `${family}-${subset}-${weight}-normal.woff`);
        const data = readFileSync(file);
        return { name: `${family}-${subset}-${weight}`, data, font: fontkit.create(data) as fontkit.Font };
      }),
    );
  loaded = { regular: load(400), bold: load(700) };
  tolerateBrokenMarkAnchors(loaded.regular[0]!.font);
  return loaded;
}

/** The name pdfkit knows the main (Latin) face by, for measuring. */
export const MAIN_FONT = { regular: 'noto-sans-latin-400', bold: 'noto-sans-latin-700' };

/** Makes every face known to a document (pdfkit reads a face only when it is first used). */
export function registerFonts(doc: PDFKit.PDFDocument) {
  for (const face of [...faces().regular, ...faces().bold]) doc.registerFont(face.name, face.data);
}

export interface TextRun {
  font: string;
  text: string;
}

const JOINS = /[\s\p{M}\p{Pd}\p{Pc}.,;:!?'"’“”()[\]\u200c\u200d]/u;

/**
 * A text cut into runs, each in the first face that has its characters. Spaces, punctuation and
 * combining marks stay in the run they are in, so a name is one run where its face allows.
 */
export function textRuns(text: string, bold = false): TextRun[] {
  const list = faces()[bold ? 'bold' : 'regular'];
  const runs: { face: Face; text: string }[] = [];
  for (const ch of text) {
    const cp = ch.codePointAt(0)!;
    const current = runs.at(-1);
    let face: Face | undefined;
    if (current?.face.font.hasGlyphForCodePoint(cp)) face = current.face;
    else if (current && JOINS.test(ch) && !/\s/.test(ch)) face = current.face;
    else face = list.find((f) => f.font.hasGlyphForCodePoint(cp)) ?? current?.face ?? list[0]!;
    if (current && current.face === face) current.text += ch;
    else runs.push({ face, text: ch });
  }
  return runs.map((r) => ({ font: r.face.name, text: r.text }));
}
