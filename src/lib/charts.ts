/**
 * Bar charts drawn on the server as SVG. Each is an image with a title and a description that
 * says the figures in words; the page shows the same figures in a table beside it, so nobody
 * needs to see the chart or point at it to read the numbers.
 */
export interface Bar {
  label: string;
  value: number;
}

/**
 * For every piece of text put into the SVG (the title, each label, the description, the id): the
 * chart is shown with `| safe`, so this is the only escaping it gets.
 */
const escape = (s: string) =>
  String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');

/**
 * A label as lines that fit left of the bars: at 16px about 24 characters a line, at most three
 * (the last cut short with "…"). Nothing is lost: the full label is in the table and the description.
 */
export function labelLines(label: string, perLine = 24, maxLines = 3): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of label.trim().split(/\s+/)) {
    // A word longer than a line is cut into pieces that fit.
    for (let rest = word; rest;) {
      const room = line ? perLine - line.length - 1 : perLine;
      if (rest.length <= room) {
        line = line ? `${line} ${rest}` : rest;
        rest = '';
      } else if (line) {
        lines.push(line);
        line = '';
      } else {
        lines.push(rest.slice(0, perLine));
        rest = rest.slice(perLine);
      }
    }
  }
  if (line) lines.push(line);
  if (lines.length <= maxLines) return lines;
  const kept = lines.slice(0, maxLines);
  kept[maxLines - 1] = `${kept[maxLines - 1]!.slice(0, perLine - 1)}…`;
  return kept;
}

export function barChart(id: string, title: string, bars: Bar[], opts: { unit?: string } = {}): string {
  const width = 640;
  const labelWidth = 220;
  const lineHeight = 18;
  const max = Math.max(1, ...bars.map((b) => b.value));
  const total = bars.reduce((n, b) => n + b.value, 0);
  const description = bars
    .map((b) => `${b.label}: ${b.value}${opts.unit ?? ''}${total ? ` (${Math.round((b.value / total) * 100)}%)` : ''}`)
    .join('; ');
  let y = 6;
  const rows = bars
    .map((b) => {
      const lines = labelLines(b.label);
      const rowHeight = Math.max(34, lines.length * lineHeight + 16);
      const w = Math.round(((width - labelWidth - 70) * b.value) / max);
      const middle = y + rowHeight / 2;
      const firstLine = middle + 5 - ((lines.length - 1) * lineHeight) / 2;
      const label = lines.map((l, i) => `<tspan x="${labelWidth - 8}" y="${firstLine + i * lineHeight}">${escape(l)}</tspan>`).join('');
      const row = [
        `<text text-anchor="end" class="app-chart__label">${label}</text>`,
        `<rect x="${labelWidth}" y="${middle - 12}" width="${Math.max(w, b.value ? 2 : 0)}" height="24" class="app-chart__bar"/>`,
        `<text x="${labelWidth + w + 6}" y="${middle + 5}" class="app-chart__value">${b.value}</text>`,
      ].join('');
      y += rowHeight;
      return row;
    })
    .join('');
  const height = y + 6;
  return `<svg xmlns="http://www.w3.org/2000/svg" class="app-chart" viewBox="0 0 ${width} ${height}" role="img" aria-labelledby="${escape(id)}-title ${escape(id)}-desc"><title id="${escape(id)}-title">${escape(title)}</title><desc id="${escape(id)}-desc">${escape(description)}</desc>${rows}</svg>`;
}
