import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Page } from 'playwright-core';
import { createPerson } from '../test/builders.ts';
import { pdfWriter } from '../src/lib/pdf.ts';
import { axeViolations, signInAs, useServerAndBrowser, watchConsole } from './support/browser.ts';

const h = useServerAndBrowser();
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

async function noAxeViolations(page: Page, where: string) {
  const found = await axeViolations(page);
  assert.deepEqual(
    found.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`),
    [],
    `accessibility problems on ${where}`,
  );
}

async function easyReadPaper() {
  const w = pdfWriter({ title: 'Short breaks: easy read', author: 'Board', subject: 'Paper', creator: 'e2e' });
  w.say('Short breaks for carers', { size: 20, tag: 'H1' });
  w.say('Carers need a rest.', { size: 16 });
  w.doc.end();
  return w.done;
}

test('a co-chair with lived experience signs in, reads the papers in easy read, and moves their decision to done', async () => {
  const { services } = h.server.t;
  const staff = await createPerson(services, { email: 'board-staff@example.org', experience: 'professional' }, 'staff');
  const actor = { personId: staff.id, role: 'staff' as const };
  const coChair = await createPerson(services, { name: 'Rachel Okafor', email: 'rachel.cochair@example.org', experience: 'lived' });
  const board = await services.boards.create(actor, {
    name: 'Team-up co-production board',
    purpose: 'Bringing together people who use social care and those who provide it, in an open and transparent manner.',
    easyReadPurpose: 'People who use care and people who give care decide together.',
  });
  await services.boards.setPublished(actor, board.id, true);
  await services.boards.addMember(actor, board.id, { personId: coChair.id, role: 'co_chair', from: '2026-01-01', shownPublicly: true });

  const soon = new Date(Date.now() + 10 * DAY);
  const coming = await services.boards.createMeeting(actor, board.id, {
    title: 'Autumn board meeting',
    startsAt: soon,
    endsAt: new Date(soon.getTime() + 2 * HOUR),
    format: 'hybrid',
    venue: {
      name: 'County Hall',
      address: 'New Road, Oxford',
      postcode: 'OX1 1ND',
      stepFree: true,
      hearingLoop: true,
      accessibleToilet: true,
    },
    joinUrl: 'https://meet.example.org/autumn',
  });
  const paper = await easyReadPaper();
  await services.boards.addAgendaItem(actor, coming.id, {
    title: 'Commissioning intentions for respite provision',
    easyRead: 'How carers can get a break',
    paperEasyRead: true,
    paper: { name: 'short-breaks.pdf', contentType: 'application/pdf', data: paper },
  });
  const pastAt = new Date(Date.now() - 20 * DAY);
  const past = await services.boards.createMeeting(actor, board.id, {
    title: 'Summer board meeting',
    startsAt: pastAt,
    endsAt: new Date(pastAt.getTime() + 2 * HOUR),
    format: 'online',
    joinUrl: 'https://meet.example.org/summer',
  });
  const decision = await services.boards.recordDecision(actor, past.id, {
    kind: 'action',
    text: 'Convene a task-and-finish group on carers’ breaks',
    easyRead: 'Start a group to sort out breaks for carers',
    owner: coChair.id,
    published: true,
  });
  await services.boards.moveDecision(actor, decision.id, { status: 'in_progress', note: 'First meeting booked' });
  // Published minutes: the public page shows them in a details element, whose summary needs a name (axe).
  await services.boards.saveMinutes(actor, past.id, { minutes: 'We planned the carers’ breaks group.', publish: true });

  const context = await h.browser.newContext();
  const page = await signInAs(h.server, context, coChair.email!);
  const problems = watchConsole(page);

  await page.goto(`${h.server.baseUrl}/boards`);
  await noAxeViolations(page, '/boards');
  await page.getByRole('link', { name: 'Team-up co-production board: your meetings and papers' }).click();
  await page.getByRole('heading', { name: 'Team-up co-production board', level: 1 }).waitFor();
  await noAxeViolations(page, 'the member’s board page');
  assert.ok(await page.getByText('Commissioning intentions for respite provision').isVisible());

  await page.getByRole('link', { name: 'Show in easy read' }).click();
  await page.getByRole('heading', { name: 'Team-up co-production board: easy read' }).waitFor();
  await noAxeViolations(page, 'the member’s board page in easy read');
  // The easy-read lines stand in place of the plain ones, in larger type.
  assert.ok(await page.getByText('How carers can get a break').isVisible());
  assert.equal(await page.getByText('Commissioning intentions for respite provision').count(), 0);
  assert.ok(await page.getByText('People who use care and people who give care decide together.').isVisible());
  const size = await page.getByText('How carers can get a break').evaluate((el) => parseFloat(getComputedStyle(el).fontSize));
  assert.ok(size >= 19, `easy read text is ${size}px`);
  const open = page.getByRole('link', { name: /Open the paper \(easy read\)/ });
  const box = await open.boundingBox();
  assert.ok(box && box.height >= 40, 'the paper is a big target');
  const download = await page.request.get(`${h.server.baseUrl}${await open.getAttribute('href')}`);
  assert.equal(download.status(), 200);
  assert.equal(download.headers()['content-type'], 'application/pdf');
  assert.deepEqual(Buffer.from(await download.body()), paper);

  // Their action, moved on to done with a note.
  await page.getByRole('link', { name: 'Start a group to sort out breaks for carers' }).click();
  await page.getByRole('heading', { name: /Convene a task-and-finish group/ }).waitFor();
  await noAxeViolations(page, 'the decision page');
  await page.getByLabel('Done').check();
  await page.getByRole('button', { name: 'Save the status' }).click();
  await page.locator('.nhsuk-error-summary').waitFor();
  await noAxeViolations(page, 'the decision page with a mistake');
  await page.getByLabel('A note to say what changed').fill('The group met twice and reported back');
  await page.getByRole('button', { name: 'Save the status' }).click();
  await page.getByText('Status changed to Done').waitFor();
  await noAxeViolations(page, 'the decision page after the change');
  assert.ok(await page.getByText('The group met twice and reported back').isVisible());

  // The co-chair's list across all meetings, filtered to what is done.
  await page.goto(`${h.server.baseUrl}/boards/${board.id}/actions`);
  await page.getByLabel('Status').selectOption('done');
  await page.getByRole('button', { name: 'Show' }).click();
  await page.getByRole('link', { name: 'Convene a task-and-finish group on carers’ breaks' }).waitFor();
  await noAxeViolations(page, 'the actions list');

  // The public page shows it as done.
  await page.goto(`${h.server.baseUrl}/boards/${board.id}`);
  await noAxeViolations(page, 'the public board page');
  const row = page.locator('li', { hasText: 'Convene a task-and-finish group' });
  assert.match(await row.innerText(), /Done/);
  assert.deepEqual(problems, []);
  await context.close();

  // Staff add a paper: the plain file input has a label that matches its name (axe: label-content-name-mismatch).
  const staffContext = await h.browser.newContext();
  const staffPage = await signInAs(h.server, staffContext, staff.email!);
  await staffPage.goto(`${h.server.baseUrl}/manage/meetings/${coming.id}/agenda/new`);
  await noAxeViolations(staffPage, 'the agenda item form');
  await staffPage.getByLabel('Agenda item').fill('A paper that is not a PDF');
  await staffPage
    .getByLabel('The paper, as a PDF (optional)')
    .setInputFiles({ name: 'notes.pdf', mimeType: 'application/pdf', buffer: Buffer.from('PK\x03\x04 not a pdf') });
  await staffPage.getByRole('button', { name: 'Add to the agenda' }).click();
  await staffPage.locator('.nhsuk-error-summary').waitFor();
  await noAxeViolations(staffPage, 'the agenda item form with a mistake');
  await staffContext.close();
});
