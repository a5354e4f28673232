/**
 * The little linear algebra theme-finding needs, on plain typed arrays: rows are answers.
 * Everything random is seeded, so the same answers always give the same themes.
 */

/** A small deterministic random source (mulberry32). */
export function seeded(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Standard normal values from a seeded source (Box–Muller). */
function gaussian(random: () => number) {
  return () => Math.sqrt(-2 * Math.log(random() || 1e-12)) * Math.cos(2 * Math.PI * random());
}

/** Rows of equal length in one array. */
export interface Dense {
  rows: number;
  cols: number;
  data: Float64Array;
}

export const dense = (rows: number, cols: number): Dense => ({ rows, cols, data: new Float64Array(rows * cols) });

/** Scales each row to unit length; rows of zeros stay zero. Returns which rows were all zero. */
export function normaliseRows(m: Dense): boolean[] {
  const empty: boolean[] = [];
  for (let r = 0; r < m.rows; r++) {
    let n = 0;
    const at = r * m.cols;
    for (let c = 0; c < m.cols; c++) n += m.data[at + c]! ** 2;
    empty.push(n === 0);
    if (!n) continue;
    n = 1 / Math.sqrt(n);
    for (let c = 0; c < m.cols; c++) m.data[at + c]! *= n;
  }
  return empty;
}

/** Sparse rows: the answer's term columns and weights. */
export interface SparseRows {
  cols: number;
  rows: { index: Int32Array; value: Float64Array }[];
}

/** Orthonormalises the columns of `m` in place (modified Gram–Schmidt); columns that vanish become zero. */
function orthonormaliseColumns(m: Dense) {
  const { rows, cols, data } = m;
  for (let j = 0; j < cols; j++) {
    for (let i = 0; i < j; i++) {
      let d = 0;
      for (let r = 0; r < rows; r++) d += data[r * cols + i]! * data[r * cols + j]!;
      for (let r = 0; r < rows; r++) data[r * cols + j]! -= d * data[r * cols + i]!;
    }
    let n = 0;
    for (let r = 0; r < rows; r++) n += data[r * cols + j]! ** 2;
    n = Math.sqrt(n);
    for (let r = 0; r < rows; r++) data[r * cols + j] = n > 1e-10 ? data[r * cols + j]! / n : 0;
  }
}

/** A · B for sparse A (n × v) and dense B (v × l). */
function sparseTimes(a: SparseRows, b: Dense): Dense {
  const out = dense(a.rows.length, b.cols);
  a.rows.forEach((row, r) => {
    for (let k = 0; k < row.index.length; k++) {
      const w = row.value[k]!;
      const at = row.index[k]! * b.cols;
      for (let c = 0; c < b.cols; c++) out.data[r * b.cols + c]! += w * b.data[at + c]!;
    }
  });
  return out;
}

/** Aᵀ · Q for sparse A (n × v) and dense Q (n × l). */
function sparseTransposeTimes(a: SparseRows, q: Dense): Dense {
  const out = dense(a.cols, q.cols);
  a.rows.forEach((row, r) => {
    for (let k = 0; k < row.index.length; k++) {
      const w = row.value[k]!;
      const at = row.index[k]! * q.cols;
      for (let c = 0; c < q.cols; c++) out.data[at + c]! += w * q.data[r * q.cols + c]!;
    }
  });
  return out;
}

/** Eigenvalues and vectors of a small symmetric matrix (cyclic Jacobi), largest first. */
function symmetricEigen(s: Float64Array, n: number): { values: number[]; vectors: Float64Array } {
  const a = Float64Array.from(s);
  const v = new Float64Array(n * n);
  for (let i = 0; i < n; i++) v[i * n + i] = 1;
  for (let sweep = 0; sweep < 60; sweep++) {
    let off = 0;
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) off += a[p * n + q]! ** 2;
    if (off < 1e-22) break;
    for (let p = 0; p < n; p++)
      for (let q = p + 1; q < n; q++) {
        const apq = a[p * n + q]!;
        if (Math.abs(apq) < 1e-300) continue;
        const theta = (a[q * n + q]! - a[p * n + p]!) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const sn = t * c;
        for (let k = 0; k < n; k++) {
          const akp = a[k * n + p]!;
          const akq = a[k * n + q]!;
          a[k * n + p] = c * akp - sn * akq;
          a[k * n + q] = sn * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = a[p * n + k]!;
          const aqk = a[q * n + k]!;
          a[p * n + k] = c * apk - sn * aqk;
          a[q * n + k] = sn * apk + c * aqk;
        }
        for (let k = 0; k < n; k++) {
          const vkp = v[k * n + p]!;
          const vkq = v[k * n + q]!;
          v[k * n + p] = c * vkp - sn * vkq;
          v[k * n + q] = sn * vkp + c * vkq;
        }
      }
  }
  const order = Array.from({ length: n }, (_, i) => i).sort((x, y) => a[y * n + y]! - a[x * n + x]!);
  const vectors = new Float64Array(n * n);
  order.forEach((from, to) => {
    for (let k = 0; k < n; k++) vectors[k * n + to] = v[k * n + from]!;
  });
  return { values: order.map((i) => a[i * n + i]!), vectors };
}

