import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { createAdminWithToken, createEventWithSession, createPerson } from '../../../test/builders.ts';
import { pdfText } from '../../../test/pdf.ts';
import { startTestApp, type TestApp } from '../../../test/harness.ts';
import { apiCaller, signIn, WebClient } from '../../../test/web-client.ts';
import type { QuestionInput } from './forms-schemas.ts';

let t: TestApp;
let db: pg.Client;
let token: string;
let admin: { personId: string; role: 'admin' };

const api = apiCaller(
  () => t.app,
  () => token,
);
// Signing in is rate limited per address: one signed-in member of staff for the whole file.
let staffClient: WebClient | undefined;
const signedInStaff = async () => (staffClient ??= await signIn(t, 'admin@example.org'));
const count = async (sql: string, params: unknown[] = []) => (await db.query(sql, params)).rows[0].n as number;

before(async () => {
  t = await startTestApp();
  db = new pg.Client({ connectionString: t.databaseUrl });
  await db.connect();
  ({ admin, token } = await createAdminWithToken(t.services));
});
after(async () => {
  await db.end();
  await t.close();
});

const evaluation: QuestionInput[] = [
  { key: 'overall', type: 'rating', text: 'Overall, how was the event?', required: true },
  { key: 'learnt', type: 'long_text', text: 'What did you learn?' },
  { key: 'again', type: 'yes_no', text: 'Would you come again?', required: true },
];

/** The error summary's messages, as one text. */
const summaryText = (body: string) =>
  (/nhsuk-error-summary__list[\s\S]*?<\/ul>/.exec(body)?.[0] ?? '').replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ');

/** The error summary's links, in the order they are listed. */
const summaryLinks = (body: string) => {
  const summary = /nhsuk-error-summary__list[\s\S]*?<\/ul>/.exec(body)?.[0] ?? '';
  return [...summary.matchAll(/<a href="#([^"]+)"/g)].map((m) => m[1]);
};

describe('answering a form: every error at once, in page order', () => {
  test('an empty submit lists every required question in order, and no quote consent when nothing was written', async () => {
    const form = await t.services.forms.create(admin, { title: 'Evaluation', anonymous: false, questions: evaluation });
    await t.services.forms.setStatus(admin, form.id, 'open');
    const c = new WebClient(t.app);
    await c.get(`/f/${form.id}`);
    const empty = await c.post(`/f/${form.id}`, {});
    assert.equal(empty.statusCode, 400);
    assert.deepEqual(summaryLinks(empty.body), ['q_overall', 'q_again'], 'both questions in one round, in order, no consent');
    assert.doesNotMatch(empty.body, /Choose whether we can quote/);

    // Text written but required answers missing: all of it in one round, consent last as on the page.
    const wrote = await c.post(`/f/${form.id}`, { q_learnt: 'Listening matters' });
    assert.equal(wrote.statusCode, 400);
    assert.deepEqual(summaryLinks(wrote.body), ['q_overall', 'q_again', 'quoteConsent']);
    assert.match(wrote.body, /Listening matters/, 'what they wrote is kept');
    assert.equal(await count('select count(*)::int as n from form_responses where form_id = $1', [form.id]), 0);

    // Nothing written: no need to say anything about quoting.
    const done = await c.post(`/f/${form.id}`, { q_overall: 'good', q_again: 'yes' });
    assert.equal(done.statusCode, 200);
    assert.match(done.body, /Thank you/);
    assert.equal((await db.query('select quote_consent from form_responses where form_id = $1', [form.id])).rows[0].quote_consent, 'no');
  });

  test('an easy-read form skips the quoting step when nothing was written', async () => {
    const form = await t.services.forms.create(admin, {
      title: 'Easy read',
      anonymous: false,
      easyRead: true,
      questions: [
        { key: 'liked', type: 'yes_no', text: 'Did you like the day?', required: true },
        { key: 'said', type: 'text', text: 'Anything else?' },
      ],
    });
    await t.services.forms.setStatus(admin, form.id, 'open');
    const c = new WebClient(t.app);
    await c.get(`/f/${form.id}`);
    const done = await c.post(`/f/${form.id}`, { step: '1', q_liked: 'yes', q_said: '' });
    assert.match(done.body, /Thank you/);
  });
});

