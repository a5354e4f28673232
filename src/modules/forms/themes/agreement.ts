/**
 * How far themes agree with labels people gave: normalised mutual information (arithmetic mean of
 * the two entropies, as scikit-learn computes it by default) and purity.
 */
export function agreement(found: ArrayLike<number | string>, truth: ArrayLike<number | string>): { nmi: number; purity: number } {
  const n = found.length;
  if (n !== truth.length) throw new Error('found and truth must be the same length');
  const joint = new Map<string, number>();
  const a = new Map<string, number>();
  const b = new Map<string, number>();
  for (let i = 0; i < n; i++) {
    const x = String(found[i]);
    const y = String(truth[i]);
    joint.set(`${x}\u0000${y}`, (joint.get(`${x}\u0000${y}`) ?? 0) + 1);
    a.set(x, (a.get(x) ?? 0) + 1);
    b.set(y, (b.get(y) ?? 0) + 1);
  }
  const entropy = (m: Map<string, number>) => [...m.values()].reduce((h, c) => h - (c / n) * Math.log(c / n), 0);
  let mi = 0;
  for (const [key, c] of joint) {
    const [x, y] = key.split('\u0000') as [string, string];
    mi += (c / n) * Math.log((c * n) / (a.get(x)! * b.get(y)!));
  }
  const ha = entropy(a);
  const hb = entropy(b);
  const nmi = ha + hb === 0 ? 1 : (2 * mi) / (ha + hb);
  // Purity: each found group counts its most common label.
  const best = new Map<string, number>();
  for (const [key, c] of joint) {
    const x = key.split('\u0000')[0]!;
    best.set(x, Math.max(best.get(x) ?? 0, c));
  }
  const purity = [...best.values()].reduce((s, c) => s + c, 0) / n;
  return { nmi: Math.max(0, Math.min(1, nmi)), purity };
}
