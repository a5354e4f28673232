import { createRequire } from 'node:module';
import { after, before } from 'node:test';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { startTestApp, type TestApp } from '../../test/harness.ts';
import { linkFrom } from '../../test/web-client.ts';

const require = createRequire(import.meta.url);
const axeSource: string = require('axe-core').source;

/** Debian's Chromium, launched with the flags this closed network needs. */
export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-quic',
    ],
  });
}

export interface E2eServer {
  t: TestApp;
  baseUrl: string;
  close(): Promise<void>;
}

/** The real app, listening on a free port, on a database of its own. */
export async function startServer(env: Record<string, string> = {}): Promise<E2eServer> {
  const t = await startTestApp({ ...env });
  await t.app.listen({ port: 0, host: '127.0.0.1' });
  const port = (t.app.server.address() as AddressInfo).port;
  return { t, baseUrl: `http://127.0.0.1:${port}`, close: () => t.close() };
}

/** One server and one browser for a test file, started before its tests and closed after. */
export function useServerAndBrowser(env: Record<string, string> = {}) {
  const handles = {} as { server: E2eServer; browser: Browser };
  before(async () => {
    handles.server = await startServer(env);
    handles.browser = await launchBrowser();
  });
  after(async () => {
    await handles.browser?.close();
    await handles.server?.close();
  });
  return handles;
}

/**
 * Collects console errors, CSP violations included, so broken scripts do not pass quietly. The
 * browser's own note about a 4xx or 503 page is left out: tests visit error pages on purpose.
 */
export function watchConsole(page: Page): string[] {
  const problems: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error' && !/Failed to load resource: the server responded with a status of (4\d\d|503)/.test(m.text()))
      problems.push(m.text());
  });
  page.on('pageerror', (e) => problems.push(e.message));
  return problems;
}

/** Signs in through the real form, reading the link from the outbox as a person reads their email. */
export async function signInAs(server: E2eServer, context: BrowserContext, email: string): Promise<Page> {
  const page = await context.newPage();
  const before = (await server.t.emailsTo(email)).length;
  await page.goto(`${server.baseUrl}/sign-in`);
  await page.getByLabel('Email address').fill(email);
  await page.getByRole('button', { name: 'Email me a link' }).click();
  await page.getByRole('heading', { name: 'Check your email' }).waitFor();
  // Other emails to the same address (a booking confirmation) may arrive meanwhile: wait for the link.
  const mail = await server.t.waitForEmail(email, { after: before, subject: /link to sign in/ });
  const link = new URL(linkFrom(mail.body));
  await page.goto(`${server.baseUrl}${link.pathname}${link.search}`);
  await page.getByRole('button', { name: 'Sign in' }).click();
  // Staff land on their work, everyone else on their account.
  await page.getByRole('heading', { name: /^(Your account|Your work)$/ }).waitFor();
  return page;
}

const WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22a', 'wcag22aa'];

export interface AxeViolation {
  id: string;
  help: string;
  nodes: { target: unknown[] }[];
}

/** Runs axe-core in the page at the WCAG 2.2 A and AA tags. */
export async function axeViolations(page: Page): Promise<AxeViolation[]> {
  await page.evaluate(axeSource);
  return page.evaluate(async (tags) => {
    const w = window as unknown as { axe: { run(ctx: Document, opts: unknown): Promise<{ violations: AxeViolation[] }> } };
    const result = await w.axe.run(document, { runOnly: { type: 'tag', values: tags } });
    return result.violations.map((v) => ({ id: v.id, help: v.help, nodes: v.nodes.map((n) => ({ target: n.target })) }));
  }, WCAG_TAGS);
}
