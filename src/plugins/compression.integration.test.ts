import { createHash } from 'node:crypto';
import assert from 'node:assert/strict';
import zlib from 'node:zlib';
import { after, before, describe, test } from 'node:test';
import { createPerson } from '../../test/builders.ts';
import { startTestApp, type TestApp } from '../../test/harness.ts';
import { signIn } from '../../test/web-client.ts';
import { chooseEncoding } from './assets.ts';

let t: TestApp;
before(async () => {
  t = await startTestApp();
});
after(async () => t.close());

const stylesheetUrl = async () =>
  /<link rel="stylesheet" href="(\/static\/v\/nhsuk-frontend\.[0-9a-f]{12}\.css)">/.exec((await t.app.inject({ url: '/' })).body)?.[1];

describe('compressed responses', () => {
  test('the layout links the fingerprinted stylesheet and script, which come back brotli or gzip with immutable caching', async () => {
    const home = (await t.app.inject({ url: '/' })).body;
    const css = await stylesheetUrl();
    assert.ok(css, 'the page links a fingerprinted nhsuk-frontend stylesheet');
    assert.match(home, /href="\/static\/v\/app\.[0-9a-f]{12}\.css"/);
    assert.match(home, /<script type="module" src="\/static\/v\/app\.[0-9a-f]{12}\.js"><\/script>/);

    const plain = await t.app.inject({ url: css });
    assert.equal(plain.statusCode, 200);
    assert.equal(plain.headers['content-encoding'], undefined);
    assert.match(plain.body, /\.nhsuk-header/);
    assert.ok(plain.rawPayload.length > 200_000, 'the whole stylesheet');

    const br = await t.app.inject({ url: css, headers: { 'accept-encoding': 'gzip, deflate, br' } });
    assert.equal(br.statusCode, 200);
    assert.equal(br.headers['content-encoding'], 'br');
    assert.equal(br.headers['cache-control'], 'public, max-age=31536000, immutable');
    assert.match(String(br.headers.vary), /accept-encoding/i);
    assert.match(String(br.headers['content-type']), /^text\/css/);
    assert.ok(br.rawPayload.length < 40_000, `brotli makes 278 KB small (${br.rawPayload.length} bytes)`);
    assert.equal(zlib.brotliDecompressSync(br.rawPayload).toString(), plain.body);

    const gz = await t.app.inject({ url: css, headers: { 'accept-encoding': 'gzip' } });
    assert.equal(gz.headers['content-encoding'], 'gzip');
    assert.equal(gz.headers['cache-control'], 'public, max-age=31536000, immutable');
    assert.equal(zlib.gunzipSync(gz.rawPayload).toString(), plain.body);

    // Asked again, the browser's copy is still good.
    const again = await t.app.inject({ url: css, headers: { 'accept-encoding': 'br', 'if-none-match': String(br.headers.etag) } });
    assert.equal(again.statusCode, 304);

    // The page script imports nhsuk-frontend's script by its fingerprinted name too.
    const appJsUrl = /src="(\/static\/v\/app\.[0-9a-f]{12}\.js)"/.exec(home)![1]!;
    const appJs = (await t.app.inject({ url: appJsUrl })).body;
    const nhsukJs = /from '(\/static\/v\/nhsuk-frontend\.[0-9a-f]{12}\.js)'/.exec(appJs)?.[1];
    assert.ok(nhsukJs, appJs);
    const js = await t.app.inject({ url: nhsukJs, headers: { 'accept-encoding': 'br' } });
    assert.equal(js.statusCode, 200);
    assert.equal(js.headers['content-encoding'], 'br');
    assert.match(zlib.brotliDecompressSync(js.rawPayload).toString(), /initAll/);
  });

  test('the old names still work, with a short cache; a stale fingerprint gets today’s file, not kept', async () => {
    for (const url of ['/static/nhsuk-frontend.css', '/static/app.css', '/static/app.js', '/nhsuk/nhsuk-frontend.min.js']) {
      const res = await t.app.inject({ url, headers: { 'accept-encoding': 'br' } });
      assert.equal(res.statusCode, 200, url);
      assert.equal(res.headers['content-encoding'], 'br', url);
      assert.match(String(res.headers['cache-control']), /max-age=3600/, url);
    }
    const stale = await t.app.inject({ url: '/static/v/nhsuk-frontend.000000000000.css' });
    assert.equal(stale.statusCode, 200);
    assert.doesNotMatch(String(stale.headers['cache-control']), /immutable/);
    assert.equal((await t.app.inject({ url: '/static/v/secrets.000000000000.css' })).statusCode, 404);
    assert.equal((await t.app.inject({ url: '/static/v/..%2Fconfig.ts' })).statusCode, 404);
  });

  test('a page comes back compressed when asked, its inline script still allowed by the CSP; PDFs are left alone', async () => {
    const page = await t.app.inject({ url: '/accessibility', headers: { 'accept-encoding': 'br, gzip' } });
    assert.equal(page.statusCode, 200);
    // brotli, or gzip joined from pieces kept compressed (the header and footer: lib/kept-html.ts).
    const encoding = page.headers['content-encoding'];
    assert.ok(encoding === 'br' || encoding === 'gzip', String(encoding));
    const html = (encoding === 'br' ? zlib.brotliDecompressSync(page.rawPayload) : zlib.gunzipSync(page.rawPayload)).toString();
    assert.match(html, /Accessibility statement/);
    const inline = /<script>([^<]+)<\/script>/.exec(html)![1]!;
    const hash = createHash('sha256').update(inline).digest('base64');
    assert.ok(String(page.headers['content-security-policy']).includes(`'sha256-${hash}'`), 'the inline script is allowed by its hash');

    const gz = await t.app.inject({ url: '/accessibility', headers: { 'accept-encoding': 'gzip' } });
    assert.equal(gz.headers['content-encoding'], 'gzip');
    assert.match(zlib.gunzipSync(gz.rawPayload).toString(), /Accessibility statement/);
    const none = await t.app.inject({ url: '/accessibility' });
    assert.equal(none.headers['content-encoding'], undefined, 'not compressed unless asked');

    await createPerson(t.services, { email: 'pdf@example.org', name: 'Pip Pdf' });
    const me = await signIn(t, 'pdf@example.org');
    const pdf = await t.app.inject({
      url: '/account/your-data.pdf',
      headers: { 'accept-encoding': 'br, gzip', cookie: [...me.cookies].map(([k, v]) => `${k}=${v}`).join('; ') },
    });
    assert.equal(pdf.statusCode, 200);
    assert.equal(pdf.headers['content-encoding'], undefined, 'a PDF is not compressed again');
    assert.equal(pdf.rawPayload.subarray(0, 5).toString(), '%PDF-');
  });

  test('the encoding is chosen by what the browser accepts', () => {
    assert.equal(chooseEncoding('gzip, deflate, br'), 'br');
    assert.equal(chooseEncoding('gzip'), 'gzip');
    assert.equal(chooseEncoding('gzip ;q=1'), 'gzip', 'a space before the parameters');
    assert.equal(chooseEncoding('br ;q=0, gzip'), 'gzip');
    assert.equal(chooseEncoding('br;q=0, gzip'), 'gzip');
    assert.equal(chooseEncoding('identity'), null);
    assert.equal(chooseEncoding(undefined), null);
    assert.equal(chooseEncoding('*'), 'br');
  });
});
