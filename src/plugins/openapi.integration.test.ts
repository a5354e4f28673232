import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startTestApp, type TestApp } from '../../test/harness.ts';

let t: TestApp;
before(async () => {
  t = await startTestApp();
});
after(async () => t.close());

const asOpenApiPath = (url: string) => url.replace(/:([A-Za-z]+)/g, '{$1}');

test('the OpenAPI document lists every registered API route, and nothing that is not one', async () => {
  const doc = (await t.app.inject({ url: '/api/openapi.json' })).json();
  const documented = Object.entries(doc.paths as Record<string, Record<string, unknown>>).flatMap(([p, ops]) =>
    Object.keys(ops).map((m) => `${m.toUpperCase()} ${p}`),
  );
  const registered = t.app.routeMap
    .filter((r) => r.url.startsWith('/api/v1/'))
    .flatMap((r) =>
      r.method
        .split(',')
        .filter((m) => m !== 'HEAD')
        .map((m) => `${m} ${asOpenApiPath(r.url)}`),
    );
  assert.ok(registered.length > 30, `the API has its routes (${registered.length})`);
  assert.deepEqual([...new Set(documented)].sort(), [...new Set(registered)].sort());
});

test('every API operation says what it does, what it answers, and whether it needs a token', async () => {
  const doc = (await t.app.inject({ url: '/api/openapi.json' })).json();
  const publicRoutes = new Set(
    t.app.routeMap.filter((r) => r.url.startsWith('/api/v1/') && r.access === 'public').map((r) => `${r.method} ${asOpenApiPath(r.url)}`),
  );
  type Operation = {
    summary?: string;
    responses?: Record<string, unknown>;
    security?: unknown[];
    parameters?: unknown[];
    requestBody?: unknown;
  };
  for (const [p, ops] of Object.entries(doc.paths as Record<string, Record<string, Operation>>)) {
    for (const [method, op] of Object.entries(ops)) {
      const name = `${method.toUpperCase()} ${p}`;
      assert.ok(op.summary && op.summary.length > 10, `${name} has a summary`);
      assert.ok(
        Object.keys(op.responses ?? {}).some((code) => /^2\d\d$/.test(code)),
        `${name} documents its success response`,
      );
      // Anything that takes input or a token can be refused, and says how.
      const refusable = !publicRoutes.has(name) || op.parameters?.length || op.requestBody;
      if (refusable)
        assert.ok(
          Object.keys(op.responses ?? {}).some((code) => /^4\d\d$/.test(code)),
          `${name} documents its problems`,
        );
      if (publicRoutes.has(name)) assert.deepEqual(op.security, [], `${name} needs no token`);
      else assert.equal(op.security, undefined, `${name} uses the document's bearer token`);
    }
  }
  assert.deepEqual(doc.security, [{ bearer: [] }]);
});
