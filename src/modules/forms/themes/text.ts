import winkNLP, { type ItemSentence, type ItemToken } from 'wink-nlp';
import model from 'wink-eng-lite-web-model';

/**
 * What theme-finding reads in one answer, from wink-nlp with the English model shipped in its npm
 * package: every word (for its word vector), the lemmas of its content words and the pairs of them
 * that stand together (for TF-IDF), and short noun phrases as they were written (for labels).
 */
export interface ReadAnswer {
  words: string[];
  terms: string[];
  phrases: string[];
}

const CONTENT = new Set(['NOUN', 'PROPN', 'ADJ', 'VERB']);
// Words that carry no theme in feedback about events and services.
export const FEEDBACK_STOPWORDS = new Set([
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

interface Token {
  out(f: unknown): unknown;
}

/**
 * A reader for one set of answers. wink-nlp adds words it meets to its lexicon, which changes how
 * it splits later text ("OT's"), so each set gets a fresh instance (about 0.1 s): the same answers
 * then always read the same, and so give the same themes.
 */
export function answerReader(): (text: string) => ReadAnswer {
  const nlp = winkNLP(model);
  return (text) => readWith(nlp, text);
}

function readWith(nlp: ReturnType<typeof winkNLP>, text: string): ReadAnswer {
  const its = nlp.its;
  const doc = nlp.readDoc(text.slice(0, 5000));
  const words: string[] = [];
  const terms: string[] = [];
  const phrases: string[] = [];
  doc.sentences().each((sentence: ItemSentence) => {
    let previous: string | null = null;
    // A run of adjectives and nouns ending in a noun: "waiting time", "hospital food".
    let chunk: { word: string; pos: string }[] = [];
    const endChunk = () => {
      while (chunk.length && chunk.at(-1)!.pos !== 'NOUN') chunk.pop();
      while (chunk.length && chunk[0]!.pos !== 'NOUN' && chunk[0]!.pos !== 'ADJ') chunk.shift();
      if (chunk.length && chunk.length <= 3) phrases.push(chunk.map((c) => c.word).join(' '));
      chunk = [];
    };
    sentence.tokens().each((item: ItemToken) => {
      // wink-nlp's types do not cover every `its` helper; the values are plain strings and flags.
      const token = item as unknown as Token;
      const isWord = token.out(its.type) === 'word';
      const pos = String(token.out(its.pos));
      const lower = String(token.out(its.normal)).toLowerCase();
      const stop = Boolean(token.out(its.stopWordFlag));
      if (isWord) words.push(lower);
      if (isWord && (pos === 'NOUN' || pos === 'ADJ') && !stop) chunk.push({ word: lower, pos });
      else endChunk();
      const keep = isWord && !stop && CONTENT.has(pos);
      const lemma = keep ? String(token.out(its.lemma)).toLowerCase() : '';
      if (keep && lemma.length >= 3 && !FEEDBACK_STOPWORDS.has(lemma)) {
        terms.push(lemma);
        if (previous) terms.push(`${previous} ${lemma}`);
        previous = lemma;
      } else {
        previous = null;
      }
    });
    endChunk();
  });
  return { words, terms, phrases };
}
