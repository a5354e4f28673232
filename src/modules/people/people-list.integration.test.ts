import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createPerson } from '../../../test/builders.ts';
import { startTestApp, type TestApp } from '../../../test/harness.ts';
import { signIn, type WebClient } from '../../../test/web-client.ts';
import { safeReturnPath } from '../../lib/return-to.ts';

let t: TestApp;
let staff: WebClient;

const namesIn = (html: string) => [...html.matchAll(/<a href="\/people\/[0-9a-f-]{36}">([^<]+)<\/a>/g)].map((m) => m[1]!);
const unescape = (s: string) => s.replace(/&amp;/g, '&');

before(async () => {
  t = await startTestApp();
  await createPerson(t.services, { email: 'staff@example.org', name: 'Sam Staff' }, 'staff');
  staff = await signIn(t, 'staff@example.org');
});
after(async () => t.close());

describe('the people list', () => {
  test('is sorted naturally ("Delegate 2" before "Delegate 10") and paged 50 at a time', async () => {
    // Made out of order, so the list cannot pass by showing them as they were added.
    const numbers = Array.from({ length: 55 }, (_, i) => i + 1).sort((a, b) => String(a).localeCompare(String(b)));
    for (const n of numbers) await createPerson(t.services, { name: `Delegate ${n}`, email: `delegate-${n}@example.org` });

    const first = await staff.get('/people?q=Delegate');
    assert.equal(first.statusCode, 200);
    const firstNames = namesIn(first.body);
    assert.deepEqual(
      firstNames,
      Array.from({ length: 50 }, (_, i) => `Delegate ${i + 1}`),
    );
    const next =
      /<a href="([^"]+)" class="nhsuk-pagination__link nhsuk-pagination__link--next"|class="nhsuk-pagination__link nhsuk-pagination__link--next" href="([^"]+)"/.exec(
        first.body,
      );
    assert.ok(next, 'a link to the next page');
    const nextUrl = unescape(next[1] ?? next[2]!);
    assert.match(nextUrl, /^\/people\?q=Delegate&after=/);
    assert.doesNotMatch(first.body, /First page/, 'the first page has no way back');

    const second = await staff.get(nextUrl);
    assert.deepEqual(namesIn(second.body), ['Delegate 51', 'Delegate 52', 'Delegate 53', 'Delegate 54', 'Delegate 55']);
    assert.match(second.body, /First page/);
    assert.doesNotMatch(second.body, /nhsuk-pagination__link--next/, 'the last page has no next page');
  });

  test('someone with no contact details shows "No contact details", not "By post"', async () => {
    const walkIn = await t.services.people.create(null, { name: 'Wally Walkin', experience: 'lived' });
    await createPerson(t.services, { name: 'Polly Post', email: undefined, postalAddress: '1 High Street', contactPreference: 'post' });
    const list = await staff.get('/people?q=ll');
    const row = (name: string) => new RegExp(`${name}</a>(?:(?!</tr>)[\\s\\S])*`).exec(list.body)?.[0] ?? '';
    assert.match(row('Wally Walkin'), /No contact details/);
    assert.doesNotMatch(row('Wally Walkin'), /By post/);
    assert.match(row('Polly Post'), /By post/);
    const page = await staff.get(`/people/${walkIn.id}`);
    assert.match(page.body, /Best way to contact[\s\S]*?No contact details/);
  });
});

describe('adding a person', () => {
  test('the staff form speaks about the person, not as them', async () => {
    const page = await staff.get('/people/new');
    assert.equal(page.statusCode, 200);
    for (const words of [
      'Their pronouns (optional)',
      'Their access needs (optional)',
      'their pronouns. No job titles',
      'Their organisation (optional)',
    ])
      assert.ok(page.body.includes(words), words);
    assert.doesNotMatch(page.body, /your pronouns|Your name|About you/i);
  });

  test('returnTo brings staff back to where they were, with the new person', async () => {
    const back = '/manage/events/7f3b1e2a-0000-4000-8000-000000000001/registrations/new?sessionId=abc#who';
    const form = await staff.get(`/people/new?returnTo=${encodeURIComponent(back)}`);
    assert.match(form.body, /<input type="hidden" name="returnTo" value="\/manage\/events\/[^"]+\?sessionId=abc#who">/);
    const res = await staff.post('/people/new', {
      name: 'Rita Returned',
      experience: 'lived',
      phone: '01865 000000',
      contactPreference: 'phone',
      returnTo: back,
    });
    assert.equal(res.statusCode, 303);
    const location = new URL(String(res.headers.location), 'http://x.invalid');
    assert.equal(location.pathname, '/manage/events/7f3b1e2a-0000-4000-8000-000000000001/registrations/new');
    assert.equal(location.searchParams.get('sessionId'), 'abc');
    const added = (await t.services.people.list({ search: 'Rita Returned', limit: 2 }))[0]!;
    assert.equal(location.searchParams.get('personId'), added.id);
    assert.equal(location.hash, '#who');

    // With a mistake, the form comes back still holding where to return.
    const bad = await staff.post('/people/new', { name: '', experience: 'lived', returnTo: back });
    assert.equal(bad.statusCode, 400);
    assert.match(bad.body, /name="returnTo" value="\/manage\/events\//);
  });

  test('a returnTo that leaves the site is ignored', async () => {
    for (const [i, away] of [
      'https://evil.example/x',
      '//evil.example/x',
      '/..//evil.example/x',
      '/.//evil.example/x',
      '/\\evil.example',
      'javascript:alert(1)',
      'manage/events',
    ].entries()) {
      const form = await staff.get(`/people/new?returnTo=${encodeURIComponent(away)}`);
      assert.doesNotMatch(form.body, /name="returnTo"/, away);
      const res = await staff.post('/people/new', { name: `Ian Ignored ${i}`, experience: 'lived', returnTo: away });
      assert.equal(res.statusCode, 303, away);
      assert.match(String(res.headers.location), /^\/people\/[0-9a-f-]{36}\?created=1$/, away);
    }
  });

  test('safeReturnPath keeps paths on this site only', () => {
    assert.equal(safeReturnPath('/manage/events/1?x=1'), '/manage/events/1?x=1');
    for (const away of [
      '//evil.example',
      '/..//evil.example',
      '/%2e%2e//evil.example',
      '/\\evil.example',
      'https://evil.example',
      '/\tevil',
      ' /x',
      '',
      undefined,
      42,
    ])
      assert.equal(safeReturnPath(away), null, String(away));
  });
});