describe('the form builder speaks to organisers', () => {
  test('no key to type: it is made from the question’s words, unique, and editable under “Advanced”; errors are plain', async () => {
    const staff = await signedInStaff();
    await staff.get('/manage/forms/new');
    const made = await staff.post('/manage/forms/new', { title: 'Builder test', anonymous: 'no' });
    assert.equal(made.statusCode, 303);
    const formId = /\/manage\/forms\/([0-9a-f-]{36})/.exec(made.headers.location as string)![1]!;
    const page = await staff.get(made.headers.location as string);
    assert.match(page.body, /Form created\. Add its questions, then open it when it is ready/);
    assert.doesNotMatch(page.body, />\s*Key\s*</, 'no field called “Key” out in the open');
    assert.match(page.body, /<details[^>]*>[\s\S]*Advanced: short name for exports and the API[\s\S]*name="key"[\s\S]*<\/details>/);

    const add = (fields: Record<string, string>) => staff.post(`/manage/forms/${formId}/questions`, fields);
    assert.equal((await add({ text: 'Overall, how was the event?', type: 'rating', required: 'yes' })).statusCode, 303);
    await staff.get(`/manage/forms/${formId}`);
    assert.equal((await add({ text: 'Overall, how was the event?', type: 'yes_no' })).statusCode, 303);
    await staff.get(`/manage/forms/${formId}`);
    assert.equal((await add({ text: 'What changed?', type: 'long_text', key: 'what_changed' })).statusCode, 303);
    const keys = (await db.query('select key from form_questions where form_id = $1 order by position', [formId])).rows.map((r) => r.key);
    assert.deepEqual(keys, ['overall_how_was_the_event', 'overall_how_was_the_event_2', 'what_changed']);

    await staff.get(`/manage/forms/${formId}`);
    const bad = await add({ text: 'Tell us more', type: 'long_text', options: 'Yes\nNo' });
    assert.equal(bad.statusCode, 400);
    assert.match(bad.body, /Options are only for “Choose one” and “Choose all that apply” questions/);
    assert.match(summaryText(bad.body), /Options are only for/);
    assert.doesNotMatch(summaryText(bad.body), /long_text|single_choice|fixed options/, 'no developer words');
    const taken = await add({ text: 'Again', type: 'text', key: 'what_changed' });
    assert.equal(taken.statusCode, 400);
    assert.match(taken.body, /already has that short name/);
    assert.match(taken.body, /<details class="nhsuk-details"[^>]*open/, 'the advanced part opens to show its error');
    const few = await add({ text: 'Pick', type: 'single_choice', options: 'Only one' });
    assert.match(few.body, /Give at least 2 options, one on each line/);
    assert.equal(await count('select count(*)::int as n from form_questions where form_id = $1', [formId]), 3, 'nothing added');

    // The API keeps its contract: a key may be sent, and may now be left out.
    const viaApi = await api('POST', '/api/v1/forms', {
      title: 'API form',
      anonymous: true,
      questions: [
        { key: 'score', type: 'rating', text: 'How was it?' },
        { type: 'text', text: 'Score' },
      ],
    });
    assert.equal(viaApi.statusCode, 201, viaApi.body);
    assert.deepEqual(
      viaApi.json().questions.map((q: { key: string }) => q.key),
      ['score', 'score_2'],
    );
  });
});

