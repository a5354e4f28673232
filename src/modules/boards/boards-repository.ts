import { and, asc, desc, eq, gte, inArray, isNotNull, isNull, lte, ne, or, sql } from 'drizzle-orm';
import type { Executor } from '../../db/client.ts';
import {
  agendaItems,
  boardDecisions,
  boardMeetings,
  boardMembers,
  boards,
  decisionUpdates,
  meetingAttendees,
  people,
  venues,
  type AccessNeed,
  type AgendaItem,
  type Board,
  type BoardDecision,
  type BoardMeeting,
  type BoardMember,
  type BoardRole,
  type DecisionKind,
  type DecisionStatus,
  type Experience,
  type MeetingFormat,
  type Venue,
} from '../../db/schema.ts';

export interface BoardColumns {
  name: string;
  purpose: string;
  easyReadPurpose: string | null;
  livedTarget: number;
  papersDaysBefore: number;
}

/** A membership with the person's name, experience and email, as pages and emails need them. */
export type MemberWithPerson = BoardMember & { name: string; experience: Experience; email: string | null };
export type MeetingWithVenue = BoardMeeting & { venue: Venue | null };
export type AttendeeRow = {
  personId: string;
  name: string;
  email: string | null;
  invitedAt: Date | null;
  reply: 'coming' | 'not_coming' | null;
  accessNeeds: AccessNeed[];
  accessNotes: string | null;
  repliedAt: Date | null;
  attended: boolean | null;
};
export type DecisionRow = BoardDecision & { ownerName: string | null; meetingTitle: string; meetingStartsAt: Date; boardId: string };

const memberColumns = {
  id: boardMembers.id,
  boardId: boardMembers.boardId,
  personId: boardMembers.personId,
  role: boardMembers.role,
  termFrom: boardMembers.termFrom,
  termTo: boardMembers.termTo,
  shownPublicly: boardMembers.shownPublicly,
  addedBy: boardMembers.addedBy,
  createdAt: boardMembers.createdAt,
  name: people.name,
  experience: people.experience,
  email: people.email,
};

/** A term that covers the day: started on or before it, and not ended before it. */
const termCovers = (day: string) => and(lte(boardMembers.termFrom, day), or(isNull(boardMembers.termTo), gte(boardMembers.termTo, day)));

const decisionColumns = {
  id: boardDecisions.id,
  meetingId: boardDecisions.meetingId,
  kind: boardDecisions.kind,
  text: boardDecisions.text,
  easyRead: boardDecisions.easyRead,
  ownerId: boardDecisions.ownerId,
  dueOn: boardDecisions.dueOn,
  status: boardDecisions.status,
  published: boardDecisions.published,
  remindedFor: boardDecisions.remindedFor,
  submissionKey: boardDecisions.submissionKey,
  createdBy: boardDecisions.createdBy,
  createdAt: boardDecisions.createdAt,
  updatedAt: boardDecisions.updatedAt,
  ownerName: people.name,
  meetingTitle: boardMeetings.title,
  meetingStartsAt: boardMeetings.startsAt,
  boardId: boardMeetings.boardId,
};

