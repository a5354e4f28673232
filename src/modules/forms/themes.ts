import winkNLP, { type ItemSentence, type ItemToken } from 'wink-nlp';
import model from 'wink-eng-lite-web-model';

/**
 * Themes in free text, found on this server: wink-nlp (with the English model shipped in its
 * npm package) reduces each answer to the lemmas of its content words and the pairs of them
 * that stand together; answers become TF-IDF vectors; k-means (k-means++ start, a fixed seed, so
 * the same answers give the same themes) groups them, trying 2 to 8 groups and keeping the one
 * whose answers sit closest to their own centre rather than the next. A theme's label is its
 * strongest terms; its examples are the answers nearest its centre.
 */
const nlp = winkNLP(model);
const its = nlp.its;
const CONTENT = new Set(['NOUN', 'PROPN', 'ADJ', 'VERB']);
// Words that carry no theme in feedback about events and services.
const FEEDBACK_STOPWORDS = new Set([
  'event',
  'day',
  'thing',
  'lot',
  'really',
  'think',
  'feel',
  'make',
  'get',
  'go',
  'good',
  'great',
  'use',
  'way',
  'well',
  'also',
  'need',
  'come',
  'find',
  'today',
  'work',
  'much',
  'many',
]);

export interface Theme {
  label: string;
  /** Indexes of the answers in this theme, most typical first, with how typical (0 to 1). */
  members: { index: number; score: number }[];
}

type Sparse = Map<number, number>;

function terms(text: string): string[] {
  const doc = nlp.readDoc(text.slice(0, 5000));
  const out: string[] = [];
  doc.sentences().each((sentence: ItemSentence) => {
    let previous: string | null = null;
    sentence.tokens().each((token: ItemToken) => {
      // wink-nlp's types do not cover every `its` helper; the values are plain strings and flags.
      const t = token as unknown as { out(f: unknown): unknown };
      const keep = t.out(its.type) === 'word' && !t.out(its.stopWordFlag) && CONTENT.has(String(t.out(its.pos)));
      const lemma = keep ? String(t.out(its.lemma)).toLowerCase() : '';
      if (keep && lemma.length >= 3 && !FEEDBACK_STOPWORDS.has(lemma)) {
        out.push(lemma);
        if (previous) out.push(`${previous} ${lemma}`);
        previous = lemma;
      } else {
        previous = null;
      }
    });
  });
  return out;
}

