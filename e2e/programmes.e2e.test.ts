import assert from 'node:assert/strict';
import { test } from 'node:test';
import pg from 'pg';
import type { Page } from 'playwright-core';
import { axeViolations, signInAs, useServerAndBrowser, watchConsole } from './support/browser.ts';

// Leading Together from the demo data: a cohort open for applications, and the graduated 2018 pilot.
const h = useServerAndBrowser({ DEMO: 'true' });
let openCohortId: string;
const query = async (sql: string, params: unknown[] = []) => {
  const db = new pg.Client({ connectionString: h.server.t.databaseUrl });
  await db.connect();
  try {
    return (await db.query(sql, params)).rows;
  } finally {
    await db.end();
  }
};

async function noAxeViolations(page: Page, where: string) {
  const found = await axeViolations(page);
  assert.deepEqual(
    found.map((v) => `${v.id}: ${v.help}`),
    [],
    `${where}: ${JSON.stringify(found.map((v) => v.nodes.map((n) => n.target)))}`,
  );
}

async function findOpenCohort() {
  const programme = (await h.server.t.services.programmes.listProgrammes())[0]!;
  openCohortId = (await h.server.t.services.programmes.cohortsOf(programme.id)).find((c) => c.cohort.applicationsOpen)!.cohort.id;
}

test('with JavaScript off, on a phone, someone applies using the easy read form: one question a page, then check and send', async () => {
  await findOpenCohort();
  const context = await h.browser.newContext({ javaScriptEnabled: false, viewport: { width: 375, height: 740 } });
  const page = await context.newPage();
  const noSidewaysScrolling = async (where: string) => {
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(width <= 375, `no sideways scrolling on ${where} (${width}px)`);
  };
  const heading = () => page.locator('h1').innerText();
  const next = () => page.getByRole('button', { name: 'Continue' }).click();
  await page.goto(`${h.server.baseUrl}/programmes`);
  await page.getByRole('link', { name: 'Leading Together (demo)' }).click();
  await page.getByRole('link', { name: 'Apply using easy read' }).click();
  await page.getByText('There are 11 questions.').waitFor();
  await page.getByRole('button', { name: 'Start' }).click();

  // One question a page; a page with a mistake comes back with an error summary that links to the field.
  assert.equal(await heading(), 'What is your name?');
  await next();
  const summary = page.locator('.nhsuk-error-summary');
  await summary.waitFor();
  await summary.getByRole('link', { name: 'Write your name' }).click();
  await page.getByLabel('What is your name?').fill('Ruth Adeyemi');
  await noSidewaysScrolling('a question page with a mistake');
  await next();
  await page.getByLabel('What is your email address?').fill('ruth@example.org');
  await next();
  await page.getByLabel('I use services or I am a carer').check();
  await next();
  assert.equal(await heading(), 'Do you work for a group or organisation? (optional)');
  await next();
  await next();
  assert.match(await summary.innerText(), /Answer “Why do you want to join\?”/);
  await page.getByLabel('Why do you want to join?').fill('So people like my son are listened to.');
  await next();
  // Back keeps what was typed.
  await page.getByRole('button', { name: 'Back', exact: true }).click();
  assert.equal(await page.getByLabel('Why do you want to join?').inputValue(), 'So people like my son are listened to.');
  await next();
  await next();
  await page.getByLabel('Oxfordshire').check();
  await next();
  await next();
  await page.getByLabel('A carer or support worker coming with me').check();
  await next();
  await next();
  await page.getByLabel('Did someone help you fill this in? (optional)').fill('My daughter, Ada');
  await next();

  // Check your answers, change one, and send.
  assert.equal(await heading(), 'Check your answers');
  const answers = await page.locator('.nhsuk-summary-list').innerText();
  for (const shown of [
    'Ruth Adeyemi',
    'I use services or I am a carer',
    'Oxfordshire',
    'A carer or support worker coming with me',
    'My daughter, Ada',
  ])
    assert.ok(answers.includes(shown), shown);
  await noSidewaysScrolling('check your answers');
  await page.getByRole('button', { name: 'Change your name' }).click();
  await page.getByLabel('What is your name?').fill('Ruth A. Adeyemi');
  await next();
  assert.equal(await heading(), 'Check your answers');
  await page.getByRole('button', { name: 'Send my application' }).click();
  await page.getByRole('heading', { name: 'Application sent' }).waitFor();
  const next3 = await page.locator('main ol').innerText();
  assert.match(next3, /Today: we send you an email/);
  assert.match(next3, /Before the group starts on \d{1,2} February \d{4}, we tell you if you have a place/);
  await noSidewaysScrolling('the confirmation');

  const rows = await query(
    `select a.status, a.answers, a.helped_by, p.name, p.access_needs from applications a join people p on p.id = a.person_id where p.email = 'ruth@example.org'`,
  );
  assert.deepEqual(rows, [
    {
      status: 'applied',
      answers: { why: 'So people like my son are listened to.', area: 'Oxfordshire' },
      helped_by: 'My daughter, Ada',
      name: 'Ruth A. Adeyemi',
      access_needs: ['support_worker'],
    },
  ]);
  await context.close();
});

