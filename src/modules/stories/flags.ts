import type { StoryFlag, StoryFlagKind } from '../../db/schema.ts';
import { findPersonNames } from './person-names.ts';

/**
 * Personal details in a story, found so that a moderator sees them before anything is published.
 * A flag is a warning for a person to judge, not a verdict: it errs towards flagging.
 *
 * Dates: a past numeric date with a four-digit year (12/03/1956, 12.03.1956, 1956-03-12) is
 * flagged wherever it stands: it is the form a date of birth takes on letters and forms, and an
 * exact date (of an admission, say) can identify someone too. A date in words (12 March 1956, March
 * 12th 1956) or with a two-digit year (12/03/56) is flagged only near "born", "DOB", "D.O.B",
 * "date of birth" or "birthday". Dates are read day first, as in the UK.
 *
 * At most MAX_STORY_FLAGS flags, the first in the text. The time taken grows in step with the
 * length of the text, whatever it holds (bench/stories-flags.ts measures it).
 */
export function findPersonalDetails(text: string): StoryFlag[] {
  return capped(detailsIn(text));
}

/**
 * The most flags a story carries. A story with more details than that (a pasted mailing list, a
 * page of numbers) keeps the first MAX_STORY_FLAGS, in text order: enough for a moderator to see
 * that it must be read whole. Check moreDetailsThanShown() to tell staff "more details than shown".
 */
export const MAX_STORY_FLAGS = 500;

/** True when the list was cut at MAX_STORY_FLAGS: the story may hold more details than the list shows. */
export const moreDetailsThanShown = (flags: readonly StoryFlag[]): boolean => flags.length >= MAX_STORY_FLAGS;

const capped = (flags: StoryFlag[]) => (flags.length > MAX_STORY_FLAGS ? flags.slice(0, MAX_STORY_FLAGS) : flags);

