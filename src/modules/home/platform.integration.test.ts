import { createHash } from 'node:crypto';
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startTestApp, type TestApp } from '../../../test/harness.ts';

let t: TestApp;
before(async () => {
  t = await startTestApp({ ORG_NAME: 'Oxford Health NHS Foundation Trust', ORG_IS_NHS: 'true' });
});
after(async () => t.close());

describe('pages and platform', () => {
  test('health reports the database', async () => {
    const res = await t.app.inject({ url: '/health' });
    assert.equal(res.statusCode, 200);
    assert.deepEqual(res.json(), { status: 'ok', database: 'ok' });
  });

  test('every page has a skip link, the organisation name and the footer links', async () => {
    const res = await t.app.inject({ url: '/' });
    assert.equal(res.statusCode, 200);
    assert.match(res.body, /class="nhsuk-skip-link"/);
    assert.match(res.body, /href="#maincontent"/);
    assert.match(res.body, /Oxford Health NHS Foundation Trust/);
    assert.match(res.body, /href="\/accessibility"/);
    assert.match(res.body, /href="\/privacy"/);
    assert.match(res.body, /class="nhsuk-header__logo"/, 'an NHS organisation shows the NHS logo');
  });

  test('security headers, and a CSP that allows each inline script by its hash and no other', async () => {
    const res = await t.app.inject({ url: '/' });
    const csp = res.headers['content-security-policy'] as string;
    for (const part of ["object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'", "default-src 'self'"])
      assert.ok(csp.includes(part), part);
    const scriptSrc = /script-src ([^;]+)/.exec(csp)![1]!.split(' ');
    assert.deepEqual(
      scriptSrc.filter((s) => !s.startsWith("'sha256-")),
      ["'self'"],
      'no nonce, no unsafe-inline',
    );
    const inline = [...res.body.matchAll(/<script(?![^>]*\bsrc=)[^>]*>([\s\S]*?)<\/script>/g)].map((m) => m[1]!);
    assert.ok(inline.length >= 1, 'the page has its inline script');
    for (const body of inline)
      assert.ok(scriptSrc.includes(`'sha256-${createHash('sha256').update(body).digest('base64')}'`), `allowed by hash: ${body}`);
    assert.ok([...res.body.matchAll(/<script[^>]*\bsrc="\/static\//g)].length >= 1, 'and our own script from this site');
    assert.equal(res.headers['x-content-type-options'], 'nosniff');
    // A page with a form sets the browser's CSRF cookie (a public page such as this one sets none).
    const form = await t.app.inject({ url: '/sign-in' });
    const cookie = form.cookies.find((c) => c.name === 'cp_csrf')!;
    assert.ok(cookie.httpOnly);
    assert.equal(cookie.secure, undefined, 'not Secure over plain http');
  });

  test('a friendly 404 page, and a problem document under /api', async () => {
    const page = await t.app.inject({ url: '/no-such-page' });
    assert.equal(page.statusCode, 404);
    assert.match(page.body, /Page not found/);
    assert.match(page.body, /nhsuk-header/);
    const api = await t.app.inject({ url: '/api/v1/no-such-thing' });
    assert.equal(api.statusCode, 404);
    assert.match(api.headers['content-type'] as string, /problem\+json/);
  });

  test('a form body over the limit gets a clear 413 page', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/sign-in',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: `email=${'a'.repeat(200_000)}`,
    });
    assert.equal(res.statusCode, 413);
    assert.match(res.body, /too large/i);
  });

  test('nhsuk-frontend assets are served locally', async () => {
    const css = await t.app.inject({ url: '/static/nhsuk-frontend.css' });
    assert.equal(css.statusCode, 200);
    assert.match(css.body, /\.nhsuk-header/);
    assert.doesNotMatch(css.body, /https?:\/\//, 'nothing is loaded from another site');
    const js = await t.app.inject({ url: '/nhsuk/nhsuk-frontend.min.js' });
    assert.equal(js.statusCode, 200);
    assert.equal((await t.app.inject({ url: '/assets/images/favicon.svg' })).statusCode, 200);
    assert.equal((await t.app.inject({ url: '/nhsuk/index.scss' })).statusCode, 404);
  });
});

describe('a council or charity deployment', () => {
  let council: TestApp;
  before(async () => {
    council = await startTestApp({ ORG_NAME: 'Oxfordshire County Council', ORG_IS_NHS: 'false' });
  });
  after(async () => council.close());

  test('shows its own name and no NHS logo', async () => {
    const res = await council.app.inject({ url: '/' });
    assert.match(res.body, /Oxfordshire County Council/);
    assert.doesNotMatch(res.body, /class="nhsuk-header__logo"/);
  });
});