describe('changing a question', () => {
  test('wording, required and new options change in place; once answered, the type and chosen options stay', async () => {
    const form = await t.services.forms.create(admin, {
      title: 'Changeable',
      anonymous: false,
      questions: [
        { type: 'single_choice', text: 'How did you hear about it?', options: ['Email', 'Poster', 'A friend'] },
        { type: 'text', text: 'Anything else?' },
      ],
    });
    const [choice, text] = await t.services.forms.questions(form.id);
    const staff = await signedInStaff();
    const edit = `/manage/forms/${form.id}/questions/${text!.id}`;
    const page = await staff.get(edit);
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /Anything else\?/);
    // No answers yet: anything may change, the type too.
    assert.equal((await staff.post(edit, { text: 'How many sessions?', type: 'number', required: 'yes' })).statusCode, 303);
    const changed = (await t.services.forms.questions(form.id))[1]!;
    assert.equal(changed.text, 'How many sessions?');
    assert.equal(changed.type, 'number');
    assert.equal(changed.required, true);
    assert.equal(changed.key, text!.key, 'the short name stays as it was');

    await t.services.forms.setStatus(admin, form.id, 'open');
    await t.services.forms.respond(form.id, { person: null }, { [choice!.key]: 'Poster', [text!.key]: 2 }, { allowEdit: false });
    const editChoice = `/manage/forms/${form.id}/questions/${choice!.id}`;
    const answered = await staff.get(editChoice);
    assert.match(answered.body, /1 person has answered this question/);
    assert.match(answered.body, /People have answered, so this cannot change/);

    const typeChange = await staff.post(editChoice, { text: 'How did you hear?', type: 'multiple_choice', options: 'Email\nPoster' });
    assert.equal(typeChange.statusCode, 400);
    assert.match(typeChange.body, /its type of answer cannot change/);
    const dropChosen = await staff.post(editChoice, { text: 'How did you hear?', type: 'single_choice', options: 'Email\nA friend' });
    assert.equal(dropChosen.statusCode, 400);
    assert.match(dropChosen.body, /People chose “Poster”, so that option stays as written/);
    assert.equal((await t.services.forms.questions(form.id))[0]!.text, 'How did you hear about it?', 'nothing changed');

    const ok = await staff.post(editChoice, {
      text: 'How did you hear about the day?',
      type: 'single_choice',
      options: 'Poster\nEmail\nSocial media',
      required: 'yes',
    });
    assert.equal(ok.statusCode, 303);
    const after = (await t.services.forms.questions(form.id))[0]!;
    assert.equal(after.text, 'How did you hear about the day?');
    assert.deepEqual(after.options, ['Poster', 'Email', 'Social media'], 'an unchosen option removed, one added, reordered');
    assert.equal(after.required, true);
    assert.equal(await count('select count(*)::int as n from form_answers where question_id = $1', [choice!.id]), 1, 'the answer kept');
  });
});

describe('copying a form', () => {
  test('from the #PatientsasPartners16 template or an earlier event’s form: the same questions, none of the answers', async () => {
    const staff = await signedInStaff();
    const page = await staff.get('/manage/forms/copy');
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /Template: Event evaluation/);
    assert.match(page.body, /#PatientsasPartners16/);

    const nothing = await staff.post('/manage/forms/copy', { title: 'No source' });
    assert.equal(nothing.statusCode, 400);
    assert.match(nothing.body, /Choose a template or a form to copy/);

    const fromTemplate = await staff.post('/manage/forms/copy', { source: 'template:event-evaluation', title: 'Festival evaluation' });
    assert.equal(fromTemplate.statusCode, 303);
    const templated = /\/manage\/forms\/([0-9a-f-]{36})/.exec(fromTemplate.headers.location as string)![1]!;
    const tq = await t.services.forms.questions(templated);
    assert.deepEqual(
      tq.map((q) => [q.key, q.type, q.required]),
      [
        ['overall', 'rating', true],
        ['objectives', 'yes_no', false],
        ['learnt', 'long_text', false],
      ],
    );
    assert.equal((await t.services.forms.get(templated)).status, 'draft');

    // An earlier form, with answers and a hidden question: copied without either.
    const earlier = await t.services.forms.create(admin, {
      title: 'Last year',
      anonymous: true,
      easyRead: true,
      questions: [
        { key: 'topics', type: 'multiple_choice', text: 'Which topics helped?', options: ['Listening', 'Leadership'], required: true },
        { key: 'said', type: 'text', text: 'One word for the day', easyReadText: 'One word' },
        { key: 'old', type: 'number', text: 'No longer asked' },
      ],
    });
    await t.services.forms.setStatus(admin, earlier.id, 'open');
    await t.services.forms.respond(earlier.id, { person: null }, { topics: ['Listening'], said: 'Brave', old: 3 }, { allowEdit: false });
    const old = (await t.services.forms.questions(earlier.id)).find((q) => q.key === 'old')!;
    assert.equal(await t.services.forms.removeQuestion(earlier.id, old.id), 'hidden');

    await staff.get(`/manage/forms/copy?from=${earlier.id}`);
    const copied = await staff.post('/manage/forms/copy', { source: earlier.id, title: '' });
    assert.equal(copied.statusCode, 303);
    const copyId = /\/manage\/forms\/([0-9a-f-]{36})/.exec(copied.headers.location as string)![1]!;
    const copy = await t.services.forms.get(copyId);
    assert.equal(copy.title, 'Last year', 'an empty title keeps the source’s');
    assert.equal(copy.anonymous, true);
    assert.equal(copy.easyRead, true);
    assert.equal(copy.status, 'draft');
    const strip = (qs: Awaited<ReturnType<typeof t.services.forms.questions>>) =>
      qs
        .filter((q) => !q.hidden)
        .map(({ key, type, text, easyReadText, options, required }) => ({ key, type, text, easyReadText, options, required }));
    assert.deepEqual(strip(await t.services.forms.questions(copyId)), strip(await t.services.forms.questions(earlier.id)));
    assert.equal((await t.services.forms.questions(copyId)).length, 2, 'the hidden question stays behind');
    assert.equal(await count('select count(*)::int as n from form_responses where form_id = $1', [copyId]), 0, 'none of the answers');
    assert.equal(await count('select count(*)::int as n from form_invitations where form_id = $1', [copyId]), 0);
    const builder = await staff.get(copied.headers.location as string);
    assert.match(builder.body, /Form copied/);
  });
});

