import assert from 'node:assert/strict';
import { test } from 'node:test';
import pg from 'pg';
import { createPerson } from '../test/builders.ts';
import { signInAs, useServerAndBrowser } from './support/browser.ts';

const h = useServerAndBrowser();

test('with JavaScript off, staff add someone who does not use email, fixing a mistake on the way', async () => {
  await createPerson(h.server.t.services, { email: 'organiser@example.org', name: 'Olu Organiser' }, 'staff');
  const context = await h.browser.newContext({ javaScriptEnabled: false, viewport: { width: 375, height: 740 } });
  const page = await signInAs(h.server, context, 'organiser@example.org');
  await page.goto(`${h.server.baseUrl}/people/new`);
  await page.getByLabel('Name', { exact: true }).fill('Margaret Osei');
  await page.getByLabel('Lived experience (patient, carer or member of the public)').check();
  await page.getByRole('radio', { name: 'Post' }).check();
  await page.getByLabel('Large print').check();
  await page.getByRole('button', { name: 'Add person' }).click();

  // No address given for post: the page comes back with the error and keeps what was typed.
  const summary = page.locator('.nhsuk-error-summary');
  await summary.waitFor();
  assert.match(await summary.innerText(), /Enter a postal address/);
  assert.equal(await page.getByLabel('Name', { exact: true }).inputValue(), 'Margaret Osei');
  assert.equal(await page.getByLabel('Large print').isChecked(), true);
  await summary.getByRole('link', { name: /postal address/ }).click();
  await page.getByLabel('Postal address (optional)').fill('12 Meadow Lane\nBanbury');
  await page.getByRole('button', { name: 'Add person' }).click();
  await page.getByText('Person added').waitFor();
  assert.match(await page.locator('main').innerText(), /12 Meadow Lane/);

  const db = new pg.Client({ connectionString: h.server.t.databaseUrl });
  await db.connect();
  const { rows } = await db.query(`select email, contact_preference, access_needs from people where name = 'Margaret Osei'`);
  await db.end();
  assert.deepEqual(rows, [{ email: null, contact_preference: 'post', access_needs: ['large_print'] }]);
  await context.close();
});