// Every scan below is linear in the text: each pattern can start only where a match can begin, and
// looks ahead no further than the longest detail of its kind (a phone number has at most 15 digits);
// an address starts only at the start of a run of the characters it may hold.
const EMAIL = /(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/g;

/** Every detail in the text, without overlaps, in text order: not yet cut at MAX_STORY_FLAGS. */
function detailsIn(text: string): StoryFlag[] {
  const found: StoryFlag[] = [];
  const add = (kind: StoryFlagKind, start: number, end: number) => found.push({ kind, text: text.slice(start, end), start, end });

  for (const m of text.matchAll(EMAIL)) add('email', m.index, m.index + m[0].length);
  for (const m of text.matchAll(/(?<![\d+])(\d{3})([ -]?)(\d{3})\2(\d{4})(?![\d])/g)) {
    if (validNhsNumber(m[1]! + m[3]! + m[4]!)) add('nhs_number', m.index, m.index + m[0].length);
  }
  const phone = new RegExp(PHONE);
  for (let m = phone.exec(text); m; m = phone.exec(text)) {
    const length = ukPhoneLength(m[0]);
    if (length) add('phone', m.index, m.index + length);
    // After a number, look on from its end: "07700 900123 0113 243 3144" is two. After a candidate
    // that is none, from the next character: "0 07700 900123" holds one. A candidate is short.
    phone.lastIndex = m.index + (length || 1);
  }
  for (const m of text.matchAll(/(?<![\p{L}\p{N}])([A-Z]{1,2}\d[A-Z\d]?)( ?)(\d[A-Z]{2})(?![\p{L}\p{N}])/giu)) {
    // Without a space, only in capitals: "ls62qd" is more likely a code than an address.
    if (m[2] || m[0] === m[0].toUpperCase()) add('postcode', m.index, m.index + m[0].length);
  }
  const nearBirthWord = birthWordsIn(text);
  for (const d of findDates(text)) {
    if (d.numericFullDate || nearBirthWord(d.start, d.end)) add('date_of_birth', d.start, d.end);
  }
  for (const n of findPersonNames(text)) add('person_name', n.start, n.end);
  return withoutOverlaps(found);
}

/** NHS numbers carry a modulus 11 check digit (NHS Data Dictionary): a random 10 digits rarely pass. */
export function validNhsNumber(digits: string): boolean {
  if (!/^\d{10}$/.test(digits)) return false;
  const sum = [...digits.slice(0, 9)].reduce((total, d, i) => total + Number(d) * (10 - i), 0);
  const check = 11 - (sum % 11);
  if (check === 10) return false;
  return (check === 11 ? 0 : check) === Number(digits[9]);
}

// A UK number as people write it: 07700 900123, (0113) 243 3144, +44 (0)20 7946 0958, 0044 7700-900-123.
// No UK number has more than 15 digits (0044 (0)7700 900123), so no candidate needs more than 15
// groups of at most 15: a run of digit groups is read in pieces, never whole.
const PHONE = /(?<![\w+])(?:(?:\+|00)44[ -]?(?:\(0\)[ -]?)?\d{1,15}|\(0\d{1,14}\)|0\d{1,15})(?:[ -]?\d{1,15}){0,15}/g;
const MOST_PHONE_DIGITS = 15;

/** How much of a candidate is a UK number (mobile 07…, landline 01/02/03…), dropping trailing groups of digits that are not. */
function ukPhoneLength(candidate: string): number {
  const international = /^(?:\+|00)44/.test(candidate);
  const prefixes: { digits: string; end: number }[] = [];
  let digits = '';
  for (const g of candidate.matchAll(/\d+/g)) {
    digits += g[0];
    if (digits.length > MOST_PHONE_DIGITS) break;
    prefixes.push({ digits, end: g.index + g[0].length });
  }
  for (let n = prefixes.length - 1; n >= 0; n--) {
    const p = prefixes[n]!;
    const national = international ? '0' + p.digits.replace(/^(?:00)?44(?:0)?/, '') : p.digits;
    if (/^07\d{9}$/.test(national) || /^0[123]\d{8,9}$/.test(national)) return p.end;
  }
  return 0;
}

const MONTH =
  '(Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sept?(?:ember)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)';
const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const DAY_MONTH_YEAR = new RegExp(`\\b(\\d{1,2})(?:st|nd|rd|th)?(?: of)? ${MONTH}\\.?,? (\\d{4})\\b`, 'gi');
const MONTH_DAY_YEAR = new RegExp(`\\b${MONTH}\\.? (\\d{1,2})(?:st|nd|rd|th)?,? (\\d{4})\\b`, 'gi');

interface FoundDate {
  start: number;
  end: number;
  numericFullDate: boolean;
}

function findDates(text: string): FoundDate[] {
  const dates: FoundDate[] = [];
  const thisYear = new Date().getFullYear();
  const push = (m: RegExpMatchArray, day: string, month: string | number, year: string, numericFullDate: boolean) => {
    const monthNumber = typeof month === 'number' ? month : MONTHS.indexOf(month.slice(0, 3).toLowerCase()) + 1;
    const fullYear = year.length === 4 ? Number(year) : Number(year) + (Number(year) > thisYear % 100 ? 1900 : 2000);
    const real = Number(day) >= 1 && Number(day) <= 31 && monthNumber >= 1 && monthNumber <= 12;
    if (real && fullYear >= 1900 && fullYear <= thisYear) dates.push({ start: m.index!, end: m.index! + m[0].length, numericFullDate });
  };
  for (const m of text.matchAll(/(?<![\d/.-])(\d{1,2})([/.-])(\d{1,2})\2(\d{4}|\d{2})(?![\d/-]|\.\d)/g)) {
    push(m, m[1]!, Number(m[3]), m[4]!, m[4]!.length === 4);
  }
  for (const m of text.matchAll(/(?<![\d/.-])(\d{4})-(\d{2})-(\d{2})(?![\d-])/g)) push(m, m[3]!, Number(m[2]), m[1]!, true);
  for (const m of text.matchAll(DAY_MONTH_YEAR)) push(m, m[1]!, m[2]!, m[3]!, false);
  for (const m of text.matchAll(MONTH_DAY_YEAR)) push(m, m[2]!, m[1]!, m[3]!, false);
  return dates;
}

const BIRTH_WORD = /\b(?:born|birthdays?|birth ?date|date of birth|DOB|D\.O\.B)\b\.?/gi;
const BIRTH_WORD_BEFORE = 40;
const BIRTH_WORD_AFTER = 20;

/**
 * Whether a date has a birth word in the same sentence, ending up to 40 characters before it or
 * starting up to 20 after it. The birth words are found once, in one pass; each date then looks
 * only at those in its own window (found by binary search), not through the whole text.
 */
function birthWordsIn(text: string): (start: number, end: number) => boolean {
  const words = [...text.matchAll(BIRTH_WORD)].map((m) => ({ start: m.index, end: m.index + m[0].length }));
  const sameSentence = (from: number, to: number) => !/[.!?]\s|\n/.test(text.slice(from, to));
  return (start, end) => {
    // The first word that ends no more than 40 characters before the date (words do not overlap,
    // so their ends are in order too).
    let lo = 0;
    let hi = words.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (words[mid]!.end < start - BIRTH_WORD_BEFORE) lo = mid + 1;
      else hi = mid;
    }
    for (let i = lo; i < words.length && words[i]!.start <= end + BIRTH_WORD_AFTER; i++) {
      const w = words[i]!;
      if (w.end <= start ? sameSentence(w.end, start) : w.start >= end && sameSentence(end, w.start)) return true;
    }
    return false;
  };
}

