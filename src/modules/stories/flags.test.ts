import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { StoryFlag, StoryFlagKind } from '../../db/schema.ts';
import { findPersonalDetails, MAX_STORY_FLAGS, moreDetailsThanShown, remainingDetails, validNhsNumber } from './flags.ts';
import { redactDetails } from './story-flags.ts';

/** The flags of a text as "kind:text", after checking what every list of flags must be. */
function details(text: string, kind?: StoryFlagKind): string[] {
  const flags = findPersonalDetails(text);
  flags.forEach((f, i) => {
    assert.equal(text.slice(f.start, f.end), f.text, 'offsets point at the flagged text');
    if (i > 0) assert.ok(flags[i - 1]!.end <= f.start, 'sorted, with no overlaps');
  });
  return flags.filter((f) => !kind || f.kind === kind).map((f) => `${f.kind}:${f.text}`);
}

describe('finding personal details in a story', () => {
  test('email addresses', () => {
    assert.deepEqual(details('Write to priya.shah+stories@leeds.nhs.uk or Jo_B@example.co.uk.'), [
      'email:priya.shah+stories@leeds.nhs.uk',
      'email:Jo_B@example.co.uk',
    ]);
    assert.deepEqual(details('We met @ the hub, and tweeted @TeamLeeds. Rated 5@home.', 'email'), []);
  });

  test('UK phone numbers, however they are written', () => {
    const numbers = ['07700 900123', '07700900123', '0770 090 0123', '(0113) 243 3144', '0113-243-3144', '020 7946 0958', '0300 123 1234'];
    const more = ['+44 7700 900123', '+44 (0)20 7946 0958', '0044 7700-900-123', '01632 960123'];
    for (const n of [...numbers, ...more]) assert.deepEqual(details(`Ring me on ${n}, evenings.`), [`phone:${n}`], n);
    assert.deepEqual(details('Call 0113 243 3144 2 times'), ['phone:0113 243 3144'], 'a number after it is not part of it');
    for (const n of ['0800 123 456', '0113 243', '12345 678901', 'ward 07', 'in 2019 and 2020', '08000 123456']) {
      assert.deepEqual(details(`It was ${n}.`, 'phone'), [], n);
    }
  });

  test('NHS numbers only when the check digit is right', () => {
    assert.equal(validNhsNumber('9434765919'), true);
    assert.equal(validNhsNumber('4010232137'), true);
    assert.equal(validNhsNumber('9434765918'), false, 'wrong check digit');
    assert.equal(validNhsNumber('4000000080'), false, 'the check digit would be 10: no number has it');
    assert.equal(validNhsNumber('943476591'), false, 'nine digits');
    assert.deepEqual(details('My NHS number is 943 476 5919, or 4010232137 on the old letter.'), [
      'nhs_number:943 476 5919',
      'nhs_number:4010232137',
    ]);
    assert.deepEqual(details('Reference 943 476 5918 and 1234567890 and 943-476 5919.', 'nhs_number'), []);
  });

  test('an NHS number that is also a landline number is flagged as an NHS number', () => {
    assert.deepEqual(details('Number 011 324 3316 here'), ['nhs_number:011 324 3316']);
    assert.deepEqual(details('Number 011 324 3317 here'), ['phone:011 324 3317'], 'with a wrong check digit it is a phone number');
  });

  test('postcodes', () => {
    for (const p of ['LS1 4AP', 'SW1A 1AA', 'ls6 2qd', 'M1 1AE', 'B33 8TH', 'LS12AB', 'EC1A 1BB']) {
      assert.deepEqual(details(`I live near ${p} now.`), [`postcode:${p}`], p);
    }
    for (const p of ['ls12ab', 'LS 4AP', 'Ward 4B', 'B12 vitamins', 'covid19 2nd', 'at 10am']) {
      assert.deepEqual(details(`It was ${p} then.`, 'postcode'), [], p);
    }
  });

  test('dates of birth: any date near a birth word, numeric full dates anywhere', () => {
    assert.deepEqual(details('I was born on 12 March 1956 at home.'), ['date_of_birth:12 March 1956']);
    assert.deepEqual(details('DOB: 1956-03-12'), ['date_of_birth:1956-03-12']);
    assert.deepEqual(details('D.O.B. 12/03/56'), ['date_of_birth:12/03/56']);
    assert.deepEqual(details('date of birth March 12th, 1956'), ['date_of_birth:March 12th, 1956']);
    assert.deepEqual(details('born the 3rd of June 1960 in Wakefield'), ['date_of_birth:3rd of June 1960']);
    assert.deepEqual(details('12.03.1956 (my birthday)'), ['date_of_birth:12.03.1956']);
    assert.deepEqual(details('I was admitted on 01/02/2019.'), ['date_of_birth:01/02/2019'], 'a numeric full date, wherever it is');
    for (const text of [
      'We met on 12 March 1990 in Leeds.',
      'My birthday was last week. We met on 12 March 1990.',
      'The next session is on 12/03/2031.',
      'Version 1.12.03.1956 of the leaflet, page 12/03.',
      'It was 31/13/1956, which is no date.',
      'Born in 1956, I remember the old hospital.',
    ]) {
      assert.deepEqual(details(text, 'date_of_birth'), [], text);
    }
  });

  test('people by first name, with a surname, or by title', () => {
    assert.deepEqual(details('Priya came to see me with Grace Okafor and Łukasz.'), [
      'person_name:Priya',
      'person_name:Grace Okafor',
      'person_name:Łukasz',
    ]);
    assert.deepEqual(details('Mrs Patel, Dr Okafor and Dr. Sarah Jones were there; so was Mr O’Neill.'), [
      'person_name:Mrs Patel',
      'person_name:Dr Okafor',
      'person_name:Dr. Sarah Jones',
      'person_name:Mr O’Neill',
    ]);
    assert.deepEqual(details("Mohammed's mum told Siân Hughes-Davies."), ['person_name:Mohammed', 'person_name:Siân Hughes-Davies']);
    assert.deepEqual(details('At the desk, Grace said it helped.'), ['person_name:Grace'], 'a word-name in mid-sentence');
    assert.deepEqual(details('I asked Hope about it and June Whitfield rang.'), ['person_name:Hope', 'person_name:June Whitfield']);
    assert.deepEqual(details('I asked Will to help. We saw Mark and Rose. Will Smith came.'), [
      'person_name:Will',
      'person_name:Mark',
      'person_name:Rose',
      'person_name:Will Smith',
    ]);
  });

  test('no names where there are only words, places, months and days', () => {
    for (const text of [
      'Will you help? I will. Mark my words. Bill the bill!',
      'I hope Leeds wins. Hope is what kept me going. Amazing grace.',
      'Grace period ends on Monday. Team Leeds Hearts and Minds met in May.',
      'We went in June, and again in August. May I say thank you.',
      "The NHS in Leeds. St James’s was busy, and St James's Hospital too.",
      'I walked down Hope Street to the Mary Seacole Ward.',
      'Mrs and Dr were the titles on the form.',
      'Thanks for listening\nGrace is what they showed me.',
      'She said, Will you help? I said, Hope you are well.',
      'On Christmas Eve, and all through the Summer, I was in Jimmy’s.',
    ]) {
      assert.deepEqual(details(text, 'person_name'), [], text);
    }
  });

  test('a story with several details', () => {
    const story = [
      'My name is Joyce Whitaker and I was born on 4 May 1948. In March my husband Dennis was taken into',
      "St James's with a chest infection. Dr Okafor was kind, and the ward sister, Grace, rang me every",
      'evening on 0113 496 0321. Team Leeds helped me write this; you can reach me at',
      'joyce.w@example.org or at home, LS8 2QD. My NHS number is 943 476 5919 if you need it.',
    ].join('\n');
    assert.deepEqual(details(story), [
      'person_name:Joyce Whitaker',
      'date_of_birth:4 May 1948',
      'person_name:Dennis',
      'person_name:Dr Okafor',
      'person_name:Grace',
      'phone:0113 496 0321',
      'email:joyce.w@example.org',
      'postcode:LS8 2QD',
      'nhs_number:943 476 5919',
    ]);
  });
});

