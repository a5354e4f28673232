import type { Board, Experience } from '../../db/schema.ts';
import { isUuid } from '../../db/ids.ts';
import { ConflictError, NotFoundError, ValidationError } from '../../lib/validation.ts';
import { isStaff, type Actor } from '../../plugins/access.ts';
import type { EmailComposers } from '../email/email-requests.ts';
import { createBoardsAccess, type BoardsServiceDeps } from './boards-access.ts';
import type { AttendeeRow, DecisionRow, MeetingWithVenue, MemberWithPerson } from './boards-repository.ts';
import type { BoardInput, MemberInput } from './boards-schemas.ts';
import { createDecisionsService } from './decisions-service.ts';
import { createMeetingsService } from './meetings-service.ts';
import { createPapersService } from './papers-service.ts';

export type { AttendeeRow, BoardsServiceDeps, DecisionRow, MeetingWithVenue, MemberWithPerson };
export { REMINDER_DAYS } from './decisions-service.ts';
export { whereOf } from './meetings-service.ts';

export interface Mix {
  lived: number;
  professional: number;
  both: number;
}
const mixOf = (experiences: Experience[]): Mix => ({
  lived: experiences.filter((e) => e === 'lived').length,
  professional: experiences.filter((e) => e === 'professional').length,
  both: experiences.filter((e) => e === 'both').length,
});

/** The board's mix of current members and co-chairs, and what to warn staff about. */
export function boardHealth(board: Pick<Board, 'livedTarget'>, current: Pick<MemberWithPerson, 'role' | 'experience'>[]) {
  const mix = mixOf(current.map((m) => m.experience));
  const coChairs = mixOf(current.filter((m) => m.role === 'co_chair').map((m) => m.experience));
  const total = current.length;
  const livedShare = total ? Math.round(((mix.lived + mix.both) / total) * 100) : 0;
  const warnings: string[] = [];
  if (coChairs.lived + coChairs.both === 0) warnings.push('No co-chair has lived experience');
  if (!total) warnings.push('The board has no members yet');
  else if (livedShare < board.livedTarget)
    warnings.push(`${livedShare}% of members have lived experience (lived or both), below the board’s target of ${board.livedTarget}%`);
  return { mix, coChairs, total, livedShare, warnings };
}

/**
 * The boards service: the board and its members here; meetings, papers and replies, and decisions
 * and actions in their own files, sharing one set of access checks. Callers see one object.
 */