// When two findings overlap, the more specific one stands: an NHS number that passes its check
// is not also a phone number; an address is not a name because it starts with one.
const PRIORITY: StoryFlagKind[] = ['email', 'nhs_number', 'phone', 'date_of_birth', 'postcode', 'person_name'];
const rankOf = (kind: StoryFlagKind) => {
  const i = PRIORITY.indexOf(kind);
  return i === -1 ? PRIORITY.length : i;
};

/**
 * The flags that stand, in text order: taken most specific first, then longest first, each kept
 * unless it overlaps one kept already. Sorted once, then swept: whether a flag overlaps a kept one
 * is two look-ups (is its first character covered, does a kept flag start inside it), not a
 * comparison with every flag kept so far.
 */
function withoutOverlaps(flags: StoryFlag[]): StoryFlag[] {
  const usable = flags.filter((f) => f.start >= 0 && f.end > f.start);
  const ranked = usable.sort((a, b) => rankOf(a.kind) - rankOf(b.kind) || b.end - b.start - (a.end - a.start) || a.start - b.start);
  const size = ranked.reduce((most, f) => Math.max(most, f.end), 0) + 1;
  const covered = new Uint8Array(size);
  const starts = new StartCounts(size);
  const kept: StoryFlag[] = [];
  for (const f of ranked) {
    if (covered[f.start] || starts.between(f.start + 1, f.end - 1) > 0) continue;
    kept.push(f);
    covered.fill(1, f.start, f.end);
    starts.add(f.start);
  }
  return kept.sort((a, b) => a.start - b.start);
}

/** How many kept flags start at each offset, summed over a range in log time (a Fenwick tree). */
class StartCounts {
  private readonly tree: Int32Array;
  constructor(size: number) {
    this.tree = new Int32Array(size + 1);
  }
  add(at: number) {
    for (let i = at + 1; i < this.tree.length; i += i & -i) this.tree[i]!++;
  }
  private upTo(at: number): number {
    let sum = 0;
    for (let i = Math.min(at + 1, this.tree.length - 1); i > 0; i -= i & -i) sum += this.tree[i]!;
    return sum;
  }
  /** Starts from `from` to `to`, both included. */
  between(from: number, to: number): number {
    return to < from ? 0 : this.upTo(to) - this.upTo(from - 1);
  }
}

/**
 * What is still in the text about to be published: the details found in the story as sent whose
 * words are still there (in any case), and whatever the published text itself holds. Cut at
 * MAX_STORY_FLAGS like findPersonalDetails.
 */
export function remainingDetails(original: StoryFlag[], publishedText: string): StoryFlag[] {
  // One needle per text; a text flagged as two kinds is looked for as the more specific one.
  const kindOf = new Map<string, StoryFlagKind>();
  for (const f of original) {
    const key = fold(f.text);
    const had = kindOf.get(key);
    if (!had || rankOf(f.kind) < rankOf(had)) kindOf.set(key, f.kind);
  }
  const needles = [...kindOf.keys()];
  const carried = occurrences(publishedText, needles).map((o) => ({
    kind: kindOf.get(needles[o.needle]!)!,
    text: publishedText.slice(o.start, o.end),
    start: o.start,
    end: o.end,
  }));
  return capped(withoutOverlaps([...detailsIn(publishedText), ...carried]));
}

