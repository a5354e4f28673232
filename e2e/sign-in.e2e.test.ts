import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createPerson } from '../test/builders.ts';
import { signInAs, useServerAndBrowser, watchConsole } from './support/browser.ts';

const h = useServerAndBrowser();

test('a participant signs in with the emailed link, changes their access needs, and signs out', async () => {
  await createPerson(h.server.t.services, { email: 'kate@example.org', name: 'Kate Example' });
  const context = await h.browser.newContext();
  const page = await context.newPage();
  const problems = watchConsole(page);

  await page.goto(h.server.baseUrl);
  await page.getByRole('link', { name: 'Sign in' }).first().click();
  await page.getByLabel('Email address').fill('not an email');
  await page.getByRole('button', { name: 'Email me a link' }).click();
  await page.locator('.nhsuk-error-summary').waitFor();
  assert.match(await page.locator('.nhsuk-error-summary').innerText(), /correct format/);
  await page.close();

  const signedIn = await signInAs(h.server, context, 'kate@example.org');
  const signedInProblems = watchConsole(signedIn);
  assert.match(await signedIn.locator('h1').innerText(), /Your account/);
  await signedIn.getByRole('link', { name: 'Change your details' }).click();
  await signedIn.getByLabel('Step-free access (no stairs)').check();
  await signedIn.getByLabel('Pronouns (optional)').fill('she/her');
  await signedIn.getByRole('button', { name: 'Save your details' }).click();
  await signedIn.getByText('Your details are saved').waitFor();
  assert.match(await signedIn.locator('main').innerText(), /Step-free access/);

  await signedIn.getByRole('button', { name: 'Sign out' }).click();
  await signedIn.getByText('You have signed out').waitFor();
  await signedIn.goto(`${h.server.baseUrl}/account`);
  assert.match(signedIn.url(), /\/sign-in$/);
  assert.deepEqual([...problems, ...signedInProblems], [], 'no script or CSP errors in the console');
  await context.close();
});
