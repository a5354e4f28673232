import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createEventWithSession, createPerson } from '../test/builders.ts';
import type { BrowserContext } from 'playwright-core';
import { linkFrom } from '../test/web-client.ts';
import { useServerAndBrowser, watchConsole } from './support/browser.ts';

const h = useServerAndBrowser();
const PHONE = { width: 375, height: 740 };

/** Signs in through the real form; staff may land on their own home page, so this waits only for the sign-in to finish. */
async function signInAs(context: BrowserContext, email: string) {
  const page = await context.newPage();
  const before = (await h.server.t.emailsTo(email)).length;
  await page.goto(`${h.server.baseUrl}/sign-in`);
  await page.getByLabel('Email address').fill(email);
  await page.getByRole('button', { name: 'Email me a link' }).click();
  await page.getByRole('heading', { name: 'Check your email' }).waitFor();
  const link = new URL(linkFrom((await h.server.t.waitForEmail(email, { after: before })).body));
  await page.goto(`${h.server.baseUrl}${link.pathname}${link.search}`);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL((url) => !url.pathname.startsWith('/sign-in'));
  return page;
}

test(
  'with JavaScript off, on a phone, staff book someone who writes in, then cancel with a confirm page and undo it',
  { timeout: 90_000 },
  async () => {
    const services = h.server.t.services;
    const admin = await createPerson(services, { email: 'desk-admin@example.org' }, 'admin');
    const actor = { personId: admin.id, role: 'admin' as const };
    await createPerson(services, { email: 'desk@example.org', name: 'Desk Staff' }, 'staff');
    const { event } = await createEventWithSession(services, actor, { title: 'Letter day', sessionTitle: 'Walk and talk' });
    await services.people.create(actor, {
      name: 'Margaret Letter',
      experience: 'lived',
      postalAddress: '12 Meadow Lane, Oxford OX1 2AB',
      contactPreference: 'post',
    });

    const context = await h.browser.newContext({ javaScriptEnabled: false, viewport: PHONE });
    const page = await signInAs(context, 'desk@example.org');
    const problems = watchConsole(page);
    // (With JavaScript off axe cannot run in the page; the accessibility sweep covers these pages.)
    const fits = async () => page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    await page.goto(`${h.server.baseUrl}/manage/events/${event.id}/register-someone`);
    assert.match(
      (await page.getByRole('link', { name: 'Add them as a new person' }).getAttribute('href')) ?? '',
      /^\/people\/new\?returnTo=%2Fmanage%2Fevents%2F/,
    );
    await page.getByLabel('Find them by name').fill('Margaret');
    await page.getByRole('button', { name: 'Find' }).click();
    await page.getByRole('link', { name: 'Register Margaret Letter' }).click();
    await page.getByRole('button', { name: 'Register' }).click();
    await page.getByText('Booked Margaret Letter: Walk and talk (has a place).').waitFor();
    assert.ok(await page.getByRole('link', { name: 'Print a confirmation letter (PDF)' }).isVisible());
    assert.ok((await fits()) <= 0, 'no sideways scrolling');

    await page.goto(`${h.server.baseUrl}/manage/events/${event.id}/registrations`);
    await page.getByRole('link', { name: /Cancel.*Margaret Letter’s place at Walk and talk/ }).click();
    await page.getByRole('heading', { name: 'Cancel Margaret Letter’s place?' }).waitFor();
    assert.match(await page.locator('main').innerText(), /Nobody is on the waiting list/);
    await page.getByRole('button', { name: 'Yes, cancel Margaret Letter’s place' }).click();
    await page.getByText('Cancelled Margaret Letter’s place at Walk and talk.').waitFor();
    assert.ok((await fits()) <= 0, 'no sideways scrolling');
    await page.getByRole('button', { name: 'Undo: give Margaret Letter their place back' }).click();
    await page.getByText('Undone: Margaret Letter has their place at Walk and talk again').waitFor();
    assert.match(await page.locator('main').innerText(), /Confirmed/);
    assert.deepEqual(problems, []);
    await context.close();
  },
);
