import assert from 'node:assert/strict';
import { test } from 'node:test';
import { barChart, labelLines } from './charts.ts';

test('a long label wraps onto lines that fit left of the bars, never more than three', () => {
  const label = 'Lived experience (patient, carer or member of the public)';
  const lines = labelLines(label);
  assert.ok(lines.length > 1 && lines.length <= 3, lines.join(' | '));
  for (const l of lines) assert.ok(l.length <= 24, l);
  assert.equal(lines.join(' '), label, 'nothing lost when it fits in three lines');
  assert.deepEqual(labelLines('Good'), ['Good']);
  const word = labelLines('Supercalifragilisticexpialidocious-and-more');
  for (const l of word) assert.ok(l.length <= 24, l);
  const long = labelLines('one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen');
  assert.equal(long.length, 3);
  assert.match(long[2]!, /…$/);
});

test('the chart grows to hold wrapped labels, and keeps every label inside it', () => {
  const svg = barChart('c', 'Who came', [
    { label: 'Lived experience (patient, carer or member of the public)', value: 5 },
    { label: 'Professional', value: 3 },
  ]);
  const height = Number(/viewBox="0 0 640 (\d+(?:\.\d+)?)"/.exec(svg)![1]);
  const ys = [...svg.matchAll(/<tspan x="212" y="([\d.]+)"/g)].map((m) => Number(m[1]));
  assert.ok(ys.length >= 3, 'the long label takes more than one line');
  for (const y of ys) assert.ok(y > 12 && y < height, `line at ${y} inside a chart ${height} high`);
  assert.match(
    svg,
    /<desc id="c-desc">Lived experience \(patient, carer or member of the public\): 5 \(63%\); Professional: 3 \(38%\)<\/desc>/,
  );
});
