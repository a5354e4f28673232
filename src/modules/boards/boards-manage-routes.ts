import { randomUUID } from 'node:crypto';
import type { FastifyReply } from 'fastify';
import { z } from 'zod';
import { BOARD_ROLES, type Board } from '../../db/schema.ts';
import { londonDay } from '../../lib/dates.ts';
import { failureView, formCycle } from '../../lib/form-cycle.ts';
import { summaryFailure, type FormFailure } from '../../lib/forms.ts';
import { flags, idParams } from '../../lib/route-schemas.ts';
import { actorOf } from '../../plugins/access.ts';
import type { App } from '../../plugins/types.ts';
import type { PeopleService } from '../people/people-service.ts';
import { bodyOf, dateIds, keyOf, STAFF } from './boards-manage-forms.ts';
import { boardFormSchema, endTermFormSchema, memberFormSchema, ROLE_LABELS } from './boards-schemas.ts';
import type { BoardsService } from './boards-service.ts';
import { boardMixView, meetingView, roleLabel } from './boards-view.ts';

const searchQuery = z.object({ q: z.string().trim().max(100).optional().catch(undefined) });
const personQuery = z.object({ person: z.string().max(100).optional().catch(undefined) });
/** Day, month and year boxes for a stored day. */
const dayBoxes = (prefix: string, iso: string | null | undefined) => {
  if (!iso) return {};
  const [y, m, d] = iso.split('-');
  return { [`${prefix}[day]`]: String(Number(d)), [`${prefix}[month]`]: String(Number(m)), [`${prefix}[year]`]: y };
};

