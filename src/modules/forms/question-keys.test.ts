import assert from 'node:assert/strict';
import { test } from 'node:test';
import { keyFromText } from './question-keys.ts';
import { questionKeySchema } from './forms-schemas.ts';

test('a question’s short name is made from its words, valid and unique within the form', () => {
  assert.equal(keyFromText('Overall, how was the event?', []), 'overall_how_was_the_event');
  assert.equal(keyFromText('What did you learn?', ['what_did_you_learn']), 'what_did_you_learn_2');
  assert.equal(keyFromText('What did you learn?', ['what_did_you_learn', 'what_did_you_learn_2']), 'what_did_you_learn_3');
  assert.equal(keyFromText('2 things you would change', []), 'q_2_things_you_would_change');
  assert.equal(keyFromText('¿Qué tal?', []), 'que_tal');
  assert.equal(keyFromText('???', []), 'question');
  const long = keyFromText('How likely are you to recommend this masterclass to a friend or colleague who cares?', []);
  assert.ok(long.length <= 40, long);
  for (const text of ['Overall, how was the event?', '2 things', '???', 'a'.repeat(90), 'Élan vital'])
    assert.ok(questionKeySchema.safeParse(keyFromText(text, [])).success, text);
});