describe('redacting and checking text before it is published', () => {
  const story = 'Ring Priya on 07700 900123 or write to priya@example.org.';

  const redacted = 'Ring [name removed] on [phone number removed] or write to [email address removed].';
  test('redactDetails takes out every detail, saying what kind it was', () => {
    assert.equal(redactDetails(story, findPersonalDetails(story)), redacted);
    // With no flags given, it still takes out what the text itself holds.
    assert.equal(redactDetails(story, []), redacted);
    assert.equal(redactDetails('Nothing personal here.', []), 'Nothing personal here.');
  });

  test('redactDetails finds a flag by its text when the text has moved, and takes overlapping flags out as one', () => {
    const flags = findPersonalDetails(story);
    assert.equal(redactDetails(`Hello. ${story}`, flags), `Hello. ${redacted}`);
    const overlapping: StoryFlag[] = [
      { kind: 'person_name', text: 'Priya', start: 5, end: 10 },
      { kind: 'person_name', text: 'Priya on', start: 5, end: 13 },
    ];
    assert.equal(redactDetails(story, overlapping), 'Ring [name removed] [phone number removed] or write to [email address removed].');
  });

  test('remainingDetails warns about what is still in the text to publish', () => {
    const original = findPersonalDetails(story);
    assert.deepEqual(remainingDetails(original, redactDetails(story, original)), []);
    const edited = 'Ring [removed] on 07700 900123, or ask PRIYA at the desk.';
    assert.deepEqual(
      remainingDetails(original, edited).map((f) => `${f.kind}:${f.text}`),
      ['phone:07700 900123', 'person_name:PRIYA'],
      'the phone number is still there, and the name in capitals (which alone would not be found)',
    );
    const fresh = remainingDetails(original, 'Thanks to Dr Okafor and Priya.');
    assert.deepEqual(
      fresh.map((f) => [f.kind, f.text, f.start]),
      [
        ['person_name', 'Dr Okafor', 10],
        ['person_name', 'Priya', 24],
      ],
      'new details are found, and one found both ways is listed once',
    );
  });
});

