import type { Form, FormQuestion } from '../../db/schema.ts';
import { optionsOf } from './answers.ts';

export const capitalise = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/** A share from 0 to 1 as people read it: "97%", or a dash when there is nothing to divide. */
export const pct = (x: number | null | undefined) => (x === null || x === undefined ? '–' : `${Math.round(x * 100)}%`);

/** What a question needs to be shown: its words (easy read where the form is), and its options. */
export function questionView(form: Pick<Form, 'easyRead'>, q: FormQuestion) {
  return {
    ...q,
    label: form.easyRead && q.easyReadText ? q.easyReadText : q.text,
    items: optionsOf(q).map((o) => ({ value: o, text: capitalise(o) })),
  };
}

/**
 * A theme's rating mix in plain words, for the results page, the report and its PDF:
 * "8 of the 12 people who also gave a rating (67%) rated it fair or worse."
 */
export function ratingsInWords(ratings: { answered: number; counts: Record<string, number>; fairOrWorseShare: number } | undefined) {
  if (!ratings || !ratings.answered) return null;
  const unhappy = Math.round(ratings.fairOrWorseShare * ratings.answered);
  const people = ratings.answered === 1 ? 'person who also gave a rating' : 'people who also gave a rating';
  return {
    sentence: `${unhappy} of the ${ratings.answered} ${people} (${pct(ratings.fairOrWorseShare)}) rated it fair or worse.`,
    mix: Object.entries(ratings.counts)
      .map(([option, n]) => `${capitalise(option)} ${n}`)
      .join(', '),
  };
}
