import type { FormQuestion } from '../../db/schema.ts';
import type { FieldError } from '../../lib/validation.ts';
import { MAX_TEXT_ANSWER, SCALES } from './forms-schemas.ts';

/** One stored answer: exactly one of the value columns is set. */
export interface AnswerRow {
  questionId: string;
  choice: string | null;
  choices: string[] | null;
  number: number | null;
  text: string | null;
}

export function optionsOf(q: Pick<FormQuestion, 'type' | 'options'>): readonly string[] {
  if (q.type === 'rating' || q.type === 'agreement' || q.type === 'yes_no') return SCALES[q.type];
  return q.options;
}

const blank = (v: unknown) => v === undefined || v === null || v === '' || (Array.isArray(v) && v.length === 0);

/**
 * Checks answers against the questions and turns them into rows. Web forms send strings (and a
 * list for checkboxes); the API sends words, booleans for yes/no, numbers and lists. Both are
 * accepted; anything not on the question is refused with a message naming the question.
 */
export function checkAnswers(questions: FormQuestion[], answers: Record<string, unknown>): { rows: AnswerRow[]; errors: FieldError[] } {
  const rows: AnswerRow[] = [];
  const errors: FieldError[] = [];
  const byKey = new Map(questions.map((q) => [q.key, q]));
  for (const key of Object.keys(answers)) {
    const q = byKey.get(key);
    if (!q) errors.push({ path: key, message: `There is no question "${key}" on this form` });
    else if (q.hidden && !blank(answers[key])) errors.push({ path: key, message: 'This question is no longer asked' });
  }
  for (const q of questions) {
    if (q.hidden) continue;
    const raw = answers[q.key];
    if (blank(raw)) {
      if (q.required) errors.push({ path: q.key, message: `Answer “${q.text}”` });
      continue;
    }
    const options = optionsOf(q);
    const row: AnswerRow = { questionId: q.id, choice: null, choices: null, number: null, text: null };
    switch (q.type) {
      case 'yes_no':
      case 'rating':
      case 'agreement':
      case 'single_choice': {
        const value = typeof raw === 'boolean' && q.type === 'yes_no' ? (raw ? 'yes' : 'no') : raw;
        const match = typeof value === 'string' ? options.find((o) => o.toLowerCase() === value.trim().toLowerCase()) : undefined;
        if (!match) errors.push({ path: q.key, message: `Choose one of: ${options.join(', ')}` });
        else row.choice = match;
        break;
      }
      case 'multiple_choice': {
        const list = Array.isArray(raw) ? raw : [raw];
        const matched = list.map((v) =>
          typeof v === 'string' ? options.find((o) => o.toLowerCase() === v.trim().toLowerCase()) : undefined,
        );
        if (matched.some((m) => !m)) errors.push({ path: q.key, message: `Choose from: ${options.join(', ')}` });
        else row.choices = [...new Set(matched as string[])];
        break;
      }
      case 'number': {
        const n = typeof raw === 'number' ? raw : typeof raw === 'string' && /^\s*-?\d+(\.\d+)?\s*$/.test(raw) ? Number(raw) : NaN;
        if (!Number.isFinite(n) || Math.abs(n) > 1e12) errors.push({ path: q.key, message: 'Enter a number, like 3 or 2.5' });
        else row.number = n;
        break;
      }
      case 'text':
      case 'long_text': {
        if (typeof raw !== 'string') errors.push({ path: q.key, message: 'Answer in words' });
        else if (raw.length > MAX_TEXT_ANSWER)
          errors.push({
            path: q.key,
            message: `Your answer must be ${MAX_TEXT_ANSWER.toLocaleString('en-GB')} characters or fewer (it is ${raw.length.toLocaleString('en-GB')})`,
          });
        else if (raw.trim()) row.text = raw.trim();
        else continue;
        break;
      }
    }
    if (!errors.some((e) => e.path === q.key)) rows.push(row);
  }
  return { rows, errors };
}

/** Answers from an HTML form: fields named `q_<key>`. */
export function answersFromForm(body: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(body)) if (k.startsWith('q_')) out[k.slice(2)] = v;
  return out;
}
