import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { createAdminWithToken } from '../../../../test/builders.ts';
import { startTestApp, type TestApp } from '../../../../test/harness.ts';
import { apiCaller, signIn } from '../../../../test/web-client.ts';

// Themes found with no one pressing a button, through the API as an integration would see them.
// THEMES_REFRESH_MINUTES=0: while a form is open, a run is due as soon as answers grow by a fifth.
let t: TestApp;
let db: pg.Client;
let token: string;
const api = apiCaller(
  () => t.app,
  () => token,
);

before(async () => {
  t = await startTestApp({ THEMES_REFRESH_MINUTES: '0' });
  db = new pg.Client({ connectionString: t.databaseUrl });
  await db.connect();
  ({ token } = await createAdminWithToken(t.services));
});
after(async () => {
  await db.end();
  await t.close();
});

const FOOD = [
  'The food was cold and the meals came late.',
  'Hospital food was bland, better meals please.',
  'No choice of food for vegetarians at lunch.',
  'The meals were tiny and the food was cold again.',
  'Food was awful, the sandwiches were stale.',
];
const AMBULANCE = [
  'The ambulance crew were brilliant and calm.',
  'The ambulance driver was kind and the crew explained everything.',
  'Paramedics in the ambulance were reassuring and kind.',
  'Lovely ambulance crew, they kept my mum calm.',
  'The ambulance crew were professional and friendly.',
];

async function newForm() {
  const form = (
    await api('POST', '/api/v1/forms', {
      title: 'How was your stay?',
      anonymous: true,
      questions: [
        { key: 'overall', type: 'rating', text: 'Overall, how was your stay?', required: true },
        { key: 'why', type: 'text', text: 'Tell us why' },
      ],
    })
  ).json();
  assert.equal((await api('POST', `/api/v1/forms/${form.id}/open`)).statusCode, 200);
  return form.id as string;
}

const answer = async (formId: string, why: string, overall: string) =>
  assert.equal((await api('POST', `/api/v1/forms/${formId}/responses`, { answers: { overall, why } })).statusCode, 201);

async function run(formId: string) {
  return (
    await db.query(
      `select r.answers, r.found_at, r.queued_at from form_theme_runs r join form_questions q on q.id = r.question_id
       where q.form_id = $1 and q.key = 'why'`,
      [formId],
    )
  ).rows[0] as { answers: number | null; found_at: Date | null; queued_at: Date | null } | undefined;
}

async function until<T>(what: string, check: () => Promise<T | undefined | false>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

interface ApiTheme {
  label: string;
  count: number;
  terms: string[];
  examples: string[];
  ratings?: { questionKey: string; answered: number; counts: Record<string, number>; fairOrWorseShare: number };
}
const themesOf = async (formId: string): Promise<ApiTheme[]> =>
  (await api('GET', `/api/v1/forms/${formId}/results`)).json().questions.find((q: { key: string }) => q.key === 'why').themes;

describe('found without asking', () => {
  test('closing a form through the API finds themes, with phrase labels, terms and the rating mix', async () => {
    const formId = await newForm();
    // Fewer than ten answers: nothing is found while the form is open.
    for (const text of FOOD.slice(0, 4)) await answer(formId, text, 'poor');
    for (const text of AMBULANCE.slice(0, 4)) await answer(formId, text, 'excellent');
    assert.equal(await run(formId), undefined, 'no run is due below ten answers');
    assert.deepEqual(await themesOf(formId), []);

    assert.equal((await api('POST', `/api/v1/forms/${formId}/close`)).statusCode, 200);
    const themes = await until('themes after closing', async () => {
      const found = await themesOf(formId);
      return found.length ? found : undefined;
    });
    assert.equal(
      themes.reduce((n, x) => n + x.count, 0),
      8,
      'every answer is in a theme or in Other comments',
    );
    const food = themes.find((x) => /food/i.test(x.label));
    const crew = themes.find((x) => x !== food && x.examples.some((e) => /ambulance/i.test(e)));
    assert.ok(food && crew, JSON.stringify(themes));
    for (const theme of [food, crew]) {
      assert.ok(theme.terms.length > 0, 'each theme shows the words that set it apart');
      const pair = /^(.+) and (.+)$/.exec(theme.label.toLowerCase());
      assert.ok(!pair || !(theme.terms.includes(pair[1]!) && theme.terms.includes(pair[2]!)), `a phrase, not two terms: ${theme.label}`);
      assert.equal(theme.ratings?.questionKey, 'overall');
      assert.equal(
        Object.values(theme.ratings!.counts).reduce((a, b) => a + b, 0),
        theme.count,
      );
    }
    // Food was rated poor, the crew excellent: the mix says who was unhappy about what.
    assert.ok(food.ratings!.fairOrWorseShare > crew.ratings!.fairOrWorseShare, JSON.stringify([food.ratings, crew.ratings]));
    const responses = (await api('GET', `/api/v1/forms/${formId}/responses`)).json().items;
    assert.ok(responses.some((r: { themes: { why?: string[] } }) => r.themes.why?.includes(food.label)));

    // The results page, the staff see the label, the words and the rating mix in plain words.
    const staff = await signIn(t, 'admin@example.org');
    const page = (await staff.get(`/manage/forms/${formId}/results`)).body;
    assert.match(page, new RegExp(food.label));
    assert.match(page, /rated it fair or worse/);
    assert.match(page, /Words that set it apart/);
  });

  test('while a form is open, themes are found at ten answers and again when answers grow by a fifth; staff edits are kept', async () => {
    const formId = await newForm();
    const texts = [...FOOD, ...AMBULANCE];
    for (const [i, text] of texts.entries()) await answer(formId, text, i < 5 ? 'fair' : 'good');
    await until('the first run', async () => (await run(formId))?.answers === 10);
    const first = await themesOf(formId);
    assert.ok(first.length >= 2, JSON.stringify(first));

    // One more is not a fifth more: nothing is queued.
    await answer(formId, 'Cold food again at dinner.', 'poor');
    assert.equal((await run(formId))!.queued_at, null);
    // A twelfth is: a run is queued, and it reads all twelve.
    await answer(formId, 'The ambulance came quickly and the crew were kind.', 'excellent');
    await until('the second run', async () => (await run(formId))?.answers === 12);
    assert.equal(
      (await themesOf(formId)).reduce((n, x) => n + x.count, 0),
      12,
    );

    // Staff rename a theme: later runs keep their edit.
    const staff = await signIn(t, 'admin@example.org');
    const themeId = (
      await db.query(
        `select t.id from form_themes t join form_questions q on q.id = t.question_id where q.form_id = $1 order by t.position limit 1`,
        [formId],
      )
    ).rows[0].id;
    await staff.get(`/manage/forms/${formId}/results`);
    assert.equal((await staff.post(`/manage/forms/${formId}/themes/${themeId}/rename`, { label: 'What we ate' })).statusCode, 303);
    for (const text of ['Meals were cold.', 'Food was late.', 'No hot food.']) await answer(formId, text, 'poor');
    await until('the run after the edit', async () => (await run(formId))?.answers === 15);
    assert.ok((await themesOf(formId)).some((x) => x.label === 'What we ate'));

    // Asking with force starts afresh.
    assert.equal((await api('POST', `/api/v1/forms/${formId}/themes`, { force: true })).statusCode, 202);
    await until('a fresh run', async () => !(await themesOf(formId)).some((x) => x.label === 'What we ate'));
  });

  test('POST /api/v1/forms/{id}/themes: 202 with or without a body; bad input is refused and changes nothing', async () => {
    const formId = await newForm();
    const accepted = await api('POST', `/api/v1/forms/${formId}/themes`);
    assert.equal(accepted.statusCode, 202, accepted.body);
    assert.deepEqual(accepted.json(), { status: 'queued', questions: 1 });
    assert.equal((await api('POST', `/api/v1/forms/${formId}/themes`, {})).statusCode, 202);
    const wrong = await api('POST', `/api/v1/forms/${formId}/themes`, { force: 'yes' });
    assert.equal(wrong.statusCode, 400);
    assert.match(wrong.headers['content-type'] as string, /problem\+json/);
    assert.equal((await api('POST', `/api/v1/forms/${formId}/themes`, { force: true, extra: 1 })).statusCode, 400);
    assert.equal((await api('POST', `/api/v1/forms/00000000-0000-4000-8000-000000000000/themes`, {})).statusCode, 404);
    assert.equal((await api('POST', `/api/v1/forms/${formId}/themes`, {}, null)).statusCode, 401);
    const text = await t.app.inject({
      method: 'POST',
      url: `/api/v1/forms/${formId}/themes`,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'text/plain' },
      payload: 'force',
    });
    assert.equal(text.statusCode, 415);
  });
});