test('the easy read pages pass axe (with JavaScript on: axe runs in the page)', async () => {
  await findOpenCohort();
  const context = await h.browser.newContext({ viewport: { width: 375, height: 740 } });
  const page = await context.newPage();
  await page.goto(`${h.server.baseUrl}/cohorts/${openCohortId}/apply/easy`);
  await noAxeViolations(page, 'easy read: start');
  await page.getByRole('button', { name: 'Start' }).click();
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.locator('.nhsuk-error-summary').waitFor();
  await noAxeViolations(page, 'easy read: a question with a mistake');
  await page.getByLabel('What is your name?').fill('Axe Tester');
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.getByLabel('What is your email address?').fill('axe@example.org');
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.getByLabel('I use services or I am a carer').waitFor();
  await noAxeViolations(page, 'easy read: a choice question');
  await context.close();
});

test('staff apply on behalf of someone without email, then select with the mix meter; attendance waits for the day', async () => {
  await findOpenCohort();
  const context = await h.browser.newContext();
  const page = await signInAs(h.server, context, 'demo-staff@coproduce.example');
  const problems = watchConsole(page);
  await page.goto(`${h.server.baseUrl}/manage/cohorts/${openCohortId}`);
  const heldText = async () => (await page.locator('.app-mix-meter').innerText()).match(/(\d+) of 20 places offered or taken/)![1];
  const heldBefore = Number(await heldText());
  await page.getByRole('link', { name: 'Apply on someone’s behalf' }).click();
  await page.getByLabel('Name', { exact: true }).fill('Winston Clarke');
  await page.getByRole('radio', { name: 'Post' }).check();
  await page.getByLabel('Postal address (optional)').fill('4 Cowley Road, Oxford');
  await page.getByLabel('Lived experience (patient, carer or member of the public)').check();
  await page.getByLabel('Why would you like to join Leading Together?').fill('I have used mental health services for 20 years.');
  await page.getByLabel('Buckinghamshire').check();
  await page.getByLabel('Did someone help fill this in? (optional)').fill('Gareth, on the phone');
  await page.getByRole('button', { name: 'Send application' }).click();
  await page.getByRole('heading', { name: 'Application sent' }).waitFor();
  const [winston] = await query(
    `select a.id, a.submitted_by is not null as on_behalf, p.email from applications a join people p on p.id = a.person_id where p.name = 'Winston Clarke'`,
  );
  assert.deepEqual({ onBehalf: winston.on_behalf, email: winston.email }, { onBehalf: true, email: null });

  // Shortlist, then offer: the mix meter counts the place.
  await page.goto(`${h.server.baseUrl}/manage/cohorts/${openCohortId}`);
  await page.getByRole('link', { name: 'Winston Clarke' }).click();
  await noAxeViolations(page, 'the application review page with the mix bar');
  await page.getByLabel('Shortlisted').check();
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  assert.match(
    await page.locator('.nhsuk-notification-banner').innerText(),
    /Moved Winston Clarke to shortlisted\. We reach them by post: send them a letter\./,
  );
  await page.getByRole('link', { name: 'Winston Clarke' }).click();
  await page.getByLabel('Offered a place', { exact: true }).check();
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await page.locator('.app-mix-meter').waitFor();
  assert.equal(Number(await heldText()), heldBefore + 1);
  assert.match(await page.locator(`#application-${winston.id}`).innerText(), /Offered a place/);

  // The first workshop day is still to come: there is no register to tick until it starts.
  await page.getByRole('link', { name: 'Schedule and attendance' }).click();
  const day1 = page.locator('section', { has: page.getByRole('heading', { name: /Workshop day 1/ }) });
  await day1.getByText('This session has not happened yet. You can record who came once it starts.').waitFor();
  assert.equal(await day1.getByRole('button', { name: /Save attendance/ }).count(), 0);
  assert.deepEqual(problems, []);
  await context.close();
});

