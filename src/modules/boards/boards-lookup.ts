import { sql } from 'drizzle-orm';
import type { Db, Executor } from '../../db/client.ts';
import { isUuid } from '../../db/ids.ts';
import { londonDay } from '../../lib/dates.ts';

/** A meeting or decision as other modules name it ("You said, we did" sources). */
export interface BoardSource {
  type: 'meeting' | 'decision';
  id: string;
  title: string;
  boardId: string;
  boardName: string;
  meetingId: string;
  /** Whether the public may see it: a published board, and published minutes or decision. */
  published: boolean;
}

/** A board meeting a person came to, for claims. */
export interface AttendedMeeting {
  meetingId: string;
  title: string;
  boardName: string;
  startsAt: Date;
  endsAt: Date;
}

/** What the boards module lends to others, so no module reaches its tables. */
export function createBoardsLookup(deps: { db: Db }) {
  const rows = async <T>(ex: Executor, q: ReturnType<typeof sql>) => (await ex.execute(q)).rows as T[];
  return {
    async source(type: 'meeting' | 'decision', id: string, ex: Executor = deps.db): Promise<BoardSource | null> {
      if (!isUuid(id)) return null;
      const [row] =
        type === 'meeting'
          ? await rows<Omit<BoardSource, 'type' | 'id'>>(
              ex,
              sql`select m.title, b.id as "boardId", b.name as "boardName", m.id as "meetingId",
                    (b.published and m.minutes_published_at is not null) as published
                  from board_meetings m join boards b on b.id = m.board_id where m.id = ${id}`,
            )
          : await rows<Omit<BoardSource, 'type' | 'id'>>(
              ex,
              sql`select d.text as title, b.id as "boardId", b.name as "boardName", m.id as "meetingId",
                    (b.published and d.published) as published
                  from board_decisions d join board_meetings m on m.id = d.meeting_id join boards b on b.id = m.board_id
                  where d.id = ${id}`,
            );
      return row ? { type, id, ...row } : null;
    },

    /** The people who sit on the board a meeting or decision belongs to, today (the London day, as the module counts it). */
    async membersFor(type: 'meeting' | 'decision', id: string, ex: Executor = deps.db, now = new Date()): Promise<string[]> {
      if (!isUuid(id)) return [];
      const day = londonDay(now);
      const meeting =
        type === 'meeting'
          ? sql`select board_id from board_meetings where id = ${id}`
          : sql`select m.board_id from board_decisions d join board_meetings m on m.id = d.meeting_id where d.id = ${id}`;
      const found = await rows<{ personId: string }>(
        ex,
        sql`select distinct person_id as "personId" from board_members
            where board_id = (${meeting}) and term_from <= ${day}::date and (term_to is null or term_to >= ${day}::date)`,
      );
      return found.map((r) => r.personId);
    },

    /** Every meeting and decision, for a staff form that lets someone choose one (newest board first). */
    async choices(ex: Executor = deps.db): Promise<BoardSource[]> {
      const found = await rows<Omit<BoardSource, 'type'> & { kind: 'meeting' | 'decision'; at: Date }>(
        ex,
        sql`select 'meeting' as kind, m.id, m.title, b.id as "boardId", b.name as "boardName", m.id as "meetingId",
              (b.published and m.minutes_published_at is not null) as published, m.starts_at as at, b.created_at, 0 as n
            from board_meetings m join boards b on b.id = m.board_id
            union all
            select 'decision', d.id, d.text, b.id, b.name, m.id, (b.published and d.published), m.starts_at, b.created_at, 1
            from board_decisions d join board_meetings m on m.id = d.meeting_id join boards b on b.id = m.board_id
            order by created_at desc, at, "meetingId", n, title`,
      );
      return found.map(({ kind, id, title, boardId, boardName, meetingId, published }) => ({
        type: kind,
        id,
        title,
        boardId,
        boardName,
        meetingId,
        published,
      }));
    },

    /** Board meetings a person was recorded as attending, oldest first. */
    async attendedMeetings(personId: string, opts: { since?: Date } = {}, ex: Executor = deps.db): Promise<AttendedMeeting[]> {
      if (!isUuid(personId)) return [];
      const found = await rows<{ meetingId: string; title: string; boardName: string; startsAt: string | Date; endsAt: string | Date }>(
        ex,
        sql`select m.id as "meetingId", m.title, b.name as "boardName", m.starts_at as "startsAt", m.ends_at as "endsAt"
            from meeting_attendees a join board_meetings m on m.id = a.meeting_id join boards b on b.id = m.board_id
            where a.person_id = ${personId} and a.attended and m.status = 'scheduled' and m.starts_at >= ${opts.since ?? new Date(0)}
            order by m.starts_at`,
      );
      return found.map((r) => ({ ...r, startsAt: new Date(r.startsAt), endsAt: new Date(r.endsAt) }));
    },
  };
}

export type BoardsLookup = ReturnType<typeof createBoardsLookup>;
