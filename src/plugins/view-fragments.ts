import nunjucks from 'nunjucks';
import { collectingKept, KeptHtml, printKept } from '../lib/kept-html.ts';

interface Parser {
  nextToken(): { value: string };
  parseSignature(a: null, b: boolean): unknown;
  advanceAfterBlockEnd(name?: string): void;
  parseUntilBlocks(...names: string[]): unknown;
}
interface Nodes {
  CallExtension: new (ext: object, method: string, args: unknown, bodies: unknown[]) => unknown;
}

/**
 * `{% fragment "header", a, b %}…{% endfragment %}`: the markup inside is rendered once for each
 * set of values after the name and kept (in this process, the 2,000 made most recently).
 * The values must be everything the markup depends on; the header, for instance, is keyed by
 * the person, their role, the page and their CSRF token, so it is only ever shown again to the
 * same browser on the same page. Rendering nhsuk's header and footer macros is most of a simple
 * page's cost, and they are the same on every view.
 */
export class FragmentExtension {
  tags = ['fragment'];
  private readonly kept = new Map<string, KeptHtml>();
  constructor(private readonly maxEntries = 2000) {}

  parse(parser: Parser, nodes: Nodes) {
    const token = parser.nextToken();
    const args = parser.parseSignature(null, true);
    parser.advanceAfterBlockEnd(token.value);
    const body = parser.parseUntilBlocks('endfragment');
    parser.advanceAfterBlockEnd();
    return new nodes.CallExtension(this, 'run', args, [body]);
  }

  run(_context: unknown, ...args: unknown[]) {
    const body = args.pop() as () => string;
    const key = JSON.stringify(args);
    let part = this.kept.get(key);
    if (part === undefined) {
      // Rendered outside the page, so it is whole markup, never marks of the page's own parts.
      part = new KeptHtml(collectingKept(null, () => String(body())));
      this.kept.set(key, part);
      if (this.kept.size > this.maxEntries) this.kept.delete(this.kept.keys().next().value!);
    }
    // Kept compressed too, so a page sends it without compressing it again (lib/kept-html.ts).
    return new nunjucks.runtime.SafeString(printKept(part));
  }
}

type ExportedCallback = (err: Error | null, exported: unknown) => void;
interface TemplateInternals {
  getExported(...args: unknown[]): unknown;
}
const keptExports = new WeakMap<object, unknown>();
let importsKept = false;

/**
 * `{% from "nhsuk/components/button/macro.njk" import button %}` runs the imported file again on
 * every render to collect its macros: nearly a quarter of a staff page's time, for the same
 * macros each time. Imported without context (as all ours are), what a file exports depends
 * only on the compiled file, so it is kept with the compiled template, which nunjucks itself
 * keeps (or, with noCache in development, makes afresh, and this with it).
 */
export function keepImportedMacros() {
  if (importsKept) return;
  importsKept = true;
  const proto = (nunjucks.Template as unknown as { prototype: TemplateInternals }).prototype;
  const getExported = proto.getExported;
  proto.getExported = function (this: object, ...args: unknown[]) {
    // Only the form without context: `getExported(callback)`.
    if (args.length !== 1 || typeof args[0] !== 'function') return getExported.apply(this, args);
    const cb = args[0] as ExportedCallback;
    if (keptExports.has(this)) return cb(null, keptExports.get(this));
    return getExported.call(this, (err: Error | null, exported: unknown) => {
      if (!err) keptExports.set(this, exported);
      cb(err, exported);
    });
  };
}
