import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Page } from 'playwright-core';
import { createEventWithSession, createPerson } from '../test/builders.ts';
import { axeViolations, signInAs, useServerAndBrowser, watchConsole } from './support/browser.ts';

const h = useServerAndBrowser();

const COMMENTS = [
  'Courageous leadership is needed if this is going to change anything.',
  'We need leaders who are brave enough to share power with patients.',
  'Leadership at board level has to make room for lived experience.',
  'Brave leadership from the top made the difference in our trust.',
  'The need for active listening across all partners came through in every story.',
  'Listening properly, without jumping to solutions, was the big lesson.',
  'I will listen more and talk less in our planning meetings.',
  'Staff should listen to patients before they decide anything.',
  'Local partnerships and relationships are what make this work.',
  'Building relationships with local groups matters more than big strategies.',
];

/** Every page the journey visits is swept by axe at WCAG 2.2 A and AA. */
async function assertAccessible(page: Page, name: string) {
  const violations = await axeViolations(page);
  assert.deepEqual(
    violations.map((v) => `${name}: ${v.id} (${v.help}) at ${v.nodes.map((n) => JSON.stringify(n.target)).join(', ')}`),
    [],
  );
}

test('staff record a change from a theme of an event’s feedback and publish it; a member of the public sees it', async () => {
  const services = h.server.t.services;
  const staff = await createPerson(services, { email: 'changes-organiser@example.org', name: 'Olu Organiser' }, 'staff');
  const actor = { personId: staff.id, role: 'staff' as const };
  const { event } = await createEventWithSession(services, actor, { title: 'Oxfordshire co-production festival' });
  const form = await services.forms.create(actor, {
    title: 'How was the festival?',
    anonymous: false,
    eventId: event.id,
    questions: [{ key: 'learnt', type: 'long_text', text: 'What will you take away?' }],
  });
  await services.forms.setStatus(actor, form.id, 'open');
  for (const [i, text] of COMMENTS.entries()) {
    const p = await createPerson(services, { email: `festival-${i}@example.org` });
    await services.forms.respond(form.id, { person: p }, { learnt: text }, { allowEdit: false });
  }
  const learnt = (await services.forms.questions(form.id)).find((q) => q.key === 'learnt')!;
  await services.results.runThemes(learnt.id);
  const choice = (await services.changes.sourceChoices()).find((c) => c.text.startsWith('Feedback form: How was the festival?, theme: '));
  assert.ok(choice, 'a theme was found in the answers');

  const context = await h.browser.newContext();
  const page = await signInAs(h.server, context, 'changes-organiser@example.org');
  const problems = watchConsole(page);
  await page.goto(`${h.server.baseUrl}/manage/changes`);
  await page.getByRole('heading', { name: 'You said, we did' }).waitFor();
  await assertAccessible(page, 'the list');
  await page.getByRole('link', { name: 'Record a change' }).click();
  await page.getByRole('heading', { name: 'Record a change' }).waitFor();
  await assertAccessible(page, 'the form');

  // Publishing with nothing typed shows what is missing, and is accessible too.
  await page.getByRole('button', { name: 'Publish' }).click();
  await page.locator('.nhsuk-error-summary').waitFor();
  assert.match(await page.locator('.nhsuk-error-summary').innerText(), /Write what people said/);
  await assertAccessible(page, 'the form with errors');

  await page.getByLabel('You said: what people told us').fill('Leaders need to be brave enough to share power with patients.');
  await page.getByLabel('We did: what was done, or what will be done').fill('A parent carer now co-chairs the festival board.');
  await page.getByRole('radio', { name: 'Done' }).check();
  await page.getByLabel('Where did people say it? (optional)').selectOption({ label: choice.text });
  await page.getByRole('button', { name: 'Publish' }).click();
  await page.getByText('Published: it is on the You said, we did page').waitFor();
  await assertAccessible(page, 'the entry');
  assert.deepEqual(problems, [], 'no console errors');
  await context.close();

  // Someone who is not signed in, on a phone.
  const visitor = await h.browser.newContext({ viewport: { width: 375, height: 740 } });
  const publicPage = await visitor.newPage();
  await publicPage.goto(`${h.server.baseUrl}/`);
  await publicPage.goto(`${h.server.baseUrl}/you-said-we-did`);
  await publicPage.getByRole('heading', { name: 'You said, we did', level: 1 }).waitFor();
  await publicPage.getByText('A parent carer now co-chairs the festival board.').waitFor();
  await publicPage.getByText('We have done this', { exact: true }).waitFor();
  await assertAccessible(publicPage, 'the public page');
  await publicPage.getByRole('link', { name: /We have done this \(1\)/ }).click();
  await publicPage.getByRole('heading', { name: 'We have done this', level: 2 }).waitFor();
  await assertAccessible(publicPage, 'the public page, filtered');
  await publicPage.getByRole('link', { name: 'The feedback form for Oxfordshire co-production festival' }).click();
  await publicPage.getByRole('heading', { name: 'Oxfordshire co-production festival', level: 1 }).waitFor();
  await visitor.close();
});
