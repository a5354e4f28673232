import { parseForm } from '../../lib/forms.ts';
import { NotFoundError } from '../../lib/validation.ts';
import { apiTokenFormSchema } from '../auth/auth-schemas.ts';
import type { AuthService } from '../auth/auth-service.ts';
import type { EmailService } from '../email/email-service.ts';
import { readOutbox, readOutboxMessage } from '../email/outbox.ts';
import { flags, idParams } from '../../lib/route-schemas.ts';
import type { App } from '../../plugins/types.ts';

const adminOnly = { access: ['admin'] as const };

/** Organisation admin tools: API tokens, and in demo mode the outbox of emails not sent. */
export function adminRoutes(
  app: App,
  deps: { auth: AuthService; email: EmailService; emailRetryHours: number; outboxDir: string; showOutbox: boolean },
) {
  const { auth } = deps;

  // Emails the mail server has not taken yet: why, and a way to send one again.
  app.get('/admin/emails', { schema: { querystring: flags('sent') }, config: adminOnly }, async (request, reply) => {
    const [emails, counts] = await Promise.all([deps.email.troubled(), deps.email.countTroubled()]);
    const sent = request.query.sent === '1';
    return reply.view('admin/views/emails.njk', {
      title: 'Emails not sent yet',
      emails,
      counts,
      retryHours: deps.emailRetryHours,
      banner: sent ? 'Sending it again now. If the mail server still does not take it, it stays on this list.' : null,
    });
  });

  app.post('/admin/emails/:id/send', { schema: { params: idParams }, config: adminOnly }, async (request, reply) => {
    await deps.email.sendAgain(request.params.id);
    return reply.redirect('/admin/emails?sent=1', 303);
  });

  const tokensPage = async (extra: Record<string, unknown> = {}) => ({
    title: 'API tokens',
    tokens: await auth.listApiTokens(),
    values: {},
    errors: {},
    ...extra,
  });

  app.get('/admin/api-tokens', { schema: { querystring: flags('revoked') }, config: adminOnly }, async (request, reply) => {
    const revoked = request.query.revoked === '1';
    return reply.view('admin/views/api-tokens.njk', await tokensPage({ banner: revoked ? 'Token revoked. It stops working now.' : null }));
  });

  app.post('/admin/api-tokens', { config: adminOnly }, async (request, reply) => {
    const form = parseForm(apiTokenFormSchema, request.body);
    if (!form.ok) return reply.status(400).view('admin/views/api-tokens.njk', await tokensPage({ values: request.body, ...form }));
    const token = await auth.createApiToken(request.person!.id, request.person!.id, form.data.name);
    // Shown once, never stored in clear; the page must not be cached.
    reply.header('cache-control', 'no-store');
    return reply.view('admin/views/api-token-created.njk', { title: 'Your new API token', token, name: form.data.name });
  });

  app.post('/admin/api-tokens/:id/revoke', { schema: { params: idParams }, config: adminOnly }, async (request, reply) => {
    await auth.revokeApiToken(request.person!.id, request.params.id);
    return reply.redirect('/admin/api-tokens?revoked=1', 303);
  });

  if (!deps.showOutbox) return;

  app.get('/outbox', { config: adminOnly }, async (_request, reply) =>
    reply.view('admin/views/outbox.njk', { title: 'Outbox', messages: await readOutbox(deps.outboxDir) }),
  );

  app.get<{ Params: { file: string } }>('/outbox/:file', { config: adminOnly }, async (request, reply) => {
    const message = await readOutboxMessage(deps.outboxDir, request.params.file);
    if (!message) throw new NotFoundError();
    return reply.view('admin/views/outbox-message.njk', { title: message.subject || 'Email', message });
  });
}
