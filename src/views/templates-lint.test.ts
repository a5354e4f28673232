/**
 * Templates keep autoescape on everything people typed. Three ways round it are refused in every
 * `.njk` file under src/, unless a marker comment `{# reviewed: <why> #}` on the same line or the
 * line before says why the markup is safe:
 * - `| safe`, which prints a value as markup;
 * - an `html:` whose value is built by concatenation (`~` or `+`): the strings joined are not
 *   escaped, so a name or title in them becomes markup (a macro prints `html` as it is);
 * - `{% autoescape false %}`.
 * The way to build markup with text in it is a set-block, where `{{ }}` is escaped:
 *   {% set arrivedHtml %}Arrived<span class="nhsuk-u-visually-hidden">: {{ r.name }}</span>{% endset %}
 *   {{ button({ html: arrivedHtml }) }}
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { srcDir } from '../plugins/views.ts';

interface Finding {
  line: number;
  problem: string;
}

const MARKER = /\{#-?\s*reviewed:\s*\S[\s\S]*?#\}/;
const FIX =
  'Build the markup in a {% set name %}…{% endset %} block, where {{ }} is escaped, and pass html: name (or use text:). If the value is markup the server built and you have checked it escapes all text in it, put {# reviewed: <why> #} on this line or the line before.';

/** Comments blanked out (newlines kept, so line numbers hold). */
const withoutComments = (src: string) => src.replace(/\{#[\s\S]*?#\}/g, (c) => c.replace(/[^\n]/g, ' '));

const lineAt = (src: string, index: number) => src.slice(0, index).split('\n').length;

/** The expression after `html:`, up to the `,` or closing bracket that ends it; and whether it concatenates. */
function htmlValueAt(code: string, start: number): { text: string; concatenates: boolean } {
  let depth = 0;
  let quote: string | null = null;
  let concatenates = false;
  let i = start;
  for (; i < code.length; i++) {
    const c = code[i]!;
    if (quote) {
      if (c === '\\') i++;
      else if (c === quote) quote = null;
      continue;
    }
    if (c === '"' || c === "'") quote = c;
    else if (c === '(' || c === '[' || c === '{') depth++;
    else if (c === ')' || c === ']' || c === '}') {
      if (depth === 0) break;
      depth--;
    } else if (c === ',' && depth === 0) break;
    else if (c === '%' && code[i + 1] === '}') break;
    else if (c === '~' || c === '+') concatenates = true;
  }
  return { text: code.slice(start, i).trim(), concatenates };
}

/** What a template does that gets round autoescape, without a reviewed marker. */
function lintTemplate(src: string): Finding[] {
  const lines = src.split('\n');
  const reviewed = (line: number) => MARKER.test(lines[line - 1] ?? '') || MARKER.test(lines[line - 2] ?? '');
  const code = withoutComments(src);
  const findings: Finding[] = [];
  for (const m of code.matchAll(/\|\s*safe\b/g)) {
    const line = lineAt(code, m.index);
    if (!reviewed(line)) findings.push({ line, problem: '`| safe` prints the value as markup, unescaped' });
  }
  for (const m of code.matchAll(/(?<![\w-])["']?html["']?\s*:/g)) {
    const line = lineAt(code, m.index);
    const value = htmlValueAt(code, m.index + m[0].length);
    if (value.concatenates && !reviewed(line))
      findings.push({ line, problem: `\`html: ${value.text}\` joins strings into markup, and the text joined in is not escaped` });
  }
  for (const m of code.matchAll(/\{%-?\s*autoescape\s+false\s*-?%\}/g)) {
    const line = lineAt(code, m.index);
    if (!reviewed(line)) findings.push({ line, problem: '`{% autoescape false %}` turns escaping off' });
  }
  return findings.sort((a, b) => a.line - b.line);
}

function templatesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) return templatesUnder(full);
    return name.endsWith('.njk') ? [full] : [];
  });
}

test('no template gets round autoescape without a reviewed marker', () => {
  const files = templatesUnder(srcDir);
  assert.ok(files.length > 20, `found only ${files.length} templates under ${srcDir}`);
  const failures = files.flatMap((file) =>
    lintTemplate(readFileSync(file, 'utf8')).map((f) => `${path.relative(path.dirname(srcDir), file)}:${f.line}: ${f.problem}.`),
  );
  if (failures.length) assert.fail(`\n${failures.join('\n')}\n\n${FIX}\n`);
});

test('the rule catches what it should and lets the safe forms through', () => {
  const bad = [
    `{{ button({ html: 'Arrived<span class="nhsuk-u-visually-hidden">: ' ~ r.name ~ '</span>' }) }}`,
    `{{ button({\n  html: ("Withdraw" if c.given else "Say yes") ~ '<span> to ' ~ (c.title | lower) ~ '</span>',\n  classes: "x"\n}) }}`,
    `{{ insetText({ "html": "<p>" + name + "</p>" }) }}`,
    `<button>{{ label | safe }}</button>`,
    `<button>{{ label|safe }}</button>`,
    `{# reviewed: too far away #}\n\n{{ chart | safe }}`,
    `{# reviewed: #}\n{{ chart | safe }}`,
    `{% autoescape false %}{{ name }}{% endautoescape %}`,
  ];
  for (const snippet of bad) assert.equal(lintTemplate(snippet).length, 1, `not caught: ${snippet}`);
  assert.deepEqual(
    lintTemplate(`a\nb\n{{ button({ html: 'x' ~ y }) }}`).map((f) => f.line),
    [3],
    'the line is the line of html:',
  );

  const good = [
    `{% set arrivedHtml %}Arrived<span class="nhsuk-u-visually-hidden">: {{ r.name }}</span>{% endset %}\n{{ button({ html: arrivedHtml, classes: "a " ~ b }) }}`,
    `{{ insetText({ html: "<p>Fixed text, with a tilde ~ in it</p>" }) }}`,
    `{{ summaryList({ rows: [{ key: { text: "Access needs" }, value: { html: needs } }] }) }}`,
    `{{ button({ text: "Cancel " ~ session.title }) }}`,
    `{{ backLink({ href: "/events/" ~ event.id, text: "Back to " ~ event.title }) }}`,
    `{# reviewed: SVG built by lib/charts.ts, which escapes every label #}\n{{ q.chart | safe }}`,
    `<div>{{ qr | safe }}</div>{# reviewed: the qrcode package's SVG, no text in it #}`,
    `{# Not | safe here: a comment that mentions it #}`,
    `{{ values.safety }}{{ x | safeish }}`,
  ];
  for (const snippet of good) assert.deepEqual(lintTemplate(snippet), [], `wrongly refused: ${snippet}`);
});
