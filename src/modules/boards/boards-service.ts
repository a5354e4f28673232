import { randomUUID } from 'node:crypto';
import type { Config } from '../../config.ts';
import type { Db, Executor } from '../../db/client.ts';
import { isUuid } from '../../db/ids.ts';
import type { AgendaItem, Board, DecisionStatus, Experience, Person, Venue } from '../../db/schema.ts';
import type { Jobs } from '../../jobs/jobs.ts';
import { londonDay } from '../../lib/dates.ts';
import { fileKey, type FileStore } from '../../lib/file-store.ts';
import { hmac, safeEqual } from '../../lib/tokens.ts';
import type { CheckedFile } from '../../lib/upload-field.ts';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../../lib/validation.ts';
import type { Logger } from '../../logger.ts';
import { isStaff, type Actor } from '../../plugins/access.ts';
import type { AuditTrail } from '../audit/audit-service.ts';
import type { EmailComposers } from '../email/email-requests.ts';
import type { VenueInput } from '../events/events-schemas.ts';
import { actionReminderEmail, papersEmail } from './boards-emails.ts';
import {
  createBoardsRepository,
  type AttendeeRow,
  type BoardsRepository,
  type DecisionRow,
  type MeetingWithVenue,
  type MemberWithPerson,
} from './boards-repository.ts';
import type {
  AgendaItemInput,
  AttendanceInput,
  BoardInput,
  DecisionInput,
  MeetingInput,
  MemberInput,
  MinutesInput,
  ReplyInput,
  StatusInput,
} from './boards-schemas.ts';
import { MAX_AGENDA, NEXT_STATUSES, STATUS_LABELS } from './boards-schemas.ts';

export type { AttendeeRow, DecisionRow, MeetingWithVenue, MemberWithPerson };

/** Owners hear about an action this many days before it is due. */
export const REMINDER_DAYS = 3;

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

/** Where a meeting is, in words: the venue and its address, or online. */
export function whereOf(m: Pick<MeetingWithVenue, 'format' | 'venue'>): string {
  if (m.format === 'online') return 'Online';
  const place = m.venue ? [m.venue.name, m.venue.address, m.venue.postcode].filter(Boolean).join(', ') : 'Venue to be confirmed';
  return m.format === 'hybrid' ? `${place}, or online` : place;
}

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