test('graduation: staff see who has met the rule and why not, confirm once, and a graduate’s certificate checks out', async () => {
  const s = h.server.t.services;
  const admin = { personId: (await s.people.findActiveByEmail('demo-admin@coproduce.example'))!.id, role: 'admin' as const };
  const programme = (await s.programmes.listProgrammes())[0]!;
  const cohort = await s.programmes.createCohort(admin, programme.id, {
    name: 'Graduation test cohort',
    startsOn: '2026-01-05',
    endsOn: '2026-03-30',
    places: 4,
  });
  const days = [];
  for (const d of [6, 7, 8])
    days.push(
      await s.programmes.addSession(admin, cohort.id, {
        title: `Day ${d}`,
        startsAt: new Date(`2026-01-0${d}T10:00:00Z`),
        endsAt: new Date(`2026-01-0${d}T15:00:00Z`),
        format: 'online',
        capacity: 10,
        joinUrl: 'https://meet.example.org/x',
      }),
    );
  const people = [];
  for (const [name, experience] of [
    ['Amara Grad', 'lived'],
    ['Bill NotYet', 'professional'],
  ] as const) {
    const p = await s.people.create(admin, { name, experience });
    const { application } = await s.programmes.apply(admin, cohort.id, {
      who: { personId: p.id },
      answers: { why: 'x', area: 'Oxfordshire' },
    });
    for (const st of ['shortlisted', 'offered', 'accepted'] as const)
      await s.programmes.changeStatus(admin, application.id, st, { offerAnyway: true });
    people.push(p);
  }
  for (const d of days)
    await s.cohorts.recordAttendance(admin, d.id, [
      { personId: people[0]!.id, attended: true },
      { personId: people[1]!.id, attended: d === days[0] },
    ]);
  const project = await s.cohorts.createProject(admin, cohort.id, {
    title: 'Shared care plans',
    aim: 'Plans written with people',
    memberIds: people.map((p) => p.id),
    coLeadIds: [],
  });

  const context = await h.browser.newContext();
  const page = await signInAs(h.server, context, 'demo-staff@coproduce.example');
  // Presenting the project is recorded on the projects page.
  await page.goto(`${h.server.baseUrl}/manage/cohorts/${cohort.id}/projects`);
  await page.getByRole('button', { name: 'Mark Shared care plans as presented' }).click();
  await page.getByText(/Presented on/).waitFor();
  assert.ok((await s.cohorts.getProject(project.id)).presentedAt);

  await page.getByRole('link', { name: 'Graduation' }).click();
  const table = await page.locator('table').first().innerText();
  assert.match(table, /1 of 2 members have met the rule/);
  assert.match(table, /Came to 1 of 3 workshop days; needs 2/);
  // Nothing is issued in one click: a confirm page names who gets a certificate, and who does not.
  await page.getByRole('button', { name: 'Graduate the cohort' }).click();
  await page.getByRole('heading', { name: 'Graduate Graduation test cohort?' }).waitFor();
  assert.equal(await page.locator('#graduating').innerText(), 'Amara Grad');
  assert.match(await page.locator('#not-graduating').innerText(), /Bill NotYet: Came to 1 of 3 workshop days; needs 2/);
  assert.equal(await s.certificates.certificatesOf(cohort.id).then((c) => c.length), 0, 'nothing issued yet');
  await noAxeViolations(page, 'the graduation confirm page');
  await page.getByRole('button', { name: 'Yes, graduate and issue 1 certificate' }).click();
  await page.getByRole('heading', { name: 'Certificates' }).waitFor();
  assert.match(await page.locator('.nhsuk-notification-banner').innerText(), /has graduated. We issued 1 certificate/);
  await noAxeViolations(page, 'the graduation page after graduating');
  assert.equal(await page.getByRole('button', { name: 'Graduate the cohort' }).count(), 0, 'only once');

  await page.getByRole('link', { name: /^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$/ }).click();
  await page.getByRole('heading', { name: 'Valid' }).waitFor();
  assert.match(await page.locator('main').innerText(), /Amara Grad/);
  await context.close();
});
