import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { FormQuestion } from '../../db/schema.ts';
import { checkAnswers } from './answers.ts';

const q = (key: string, type: FormQuestion['type'], extra: Partial<FormQuestion> = {}): FormQuestion => ({
  id: `id-${key}`,
  formId: 'f',
  key,
  position: 0,
  type,
  text: `Question ${key}`,
  easyReadText: null,
  options: [],
  required: false,
  hidden: false,
  ...extra,
});

const questions = [
  q('overall', 'rating', { required: true }),
  q('agree', 'agreement'),
  q('again', 'yes_no'),
  q('role', 'single_choice', { options: ['Patient', 'Carer', 'Staff'] }),
  q('topics', 'multiple_choice', { options: ['Digital', 'Leadership'] }),
  q('people', 'number'),
  q('said', 'long_text'),
  q('old', 'text', { hidden: true }),
];

test('good answers from the API become rows, whatever the case of the words', () => {
  const { rows, errors } = checkAnswers(questions, {
    overall: 'Excellent',
    agree: 'agree',
    again: true,
    role: 'carer',
    topics: ['digital', 'Leadership'],
    people: 3,
    said: '  Listening matters  ',
  });
  assert.deepEqual(errors, []);
  const byQ = Object.fromEntries(rows.map((r) => [r.questionId, r]));
  assert.equal(byQ['id-overall']!.choice, 'excellent');
  assert.equal(byQ['id-again']!.choice, 'yes');
  assert.equal(byQ['id-role']!.choice, 'Carer');
  assert.deepEqual(byQ['id-topics']!.choices, ['Digital', 'Leadership']);
  assert.equal(byQ['id-people']!.number, 3);
  assert.equal(byQ['id-said']!.text, 'Listening matters');
});

test('web form strings are accepted too', () => {
  const { rows, errors } = checkAnswers(questions, { overall: 'good', again: 'no', people: '12', topics: 'Digital' });
  assert.deepEqual(errors, []);
  assert.equal(rows.length, 4);
});

test('an option not on the question, a missing required answer, a hidden or unknown question, and 100,000 characters are refused', () => {
  const { rows, errors } = checkAnswers(questions, {
    agree: 'meh',
    role: 'Astronaut',
    topics: ['Cooking'],
    people: 'lots',
    said: 'x'.repeat(100_000),
    old: 'hi',
    nonsense: 1,
  });
  const paths = errors.map((e) => e.path).sort();
  assert.deepEqual(paths, ['agree', 'nonsense', 'old', 'overall', 'people', 'role', 'said', 'topics']);
  assert.match(errors.find((e) => e.path === 'said')!.message, /5,000 characters or fewer \(it is 100,000\)/);
  assert.match(errors.find((e) => e.path === 'overall')!.message, /Answer “Question overall”/);
  assert.equal(rows.length, 0);
});
