import { z } from 'zod';
import type { BoardMember } from '../../db/schema.ts';
import { idParams } from '../../lib/route-schemas.ts';
import { actorOf } from '../../plugins/access.ts';
import type { App } from '../../plugins/types.ts';
import { pageSchema, problems, requireJson, STAFF_API } from '../api/api-common.ts';
import {
  attendanceInputSchema,
  attendanceOutSchema,
  boardInputSchema,
  boardOutSchema,
  decisionInputSchema,
  decisionOutSchema,
  meetingInputSchema,
  meetingOutSchema,
  memberInputSchema,
  memberOutSchema,
  statusInputSchema,
} from './boards-schemas.ts';
import type { BoardOverview, BoardsService, MeetingWithVenue } from './boards-service.ts';
import type { AgendaItem, BoardDecision } from '../../db/schema.ts';

export const boardOut = (o: BoardOverview): z.infer<typeof boardOutSchema> => ({
  id: o.board.id,
  name: o.board.name,
  purpose: o.board.purpose,
  easyReadPurpose: o.board.easyReadPurpose,
  livedTarget: o.board.livedTarget,
  papersDaysBefore: o.board.papersDaysBefore,
  published: o.board.published,
  members: o.members.map((m) => ({
    id: m.id,
    personId: m.personId,
    name: m.name,
    role: m.role,
    experience: m.experience,
    from: m.termFrom,
    to: m.termTo,
    current: m.current,
    shownPublicly: m.shownPublicly,
  })),
  mix: o.mix,
  coChairs: o.coChairs,
  warnings: o.warnings,
});

const memberOut = (m: BoardMember): z.infer<typeof memberOutSchema> => ({
  id: m.id,
  boardId: m.boardId,
  personId: m.personId,
  role: m.role,
  from: m.termFrom,
  to: m.termTo,
  shownPublicly: m.shownPublicly,
});

const meetingOut = (m: MeetingWithVenue, agenda: AgendaItem[]): z.infer<typeof meetingOutSchema> => ({
  id: m.id,
  boardId: m.boardId,
  title: m.title,
  startsAt: m.startsAt.toISOString(),
  endsAt: m.endsAt.toISOString(),
  format: m.format,
  status: m.status,
  venue: m.venue
    ? {
        id: m.venue.id,
        name: m.venue.name,
        address: m.venue.address,
        postcode: m.venue.postcode,
        stepFree: m.venue.stepFree,
        hearingLoop: m.venue.hearingLoop,
        accessibleToilet: m.venue.accessibleToilet,
      }
    : null,
  joinUrl: m.joinUrl,
  papersSentAt: m.papersSentAt?.toISOString() ?? null,
  agenda: agenda.map((a) => ({
    id: a.id,
    position: a.position,
    title: a.title,
    easyRead: a.easyRead,
    paperUrl: a.paperUrl,
    hasPaperFile: !!a.paperKey,
    paperEasyRead: a.paperEasyRead,
  })),
});

const decisionOut = (d: BoardDecision): z.infer<typeof decisionOutSchema> => ({
  id: d.id,
  meetingId: d.meetingId,
  kind: d.kind,
  text: d.text,
  easyRead: d.easyRead,
  owner: d.ownerId,
  due: d.dueOn,
  status: d.status,
  published: d.published,
});