/**
 * Latent semantic analysis: the answers' coordinates (U·Σ) on the `dims` strongest directions of
 * the sparse TF-IDF matrix, by randomised truncated SVD (Halko, Martinsson and Tropp 2011) with
 * two power iterations.
 */
export function truncatedSvd(a: SparseRows, dims: number, random: () => number): Dense {
  const n = a.rows.length;
  const l = Math.max(1, Math.min(dims + 10, n, a.cols));
  const normal = gaussian(random);
  const omega = dense(a.cols, l);
  for (let i = 0; i < omega.data.length; i++) omega.data[i] = normal();
  let q = sparseTimes(a, omega);
  orthonormaliseColumns(q);
  for (let i = 0; i < 2; i++) {
    const z = sparseTransposeTimes(a, q);
    orthonormaliseColumns(z);
    q = sparseTimes(a, z);
    orthonormaliseColumns(q);
  }
  // B = Qᵀ A (l × v); B Bᵀ = W Λ Wᵀ; U = Q W; Σ = √Λ.
  const bt = sparseTransposeTimes(a, q);
  const bbt = new Float64Array(l * l);
  for (let r = 0; r < a.cols; r++)
    for (let i = 0; i < l; i++) {
      const x = bt.data[r * l + i]!;
      if (!x) continue;
      for (let j = i; j < l; j++) bbt[i * l + j]! += x * bt.data[r * l + j]!;
    }
  for (let i = 0; i < l; i++) for (let j = 0; j < i; j++) bbt[i * l + j] = bbt[j * l + i]!;
  const { values, vectors } = symmetricEigen(bbt, l);
  const keep = Math.min(dims, l);
  const out = dense(n, keep);
  for (let r = 0; r < n; r++)
    for (let c = 0; c < keep; c++) {
      let s = 0;
      for (let k = 0; k < l; k++) s += q.data[r * l + k]! * vectors[k * l + c]!;
      out.data[r * keep + c] = s * Math.sqrt(Math.max(0, values[c]!));
    }
  return out;
}

/** The first principal direction of the rows (power iteration on XᵀX), as a unit vector. */
export function firstDirection(m: Dense, random: () => number): Float64Array {
  const { rows, cols, data } = m;
  const xtx = new Float64Array(cols * cols);
  for (let r = 0; r < rows; r++)
    for (let i = 0; i < cols; i++) {
      const x = data[r * cols + i]!;
      if (!x) continue;
      for (let j = 0; j < cols; j++) xtx[i * cols + j]! += x * data[r * cols + j]!;
    }
  let u: Float64Array = Float64Array.from({ length: cols }, () => random() - 0.5);
  for (let it = 0; it < 100; it++) {
    const next = new Float64Array(cols);
    for (let i = 0; i < cols; i++) for (let j = 0; j < cols; j++) next[i]! += xtx[i * cols + j]! * u[j]!;
    let n = 0;
    for (const x of next) n += x * x;
    n = Math.sqrt(n) || 1;
    for (let i = 0; i < cols; i++) next[i]! /= n;
    u = next;
  }
  return u;
}
