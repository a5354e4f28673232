import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createEventWithSession, createPerson } from '../test/builders.ts';
import { axeViolations, signInAs, useServerAndBrowser, watchConsole } from './support/browser.ts';

const h = useServerAndBrowser();
const PHONE = { width: 375, height: 740 };

test('at 375 px the staff home page, people, the audit log and "your data" fit without sideways scrolling', async () => {
  const s = h.server.t.services;
  const admin = await createPerson(s, { email: 'fit-admin@example.org', name: 'Fiona Fit' }, 'admin');
  const actor = { personId: admin.id, role: 'admin' as const };
  // Long, unbroken words are what push a table wider than a phone.
  for (let i = 1; i <= 12; i++)
    await s.people.create(actor, {
      name: `Delegate ${i} Bartholomew-Featherstonehaugh`,
      experience: i % 2 ? 'lived' : 'professional',
      email: `delegate.number.${i}.with.a.very.long.address@partnership-organisation.example.org`,
      organisation: 'Oxfordshire Clinical Commissioning and Integrated Care Partnership',
      accessNeeds: ['step_free', 'hearing_loop'],
    });
  // A walk-in with no contact details, booked by staff: nobody is emailed.
  const walkIn = await s.people.create(actor, { name: 'Wally Walkin', experience: 'lived' });
  const { session } = await createEventWithSession(s, actor, {
    title: 'Co-production festival with a rather long name for a phone',
    capacity: 30,
  });
  await s.registrations.register(actor, { sessionId: session.id, who: { personId: walkIn.id }, accessNotes: 'A'.repeat(60) });
  const person = (await s.people.list({ search: 'Delegate 1 ', limit: 1 }))[0]!;

  const context = await h.browser.newContext({ viewport: PHONE });
  const page = await signInAs(h.server, context, 'fit-admin@example.org');
  const problems = watchConsole(page);
  assert.match(page.url(), /\/work$/, 'staff land on their work');

  const pages = [
    '/work',
    '/people',
    '/people?q=Delegate',
    `/people/${person.id}`,
    '/people/new',
    '/audit',
    '/account/your-data',
    '/erasure-requests',
  ];
  for (const url of pages) {
    await page.goto(`${h.server.baseUrl}${url}`);
    const { scrollWidth, innerWidth } = await page.evaluate(() => ({
      scrollWidth: document.documentElement.scrollWidth,
      innerWidth: window.innerWidth,
    }));
    assert.ok(scrollWidth <= innerWidth, `${url} is ${scrollWidth} px wide in a ${innerWidth} px window`);
    assert.deepEqual(await axeViolations(page), [], `${url}: no accessibility problems`);
  }

  // The wide tables become stacked rows, each cell naming its column.
  for (const url of ['/people', '/audit', '/work']) {
    await page.goto(`${h.server.baseUrl}${url}`);
    const stacked = await page.evaluate(() => {
      const table = document.querySelector('table.nhsuk-table-responsive');
      const row = table?.querySelector('tbody tr');
      const heading = row?.querySelector('.nhsuk-table-responsive__heading');
      return {
        table: !!table,
        rowDisplay: row ? getComputedStyle(row).display : null,
        headingShown: heading ? getComputedStyle(heading).display !== 'none' : false,
        headHidden: table ? (table.querySelector('thead') as HTMLElement).getBoundingClientRect().height <= 1 : false,
      };
    });
    assert.deepEqual(stacked, { table: true, rowDisplay: 'block', headingShown: true, headHidden: true }, url);
  }

  // On a wide screen the same tables are ordinary tables.
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.goto(`${h.server.baseUrl}/people`);
  assert.equal(await page.evaluate(() => getComputedStyle(document.querySelector('tbody tr')!).display), 'table-row');
  assert.deepEqual(problems, []);
  await context.close();
});
