import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mixOf } from './selection.ts';
import { appliedWithHelp, mixMeterView, movedText, plural } from './programmes-view.ts';

const holders = (lived: number, both: number, professional: number) => [
  ...Array.from({ length: lived }, () => ({ experience: 'lived' as const, organisation: null, answers: {} })),
  ...Array.from({ length: both }, () => ({ experience: 'both' as const, organisation: null, answers: {} })),
  ...Array.from({ length: professional }, () => ({ experience: 'professional' as const, organisation: null, answers: {} })),
];

test('the mix meter is one bar: lived from the left, professionals from the right, the target as a line, and the same in words', () => {
  const view = mixMeterView(mixOf(holders(4, 1, 3), { places: 20, livedMinShare: 0.5, tracked: [] }));
  assert.deepEqual(view.bar.lived, { x: 0, width: 20 });
  assert.deepEqual(view.bar.both, { x: 20, width: 5 });
  assert.deepEqual(view.bar.professional, { x: 85, width: 15 });
  assert.deepEqual(view.bar.target, { x: 50, anchor: 'middle', label: 'Target 10' });
  assert.equal(
    view.bar.text,
    'Of 20 places: 5 places for people with lived experience (1 of them with both), 3 places for professionals, 12 free. The target is at least 10 for people with lived experience.',
  );
  // No target: no line, and the words do not mention one. One place: singular.
  const solo = mixMeterView(mixOf(holders(0, 0, 1), { places: 1, livedMinShare: null, tracked: [] }));
  assert.equal(solo.bar.target, null);
  assert.equal(solo.bar.text, 'Of 1 place: 0 places for people with lived experience, 1 place for professionals, 0 free.');
  // A target near the edge keeps its label inside the bar.
  assert.equal(mixMeterView(mixOf([], { places: 10, livedMinShare: 1, tracked: [] })).bar.target!.anchor, 'end');
});

test('labels tell the truth: help only when someone helped, counts in the singular for one, and what a move did', () => {
  assert.equal(appliedWithHelp({ personId: 'p', submittedBy: null, helpedBy: null }), false);
  assert.equal(appliedWithHelp({ personId: 'p', submittedBy: 'p', helpedBy: null }), false, 'applying for yourself is not help');
  assert.equal(appliedWithHelp({ personId: 'p', submittedBy: null, helpedBy: '  ' }), false);
  assert.equal(appliedWithHelp({ personId: 'p', submittedBy: 'staff', helpedBy: null }), true);
  assert.equal(appliedWithHelp({ personId: 'p', submittedBy: null, helpedBy: 'My daughter' }), true);
  assert.equal(plural(1, 'member'), '1 member');
  assert.equal(plural(2, 'member'), '2 members');
  assert.equal(plural(1, 'person', 'people'), '1 person');
  const contact = { email: null, phone: null, postalAddress: null, contactPreference: 'email' };
  assert.equal(
    movedText({ ...contact, name: 'Grace', status: 'shortlisted', email: 'g@example.org' }),
    'Moved Grace to shortlisted and emailed them.',
  );
  assert.equal(
    movedText({ ...contact, name: 'Winston', status: 'offered', phone: '01632 960123' }),
    'Offered Winston a place. They are on the list of people to phone.',
  );
  assert.equal(
    movedText({ ...contact, name: 'Pat', status: 'offered', email: 'p@example.org', phone: '01632 960123', contactPreference: 'phone' }),
    'Offered Pat a place and emailed them. They are on the list of people to phone.',
  );
  assert.equal(
    movedText({ ...contact, name: 'Mo', status: 'waiting', postalAddress: '1 High St', contactPreference: 'post' }),
    'Moved Mo to the waiting list. We reach them by post: send them a letter.',
  );
  assert.equal(
    movedText({ ...contact, name: 'Nell', status: 'offered' }),
    'Offered Nell a place. We hold no way to reach them: tell them when you next see them.',
  );
});
