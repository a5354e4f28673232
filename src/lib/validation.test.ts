import assert from 'node:assert/strict';
import { test } from 'node:test';
import { personFormSchema } from '../modules/people/people-schemas.ts';
import { parseForm } from './forms.ts';

test('a form error inside a list is shown beside the field holding the list', () => {
  const result = parseForm(personFormSchema, {
    name: 'A',
    experience: 'lived',
    email: 'a@example.org',
    accessNeeds: ['step_free', 'jetpack'],
  });
  assert.equal(result.ok, false);
  if (result.ok) return;
  assert.equal(result.errors.accessNeeds, 'Choose access needs from the list');
  assert.deepEqual(result.errorList, [{ text: 'Choose access needs from the list', href: '#accessNeeds' }]);
});

test('blank text boxes mean "not given", and one checkbox arrives as a list', () => {
  const result = parseForm(personFormSchema, {
    name: ' Jo ',
    experience: 'both',
    email: '',
    phone: '',
    contactPreference: 'post',
    postalAddress: '1 High St',
    accessNeeds: 'easy_read',
  });
  assert.ok(result.ok);
  if (!result.ok) return;
  assert.equal(result.data.name, 'Jo');
  assert.equal(result.data.email, undefined);
  assert.deepEqual(result.data.accessNeeds, ['easy_read']);
});
