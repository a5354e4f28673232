import assert from 'node:assert/strict';
import { test } from 'node:test';
import { findThemes } from './find-themes.ts';

// Comments written for this test, in three known groups, in the voice of the seeds' evaluations.
const LISTENING = [
  'The need for active listening across all partners came through strongly.',
  'We must listen to patients properly, not just hear them.',
  'Active listening was the big lesson for me.',
  'Staff need to listen more and talk less in meetings with patients.',
  'Listening to carers changed how I see our service.',
  'Really listening to lived experience is harder than it sounds.',
  'I learnt that listening without judging is a skill we can practise.',
  'More time for listening to each other in small groups please.',
];
const LEADERSHIP = [
  'Courageous leadership is needed at board level.',
  'Leaders have to be brave and give up some control.',
  'Senior leaders should lead by example on co-production.',
  'We need courageous leaders who take risks with patients.',
  'Leadership from the top will decide whether this lasts.',
  'Brave leadership made the difference in the masterclass stories.',
  'Our chief executive must show leadership on this.',
  'Leadership training should include patient leaders.',
];
const POWER = [
  'The power imbalance between staff and patients must be challenged.',
  'Culture change is needed before real partnership can happen.',
  'Power and culture in the NHS have to be explored openly.',
  'Hierarchy and power stop patients from speaking up.',
  'We talked about who holds the power in meetings.',
  'The culture of the organisation keeps the power imbalance going.',
  'Challenging power takes time and trust.',
  'Shifting power to people who use services is the real work.',
];

test('finds the three groups in comments written with known groups, and labels them by what they share', () => {
  const texts = [...LISTENING, ...LEADERSHIP, ...POWER];
  const truth = texts.map((_, i) => Math.floor(i / 8));
  const themes = findThemes(texts);
  const main = themes.filter((t) => t.label !== 'Other comments');
  assert.equal(main.length, 3, `themes: ${themes.map((t) => `${t.label} (${t.members.length})`).join('; ')}`);
  // Purity: each theme's answers mostly come from one true group.
  let right = 0;
  for (const t of main) {
    const counts = [0, 0, 0];
    for (const m of t.members) counts[truth[m.index]!]!++;
    right += Math.max(...counts);
  }
  const purity = right / texts.length;
  if (process.env.SHOW_THEMES) console.error(JSON.stringify({ purity, themes: themes.map((t) => [t.label, t.members.length]) }));
  assert.ok(purity >= 0.85, `purity ${purity}`);
  const labels = main.map((t) => t.label.toLowerCase()).join(' | ');
  assert.match(labels, /listen/);
  assert.match(labels, /leader/);
  assert.match(labels, /power|culture/);
  for (const t of main) assert.ok(t.members[0]!.score >= t.members.at(-1)!.score, 'most typical first');
});

test('the same answers give the same themes', () => {
  const texts = [...LISTENING, ...POWER];
  assert.deepEqual(findThemes(texts), findThemes(texts));
});

test('answers with no content words go to "Other comments"; a handful of answers still works', () => {
  const themes = findThemes(['Yes.', 'No!', 'Listening matters', 'Listen to patients']);
  assert.ok(themes.some((t) => t.label === 'Other comments' && t.members.length === 2));
  assert.deepEqual(findThemes([]), []);
});
