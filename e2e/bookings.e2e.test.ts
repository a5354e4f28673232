import assert from 'node:assert/strict';
import { test } from 'node:test';
import pg from 'pg';
import { createPerson } from '../test/builders.ts';
import { axeViolations, signInAs, useServerAndBrowser, watchConsole } from './support/browser.ts';

const h = useServerAndBrowser();
const DAY = 24 * 3_600_000;
const HOUR = 3_600_000;

test('a participant signs in, sees their bookings on My account, and cancels one after confirming', async () => {
  const t = h.server.t;
  const admin = await createPerson(t.services, { email: 'bookings-admin@example.org' }, 'admin');
  const actor = { personId: admin.id, role: 'admin' as const };
  const day = Math.ceil((Date.now() + 20 * DAY) / DAY) * DAY;
  const event = await t.services.events.create(actor, {
    title: 'Spring festival',
    summary: 'Masterclasses',
    startsAt: new Date(day + 9 * HOUR),
    endsAt: new Date(day + 17 * HOUR),
  });
  const venue = { name: 'Town Hall', stepFree: true, hearingLoop: true, accessibleToilet: true };
  const ids: string[] = [];
  for (const [title, from] of [
    ['Masterclass: stories', 10],
    ['Masterclass: data', 13],
  ] as const) {
    const s = await t.services.events.addSession(actor, event.id, {
      title,
      startsAt: new Date(day + from * HOUR),
      endsAt: new Date(day + (from + 1) * HOUR),
      format: 'in_person',
      capacity: 10,
      venue,
    });
    ids.push(s.id);
  }
  await t.services.events.publish(actor, event.id);
  const me = await createPerson(t.services, { email: 'pat-bookings@example.org', name: 'Pat Participant' });
  await t.services.registrations.book(null, { sessionIds: ids, who: { personId: me.id } });
  // The booking email first, so the sign-in link is the newest email.
  await t.waitForEmail('pat-bookings@example.org', { subject: /Your booking/ });

  const context = await h.browser.newContext();
  const page = await signInAs(h.server, context, 'pat-bookings@example.org');
  const problems = watchConsole(page);
  await page.goto(`${h.server.baseUrl}/account`);
  await page.getByRole('link', { name: 'Your bookings' }).click();
  await page.getByRole('heading', { name: 'Your bookings', level: 1 }).waitFor();
  const main = await page.locator('main').innerText();
  assert.match(main, /Spring festival/);
  assert.match(main, /Masterclass: stories/);
  assert.match(main, /Masterclass: data/);
  assert.equal(await page.getByRole('link', { name: /Calendar file for Masterclass: stories/ }).count(), 1);
  assert.deepEqual(await axeViolations(page), []);

  await page.getByRole('link', { name: 'Cancel for Masterclass: data' }).click();
  await page.getByRole('heading', { name: 'Cancel your place' }).waitFor();
  assert.match(await page.locator('main').innerText(), /Masterclass: data/);
  assert.deepEqual(await axeViolations(page), []);
  // Changing one's mind keeps the place.
  await page.getByRole('link', { name: 'No, keep my place' }).click();
  await page.getByRole('heading', { name: 'Your bookings', level: 1 }).waitFor();
  await page.getByRole('link', { name: 'Cancel for Masterclass: data' }).click();
  await page.getByRole('button', { name: 'Yes, cancel my place' }).click();
  await page.getByText('Cancelled. Thank you for telling us').waitFor();
  assert.equal(await page.getByRole('link', { name: 'Cancel for Masterclass: data' }).count(), 0);
  assert.equal(await page.getByRole('link', { name: 'Cancel for Masterclass: stories' }).count(), 1);

  const db = new pg.Client({ connectionString: t.databaseUrl });
  await db.connect();
  const { rows } = await db.query(
    `select s.title, r.status from registrations r join event_sessions s on s.id = r.session_id where r.person_id = $1 order by s.starts_at`,
    [me.id],
  );
  await db.end();
  assert.deepEqual(rows, [
    { title: 'Masterclass: stories', status: 'confirmed' },
    { title: 'Masterclass: data', status: 'cancelled' },
  ]);
  assert.deepEqual(problems, []);
  await context.close();
});

test(
  'with JavaScript off, on a phone, choosing two sessions at the same time warns first; "Book anyway" books both',
  { timeout: 120_000 },
  async () => {
    const t = h.server.t;
    const admin = await createPerson(t.services, { email: 'clash-admin@example.org' }, 'admin');
    const actor = { personId: admin.id, role: 'admin' as const };
    const day = Math.ceil((Date.now() + 20 * DAY) / DAY) * DAY;
    const event = await t.services.events.create(actor, {
      title: 'Clash festival',
      summary: 'Parallel masterclasses',
      startsAt: new Date(day + 9 * HOUR),
      endsAt: new Date(day + 17 * HOUR),
    });
    const venue = { name: 'Town Hall', stepFree: true, hearingLoop: true, accessibleToilet: true };
    for (const [title, from, everyone] of [
      ['Welcome', 9, true],
      ['Masterclass: devices', 11, false],
      ['Masterclass: tokenism', 11, false],
    ] as const) {
      const s = await t.services.events.addSession(actor, event.id, {
        title,
        startsAt: new Date(day + from * HOUR),
        endsAt: new Date(day + (from + 1) * HOUR),
        format: 'in_person',
        capacity: 10,
        venue,
      });
      if (everyone) await t.services.registrations.markForEveryone(actor, s.id, true);
    }
    await t.services.events.publish(actor, event.id);

    const context = await h.browser.newContext({ javaScriptEnabled: false, viewport: { width: 375, height: 740 } });
    const page = await context.newPage();
    await page.goto(`${h.server.baseUrl}/events/${event.id}`);
    await page.getByRole('link', { name: 'Book for Masterclass: devices' }).click();
    assert.match(await page.locator('main').innerText(), /Everyone comes to/);
    assert.equal(await page.getByLabel('Masterclass: devices').isChecked(), true, 'the session booked from the programme is chosen');
    await page.getByLabel('Masterclass: tokenism').check();
    await page.getByLabel('Your name').fill('Cass Clash');
    await page.getByLabel('Email address').fill('cass@example.org');
    await page.getByLabel('Both').check();
    await page.getByRole('button', { name: 'Register' }).click();
    const summary = page.locator('.nhsuk-error-summary');
    await summary.waitFor();
    assert.match(await summary.innerText(), /Masterclass: devices \(.*\) and Masterclass: tokenism \(.*\) are at the same time/);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    assert.ok(overflow <= 0, `no sideways scrolling (${overflow}px)`);
    await page.getByRole('button', { name: 'Book anyway' }).click();
    await page.getByRole('heading', { name: 'You are registered' }).waitFor();
    assert.match(await page.locator('main').innerText(), /3 sessions/);
    await context.close();

    // The programme (venue once, Book buttons) and the form with "Just the day" pass axe (it needs JavaScript).
    const withJs = await h.browser.newContext();
    const check = await withJs.newPage();
    for (const url of [`/events/${event.id}`, `/events/${event.id}/register`]) {
      await check.goto(`${h.server.baseUrl}${url}`);
      assert.deepEqual(await axeViolations(check), [], url);
    }
    await withJs.close();
  },
);