describe('off the request path', () => {
  test('the web server keeps answering while themes are found in 50,000 answers', async (context) => {
    const formId = await newForm();
    // Varied comments made from parts, so the run has real work to do without data from outside the repository.
    const subjects = [
      'the food',
      'the waiting time',
      'the ambulance crew',
      'the parking',
      'the nurses',
      'the phone line',
      'the ward',
      'the medication',
      'the activities',
      'the information we got',
    ];
    const verdicts = [
      'was excellent',
      'was poor',
      'could be better',
      'made a real difference',
      'was confusing',
      'was kind and caring',
      'took far too long',
      'was cold',
    ];
    const endings = ['', ' thank you', ' please improve it', ' for my dad', ' on the children’s ward', ' at night', ' every time'];
    const comments = subjects.flatMap((a) =>
      verdicts.flatMap((b) => endings.map((c) => `${a} ${b}${c}.`.replace(/^./, (x) => x.toUpperCase()))),
    );
    const question = (await db.query(`select id from form_questions where form_id = $1 and key = 'why'`, [formId])).rows[0].id;
    const total = 50_000;
    await db.query(
      `with r as (insert into form_responses (form_id) select $1 from generate_series(1, $2) returning id)
       insert into form_answers (response_id, question_id, text)
       select r.id, $3, ($4::text[])[1 + (row_number() over () - 1) % cardinality($4::text[])] from r`,
      [formId, total, question, comments],
    );
    assert.equal((await api('POST', `/api/v1/forms/${formId}/themes`)).statusCode, 202);
    // Wait until the run has read the answers and is working on them.
    await until('the run to start', async () => (await run(formId))?.queued_at && !(await run(formId))?.found_at);
    const latencies: number[] = [];
    while (!(await run(formId))?.found_at) {
      const started = performance.now();
      const health = await t.app.inject({ method: 'GET', url: '/health' });
      const page = await api('GET', `/api/v1/forms/${formId}`);
      latencies.push(performance.now() - started);
      assert.equal(health.statusCode, 200);
      assert.equal(page.statusCode, 200);
      await new Promise((r) => setTimeout(r, 100));
      if (latencies.length > 3000) throw new Error('The run did not finish');
    }
    assert.ok(latencies.length >= 20, `only ${latencies.length} requests were made while the run went on`);
    const slowest = Math.max(...latencies);
    context.diagnostic(`${latencies.length} request pairs during the run; slowest ${Math.round(slowest)} ms`);
    assert.ok(slowest < 1500, `a request took ${Math.round(slowest)} ms while themes were found`);
    const themes = await themesOf(formId);
    assert.equal(
      themes.reduce((n, x) => n + x.count, 0),
      total,
    );
    assert.ok(themes.length >= 3);
  });
});
