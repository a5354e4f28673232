import { randomBytes } from 'node:crypto';
import zlib from 'node:zlib';
import { deflatePiece, type DeflatedPiece } from './gzip-join.ts';

/**
 * Markup made once and shown to many (a value in the fragment cache, say), compressed at most
 * once: `reply.view` sends it inside each viewer's own page without compressing it again
 * (lib/gzip-join.ts). Give it to `reply.view` as a context value and print it with `| safe`.
 */
export class KeptHtml {
  #piece: DeflatedPiece | undefined;
  constructor(readonly html: string) {}
  get piece(): DeflatedPiece {
    return (this.#piece ??= deflatePiece(this.html, zlib.constants.Z_BEST_COMPRESSION));
  }
}

// Where a kept part goes in a rendered page: unguessable, so nothing a person types can ask for one.
const MARK = `kept-${randomBytes(12).toString('hex')}-`;
const MARKS = new RegExp(`${MARK}(\\d+);`);

const markFor = (kept: KeptHtml[], part: KeptHtml) => `${MARK}${kept.push(part) - 1};`;

/** The context with each kept part replaced by its mark, and the parts in mark order. */
export function markKept(context: Record<string, unknown>): { context: Record<string, unknown>; kept: KeptHtml[] } {
  const kept: KeptHtml[] = [];
  const marked: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(context)) marked[key] = value instanceof KeptHtml ? markFor(kept, value) : value;
  return { context: marked, kept };
}

// The page being rendered, while it is: nunjucks renders synchronously, so there is one at a time.
let rendering: KeptHtml[] | null = null;

/** Renders a page with `kept` collecting the parts it prints through `printKept` (null: none). */
export function collectingKept<T>(kept: KeptHtml[] | null, render: () => T): T {
  const outer = rendering;
  rendering = kept;
  try {
    return render();
  } finally {
    rendering = outer;
  }
}

/**
 * What a template prints for a kept part (a `{% fragment %}`): its mark inside a page that
 * collects them, its markup anywhere else.
 */
export function printKept(part: KeptHtml): string {
  return rendering ? markFor(rendering, part) : part.html;
}

/** A rendered page cut at its marks: text, kept, text, kept, …, text. */
export function cutAtMarks(html: string, kept: KeptHtml[]): (string | KeptHtml)[] {
  return html.split(MARKS).map((part, i) => (i % 2 ? kept[Number(part)]! : part));
}
