import assert from 'node:assert/strict';
import { test } from 'node:test';
import Fastify from 'fastify';
import './types.ts';
import { registerAccess } from './access.ts';

test('a route that does not declare who may use it stops start-up', async () => {
  const app = Fastify();
  registerAccess(app, { authService: {} as never });
  assert.throws(() => app.get('/forgot', async () => 'x'), /does not declare who may use it/);
  app.get('/declared', { config: { access: 'public' } }, async () => 'ok');
  await app.ready();
  assert.equal((await app.inject({ url: '/declared' })).body, 'ok');
  await app.close();
});
