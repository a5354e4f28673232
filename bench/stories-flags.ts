/**
 * How long the personal-details scanner holds the event loop (`BENCH_ONLY=stories npm run bench`,
 * and part of the full run). findPersonalDetails runs when a story arrives (form, API, email);
 * remainingDetails and redactDetails when staff publish one. Each runs on the request's thread, so a
 * story that makes it slow stalls every other request. Measured on a realistic story and on
 * 20,000 characters (the longest story taken) of adversarial patterns, each against one plain
 * regular-expression pass over the same text in the same run (the least any scan must do), and
 * against wink-nlp reading the text alone (what finding names must do: see person-names.ts).
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import winkNLP from 'wink-nlp';
import model from 'wink-eng-lite-web-model';
import { findPersonalDetails, MAX_STORY_FLAGS, remainingDetails } from '../src/modules/stories/flags.ts';
import { redactDetails } from '../src/modules/stories/story-flags.ts';

const root = path.resolve(import.meta.dirname, '..');
const LENGTH = 20_000;

const fill = (unit: (i: number) => string) => {
  let out = '';
  for (let i = 0; out.length < LENGTH; i++) out += unit(i);
  return out.slice(0, LENGTH);
};

const FIRST = ['Grace', 'Priya', 'Dennis', 'Joyce', 'Mohammed', 'Siân', 'Łukasz', 'Aisha', 'Seamus', 'Fatima', 'Oliver', 'Kiran'];
const LAST = ['Okafor', 'Shah', 'Whitaker', 'Patel', 'Hughes', 'Nowak', 'Begum', 'O’Neill', 'Jones', 'Khan', 'Smith'];

/** About 2,000 characters as people write them: a few names, a number, an address, a date. */
const REALISTIC = [
  'My name is Joyce Whitaker and I was born on 4 May 1948. In March my husband Dennis was taken into',
  "St James's with a chest infection. Dr Okafor was kind, and the ward sister, Grace, rang me every",
  'evening on 0113 496 0321. Team Leeds helped me write this; you can reach me at joyce.w@example.org',
  'or at home, LS8 2QD. My NHS number is 943 476 5919 if you need it.',
  '',
  'The first night was the hardest. Nobody told us where he had gone after the assessment unit, and',
  'I sat in the corridor until two in the morning. A porter called Mohammed found me a chair and a cup',
  'of tea, and asked the nurse in charge to come and talk to me. She explained everything in plain',
  'words and wrote the ward number on the back of my appointment card.',
  '',
  'After that it got better. The physiotherapist came every day, and the occupational therapist sorted',
  'out a rail for the bathroom before he came home. When we had a question we rang the ward and someone',
  'always picked up. Mrs Patel from the discharge team visited us at home on 12/01/2024 to check that',
  'everything was in place, and she gave us the number for the community nurses.',
  '',
  'What I would change: tell families where their person is, as soon as you know. Put a chair in the',
  'corridor. Write things down, because nobody remembers what they are told at two in the morning.',
  'What I would keep: the people. Every one of them treated Dennis with dignity, and treated me as',
  'someone who knew him best, which I do. Thank you to all of them, and to Priya on the phone line,',
  'who never once made me feel I was a nuisance.',
  '',
  'Since then I have joined the patient panel at the hospital. We meet on the first Tuesday of the',
  'month, and last time we talked about how the ward tells families what is happening. I told them',
  'about the corridor, and they are going to try a card with the ward number and a phone number on',
  'it for every family. I hope it helps the next person in my shoes.',
].join('\n');