/** "Boards, meetings, decisions" of the v1 contract. */
export function boardsApiRoutes(app: App, deps: { boards: BoardsService }) {
  const { boards } = deps;

  app.post(
    '/api/v1/boards',
    {
      config: STAFF_API,
      preValidation: requireJson,
      schema: {
        summary: 'Create a board (unpublished): its name, purpose, easy read purpose, lived experience target and when papers go out',
        body: boardInputSchema,
        response: { 201: boardOutSchema, ...problems(400, 401, 403, 413, 415) },
      },
    },
    async (request, reply) => {
      const b = await boards.create(actorOf(request), request.body);
      return reply.status(201).send(boardOut(await boards.overview(b.id)));
    },
  );
  app.get(
    '/api/v1/boards',
    {
      config: STAFF_API,
      schema: {
        summary: 'Every board, by name, with its members and warnings',
        response: { 200: pageSchema(boardOutSchema), ...problems(401, 403) },
      },
    },
    async () => ({ items: (await boards.list()).map(boardOut), nextCursor: null }),
  );
  app.get(
    '/api/v1/boards/:id',
    {
      config: STAFF_API,
      schema: {
        summary:
          'A board: members with role and experience, the mix of co-chairs, and warnings (no co-chair with lived experience, mix below target)',
        params: idParams,
        response: { 200: boardOutSchema, ...problems(401, 403, 404) },
      },
    },
    async (request) => boardOut(await boards.overview(request.params.id)),
  );

  app.post(
    '/api/v1/boards/:id/members',
    {
      config: STAFF_API,
      preValidation: requireJson,
      schema: {
        summary: 'Add a person to a board with a role and a term; the same person and start again gives the same membership (200)',
        params: idParams,
        body: memberInputSchema,
        response: { 201: memberOutSchema, 200: memberOutSchema, ...problems(400, 401, 403, 404, 409, 415) },
      },
    },
    async (request, reply) => {
      const { member, created } = await boards.addMember(actorOf(request), request.params.id, request.body);
      return reply.status(created ? 201 : 200).send(memberOut(member));
    },
  );

  app.post(
    '/api/v1/boards/:id/meetings',
    {
      config: STAFF_API,
      preValidation: requireJson,
      schema: {
        summary: 'Add a meeting with its agenda: in person (a venue), online (a joining link) or both',
        params: idParams,
        body: meetingInputSchema,
        response: { 201: meetingOutSchema, ...problems(400, 401, 403, 404, 413, 415) },
      },
    },
    async (request, reply) => {
      const m = await boards.createMeeting(actorOf(request), request.params.id, request.body);
      const full = await boards.getMeeting(m.id);
      return reply.status(201).send(meetingOut(full, await boards.agendaOf(m.id)));
    },
  );
  app.get(
    '/api/v1/meetings/:id',
    {
      config: STAFF_API,
      schema: { summary: 'A meeting and its agenda', params: idParams, response: { 200: meetingOutSchema, ...problems(401, 403, 404) } },
    },
    async (request) => meetingOut(await boards.getMeeting(request.params.id), await boards.agendaOf(request.params.id)),
  );

  app.post(
    '/api/v1/meetings/:id/attendance',
    {
      config: STAFF_API,
      preValidation: requireJson,
      schema: {
        summary: 'Record whether a member came (once the meeting has started)',
        params: idParams,
        body: attendanceInputSchema,
        response: { 200: attendanceOutSchema, ...problems(400, 401, 403, 404, 409, 415) },
      },
    },
    async (request) => {
      await boards.recordAttendance(actorOf(request), request.params.id, request.body);
      return { meetingId: request.params.id, personId: request.body.personId, attended: request.body.attended };
    },
  );

  app.post(
    '/api/v1/meetings/:id/decisions',
    {
      config: STAFF_API,
      preValidation: requireJson,
      schema: {
        summary: 'Record a decision or action from a meeting, with an owner and a due date',
        params: idParams,
        body: decisionInputSchema,
        response: { 201: decisionOutSchema, ...problems(400, 401, 403, 404, 415) },
      },
    },
    async (request, reply) =>
      reply.status(201).send(decisionOut(await boards.recordDecision(actorOf(request), request.params.id, request.body))),
  );
  app.get(
    '/api/v1/decisions/:id',
    {
      config: STAFF_API,
      schema: {
        summary: 'A decision or action, with every change of status and its note',
        params: idParams,
        response: {
          200: decisionOutSchema.extend({
            history: z.array(z.object({ status: z.string(), note: z.string(), byPersonId: z.string().nullable(), at: z.string() })),
          }),
          ...problems(401, 403, 404),
        },
      },
    },
    async (request) => {
      const d = await boards.getDecision(request.params.id);
      const updates = await boards.updatesOf([d.id]);
      return {
        ...decisionOut(d),
        history: updates.map((u) => ({ status: u.status, note: u.note, byPersonId: u.byPerson, at: u.at.toISOString() })),
      };
    },
  );
  app.post(
    '/api/v1/decisions/:id/status',
    {
      config: STAFF_API,
      preValidation: requireJson,
      schema: {
        summary: 'Move a decision or action on (open, in progress, done, dropped), with a note saying why',
        params: idParams,
        body: statusInputSchema,
        response: { 200: decisionOutSchema, ...problems(400, 401, 403, 404, 409, 415) },
      },
    },
    async (request) => {
      await boards.moveDecision(actorOf(request), request.params.id, request.body);
      return decisionOut(await boards.getDecision(request.params.id));
    },
  );
}
