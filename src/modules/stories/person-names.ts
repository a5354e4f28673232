import winkNLP, { type ItemEntity, type ItemSentence, type ItemToken } from 'wink-nlp';
import model from 'wink-eng-lite-web-model';
import { FIRST_NAMES, WORD_FIRST_NAMES } from './first-names.ts';

/** A span of the text that names a person: "Priya", "Grace Okafor", "Mrs Patel", "Dr. Sarah Jones". */
export interface NameSpan {
  text: string;
  start: number;
  end: number;
}

const TITLES = new Set(['Mr', 'Mrs', 'Ms', 'Miss', 'Mx', 'Dr', 'Prof', 'Professor', 'Sister', 'Rev', 'Revd', 'Sir', 'Dame']);
// Names that are capitalised in mid-sentence as something else too: months, a season, Christmas Eve.
const NEEDS_SURNAME = new Set(['April', 'May', 'June', 'August', 'Summer', 'Eve']);
// Capitalised words that are never part of a person's name here: places, the NHS, days, months.
const NOT_A_NAME = new Set(
  `NHS Leeds Bradford York Yorkshire Wakefield Harrogate Huddersfield Halifax Kirklees Calderdale Sheffield Manchester London
  Birmingham Liverpool Newcastle England Scotland Wales Ireland Britain British English Asian Black White Polish Muslim Christian
  Sikh Hindu Jewish Team Trust Council Hospital Hospitals Infirmary Ward Unit Clinic Surgery Practice Centre Center Service
  Services Street Road Lane Avenue Way Square Close Drive Place Park Court House Hall Church School College University Royal
  General Teaching Foundation Health Care Social Mental Community Group Network Board Committee Programme Project Forum Hearts
  Minds St Saint Christmas Easter Eid Diwali Ramadan Monday Tuesday Wednesday Thursday Friday Saturday Sunday January February
  March April May June July August September October November December I The And But So Then`
    .split(/\s+/)
    .filter(Boolean),
);
// A name followed by one of these is a place named after someone: "Hope Street", "Mary Seacole Ward".
const PLACE_AFTER =
  /^\s+(?:Street|St|Road|Rd|Lane|Avenue|Hospital|Infirmary|Ward|Unit|House|Centre|Court|Park|Way|Building|Wing|Clinic|Surgery|School|College|Hall)\b/;
// Parts of speech a surname cannot be, as wink-nlp tags them ("Thank You Priya For Everything").
// Only the closed classes: wink-nlp tags a capitalised name as a verb often enough ("We saw Rose").
const NOT_NAME_POS = new Set(['AUX', 'PRON', 'DET', 'ADP', 'CCONJ', 'SCONJ', 'PART', 'NUM', 'PUNCT']);
// "…, Will you help?", "…, Hope you are well": a question or a greeting, not a name.
const PRONOUN_AFTER = /^ (?:you|we|they|I|he|she|it|there)\b/;

interface Word {
  text: string;
  start: number;
  end: number;
  pos: string;
  sentenceStart: boolean;
  inDate: boolean;
}

// How far past the spaces a token may stand (wink-nlp skips a stray symbol now and then).
const TOKEN_SLACK = 16;
const LONG_RUN = /\S{65,}/g;

// Loaded once per process (about 0.1 s). wink-nlp adds the words it meets to its lexicon, which can
// change how it splits a later text; here it only tags words that our own scan found, so that does
// not move a flag.
let nlp: ReturnType<typeof winkNLP> | null = null;