const CASES: { name: string; text: string }[] = [
  { name: 'realistic story (~2,000 characters)', text: REALISTIC },
  // One "phone number" of 10,000 digit groups: every shorter prefix was tried, slice by slice.
  { name: 'digit groups: "0" + "1 " × 9,999', text: '0' + '1 '.repeat(9_999) },
  // 2,857 of the same address: each flag was looked for in the whole text, and found 2,857 times.
  { name: 'the same email address × 2,857', text: fill(() => 'a@b.cd ') },
  { name: 'different email addresses', text: fill((i) => `p${i}@ex${i % 97}.org `) },
  { name: 'capitalised names', text: fill((i) => `${FIRST[i % FIRST.length]} ${LAST[(i * 7) % LAST.length]}, `) },
  // wink-nlp's tokenizer slows with the square of a run with no space in it (see person-names.ts).
  { name: 'no space at all: "a-" × 10,000', text: 'a-'.repeat(10_000) },
];

/**
 * Median milliseconds of `fn` on the text, a call slower than a second timed once (the old code
 * took seconds). Each call gets the text with its last four characters changed: wink-nlp learns
 * the words it has read, so the same text read again would be quicker than a new one.
 */
function time(text: string, fn: (t: string) => unknown): number {
  const runs: number[] = [];
  const until = performance.now() + 1000;
  do {
    const variant = `${text.slice(0, -4)}q${String(runs.length).padStart(3, '0')}`;
    const started = performance.now();
    fn(variant);
    runs.push(performance.now() - started);
  } while (runs.length < 15 && (runs.length < 3 || performance.now() < until) && runs[0]! < 1000);
  runs.sort((a, b) => a - b);
  return Math.round(runs[Math.floor(runs.length / 2)]! * 100) / 100;
}

export async function benchStories(machine: unknown) {
  // Loads wink-nlp's model and warms the code up, so that neither is timed.
  for (let i = 0; i < 5; i++) remainingDetails(findPersonalDetails(REALISTIC), REALISTIC);
  const nlp = winkNLP(model);
  const cases = CASES.map(({ name, text }) => {
    const flags = findPersonalDetails(text);
    const baselineMs = time(text, (t) => [...t.matchAll(/[\p{L}\p{N}]+/gu)].length);
    const winkReadMs = time(text, (t) => nlp.readDoc(t).tokens().length());
    const findMs = time(text, (t) => findPersonalDetails(t));
    // Publishing the story as sent: every flag is looked for again in the text about to go out.
    const remainingMs = time(text, (t) => remainingDetails(flags, t));
    const redactMs = time(text, (t) => redactDetails(`Moved. ${t}`, flags));
    return {
      case: name,
      characters: text.length,
      flags: flags.length,
      atTheCap: flags.length >= MAX_STORY_FLAGS,
      findPersonalDetailsMs: findMs,
      remainingDetailsMs: remainingMs,
      redactMovedMs: redactMs,
      baselineRegexPassMs: baselineMs,
      winkNlpReadMs: winkReadMs,
      timesBaseline: Math.round(((findMs + remainingMs) / Math.max(baselineMs, 0.01)) * 10) / 10,
    };
  });
  const report = {
    benchmark: 'stories',
    date: new Date().toISOString(),
    machine,
    about:
      'Milliseconds the event loop is held, median of repeated runs, each on the text with its last 4 characters changed ' +
      '(wink-nlp remembers words it has read). Baseline: one pass of /[\\p{L}\\p{N}]+/gu over the same text; ' +
      'winkNlpReadMs: wink-nlp reading it (tokens, tags, sentences), which finding names needs. ' +
      'redactMovedMs: the text moved by 7 characters, so every flag is looked for by its text.',
    cases,
  };
  await fs.mkdir(path.join(root, 'bench/results'), { recursive: true });
  const file = path.join(root, 'bench/results/stories.json');
  await fs.writeFile(file, `${JSON.stringify(report, null, 2)}\n`);
  console.table(
    cases.map((c) => ({
      case: c.case,
      flags: c.flags,
      'find ms': c.findPersonalDetailsMs,
      'remaining ms': c.remainingDetailsMs,
      'redact ms': c.redactMovedMs,
      'baseline ms': c.baselineRegexPassMs,
      'wink read ms': c.winkNlpReadMs,
      '× baseline': c.timesBaseline,
    })),
  );
  console.log(`Written to ${path.relative(root, file)}`);
}
