import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { getDocument } from 'pdfjs-dist/legacy/build/pdf.mjs';
import { createAdminWithToken, createEventWithSession, createPerson } from '../../../test/builders.ts';
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

async function pdfText(buffer: Buffer): Promise<string> {
  const doc = await getDocument({ data: new Uint8Array(buffer), verbosity: 0 }).promise;
  const out: string[] = [];
  for (let i = 1; i <= doc.numPages; i++)
    out.push((await (await doc.getPage(i)).getTextContent()).items.map((it) => ('str' in it ? it.str : '')).join(' '));
  return out.join('\n');
}

const evaluationQuestions: QuestionInput[] = [
  { key: 'overall', type: 'rating', text: 'Overall, how was the event?', required: true },
  { key: 'objectives', type: 'yes_no', text: 'Did you achieve your objectives?' },
  { key: 'learnt', type: 'long_text', text: 'What did you learn?' },
];

describe('the seeds’ evaluation: 100 came, 70 answered, 68 said excellent or good', () => {
  test('the report says 70% and 97%, on the API, the page and the PDF', async () => {
    const { event, session } = await createEventWithSession(t.services, admin, { capacity: 150, title: '#PatientsasPartners16' });
    const people = [];
    for (let i = 0; i < 100; i++) {
      const p = await createPerson(t.services, { experience: i % 3 === 0 ? 'professional' : 'lived' });
      const r = await t.services.registrations.register(admin, { sessionId: session.id, who: { personId: p.id } });
      await t.services.registrations.checkIn(r.registration.id);
      people.push(p);
    }
    const form = (
      await api('POST', '/api/v1/forms', { title: 'Evaluation', anonymous: false, eventId: event.id, questions: evaluationQuestions })
    ).json();
    assert.equal((await api('POST', `/api/v1/forms/${form.id}/open`)).statusCode, 200);
    const ratings = [...Array(40).fill('excellent'), ...Array(28).fill('good'), 'fair', 'poor'];
    for (const [i, rating] of ratings.entries()) {
      const res = await api('POST', `/api/v1/forms/${form.id}/responses`, {
        personId: people[i]!.id,
        answers: { overall: rating, objectives: i < 68 },
      });
      assert.equal(res.statusCode, 201, res.body);
    }
    const report = (await api('GET', `/api/v1/events/${event.id}/report`)).json();
    assert.equal(report.attended, 100);
    assert.equal(report.evaluation.responses, 70);
    assert.equal(report.evaluation.responseRate, 0.7);
    assert.equal(Math.round(report.evaluation.excellentOrGoodShare * 100), 97);
    assert.deepEqual(report.attendedByExperience, { lived: 66, professional: 34, both: 0 });

    const results = (await api('GET', `/api/v1/forms/${form.id}/results`)).json();
    const overall = results.questions.find((q: { key: string }) => q.key === 'overall');
    assert.deepEqual(overall.counts, { excellent: 40, good: 28, fair: 1, poor: 1, 'very poor': 0 });
    assert.equal(overall.topTwoShare, 0.9714);
    assert.equal(overall.byExperience.professional.answered + overall.byExperience.lived.answered, 70);
    const objectives = results.questions.find((q: { key: string }) => q.key === 'objectives');
    assert.deepEqual(objectives.counts, { yes: 68, no: 2 });

    const staff = await signIn(t, 'admin@example.org');
    const page = await staff.get(`/manage/events/${event.id}/report`);
    assert.match(page.body, /<strong>70%<\/strong> of the people who came answered/);
    assert.match(page.body, /<strong>97%<\/strong> rated it excellent or good/);
    assert.match(page.body, /<svg[^>]+role="img"/, 'a chart');
    assert.match(
      page.body,
      /<desc id="report-chart-0-desc">Excellent: 40 \(57%\); Good: 28 \(40%\)/,
      'the chart says its figures in words',
    );
    const pdf = await staff.get(`/manage/events/${event.id}/report.pdf`);
    assert.equal(pdf.headers['content-type'], 'application/pdf');
    const text = await pdfText(pdf.rawPayload);
    assert.match(text, /70 responses: a response rate of 70%/);
    assert.match(text, /97% rated it excellent or good/);
  });
});

