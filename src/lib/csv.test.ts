import assert from 'node:assert/strict';
import { test } from 'node:test';
import { toCsv } from './csv.ts';

test('names with accents, commas, quotes and line breaks survive; formulas are made inert', () => {
  const csv = toCsv(
    ['name', 'notes'],
    [
      ['Zoë Brontë, Jr', 'said "hello"\nthen left'],
      ['=HYPERLINK("x")', null],
    ],
  );
  assert.ok(csv.startsWith('\uFEFF'));
  assert.equal(csv, '\uFEFFname,notes\r\n"Zoë Brontë, Jr","said ""hello""\nthen left"\r\n"\'=HYPERLINK(""x"")",\r\n');
});