/** Staff set up boards and their members; the meetings' pages are in meetings-manage-routes.ts. */
export function boardsManageRoutes(app: App, deps: { boards: BoardsService; people: Pick<PeopleService, 'list' | 'get'> }) {
  const { boards } = deps;

  app.get('/manage/boards', { config: STAFF }, async (_request, reply) => {
    const list = await boards.list();
    return reply.view('boards/views/manage-list.njk', {
      title: 'Boards',
      boards: list.map((o) => ({
        id: o.board.id,
        name: o.board.name,
        published: o.board.published,
        members: o.total,
        livedShare: o.livedShare,
        warnings: o.warnings,
      })),
    });
  });

  // ---- a board ------------------------------------------------------------------------------------
  const boardForm = (reply: FastifyReply, ctx: { board?: Board; values: Record<string, unknown>; failure?: FormFailure }, status = 200) =>
    reply.status(status).view('boards/views/board-form.njk', {
      title: ctx.board ? `Change ${ctx.board.name}` : 'Create a board',
      action: ctx.board ? `/manage/boards/${ctx.board.id}/edit` : '/manage/boards/new',
      back: ctx.board ? `/manage/boards/${ctx.board.id}` : '/manage/boards',
      values: ctx.values,
      ...failureView(ctx.failure),
    });

  app.get('/manage/boards/new', { config: STAFF }, async (_request, reply) =>
    boardForm(reply, { values: { livedTarget: '50', papersDaysBefore: '7', submissionKey: randomUUID() } }),
  );
  app.post('/manage/boards/new', { config: STAFF }, async (request, reply) =>
    formCycle(reply, {
      schema: boardFormSchema,
      body: request.body,
      run: (data) => boards.create(actorOf(request), data, { submissionKey: keyOf(request.body) }),
      redirect: (b) => `/manage/boards/${b.id}?created=1`,
      again: (failure, status) => boardForm(reply, { values: bodyOf(request.body), failure }, status),
    }),
  );

  app.get(
    '/manage/boards/:id',
    {
      config: STAFF,
      schema: { params: idParams, querystring: flags('created', 'saved', 'published', 'unpublished', 'added', 'ended', 'removed') },
    },
    async (request, reply) => {
      const o = await boards.overview(request.params.id);
      const meetings = await boards.meetingsOf(o.board.id);
      return reply.view('boards/views/manage-board.njk', {
        title: o.board.name,
        board: o.board,
        flags: request.query,
        mix: boardMixView(o),
        warnings: o.warnings,
        members: o.members.map((m) => ({
          id: m.id,
          name: m.name,
          role: roleLabel(m.role),
          experience: m.experience === 'both' ? 'Both' : m.experience === 'lived' ? 'Lived experience' : 'Professional',
          term: `${m.termFrom} to ${m.termTo ?? 'no end date'}`,
          current: m.current,
          shown: m.shownPublicly ? 'Yes' : 'No',
        })),
        meetings: meetings.map((m) => meetingView(m)).reverse(),
      });
    },
  );

  app.get('/manage/boards/:id/edit', { config: STAFF, schema: { params: idParams } }, async (request, reply) => {
    const b = await boards.get(request.params.id);
    return boardForm(reply, {
      board: b,
      values: {
        name: b.name,
        purpose: b.purpose,
        easyReadPurpose: b.easyReadPurpose ?? '',
        livedTarget: String(b.livedTarget),
        papersDaysBefore: String(b.papersDaysBefore),
      },
    });
  });
  app.post('/manage/boards/:id/edit', { config: STAFF, schema: { params: idParams } }, async (request, reply) => {
    const b = await boards.get(request.params.id);
    return formCycle(reply, {
      schema: boardFormSchema,
      body: request.body,
      run: (data) => boards.update(actorOf(request), b.id, data),
      redirect: () => `/manage/boards/${b.id}?saved=1`,
      again: (failure, status) => boardForm(reply, { board: b, values: bodyOf(request.body), failure }, status),
    });
  });
  for (const verb of ['publish', 'unpublish'] as const)
    app.post(`/manage/boards/:id/${verb}`, { config: STAFF, schema: { params: idParams } }, async (request, reply) => {
      await boards.setPublished(actorOf(request), request.params.id, verb === 'publish');
      return reply.redirect(`/manage/boards/${request.params.id}?${verb}ed=1`, 303);
    });

  // ---- members ------------------------------------------------------------------------------------
  app.get(
    '/manage/boards/:id/members/add',
    { config: STAFF, schema: { params: idParams, querystring: searchQuery } },
    async (request, reply) => {
      const b = await boards.get(request.params.id);
      const q = request.query.q ?? '';
      return reply.view('boards/views/add-member.njk', {
        title: `Add someone to ${b.name}`,
        board: b,
        q,
        found: q
          ? (await deps.people.list({ search: q, limit: 20 })).map((p) => ({ id: p.id, name: p.name, organisation: p.organisation }))
          : [],
      });
    },
  );

  const memberForm = async (
    reply: FastifyReply,
    boardId: string,
    personId: string,
    values: Record<string, unknown>,
    failure?: FormFailure,
    status = 200,
  ) => {
    const b = await boards.get(boardId);
    const person = await deps.people.get(personId);
    return reply.status(status).view('boards/views/member-form.njk', {
      title: `Add ${person.name} to ${b.name}`,
      board: b,
      person: { id: person.id, name: person.name },
      values,
      roleItems: BOARD_ROLES.map((r) => ({ value: r, text: ROLE_LABELS[r] })),
      ...failureView(failure),
    });
  };
  app.get(
    '/manage/boards/:id/members/new',
    { config: STAFF, schema: { params: idParams, querystring: personQuery } },
    async (request, reply) =>
      memberForm(reply, request.params.id, request.query.person ?? '', { role: 'member', ...dayBoxes('from', londonDay(new Date())) }),
  );
  app.post('/manage/boards/:id/members/new', { config: STAFF, schema: { params: idParams } }, async (request, reply) => {
    const body = bodyOf(request.body);
    const personId = String(body.personId ?? '');
    return formCycle(reply, {
      schema: memberFormSchema,
      body,
      options: { idFor: dateIds },
      run: (data) => boards.addMember(actorOf(request), request.params.id, data),
      redirect: () => `/manage/boards/${request.params.id}?added=1`,
      again: (failure, status) => memberForm(reply, request.params.id, personId, body, failure, status),
      conflict: (err) => summaryFailure(err.message, '#role'),
    });
  });

  const memberPage = async (
    reply: FastifyReply,
    memberId: string,
    values: Record<string, unknown>,
    failure?: FormFailure,
    status = 200,
  ) => {
    const m = await boards.getMember(memberId);
    const b = await boards.get(m.boardId);
    return reply.status(status).view('boards/views/member.njk', {
      title: `${m.name} on ${b.name}`,
      board: b,
      member: { id: m.id, name: m.name, role: roleLabel(m.role), term: `${m.termFrom} to ${m.termTo ?? 'no end date'}` },
      values,
      ...failureView(failure),
    });
  };
  app.get('/manage/board-members/:id', { config: STAFF, schema: { params: idParams } }, async (request, reply) =>
    memberPage(reply, request.params.id, dayBoxes('to', londonDay(new Date()))),
  );
  app.post('/manage/board-members/:id/end', { config: STAFF, schema: { params: idParams } }, async (request, reply) =>
    formCycle(reply, {
      schema: endTermFormSchema,
      body: request.body,
      options: { idFor: dateIds },
      run: (data) => boards.endTerm(actorOf(request), request.params.id, data.to),
      redirect: (m) => `/manage/boards/${m.boardId}?ended=1`,
      again: (failure, status) => memberPage(reply, request.params.id, bodyOf(request.body), failure, status),
      conflict: (err) => summaryFailure(err.message, '#to-day'),
    }),
  );
  app.post('/manage/board-members/:id/remove', { config: STAFF, schema: { params: idParams } }, async (request, reply) => {
    const m = await boards.removeMember(actorOf(request), request.params.id);
    return reply.redirect(`/manage/boards/${m.boardId}?removed=1`, 303);
  });
}
