import { bestOf } from './cluster.ts';
import { dense, normaliseRows, seeded, truncatedSvd, type Dense, type SparseRows } from './linear.ts';
import { labelThemes, type SubjectSet } from './labels.ts';
import { concatenate, lsa, mergeFamilies, sentenceVectors, tfidf } from './represent.ts';
import { answerReader, type ReadAnswer } from './text.ts';
import { wordVectors, type WordVectors } from './word-vectors.ts';

/**
 * Themes in free text, found on this server with nothing sent elsewhere.
 *
 * Each answer becomes two vectors side by side: what its words mean (SIF-weighted GloVe word
 * vectors, less their common direction) and which words it shares with the other answers (an LSA
 * projection of TF-IDF over lemmas and lemma pairs). Answers are joined to their nearest
 * neighbours in a graph, and spectral clustering groups the graph, choosing how many themes from
 * the gaps between its eigenvalues. Large sets are grouped on a sample; every answer then joins the
 * theme whose centre it is nearest. Everything random is seeded: the same answers always give the
 * same themes. Measured against human labels on real NHS feedback in `npm run bench` (themes.json).
 */
export interface Theme {
  label: string;
  /** The words and phrases that most set this theme apart. */
  terms: string[];
  /** Indexes of the answers in this theme, most typical first, with how typical (0 to 1). */
  members: { index: number; score: number }[];
}

export const OTHER_COMMENTS = 'Other comments';

export interface ThemeOptions {
  /** Fix the number of themes (the quality check compares with this); otherwise it is chosen. */
  themes?: number;
  maxThemes?: number;
  seed?: number;
  vectors?: WordVectors;
  /** The subjects themes may be named after (feedback on care by default). */
  subjects?: SubjectSet;
}

/** Spectral clustering works on a graph of every pair; above this, a sample is grouped. */
const SAMPLE = 2500;
const NEIGHBOURS = 30;
const SMALL = 40;
/** The terms' share of each answer's vector, against the word vectors' 1. */
const TERMS_WEIGHT = 1.4;

/** The normalised graph of each answer's nearest neighbours (cosine), for spectral clustering. */
function neighbourGraph(m: Dense, ids: number[]): { normalised: SparseRows; edges: Map<number, number>; degree: Float64Array } {
  const n = ids.length;
  // Few answers: few neighbours each, or the graph joins everything to everything.
  const nn = Math.min(NEIGHBOURS, n - 1, Math.max(3, Math.floor(n / 5)));
  const edges = new Map<number, number>();
  const sims = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const a = ids[i]! * m.cols;
    for (let j = 0; j < n; j++) {
      if (j === i) {
        sims[j] = -Infinity;
        continue;
      }
      const b = ids[j]! * m.cols;
      let s = 0;
      for (let c = 0; c < m.cols; c++) s += m.data[a + c]! * m.data[b + c]!;
      sims[j] = s;
    }
    const order = Array.from({ length: n }, (_, j) => j)
      .sort((x, y) => sims[y]! - sims[x]! || x - y)
      .slice(0, nn);
    for (const j of order) {
      const key = i < j ? i * n + j : j * n + i;
      edges.set(key, Math.max(edges.get(key) ?? 0, Math.max(0, sims[j]!)));
    }
  }
  const degree = new Float64Array(n);
  for (const [key, w] of edges) {
    degree[Math.floor(key / n)]! += w;
    degree[key % n]! += w;
  }
  const rows = Array.from({ length: n }, () => ({ index: [] as number[], value: [] as number[] }));
  for (const [key, w] of [...edges].sort((x, y) => x[0] - y[0])) {
    const i = Math.floor(key / n);
    const j = key % n;
    const v = w / Math.sqrt(degree[i]! * degree[j]! || 1);
    rows[i]!.index.push(j);
    rows[i]!.value.push(v);
    rows[j]!.index.push(i);
    rows[j]!.value.push(v);
  }
  return {
    normalised: { cols: n, rows: rows.map((r) => ({ index: Int32Array.from(r.index), value: Float64Array.from(r.value) })) },
    edges,
    degree,
  };
}

/** Newman's modularity of a grouping of the graph: how much more weight falls inside groups than chance. */
function modularity(graph: { edges: Map<number, number>; degree: Float64Array }, assignment: Int32Array, k: number): number {
  const n = graph.degree.length;
  let total = 0;
  for (const d of graph.degree) total += d;
  if (!total) return 0;
  let inside = 0;
  for (const [key, w] of graph.edges) if (assignment[Math.floor(key / n)] === assignment[key % n]) inside += 2 * w;
  const groupDegree = new Float64Array(k);
  graph.degree.forEach((d, i) => (groupDegree[assignment[i]!]! += d));
  let expected = 0;
  for (const d of groupDegree) expected += (d / total) ** 2;
  return inside / total - expected;
}

