import assert from 'node:assert/strict';
import { test } from 'node:test';
import pg from 'pg';
import { createPerson } from '../test/builders.ts';
import { signInAs, useServerAndBrowser } from './support/browser.ts';

const h = useServerAndBrowser();

async function openForm(easyRead: boolean) {
  const admin = await createPerson(h.server.t.services, { email: `forms-${Math.random().toString(16).slice(2)}@example.org` }, 'admin');
  const actor = { personId: admin.id, role: 'admin' as const };
  const form = await h.server.t.services.forms.create(actor, {
    title: easyRead ? 'Tell us about today' : 'Festival feedback',
    anonymous: true,
    easyRead,
    questions: [
      { key: 'overall', type: 'rating', text: 'Overall, how was the festival?', easyReadText: 'Was today good?', required: true },
      { key: 'again', type: 'yes_no', text: 'Would you come again?', easyReadText: 'Would you come again?' },
      { key: 'better', type: 'long_text', text: 'What could be better?', easyReadText: 'What could be better?' },
    ],
  });
  await h.server.t.services.forms.setStatus(actor, form.id, 'open');
  return form;
}

async function answers(formId: string) {
  const db = new pg.Client({ connectionString: h.server.t.databaseUrl });
  await db.connect();
  const { rows } = await db.query(
    `select q.key, coalesce(a.choice, a.text) as value from form_answers a join form_questions q on q.id = a.question_id where q.form_id = $1 order by q.position`,
    [formId],
  );
  await db.end();
  return rows;
}

test('with JavaScript off, someone answers a form from its public link, fixing a missed question', async () => {
  const form = await openForm(false);
  const context = await h.browser.newContext({ javaScriptEnabled: false, viewport: { width: 375, height: 740 } });
  const page = await context.newPage();
  await page.goto(`${h.server.baseUrl}/f/${form.id}`);
  await page.getByLabel('Yes', { exact: true }).check();
  await page.getByLabel('What could be better? (optional)').fill('More breaks, please');
  await page.getByLabel('Yes, without my name').check();
  await page.getByRole('button', { name: 'Send my answers' }).click();
  const summary = page.locator('.nhsuk-error-summary');
  await summary.waitFor();
  assert.match(await summary.innerText(), /Answer “Overall, how was the festival\?”/);
  assert.equal(await page.getByLabel('What could be better? (optional)').inputValue(), 'More breaks, please', 'answers kept');
  await summary.getByRole('link').first().click();
  await page.getByLabel('Excellent').check();
  await page.getByRole('button', { name: 'Send my answers' }).click();
  await page.getByRole('heading', { name: 'Thank you' }).waitFor();
  assert.deepEqual(await answers(form.id), [
    { key: 'overall', value: 'excellent' },
    { key: 'again', value: 'yes' },
    { key: 'better', value: 'More breaks, please' },
  ]);
  await context.close();
});

test('an easy-read form asks one question on each page, in its easy words, with big targets', async () => {
  const form = await openForm(true);
  const context = await h.browser.newContext({ viewport: { width: 375, height: 740 } });
  const page = await context.newPage();
  await page.goto(`${h.server.baseUrl}/f/${form.id}`);
  await page.getByRole('heading', { name: 'Was today good?' }).waitFor();
  assert.equal(await page.getByText('Would you come again?').count(), 0, 'only one question on the page');
  const target = await page.getByLabel('Good').boundingBox();
  assert.ok(target && target.height >= 24 && target.width >= 24, 'radio targets at least 24px (WCAG 2.2 target size)');
  await page.getByLabel('Good').check();
  await page.getByRole('button', { name: 'Next' }).click();
  await page.getByRole('heading', { name: 'Would you come again?' }).waitFor();
  await page.getByLabel('Yes').check();
  await page.getByRole('button', { name: 'Next' }).click();
  await page.getByLabel('What could be better? (optional)').fill('Bigger writing');
  await page.getByRole('button', { name: 'Next' }).click();
  await page.getByRole('heading', { name: 'Can we use your words in our report?' }).waitFor();
  await page.getByLabel('No').check();
  await page.getByRole('button', { name: 'Send my answers' }).click();
  await page.getByRole('heading', { name: 'Thank you' }).waitFor();
  assert.deepEqual(
    (await answers(form.id)).map((r) => r.value),
    ['good', 'yes', 'Bigger writing'],
  );
  await context.close();
});

test(
  'with JavaScript off, an organiser copies the evaluation template, changes a question and adds one without typing a key',
  { timeout: 120_000 },
  async () => {
    const email = `builder-${Math.random().toString(16).slice(2)}@example.org`;
    await createPerson(h.server.t.services, { email }, 'admin');
    const context = await h.browser.newContext({ javaScriptEnabled: false, viewport: { width: 375, height: 740 } });
    const page = await signInAs(h.server, context, email);
    await page.goto(`${h.server.baseUrl}/manage/forms`);
    await page.getByRole('link', { name: 'Copy a form or a template' }).click();
    await page.getByRole('heading', { name: 'Copy a form' }).waitFor();
    await page.getByLabel('Template: Event evaluation').check();
    await page.getByLabel('Title of the new form (optional)').fill('Spring festival evaluation');
    await page.getByRole('button', { name: 'Copy the form' }).click();
    await page.getByText('Form copied').waitFor();
    await page.getByRole('heading', { name: 'Spring festival evaluation' }).waitFor();

    await page.getByRole('link', { name: /^Change\s*:\s*What will you take away from today\?$/ }).click();
    await page.getByRole('heading', { name: 'Change a question' }).waitFor();
    await page.getByLabel('Question', { exact: true }).fill('What will you do differently after today?');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.getByText('Changes saved').waitFor();
    await page.getByText('What will you do differently after today?').first().waitFor();

    await page.getByLabel('Question', { exact: true }).fill('Which session helped most?');
    await page.getByLabel('Type of answer').selectOption('single_choice');
    await page.locator('#options').fill('Morning workshop\nAfternoon panel');
    await page.getByRole('button', { name: 'Add question' }).click();
    await page.getByText('Question added').waitFor();
    const db = new pg.Client({ connectionString: h.server.t.databaseUrl });
    await db.connect();
    const { rows } = await db.query(
      `select q.key, q.text from form_questions q join forms f on f.id = q.form_id where f.title = 'Spring festival evaluation' order by q.position`,
    );
    await db.end();
    assert.deepEqual(rows, [
      { key: 'overall', text: 'Overall, how was the event?' },
      { key: 'objectives', text: 'Did you achieve your objectives?' },
      { key: 'learnt', text: 'What will you do differently after today?' },
      { key: 'which_session_helped_most', text: 'Which session helped most?' },
    ]);

    // Every button on the builder says what it did.
    await page.getByRole('button', { name: /^Up\s*:\s*Which session helped most\?$/ }).click();
    await page.getByText('Question moved up').waitFor();
    await page.getByRole('button', { name: /^Remove\s*:\s*Which session helped most\?$/ }).click();
    await page.getByText('Question deleted').waitFor();
    const left = await countOf(
      h.server.t.databaseUrl,
      `select count(*)::int as n from form_questions q join forms f on f.id = q.form_id where f.title = 'Spring festival evaluation'`,
    );
    assert.equal(left, 3);
    await page.getByRole('button', { name: 'Open the form' }).click();
    await page.getByText('The form is open: people can answer it').waitFor();
    await context.close();
  },
);

async function countOf(url: string, sql: string): Promise<number> {
  const db = new pg.Client({ connectionString: url });
  await db.connect();
  try {
    return (await db.query(sql)).rows[0].n;
  } finally {
    await db.end();
  }
}
