import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createEventWithSession, createPerson } from '../test/builders.ts';
import { axeViolations, signInAs, useServerAndBrowser, watchConsole } from './support/browser.ts';

const h = useServerAndBrowser();
const PHONE = { width: 375, height: 740 };

test('check-in by person on a phone: the A to Z cards, access needs at the door, one Arrived, then Undo', async () => {
  const services = h.server.t.services;
  const admin = await createPerson(services, { email: 'org-checkin@example.org' }, 'admin');
  const door = await createPerson(services, { email: 'door-checkin@example.org', name: 'Dora Door' }, 'facilitator');
  const { event, session } = await createEventWithSession(
    services,
    { personId: admin.id, role: 'admin' },
    { title: 'Door day', sessionTitle: 'Morning', facilitatorIds: [door.id] },
  );
  const afternoon = await services.events.addSession({ personId: admin.id, role: 'admin' }, event.id, {
    title: 'Afternoon',
    startsAt: new Date(session.startsAt.getTime() + 3 * 3_600_000),
    endsAt: new Date(session.startsAt.getTime() + 4 * 3_600_000),
    format: 'online',
    capacity: 10,
    joinUrl: 'https://meet.example.org/pm',
  });
  const guest = await createPerson(services, { name: 'Benedict Arrival', labelName: 'Ben' });
  for (const sessionId of [session.id, afternoon.id])
    await services.registrations.register(null, {
      sessionId,
      who: { personId: guest.id },
      accessNeeds: ['step_free', 'support_worker'],
      accessNotes: 'Arrives by taxi',
    });
  const other = await createPerson(services, { name: 'Alice Early' });
  await services.registrations.register(null, { sessionId: session.id, who: { personId: other.id } });

  const context = await h.browser.newContext({ viewport: PHONE, hasTouch: true, isMobile: true });
  const page = await signInAs(h.server, context, 'door-checkin@example.org');
  const problems = watchConsole(page);
  await page.goto(`${h.server.baseUrl}/manage/events/${event.id}/check-in`);
  await page.getByRole('heading', { name: 'Expected, A to Z' }).waitFor();
  const ben = page.locator('li.nhsuk-card', { hasText: 'Benedict Arrival' });
  assert.match(await ben.innerText(), /At the door: Step-free access, Support worker coming/);
  assert.match(await ben.innerText(), /Arrives by taxi/);
  assert.match(await ben.innerText(), /Morning[\s\S]*Afternoon/, 'both of the day’s sessions on one card');
  const fits = async () => page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  assert.ok((await fits()) <= 0, 'no sideways scrolling at 375 px');
  assert.deepEqual(await axeViolations(page), []);

  await ben.getByRole('button', { name: /^Arrived.*Ben, all 2 sessions/ }).tap();
  await page.getByText('Ben is checked in').waitFor();
  assert.match(await page.locator('main').innerText(), /2 checked in so far/);
  assert.match(await page.locator('main').innerText(), /1 of 2 people expected have arrived/);
  await page.getByRole('button', { name: /^Undo.*arrived: Ben, Afternoon/ }).tap();
  await page.getByText('Took back Ben’s check-in at Afternoon: they are expected again').waitFor();
  assert.match(await page.locator('main').innerText(), /1 checked in so far/);
  assert.ok(await page.getByRole('button', { name: /^Arrived.*Ben, Afternoon/ }).isVisible(), 'Arrived is offered again');
  assert.ok((await fits()) <= 0, 'still no sideways scrolling');
  assert.deepEqual(await axeViolations(page), []);
  assert.deepEqual(problems, []);
  await context.close();
});
