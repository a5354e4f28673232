import { isUuid } from '../../db/ids.ts';
import type { DecisionStatus } from '../../db/schema.ts';
import { ConflictError, ForbiddenError, NotFoundError } from '../../lib/validation.ts';
import { isStaff, type Actor } from '../../plugins/access.ts';
import type { EmailComposers } from '../email/email-requests.ts';
import type { BoardsAccess } from './boards-access.ts';
import { actionReminderEmail } from './boards-emails.ts';
import type { DecisionRow } from './boards-repository.ts';
import type { DecisionInput, StatusInput } from './boards-schemas.ts';
import { NEXT_STATUSES, STATUS_LABELS } from './boards-schemas.ts';

/** Owners hear about an action this many days before it is due. */
export const REMINDER_DAYS = 3;

/** Decisions and actions from a board's meetings: owners, due dates and reminders, and the allowed moves, each with a note. */
export function createDecisionsService(access: BoardsAccess) {
  const { db, config, audit, repo, keyOf, today, mustBoard, mustMeeting, mustDecision, roleOn, mayOwn, checkOwner, mayLeadBoard, mayMove } =
    access;

  const composers: EmailComposers = {
    'board-action-reminder': async ({ decisionId }) => {
      if (!decisionId || !isUuid(decisionId)) return null;
      const d = await repo.findDecision(db, decisionId);
      if (!d || !d.ownerId || !d.dueOn || (d.status !== 'open' && d.status !== 'in_progress')) return null;
      const owner = await access.people.findById(d.ownerId);
      const board = await repo.findBoard(db, d.boardId);
      if (!owner?.email || owner.erasedAt || !board) return null;
      // An owner who has left the board (and is not staff) is not chased.
      if (!(await mayOwn(board.id, owner))) return null;
      return actionReminderEmail({
        to: owner.email,
        name: owner.name,
        boardName: board.name,
        text: d.text,
        dueOn: d.dueOn,
        url: `${config.publicUrl}/decisions/${d.id}`,
        orgName: config.branding.orgName,
      });
    },
  };

  return {
    composers,

    /** The sweep's half: reminders to owners of actions coming due, claimed so each goes once per due date. */
    async queueReminders(now: Date): Promise<number> {
      const due = await repo.claimReminders(db, today(now), REMINDER_DAYS);
      for (const decisionId of due)
        await access.jobs
          .sendEmail({ kind: 'board-action-reminder', ref: { decisionId } })
          .catch((err) => access.log.error({ err, decisionId }, 'could not queue an action reminder'));
      return due.length;
    },

    async recordDecision(actor: Actor, meetingId: string, input: DecisionInput, opts: { submissionKey?: string } = {}) {
      const key = keyOf(opts.submissionKey);
      return db.transaction(async (tx) => {
        if (key) {
          const earlier = await repo.findDecisionBySubmissionKey(tx, key);
          if (earlier) return earlier;
        }
        const m = await mustMeeting(meetingId, tx);
        if (input.owner) await checkOwner(m.boardId, input.owner, tx);
        const d = await repo.insertDecision(tx, {
          meetingId: m.id,
          kind: input.kind ?? 'action',
          text: input.text,
          easyRead: input.easyRead || null,
          ownerId: input.owner ?? null,
          dueOn: input.due ?? null,
          published: !!input.published,
          createdBy: actor.personId,
          submissionKey: key,
        });
        if (!d) return (await repo.findDecisionBySubmissionKey(tx, key!))!;
        await repo.insertUpdate(tx, { decisionId: d.id, status: 'open', note: 'Recorded at the meeting', byPerson: actor.personId });
        await audit.insert(tx, {
          actorId: actor.personId,
          action: 'board.decision_recorded',
          subjectType: 'board_decision',
          subjectId: d.id,
          details: { meetingId },
        });
        return d;
      });
    },

    getDecision: (id: string) => mustDecision(id),

    /** A decision as its page shows it: to staff, its owner and the board's members; with who may move it on. */
    async decisionFor(actor: Actor, id: string) {
      const d = await mustDecision(id);
      const role = await roleOn(d.boardId, actor.personId);
      if (!isStaff(actor) && d.ownerId !== actor.personId && !role) throw new NotFoundError('No decision or action with that id');
      const [board, updates] = await Promise.all([mustBoard(d.boardId), repo.updatesOf(db, [d.id])]);
      return { decision: d, board, updates, mayMove: isStaff(actor) || d.ownerId === actor.personId || role === 'co_chair' };
    },
    updatesOf: (decisionIds: string[]) => repo.updatesOf(db, decisionIds),
    decisionsOfMeeting: (meetingId: string) => repo.decisionsOf(db, { meetingId }),

    /** Who may move an action on: staff, its owner, and the board's co-chairs. */
    mayMove: (actor: Actor | null, d: Pick<DecisionRow, 'ownerId' | 'boardId'>) => mayMove(actor, d),

    /**
     * A new status with a note saying why. `expectedFrom` is the status the person saw: a second
     * click of the same button finds it already moved and is taken as the same change.
     */
    async moveDecision(
      actor: Actor,
      decisionId: string,
      input: StatusInput,
      opts: { expectedFrom?: DecisionStatus } = {},
    ): Promise<{ status: DecisionStatus; repeated: boolean }> {
      return db.transaction(async (tx) => {
        const d = await mustDecision(decisionId, tx, { lock: true });
        if (!(await mayMove(actor, d, tx))) throw new ForbiddenError('Only the owner, the board’s co-chairs and staff can move this on');
        if (opts.expectedFrom && d.status !== opts.expectedFrom) {
          if (d.status === input.status) return { status: d.status, repeated: true };
          throw new ConflictError('Someone else changed this while you were looking: check its status and try again');
        }
        if (d.status === input.status) throw new ConflictError(`It is already ${input.status.replace('_', ' ')}: choose another status`);
        if (!NEXT_STATUSES[d.status].includes(input.status))
          throw new ConflictError(
            `It is ${STATUS_LABELS[d.status].toLowerCase()}, so it cannot be ${STATUS_LABELS[input.status].toLowerCase()} now: it can only be reopened (set back to open, with a note saying why)`,
          );
        await repo.setDecisionStatus(tx, d.id, input.status);
        await repo.insertUpdate(tx, { decisionId: d.id, status: input.status, note: input.note, byPerson: actor.personId });
        await audit.insert(tx, {
          actorId: actor.personId,
          action: 'board.decision_moved',
          subjectType: 'board_decision',
          subjectId: d.id,
          details: { from: d.status, to: input.status },
        });
        return { status: input.status, repeated: false };
      });
    },

    /** Staff change the owner, the due date (a new date is reminded again) or whether it is public. */
    async updateDecision(actor: Actor, decisionId: string, input: { owner?: string; due?: string; published: boolean }) {
      await db.transaction(async (tx) => {
        const d = await mustDecision(decisionId, tx, { lock: true });
        // A new owner must be on the board now (or staff); the owner it already has may stay.
        if (input.owner && input.owner !== d.ownerId) await checkOwner(d.boardId, input.owner, tx);
        await repo.updateDecision(tx, d.id, { ownerId: input.owner ?? null, dueOn: input.due ?? null, published: input.published });
        await audit.insert(tx, {
          actorId: actor.personId,
          action: 'board.decision_updated',
          subjectType: 'board_decision',
          subjectId: d.id,
        });
      });
    },

    /** Every decision and action across the board's meetings: staff and co-chairs filter by status and owner. */
    async actionsOf(actor: Actor | null, boardId: string, filter: { status?: DecisionStatus; ownerId?: string } = {}) {
      const board = await mustBoard(boardId);
      if (!(await mayLeadBoard(actor, board.id))) throw new NotFoundError('No board with that id');
      const decisions = await repo.decisionsOf(db, { boardId: board.id, ...filter });
      const owners = await repo.decisionsOf(db, { boardId: board.id });
      const ownerChoices = [...new Map(owners.filter((o) => o.ownerId).map((o) => [o.ownerId!, o.ownerName ?? 'Someone'])).entries()]
        .map(([id, name]) => ({ id, name }))
        .sort((a, b) => a.name.localeCompare(b.name));
      return { board, decisions, ownerChoices };
    },
    mayLeadBoard,
  };
}
