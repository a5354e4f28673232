import type { Dense } from './linear.ts';

export interface Clustering {
  k: number;
  assignment: Int32Array;
  /** Unit centres, k × cols. */
  centres: Float64Array;
  /** Sum over rows of the cosine to their own centre: higher is tighter. */
  cohesion: number;
}

function rowDot(m: Dense, r: number, centres: Float64Array, c: number): number {
  let s = 0;
  const a = r * m.cols;
  const b = c * m.cols;
  for (let j = 0; j < m.cols; j++) s += m.data[a + j]! * centres[b + j]!;
  return s;
}

/**
 * Spherical k-means (cosine similarity, unit centres) from a k-means++ start: each new centre is
 * drawn far from those already chosen. `rows` limits it to some rows (a sample).
 */
export function sphericalKMeans(m: Dense, k: number, random: () => number, rows?: number[]): Clustering {
  const ids = rows ?? Array.from({ length: m.rows }, (_, i) => i);
  const n = ids.length;
  const { cols } = m;
  const centres = new Float64Array(k * cols);
  const setCentre = (c: number, r: number) => centres.set(m.data.subarray(r * cols, (r + 1) * cols), c * cols);
  setCentre(0, ids[Math.floor(random() * n)]!);
  const best = new Float64Array(n);
  for (let i = 0; i < n; i++) best[i] = rowDot(m, ids[i]!, centres, 0);
  for (let c = 1; c < k; c++) {
    let total = 0;
    for (let i = 0; i < n; i++) total += Math.max(0, 1 - best[i]!) ** 2;
    let pick = 0;
    let target = random() * total;
    for (; pick < n - 1; pick++) {
      target -= Math.max(0, 1 - best[pick]!) ** 2;
      if (target <= 0) break;
    }
    setCentre(c, ids[pick]!);
    for (let i = 0; i < n; i++) best[i] = Math.max(best[i]!, rowDot(m, ids[i]!, centres, c));
  }
  const assignment = new Int32Array(n).fill(-1);
  let cohesion = 0;
  for (let iteration = 0; iteration < 50; iteration++) {
    let changed = 0;
    cohesion = 0;
    for (let i = 0; i < n; i++) {
      let bestC = 0;
      let bestS = -Infinity;
      for (let c = 0; c < k; c++) {
        const s = rowDot(m, ids[i]!, centres, c);
        if (s > bestS) {
          bestS = s;
          bestC = c;
        }
      }
      cohesion += bestS;
      if (assignment[i] !== bestC) changed++;
      assignment[i] = bestC;
    }
    if (changed === 0) break;
    const sums = new Float64Array(k * cols);
    for (let i = 0; i < n; i++) {
      const a = ids[i]! * cols;
      const b = assignment[i]! * cols;
      for (let j = 0; j < cols; j++) sums[b + j]! += m.data[a + j]!;
    }
    for (let c = 0; c < k; c++) {
      let norm = 0;
      for (let j = 0; j < cols; j++) norm += sums[c * cols + j]! ** 2;
      // An emptied centre keeps its place; it may win rows back next round.
      if (!norm) continue;
      norm = 1 / Math.sqrt(norm);
      for (let j = 0; j < cols; j++) centres[c * cols + j] = sums[c * cols + j]! * norm;
    }
  }
  return { k, assignment, centres, cohesion };
}

/** The tightest of several seeded starts. */
export function bestOf(tries: number, m: Dense, k: number, random: () => number, rows?: number[]): Clustering {
  let best = sphericalKMeans(m, k, random, rows);
  for (let i = 1; i < tries; i++) {
    const next = sphericalKMeans(m, k, random, rows);
    if (next.cohesion > best.cohesion) best = next;
  }
  return best;
}