export function createBoardsRepository() {
  async function withVenues(ex: Executor, rows: BoardMeeting[]): Promise<MeetingWithVenue[]> {
    const ids = [...new Set(rows.map((m) => m.venueId).filter((v): v is string => !!v))];
    const found = ids.length ? await ex.select().from(venues).where(inArray(venues.id, ids)) : [];
    return rows.map((m) => ({ ...m, venue: found.find((v) => v.id === m.venueId) ?? null }));
  }

  return {
    // ---- boards ----------------------------------------------------------------------------------
    async insertBoard(
      ex: Executor,
      columns: BoardColumns & { createdBy: string | null; isDemo?: boolean; submissionKey: string | null },
    ): Promise<Board | null> {
      const [row] = await ex.insert(boards).values(columns).onConflictDoNothing({ target: boards.submissionKey }).returning();
      return row ?? null;
    },
    async findBoardBySubmissionKey(ex: Executor, key: string): Promise<Board | null> {
      const [row] = await ex.select().from(boards).where(eq(boards.submissionKey, key));
      return row ?? null;
    },
    async findBoard(ex: Executor, id: string, opts: { lock?: boolean } = {}): Promise<Board | null> {
      const q = ex.select().from(boards).where(eq(boards.id, id));
      const [row] = opts.lock ? await q.for('update') : await q;
      return row ?? null;
    },
    async updateBoard(ex: Executor, id: string, columns: BoardColumns): Promise<void> {
      await ex
        .update(boards)
        .set({ ...columns, updatedAt: new Date() })
        .where(eq(boards.id, id));
    },
    async setBoardPublished(ex: Executor, id: string, published: boolean): Promise<void> {
      await ex.update(boards).set({ published, updatedAt: new Date() }).where(eq(boards.id, id));
    },
    async listBoards(ex: Executor, opts: { published?: boolean } = {}): Promise<Board[]> {
      return ex
        .select()
        .from(boards)
        .where(opts.published === undefined ? undefined : eq(boards.published, opts.published))
        .orderBy(asc(boards.name));
    },

    // ---- members ---------------------------------------------------------------------------------
    async membersOf(ex: Executor, boardId: string): Promise<MemberWithPerson[]> {
      return ex
        .select(memberColumns)
        .from(boardMembers)
        .innerJoin(people, eq(people.id, boardMembers.personId))
        .where(eq(boardMembers.boardId, boardId))
        .orderBy(asc(people.name), desc(boardMembers.termFrom));
    },
    /** The people on a board on a day, one row each (their latest term that covers it). */
    async membersOn(ex: Executor, boardId: string, day: string): Promise<MemberWithPerson[]> {
      const rows = await ex
        .select(memberColumns)
        .from(boardMembers)
        .innerJoin(people, eq(people.id, boardMembers.personId))
        .where(and(eq(boardMembers.boardId, boardId), termCovers(day), isNull(people.erasedAt)))
        .orderBy(asc(people.name), desc(boardMembers.termFrom));
      const seen = new Set<string>();
      return rows.filter((r) => !seen.has(r.personId) && !!seen.add(r.personId));
    },
    async findMember(ex: Executor, id: string): Promise<MemberWithPerson | null> {
      const [row] = await ex
        .select(memberColumns)
        .from(boardMembers)
        .innerJoin(people, eq(people.id, boardMembers.personId))
        .where(eq(boardMembers.id, id));
      return row ?? null;
    },
    async insertMember(
      ex: Executor,
      columns: {
        boardId: string;
        personId: string;
        role: BoardRole;
        termFrom: string;
        termTo: string | null;
        shownPublicly: boolean;
        addedBy: string | null;
      },
    ): Promise<BoardMember | null> {
      const [row] = await ex
        .insert(boardMembers)
        .values(columns)
        .onConflictDoNothing({ target: [boardMembers.boardId, boardMembers.personId, boardMembers.termFrom] })
        .returning();
      return row ?? null;
    },
    async findMemberByTerm(ex: Executor, boardId: string, personId: string, termFrom: string): Promise<BoardMember | null> {
      const [row] = await ex
        .select()
        .from(boardMembers)
        .where(and(eq(boardMembers.boardId, boardId), eq(boardMembers.personId, personId), eq(boardMembers.termFrom, termFrom)));
      return row ?? null;
    },
    /** Terms of this person on this board that overlap [from, to] (leaving out the term `except`). */
    async overlappingTerms(
      ex: Executor,
      boardId: string,
      personId: string,
      from: string,
      to: string | null,
      except?: string,
    ): Promise<BoardMember[]> {
      return ex
        .select()
        .from(boardMembers)
        .where(
          and(
            eq(boardMembers.boardId, boardId),
            eq(boardMembers.personId, personId),
            except ? ne(boardMembers.id, except) : undefined,
            or(isNull(boardMembers.termTo), gte(boardMembers.termTo, from)),
            to ? lte(boardMembers.termFrom, to) : undefined,
          ),
        );
    },
    async endTerm(ex: Executor, id: string, to: string): Promise<void> {
      await ex.update(boardMembers).set({ termTo: to }).where(eq(boardMembers.id, id));
    },
    /** Whether the person has ever had a term on the board. */
    async everOn(ex: Executor, boardId: string, personId: string): Promise<boolean> {
      const [row] = await ex
        .select({ id: boardMembers.id })
        .from(boardMembers)
        .where(and(eq(boardMembers.boardId, boardId), eq(boardMembers.personId, personId)))
        .limit(1);
      return !!row;
    },
    async removeMember(ex: Executor, id: string): Promise<void> {
      await ex.delete(boardMembers).where(eq(boardMembers.id, id));
    },
    /** The person's role on the board today (co-chair first if they hold two terms), or null. */
    async roleOn(ex: Executor, boardId: string, personId: string, day: string): Promise<BoardRole | null> {
      const rows = await ex
        .select({ role: boardMembers.role })
        .from(boardMembers)
        .where(and(eq(boardMembers.boardId, boardId), eq(boardMembers.personId, personId), termCovers(day)));
      if (!rows.length) return null;
      return rows.some((r) => r.role === 'co_chair') ? 'co_chair' : rows[0]!.role;
    },
    /** Boards a person sits on today, with their role. */
    async boardsOf(ex: Executor, personId: string, day: string): Promise<(Board & { role: BoardRole })[]> {
      const rows = await ex
        .select({ board: boards, role: boardMembers.role })
        .from(boardMembers)
        .innerJoin(boards, eq(boards.id, boardMembers.boardId))
        .where(and(eq(boardMembers.personId, personId), termCovers(day)))
        .orderBy(asc(boards.name));
      const out = new Map<string, Board & { role: BoardRole }>();
      for (const r of rows) if (!out.has(r.board.id) || r.role === 'co_chair') out.set(r.board.id, { ...r.board, role: r.role });
      return [...out.values()];
    },

    // ---- meetings --------------------------------------------------------------------------------
    async insertMeeting(
      ex: Executor,
      columns: {
        boardId: string;
        title: string;
        startsAt: Date;
        endsAt: Date;
        format: MeetingFormat;
        venueId: string | null;
        joinUrl: string | null;
        createdBy: string | null;
        submissionKey: string | null;
      },
    ): Promise<BoardMeeting | null> {
      const [row] = await ex.insert(boardMeetings).values(columns).onConflictDoNothing({ target: boardMeetings.submissionKey }).returning();
      return row ?? null;
    },
    async findMeetingBySubmissionKey(ex: Executor, key: string): Promise<BoardMeeting | null> {
      const [row] = await ex.select().from(boardMeetings).where(eq(boardMeetings.submissionKey, key));
      return row ?? null;
    },
    async findMeeting(ex: Executor, id: string, opts: { lock?: boolean } = {}): Promise<MeetingWithVenue | null> {
      const q = ex.select().from(boardMeetings).where(eq(boardMeetings.id, id));
      const [row] = opts.lock ? await q.for('update') : await q;
      return row ? (await withVenues(ex, [row]))[0]! : null;
    },
    async meetingsOf(ex: Executor, boardId: string): Promise<MeetingWithVenue[]> {
      const rows = await ex.select().from(boardMeetings).where(eq(boardMeetings.boardId, boardId)).orderBy(asc(boardMeetings.startsAt));
      return withVenues(ex, rows);
    },
    async setMeetingStatus(ex: Executor, id: string, status: BoardMeeting['status']): Promise<void> {
      await ex.update(boardMeetings).set({ status, updatedAt: new Date() }).where(eq(boardMeetings.id, id));
    },
    async setMinutes(
      ex: Executor,
      id: string,
      m: { minutes: string | null; easyReadMinutes: string | null; publishedAt: Date | null },
    ): Promise<void> {
      await ex
        .update(boardMeetings)
        .set({ minutes: m.minutes, easyReadMinutes: m.easyReadMinutes, minutesPublishedAt: m.publishedAt, updatedAt: new Date() })
        .where(eq(boardMeetings.id, id));
    },
    /**
     * Meetings whose papers are due: not sent, not cancelled, not started, past the board's days
     * before (0 days is the meeting's own day, from midnight in London), and with someone on the
     * board on the meeting's day to send them to. Each is then claimed, one at a time, by claimPapers.
     */
    async papersDue(ex: Executor, now: Date): Promise<string[]> {
      const rows = await ex.execute(sql`
        select m.id from board_meetings m join boards b on b.id = m.board_id
        where m.papers_sent_at is null and m.status = 'scheduled' and m.starts_at > ${now}
          and (case when b.papers_days_before = 0
                 then date_trunc('day', m.starts_at at time zone 'Europe/London') at time zone 'Europe/London'
                 else m.starts_at - make_interval(days => b.papers_days_before) end) <= ${now}
          and exists (
            select 1 from board_members bm join people p on p.id = bm.person_id
            where bm.board_id = m.board_id and p.erased_at is null
              and bm.term_from <= (m.starts_at at time zone 'Europe/London')::date
              and (bm.term_to is null or bm.term_to >= (m.starts_at at time zone 'Europe/London')::date))
        order by m.starts_at`);
      return (rows.rows as { id: string }[]).map((r) => r.id);
    },
    /**
     * Marks a meeting's papers as sent, once: a second process (or a second press) finds it
     * already claimed. Run in the transaction that invites the members and queues their emails.
     */
    async claimPapers(ex: Executor, meetingId: string, now: Date): Promise<boolean> {
      const rows = await ex
        .update(boardMeetings)
        .set({ papersSentAt: now })
        .where(and(eq(boardMeetings.id, meetingId), isNull(boardMeetings.papersSentAt)))
        .returning({ id: boardMeetings.id });
      return rows.length > 0;
    },

    // ---- agenda ----------------------------------------------------------------------------------
    async agendaOf(ex: Executor, meetingId: string): Promise<AgendaItem[]> {
      return ex.select().from(agendaItems).where(eq(agendaItems.meetingId, meetingId)).orderBy(asc(agendaItems.position));
    },
    async agendaOfMeetings(ex: Executor, meetingIds: string[]): Promise<AgendaItem[]> {
      if (!meetingIds.length) return [];
      return ex.select().from(agendaItems).where(inArray(agendaItems.meetingId, meetingIds)).orderBy(asc(agendaItems.position));
    },
    async insertAgendaItem(
      ex: Executor,
      columns: {
        id?: string;
        meetingId: string;
        title: string;
        easyRead: string | null;
        paperUrl: string | null;
        paperKey: string | null;
        paperName: string | null;
        paperBytes: number | null;
        paperEasyRead: boolean;
        submissionKey: string | null;
      },
    ): Promise<AgendaItem | null> {
      const [last] = await ex
        .select({ n: sql<number>`coalesce(max(${agendaItems.position}), 0)::int` })
        .from(agendaItems)
        .where(eq(agendaItems.meetingId, columns.meetingId));
      const [row] = await ex
        .insert(agendaItems)
        .values({ ...columns, position: (last?.n ?? 0) + 1 })
        .onConflictDoNothing({ target: agendaItems.submissionKey })
        .returning();
      return row ?? null;
    },
    async findAgendaItemBySubmissionKey(ex: Executor, key: string): Promise<AgendaItem | null> {
      const [row] = await ex.select().from(agendaItems).where(eq(agendaItems.submissionKey, key));
      return row ?? null;
    },
    async findAgendaItem(ex: Executor, id: string): Promise<AgendaItem | null> {
      const [row] = await ex.select().from(agendaItems).where(eq(agendaItems.id, id));
      return row ?? null;
    },
    async deleteAgendaItem(ex: Executor, id: string): Promise<void> {
      await ex.delete(agendaItems).where(eq(agendaItems.id, id));
    },
    /** Swaps two items' places (through a free position, as the pair is unique per meeting). */
    async swapAgendaItems(ex: Executor, a: AgendaItem, b: AgendaItem): Promise<void> {
      await ex.update(agendaItems).set({ position: -1 }).where(eq(agendaItems.id, a.id));
      await ex.update(agendaItems).set({ position: a.position }).where(eq(agendaItems.id, b.id));
      await ex.update(agendaItems).set({ position: b.position }).where(eq(agendaItems.id, a.id));
    },

    // ---- invitations, replies, attendance --------------------------------------------------------
    async attendeesOf(ex: Executor, meetingId: string): Promise<AttendeeRow[]> {
      return ex
        .select({
          personId: meetingAttendees.personId,
          name: people.name,
          email: people.email,
          invitedAt: meetingAttendees.invitedAt,
          reply: meetingAttendees.reply,
          accessNeeds: meetingAttendees.accessNeeds,
          accessNotes: meetingAttendees.accessNotes,
          repliedAt: meetingAttendees.repliedAt,
          attended: meetingAttendees.attended,
        })
        .from(meetingAttendees)
        .innerJoin(people, eq(people.id, meetingAttendees.personId))
        .where(eq(meetingAttendees.meetingId, meetingId))
        .orderBy(asc(people.name));
    },
    async findAttendee(ex: Executor, meetingId: string, personId: string) {
      const [row] = await ex
        .select()
        .from(meetingAttendees)
        .where(and(eq(meetingAttendees.meetingId, meetingId), eq(meetingAttendees.personId, personId)));
      return row ?? null;
    },
    async markInvited(ex: Executor, meetingId: string, personIds: string[], at: Date): Promise<void> {
      if (!personIds.length) return;
      await ex
        .insert(meetingAttendees)
        .values(personIds.map((personId) => ({ meetingId, personId, invitedAt: at })))
        .onConflictDoUpdate({
          target: [meetingAttendees.meetingId, meetingAttendees.personId],
          set: { invitedAt: sql`coalesce(${meetingAttendees.invitedAt}, excluded.invited_at)` },
        });
    },
    async saveReply(
      ex: Executor,
      meetingId: string,
      personId: string,
      r: { reply: 'coming' | 'not_coming'; accessNeeds: AccessNeed[]; accessNotes: string | null },
    ): Promise<void> {
      const now = new Date();
      await ex
        .insert(meetingAttendees)
        .values({ meetingId, personId, ...r, repliedAt: now })
        .onConflictDoUpdate({
          target: [meetingAttendees.meetingId, meetingAttendees.personId],
          set: { reply: r.reply, accessNeeds: r.accessNeeds, accessNotes: r.accessNotes, repliedAt: now },
        });
    },
    async setAttendance(ex: Executor, meetingId: string, personId: string, attended: boolean, by: string): Promise<void> {
      const now = new Date();
      await ex
        .insert(meetingAttendees)
        .values({ meetingId, personId, attended, attendanceRecordedBy: by, attendanceRecordedAt: now })
        .onConflictDoUpdate({
          target: [meetingAttendees.meetingId, meetingAttendees.personId],
          set: { attended, attendanceRecordedBy: by, attendanceRecordedAt: now },
        });
    },

    // ---- decisions and actions -------------------------------------------------------------------
    async insertDecision(
      ex: Executor,
      columns: {
        meetingId: string;
        kind: DecisionKind;
        text: string;
        easyRead: string | null;
        ownerId: string | null;
        dueOn: string | null;
        published: boolean;
        createdBy: string | null;
        submissionKey: string | null;
      },
    ): Promise<BoardDecision | null> {
      const [row] = await ex
        .insert(boardDecisions)
        .values(columns)
        .onConflictDoNothing({ target: boardDecisions.submissionKey })
        .returning();
      return row ?? null;
    },
    async findDecisionBySubmissionKey(ex: Executor, key: string): Promise<BoardDecision | null> {
      const [row] = await ex.select().from(boardDecisions).where(eq(boardDecisions.submissionKey, key));
      return row ?? null;
    },
    async findDecision(ex: Executor, id: string, opts: { lock?: boolean } = {}): Promise<DecisionRow | null> {
      const q = ex
        .select(decisionColumns)
        .from(boardDecisions)
        .innerJoin(boardMeetings, eq(boardMeetings.id, boardDecisions.meetingId))
        .leftJoin(people, eq(people.id, boardDecisions.ownerId))
        .where(eq(boardDecisions.id, id));
      const [row] = opts.lock ? await q.for('update', { of: boardDecisions }) : await q;
      return row ?? null;
    },
    async decisionsOf(
      ex: Executor,
      filter: { boardId?: string; meetingId?: string; status?: DecisionStatus; ownerId?: string; published?: boolean },
    ): Promise<DecisionRow[]> {
      return ex
        .select(decisionColumns)
        .from(boardDecisions)
        .innerJoin(boardMeetings, eq(boardMeetings.id, boardDecisions.meetingId))
        .leftJoin(people, eq(people.id, boardDecisions.ownerId))
        .where(
          and(
            filter.boardId ? eq(boardMeetings.boardId, filter.boardId) : undefined,
            filter.meetingId ? eq(boardDecisions.meetingId, filter.meetingId) : undefined,
            filter.status ? eq(boardDecisions.status, filter.status) : undefined,
            filter.ownerId ? eq(boardDecisions.ownerId, filter.ownerId) : undefined,
            filter.published === undefined ? undefined : eq(boardDecisions.published, filter.published),
          ),
        )
        .orderBy(asc(boardMeetings.startsAt), asc(boardDecisions.createdAt));
    },
    async setDecisionStatus(ex: Executor, id: string, status: DecisionStatus): Promise<void> {
      await ex.update(boardDecisions).set({ status, updatedAt: new Date() }).where(eq(boardDecisions.id, id));
    },
    async updateDecision(
      ex: Executor,
      id: string,
      columns: { ownerId: string | null; dueOn: string | null; published: boolean },
    ): Promise<void> {
      await ex
        .update(boardDecisions)
        .set({ ...columns, updatedAt: new Date() })
        .where(eq(boardDecisions.id, id));
    },
    async insertUpdate(ex: Executor, u: { decisionId: string; status: DecisionStatus; note: string; byPerson: string | null }) {
      await ex.insert(decisionUpdates).values(u);
    },
    async updatesOf(ex: Executor, decisionIds: string[]) {
      if (!decisionIds.length) return [];
      return ex
        .select({
          id: decisionUpdates.id,
          decisionId: decisionUpdates.decisionId,
          status: decisionUpdates.status,
          note: decisionUpdates.note,
          byPerson: decisionUpdates.byPerson,
          byName: people.name,
          at: decisionUpdates.at,
        })
        .from(decisionUpdates)
        .leftJoin(people, eq(people.id, decisionUpdates.byPerson))
        .where(inArray(decisionUpdates.decisionId, decisionIds))
        .orderBy(asc(decisionUpdates.at));
    },
    /**
     * Open actions with an owner, due within `days`, whose reminder for this due date has not
     * gone: each claimed once (a moved due date is a new reminder). An owner who is no longer on
     * the board (and is not staff) is not reminded.
     */
    async claimReminders(ex: Executor, today: string, days: number): Promise<string[]> {
      const rows = await ex.execute(sql`
        update board_decisions d set reminded_for = d.due_on
        from board_meetings m
        where m.id = d.meeting_id and d.owner_id is not null and d.due_on is not null and d.status in ('open', 'in_progress')
          and d.due_on >= ${today}::date and d.due_on <= ${today}::date + ${days}::int
          and d.reminded_for is distinct from d.due_on
          and (
            exists (select 1 from people p where p.id = d.owner_id and p.erased_at is null and p.role in ('admin', 'staff'))
            or exists (
              select 1 from board_members bm
              where bm.board_id = m.board_id and bm.person_id = d.owner_id
                and bm.term_from <= ${today}::date and (bm.term_to is null or bm.term_to >= ${today}::date)))
        returning d.id`);
      return (rows.rows as { id: string }[]).map((r) => r.id);
    },
    /** Published decisions of published boards, for the public page. */
    async publishedMinutes(ex: Executor, boardId: string): Promise<BoardMeeting[]> {
      return ex
        .select()
        .from(boardMeetings)
        .where(and(eq(boardMeetings.boardId, boardId), isNotNull(boardMeetings.minutesPublishedAt)))
        .orderBy(desc(boardMeetings.startsAt));
    },
  };
}

export type BoardsRepository = ReturnType<typeof createBoardsRepository>;