export function createBoardsService(deps: BoardsServiceDeps) {
  const access = createBoardsAccess(deps);
  const { db, audit, repo, today, keyOf, mustBoard, mustMember, mustPerson, roleOn } = access;
  const meetings = createMeetingsService(access);
  const { composers: paperComposers, sendDuePapers, ...papers } = createPapersService(access);
  const { composers: decisionComposers, queueReminders, ...decisions } = createDecisionsService(access);

  async function overview(boardId: string) {
    const board = await mustBoard(boardId);
    const members = await repo.membersOf(db, board.id);
    const day = today();
    const withCurrent = members.map((m) => ({ ...m, current: m.termFrom <= day && (!m.termTo || m.termTo >= day) }));
    const current = withCurrent.filter((m) => m.current);
    return { board, members: withCurrent, ...boardHealth(board, current) };
  }

  const boardColumns = (input: BoardInput, before?: Board) => ({
    name: input.name,
    purpose: input.purpose,
    easyReadPurpose: input.easyReadPurpose || null,
    livedTarget: input.livedTarget ?? before?.livedTarget ?? 50,
    papersDaysBefore: input.papersDaysBefore ?? before?.papersDaysBefore ?? 7,
  });

  const composers: EmailComposers = { ...paperComposers, ...decisionComposers };

  return {
    composers,
    ...meetings,
    ...papers,
    ...decisions,

    // ---- boards --------------------------------------------------------------------------------
    /** Every board with its health, for the staff list. */
    async list() {
      const all = await repo.listBoards(db);
      return Promise.all(all.map((b) => overview(b.id)));
    },
    get: (id: string) => mustBoard(id),
    overview,

    async create(actor: Actor, input: BoardInput, opts: { submissionKey?: string; isDemo?: boolean } = {}): Promise<Board> {
      const key = keyOf(opts.submissionKey);
      return db.transaction(async (tx) => {
        if (key) {
          const earlier = await repo.findBoardBySubmissionKey(tx, key);
          if (earlier) return earlier;
        }
        const board = await repo.insertBoard(tx, {
          ...boardColumns(input),
          createdBy: actor.personId,
          isDemo: opts.isDemo,
          submissionKey: key,
        });
        if (!board) return (await repo.findBoardBySubmissionKey(tx, key!))!;
        await audit.insert(tx, { actorId: actor.personId, action: 'board.created', subjectType: 'board', subjectId: board.id });
        return board;
      });
    },

    async update(actor: Actor, id: string, input: BoardInput): Promise<void> {
      await db.transaction(async (tx) => {
        const before = await mustBoard(id, tx, { lock: true });
        await repo.updateBoard(tx, id, boardColumns(input, before));
        await audit.insert(tx, { actorId: actor.personId, action: 'board.updated', subjectType: 'board', subjectId: id });
      });
    },

    async setPublished(actor: Actor, id: string, published: boolean): Promise<void> {
      await db.transaction(async (tx) => {
        const b = await mustBoard(id, tx, { lock: true });
        if (b.published === published) return;
        await repo.setBoardPublished(tx, id, published);
        await audit.insert(tx, {
          actorId: actor.personId,
          action: published ? 'board.published' : 'board.unpublished',
          subjectType: 'board',
          subjectId: id,
        });
      });
    },

    // ---- members -------------------------------------------------------------------------------
    /** The same person with the same start again (a double click, a retried call) is the same membership. */
    async addMember(actor: Actor, boardId: string, input: MemberInput) {
      return db.transaction(async (tx) => {
        await mustBoard(boardId, tx, { lock: true });
        const person = await mustPerson('personId', input.personId, tx);
        const same = await repo.findMemberByTerm(tx, boardId, person.id, input.from);
        if (same) return { member: same, created: false };
        const overlapping = await repo.overlappingTerms(tx, boardId, person.id, input.from, input.to ?? null);
        if (overlapping.length)
          throw new ConflictError(
            `${person.name} is already on this board for some of that time (from ${overlapping[0]!.termFrom}). End that term first.`,
          );
        const member = (await repo.insertMember(tx, {
          boardId,
          personId: person.id,
          role: input.role,
          termFrom: input.from,
          termTo: input.to ?? null,
          shownPublicly: !!input.shownPublicly,
          addedBy: actor.personId,
        }))!;
        await audit.insert(tx, {
          actorId: actor.personId,
          action: 'board.member_added',
          subjectType: 'board',
          subjectId: boardId,
          details: { personId: person.id, role: input.role },
        });
        return { member, created: true };
      });
    },
    getMember: (id: string) => mustMember(id),

    async endTerm(actor: Actor, memberId: string, to: string): Promise<MemberWithPerson> {
      return db.transaction(async (tx) => {
        const found = await mustMember(memberId, tx);
        // The board is locked as addMember locks it, so two changes to one person's terms take turns.
        await mustBoard(found.boardId, tx, { lock: true });
        const m = await mustMember(memberId, tx);
        if (to < m.termFrom) throw new ValidationError([{ path: 'to', message: `The term cannot end before it started (${m.termFrom})` }]);
        const overlapping = await repo.overlappingTerms(tx, m.boardId, m.personId, m.termFrom, to, m.id);
        if (overlapping.length)
          throw new ConflictError(
            `${m.name} has another term on this board from ${overlapping[0]!.termFrom}: end this term before that one starts`,
          );
        await repo.endTerm(tx, m.id, to);
        await audit.insert(tx, {
          actorId: actor.personId,
          action: 'board.term_ended',
          subjectType: 'board',
          subjectId: m.boardId,
          details: { personId: m.personId, to },
        });
        return m;
      });
    },

    async removeMember(actor: Actor, memberId: string): Promise<MemberWithPerson> {
      return db.transaction(async (tx) => {
        const m = await mustMember(memberId, tx);
        await repo.removeMember(tx, m.id);
        await audit.insert(tx, {
          actorId: actor.personId,
          action: 'board.member_removed',
          subjectType: 'board',
          subjectId: m.boardId,
          details: { personId: m.personId },
        });
        return m;
      });
    },

    /** Hourly: papers due to go out, and reminders to owners of actions coming due. */
    async sweep(now = new Date()): Promise<{ papers: number; reminders: number }> {
      const sent = await sendDuePapers(now);
      const reminders = await queueReminders(now);
      if (sent || reminders) deps.log.info({ papers: sent, reminders }, 'boards swept');
      return { papers: sent, reminders };
    },

    // ---- members' view ---------------------------------------------------------------------------
    myBoards: (personId: string) => repo.boardsOf(db, personId, today()),
    roleOn: (boardId: string, personId: string) => roleOn(boardId, personId),

    /** A member's view of their board: upcoming meetings with the agenda and papers, and their actions. */
    async memberView(actor: Actor, boardId: string) {
      const board = await mustBoard(boardId);
      const role = await roleOn(board.id, actor.personId);
      if (!role && !isStaff(actor)) throw new NotFoundError('No board with that id');
      const now = new Date();
      const meetings = (await repo.meetingsOf(db, board.id)).filter((m) => m.status === 'scheduled' && m.endsAt > now);
      const agenda = await repo.agendaOfMeetings(
        db,
        meetings.map((m) => m.id),
      );
      const replies = await Promise.all(meetings.map((m) => repo.findAttendee(db, m.id, actor.personId)));
      const mine = (await repo.decisionsOf(db, { boardId: board.id, ownerId: actor.personId })).filter(
        (d) => d.status === 'open' || d.status === 'in_progress',
      );
      return {
        board,
        role,
        meetings: meetings.map((m, i) => ({ ...m, agenda: agenda.filter((a) => a.meetingId === m.id), reply: replies[i] })),
        actions: mine,
      };
    },

    // ---- the public --------------------------------------------------------------------------------
    publicList: () => repo.listBoards(db, { published: true }),

    /** Only what is published and consented to: a board not published is not found. */
    async publicBoard(boardId: string) {
      const board = isUuid(boardId) ? await repo.findBoard(db, boardId) : null;
      if (!board?.published) throw new NotFoundError('No board with that id');
      const now = new Date();
      const [members, meetings, decisions] = await Promise.all([
        repo.membersOn(db, board.id, today()),
        repo.meetingsOf(db, board.id),
        repo.decisionsOf(db, { boardId: board.id, published: true }),
      ]);
      return {
        board,
        members: members.filter((m) => m.shownPublicly).map((m) => ({ name: m.name, role: m.role })),
        upcoming: meetings.filter((m) => m.status === 'scheduled' && m.startsAt > now),
        minutes: meetings.filter((m) => m.minutesPublishedAt).reverse(),
        decisions,
      };
    },
  };
}

export type BoardsService = ReturnType<typeof createBoardsService>;
export type BoardOverview = Awaited<ReturnType<BoardsService['overview']>>;
