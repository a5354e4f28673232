import assert from 'node:assert/strict';
import { getDocument } from 'pdfjs-dist/legacy/build/pdf.mjs';

/** The text of every page of a PDF, read back as a person's PDF reader would. */
export async function pdfText(buffer: Buffer): Promise<string> {
  const doc = await getDocument({ data: new Uint8Array(buffer), verbosity: 0 }).promise;
  const out: string[] = [];
  for (let i = 1; i <= doc.numPages; i++)
    out.push((await (await doc.getPage(i)).getTextContent()).items.map((it) => ('str' in it ? it.str : '')).join(' '));
  return out.join('\n');
}

export interface StructNode {
  role: string;
  alt?: string;
  children: (StructNode | { type: string; id?: string })[];
}

export interface PdfStructure {
  marked: boolean;
  lang: string | undefined;
  title: string | undefined;
  displayTitle: boolean;
  /** Each page's structure tree, as pdf.js reads it (what assistive technology is given). */
  pages: StructNode[];
  /** Every element that holds content, in reading order, with its role and its ActualText or Alt. */
  elements: { role: string; text: string | undefined; page: number }[];
}

/** A PDF's tagging, read back with pdf.js: marked, language, title, and the structure tree. */
export async function pdfStructure(buffer: Buffer): Promise<PdfStructure> {
  const doc = await getDocument({ data: new Uint8Array(buffer), verbosity: 0 }).promise;
  const [markInfo, metadata, prefs] = await Promise.all([doc.getMarkInfo(), doc.getMetadata(), doc.getViewerPreferences()]);
  const info = metadata.info as { Language?: string; Title?: string };
  const pages: StructNode[] = [];
  const elements: PdfStructure['elements'] = [];
  // pdf.js gives each page the elements around its content; an element is counted on the page
  // that holds its own marked content (a table that runs over two pages is one table).
  const walk = (node: StructNode, page: number) => {
    const ownContent = (node.children ?? []).some((c) => !('role' in c) && c.type === 'content');
    if (node.role && node.role !== 'Root' && ownContent) elements.push({ role: node.role, text: node.alt, page });
    for (const child of node.children ?? []) if ('role' in child) walk(child, page);
  };
  for (let i = 1; i <= doc.numPages; i++) {
    const tree = (await (await doc.getPage(i)).getStructTree()) as unknown as StructNode;
    pages.push(tree);
    if (tree) walk(tree, i);
  }
  return {
    marked: !!markInfo?.Marked,
    lang: info.Language,
    title: info.Title,
    displayTitle: !!(prefs as { DisplayDocTitle?: boolean } | null)?.DisplayDocTitle,
    pages,
    elements,
  };
}

/**
 * What every PDF the product makes must be: tagged, in English, with its title shown, a structure
 * tree on every page, text in headings, paragraphs or table cells that carry their words, and
 * alternative text on every figure. Returns the structure for checks of the document's own.
 */
export async function assertAccessiblePdf(buffer: Buffer, expect: { title: string | RegExp }): Promise<PdfStructure> {
  const s = await pdfStructure(buffer);
  assert.equal(s.marked, true, 'tagged: /MarkInfo /Marked true');
  assert.equal(s.lang, 'en-GB', 'the document language');
  assert.equal(s.displayTitle, true, 'the title shown, not the file name');
  if (typeof expect.title === 'string') assert.equal(s.title, expect.title);
  else assert.match(s.title ?? '', expect.title);
  s.pages.forEach((tree, i) => assert.ok(tree && tree.children.length > 0, `page ${i + 1} has a structure tree`));
  const figures = s.elements.filter((e) => e.role === 'Figure');
  for (const f of figures) assert.ok(f.text && f.text.trim().length > 3, `a figure on page ${f.page} has alternative text`);
  const text = s.elements.filter((e) => ['P', 'H1', 'H2', 'H3', 'TH', 'TD', 'Caption', 'LBody'].includes(e.role));
  assert.ok(text.length > 0, 'the text is tagged');
  for (const e of text) assert.ok(e.text !== undefined, `a ${e.role} on page ${e.page} carries its words`);
  return s;
}

/** The struct tree's words in reading order: headings, paragraphs and cells joined with spaces. */
export const readingOrder = (s: PdfStructure) =>
  s.elements
    .filter((e) => e.text !== undefined && e.role !== 'Figure')
    .map((e) => e.text)
    .join(' ');

/** True when each of `parts` appears in `whole` after the one before it. */
export function inOrder(whole: string, parts: string[]): boolean {
  let from = 0;
  for (const p of parts) {
    const at = whole.indexOf(p, from);
    if (at < 0) return false;
    from = at + p.length;
  }
  return true;
}

/**
 * A second opinion from Debian's poppler-utils (`apt-get install poppler-utils`), a reader
 * independent of pdf.js: `pdfinfo` says the file is tagged, and `pdffonts` that every font is
 * embedded, subset, and maps its glyphs back to Unicode (so text can be searched, copied and read
 * aloud). Skipped with a message when the tools are absent, unless REQUIRE_PDF_TOOLS=1 (CI).
 */
export async function assertPopplerAccepts(buffer: Buffer): Promise<void> {
  const { spawnSync } = await import('node:child_process');
  const fs = await import('node:fs/promises');
  const os = await import('node:os');
  const path = await import('node:path');
  if (spawnSync('pdffonts', ['-v']).error) {
    if (process.env.REQUIRE_PDF_TOOLS === '1') throw new Error('REQUIRE_PDF_TOOLS=1 and no pdffonts (apt-get install poppler-utils)');
    console.log('poppler-utils not installed: pdfinfo and pdffonts checks skipped');
    return;
  }
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'coproduce-pdf-'));
  const file = path.join(dir, 'document.pdf');
  try {
    await fs.writeFile(file, buffer);
    const info = spawnSync('pdfinfo', [file], { encoding: 'utf8' });
    assert.equal(info.status, 0, info.stderr);
    assert.match(info.stdout, /^Tagged:\s+yes$/m, 'pdfinfo: tagged');
    const fonts = spawnSync('pdffonts', [file], { encoding: 'utf8' });
    assert.equal(fonts.status, 0, fonts.stderr);
    const rows = fonts.stdout
      .split('\n')
      .slice(2)
      .filter((l) => l.trim());
    assert.ok(rows.length > 0, 'pdffonts lists the fonts');
    for (const row of rows) assert.match(row, /\byes\s+yes\s+yes\s+\d+\s+\d+\s*$/, `embedded, subset and with a Unicode map: ${row}`);
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}
