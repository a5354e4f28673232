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
