import nunjucks from 'nunjucks';

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
 * set of values after the name and kept (in this process, the most recently used few thousand).
 * The values must be everything the markup depends on; the header, for instance, is keyed by
 * the person, their role, the page and their CSRF token, so it is only ever shown again to the
 * same browser on the same page. Rendering nhsuk's header and footer macros is most of a simple
 * page's cost, and they are the same on every view.
 */
export class FragmentExtension {
  tags = ['fragment'];
  private readonly kept = new Map<string, string>();
  constructor(private readonly maxEntries = 5000) {}

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
    let html = this.kept.get(key);
    if (html === undefined) {
      html = String(body());
      this.kept.set(key, html);
      if (this.kept.size > this.maxEntries) this.kept.delete(this.kept.keys().next().value!);
    }
    return new nunjucks.runtime.SafeString(html);
  }
}
