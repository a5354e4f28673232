import assert from 'node:assert/strict';
import { test } from 'node:test';
import { APPLICATION_STATUSES } from '../../db/schema.ts';
import { graduationCheck, mixOf, mixWarning, NEXT_STATUSES, projectFlags, refuseMove } from './selection.ts';

test('only offered places can be accepted; final statuses stay final', () => {
  assert.match(refuseMove('applied', 'accepted')!, /Only a place that has been offered/);
  assert.match(refuseMove('shortlisted', 'declined')!, /Only a place that has been offered/);
  assert.match(refuseMove('applied', 'offered')!, /Shortlist the application/);
  assert.equal(refuseMove('offered', 'accepted'), null);
  for (const s of ['declined', 'unsuccessful', 'withdrawn'] as const) {
    for (const to of APPLICATION_STATUSES.filter((x) => x !== s)) assert.match(refuseMove(s, to)!, /cannot change any more/);
  }
  // Withdrawing is possible from every status that is not final.
  for (const s of APPLICATION_STATUSES) if (NEXT_STATUSES[s].length) assert.ok(NEXT_STATUSES[s].includes('withdrawn'), s);
});

const person = (
  experience: 'lived' | 'professional' | 'both',
  organisation: string | null = null,
  answers: Record<string, unknown> = {},
) => ({ experience, organisation, answers });

test('the mix meter counts experience, organisations and tracked answers', () => {
  const mix = mixOf(
    [
      person('lived', null, { area: 'Oxford' }),
      person('professional', 'Oxford Health', { area: 'Oxford' }),
      person('both', 'Oxford Health', { area: 'Swindon' }),
      person('professional', 'My Life, My Choice'),
    ],
    {
      places: 10,
      livedMinShare: 0.5,
      tracked: [{ key: 'area', text: 'Where do you live?', options: ['Oxford', 'Swindon', 'Reading'] }],
    },
  );
  assert.deepEqual([mix.lived, mix.professional, mix.both, mix.held], [1, 2, 1, 4]);
  assert.equal(mix.livedTarget, 5);
  assert.equal(mix.professionalRoom, 5);
  assert.deepEqual(mix.organisations[0], { name: 'Oxford Health', count: 2 });
  assert.deepEqual(mix.tracked[0]!.counts, [
    { option: 'Oxford', count: 2 },
    { option: 'Swindon', count: 1 },
    { option: 'Reading', count: 0 },
    { option: 'Not answered', count: 1 },
  ]);
});

test('an offer warns only when it leaves too few places to meet the lived-experience target', () => {
  const opts = { places: 4, livedMinShare: 0.5, tracked: [] };
  const oneProfessional = mixOf([person('professional')], opts);
  assert.equal(mixWarning(oneProfessional, 'professional'), null); // 2 professionals still leaves 2 of 4
  const twoProfessionals = mixOf([person('professional'), person('professional')], opts);
  assert.match(mixWarning(twoProfessionals, 'professional')!, /at least 2 of 4 places/);
  assert.equal(mixWarning(twoProfessionals, 'lived'), null);
  assert.equal(mixWarning(twoProfessionals, 'both'), null);
  assert.equal(mixWarning(mixOf([person('professional'), person('professional')], { ...opts, livedMinShare: null }), 'professional'), null);
});

test('graduation gives every reason someone has not met the rule', () => {
  const rule = { minSessionsAttended: 2, projectRequired: true };
  assert.deepEqual(
    graduationCheck(rule, { workshops: 3, attendedWorkshops: 2, project: { title: 'Easy read letters', presentedAt: new Date() } }),
    { met: true, reasons: [] },
  );
  assert.deepEqual(graduationCheck(rule, { workshops: 3, attendedWorkshops: 1, project: null }).reasons, [
    'Came to 1 of 3 workshop days; needs 2',
    'Is not in a group project',
  ]);
  assert.deepEqual(
    graduationCheck(rule, { workshops: 3, attendedWorkshops: 3, project: { title: 'Easy read letters', presentedAt: null } }).reasons,
    ['Their project “Easy read letters” has not been presented yet'],
  );
});

test('a project with no one with lived experience, or no professional, is flagged', () => {
  assert.deepEqual(projectFlags([{ experience: 'professional' }]), ['No one with lived experience']);
  assert.deepEqual(projectFlags([{ experience: 'lived' }]), ['No professional']);
  assert.deepEqual(projectFlags([{ experience: 'both' }]), []);
  assert.deepEqual(projectFlags([{ experience: 'lived' }, { experience: 'professional' }]), []);
});
