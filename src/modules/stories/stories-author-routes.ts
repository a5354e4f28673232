import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Story } from '../../db/schema.ts';
import { failureView } from '../../lib/form-cycle.ts';
import { parseForm, summaryFailure, type FormFailure } from '../../lib/forms.ts';
import { flags, idParams } from '../../lib/route-schemas.ts';
import { ConflictError, NotFoundError } from '../../lib/validation.ts';
import { actorOf } from '../../plugins/access.ts';
import type { App } from '../../plugins/types.ts';
import { changeStoryFormSchema, consentFormSchema, MAX_STORY, STORY_BODY_LIMIT } from './stories-schemas.ts';
import type { AuthorProof, StoriesService } from './stories-service.ts';
import { consentValues, consentView, dayText, paragraphs, rowView, STATUS_LABELS } from './stories-view.ts';
import { tooLongPage } from './stories-public-routes.ts';

const PUBLIC = { access: 'public' as const };
const SIGNED_IN = { access: 'signed-in' as const };
const tokenQuery = z.object({ token: z.string().max(200).optional().catch(undefined) });
const pageQuery = tokenQuery.extend(flags('saved', 'changed').shape);
const tokenOf = (body: unknown) => {
  const t = (body as Record<string, unknown> | undefined)?.token;
  return typeof t === 'string' && t.length <= 200 ? t : undefined;
};

/**
 * The author's own page, reached by the link in their email (a token) or signed in: their choices,
 * changing them, changing the story when staff asked, and withdrawing it. Anyone else gets 404.
 */
