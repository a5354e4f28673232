import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import pg from 'pg';
import { startTestApp, type TestApp } from '../../../test/harness.ts';
import { WebClient } from '../../../test/web-client.ts';

// The easy read application on the demo's open cohort of Leading Together: one question a page.
let t: TestApp;
let db: pg.Client;
let cohortId: string;
const one = async (sql: string, params: unknown[] = []) => (await db.query(sql, params)).rows[0];

before(async () => {
  t = await startTestApp({ DEMO: 'true' });
  db = new pg.Client({ connectionString: t.databaseUrl });
  await db.connect();
  cohortId = (await one(`select id from cohorts where applications_open and graduated_at is null`)).id;
});
after(async () => {
  await db.end();
  await t.close();
});

const decode = (s: string) =>
  s
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');

/** What the page's form carries, as a browser would send it: its hidden fields. */
function hiddenOf(html: string): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  const form = /<form method="post" action="[^"]*\/apply\/easy"[\s\S]*?<\/form>/.exec(html)![0];
  for (const m of form.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g))
    if (m[1] !== '_csrf') (out[m[1]!] ??= []).push(decode(m[2]!));
  return out;
}
const heading = (html: string) =>
  decode(
    /<h1[^>]*>\s*([\s\S]*?)\s*<\/h1>/
      .exec(html)![1]!
      .replace(/<[^>]+>/g, '')
      .trim(),
  );

test('easy read: one question a page, mistakes shown on their page, answers kept going back, checked, changed and sent once', async () => {
  const web = new WebClient(t.app);
  const url = `/cohorts/${cohortId}/apply/easy`;
  assert.equal((await web.get(`/cohorts/${cohortId}/apply?easy=1`)).headers.location, url);
  let page = (await web.get(url)).body;
  assert.match(page, /There are 11 questions/);
  const next = async (fields: Record<string, string | string[]> = {}, go = 'next') => {
    const res = await web.post(url, { ...hiddenOf(page), ...fields, _go: go });
    page = res.body;
    return res;
  };
  await next({}, 'start');
  assert.equal(heading(page), 'What is your name?');
  assert.match(page, /Question 1 of 11/);

  // Nothing typed: the same page, with the mistake in the summary and by the field.
  const empty = await next();
  assert.equal(empty.statusCode, 400);
  assert.match(page, /There is a problem[\s\S]*href="#name">\s*Write your name/);
  assert.equal(heading(page), 'What is your name?');

  await next({ name: 'Ruth Adeyemi' });
  assert.equal(heading(page), 'What is your email address?');
  await next({ email: 'not an email' });
  assert.match(page, /Write your email address like name@example.com/);
  await next({ email: 'ruth@example.org' });
  // The simplest words for each choice.
  assert.equal(heading(page), 'Which of these is you?');
  assert.match(page, /I use services or I am a carer/);
  assert.match(page, /I work in health or social care/);
  assert.doesNotMatch(page, /Lived experience \(patient/);
  await next({ experience: 'lived' });
  assert.equal(heading(page), 'Do you work for a group or organisation? (optional)');
  await next();
  assert.equal(heading(page), 'Why do you want to join?');
  assert.equal((await next()).statusCode, 400);
  assert.match(page, /Answer “Why do you want to join\?”/);
  await next({ q_why: 'So people like my son are listened to.' });
  assert.equal(heading(page), 'What would you like to make better? (optional)');
  // Back, and the answer typed on that page is still there.
  await next({}, 'back');
  assert.equal(heading(page), 'Why do you want to join?');
  assert.match(page, />So people like my son are listened to.<\/textarea>/);
  await next({ q_why: 'So people like my son are listened to.' });
  await next();
  assert.equal(heading(page), 'Where do you live?');
  await next({ q_area: 'Oxfordshire' });
  assert.equal(heading(page), 'Can you come to all 3 days? (optional)');
  await next({ q_days: 'yes' });
  assert.equal(heading(page), 'What help do you need to take part? (optional)');
  assert.match(page, /No stairs: I need a ramp or a lift/);
  await next({ accessNeeds: ['support_worker', 'easy_read'] });
  await next({ accessNotes: 'Breaks every hour' });
  assert.equal(heading(page), 'Did someone help you fill this in? (optional)');
  await next({ helpedBy: 'My daughter, Ada' });

  // Check your answers, in easy words; change one and come straight back.
  assert.equal(heading(page), 'Check your answers');
  for (const shown of [
    'Ruth Adeyemi',
    'ruth@example.org',
    'I use services or I am a carer',
    'Oxfordshire',
    'Easy read papers',
    'My daughter, Ada',
  ])
    assert.ok(page.includes(shown), shown);
  await next({}, 'change:name');
  assert.equal(heading(page), 'What is your name?');
  assert.match(page, /value="Ruth Adeyemi"/);
  await next({ name: 'Ruth A. Adeyemi' });
  assert.equal(heading(page), 'Check your answers');
  assert.match(page, /Ruth A. Adeyemi/);

  // An answer changed behind the page's back is caught on sending: every mistake, in page order, nothing saved.
  const before = (await one('select count(*)::int as n from applications')).n;
  const saved = page;
  const tampered = await web.post(url, { ...hiddenOf(saved), experience: 'alien', q_area: 'Mars', _go: 'send' });
  assert.equal(tampered.statusCode, 400);
  const summary = /nhsuk-error-summary[\s\S]*?<\/ul>/.exec(tampered.body)![0];
  assert.ok(summary.indexOf('#change-experience') < summary.indexOf('#change-q-area'), 'in page order');
  assert.equal((await one('select count(*)::int as n from applications')).n, before);

  page = saved;
  const sent = await next({}, 'send');
  assert.equal(sent.statusCode, 303);
  assert.match(sent.headers.location as string, /applied\?new=1&easy=1&mail=1/);
  const done = (await web.get(sent.headers.location as string)).body;
  assert.match(done, /What happens next/);
  assert.match(done, /Today: we send you an email/);
  assert.match(done, /Before the group starts on \d{1,2} February \d{4}, we tell you if you have a place/);
  const row = await one(
    `select a.answers, a.helped_by, p.name, p.experience, p.access_needs, p.access_notes from applications a join people p on p.id = a.person_id where p.email = 'ruth@example.org'`,
  );
  assert.deepEqual(row, {
    answers: { why: 'So people like my son are listened to.', area: 'Oxfordshire', days: 'yes' },
    helped_by: 'My daughter, Ada',
    name: 'Ruth A. Adeyemi',
    experience: 'lived',
    access_needs: ['support_worker', 'easy_read'],
    access_notes: 'Breaks every hour',
  });
  // Sending again (a double click, or the browser's back and send) makes no second application.
  page = saved;
  assert.match((await next({}, 'send')).headers.location as string, /again=1/);
  assert.equal((await one('select count(*)::int as n from applications')).n, before + 1);
});
