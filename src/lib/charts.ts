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

export function barChart(id: string, title: string, bars: Bar[], opts: { unit?: string } = {}): string {
  const width = 640;
  const labelWidth = 220;
  const rowHeight = 34;
  const height = bars.length * rowHeight + 12;
  const max = Math.max(1, ...bars.map((b) => b.value));
  const total = bars.reduce((n, b) => n + b.value, 0);
  const description = bars
    .map((b) => `${b.label}: ${b.value}${opts.unit ?? ''}${total ? ` (${Math.round((b.value / total) * 100)}%)` : ''}`)
    .join('; ');
  const rows = bars
    .map((b, i) => {
      const y = i * rowHeight + 6;
      const w = Math.round(((width - labelWidth - 70) * b.value) / max);
      return [
        `<text x="${labelWidth - 8}" y="${y + 21}" text-anchor="end" class="app-chart__label">${escape(b.label)}</text>`,
        `<rect x="${labelWidth}" y="${y + 4}" width="${Math.max(w, b.value ? 2 : 0)}" height="${rowHeight - 10}" class="app-chart__bar"/>`,
        `<text x="${labelWidth + w + 6}" y="${y + 21}" class="app-chart__value">${b.value}</text>`,
      ].join('');
    })
    .join('');
  return `<svg xmlns="http://www.w3.org/2000/svg" class="app-chart" viewBox="0 0 ${width} ${height}" role="img" aria-labelledby="${escape(id)}-title ${escape(id)}-desc"><title id="${escape(id)}-title">${escape(title)}</title><desc id="${escape(id)}-desc">${escape(description)}</desc>${rows}</svg>`;
}