/** A small deterministic random source, so a re-run on the same answers gives the same themes. */
function seeded(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const dot = (a: Sparse, centre: Float64Array) => {
  let s = 0;
  for (const [i, w] of a) s += w * centre[i]!;
  return s;
};

function normalise(v: Float64Array) {
  let n = 0;
  for (const x of v) n += x * x;
  n = Math.sqrt(n) || 1;
  for (let i = 0; i < v.length; i++) v[i]! /= n;
}

/**
 * Words that share a long beginning are one term: leader and leadership, listen and listening,
 * challenge and challenging. Crude, but short comments need every shared word they can get.
 */
function mergeFamilies(docs: string[][]): string[][] {
  const words = [...new Set(docs.flat().filter((t) => !t.includes(' ')))].sort((a, b) => a.length - b.length);
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

function kmeans(vectors: Sparse[], k: number, size: number, random: () => number) {
  // k-means++: each new centre far from the ones already chosen.
  const centres: Float64Array[] = [];
  const first = vectors[Math.floor(random() * vectors.length)]!;
  const toCentre = (v: Sparse) => {
    const c = new Float64Array(size);
    for (const [i, w] of v) c[i] = w;
    return c;
  };
  centres.push(toCentre(first));
  const best = vectors.map((v) => dot(v, centres[0]!));
  while (centres.length < k) {
    const weights = best.map((b) => Math.max(0, 1 - b) ** 2);
    const total = weights.reduce((a, b) => a + b, 0);
    let r = random() * total;
    let pick = 0;
    for (; pick < weights.length - 1 && r > weights[pick]!; pick++) r -= weights[pick]!;
    const c = toCentre(vectors[pick]!);
    centres.push(c);
    vectors.forEach((v, i) => (best[i] = Math.max(best[i]!, dot(v, c))));
  }
  let assignment = new Int32Array(vectors.length).fill(-1);
  for (let iteration = 0; iteration < 30; iteration++) {
    const next = new Int32Array(vectors.length);
    let changed = 0;
    vectors.forEach((v, i) => {
      let bestC = 0;
      let bestS = -Infinity;
      centres.forEach((c, j) => {
        const s = dot(v, c);
        if (s > bestS) {
          bestS = s;
          bestC = j;
        }
      });
      next[i] = bestC;
      if (assignment[i] !== bestC) changed++;
    });
    assignment = next;
    for (let j = 0; j < k; j++) centres[j]!.fill(0);
    vectors.forEach((v, i) => {
      const c = centres[assignment[i]!]!;
      for (const [t, w] of v) c[t]! += w;
    });
    centres.forEach(normalise);
    if (changed === 0) break;
  }
  const sizes = new Array<number>(k).fill(0);
  for (const a of assignment) sizes[a]!++;
  return { assignment, centres, separation: silhouette(vectors, assignment, k, size), smallest: Math.min(...sizes) };
}

/**
 * The mean silhouette with cosine distance: how much nearer each answer is to the others in its
 * theme than to those of the nearest other theme. Exact, and cheap: the mean similarity of an
 * answer to a group is its dot product with the group's summed vectors, divided by the group's size.
 */
function silhouette(vectors: Sparse[], assignment: Int32Array, k: number, size: number): number {
  const sums = Array.from({ length: k }, () => new Float64Array(size));
  const counts = new Array<number>(k).fill(0);
  vectors.forEach((v, i) => {
    const c = assignment[i]!;
    counts[c]!++;
    for (const [t, w] of v) sums[c]![t]! += w;
  });
  let total = 0;
  vectors.forEach((v, i) => {
    const own = assignment[i]!;
    if (counts[own]! <= 1) return;
    const a = 1 - (dot(v, sums[own]!) - 1) / (counts[own]! - 1);
    let b = Infinity;
    for (let c = 0; c < k; c++) if (c !== own && counts[c]! > 0) b = Math.min(b, 1 - dot(v, sums[c]!) / counts[c]!);
    if (b === Infinity) return;
    total += (b - a) / Math.max(a, b);
  });
  return total / vectors.length;
}

function labelFor(centre: Float64Array, vocabulary: string[]): string {
  const ranked = [...centre.keys()]
    .sort((a, b) => centre[b]! - centre[a]!)
    .slice(0, 6)
    .map((i) => vocabulary[i]!);
  const pair = ranked.find((t) => t.includes(' ') && centre[vocabulary.indexOf(t)]! >= centre[vocabulary.indexOf(ranked[0]!)]! * 0.6);
  const words = pair ? [pair] : ranked.filter((t) => !t.includes(' ')).slice(0, 2);
  const label = words.join(' and ');
  return label.charAt(0).toUpperCase() + label.slice(1);
}

export function findThemes(texts: string[], opts: { maxThemes?: number; seed?: number } = {}): Theme[] {
  const docs = mergeFamilies(texts.map(terms));
  const df = new Map<string, number>();
  for (const d of docs) for (const t of new Set(d)) df.set(t, (df.get(t) ?? 0) + 1);
  const minDf = texts.length >= 20 ? 2 : 1;
  const vocabulary = [...df.entries()]
    .filter(([, n]) => n >= minDf && n < texts.length * 0.6)
    .sort((a, b) => b[1] - a[1])
    .slice(0, 3000)
    .map(([t]) => t);
  const index = new Map(vocabulary.map((t, i) => [t, i]));
  const vectors: Sparse[] = [];
  const vectorOf: number[] = [];
  const leftOver: number[] = [];
  docs.forEach((d, i) => {
    const v: Sparse = new Map();
    for (const t of d) {
      const j = index.get(t);
      if (j !== undefined) v.set(j, (v.get(j) ?? 0) + 1);
    }
    if (!v.size) return void leftOver.push(i);
    let norm = 0;
    for (const [j, tf] of v) {
      const w = (1 + Math.log(tf)) * Math.log(1 + texts.length / df.get(vocabulary[j]!)!);
      v.set(j, w);
      norm += w * w;
    }
    norm = Math.sqrt(norm);
    for (const [j, w] of v) v.set(j, w / norm);
    vectors.push(v);
    vectorOf.push(i);
  });

  const themes: Theme[] = [];
  if (vectors.length >= 4) {
    const random = seeded(opts.seed ?? 42);
    const maxK = Math.min(opts.maxThemes ?? 8, Math.floor(vectors.length / 3));
    // Large sets choose k on a sample; the chosen k is then fitted to everything.
    const sample = vectors.length > 3000 ? Array.from({ length: 3000 }, () => vectors[Math.floor(random() * vectors.length)]!) : vectors;
    let bestK = 2;
    let bestScore = -Infinity;
    // A theme must hold a fair share of the answers: tiny groups make silhouettes look good on
    // short texts without telling anyone anything.
    const minimum = Math.max(3, Math.ceil(sample.length * 0.1));
    for (let k = 2; k <= Math.max(2, maxK); k++) {
      const { separation, smallest } = kmeans(sample, k, vocabulary.length, random);
      const score = smallest >= minimum || k === 2 ? separation : -Infinity;
      if (score > bestScore) {
        bestScore = score;
        bestK = k;
      }
    }
    // k-means depends on where it starts: start from several places and keep the clearest grouping.
    const finalRandom = seeded(opts.seed ?? 42);
    const tries = vectors.length > 20_000 ? 2 : 6;
    let fit = kmeans(vectors, bestK, vocabulary.length, finalRandom);
    for (let i = 1; i < tries; i++) {
      const next = kmeans(vectors, bestK, vocabulary.length, finalRandom);
      if (next.separation > fit.separation) fit = next;
    }
    const { assignment, centres } = fit;
    centres.forEach((centre, j) => {
      const members = vectors
        .map((v, i) => ({ i, s: dot(v, centre) }))
        .filter(({ i }) => assignment[i] === j)
        .sort((a, b) => b.s - a.s)
        .map(({ i, s }) => ({ index: vectorOf[i]!, score: Math.round(s * 1000) / 1000 }));
      if (members.length) themes.push({ label: labelFor(centre, vocabulary), members });
    });
  } else if (vectors.length) {
    // Too few answers to group: one theme, labelled by what they share.
    const centre = new Float64Array(vocabulary.length);
    for (const v of vectors) for (const [t, w] of v) centre[t]! += w;
    normalise(centre);
    themes.push({
      label: labelFor(centre, vocabulary),
      members: vectors
        .map((v, i) => ({ index: vectorOf[i]!, score: Math.round(dot(v, centre) * 1000) / 1000 }))
        .sort((a, b) => b.score - a.score),
    });
  }
  themes.sort((a, b) => b.members.length - a.members.length);
  if (leftOver.length)
    themes.push({ label: 'Other comments', members: leftOver.sort((a, b) => a - b).map((index) => ({ index, score: 0 })) });
  return themes;
}
