import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { DECISION_STATUSES, type DecisionStatus } from '../../db/schema.ts';
import { failureView, formCycle } from '../../lib/form-cycle.ts';
import { asTyped, summaryFailure, type FormFailure } from '../../lib/forms.ts';
import { flags, idParams } from '../../lib/route-schemas.ts';
import { actorOf } from '../../plugins/access.ts';
import type { App } from '../../plugins/types.ts';
import { personFormOptions } from '../people/people-view.ts';
import { NEXT_STATUSES, replyFormSchema, statusFormSchema, STATUS_LABELS } from './boards-schemas.ts';
import type { BoardsService } from './boards-service.ts';
import { agendaView, decisionView, meetingView, roleLabel } from './boards-view.ts';

const PUBLIC = { access: 'public' as const };
const SIGNED_IN = { access: 'signed-in' as const };
const optionalId = z
  .string()
  .regex(/^[0-9a-f-]{36}$/i)
  .optional()
  .catch(undefined);
const readQuery = z.object({ read: z.enum(['easy', 'plain']).optional().catch(undefined) });
const signedQuery = z.object({
  person: optionalId,
  token: z.string().max(200).optional().catch(undefined),
  saved: z.string().max(3).optional().catch(undefined),
});
const actionsQuery = z.object({
  status: z.enum(DECISION_STATUSES).optional().catch(undefined),
  owner: optionalId,
});

const dueBoxes = (iso: string | null) => {
  if (!iso) return {};
  const [y, m, d] = iso.split('-');
  return { 'due[day]': String(Number(d)), 'due[month]': String(Number(m)), 'due[year]': y };
};

/** A file name for the content-disposition header: plain ASCII, and the real name for readers that take it. */
const disposition = (name: string) =>
  `inline; filename="${name.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '')}"; filename*=UTF-8''${encodeURIComponent(name)}`;

/**
 * The public board pages, members' own view of their boards (papers, easy read, their actions),
 * the reply page the papers email links to, papers themselves, and moving actions on.
 */