export function findThemes(texts: string[], opts: ThemeOptions = {}): Theme[] {
  if (!texts.length) return [];
  const random = seeded(opts.seed ?? 42);
  const read = texts.map(answerReader());
  const terms = tfidf(mergeFamilies(read.map((a) => a.terms)));
  const meaning = sentenceVectors(read, opts.vectors ?? wordVectors(), random);
  const shared = lsa(terms, 100, random);
  const joined = concatenate([
    { m: meaning, weight: 1 },
    { m: shared, weight: TERMS_WEIGHT },
  ]);
  // An answer with no content word ("Yes.", "None") says nothing to group by: it is one of the "Other comments".
  const placed: number[] = [];
  const other: number[] = [];
  for (let i = 0; i < texts.length; i++) {
    let norm = 0;
    for (let c = 0; c < joined.cols; c++) norm += joined.data[i * joined.cols + c]! ** 2;
    (norm > 0 && read[i]!.terms.length > 0 ? placed : other).push(i);
  }

  let assignment: Int32Array = new Int32Array(texts.length).fill(-1);
  let k = 0;
  if (placed.length >= 6) {
    const maxThemes = Math.max(2, Math.min(opts.maxThemes ?? 12, Math.floor(placed.length / 4)));
    // Large sets: group a sample (every nth answer, so it is the same each time), then place the rest.
    const step = Math.max(1, placed.length / SAMPLE);
    const sample = placed.length > SAMPLE ? Array.from({ length: SAMPLE }, (_, i) => placed[Math.floor(i * step)]!) : placed;
    const graph = neighbourGraph(joined, sample);
    const spectral = truncatedSvd(graph.normalised, maxThemes + 1, random);
    const fitFor = (kk: number) => {
      // A few dozen answers make too small a graph to embed: group their own vectors instead.
      if (sample.length < SMALL) return bestOf(8, joined, kk, random, sample);
      const embedding = dense(spectral.rows, kk);
      for (let r = 0; r < spectral.rows; r++)
        for (let c = 0; c < kk; c++) embedding.data[r * kk + c] = spectral.data[r * spectral.cols + c]!;
      normaliseRows(embedding);
      return bestOf(8, embedding, kk, random);
    };
    let fit;
    if (opts.themes) fit = fitFor(opts.themes);
    else {
      let bestQ = -Infinity;
      for (let kk = Math.min(3, maxThemes); kk <= maxThemes; kk++) {
        const f = fitFor(kk);
        const q = modularity(graph, f.assignment, kk);
        if (q > bestQ) {
          bestQ = q;
          fit = f;
        }
      }
    }
    k = fit!.k;
    // Centres in the answers' own space, so every answer (sampled or not) joins the nearest.
    const centres = dense(k, joined.cols);
    sample.forEach((row, i) => {
      for (let c = 0; c < joined.cols; c++) centres.data[fit!.assignment[i]! * joined.cols + c]! += joined.data[row * joined.cols + c]!;
    });
    normaliseRows(centres);
    if (placed.length > SAMPLE) {
      for (const i of placed) assignment[i] = nearest(joined, i, centres);
    } else sample.forEach((row, i) => (assignment[row] = fit!.assignment[i]!));
  } else if (placed.length) {
    k = 1;
    for (const i of placed) assignment[i] = 0;
  }
  assignment = dropEmpty(assignment, k);
  k = Math.max(0, ...assignment) + 1;
  return describe(read, joined, assignment, k, other, opts.subjects);
}

function nearest(m: Dense, row: number, centres: Dense): number {
  let best = 0;
  let bestS = -Infinity;
  for (let c = 0; c < centres.rows; c++) {
    let s = 0;
    for (let j = 0; j < m.cols; j++) s += m.data[row * m.cols + j]! * centres.data[c * m.cols + j]!;
    if (s > bestS) {
      bestS = s;
      best = c;
    }
  }
  return best;
}

/** Renumbers themes so that none is empty. */
function dropEmpty(assignment: Int32Array, k: number): Int32Array {
  const used = new Map<number, number>();
  for (let c = 0; c < k; c++) if (assignment.includes(c)) used.set(c, used.size);
  return assignment.map((a) => (a < 0 ? -1 : used.get(a)!));
}

/** Each theme's members, most typical first, its distinguishing terms and a label; "Other comments" last. */
function describe(read: ReadAnswer[], joined: Dense, assignment: Int32Array, k: number, other: number[], subjects?: SubjectSet): Theme[] {
  const groups = Array.from({ length: k }, () => [] as number[]);
  assignment.forEach((a, i) => a >= 0 && groups[a]!.push(i));
  const centres = dense(k, joined.cols);
  groups.forEach((members, c) => {
    for (const i of members) for (let j = 0; j < joined.cols; j++) centres.data[c * joined.cols + j]! += joined.data[i * joined.cols + j]!;
  });
  normaliseRows(centres);
  const labelled = labelThemes(read, groups, subjects);
  const themes: Theme[] = groups.map((members, c) => ({
    label: labelled[c]!.label,
    terms: labelled[c]!.terms,
    members: members
      .map((i) => {
        let s = 0;
        for (let j = 0; j < joined.cols; j++) s += joined.data[i * joined.cols + j]! * centres.data[c * joined.cols + j]!;
        return { index: i, score: Math.round(Math.max(0, s) * 1000) / 1000 };
      })
      .sort((a, b) => b.score - a.score || a.index - b.index),
  }));
  themes.sort((a, b) => b.members.length - a.members.length || (a.label < b.label ? -1 : 1));
  if (other.length) themes.push({ label: OTHER_COMMENTS, terms: [], members: other.map((index) => ({ index, score: 0 })) });
  return themes;
}
