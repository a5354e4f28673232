import path from 'node:path';
import type { FastifyInstance, FastifyReply } from 'fastify';
import nunjucks from 'nunjucks';
import type { Config } from '../config.ts';
import type { Role } from '../db/schema.ts';
import { joinGzip, pieceFor } from '../lib/gzip-join.ts';
import { collectingKept, cutAtMarks, KeptHtml, markKept } from '../lib/kept-html.ts';
import { assetUrl, chooseEncoding } from './assets.ts';
import { sendPage } from './page-cache.ts';
import { FragmentExtension, keepImportedMacros } from './view-fragments.ts';
import { rootDir, srcDir } from './paths.ts';

export { rootDir, srcDir };

export function createViewEnvironment(config: Pick<Config, 'branding' | 'demo' | 'env'>) {
  const env = nunjucks.configure(
    [path.join(srcDir, 'views'), path.join(srcDir, 'modules'), path.join(rootDir, 'node_modules/nhsuk-frontend/dist')],
    { autoescape: true, throwOnUndefined: false, noCache: config.env === 'development' },
  );
  env.addExtension('fragment', new FragmentExtension());
  keepImportedMacros();
  env.addGlobal('branding', config.branding);
  env.addGlobal('demo', config.demo);
  // `staticUrl('app.css')`: the fingerprinted, long-cached URL of a stylesheet or script.
  env.addGlobal('staticUrl', assetUrl);
  env.addFilter('dateTime', (value: Date | string | null | undefined) => {
    if (!value) return '';
    const d = typeof value === 'string' ? new Date(value) : value;
    return new Intl.DateTimeFormat('en-GB', { dateStyle: 'long', timeStyle: 'short', timeZone: 'Europe/London' }).format(d);
  });
  env.addFilter('json', (value: unknown) => JSON.stringify(value, null, 2));
  return env;
}

interface NavItem {
  href: string;
  text: string;
  current?: boolean;
}

/** The header menu: staff tools for staff and admins, nothing extra for anyone else. */
function navigationFor(role: Role | undefined, demo: boolean, currentPath: string): NavItem[] {
  const items: NavItem[] = [
    { href: '/events', text: 'Events' },
    { href: '/programmes', text: 'Programmes' },
    { href: '/conversations', text: 'Team chats' },
    { href: '/stories', text: 'Stories' },
    { href: '/boards', text: 'Boards' },
    { href: '/you-said-we-did', text: 'You said, we did' },
  ];
  // Anyone signed in may be paid for their time: their claims are theirs to see.
  if (role) items.push({ href: '/claims', text: 'Your claims' });
  if (role === 'facilitator') items.push({ href: '/manage/events', text: 'Manage events' });
  if (role !== 'admin' && role !== 'staff') return mark(items, currentPath);
  items.unshift({ href: '/work', text: 'Your work' });
  items.push(
    { href: '/manage/events', text: 'Manage events' },
    { href: '/manage/programmes', text: 'Manage programmes' },
    { href: '/manage/forms', text: 'Forms' },
    { href: '/manage/conversations', text: 'Manage team chats' },
    { href: '/manage/stories', text: 'Moderate stories' },
    { href: '/manage/boards', text: 'Manage boards' },
    { href: '/manage/changes', text: 'Record changes' },
    { href: '/manage/claims', text: 'Claims' },
    { href: '/people', text: 'People' },
    { href: '/erasure-requests', text: 'Erasure requests' },
    { href: '/audit', text: 'Audit log' },
    { href: '/manage/page-feedback', text: 'Page feedback' },
  );
  if (role === 'admin') {
    items.push({ href: '/admin/api-tokens', text: 'API tokens' }, { href: '/admin/emails', text: 'Emails' });
    if (demo) items.push({ href: '/outbox', text: 'Outbox' });
  }
  return mark(items, currentPath);
}

const mark = (items: NavItem[], currentPath: string) =>
  items.map((i) => ({ ...i, current: currentPath === i.href || currentPath.startsWith(`${i.href}/`) }));

/** `reply.view(template, context)`: renders a page with what every page needs. */
export function registerViews(app: FastifyInstance, env: nunjucks.Environment, demo: boolean) {
  // `reply.fragment(template, context)`: a part of a page as a string, with only what is the
  // same for every viewer (no person, no token), so it may be kept and shown to others.
  app.decorateReply('fragment', function fragment(this: FastifyReply, template: string, context: Record<string, unknown> = {}) {
    return env.render(template, context);
  });
  app.decorateReply('view', function view(this: FastifyReply, template: string, given: Record<string, unknown> = {}) {
    const request = this.request;
    const currentPath = request.url.split('?')[0] ?? '/';
    const { context, kept } = markKept(given);
    const html = collectingKept(kept, () =>
      env.render(template, {
        person: request.person,
        csrfToken: request.csrfToken,
        // `csrfFor('/people/' ~ id ~ '/role')`: the token for a form whose route is `csrfBound`.
        csrfFor: (actionPath: string) => request.csrfTokenFor(actionPath),
        currentPath,
        currentUrl: request.url.replace(/([?&])feedback=[a-z]+&?/, '$1').replace(/[?&]$/, ''),
        feedbackState: /[?&]feedback=(thanks|more)\b/.exec(request.url)?.[1] ?? null,
        navItems: navigationFor(request.person?.role, demo, currentPath),
        ...context,
      }),
    );
    if (!kept.length) return sendPage(request, this, html);
    const parts = cutAtMarks(html, kept);
    // A public page is kept whole (page-cache.ts); anyone else's is joined from kept pieces,
    // compressed, as gzip: brotli streams cannot be joined. What is made for this viewer alone is
    // small, and sent as it is or compressed quickly; the kept pieces were compressed hard, once.
    if (request.pageCache || !chooseEncoding(request.headers['accept-encoding'], ['gzip']))
      return sendPage(request, this, parts.map((p) => (p instanceof KeptHtml ? p.html : p)).join(''));
    return this.type(HTML)
      .header('content-encoding', 'gzip')
      .header('vary', 'accept-encoding')
      .send(joinGzip(parts.map((p) => (p instanceof KeptHtml ? p.piece : pieceFor(p)))));
  });
}

const HTML = 'text/html; charset=utf-8';