describe('starring quotes', () => {
  test('an answer whose author did not agree to be quoted cannot be starred, on the web or through the API', async () => {
    const form = await t.services.forms.create(admin, { title: 'Quotes', anonymous: false, questions: evaluation });
    await t.services.forms.setStatus(admin, form.id, 'open');
    for (const [text, quoteConsent] of [
      ['Keep me out of it', 'no'],
      ['Quote me', 'named'],
    ] as const) {
      const p = await createPerson(t.services);
      await t.services.forms.respond(
        form.id,
        { person: p },
        { overall: 'good', again: 'yes', learnt: text },
        { quoteConsent, allowEdit: false },
      );
    }
    const idOf = async (text: string) => Number((await db.query('select id from form_answers where text = $1', [text])).rows[0].id);
    const no = await idOf('Keep me out of it');
    const yes = await idOf('Quote me');
    const starred = async (id: number) => (await db.query('select starred from form_answers where id = $1', [id])).rows[0].starred;

    const staff = await signedInStaff();
    const results = await staff.get(`/manage/forms/${form.id}/results`);
    assert.doesNotMatch(results.body, new RegExp(`answers/${no}/star`), 'no star button where the author said no');
    assert.match(results.body, new RegExp(`answers/${yes}/star`));
    const refused = await staff.post(`/manage/forms/${form.id}/answers/${no}/star`, { starred: 'yes' });
    assert.equal(refused.statusCode, 303);
    const shown = await staff.get(refused.headers.location as string);
    assert.match(summaryText(shown.body), /did not agree to be quoted/);
    assert.equal(await starred(no), false);
    const star = await staff.post(`/manage/forms/${form.id}/answers/${yes}/star`, { starred: 'yes' });
    assert.equal(await starred(yes), true);
    assert.match((await staff.get(star.headers.location as string)).body, /Quote starred: it can go in the event report/);
    const unstarWeb = await staff.post(`/manage/forms/${form.id}/answers/${yes}/star`, { starred: 'no' });
    assert.match((await staff.get(unstarWeb.headers.location as string)).body, /Star taken off the quote/);
    assert.equal(await starred(yes), false);
    await staff.post(`/manage/forms/${form.id}/answers/${yes}/star`, { starred: 'yes' });

    const viaApi = await api('POST', `/api/v1/forms/${form.id}/answers/${no}/star`, { starred: true });
    assert.equal(viaApi.statusCode, 409);
    assert.match(viaApi.json().detail, /did not agree to be quoted/);
    assert.equal(await starred(no), false);
    const unstar = await api('POST', `/api/v1/forms/${form.id}/answers/${yes}/star`, { starred: false });
    assert.equal(unstar.statusCode, 200);
    assert.deepEqual(unstar.json(), { id: yes, starred: false });
    assert.equal((await api('POST', `/api/v1/forms/${form.id}/answers/99999999/star`, { starred: true })).statusCode, 404);
  });
});

