import { dense, firstDirection, normaliseRows, truncatedSvd, type Dense, type SparseRows } from './linear.ts';
import type { ReadAnswer } from './text.ts';
import type { WordVectors } from './word-vectors.ts';

/** GloVe's vocabulary is 400,000 words; a word's chance by its rank follows Zipf's law. */
const HARMONIC = Math.log(400_000) + 0.5772;
/** SIF's smoothing: common words count for little, rare ones for nearly one. */
const SIF_A = 1e-3;

/**
 * Sentence vectors (Arora, Liang and Ma 2017, "a simple but tough-to-beat baseline"): the average
 * of the answer's word vectors, each weighted a / (a + p(word)), less their common direction.
 */
export function sentenceVectors(answers: ReadAnswer[], vectors: WordVectors, random: () => number): Dense {
  const { dims, rows, values } = vectors;
  const out = dense(answers.length, dims);
  answers.forEach((answer, r) => {
    let weight = 0;
    for (const word of answer.words) {
      const row = rows.get(word);
      if (row === undefined) continue;
      const w = SIF_A / (SIF_A + 1 / ((row + 1) * HARMONIC));
      weight += w;
      for (let d = 0; d < dims; d++) out.data[r * dims + d]! += (w * values[row * dims + d]!) / 127;
    }
    if (weight) for (let d = 0; d < dims; d++) out.data[r * dims + d]! /= weight;
  });
  if (answers.length > 2) {
    const u = firstDirection(out, random);
    for (let r = 0; r < out.rows; r++) {
      let p = 0;
      for (let d = 0; d < dims; d++) p += out.data[r * dims + d]! * u[d]!;
      for (let d = 0; d < dims; d++) out.data[r * dims + d]! -= p * u[d]!;
    }
  }
  normaliseRows(out);
  return out;
}

/**
 * Words that share a long beginning are one term: leader and leadership, listen and listening,
 * challenge and challenging. Crude, but short comments need every shared word they can get.
 */
export function mergeFamilies(docs: string[][]): string[][] {
  const words = [...new Set(docs.flat().filter((t) => !t.includes(' ')))].sort((a, b) => a.length - b.length || (a < b ? -1 : 1));
  const root = new Map<string, string>();
  for (const w of words) {
    const base =
      w.length >= 6 ? words.find((r) => r.length >= 5 && r.length < w.length && w.startsWith(r) && root.get(r) === r) : undefined;
    root.set(w, base ?? w);
  }
  const map = (t: string) =>
    t
      .split(' ')
      .map((w) => root.get(w) ?? w)
      .join(' ');
  return docs.map((d) => d.map(map).filter((t) => !t.includes(' ') || new Set(t.split(' ')).size === 2));
}

export interface TermMatrix {
  vocabulary: string[];
  matrix: SparseRows;
}

/** TF-IDF (sublinear term frequency, smoothed idf), rows of unit length. */
export function tfidf(docs: string[][], maxTerms = 5000): TermMatrix {
  const n = docs.length;
  const counts = new Map<string, number>();
  for (const d of docs) for (const t of new Set(d)) counts.set(t, (counts.get(t) ?? 0) + 1);
  const minDf = n >= 20 ? 2 : 1;
  const vocabulary = [...counts.entries()]
    .filter(([, c]) => c >= minDf && c < Math.max(2, n * 0.6))
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .slice(0, maxTerms)
    .map(([t]) => t);
  const column = new Map(vocabulary.map((t, i) => [t, i]));
  const df = vocabulary.map((t) => counts.get(t)!);
  const rows = docs.map((d) => {
    const tf = new Map<number, number>();
    for (const t of d) {
      const c = column.get(t);
      if (c !== undefined) tf.set(c, (tf.get(c) ?? 0) + 1);
    }
    const index = Int32Array.from(tf.keys());
    const value = Float64Array.from(index, (c) => (1 + Math.log(tf.get(c)!)) * (1 + Math.log((1 + n) / (1 + df[c]!))));
    let norm = 0;
    for (const v of value) norm += v * v;
    norm = Math.sqrt(norm) || 1;
    for (let i = 0; i < value.length; i++) value[i]! /= norm;
    return { index, value };
  });
  return { vocabulary, matrix: { cols: vocabulary.length, rows } };
}

/** The LSA projection of the TF-IDF rows, to unit length. */
export function lsa(terms: TermMatrix, dims: number, random: () => number): Dense {
  const d = Math.max(1, Math.min(dims, terms.matrix.rows.length - 1, terms.matrix.cols));
  const out = truncatedSvd(terms.matrix, d, random);
  normaliseRows(out);
  return out;
}

/** Side by side, each part weighted, then to unit length. */
export function concatenate(parts: { m: Dense; weight: number }[]): Dense {
  const rows = parts[0]!.m.rows;
  const cols = parts.reduce((s, p) => s + p.m.cols, 0);
  const out = dense(rows, cols);
  for (let r = 0; r < rows; r++) {
    let at = r * cols;
    for (const { m, weight } of parts) {
      for (let c = 0; c < m.cols; c++) out.data[at + c] = m.data[r * m.cols + c]! * weight;
      at += m.cols;
    }
  }
  normaliseRows(out);
  return out;
}