/** Every word of the text, with what wink-nlp says of it: part of speech, sentence start, date. */
function readWords(text: string): Word[] {
  nlp ??= winkNLP(model);
  const its = nlp.its;
  // wink-nlp takes time that grows with the square of a run of characters without a space in it
  // (20,000 characters of "a-a-a-…" or "!!!…" take seconds). No word of prose is that long: a longer
  // run (a link, a code, a list run together) is shown to wink-nlp as "x", spaces and "x" (or the
  // full stop it ended with), as long as the run, so that offsets hold and a sentence neither starts
  // nor ends there unless it did. Its words are still read below, only without a part of speech.
  const forWink = text.replace(LONG_RUN, (run) => `x${' '.repeat(run.length - 2)}${/[.!?]$/.test(run) ? run.at(-1) : 'x'}`);
  const doc = nlp.readDoc(forWink);
  const pos = new Map<number, string>();
  const offsets: [number, number][] = [];
  let cursor = 0;
  doc.tokens().each((t: ItemToken) => {
    const value = String(t.out());
    // Tokens follow one another, with only spaces between them: a token is looked for just past
    // the spaces after the one before, not through the rest of the text (once per token, that
    // would be quadratic).
    while (cursor < forWink.length && /\s/.test(forWink[cursor]!)) cursor++;
    const near = forWink.slice(cursor, cursor + value.length + TOKEN_SLACK).indexOf(value);
    const at = near === -1 ? -1 : cursor + near;
    offsets.push(at === -1 ? [cursor, cursor] : [at, at + value.length]);
    if (at !== -1) {
      pos.set(at, String(t.out(its.pos)));
      cursor = at + value.length;
    }
  });
  const sentenceStarts = new Set<number>();
  doc.sentences().each((s: ItemSentence) => {
    const [first] = s.out(its.span) as unknown as [number, number];
    sentenceStarts.add(offsets[first]?.[0] ?? -1);
  });
  const dates: [number, number][] = [];
  doc.entities().each((e: ItemEntity) => {
    if (e.out(its.type) !== 'DATE') return;
    const [a, b] = e.out(its.span) as unknown as [number, number];
    dates.push([offsets[a]?.[0] ?? 0, offsets[b]?.[1] ?? 0]);
  });
  // Words and dates both come in text order: one sweep says which words fall in a date.
  dates.sort((x, y) => x[0] - y[0]);
  let nextDate = 0;
  let reach = -1;
  const inDate = (start: number) => {
    while (nextDate < dates.length && dates[nextDate]![0] <= start) reach = Math.max(reach, dates[nextDate++]![1]);
    return start < reach;
  };
  return [...text.matchAll(/[\p{L}\p{M}]+(?:['’-][\p{L}\p{M}]+)*/gu)].map((m) => {
    const start = m.index;
    // "Priya's mum": the name is Priya.
    const word = m[0].replace(/['’]s$/, '');
    // What stands before the word, past spaces, quotes, brackets and bullets.
    let from = start;
    while (from > 0 && /[\s“"‘'(\-–—•*]/.test(text[from - 1]!)) from--;
    const lead = text.slice(from, start);
    const before = text[from - 1] ?? '';
    return {
      text: word,
      start,
      end: start + word.length,
      pos: pos.get(start) ?? 'X',
      sentenceStart: sentenceStarts.has(start) || before === '' || lead.includes('\n') || /[.!?:]/.test(before),
      inDate: inDate(start),
    };
  });
}

const capitalised = (w: string) => /^\p{Lu}/u.test(w) && /\p{Ll}/u.test(w);

/** A word that can carry on a name: capitalised, not a place or a title, not a verb or the like. */
function continuesName(w: Word | undefined, previous: Word, text: string, gap: RegExp): boolean {
  if (!w || !capitalised(w.text) || NOT_A_NAME.has(w.text) || TITLES.has(w.text)) return false;
  return gap.test(text.slice(previous.end, w.start)) && !NOT_NAME_POS.has(w.pos);
}

export function findPersonNames(text: string): NameSpan[] {
  const words = readWords(text);
  const found: NameSpan[] = [];
  const span = (from: number, to: number) => {
    const start = words[from]!.start;
    const end = words[to]!.end;
    found.push({ text: text.slice(start, end), start, end });
  };
  // How many name words follow words[i], up to `max`.
  const following = (i: number, max: number, gap = /^ $/) => {
    let n = 0;
    while (n < max && continuesName(words[i + n + 1], words[i + n]!, text, gap)) n++;
    return n;
  };
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!;
    if (TITLES.has(w.text)) {
      // "Mrs Patel", "Dr. Sarah Jones": the title and up to three names after it.
      const n = following(i, 3, /^\.? $/);
      if (n > 0) span(i, i + n);
      i += n;
      continue;
    }
    if (!FIRST_NAMES.has(w.text)) continue;
    // In Leeds, "Jimmy's" is St James's Hospital.
    if (w.text === 'Jimmy' && /^['’]s/.test(text.slice(w.end, w.end + 2))) continue;
    const prev = words[i - 1];
    if (prev && /^(?:St|Saint)$/.test(prev.text) && /^\.? $/.test(text.slice(prev.end, w.start))) continue;
    const n = following(i, 2);
    if (PLACE_AFTER.test(text.slice(words[i + n]!.end, words[i + n]!.end + 20))) {
      i += n;
      continue;
    }
    const surname = n > 0 && !WORD_FIRST_NAMES.has(words[i + 1]!.text);
    if (WORD_FIRST_NAMES.has(w.text)) {
      const plainlyName = !NEEDS_SURNAME.has(w.text) && !w.sentenceStart && !w.inDate && !PRONOUN_AFTER.test(text.slice(w.end, w.end + 8));
      if (!surname && !plainlyName) continue;
    }
    span(i, i + n);
    i += n;
  }
  return found;
}
