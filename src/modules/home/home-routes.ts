import { flags } from '../../lib/route-schemas.ts';
import { isStaff } from '../../plugins/access.ts';
import type { App } from '../../plugins/types.ts';
import type { WorkService } from './work-service.ts';

export function homeRoutes(
  app: App,
  deps: {
    databaseIsUp: () => Promise<boolean>;
    demoAccounts: () => Promise<{ email: string; role: string; name: string }[]>;
    emailTrouble: () => Promise<{ waiting: number; failed: number }>;
    work: WorkService;
  },
) {
  app.get('/', { schema: { querystring: flags('signedOut') }, config: { access: 'public', publicPage: true } }, async (request, reply) => {
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
      isStaff: !!staff,
    });
  });
  // Staff land here after signing in: what is coming up and what waits for them. Anyone else
  // signed in has no such page and goes to their account.
  app.get('/work', { config: { access: 'signed-in' } }, async (request, reply) => {
    const person = request.person!;
    if (!isStaff({ personId: person.id, role: person.role })) return reply.redirect('/account', 303);
    const [work, emailTrouble] = await Promise.all([deps.work.overview(), deps.emailTrouble()]);
    return reply.view('home/views/work.njk', { title: 'Your work', ...work, emailTrouble, isAdmin: person.role === 'admin' });
  });

  app.get('/accessibility', { config: { access: 'public', publicPage: true } }, async (_request, reply) =>
    reply.view('home/views/accessibility.njk', { title: 'Accessibility statement' }),
  );
  app.get('/privacy', { config: { access: 'public', publicPage: true } }, async (_request, reply) =>
    reply.view('home/views/privacy.njk', { title: 'Privacy notice' }),
  );

  app.get('/health', { config: { access: 'public', api: true } }, async (_request, reply) => {
    if (await deps.databaseIsUp()) return reply.send({ status: 'ok', database: 'ok' });
    return reply.status(503).send({ status: 'unavailable', database: 'unreachable' });
  });
}
