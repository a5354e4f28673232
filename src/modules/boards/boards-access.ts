import type { Config } from '../../config.ts';
import type { Db, Executor } from '../../db/client.ts';
import { isUuid } from '../../db/ids.ts';
import type { Person, Venue } from '../../db/schema.ts';
import type { Jobs } from '../../jobs/jobs.ts';
import { londonDay } from '../../lib/dates.ts';
import type { FileStore } from '../../lib/file-store.ts';
import { NotFoundError, ValidationError } from '../../lib/validation.ts';
import type { Logger } from '../../logger.ts';
import { isStaff, type Actor } from '../../plugins/access.ts';
import type { AuditTrail } from '../audit/audit-service.ts';
import type { VenueInput } from '../events/events-schemas.ts';
import { createBoardsRepository, type BoardsRepository, type DecisionRow, type MeetingWithVenue } from './boards-repository.ts';

/** What the boards service is given; its parts (boards, meetings, decisions) share it. */
export interface BoardsServiceDeps {
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
}

/**
 * What every part of the boards service needs: finding a board, meeting, decision, membership or
 * agenda item (a bad id is "not found"), who is on a board on a day, and who may own or move an
 * action. One place, so the meetings and decisions parts ask the same questions the same way.
 */
export function createBoardsAccess(deps: BoardsServiceDeps) {
  const { db } = deps;
  const repo = deps.repository ?? createBoardsRepository();
  const today = (now = new Date()) => londonDay(now);
  const keyOf = (k: string | undefined) => (k && isUuid(k) ? k : null);

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

  // ---- who is on the board, and when -------------------------------------------------------------
  const roleOn = (boardId: string, personId: string, ex: Executor = db) => repo.roleOn(ex, boardId, personId, today());
  /** The London day a meeting is on: who is on the board that day is who it is for. */
  const meetingDay = (m: Pick<MeetingWithVenue, 'startsAt'>) => londonDay(m.startsAt);
  const roleAt = (m: Pick<MeetingWithVenue, 'boardId' | 'startsAt'>, personId: string, ex: Executor = db) =>
    repo.roleOn(ex, m.boardId, personId, meetingDay(m));
  /** The members on the meeting's day: who its papers, replies and attendance are for. */
  const membersAt = (m: Pick<MeetingWithVenue, 'boardId' | 'startsAt'>, ex: Executor = db) => repo.membersOn(ex, m.boardId, meetingDay(m));

  // ---- who may do what ---------------------------------------------------------------------------
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

  /** Who may move an action on: staff, its owner, and the board's co-chairs. */
  async function mayMove(actor: Actor | null, d: Pick<DecisionRow, 'ownerId' | 'boardId'>, ex: Executor = db) {
    if (!actor) return false;
    return isStaff(actor) || d.ownerId === actor.personId || (await roleOn(d.boardId, actor.personId, ex)) === 'co_chair';
  }

  return {
    ...deps,
    repo,
    today,
    keyOf,
    mustBoard,
    mustMeeting,
    mustDecision,
    mustMember,
    mustItem,
    mustPerson,
    roleOn,
    meetingDay,
    roleAt,
    membersAt,
    mayOwn,
    checkOwner,
    mayLeadBoard,
    mayMove,
  };
}

export type BoardsAccess = ReturnType<typeof createBoardsAccess>;