export function createBoardsService(deps: {
  db: Db;
  config: Config;
  secret: string;
  files: FileStore;
  audit: AuditTrail;
  jobs: Pick<Jobs, 'sendEmail' | 'enqueue'>;
  log: Pick<Logger, 'info' | 'warn' | 'error'>;
  people: { findById(id: string, ex?: Executor): Promise<Person | undefined> };
  venues: {
    insertVenue(ex: Executor, v: VenueInput): Promise<Venue>;
    findVenue(ex: Executor, id: string): Promise<Venue | undefined>;
    venueChoices(ex: Executor): Promise<Venue[]>;
  };
  repository?: BoardsRepository;
}) {
  const { db, config, files, audit } = deps;
  const repo = deps.repository ?? createBoardsRepository();
  const today = (now = new Date()) => londonDay(now);
  const keyOf = (k: string | undefined) => (k && isUuid(k) ? k : null);

  const replyToken = (meetingId: string, personId: string) => hmac(deps.secret, `board-reply:${meetingId}:${personId}`);
  const paperToken = (itemId: string, personId: string) => hmac(deps.secret, `board-paper:${itemId}:${personId}`);
  const replyUrl = (meetingId: string, personId: string) =>
    `${config.publicUrl}/meetings/${meetingId}/reply?person=${personId}&token=${replyToken(meetingId, personId)}`;
  const signedPaperPath = (itemId: string, personId: string) =>
    `/papers/${itemId}?person=${personId}&token=${paperToken(itemId, personId)}`;

  // ---- finding things --------------------------------------------------------------------------
  async function mustBoard(id: string, ex: Executor = db, opts: { lock?: boolean } = {}) {
    const b = isUuid(id) ? await repo.findBoard(ex, id, opts) : null;
    if (!b) throw new NotFoundError('No board with that id');
    return b;
  }
  async function mustMeeting(id: string, ex: Executor = db, opts: { lock?: boolean } = {}) {
    const m = isUuid(id) ? await repo.findMeeting(ex, id, opts) : null;
    if (!m) throw new NotFoundError('No meeting with that id');
    return m;
  }
  async function mustDecision(id: string, ex: Executor = db, opts: { lock?: boolean } = {}) {
    const d = isUuid(id) ? await repo.findDecision(ex, id, opts) : null;
    if (!d) throw new NotFoundError('No decision or action with that id');
    return d;
  }
  async function mustMember(id: string, ex: Executor = db) {
    const m = isUuid(id) ? await repo.findMember(ex, id) : null;
    if (!m) throw new NotFoundError('No board membership with that id');
    return m;
  }
  async function mustItem(id: string, ex: Executor = db) {
    const i = isUuid(id) ? await repo.findAgendaItem(ex, id) : null;
    if (!i) throw new NotFoundError('No agenda item with that id');
    return i;
  }
  /** A person named in a body (a member, an owner): a missing one is a mistake in the request. */
  async function mustPerson(path: string, id: string, ex: Executor = db) {
    const p = isUuid(id) ? await deps.people.findById(id, ex) : undefined;
    if (!p || p.erasedAt) throw new ValidationError([{ path, message: 'There is no one with that id' }]);
    return p;
  }

  const roleOn = (boardId: string, personId: string, ex: Executor = db) => repo.roleOn(ex, boardId, personId, today());
  /** The London day a meeting is on: who is on the board that day is who it is for. */
  const meetingDay = (m: Pick<MeetingWithVenue, 'startsAt'>) => londonDay(m.startsAt);
  const roleAt = (m: Pick<MeetingWithVenue, 'boardId' | 'startsAt'>, personId: string, ex: Executor = db) =>
    repo.roleOn(ex, m.boardId, personId, meetingDay(m));

  /** An action's owner is someone on the board now, or staff (who may own actions on any board). */
  async function mayOwn(boardId: string, person: Pick<Person, 'id' | 'role' | 'erasedAt'>, ex: Executor = db) {
    if (person.erasedAt) return false;
    return person.role === 'admin' || person.role === 'staff' || !!(await roleOn(boardId, person.id, ex));
  }
  async function checkOwner(boardId: string, ownerId: string, ex: Executor) {
    const p = await mustPerson('owner', ownerId, ex);
    if (!(await mayOwn(boardId, p, ex)))
      throw new ValidationError([
        { path: 'owner', message: `${p.name} is not on this board now: an owner must be a current member of the board, or staff` },
      ]);
    return p;
  }

  /** Staff, or (for actions) the board's co-chairs: who may see the whole list of actions. */
  async function mayLeadBoard(actor: Actor | null, boardId: string) {
    if (!actor) return false;
    return isStaff(actor) || (await roleOn(boardId, actor.personId)) === 'co_chair';
  }

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

  // ---- papers and their emails ----------------------------------------------------------------
  /** Members on the meeting's day who have not been sent its papers (no invitation yet). */
  async function notInvited(ex: Executor, meeting: MeetingWithVenue) {
    const members = await repo.membersOn(ex, meeting.boardId, meetingDay(meeting));
    const attendees = await repo.attendeesOf(ex, meeting.id);
    const invited = new Set(attendees.filter((a) => a.invitedAt).map((a) => a.personId));
    return members.filter((m) => !invited.has(m.personId));
  }

  /**
   * Inside the transaction that claims the papers: the invitations, and an email queued for each
   * member with an address. A failure to queue one undoes the claim and the invitations, so a
   * meeting is never marked sent with nobody told (a later try sends again).
   */
  async function invite(tx: Executor, meeting: MeetingWithVenue, members: MemberWithPerson[], now: Date) {
    await repo.markInvited(
      tx,
      meeting.id,
      members.map((m) => m.personId),
      now,
    );
    let sent = 0;
    for (const m of members) {
      if (!m.email) continue;
      await deps.jobs.sendEmail({ kind: 'board-papers', ref: { meetingId: meeting.id, personId: m.personId } });
      sent++;
    }
    return sent;
  }

  /** Claims a meeting's papers and sends them, in one transaction; refuses (ConflictError) when they cannot go. */
  async function sendMeetingPapers(meetingId: string, now: Date, audited?: Actor) {
    return db.transaction(async (tx) => {
      const m = await mustMeeting(meetingId, tx, { lock: true });
      if (m.status === 'cancelled') throw new ConflictError('This meeting is cancelled');
      if (m.startsAt <= now) throw new ConflictError('This meeting has already started');
      if (m.papersSentAt) throw new ConflictError('The papers for this meeting have already gone out');
      const members = await repo.membersOn(tx, m.boardId, meetingDay(m));
      if (!members.length)
        throw new ConflictError('No one is on the board on the day of this meeting: add its members before sending the papers');
      if (!(await repo.claimPapers(tx, m.id, now))) throw new ConflictError('The papers for this meeting have already gone out');
      const sent = await invite(tx, m, members, now);
      if (audited)
        await audit.insert(tx, {
          actorId: audited.personId,
          action: 'board.papers_sent',
          subjectType: 'board_meeting',
          subjectId: m.id,
          details: { invited: members.length },
        });
      return sent;
    });
  }

  const composers: EmailComposers = {
    'board-papers': async ({ meetingId, personId }) => {
      if (!meetingId || !personId || !isUuid(meetingId) || !isUuid(personId)) return null;
      const meeting = await repo.findMeeting(db, meetingId);
      const person = await deps.people.findById(personId);
      if (!meeting || meeting.status !== 'scheduled' || !person?.email || person.erasedAt) return null;
      const board = await repo.findBoard(db, meeting.boardId);
      // For whoever is on the board on the meeting's day (a term may start after the papers go).
      if (!board || !(await roleAt(meeting, personId))) return null;
      const agenda = await repo.agendaOf(db, meeting.id);
      return papersEmail({
        to: person.email,
        name: person.name,
        boardName: board.name,
        meetingTitle: meeting.title,
        startsAt: meeting.startsAt,
        endsAt: meeting.endsAt,
        where: whereOf(meeting),
        joinUrl: meeting.joinUrl,
        agenda: agenda.map((a) => ({
          title: a.title,
          easyRead: a.easyRead,
          paperEasyRead: a.paperEasyRead,
          paperUrl: a.paperKey ? `${config.publicUrl}${signedPaperPath(a.id, personId)}` : a.paperUrl,
        })),
        replyUrl: replyUrl(meeting.id, personId),
        orgName: config.branding.orgName,
      });
    },
    'board-action-reminder': async ({ decisionId }) => {
      if (!decisionId || !isUuid(decisionId)) return null;
      const d = await repo.findDecision(db, decisionId);
      if (!d || !d.ownerId || !d.dueOn || (d.status !== 'open' && d.status !== 'in_progress')) return null;
      const owner = await deps.people.findById(d.ownerId);
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

  async function checkVenue(input: MeetingInput, ex: Executor): Promise<string | null> {
    if (input.format === 'online') return null;
    if (input.venueId) {
      const v = await deps.venues.findVenue(ex, input.venueId);
      if (!v) throw new ValidationError([{ path: 'venueId', message: 'Choose a venue from the list' }]);
      return v.id;
    }
    return input.venue ? (await deps.venues.insertVenue(ex, input.venue)).id : null;
  }

  return {
    composers,
    replyToken,
    replyUrl,
    paperToken,
    signedPaperPath,

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

    // ---- meetings ------------------------------------------------------------------------------
    venueChoices: () => deps.venues.venueChoices(db),
    meetingsOf: (boardId: string) => repo.meetingsOf(db, boardId),
    getMeeting: (id: string) => mustMeeting(id),
    agendaOf: (meetingId: string) => repo.agendaOf(db, meetingId),
    attendeesOf: (meetingId: string) => repo.attendeesOf(db, meetingId),

    async createMeeting(actor: Actor, boardId: string, input: MeetingInput, opts: { submissionKey?: string } = {}) {
      const key = keyOf(opts.submissionKey);
      return db.transaction(async (tx) => {
        if (key) {
          const earlier = await repo.findMeetingBySubmissionKey(tx, key);
          if (earlier) return earlier;
        }
        await mustBoard(boardId, tx, { lock: true });
        const venueId = await checkVenue(input, tx);
        const meeting = await repo.insertMeeting(tx, {
          boardId,
          title: input.title,
          startsAt: input.startsAt,
          endsAt: input.endsAt,
          format: input.format,
          venueId,
          joinUrl: input.format === 'in_person' ? null : (input.joinUrl ?? null),
          createdBy: actor.personId,
          submissionKey: key,
        });
        if (!meeting) return (await repo.findMeetingBySubmissionKey(tx, key!))!;
        for (const item of input.agenda ?? [])
          await repo.insertAgendaItem(tx, {
            meetingId: meeting.id,
            title: item.title,
            easyRead: item.easyRead || null,
            paperUrl: item.paperUrl ?? null,
            paperKey: null,
            paperName: null,
            paperBytes: null,
            paperEasyRead: !!item.paperEasyRead,
            submissionKey: null,
          });
        await audit.insert(tx, {
          actorId: actor.personId,
          action: 'board.meeting_created',
          subjectType: 'board_meeting',
          subjectId: meeting.id,
          details: { boardId },
        });
        return meeting;
      });
    },

    /**
     * One agenda item, with a paper as a link or an uploaded PDF. The file is stored before its
     * row; if the row cannot be written the file is removed, so nothing is left half-kept.
     */
    async addAgendaItem(
      actor: Actor,
      meetingId: string,
      input: AgendaItemInput & { paper?: CheckedFile | undefined },
      opts: { submissionKey?: string } = {},
    ): Promise<AgendaItem> {
      const key = keyOf(opts.submissionKey);
      if (key) {
        const earlier = await repo.findAgendaItemBySubmissionKey(db, key);
        if (earlier) return earlier;
      }
      const meeting = await mustMeeting(meetingId);
      if (meeting.status === 'cancelled') throw new ConflictError('This meeting is cancelled: its agenda cannot change');
      const id = randomUUID();
      const paperKey = input.paper ? fileKey('papers', id) : null;
      if (input.paper && paperKey) await files.put(paperKey, input.paper.data, input.paper.contentType);
      try {
        return await db.transaction(async (tx) => {
          // Counted with the meeting locked: two items added at once cannot pass the limit together.
          const locked = await mustMeeting(meetingId, tx, { lock: true });
          if (locked.status === 'cancelled') throw new ConflictError('This meeting is cancelled: its agenda cannot change');
          if ((await repo.agendaOf(tx, meetingId)).length >= MAX_AGENDA)
            throw new ConflictError(`An agenda has at most ${MAX_AGENDA} items`);
          const item = await repo.insertAgendaItem(tx, {
            id,
            meetingId,
            title: input.title,
            easyRead: input.easyRead || null,
            paperUrl: input.paper ? null : (input.paperUrl ?? null),
            paperKey,
            paperName: input.paper?.name ?? null,
            paperBytes: input.paper?.data.length ?? null,
            paperEasyRead: !!input.paperEasyRead,
            submissionKey: key,
          });
          if (!item) throw new ConflictError('repeat');
          await audit.insert(tx, {
            actorId: actor.personId,
            action: 'board.agenda_item_added',
            subjectType: 'board_meeting',
            subjectId: meetingId,
            details: { itemId: id, paper: !!input.paper },
          });
          return item;
        });
      } catch (err) {
        if (paperKey) await files.remove(paperKey).catch(() => undefined);
        // The same form twice at the same moment: the first one's item stands.
        if (err instanceof ConflictError && err.message === 'repeat' && key) return (await repo.findAgendaItemBySubmissionKey(db, key))!;
        throw err;
      }
    },

    async removeAgendaItem(actor: Actor, itemId: string): Promise<AgendaItem> {
      const item = await db.transaction(async (tx) => {
        const item = await mustItem(itemId, tx);
        await repo.deleteAgendaItem(tx, item.id);
        await audit.insert(tx, {
          actorId: actor.personId,
          action: 'board.agenda_item_removed',
          subjectType: 'board_meeting',
          subjectId: item.meetingId,
          details: { itemId },
        });
        return item;
      });
      if (item.paperKey) await files.remove(item.paperKey).catch((err) => deps.log.warn({ err }, 'could not remove a paper'));
      return item;
    },

    async moveAgendaItem(actor: Actor, itemId: string, direction: 'up' | 'down'): Promise<AgendaItem> {
      return db.transaction(async (tx) => {
        const item = await mustItem(itemId, tx);
        await mustMeeting(item.meetingId, tx, { lock: true });
        const agenda = await repo.agendaOf(tx, item.meetingId);
        const at = agenda.findIndex((a) => a.id === item.id);
        const other = agenda[direction === 'up' ? at - 1 : at + 1];
        if (!other) return item;
        await repo.swapAgendaItems(tx, agenda[at]!, other);
        await audit.insert(tx, {
          actorId: actor.personId,
          action: 'board.agenda_reordered',
          subjectType: 'board_meeting',
          subjectId: item.meetingId,
        });
        return item;
      });
    },

    async cancelMeeting(actor: Actor, meetingId: string): Promise<void> {
      await db.transaction(async (tx) => {
        const m = await mustMeeting(meetingId, tx, { lock: true });
        if (m.status === 'cancelled') throw new ConflictError('This meeting is already cancelled');
        if (m.startsAt <= new Date()) throw new ConflictError('This meeting has already started, so it cannot be cancelled');
        await repo.setMeetingStatus(tx, meetingId, 'cancelled');
        await audit.insert(tx, {
          actorId: actor.personId,
          action: 'board.meeting_cancelled',
          subjectType: 'board_meeting',
          subjectId: meetingId,
        });
      });
    },

    /** Staff send the papers before the job would. The meeting is claimed, so they go once. */
    async sendPapersNow(actor: Actor, meetingId: string, now = new Date()): Promise<number> {
      return sendMeetingPapers(meetingId, now, actor);
    },

    /** Members on the meeting's day who have not had the papers (they joined after they went out). */
    async notYetInvited(meetingId: string) {
      const m = await mustMeeting(meetingId);
      return notInvited(db, m);
    },

    /** Staff send the papers to members who have not had them yet: those without an invitation. */
    async sendPapersToNewMembers(actor: Actor, meetingId: string, now = new Date()): Promise<number> {
      return db.transaction(async (tx) => {
        const m = await mustMeeting(meetingId, tx, { lock: true });
        if (m.status === 'cancelled') throw new ConflictError('This meeting is cancelled');
        if (m.startsAt <= now) throw new ConflictError('This meeting has already started');
        if (!m.papersSentAt) throw new ConflictError('The papers have not gone out yet: use Send papers now to send them to everyone');
        const members = await notInvited(tx, m);
        if (!members.length) throw new ConflictError('Everyone on the board on the day of this meeting has had the papers');
        const sent = await invite(tx, m, members, now);
        await audit.insert(tx, {
          actorId: actor.personId,
          action: 'board.papers_sent',
          subjectType: 'board_meeting',
          subjectId: m.id,
          details: { invited: members.length, newMembers: true },
        });
        return sent;
      });
    },

    /** Hourly: papers due to go out, and reminders to owners of actions coming due. */
    async sweep(now = new Date()): Promise<{ papers: number; reminders: number }> {
      let papers = 0;
      for (const id of await repo.papersDue(db, now))
        try {
          await sendMeetingPapers(id, now);
          papers++;
        } catch (err) {
          // Another process claimed it first, or it changed since: nothing to do. Anything else is logged.
          if (!(err instanceof ConflictError)) deps.log.error({ err, meetingId: id }, 'could not send the papers');
        }
      const due = await repo.claimReminders(db, today(now), REMINDER_DAYS);
      for (const decisionId of due)
        await deps.jobs
          .sendEmail({ kind: 'board-action-reminder', ref: { decisionId } })
          .catch((err) => deps.log.error({ err, decisionId }, 'could not queue an action reminder'));
      if (papers || due.length) deps.log.info({ papers, reminders: due.length }, 'boards swept');
      return { papers, reminders: due.length };
    },

    // ---- replies ---------------------------------------------------------------------------------
    /**
     * The reply page's meeting and person: through the emailed link (signed for that person and
     * meeting), or signed in as a member. Anyone else's link, or a damaged one, finds nothing.
     * Someone not on the board on the meeting's day (their term ended before it) is told so
     * kindly (`notOnBoard`), and cannot reply. Their earlier reply (access needs are
     * special-category data) is given only to the person, signed in: never through a link,
     * which may have been forwarded.
     */
    async replyContext(meetingId: string, who: { personId: string; token?: string | undefined; actor?: Actor | null }) {
      const signedOk =
        isUuid(meetingId) && isUuid(who.personId) && !!who.token && safeEqual(replyToken(meetingId, who.personId), who.token);
      const selfOk = !!who.actor && who.actor.personId === who.personId;
      if (!signedOk && !selfOk) throw new NotFoundError('This link does not work');
      const meeting = await mustMeeting(meetingId);
      const board = await mustBoard(meeting.boardId);
      const person = await deps.people.findById(who.personId);
      if (!person || person.erasedAt) throw new NotFoundError('This link does not work');
      const role = await roleAt(meeting, person.id);
      const earlier = await repo.findAttendee(db, meeting.id, person.id);
      if (!role) {
        if (!signedOk && !earlier && !(await repo.everOn(db, board.id, person.id))) throw new NotFoundError('This link does not work');
        return { meeting, board, person, agenda: [], reply: null, hadReplied: false, signedIn: selfOk, notOnBoard: true };
      }
      return {
        meeting,
        board,
        person,
        agenda: await repo.agendaOf(db, meeting.id),
        reply: selfOk ? earlier : null,
        hadReplied: !!earlier?.repliedAt,
        signedIn: selfOk,
        notOnBoard: false,
      };
    },

    async saveReply(meetingId: string, personId: string, input: ReplyInput): Promise<void> {
      await db.transaction(async (tx) => {
        const m = await mustMeeting(meetingId, tx, { lock: true });
        if (m.status === 'cancelled') throw new ConflictError('This meeting is cancelled');
        if (m.endsAt <= new Date()) throw new ConflictError('This meeting has already happened');
        if (!(await roleAt(m, personId, tx)))
          throw new ConflictError('You are not on this board on the day of this meeting, so there is no need to reply');
        await repo.saveReply(tx, meetingId, personId, {
          reply: input.reply,
          accessNeeds: input.accessNeeds ?? [],
          accessNotes: input.accessNotes || null,
        });
        await audit.insert(tx, {
          actorId: personId,
          action: 'board.meeting_reply',
          subjectType: 'board_meeting',
          subjectId: meetingId,
          details: { reply: input.reply },
        });
      });
    },

    // ---- attendance ------------------------------------------------------------------------------
    /** Who is expected: members on the day of the meeting, and anyone already invited or recorded. */
    async expectedAt(meetingId: string) {
      const m = await mustMeeting(meetingId);
      const [members, attendees] = await Promise.all([repo.membersOn(db, m.boardId, londonDay(m.startsAt)), repo.attendeesOf(db, m.id)]);
      const byId = new Map<string, { personId: string; name: string; attended: boolean | null }>();
      for (const a of attendees) byId.set(a.personId, { personId: a.personId, name: a.name, attended: a.attended });
      for (const mem of members)
        if (!byId.has(mem.personId)) byId.set(mem.personId, { personId: mem.personId, name: mem.name, attended: null });
      return [...byId.values()].sort((a, b) => a.name.localeCompare(b.name));
    },

    async recordAttendance(actor: Actor, meetingId: string, input: AttendanceInput | { came: string[] }): Promise<void> {
      await db.transaction(async (tx) => {
        const m = await mustMeeting(meetingId, tx, { lock: true });
        if (m.status === 'cancelled') throw new ConflictError('This meeting was cancelled');
        if (m.startsAt > new Date()) throw new ConflictError('The meeting has not started yet: record who came once it has');
        const members = await repo.membersOn(tx, m.boardId, londonDay(m.startsAt));
        const attendees = await repo.attendeesOf(tx, m.id);
        const expected = new Set([...members.map((x) => x.personId), ...attendees.map((a) => a.personId)]);
        const marks =
          'came' in input
            ? [...expected].map((personId) => ({ personId, attended: input.came.includes(personId) }))
            : [{ personId: input.personId, attended: input.attended }];
        const strangers = ('came' in input ? input.came : [input.personId]).filter((id) => !expected.has(id));
        if (strangers.length)
          throw new ValidationError([{ path: 'came' in input ? 'came' : 'personId', message: 'That person is not on this board' }]);
        for (const mark of marks) await repo.setAttendance(tx, m.id, mark.personId, mark.attended, actor.personId);
        await audit.insert(tx, {
          actorId: actor.personId,
          action: 'board.attendance_recorded',
          subjectType: 'board_meeting',
          subjectId: m.id,
          details: { people: marks.length },
        });
      });
    },

    // ---- minutes ---------------------------------------------------------------------------------
    async saveMinutes(actor: Actor, meetingId: string, input: MinutesInput): Promise<void> {
      await db.transaction(async (tx) => {
        const m = await mustMeeting(meetingId, tx, { lock: true });
        if (input.publish && m.status === 'cancelled')
          throw new ConflictError('This meeting was cancelled, so it has no minutes to publish');
        if (input.publish && m.startsAt > new Date())
          throw new ConflictError('This meeting has not happened yet: publish its minutes once it has started');
        const publishedAt = input.publish ? (m.minutesPublishedAt ?? new Date()) : null;
        await repo.setMinutes(tx, meetingId, {
          minutes: input.minutes ?? null,
          easyReadMinutes: input.easyReadMinutes ?? null,
          publishedAt,
        });
        await audit.insert(tx, {
          actorId: actor.personId,
          action: input.publish ? 'board.minutes_published' : 'board.minutes_saved',
          subjectType: 'board_meeting',
          subjectId: meetingId,
        });
      });
    },

    // ---- decisions and actions -------------------------------------------------------------------
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
    async mayMove(actor: Actor | null, d: Pick<DecisionRow, 'ownerId' | 'boardId'>) {
      if (!actor) return false;
      return isStaff(actor) || d.ownerId === actor.personId || (await roleOn(d.boardId, actor.personId)) === 'co_chair';
    },

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
        const allowed = isStaff(actor) || d.ownerId === actor.personId || (await roleOn(d.boardId, actor.personId, tx)) === 'co_chair';
        if (!allowed) throw new ForbiddenError('Only the owner, the board’s co-chairs and staff can move this on');
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

    /**
     * An uploaded paper, for a current member of the board (signed in, or through the link in their
     * papers email) or for staff. Anyone else learns nothing, not even that it exists.
     */
    async paper(itemId: string, who: { actor?: Actor | null; personId?: string; token?: string }) {
      const item = isUuid(itemId) ? await repo.findAgendaItem(db, itemId) : null;
      if (!item?.paperKey || !item.paperName) throw new NotFoundError('No paper here');
      const meeting = await mustMeeting(item.meetingId);
      const signed = who.personId && who.token && isUuid(who.personId) && safeEqual(paperToken(item.id, who.personId), who.token);
      const personId = who.actor?.personId ?? (signed ? who.personId : undefined);
      // On the board now, or on the meeting's day (a member whose term starts before the meeting).
      const allowed =
        (who.actor && isStaff(who.actor)) || (personId && ((await roleOn(meeting.boardId, personId)) || (await roleAt(meeting, personId))));
      if (!allowed) throw new NotFoundError('No paper here');
      const data = await files.get(item.paperKey);
      if (!data) throw new NotFoundError('This paper is no longer here');
      return { name: item.paperName, contentType: 'application/pdf' as const, data };
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
