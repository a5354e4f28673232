import fs from 'node:fs';
import path from 'node:path';
import { seeded } from '../src/modules/forms/themes/linear.ts';

/**
 * Samples of real, human-labelled NHS Friends and Family Test comments (../shared/data, see its
 * README) for measuring themes against human judgement.
 */
export interface LabelledSample {
  name: string;
  categories: string[];
  texts: string[];
  labels: string[];
}

export const LABELLED_CSV =
  process.env.THEMES_LABELLED_CSV ?? path.resolve(import.meta.dirname, '../../shared/data/fft-feedback-labelled.csv');

/** RFC 4180 CSV: quoted fields may hold commas, quotes and line breaks. */
export function parseCsv(text: string): string[][] {
  const out: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch !== '"') field += ch;
      else if (text[i + 1] === '"') {
        field += '"';
        i++;
      } else quoted = false;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      row.push(field);
      field = '';
    } else if (ch === '\n') {
      row.push(field);
      out.push(row);
      row = [];
      field = '';
    } else if (ch !== '\r') field += ch;
  }
  if (field || row.length) out.push([...row, field]);
  return out;
}

export function readLabelled(file = LABELLED_CSV): Map<string, string[]> {
  if (!fs.existsSync(file))
    throw new Error(`No labelled comments at ${file}: the themes benchmark reads ../shared/data, or set THEMES_LABELLED_CSV`);
  const [header, ...rows] = parseCsv(fs.readFileSync(file, 'utf8'));
  const comment = header!.indexOf('comment');
  const label = header!.indexOf('label');
  const byLabel = new Map<string, string[]>();
  for (const r of rows) {
    if (!r[comment] || !r[label]) continue;
    if (!byLabel.has(r[label]!)) byLabel.set(r[label]!, []);
    byLabel.get(r[label]!)!.push(r[comment]!);
  }
  return byLabel;
}

/** Up to `per` comments of each category, drawn with a seed so a sample is the same every run. */
export function drawSample(byLabel: Map<string, string[]>, name: string, categories: string[], per: number, seed: number): LabelledSample {
  const random = seeded(seed);
  const texts: string[] = [];
  const labels: string[] = [];
  for (const category of categories) {
    const pool = [...(byLabel.get(category) ?? [])];
    for (let i = 0; i < per && pool.length; i++) {
      texts.push(pool.splice(Math.floor(random() * pool.length), 1)[0]!);
      labels.push(category);
    }
  }
  return { name, categories, texts, labels };
}

/**
 * Two kinds of sample. "Subjects": the eight categories of the issue's own test (food, listening,
 * medication, waiting, gratitude, activities, information, staff manner), with three different
 * draws. "Random handfuls": five categories chosen at random among those with 30 comments or more,
 * leaving out the two that say how someone felt rather than what about ("Positive experience &
 * gratitude", "Negative experience & dissatisfaction").
 */
export function standardSamples(byLabel = readLabelled(), per = 60): LabelledSample[] {
  const subjects = [
    'Food & drink provision & facilities',
    'Staff listening, understanding & involving patients',
    'Supplying & understanding medication',
    'Timeliness of care',
    'Positive experience & gratitude',
    'Activities & access to fresh air',
    'Information directly from staff during care',
    'Staff manner & personal attributes',
  ];
  const samples = [1, 2, 3].map((seed) => drawSample(byLabel, `subjects-${seed}`, subjects, per, seed));
  const pool = [...byLabel.entries()]
    .filter(([label, comments]) => comments.length >= 30 && !/ experience & /.test(label))
    .map(([label]) => label)
    .sort();
  for (let seed = 1; seed <= 6; seed++) {
    const random = seeded(1000 + seed);
    const left = [...pool];
    const chosen = Array.from({ length: 5 }, () => left.splice(Math.floor(random() * left.length), 1)[0]!);
    samples.push(drawSample(byLabel, `handful-${seed}`, chosen, per, seed));
  }
  return samples;
}