describe('long and hostile stories (their speed is in bench/stories-flags.ts)', () => {
  test('a run of numbers is read in pieces: a second number in the same run is found too', () => {
    assert.deepEqual(details('Ring 07700 900123 0113 243 3144 or 0 07700 900124.', 'phone'), [
      'phone:07700 900123',
      'phone:0113 243 3144',
      'phone:07700 900124',
    ]);
    // 10,000 groups of digits: one landline-shaped number at the start, nothing after it.
    assert.deepEqual(details('0' + '1 '.repeat(9_999)), ['phone:01 1 1 1 1 1 1 1 1 1']);
  });

  test('a story carries at most MAX_STORY_FLAGS flags, the first ones, and says when there may be more', () => {
    const many = 'a@b.cd '.repeat(2_857);
    const flags = findPersonalDetails(many);
    assert.equal(flags.length, MAX_STORY_FLAGS);
    assert.deepEqual(flags.at(-1), { kind: 'email', text: 'a@b.cd', start: 7 * 499, end: 7 * 499 + 6 }, 'the first ones, in text order');
    assert.equal(moreDetailsThanShown(flags), true);
    assert.equal(moreDetailsThanShown(findPersonalDetails('Write to a@b.cd.')), false);
    assert.equal(remainingDetails(flags, many).length, MAX_STORY_FLAGS, 'the check before publishing is cut the same way');
    // Every address is still removed, past the cap: redacting looks again until nothing is left.
    assert.equal(redactDetails(`Moved. ${many}`, flags), `Moved. ${'[email address removed] '.repeat(2_857)}`);
  });

  test('many different details carried into the text to publish are all found, in one pass', () => {
    const names = Array.from({ length: 300 }, (_, i) => `p${i}@example${i % 7}.org`);
    const story = names.join(', ');
    const flags = findPersonalDetails(story);
    assert.equal(flags.length, 300);
    const edited = [...names]
      .reverse()
      .map((n) => n.toUpperCase())
      .join(' and ');
    const left = remainingDetails(flags, edited);
    assert.equal(left.length, 300);
    assert.deepEqual(
      left.slice(0, 2).map((f) => f.text),
      ['P299@EXAMPLE5.ORG', 'P298@EXAMPLE4.ORG'],
    );
    // A whole word or number only: "Zq1" is not found inside "xZq1" or "Zq11".
    const odd: StoryFlag = { kind: 'person_name', text: 'Zq1', start: 0, end: 3 };
    assert.deepEqual(
      remainingDetails([odd], 'xZq1 Zq11 zq1.').map((f) => [f.text, f.start]),
      [['zq1', 10]],
    );
  });

  test('carried details: in any case, beside letters of any alphabet only as a whole word', () => {
    const original = findPersonalDetails('Łukasz came.');
    assert.deepEqual(
      remainingDetails(original, 'ŁUKASZ, 🙂Łukasz and łukaszowi').map((f) => `${f.kind}:${f.text}`),
      ['person_name:ŁUKASZ', 'person_name:Łukasz'],
      'an emoji is not a letter; the Polish ending makes another word',
    );
    assert.deepEqual(remainingDetails(original, '𝐀Łukasz'), [], 'a mathematical letter (outside the BMP) is a letter');
  });

  test('names in a long run with no space (blanked for wink-nlp, which slows on it) are still found', () => {
    const list = 'Grace,Priya,Mohammed,Łukasz,'.repeat(4);
    assert.equal(details(`Sent to ${list} and Dr Okafor.`, 'person_name').length, 17);
    assert.deepEqual(details(`${'a-'.repeat(10_000)} Grace said it helped.`, 'person_name'), ['person_name:Grace']);
  });

  test('a birth word counts up to 40 characters before a date and 20 after it, in the same sentence', () => {
    const before = (gap: number) => details(`born${' '.repeat(gap)}12 March 1956`, 'date_of_birth').length;
    assert.deepEqual([before(1), before(40), before(41)], [1, 1, 0]);
    const after = (gap: number) => details(`12 March 1956${' '.repeat(gap)}(birthday)`, 'date_of_birth').length;
    assert.deepEqual([after(1), after(19), after(21)], [1, 1, 0]);
    assert.deepEqual(details('Born in Leeds. Then on 12 March 1956 we met.', 'date_of_birth'), [], 'another sentence');
    const many = Array.from({ length: 400 }, (_, i) => `${(i % 28) + 1} March 19${50 + (i % 40)}`).join('. ');
    assert.equal(details(`${many}. I was born on 3 May 1950.`, 'date_of_birth').length, 1, 'only the date beside the word');
  });
});
