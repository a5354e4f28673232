import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createAdminWithToken, createEventWithSession, createPerson } from '../../../test/builders.ts';
import { startTestApp, type TestApp } from '../../../test/harness.ts';
import { assertAccessiblePdf, assertPopplerAccepts, pdfText } from '../../../test/pdf.ts';
import { signIn, WebClient } from '../../../test/web-client.ts';
import { CODE_FIELDS, labelFor, readableData, valueInWords } from './readable-data.ts';

const textOf = (html: string) =>
  html
    .replace(/<[^>]+>/g, ' ')
    .replace(/&#39;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ');

/** Every text value in the download that a person would read as it is (dates and the product's codes are shown in words). */
function leafStrings(value: unknown, out: string[] = [], field?: string): string[] {
  if (Array.isArray(value)) for (const v of value) leafStrings(v, out, field);
  else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) leafStrings(v, out, k);
  else if (typeof value === 'string' && value.trim() && !/^\d{4}-\d{2}-\d{2}/.test(value) && !(field && CODE_FIELDS.has(field)))
    out.push(value);
  return out;
}

describe('your data, to read', () => {
  let t: TestApp;
  let me: WebClient;
  let personId: string;

  before(async () => {
    t = await startTestApp();
    const { admin } = await createAdminWithToken(t.services);
    const person = await createPerson(t.services, {
      name: 'Rowan Readable',
      email: 'rowan@example.org',
      phone: '07700 900456',
      accessNeeds: ['step_free'],
      accessNotes: 'I bring my assistance dog, Biscuit',
    });
    personId = person.id;
    const { session } = await createEventWithSession(t.services, admin, {
      title: 'Readable festival',
      sessionTitle: 'Morning of plain words',
    });
    await t.services.registrations.register(
      { personId: person.id, role: 'participant' },
      { sessionId: session.id, who: { personId: person.id }, accessNotes: 'A seat near the door, readmark' },
    );
    const form = await t.services.forms.create(admin, {
      title: 'Readable feedback',
      anonymous: false,
      questions: [{ key: 'why', type: 'text', text: 'What went well?' }],
    });
    await t.services.forms.setStatus(admin, form.id, 'open');
    await t.services.forms.respond(form.id, { person }, { why: 'The quiet room, readmark-form' }, { allowEdit: false });
    await t.services.consents.give(person.id, person.id, 'story_publishing');
    me = await signIn(t, 'rowan@example.org');
  });
  after(async () => t.close());

  test('the page has a plain heading per kind of data, dates in words, and every value the download has', async () => {
    assert.match((await me.get('/account')).body, /href="\/account\/your-data"/, 'My account links to it');
    const exported = JSON.parse((await me.get('/account/export')).body) as Record<string, unknown>;
    const page = await me.get('/account/your-data');
    assert.equal(page.statusCode, 200);
    assert.equal(page.headers['cache-control'], 'no-store');
    const words = textOf(page.body);
    assert.match(page.body, /<h1>Your data<\/h1>/);
    for (const heading of ['Your details', 'Your event bookings', 'Your answers to forms', 'What you agreed to'])
      assert.match(page.body, new RegExp(`<h2 id="data-[a-zA-Z]+">${heading}</h2>`), heading);
    // Nothing is missing: a section for every part of the download, and every value in it.
    for (const key of Object.keys(exported).filter((k) => k !== 'exportedAt'))
      assert.match(page.body, new RegExp(`id="data-${key}"`), `a section for ${key}`);
    for (const value of new Set(leafStrings(exported)))
      assert.ok(words.includes(value.replace(/\s+/g, ' ')), `the page shows ${JSON.stringify(value)}`);
    assert.match(words, /I bring my assistance dog, Biscuit/);
    assert.match(words, /Readable festival/);
    assert.match(words, /The quiet room, readmark-form/);
    assert.match(words, /step free/, 'codes in words');
    // Dates in words, never as ISO timestamps.
    assert.doesNotMatch(words, /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/);
    assert.match(
      words,
      /(Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday),? \d{1,2} [A-Z][a-z]+ \d{4} at \d{1,2}(:\d{2})?(am|pm)/,
    );
    assert.match(page.body, /href="\/account\/your-data.pdf"/);
    assert.match(page.body, /href="\/account\/export"/);
  });

  test('the PDF holds the same, and reads back as text', async () => {
    const res = await me.get('/account/your-data.pdf');
    assert.equal(res.statusCode, 200);
    assert.match(String(res.headers['content-type']), /^application\/pdf/);
    assert.equal(res.headers['cache-control'], 'no-store');
    const s = await assertAccessiblePdf(res.rawPayload, { title: /Rowan Readable/ });
    await assertPopplerAccepts(res.rawPayload);
    assert.ok(
      s.elements.some((e) => e.role === 'H2' && e.text === 'Your details'),
      'sections are headings',
    );
    const text = (await pdfText(res.rawPayload)).replace(/\s+/g, ' ');
    for (const words of [
      'Your data: Rowan Readable',
      'Your details',
      'Your event bookings',
      'Readable festival',
      'I bring my assistance dog, Biscuit',
      'The quiet room, readmark-form',
    ])
      assert.ok(text.includes(words), words);
    assert.doesNotMatch(text, /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/);
  });

  test('it is only ever your own: signed out is asked to sign in', async () => {
    const anon = new WebClient(t.app);
    for (const url of ['/account/your-data', '/account/your-data.pdf']) {
      const res = await anon.get(url);
      assert.equal(res.statusCode, 303, url);
    }
    const other = await createPerson(t.services, { email: 'other@example.org', name: 'Otto Other' });
    const theirs = await signIn(t, 'other@example.org');
    const words = textOf((await theirs.get('/account/your-data')).body);
    assert.match(words, /Otto Other/);
    assert.doesNotMatch(words, /Rowan Readable|Biscuit/);
    assert.notEqual(other.id, personId);
  });

  test('labels and values in words', () => {
    assert.equal(labelFor('accessNeeds'), 'Access needs');
    assert.equal(labelFor('youSaidWeDid'), 'You said we did');
    assert.equal(valueInWords(true), 'Yes');
    assert.equal(valueInWords(null), 'None');
    assert.equal(valueInWords('2027-03-31'), '31 March 2027');
    assert.match(valueInWords('2026-07-06T13:30:00.000Z'), /^Monday,? 6 July 2026 at 2:30pm$/);
    assert.equal(valueInWords('person.signed_in', 'action'), 'person signed in');
    // A person's own words stay as they wrote them; a date that does not exist is not rolled over.
    assert.equal(valueInWords('jo.bloggs', 'labelName'), 'jo.bloggs');
    assert.equal(valueInWords('nhs.uk', 'organisation'), 'nhs.uk');
    assert.equal(valueInWords('2026-02-30'), '2026-02-30');
    const data = readableData({ exportedAt: '2026-07-06T13:30:00.000Z', claims: [], person: { name: 'A' } });
    assert.deepEqual(
      data.sections.map((s) => [s.heading, s.empty]),
      [
        ['Your claims for payment and expenses', 'Nothing held.'],
        ['Your details', null],
      ],
    );
  });
});