describe('forms and responses', () => {
  test('bad answers get a clear message and change nothing; a second response is refused; a closed form takes nothing', async () => {
    const form = (await api('POST', '/api/v1/forms', { title: 'Short', anonymous: false, questions: evaluationQuestions })).json();
    await api('POST', `/api/v1/forms/${form.id}/open`);
    const p = await createPerson(t.services);
    const before = await count('select count(*)::int as n from form_responses where form_id = $1', [form.id]);
    const bad = await api('POST', `/api/v1/forms/${form.id}/responses`, {
      personId: p.id,
      answers: { overall: 'amazing', learnt: 'x'.repeat(100_000), nope: 1 },
    });
    assert.equal(bad.statusCode, 400);
    const paths = bad
      .json()
      .errors.map((e: { path: string }) => e.path)
      .sort();
    assert.deepEqual(paths, ['learnt', 'nope', 'overall']);
    const missing = await api('POST', `/api/v1/forms/${form.id}/responses`, { personId: p.id, answers: { objectives: true } });
    assert.equal(missing.statusCode, 400);
    assert.match(missing.json().errors[0].message, /Answer “Overall, how was the event\?”/);
    assert.equal(await count('select count(*)::int as n from form_responses where form_id = $1', [form.id]), before);

    assert.equal(
      (await api('POST', `/api/v1/forms/${form.id}/responses`, { personId: p.id, answers: { overall: 'good' } })).statusCode,
      201,
    );
    const twice = await api('POST', `/api/v1/forms/${form.id}/responses`, { personId: p.id, answers: { overall: 'poor' } });
    assert.equal(twice.statusCode, 409);
    await api('POST', `/api/v1/forms/${form.id}/close`);
    const closed = await api('POST', `/api/v1/forms/${form.id}/responses`, { answers: { overall: 'good' } });
    assert.equal(closed.statusCode, 409);
    assert.match(closed.json().detail, /closed/);
    assert.equal(await count('select count(*)::int as n from form_responses where form_id = $1', [form.id]), 1);
    const dup = await api('POST', '/api/v1/forms', {
      title: 'Dup',
      anonymous: true,
      questions: [
        { key: 'a', type: 'text', text: 'A' },
        { key: 'a', type: 'text', text: 'B' },
      ],
    });
    assert.equal(dup.statusCode, 400);
    const noOptions = await api('POST', '/api/v1/forms', {
      title: 'X',
      anonymous: true,
      questions: [{ key: 'a', type: 'single_choice', text: 'A' }],
    });
    assert.equal(noOptions.statusCode, 400);
  });

  test('a double click sends one response: two at once for the same person give one 201 and one 409', async () => {
    const form = (await api('POST', '/api/v1/forms', { title: 'Double', anonymous: false, questions: evaluationQuestions })).json();
    await api('POST', `/api/v1/forms/${form.id}/open`);
    const p = await createPerson(t.services);
    const both = await Promise.all(
      [1, 2, 3].map(() => api('POST', `/api/v1/forms/${form.id}/responses`, { personId: p.id, answers: { overall: 'good' } })),
    );
    assert.deepEqual(both.map((r) => r.statusCode).sort(), [201, 409, 409]);
    assert.equal(await count('select count(*)::int as n from form_responses where form_id = $1', [form.id]), 1);
  });

  test('forty people answering at once: each response keeps its own answers; a double click among others is refused alone', async () => {
    const form = (await api('POST', '/api/v1/forms', { title: 'Busy', anonymous: false, questions: evaluationQuestions })).json();
    await api('POST', `/api/v1/forms/${form.id}/open`);
    // One answer first, so the rest are taken together from the form as it was read.
    assert.equal((await api('POST', `/api/v1/forms/${form.id}/responses`, { answers: { overall: 'good' } })).statusCode, 201);
    const people = await Promise.all(Array.from({ length: 45 }, () => createPerson(t.services)));
    const ratings = ['excellent', 'good', 'fair', 'poor'];
    const sent = people.map((p, i) => ({ personId: p.id, answers: { overall: ratings[i % 4], learnt: `What ${p.id} learnt` } }));
    const send = (body: unknown) => api('POST', `/api/v1/forms/${form.id}/responses`, body);
    const answered = await Promise.all(sent.slice(0, 40).map(send));
    assert.deepEqual(
      answered.map((r) => r.statusCode),
      Array(40).fill(201),
    );
    // Five more at once, one of whom clicks twice, and one of the forty again.
    const again = await Promise.all([...sent.slice(40), sent[42], sent[0]].map(send));
    const codes = again.map((r) => r.statusCode);
    // The double click (the third and the sixth) is taken once, whichever arrives first.
    assert.deepEqual([codes[2], codes[5]].sort(), [201, 409], 'one of the double click is taken');
    assert.deepEqual([codes[0], codes[1], codes[3], codes[4], codes[6]], [201, 201, 201, 201, 409], 'a refused response is refused alone');
    answered.push(again[0]!, again[1]!, codes[2] === 201 ? again[2]! : again[5]!, again[3]!, again[4]!);
    const stored = await db.query(
      `select r.id, r.person_id, a.choice, a.text from form_responses r join form_answers a on a.response_id = r.id
       join form_questions q on q.id = a.question_id where r.form_id = $1 and r.person_id is not null order by q.position`,
      [form.id],
    );
    for (const [i, p] of people.entries()) {
      const mine = stored.rows.filter((r) => r.person_id === p.id);
      assert.equal(mine.length, 2, 'two answers each');
      assert.ok(
        mine.every((r) => r.id === answered[i]!.json().id),
        'the id answered is the response stored',
      );
      assert.equal(mine.find((r) => r.choice)!.choice, ratings[i % 4]);
      assert.equal(mine.find((r) => r.text)!.text, `What ${p.id} learnt`);
    }
  });

  test('a form changed by another process is never answered by the old questions this one remembers', async () => {
    const form = (await api('POST', '/api/v1/forms', { title: 'Kept', anonymous: false, questions: evaluationQuestions })).json();
    await api('POST', `/api/v1/forms/${form.id}/open`);
    const respond = (answers: Record<string, unknown>) => api('POST', `/api/v1/forms/${form.id}/responses`, { answers });
    // Two answers: the first reads the form, the second is taken from what was read.
    assert.equal((await respond({ overall: 'good' })).statusCode, 201);
    assert.equal((await respond({ overall: 'fair', learnt: 'A lot' })).statusCode, 201);
    // Another process makes a question required, on the database alone.
    await db.query(`update form_questions set required = true where form_id = $1 and key = 'objectives'`, [form.id]);
    const missing = await respond({ overall: 'good' });
    assert.equal(missing.statusCode, 400, missing.body);
    assert.match(missing.json().errors[0].message, /Did you achieve your objectives/);
    assert.equal((await respond({ overall: 'good', objectives: true })).statusCode, 201);
    // And closes it.
    await db.query(`update forms set status = 'closed' where id = $1`, [form.id]);
    const closed = await respond({ overall: 'good', objectives: true });
    assert.equal(closed.statusCode, 409);
    assert.match(closed.json().detail, /closed/);
    const stored = await db.query(
      `select r.id, count(a.*)::int as answers from form_responses r left join form_answers a on a.response_id = r.id
       where r.form_id = $1 group by r.id order by min(r.submitted_at)`,
      [form.id],
    );
    assert.deepEqual(
      stored.rows.map((r) => r.answers),
      [1, 2, 2],
      'three responses, each with all its answers',
    );
  });

  test('staff change a form’s title, but not its anonymity once people have answered', async () => {
    const form = (await api('POST', '/api/v1/forms', { title: 'Old title', anonymous: true, questions: evaluationQuestions })).json();
    await api('POST', `/api/v1/forms/${form.id}/open`);
    await api('POST', `/api/v1/forms/${form.id}/responses`, { answers: { overall: 'good' } });
    const staff = await signIn(t, 'admin@example.org');
    const page = await staff.get(`/manage/forms/${form.id}/settings`);
    assert.match(page.body, /value="Old title"/);
    const named = await staff.post(`/manage/forms/${form.id}/settings`, { title: 'New title', anonymous: 'no' });
    assert.equal(named.statusCode, 409);
    assert.match(named.body, /answered on that promise/);
    assert.equal((await staff.post(`/manage/forms/${form.id}/settings`, { title: 'New title', anonymous: 'yes' })).statusCode, 303);
    assert.deepEqual((await db.query('select title, anonymous from forms where id = $1', [form.id])).rows[0], {
      title: 'New title',
      anonymous: true,
    });
  });

  test('a question with answers is hidden, not deleted; one without answers is deleted', async () => {
    const form = (
      await api('POST', '/api/v1/forms', {
        title: 'Changing',
        anonymous: false,
        questions: [...evaluationQuestions, { key: 'unused', type: 'number', text: 'How many?' }],
      })
    ).json();
    await api('POST', `/api/v1/forms/${form.id}/open`);
    await api('POST', `/api/v1/forms/${form.id}/responses`, { answers: { overall: 'good', learnt: 'Plenty' } });
    const questions = (await db.query('select id, key from form_questions where form_id = $1', [form.id])).rows;
    const id = (key: string) => questions.find((q) => q.key === key)!.id;
    assert.equal(await t.services.forms.removeQuestion(form.id, id('learnt')), 'hidden');
    assert.equal(await t.services.forms.removeQuestion(form.id, id('unused')), 'deleted');
    assert.equal(
      await count('select count(*)::int as n from form_answers where question_id = $1', [id('learnt')]),
      1,
      'the answer is kept',
    );
    const late = await api('POST', `/api/v1/forms/${form.id}/responses`, { answers: { overall: 'good', learnt: 'More' } });
    assert.equal(late.statusCode, 400);
    assert.match(late.json().errors[0].message, /no longer asked/);
  });

  test('an anonymous form never says who answered, even in its export, yet takes one response per invited person', async () => {
    const { event, session } = await createEventWithSession(t.services, admin);
    const p = await createPerson(t.services, { email: 'anon@example.org', name: 'Secret Name' });
    const r = await t.services.registrations.register(admin, { sessionId: session.id, who: { personId: p.id } });
    await t.services.registrations.checkIn(r.registration.id);
    const form = (
      await api('POST', '/api/v1/forms', {
        title: 'Anonymous feedback',
        anonymous: true,
        eventId: event.id,
        questions: evaluationQuestions,
      })
    ).json();
    await api('POST', `/api/v1/forms/${form.id}/open`);
    const invited = await t.services.forms.inviteAttendees(admin, form.id);
    assert.deepEqual(invited, { invited: 1, emailed: 1 });
    const mail = await t.waitForEmail('anon@example.org', { subject: /Tell us what you thought/ });
    const link = new URL(/http:\/\/\S+\/f\/\S+/.exec(mail.body)![0]);
    const client = new WebClient(t.app);
    const pageRes = await client.get(link.pathname + link.search);
    assert.equal(pageRes.statusCode, 200);
    const invite = link.searchParams.get('invite')!;
    const sent = await client.post(`/f/${form.id}`, {
      invite,
      q_overall: 'excellent',
      q_objectives: 'yes',
      q_learnt: 'Listening',
      quoteConsent: 'anonymous',
    });
    assert.equal(sent.statusCode, 200);
    assert.match(sent.body, /Thank you/);
    // The same link again edits the one response rather than adding another.
    await client.post(`/f/${form.id}`, { invite, q_overall: 'good', quoteConsent: 'no' });
    const rows = (await db.query('select person_id, quote_consent from form_responses where form_id = $1', [form.id])).rows;
    assert.deepEqual(rows, [{ person_id: null, quote_consent: 'no' }]);
    const listed = (await api('GET', `/api/v1/forms/${form.id}/responses`)).json();
    assert.equal(listed.items[0].personId, null);
    assert.equal(listed.items[0].answers.overall, 'good');
    const staff = await signIn(t, 'admin@example.org');
    const csv = await staff.get(`/manage/forms/${form.id}/responses.csv`);
    assert.doesNotMatch(csv.body, /Secret Name/);
    assert.doesNotMatch(csv.body, /^\uFEFF?Name,/);
    const forged = await new WebClient(t.app).get(`/f/${form.id}?invite=${p.id}.forged`);
    assert.equal(forged.statusCode, 404);
    assert.equal(await t.services.forms.remind(admin, form.id), 0, 'no one left to remind');
  });

  test('answering on the web keeps answers when a page fails, and an easy-read form asks one question a page', async () => {
    const form = await t.services.forms.create(admin, {
      title: 'Easy read feedback',
      anonymous: false,
      easyRead: true,
      questions: [
        { key: 'liked', type: 'yes_no', text: 'Did you like the day?', easyReadText: 'Did you like today?', required: true },
        { key: 'said', type: 'text', text: 'Anything else?', easyReadText: 'Tell us more' },
      ],
    });
    await t.services.forms.setStatus(admin, form.id, 'open');
    const c = new WebClient(t.app);
    const first = await c.get(`/f/${form.id}`);
    assert.match(first.body, /question 1 of 3/);
    assert.match(first.body, /Did you like today\?/, 'the easy-read wording');
    assert.doesNotMatch(first.body, /Tell us more/, 'one question a page');
    const empty = await c.post(`/f/${form.id}`, { step: '0' });
    assert.equal(empty.statusCode, 400);
    assert.match(empty.body, /Answer “Did you like the day\?”/);
    const second = await c.post(`/f/${form.id}`, { step: '0', q_liked: 'yes' });
    assert.match(second.body, /question 2 of 3/);
    assert.match(second.body, /name="q_liked" value="yes"/, 'the first answer travels along');
    const third = await c.post(`/f/${form.id}`, { step: '1', q_liked: 'yes', q_said: 'The food was good' });
    assert.match(third.body, /Can we use your words/);
    const done = await c.post(`/f/${form.id}`, { step: '2', q_liked: 'yes', q_said: 'The food was good', quoteConsent: 'anonymous' });
    assert.match(done.body, /Thank you/);
    assert.equal(
      await count('select count(*)::int as n from form_answers a join form_responses r on r.id = a.response_id where r.form_id = $1', [
        form.id,
      ]),
      2,
    );
  });
});