// ---- looking for many texts at once -------------------------------------------------------------

const foldCache = new Map<number, number>();

/** A UTF-16 code unit in lower case, one unit for one (so that offsets stay those of the text). */
function foldUnit(c: number): number {
  if (c < 128) return c >= 65 && c <= 90 ? c + 32 : c;
  let folded = foldCache.get(c);
  if (folded === undefined) {
    const lower = String.fromCharCode(c).toLowerCase();
    folded = lower.length === 1 ? lower.charCodeAt(0) : c;
    foldCache.set(c, folded);
  }
  return folded;
}

const fold = (s: string) => {
  let out = '';
  for (let i = 0; i < s.length; i++) out += String.fromCharCode(foldUnit(s.charCodeAt(i)));
  return out;
};

const WORD_CHAR = /^[\p{L}\p{N}]/u;
/** Whether a letter or a digit (a whole code point: a surrogate pair is one) ends just before `at`. */
function wordCharBefore(text: string, at: number): boolean {
  if (at <= 0) return false;
  const low = text.charCodeAt(at - 1);
  const pair = low >= 0xdc00 && low <= 0xdfff && at >= 2 && text.charCodeAt(at - 2) >= 0xd800 && text.charCodeAt(at - 2) <= 0xdbff;
  return WORD_CHAR.test(text.slice(pair ? at - 2 : at - 1, at));
}
const wordCharAt = (text: string, at: number) => at < text.length && WORD_CHAR.test(text.slice(at, at + 2));

interface Occurrence {
  needle: number;
  start: number;
  end: number;
}

/**
 * Where each of `needles` stands in `text` as a whole word or number, ignoring case, in one pass
 * over the text however many needles there are (Aho–Corasick). At each place where needles end,
 * only the longest of them is kept: the shorter ones lie inside it.
 */
function occurrences(text: string, needles: string[]): Occurrence[] {
  const wanted = needles.map((n, i) => [fold(n), i] as const).filter(([n]) => n.trim());
  if (!wanted.length || !text) return [];
  // The trie: children by code unit, the needle ending at a node, and its failure link.
  const children: Map<number, number>[] = [new Map()];
  const ends: number[] = [-1];
  const depth: number[] = [0];
  for (const [needle, index] of wanted) {
    let node = 0;
    for (let i = 0; i < needle.length; i++) {
      const c = needle.charCodeAt(i);
      let next = children[node]!.get(c);
      if (next === undefined) {
        next = children.length;
        children.push(new Map());
        ends.push(-1);
        depth.push(depth[node]! + 1);
        children[node]!.set(c, next);
      }
      node = next;
    }
    if (ends[node] === -1) ends[node] = index;
  }
  const fail = new Int32Array(children.length);
  // The nearest node down the failure links (itself included) where a needle ends.
  const output = new Int32Array(children.length).fill(-1);
  const order: number[] = [0];
  for (let q = 0; q < order.length; q++) {
    const node = order[q]!;
    output[node] = ends[node] !== -1 ? node : node === 0 ? -1 : output[fail[node]!]!;
    for (const [c, child] of children[node]!) {
      let f = fail[node]!;
      while (node !== 0 && f !== 0 && !children[f]!.has(c)) f = fail[f]!;
      fail[child] = node === 0 ? 0 : (children[f]!.get(c) ?? 0);
      order.push(child);
    }
  }
  const found: Occurrence[] = [];
  let node = 0;
  for (let i = 0; i < text.length; i++) {
    const c = foldUnit(text.charCodeAt(i));
    while (node !== 0 && !children[node]!.has(c)) node = fail[node]!;
    node = children[node]!.get(c) ?? 0;
    // Longest first, down the output links: the first one that is a whole word is kept.
    for (let o = output[node]!; o !== -1; o = output[fail[o]!]!) {
      const start = i + 1 - depth[o]!;
      if (!wordCharBefore(text, start) && !wordCharAt(text, i + 1)) {
        found.push({ needle: ends[o]!, start, end: i + 1 });
        break;
      }
    }
  }
  return found;
}
