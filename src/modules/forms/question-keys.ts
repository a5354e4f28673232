/**
 * A question's short name (its key, used in exports and the API), made from its words so that
 * organisers never have to type one: "Overall, how was the event?" becomes overall_how_was_the_event.
 * It is made once, when the question is added, and kept when the wording changes, so exports
 * and API callers can rely on it.
 */
export function keyFromText(text: string, taken: Iterable<string>): string {
  const used = new Set(taken);
  const words = text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
  let base = '';
  for (const w of words) {
    const next = base ? `${base}_${w}` : w;
    if (next.length > 32) break;
    base = next;
  }
  if (!base) base = (words[0] ?? '').slice(0, 32);
  if (!/^[a-z]/.test(base)) base = `q_${base}`.replace(/_$/, '').slice(0, 32) || 'question';
  if (base === 'q') base = 'question';
  if (!used.has(base)) return base;
  for (let n = 2; ; n++) {
    const candidate = `${base}_${n}`;
    if (!used.has(candidate)) return candidate;
  }
}
