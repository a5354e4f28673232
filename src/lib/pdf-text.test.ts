import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import PDFDocument from 'pdfkit';
import { registerFonts } from './pdf-fonts.ts';
import { startsRightToLeft, textLayout } from './pdf-text.ts';

function layout() {
  const doc = new PDFDocument({ size: 'A4' });
  registerFonts(doc);
  return textLayout(doc);
}

/** The words of each line as printed from left to right. */
const printed = (text: string, width = 400) => {
  const l = layout();
  return l.lines(text, { size: 12 }, width).map((line) => l.visualOrder(line).map((w) => w.text));
};

describe('laying out text in any script', () => {
  test('left-to-right text keeps its order; a run of right-to-left words inside it is printed right to left', () => {
    assert.deepEqual(printed('Zoë Łukasz Wiśniewska'), [['Zoë', 'Łukasz', 'Wiśniewska']]);
    assert.deepEqual(printed('Masterclass: فاطمة الزهراء on leading'), [['Masterclass:', 'الزهراء', 'فاطمة', 'on', 'leading']]);
  });

  test('a paragraph that starts right to left runs right to left, with English inside it kept in its own order', () => {
    assert.equal(startsRightToLeft('שרה לוי'), true);
    assert.equal(startsRightToLeft('“Sara” שרה'), false);
    assert.deepEqual(printed('שרה לוי'), [['לוי', 'שרה']]);
    assert.deepEqual(printed('محمد عمران from Leeds'), [['from', 'Leeds', 'عمران', 'محمد']]);
  });

  test('lines break between words at the width, a newline always breaks, and a word too long for a line is cut', () => {
    const lines = printed('one two three four five six seven eight nine ten', 80);
    assert.ok(lines.length > 2);
    assert.deepEqual(lines.flat(), ['one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten']);
    assert.deepEqual(printed('1 Park Row\nLeeds'), [['1', 'Park', 'Row'], ['Leeds']]);
    const url = `https://coproduce.example/${'x'.repeat(200)}`;
    const cut = printed(url, 200);
    assert.ok(cut.length > 1, 'cut over several lines');
    assert.equal(cut.flat().join(''), url, 'nothing lost');
  });
});
