import assert from 'node:assert/strict';
import { test } from 'node:test';
import pg from 'pg';
import { signInAs, useServerAndBrowser, watchConsole } from './support/browser.ts';

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

async function findOpenCohort() {
  const programme = (await h.server.t.services.programmes.listProgrammes())[0]!;
  openCohortId = (await h.server.t.services.programmes.cohortsOf(programme.id)).find((c) => c.cohort.applicationsOpen)!.cohort.id;
}

test('with JavaScript off, on a phone, someone applies using the easy read form, fixing a mistake on the way', async () => {
  await findOpenCohort();
  const context = await h.browser.newContext({ javaScriptEnabled: false, viewport: { width: 375, height: 740 } });
  const page = await context.newPage();
  await page.goto(`${h.server.baseUrl}/programmes`);
  await page.getByRole('link', { name: 'Leading Together (demo)' }).click();
  await page.getByRole('link', { name: 'Apply using easy read' }).click();
  await page.getByLabel('Name', { exact: true }).fill('Ruth Adeyemi');
  await page.getByLabel('Email address').fill('ruth@example.org');
  await page.getByLabel('Lived experience (patient, carer or member of the public)').check();
  await page.getByLabel('Oxfordshire').check();
  await page.getByLabel('A carer or support worker coming with me').check();
  await page.getByRole('button', { name: 'Send application' }).click();

  // "Why do you want to join?" is required: the page comes back saying so, keeping what was typed.
  const summary = page.locator('.nhsuk-error-summary');
  await summary.waitFor();
  assert.match(await summary.innerText(), /Why do you want to join\?/);
  assert.equal(await page.getByLabel('Name', { exact: true }).inputValue(), 'Ruth Adeyemi');
  assert.equal(await page.getByLabel('Oxfordshire').isChecked(), true);
  await summary.getByRole('link', { name: /Why do you want to join/ }).click();
  await page.getByLabel('Why do you want to join?').fill('So people like my son are listened to.');
  await page.getByLabel('Did someone help fill this in? (optional)').fill('My daughter, Ada');
  await page.getByRole('button', { name: 'Send application' }).click();
  await page.getByRole('heading', { name: 'Application sent' }).waitFor();
  const scrollWidth = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(scrollWidth <= 375, `no sideways scrolling (${scrollWidth}px)`);

  const rows = await query(
    `select a.status, a.answers, a.helped_by, p.access_needs from applications a join people p on p.id = a.person_id where p.email = 'ruth@example.org'`,
  );
  assert.deepEqual(rows, [
    {
      status: 'applied',
      answers: { why: 'So people like my son are listened to.', area: 'Oxfordshire' },
      helped_by: 'My daughter, Ada',
      access_needs: ['support_worker'],
    },
  ]);
  await context.close();
});

test('staff apply on behalf of someone without email, then select with the mix meter and record attendance', async () => {
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
  await page.getByLabel('Shortlisted').check();
  await page.getByRole('button', { name: 'Save and email them' }).click();
  await page.getByRole('link', { name: 'Winston Clarke' }).click();
  await page.getByLabel('Offered a place', { exact: true }).check();
  await page.getByRole('button', { name: 'Save and email them' }).click();
  await page.locator('.app-mix-meter').waitFor();
  assert.equal(Number(await heldText()), heldBefore + 1);
  assert.match(await page.locator(`#application-${winston.id}`).innerText(), /Offered a place/);

  // Someone who accepted comes to the first workshop day: tick and save.
  const [ian] = await query(
    `select p.name from applications a join people p on p.id = a.person_id where a.cohort_id = $1 and a.status = 'accepted' limit 1`,
    [openCohortId],
  );
  await page.getByRole('link', { name: 'Schedule and attendance' }).click();
  const day1 = page.locator('section', { has: page.getByRole('heading', { name: /Workshop day 1/ }) });
  await day1.getByLabel(ian.name).check();
  await day1.getByRole('button', { name: /Save attendance/ }).click();
  await page.getByText('Saved').waitFor();
  const again = page.locator('section', { has: page.getByRole('heading', { name: /Workshop day 1/ }) });
  assert.equal(await again.getByLabel(ian.name).isChecked(), true);
  assert.match(await again.locator('legend').innerText(), /Who came\? 1 of/);
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
  await page.getByRole('button', { name: 'Confirm graduation' }).click();
  await page.getByRole('heading', { name: 'Certificates' }).waitFor();
  assert.equal(await page.getByRole('button', { name: 'Confirm graduation' }).count(), 0, 'only once');

  await page.getByRole('link', { name: /^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$/ }).click();
  await page.getByRole('heading', { name: 'Valid' }).waitFor();
  assert.match(await page.locator('main').innerText(), /Amara Grad/);
  await context.close();
});
