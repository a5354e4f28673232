import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { StoryFlag, StoryModerationEntry } from '../../db/schema.ts';
import { excerptOf } from './stories-service.ts';
import { flagSummary, segments } from './stories-view.ts';
import { ECHO_MAX, short } from './story-emails.ts';
import { MAX_STORY_FLAGS } from './flags.ts';
import { addTitleFlags, flagStory, redactDetails, redactStory, REMOVED, remainingIn, titleFlags } from './story-flags.ts';
import { decisionsFor, refusal, titleAsSentOf, withTitlesAsSent } from './story-moderation.ts';

test('segments: flagged pieces in order, overlaps and stale flags skipped, the text whole', () => {
  const text = 'Ring Sam on 07700 900123 today.';
  const flags: StoryFlag[] = [
    { kind: 'phone', text: '07700 900123', start: 12, end: 24 },
    { kind: 'person_name', text: 'Sam', start: 5, end: 8 },
    { kind: 'postcode', text: '900123', start: 18, end: 24 },
    { kind: 'email', text: 'gone', start: 40, end: 44 },
  ];
  const out = segments(text, flags);
  assert.equal(out.map((s) => s.text).join(''), text);
  assert.deepEqual(
    out.filter((s) => s.flag).map((s) => [s.text, s.flag]),
    [
      ['Sam', 'Name'],
      ['07700 900123', 'Phone number'],
    ],
  );
  assert.deepEqual(flagSummary(flags.slice(0, 2)), [
    { label: 'Phone number', count: 1 },
    { label: 'Name', count: 1 },
  ]);
});

test('excerpts are short and end on a word', () => {
  assert.equal(excerptOf('Short  and\nsweet.'), 'Short and sweet.');
  const long = excerptOf('word '.repeat(200), 50);
  assert.ok(long.length <= 51 && long.endsWith('word…'), long);
});

test('moderation moves: publish also from changes asked for; a published story corrected or taken down; nothing once rejected or withdrawn', () => {
  assert.deepEqual(decisionsFor('submitted'), ['publish', 'ask_for_changes', 'reject']);
  assert.deepEqual(decisionsFor('changes_requested'), ['publish', 'reject']);
  assert.deepEqual(decisionsFor('published'), ['correct', 'take_down']);
  assert.deepEqual(decisionsFor('rejected'), []);
  assert.deepEqual(decisionsFor('withdrawn'), []);
  assert.equal(refusal('changes_requested', 'publish'), null);
  assert.equal(refusal('published', 'take_down'), null);
  assert.equal(refusal('published', 'correct'), null);
  assert.match(refusal('changes_requested', 'ask_for_changes')!, /already asked/);
  for (const status of ['published', 'rejected', 'withdrawn'] as const)
    for (const d of ['publish', 'reject', 'ask_for_changes'] as const) assert.ok(refusal(status, d), `${status} → ${d}`);
  // Only a published story can be taken down or corrected; each refusal is a sentence, never empty.
  for (const status of ['submitted', 'changes_requested', 'rejected', 'withdrawn'] as const)
    for (const d of ['take_down', 'correct'] as const) assert.ok(refusal(status, d)?.length, `${status} → ${d}`);
  assert.match(refusal('submitted', 'take_down')!, /not published/);
  assert.match(refusal('changes_requested', 'take_down')!, /not published/);
  assert.match(refusal('withdrawn', 'correct')!, /withdrawn/);
});

test('segments: a flag whose words no longer stand at its offsets is not highlighted', () => {
  const flags: StoryFlag[] = [{ kind: 'phone', text: '07700 900123', start: 5, end: 17 }];
  assert.deepEqual(
    segments('Call [removed] now', flags).filter((s) => s.flag),
    [],
  );
});

test('flags by field: the title’s are tagged, untagged ones are the body’s, and each field is checked against both', () => {
  const flags = flagStory('Priya Sharma: my stay', 'My mum was born 12 March 1956.');
  assert.deepEqual(
    flags.map((f) => [f.field, f.kind, f.text]),
    [
      ['title', 'person_name', 'Priya Sharma'],
      ['body', 'date_of_birth', '12 March 1956'],
    ],
  );
  assert.deepEqual(
    titleFlags([{ kind: 'email', text: 'a@b.org', start: 0, end: 7 }]),
    [],
    'a flag stored before titles were checked is a body flag',
  );
  assert.equal(addTitleFlags('Call 07700 900123', [{ kind: 'email', text: 'a@b.org', start: 0, end: 7 }]).length, 2);
  assert.deepEqual(
    remainingIn(flags, 'My stay, 12 March 1956', 'My mum, Priya Sharma, was born in Leeds.').map((f) => [f.field, f.text]),
    [
      ['title', '12 March 1956'],
      ['body', 'Priya Sharma'],
    ],
  );
  assert.deepEqual(redactStory(flags, 'Priya Sharma: my stay, 12 March 1956', 'Born 12 March 1956, says Priya Sharma.'), {
    title: '[name removed]: my stay, [date of birth removed]',
    body: 'Born [date of birth removed], says [name removed].',
  });
});