export function storiesAuthorRoutes(app: App, deps: { stories: StoriesService }) {
  const { stories } = deps;

  const proofOf = (request: FastifyRequest, token: string | undefined): AuthorProof | null =>
    token ? { token } : request.person ? { actor: actorOf(request) } : null;

  async function authorPage(
    request: FastifyRequest,
    reply: FastifyReply,
    id: string,
    token: string | undefined,
    extra: {
      consent?: Record<string, unknown>;
      change?: Record<string, unknown>;
      failure?: FormFailure;
      status?: number;
      banner?: string | null;
    } = {},
  ) {
    const by = proofOf(request, token);
    const found = by && (await stories.forAuthor(id, by));
    if (!found) throw new NotFoundError('No story with that id');
    const s: Story = found.story;
    return reply.status(extra.status ?? 200).view('stories/views/consent.njk', {
      title: `Your story: ${s.title}`,
      story: { ...rowView(s), paragraphs: paragraphs(s.body), withdrawnOn: dayText(s.withdrawnAt), publishedOn: dayText(s.publishedAt) },
      consent: consentView(s),
      values: extra.consent ?? consentValues(s),
      changeValues: extra.change ?? { title: s.title, body: s.body },
      askedFor: found.askedFor,
      takenDown: found.takenDown,
      token: token ?? '',
      max: MAX_STORY.toLocaleString('en-GB'),
      banner: extra.banner ?? null,
      ...failureView(extra.failure),
    });
  }

  const back = (id: string, token: string | undefined, flag: string) =>
    `/stories/${id}/consent?${token ? `token=${encodeURIComponent(token)}&` : ''}${flag}=1`;

  app.get('/stories/:id/consent', { schema: { params: idParams, querystring: pageQuery }, config: PUBLIC }, async (request, reply) => {
    const q = request.query;
    const banner = q.saved
      ? 'Thank you. Your choices are saved, and take effect now.'
      : q.changed
        ? 'Thank you. We will read your story again.'
        : null;
    return authorPage(request, reply, request.params.id, q.token, { banner });
  });

  app.post('/stories/:id/consent', { schema: { params: idParams }, config: PUBLIC }, async (request, reply) => {
    const token = tokenOf(request.body);
    const by = proofOf(request, token);
    if (!by) throw new NotFoundError('No story with that id');
    const form = parseForm(consentFormSchema, request.body);
    if (!form.ok)
      return authorPage(request, reply, request.params.id, token, { consent: { ...(request.body as object) }, failure: form, status: 400 });
    try {
      const s = await stories.setConsent(by, request.params.id, form.data);
      if (s.status === 'withdrawn')
        return reply.view('stories/views/withdrawn.njk', { title: 'Your story is withdrawn', story: rowView(s) });
    } catch (err) {
      if (err instanceof ConflictError)
        return authorPage(request, reply, request.params.id, token, { failure: summaryFailure(err.message, '#publish'), status: 409 });
      throw err;
    }
    return reply.redirect(back(request.params.id, token, 'saved'), 303);
  });

  app.post(
    '/stories/:id/change',
    { schema: { params: idParams }, config: PUBLIC, bodyLimit: STORY_BODY_LIMIT, errorHandler: tooLongPage },
    async (request, reply) => {
      const token = tokenOf(request.body);
      const by = proofOf(request, token);
      if (!by) throw new NotFoundError('No story with that id');
      const change = { ...(request.body as object) };
      const form = parseForm(changeStoryFormSchema, request.body);
      if (!form.ok) return authorPage(request, reply, request.params.id, token, { change, failure: form, status: 400 });
      try {
        await stories.change(by, request.params.id, form.data);
      } catch (err) {
        if (err instanceof ConflictError)
          return authorPage(request, reply, request.params.id, token, {
            change,
            failure: summaryFailure(err.message, '#body'),
            status: 409,
          });
        throw err;
      }
      return reply.redirect(back(request.params.id, token, 'changed'), 303);
    },
  );

  // Withdrawing: a page that asks "are you sure?", then the post that does it.
  async function confirmPage(request: FastifyRequest, reply: FastifyReply, id: string, token: string | undefined, action: string) {
    const by = proofOf(request, token);
    const found = by && (await stories.forAuthor(id, by));
    if (!found) throw new NotFoundError('No story with that id');
    return reply.view('stories/views/withdraw.njk', {
      title: 'Withdraw your story',
      story: rowView(found.story),
      token: token ?? '',
      action,
      cancelHref: token ? `/stories/${id}/consent?token=${encodeURIComponent(token)}` : '/account/stories',
    });
  }

  app.get('/stories/:id/withdraw', { schema: { params: idParams, querystring: tokenQuery }, config: PUBLIC }, (request, reply) =>
    confirmPage(request, reply, request.params.id, request.query.token, `/stories/${request.params.id}/withdraw`),
  );
  app.post('/stories/:id/withdraw', { schema: { params: idParams }, config: PUBLIC }, async (request, reply) => {
    const token = tokenOf(request.body);
    const by = proofOf(request, token);
    const found = by && (await stories.forAuthor(request.params.id, by));
    if (!by || !found) throw new NotFoundError('No story with that id');
    const s = await stories.withdraw(by, request.params.id);
    return reply.view('stories/views/withdrawn.njk', { title: 'Your story is withdrawn', story: rowView(s) });
  });

  // ---- My account --------------------------------------------------------------------------------
  app.get('/account/stories', { schema: { querystring: flags('withdrawn') }, config: SIGNED_IN }, async (request, reply) => {
    const mine = await stories.mine(request.person!.id);
    return reply.view('stories/views/mine.njk', {
      title: 'Your stories',
      stories: mine.map((s) => ({ ...rowView(s), canWithdraw: s.status !== 'withdrawn' })),
      statusLabels: STATUS_LABELS,
      banner: request.query.withdrawn ? 'Your story is withdrawn. It is no longer on our website or in any new report.' : null,
    });
  });
  app.get('/account/stories/:id/withdraw', { schema: { params: idParams }, config: SIGNED_IN }, (request, reply) =>
    confirmPage(request, reply, request.params.id, undefined, `/account/stories/${request.params.id}/withdraw`),
  );
  app.post('/account/stories/:id/withdraw', { schema: { params: idParams }, config: SIGNED_IN }, async (request, reply) => {
    const by = { actor: actorOf(request) };
    if (!(await stories.forAuthor(request.params.id, by))) throw new NotFoundError('No story with that id');
    await stories.withdraw(by, request.params.id);
    return reply.redirect('/account/stories?withdrawn=1', 303);
  });
}