describe('finding themes from the results page', () => {
  test('“Find themes” comes back to the results, says it is working with a link to check again, then shows the themes', async () => {
    const form = await t.services.forms.create(admin, { title: 'Themes progress', anonymous: false, questions: evaluation });
    await t.services.forms.setStatus(admin, form.id, 'open');
    const comments = [
      'Active listening across all partners matters most.',
      'We must listen to patients properly.',
      'Listening to carers changed my view.',
      'More listening, less talking in meetings.',
      'Courageous leadership is needed at board level.',
      'Leaders must be brave and lead by example.',
      'Leadership from the top decides if this lasts.',
      'Brave leaders who take risks with patients.',
    ];
    for (const text of comments)
      await t.services.forms.respond(
        form.id,
        { person: null },
        { overall: 'good', again: 'yes', learnt: text },
        { quoteConsent: 'no', allowEdit: false },
      );
    const learnt = (await t.services.forms.questions(form.id)).find((q) => q.key === 'learnt')!;

    const staff = await signedInStaff();
    // While a run is queued the page says so, offers a link to look again, and does not refresh itself.
    await db.query(
      `insert into form_theme_runs (question_id, queued_at) values ($1, now()) on conflict (question_id) do update set queued_at = now()`,
      [learnt.id],
    );
    const finding = await staff.get(`/manage/forms/${form.id}/results?themes=asked`);
    assert.match(finding.body, /role="status"[\s\S]*Finding themes in what people wrote/);
    assert.match(finding.body, /href="\/manage\/forms\/[^"]+\/results\?themes=asked#themes-status">Check again/);
    assert.doesNotMatch(finding.body, /http-equiv="refresh"/i);
    assert.doesNotMatch(finding.body, /Find themes in what people wrote now/, 'no second request while one is under way');
    // A run that never finished is said to have stalled, and can be asked for again.
    await db.query(`update form_theme_runs set queued_at = now() - interval '1 hour' where question_id = $1`, [learnt.id]);
    const stalled = await staff.get(`/manage/forms/${form.id}/results`);
    assert.match(stalled.body, /taking longer than it should/);
    assert.match(stalled.body, /Find themes in what people wrote now/);

    const asked = await staff.post(`/manage/forms/${form.id}/themes`);
    assert.equal(asked.statusCode, 303);
    assert.equal(asked.headers.location, `/manage/forms/${form.id}/results?themes=asked#themes-status`, 'stays on the results');
    const deadline = Date.now() + 20_000;
    let page = await staff.get(`/manage/forms/${form.id}/results?themes=asked`);
    while (!/Themes found/.test(page.body)) {
      if (Date.now() > deadline) throw new Error('The themes did not appear');
      assert.match(page.body, /Finding themes in what people wrote/);
      await new Promise((r) => setTimeout(r, 200));
      page = await staff.get(`/manage/forms/${form.id}/results?themes=asked`);
    }
    assert.match(page.body, /Split “/, 'the themes are on the page');
  });
});

describe('the event report', () => {
  test('“What they said” explains how to add quotes when there are none; “Who came” has a chart beside its figures', async () => {
    const { event, session } = await createEventWithSession(t.services, admin, { title: 'Report without quotes' });
    for (const experience of ['lived', 'lived', 'professional', 'both'] as const) {
      const p = await createPerson(t.services, { experience });
      const r = await t.services.registrations.register(admin, { sessionId: session.id, who: { personId: p.id } });
      await t.services.registrations.checkIn(r.registration.id);
    }
    const staff = await signedInStaff();
    const bare = await staff.get(`/manage/events/${event.id}/report`);
    assert.equal(bare.statusCode, 200);
    assert.match(bare.body, /No quotes yet\. To add one:/);
    assert.match(bare.body, /copy the evaluation template/, 'no evaluation yet: how to make one');

    const form = await t.services.forms.create(admin, { title: 'Evaluation', anonymous: false, eventId: event.id, questions: evaluation });
    const page = await staff.get(`/manage/events/${event.id}/report`);
    assert.match(page.body, new RegExp(`href="/manage/forms/${form.id}/results#what-people-wrote"`));
    assert.match(page.body, /Choose “Star as a quote”/);

    const whoCame = /<h2>Who came<\/h2>[\s\S]*?<h2>What they thought<\/h2>/.exec(page.body)![0];
    assert.match(whoCame, /<svg[^>]+role="img"[^>]+aria-labelledby="report-who-came-title report-who-came-desc"/);
    assert.match(whoCame, /<desc id="report-who-came-desc">Lived experience: 2 \(50%\); Professional: 1 \(25%\); Both: 1 \(25%\)<\/desc>/);
    assert.match(whoCame, /<caption[^>]*>Who came, by experience: the figures<\/caption>/);
    assert.match(whoCame, /Lived experience<\/th><td[^>]*>2<\/td><td[^>]*>50%<\/td>/, 'the figures readable as text');

    const pdf = await staff.get(`/manage/events/${event.id}/report.pdf`);
    const text = await pdfText(pdf.rawPayload);
    assert.match(text, /No quotes yet/);
    assert.match(text, /Lived experience\s+2/);
  });
});
