import assert from 'node:assert/strict';
import { test } from 'node:test';
import pg from 'pg';
import { createEventWithSession, createPerson } from '../test/builders.ts';
import { signInAs, useServerAndBrowser, watchConsole } from './support/browser.ts';

const h = useServerAndBrowser();
const PHONE = { width: 375, height: 740 };

async function organiser() {
  const admin = await createPerson(h.server.t.services, { email: `org-${Math.random().toString(16).slice(2)}@example.org` }, 'admin');
  return { personId: admin.id, role: 'admin' as const };
}

test('with JavaScript off, on a phone, a member of the public registers for an event, fixing a mistake', async () => {
  await createEventWithSession(h.server.t.services, await organiser(), {
    title: 'Co-production festival',
    sessionTitle: 'Getting started',
  });
  const context = await h.browser.newContext({ javaScriptEnabled: false, viewport: PHONE });
  const page = await context.newPage();
  await page.goto(`${h.server.baseUrl}/events`);
  await page.getByRole('link', { name: 'Co-production festival' }).click();
  await page.getByRole('link', { name: 'Register' }).click();
  await page.getByLabel('Your name').fill('Priya Natarajan');
  await page.getByLabel('Email address').fill('priya@');
  await page.getByLabel('Lived experience (patient, carer or member of the public)').check();
  await page.getByLabel('Step-free access (no stairs)').check();
  await page.getByRole('button', { name: 'Register' }).click();
  await page.locator('.nhsuk-error-summary').waitFor();
  assert.match(await page.locator('.nhsuk-error-summary').innerText(), /correct format/);
  assert.equal(await page.getByLabel('Step-free access (no stairs)').isChecked(), true, 'choices kept');
  await page.getByLabel('Email address').fill('priya@example.org');
  await page.getByRole('button', { name: 'Register' }).click();
  await page.getByRole('heading', { name: 'You are registered' }).waitFor();
  const mail = await h.server.t.waitForEmail('priya@example.org', { subject: /You have a place/ });
  assert.match(mail.body, /Getting started/);
  await context.close();
});

test('a signed-in person joins a waiting list, sees their place in it, and leaves it', async () => {
  const org = await organiser();
  const { event, session } = await createEventWithSession(h.server.t.services, org, { capacity: 1, title: 'Small masterclass day' });
  const first = await createPerson(h.server.t.services);
  await h.server.t.services.registrations.register(null, { sessionId: session.id, who: { personId: first.id } });
  await createPerson(h.server.t.services, { email: 'waiting@example.org', name: 'Wendy Waiting' });
  const context = await h.browser.newContext();
  const page = await signInAs(h.server, context, 'waiting@example.org');
  const problems = watchConsole(page);
  await page.goto(`${h.server.baseUrl}/events/${event.id}`);
  assert.match(await page.locator('main').innerText(), /Full\./);
  await page.getByRole('link', { name: 'Register' }).click();
  await page.getByRole('button', { name: 'Register' }).click();
  await page.getByText('Waiting list: number 1').waitFor();
  // Leaving asks first: a confirm page, then the button.
  await page.getByRole('link', { name: /Leave the waiting list/ }).click();
  await page.getByRole('heading', { name: 'Leave the waiting list' }).waitFor();
  await page.getByRole('button', { name: 'Yes, leave the waiting list' }).click();
  await page.getByText('Cancelled. Thank you for telling us.').waitFor();
  assert.match(await page.locator('main').innerText(), /You are not registered/);
  const db = new pg.Client({ connectionString: h.server.t.databaseUrl });
  await db.connect();
  const { rows } = await db.query(
    `select r.status from registrations r join people p on p.id = r.person_id where p.email = 'waiting@example.org'`,
  );
  await db.end();
  assert.deepEqual(rows, [{ status: 'cancelled' }]);
  assert.deepEqual(problems, []);
  await context.close();
});

test('check-in on a phone-sized screen: find someone, tap Arrived, add a walk-in', async () => {
  const org = await organiser();
  // Facilitators run the events they lead a session of.
  const door = await createPerson(h.server.t.services, { email: 'door@example.org', name: 'Dora Door' }, 'facilitator');
  const { event, session } = await createEventWithSession(h.server.t.services, org, { title: 'Check-in day', facilitatorIds: [door.id] });
  const guest = await createPerson(h.server.t.services, { name: 'Benedict Arrival', labelName: 'Ben' });
  await h.server.t.services.registrations.register(null, { sessionId: session.id, who: { personId: guest.id } });
  const context = await h.browser.newContext({ viewport: PHONE, hasTouch: true, isMobile: true });
  const page = await signInAs(h.server, context, 'door@example.org');
  await page.goto(`${h.server.baseUrl}/manage/events/${event.id}/check-in`);
  await page.getByLabel('Name').first().fill('bene');
  await page.getByRole('button', { name: 'Find' }).click();
  await page.getByRole('button', { name: /Arrived/ }).tap();
  await page.getByText('Ben is checked in').waitFor();
  // Everything fits the narrow screen: nothing scrolls sideways.
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  assert.ok(overflow <= 0, `no sideways scrolling (${overflow}px)`);
  await page.getByLabel('Their name').fill('Walter Walkin');
  await page.getByLabel('Both').check();
  await page.getByRole('button', { name: 'Add and check in' }).tap();
  await page.getByText('Walter Walkin is checked in').waitFor();
  assert.match(await page.locator('main').innerText(), /2 checked in so far/);
  await context.close();
});
