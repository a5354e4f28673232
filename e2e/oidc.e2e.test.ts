import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { createPerson } from '../test/builders.ts';
import { startTestApp, type TestApp } from '../test/harness.ts';
import { startTestIdentityProvider, type TestIdentityProvider } from '../test/identity-provider.ts';
import { freePort } from '../test/net.ts';
import { launchBrowser, watchConsole } from './support/browser.ts';

// The app listens where PUBLIC_URL says, so the provider's redirect comes back to it.
let t: TestApp;
let idp: TestIdentityProvider;
let browser: Browser;
let baseUrl: string;

before(async () => {
  const port = await freePort();
  baseUrl = `http://127.0.0.1:${port}`;
  idp = await startTestIdentityProvider({ redirectUri: `${baseUrl}/sign-in/oidc/callback` });
  t = await startTestApp({ ...idp.env(), PUBLIC_URL: baseUrl });
  await t.app.listen({ port, host: '127.0.0.1' });
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await t?.close();
  await idp?.close();
});

test('a member of staff signs in with their organisation account, from the button and from their address', async () => {
  await createPerson(t.services, { email: 'amara.staff@testtrust.nhs.uk', name: 'Amara Staff' }, 'staff');
  idp.accounts.set('amara', { sub: 'amara', email: 'amara.staff@testtrust.nhs.uk', emailVerified: true, name: 'Amara Staff' });
  idp.signInAs('amara');

  const context = await browser.newContext();
  const page = await context.newPage();
  const problems = watchConsole(page);
  await page.goto(`${baseUrl}/sign-in`);
  await page.getByRole('button', { name: 'Sign in with your Test Trust account' }).click();
  // The provider's own page, on its own origin.
  await page.getByRole('button', { name: 'Continue as Amara Staff' }).click();
  await page.getByRole('heading', { name: 'Your work' }).waitFor();
  assert.equal(new URL(page.url()).origin, baseUrl);

  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.getByText('You have signed out').waitFor();

  // Typing a work address into the email form sends her on to the provider instead of sending a
  // link; the provider still knows her (single sign-on), so she is straight back, signed in.
  const atProvider: string[] = [];
  page.on('request', (r) => void (r.url().startsWith(idp.issuer) && atProvider.push(new URL(r.url()).pathname)));
  await page.goto(`${baseUrl}/sign-in`);
  await page.getByLabel('Email address').fill('amara.staff@testtrust.nhs.uk');
  await page.getByRole('button', { name: 'Email me a link' }).click();
  await page.getByRole('button', { name: 'Continue to your Test Trust account' }).click();
  await page.getByRole('heading', { name: 'Your work' }).waitFor();
  assert.ok(atProvider.includes('/auth'), `went through the provider: ${atProvider.join(' ')}`);
  assert.equal((await t.emailsTo('amara.staff@testtrust.nhs.uk')).length, 0, 'no email link was sent');
  assert.deepEqual(problems, [], 'no script or CSP errors in the console');
  await context.close();
});