export function boardsPublicRoutes(app: App, deps: { boards: BoardsService }) {
  const { boards } = deps;

  app.get('/boards', { config: PUBLIC }, async (request, reply) => {
    const [published, mine] = await Promise.all([
      boards.publicList(),
      request.person ? boards.myBoards(request.person.id) : Promise.resolve([]),
    ]);
    return reply.view('boards/views/boards.njk', {
      title: 'Boards',
      boards: published.map((b) => ({ id: b.id, name: b.name, purpose: b.purpose, easyReadPurpose: b.easyReadPurpose })),
      mine: mine.map((b) => ({ id: b.id, name: b.name, role: roleLabel(b.role), coChair: b.role === 'co_chair' })),
    });
  });

  app.get('/boards/:id', { config: PUBLIC, schema: { params: idParams } }, async (request, reply) => {
    const p = await boards.publicBoard(request.params.id);
    const member = request.person ? await boards.roleOn(p.board.id, request.person.id) : null;
    return reply.view('boards/views/board.njk', {
      title: p.board.name,
      board: { id: p.board.id, name: p.board.name, purpose: p.board.purpose, easyReadPurpose: p.board.easyReadPurpose },
      members: p.members.map((m) => ({ name: m.name, role: roleLabel(m.role) })),
      upcoming: p.upcoming.map((m) => {
        const v = meetingView(m);
        return { title: v.title, when: v.when, where: v.where, formatLabel: v.formatLabel, facts: v.facts };
      }),
      minutes: p.minutes.map((m) => ({
        title: m.title,
        when: meetingView(m).when,
        minutes: m.minutes,
        easyReadMinutes: m.easyReadMinutes,
      })),
      decisions: p.decisions.map((d) => {
        const v = decisionView(d);
        return {
          kind: v.kind,
          text: v.text,
          easyRead: v.easyRead,
          statusText: v.statusText,
          statusTag: v.statusTag,
          meetingTitle: v.meetingTitle,
        };
      }),
      isMember: !!member,
    });
  });

  // ---- members' own view ---------------------------------------------------------------------------
  app.get('/boards/:id/meetings', { config: SIGNED_IN, schema: { params: idParams, querystring: readQuery } }, async (request, reply) => {
    const actor = actorOf(request);
    const v = await boards.memberView(actor, request.params.id);
    const easy = request.query.read === 'easy';
    return reply.view('boards/views/member-board.njk', {
      title: easy ? `${v.board.name}: your meetings (easy read)` : `${v.board.name}: your meetings`,
      easy,
      board: {
        id: v.board.id,
        name: v.board.name,
        purpose: easy && v.board.easyReadPurpose ? v.board.easyReadPurpose : v.board.purpose,
      },
      roleText: v.role ? roleLabel(v.role) : 'Staff',
      coChair: v.role === 'co_chair',
      meetings: v.meetings.map((m) => {
        const mv = meetingView(m);
        return {
          ...mv,
          replyText:
            m.reply?.reply === 'coming' ? 'You said you are coming' : m.reply?.reply === 'not_coming' ? 'You said you cannot come' : null,
          replyHref: `/meetings/${m.id}/reply`,
          agenda: m.agenda.map((a) => {
            const av = agendaView(a, `/papers/${a.id}`);
            // In easy read, the easy-read line stands in place of the plain title.
            return { ...av, shown: easy && av.easyRead ? av.easyRead : av.title, extra: easy ? null : av.easyRead };
          }),
        };
      }),
      actions: v.actions.map((d) => {
        const dv = decisionView(d);
        return { ...dv, shown: easy && dv.easyRead ? dv.easyRead : dv.text };
      }),
    });
  });

  app.get('/boards/:id/actions', { config: SIGNED_IN, schema: { params: idParams, querystring: actionsQuery } }, async (request, reply) => {
    const filter = { status: request.query.status, ownerId: request.query.owner };
    const a = await boards.actionsOf(actorOf(request), request.params.id, filter);
    return reply.view('boards/views/actions.njk', {
      title: `Decisions and actions: ${a.board.name}`,
      board: { id: a.board.id, name: a.board.name },
      decisions: a.decisions.map((d) => decisionView(d)),
      filtered: !!(filter.status || filter.ownerId),
      statusItems: [
        { value: '', text: 'Any status' },
        ...DECISION_STATUSES.map((s) => ({ value: s, text: STATUS_LABELS[s], selected: s === filter.status })),
      ],
      ownerItems: [
        { value: '', text: 'Anyone' },
        ...a.ownerChoices.map((o) => ({ value: o.id, text: o.name, selected: o.id === filter.ownerId })),
      ],
    });
  });

  // ---- one decision, and moving it on ------------------------------------------------------------------
  const decisionPage = async (request: FastifyRequest, reply: FastifyReply, id: string, failure?: FormFailure, status = 200) => {
    const actor = actorOf(request);
    const d = await boards.decisionFor(actor, id);
    const body = (request.body ?? {}) as Record<string, unknown>;
    const staff = actor.role === 'admin' || actor.role === 'staff';
    return reply.status(status).view('boards/views/decision.njk', {
      title: d.decision.kind === 'decision' ? 'A decision' : 'An action',
      board: { id: d.board.id, name: d.board.name },
      decision: decisionView(d.decision, d.updates),
      due: dueBoxes(d.decision.dueOn),
      owner: d.decision.ownerId ?? '',
      mayMove: d.mayMove,
      staff,
      flags: (request.query ?? {}) as Record<string, string | undefined>,
      // Only the moves allowed from here: done and dropped can only be reopened.
      statusItems: NEXT_STATUSES[d.decision.status].map((s) => ({
        value: s,
        text:
          s === 'open' && (d.decision.status === 'done' || d.decision.status === 'dropped') ? 'Open again (reopen it)' : STATUS_LABELS[s],
        checked: body.status === s,
      })),
      values: { note: body.note ?? '' },
      from: d.decision.status,
      ...failureView(failure),
    });
  };
  app.get(
    '/decisions/:id',
    { config: SIGNED_IN, schema: { params: idParams, querystring: flags('moved', 'saved', 'error') } },
    async (request, reply) => decisionPage(request, reply, request.params.id),
  );
  app.post('/decisions/:id/status', { config: SIGNED_IN, schema: { params: idParams } }, async (request, reply) => {
    const from = (request.body as Record<string, unknown> | undefined)?.from;
    const expectedFrom = DECISION_STATUSES.includes(from as DecisionStatus) ? (from as DecisionStatus) : undefined;
    return formCycle(reply, {
      schema: statusFormSchema,
      body: request.body,
      run: (data) => boards.moveDecision(actorOf(request), request.params.id, data, { expectedFrom }),
      redirect: () => `/decisions/${request.params.id}?moved=1`,
      again: (failure, status) => decisionPage(request, reply, request.params.id, failure, status),
      conflict: (err) => summaryFailure(err.message, '#status'),
    });
  });

  // ---- papers ---------------------------------------------------------------------------------------
  app.get('/papers/:id', { config: PUBLIC, schema: { params: idParams, querystring: signedQuery } }, async (request, reply) => {
    const actor = request.person ? actorOf(request) : null;
    const paper = await boards.paper(request.params.id, { actor, personId: request.query.person, token: request.query.token });
    return reply
      .type(paper.contentType)
      .header('content-disposition', disposition(paper.name))
      .header('x-content-type-options', 'nosniff')
      .send(paper.data);
  });

  // ---- the reply page ---------------------------------------------------------------------------------
  const replyPage = async (request: FastifyRequest, reply: FastifyReply, meetingId: string, failure?: FormFailure, status = 200) => {
    const q = (request.query ?? {}) as z.infer<typeof signedQuery>;
    const body = (request.body ?? {}) as Record<string, unknown>;
    const personId = (typeof body.person === 'string' ? body.person : q.person) ?? request.person?.id ?? '';
    const token = (typeof body.token === 'string' ? body.token : q.token) ?? '';
    const c = await boards.replyContext(meetingId, { personId, token, actor: request.person ? actorOf(request) : null });
    // Never the person's profile, and their earlier reply only when they are signed in as themselves:
    // a link may have been forwarded, and access needs are special-category data.
    const values =
      request.body && !c.notOnBoard
        ? asTyped(body, ['accessNeeds'])
        : c.reply?.repliedAt
          ? { reply: c.reply.reply ?? '', accessNeeds: c.reply.accessNeeds, accessNotes: c.reply.accessNotes ?? '' }
          : { reply: '', accessNeeds: [], accessNotes: '' };
    const m = meetingView(c.meeting);
    return reply.status(status).view('boards/views/reply.njk', {
      title: `Are you coming? ${c.meeting.title}`,
      board: { name: c.board.name },
      meeting: { ...m, joinUrl: undefined },
      // Papers are linked for the person the link is for, so they open without signing in.
      agenda: c.agenda.map((a) => agendaView(a, boards.signedPaperPath(a.id, c.person.id))),
      person: { id: c.person.id, name: c.person.name },
      token,
      values,
      options: personFormOptions,
      saved: q.saved === '1',
      closed: m.cancelled || m.past,
      notOnBoard: c.notOnBoard,
      // Through a link, what they told us before stays unshown (and the form starts blank).
      hiddenEarlier: !c.signedIn && c.hadReplied,
      ...failureView(failure),
    });
  };
  app.get('/meetings/:id/reply', { config: PUBLIC, schema: { params: idParams, querystring: signedQuery } }, async (request, reply) =>
    replyPage(request, reply, request.params.id),
  );
  app.post('/meetings/:id/reply', { config: PUBLIC, schema: { params: idParams, querystring: signedQuery } }, async (request, reply) => {
    const body = (request.body ?? {}) as Record<string, unknown>;
    const personId = typeof body.person === 'string' ? body.person : (request.person?.id ?? '');
    const token = typeof body.token === 'string' ? body.token : '';
    // The link's check comes first: a stranger's post is refused before anything is read from it.
    const c = await boards.replyContext(request.params.id, { personId, token, actor: request.person ? actorOf(request) : null });
    // Someone no longer on the board on the meeting's day: the page says so, and nothing is saved.
    if (c.notOnBoard) return replyPage(request, reply, request.params.id, undefined, 409);
    return formCycle(reply, {
      schema: replyFormSchema,
      body: { reply: body.reply, accessNeeds: body.accessNeeds, accessNotes: body.accessNotes },
      run: (data) => boards.saveReply(request.params.id, personId, data),
      redirect: () =>
        `/meetings/${request.params.id}/reply?saved=1${token ? `&person=${personId}&token=${encodeURIComponent(token)}` : ''}`,
      again: (failure, status) => replyPage(request, reply, request.params.id, failure, status),
      conflict: (err) => summaryFailure(err.message, '#reply'),
    });
  });
}
