import { flags } from '../../lib/route-schemas.ts';
import type { App } from '../../plugins/types.ts';

export function homeRoutes(
  app: App,
  deps: {
    databaseIsUp: () => Promise<boolean>;
    demoAccounts: () => Promise<{ email: string; role: string; name: string }[]>;
    emailTrouble: () => Promise<{ waiting: number; failed: number }>;
  },
) {
  app.get('/', { schema: { querystring: flags('signedOut') }, config: { access: 'public' } }, async (request, reply) => {
    const signedOut = request.query.signedOut === '1';
    // Staff and admins see at once when emails are not getting through.
    const staff = request.person && (request.person.role === 'admin' || request.person.role === 'staff');
    const emailTrouble = staff ? await deps.emailTrouble() : null;
    return reply.view('home/views/home.njk', {
      title: 'Home',
      signedOut,
      demoAccounts: await deps.demoAccounts(),
      emailTrouble,
      isAdmin: request.person?.role === 'admin',
    });
  });
  app.get('/accessibility', { config: { access: 'public' } }, async (_request, reply) =>
    reply.view('home/views/accessibility.njk', { title: 'Accessibility statement' }),
  );
  app.get('/privacy', { config: { access: 'public' } }, async (_request, reply) =>
    reply.view('home/views/privacy.njk', { title: 'Privacy notice' }),
  );

  app.get('/health', { config: { access: 'public', api: true } }, async (_request, reply) => {
    if (await deps.databaseIsUp()) return reply.send({ status: 'ok', database: 'ok' });
    return reply.status(503).send({ status: 'unavailable', database: 'unreachable' });
  });
}