describe('themes and quotes', () => {
  test('themes are found by the job, can be renamed, merged and split; only consented quotes reach the report', async () => {
    const { event, session } = await createEventWithSession(t.services, admin);
    const form = await t.services.forms.create(admin, {
      title: 'What people said',
      anonymous: false,
      eventId: event.id,
      questions: evaluationQuestions,
    });
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
    const consents = ['named', 'anonymous', 'no', 'named', 'anonymous', 'no', 'named', 'no'] as const;
    for (const [i, text] of comments.entries()) {
      const p = await createPerson(t.services, { name: `Commenter ${i}` });
      const r = await t.services.registrations.register(admin, { sessionId: session.id, who: { personId: p.id } });
      await t.services.registrations.checkIn(r.registration.id);
      await t.services.forms.respond(
        form.id,
        { person: p },
        { overall: 'good', learnt: text },
        { quoteConsent: consents[i], allowEdit: false },
      );
    }
    const staff = await signIn(t, 'admin@example.org');
    await staff.get(`/manage/forms/${form.id}/results`);
    assert.equal((await staff.post(`/manage/forms/${form.id}/themes`)).statusCode, 303);
    const deadline = Date.now() + 20_000;
    while (
      (await count(`select count(*)::int as n from form_themes t join form_questions q on q.id = t.question_id where q.form_id = $1`, [
        form.id,
      ])) === 0
    ) {
      if (Date.now() > deadline) throw new Error('The themes job did not run');
      await new Promise((r) => setTimeout(r, 200));
    }
    const themes = (
      await db.query(
        `select t.id, t.label from form_themes t join form_questions q on q.id = t.question_id where q.form_id = $1 order by t.position`,
        [form.id],
      )
    ).rows;
    assert.equal(themes.length, 2, JSON.stringify(themes));
    assert.match(themes.map((x) => x.label).join(' '), /listen/i);
    const results = (await api('GET', `/api/v1/forms/${form.id}/results`)).json();
    const learnt = results.questions.find((q: { key: string }) => q.key === 'learnt');
    assert.deepEqual(
      learnt.themes.map((x: { count: number }) => x.count),
      [4, 4],
    );

    await staff.get(`/manage/forms/${form.id}/results`);
    // Each action on the results page comes back with a banner saying what it did.
    const said = async (res: { headers: Record<string, unknown> }, words: RegExp) =>
      assert.match((await staff.get(res.headers.location as string)).body, words);
    await said(await staff.post(`/manage/forms/${form.id}/themes/${themes[0].id}/rename`, { label: 'Active listening' }), /Theme renamed/);
    assert.equal((await db.query('select label, edited from form_themes where id = $1', [themes[0].id])).rows[0].label, 'Active listening');
    const split = await staff.get(`/manage/forms/${form.id}/themes/${themes[0].id}`);
    const answerIds = [...split.body.matchAll(/name="answerIds" type="checkbox" value="(\d+)"/g)].map((m) => m[1]!);
    assert.equal(answerIds.length, 4);
    assert.equal(
      (await staff.post(`/manage/forms/${form.id}/themes/${themes[0].id}/split`, { answerIds: answerIds.slice(0, 1), label: '' }))
        .statusCode,
      400,
    );
    const splitDone = await staff.post(`/manage/forms/${form.id}/themes/${themes[0].id}/split`, {
      answerIds: answerIds.slice(0, 1),
      label: 'Carers',
    });
    assert.equal(splitDone.statusCode, 303);
    await said(splitDone, /now a theme of their own/);
    const after = (await api('GET', `/api/v1/forms/${form.id}/results`)).json().questions.find((q: { key: string }) => q.key === 'learnt');
    assert.deepEqual(after.themes.map((x: { count: number }) => x.count).sort(), [1, 3, 4]);
    const carers = (await db.query(`select id from form_themes where label = 'Carers'`)).rows[0].id;
    await said(await staff.post(`/manage/forms/${form.id}/themes/${carers}/merge`, { into: themes[0].id }), /Themes merged into one/);
    const merged = (await api('GET', `/api/v1/forms/${form.id}/results`)).json().questions.find((q: { key: string }) => q.key === 'learnt');
    assert.deepEqual(merged.themes.map((x: { count: number }) => x.count).sort(), [4, 4]);

    // Star every answer; only those whose authors agreed appear, named only when they said so.
    const answers = (
      await db.query(
        `select a.id from form_answers a join form_questions q on q.id = a.question_id where q.form_id = $1 and a.text is not null`,
        [form.id],
      )
    ).rows;
    for (const a of answers) await staff.post(`/manage/forms/${form.id}/answers/${a.id}/star`, { starred: 'yes' });
    const report = (await api('GET', `/api/v1/events/${event.id}/report`)).json();
    assert.equal(report.quotes.length, 5);
    assert.equal(report.quotes.filter((q: { attribution: string }) => /^Commenter \d$/.test(q.attribution)).length, 3);
    assert.ok(
      !report.quotes.some((q: { text: string }) => q.text === comments[2] || q.text === comments[5] || q.text === comments[7]),
      'no quote without consent',
    );
    assert.ok(report.quotes.filter((q: { attribution: string }) => q.attribution.startsWith('Said by')).length === 2);
  });
});

describe('page feedback', () => {
  test('"Is this page useful?" and a comment are stored and listed for staff', async () => {
    const c = new WebClient(t.app);
    const page = await c.get('/privacy');
    assert.match(page.body, /Is this page useful\?/);
    const yes = await c.post('/page-feedback', { path: '/privacy', useful: 'no' });
    assert.equal(yes.statusCode, 303);
    const more = await c.get(yes.headers.location as string);
    assert.match(more.body, /How can we improve this page\?/);
    await c.post('/page-feedback', { path: '/privacy', comment: 'Use shorter sentences' });
    assert.equal((await c.post('/page-feedback', { path: 'https://evil.example/', useful: 'yes' })).statusCode, 400);
    const staff = await signIn(t, 'admin@example.org');
    const list = await staff.get('/manage/page-feedback');
    assert.match(list.body, /Use shorter sentences/);
    assert.equal(await count(`select count(*)::int as n from page_feedback where path = '/privacy'`), 2);
  });
});