test('taking details out says what kind each was, leaves nothing to warn about, and reads as a sentence', () => {
  const title = 'Priya Sharma and Sam on 07700 900123';
  const body = [
    'Priya Sharma and Sam Teller met at the surgery, LS6 2QD.',
    'Write to sam.teller@example.org or ring 07700 900123. NHS number 943 476 5919, born 12/03/1956.',
    'Later PRIYA SHARMA rang back.',
  ].join('\n');
  const flags = flagStory(title, body);
  const out = redactStory(flags, title, body);
  assert.equal(out.title, '[name removed] and [name removed] on [phone number removed]');
  assert.equal(
    out.body,
    [
      '[name removed] and [name removed] met at the surgery, [postcode removed].',
      'Write to [email address removed] or ring [phone number removed]. NHS number [NHS number removed], born [date of birth removed].',
      'Later [name removed] rang back.',
    ].join('\n'),
  );
  assert.ok(!out.body.includes('[removed]'));
  assert.deepEqual(remainingIn(flags, out.title, out.body), [], 'the markers are not details themselves');
  for (const marker of Object.values(REMOVED)) assert.deepEqual(flagStory(marker, marker), [], marker);
  // Edited since it was flagged: a detail is found by its words wherever it is now.
  assert.equal(redactStory(flags, 'x', 'Moved: priya sharma, 07700 900123.').body, 'Moved: [name removed], [phone number removed].');
  // Two flags over the same words are taken out once.
  assert.equal(
    redactDetails('Call 07700 900123 now', [
      { kind: 'phone', text: '07700 900123', start: 5, end: 17 },
      { kind: 'postcode', text: '900123', start: 11, end: 17 },
    ]),
    'Call [phone number removed] now',
  );
});

test('taking details out: more than one look holds are all taken out', () => {
  const many = Array.from({ length: MAX_STORY_FLAGS + 100 }, (_, i) => `person${i}@example.org`).join(' ');
  const flags = flagStory('Addresses', many);
  assert.equal(flags.length, MAX_STORY_FLAGS, 'the story holds the most flags there are');
  const out = redactStory(flags, 'Addresses', many).body;
  assert.ok(!out.includes('@'), out.slice(-200));
  assert.equal(out.split('[email address removed]').length - 1, MAX_STORY_FLAGS + 100);
});

test('the history: a note is only the note; the title a step replaced is as sent on the first change since the author sent it', () => {
  const step = (action: StoryModerationEntry['action'], titleBefore: string | null = null, note: string | null = null) => ({
    action,
    note,
    titleBefore,
  });
  // A note that starts like a mark or a title is staff's words, nothing more.
  const notes = [step('take_down', null, 'Taken down.\n\nreally'), step('publish', null, 'Title as sent: "not really"')];
  assert.deepEqual(withTitlesAsSent(notes), [
    { ...notes[0], titleAsSent: null },
    { ...notes[1], titleAsSent: null },
  ]);
  assert.equal(titleAsSentOf(notes, 'Untouched'), 'Untouched');

  const published = step('publish', 'As sent');
  const corrected = step('correct', 'Published', 'Took out the street');
  assert.deepEqual(withTitlesAsSent([step('consent'), published, step('take_down', null, 'x'), corrected]), [
    { ...step('consent'), titleAsSent: null },
    { ...published, titleAsSent: 'As sent', titleBefore: null },
    { ...step('take_down', null, 'x'), titleAsSent: null },
    { ...corrected, titleAsSent: null, titleBefore: 'Published' },
  ]);
  assert.equal(titleAsSentOf([published, corrected], 'Corrected'), 'As sent');
  assert.equal(titleAsSentOf([step('correct', 'Sent')], 'Now'), 'Sent');

  // They sent it again: their new title is the one as sent, until a step changes it.
  assert.equal(titleAsSentOf([published, step('resubmit')], 'Their new title'), 'Their new title');
  const again = [published, step('take_down', null, 'x'), step('resubmit'), step('publish', 'Their new title')];
  assert.equal(titleAsSentOf(again, 'Published again'), 'Their new title');
  assert.deepEqual(
    withTitlesAsSent(again).map((h) => [h.action, h.titleAsSent, h.titleBefore]),
    [
      ['publish', 'As sent', null],
      ['take_down', null, null],
      ['resubmit', null, null],
      ['publish', 'Their new title', null],
    ],
  );
  assert.equal(titleAsSentOf([], 'Untouched'), 'Untouched');
});

test('emails echo a title or a name short, on one line', () => {
  assert.equal(short('Short\n title'), 'Short title');
  const long = short('word '.repeat(100));
  assert.ok(long.length <= ECHO_MAX && long.endsWith('word…'), long);
  assert.equal(short('x'.repeat(200)).length, ECHO_MAX);
});
