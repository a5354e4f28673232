import { sql } from 'drizzle-orm';
import { rowsOf, type PersonalDataHolder } from '../privacy/personal-data.ts';

const iso = (d: Date | string | null) => (d ? new Date(d).toISOString() : null);

/**
 * Boards hold who sits on them (role, term, whether they agreed to be named publicly), each
 * member's replies to meetings with their access needs (special-category data: health and
 * disability), whether they came, the actions they own and the notes they wrote moving actions
 * on. Erasure deletes memberships, replies and access needs; actions stay with no owner, and the
 * notes stay by nobody named, so the board's record of what it decided still reads whole.
 */
export function boardsPersonalData(): PersonalDataHolder {
  return {
    module: 'boards',
    tables: {
      boards: 'nothing about a person: a board’s name and purpose',
      board_members: 'who sits on a board, their role and term, and whether they agreed to be named publicly',
      board_meetings: 'nothing about a person: when and where a meeting is, its minutes',
      agenda_items: 'nothing about a person: the agenda and its papers',
      meeting_attendees: 'each member’s reply, access needs and whether they came',
      board_decisions: 'the owner of an action',
      decision_updates: 'who moved a decision on, and their note',
    },
    personColumns: {
      'boards.created_by': 'kept: the member of staff who set it up',
      'board_members.person_id': 'deleted with the membership',
      'board_members.added_by': 'kept: the member of staff who added the member',
      'board_meetings.created_by': 'kept: the member of staff who set it up',
      'meeting_attendees.person_id': 'deleted with the reply and access needs',
      'meeting_attendees.attendance_recorded_by': 'kept: the member of staff who recorded attendance',
      'board_decisions.owner_id': 'cleared: the action stays, with no owner',
      'board_decisions.created_by': 'kept: who recorded it',
      'decision_updates.by_person': 'cleared: the update stays, by nobody named',
    },
    async export(ex, personId) {
      const [memberships, meetings, actions, notes] = await Promise.all([
        rowsOf<{ board: string; role: string; term_from: string; term_to: string | null; shown_publicly: boolean }>(
          ex,
          sql`select b.name as board, m.role, m.term_from::text, m.term_to::text, m.shown_publicly
              from board_members m join boards b on b.id = m.board_id where m.person_id = ${personId} order by m.term_from`,
        ),
        rowsOf<{
          board: string;
          meeting: string;
          starts_at: Date;
          invited_at: Date | null;
          reply: string | null;
          access_needs: string[];
          access_notes: string | null;
          replied_at: Date | null;
          attended: boolean | null;
        }>(
          ex,
          sql`select b.name as board, m.title as meeting, m.starts_at, a.invited_at, a.reply, a.access_needs, a.access_notes,
                a.replied_at, a.attended
              from meeting_attendees a join board_meetings m on m.id = a.meeting_id join boards b on b.id = m.board_id
              where a.person_id = ${personId} order by m.starts_at`,
        ),
        rowsOf<{ board: string; meeting: string; kind: string; text: string; status: string; due_on: string | null }>(
          ex,
          sql`select b.name as board, m.title as meeting, d.kind, d.text, d.status, d.due_on::text
              from board_decisions d join board_meetings m on m.id = d.meeting_id join boards b on b.id = m.board_id
              where d.owner_id = ${personId} order by d.created_at`,
        ),
        rowsOf<{ text: string; status: string; note: string; at: Date }>(
          ex,
          sql`select d.text, u.status, u.note, u.at from decision_updates u join board_decisions d on d.id = u.decision_id
              where u.by_person = ${personId} order by u.at`,
        ),
      ]);
      return {
        boardMemberships: memberships.map((m) => ({
          board: m.board,
          role: m.role,
          from: m.term_from,
          to: m.term_to,
          namedOnThePublicPage: m.shown_publicly,
        })),
        boardMeetings: meetings.map((m) => ({
          board: m.board,
          meeting: m.meeting,
          startsAt: iso(m.starts_at),
          papersSentAt: iso(m.invited_at),
          yourReply: m.reply,
          yourAccessNeeds: m.access_needs,
          yourAccessNotes: m.access_notes,
          repliedAt: iso(m.replied_at),
          attended: m.attended,
        })),
        boardActionsYouOwn: actions.map((a) => ({
          board: a.board,
          meeting: a.meeting,
          kind: a.kind,
          text: a.text,
          status: a.status,
          due: a.due_on,
        })),
        boardActionNotesYouWrote: notes.map((n) => ({ about: n.text, status: n.status, note: n.note, at: iso(n.at) })),
      };
    },
    async forget(tx, person) {
      await tx.execute(sql`delete from meeting_attendees where person_id = ${person.id}`);
      await tx.execute(sql`delete from board_members where person_id = ${person.id}`);
      await tx.execute(sql`update board_decisions set owner_id = null, updated_at = now() where owner_id = ${person.id}`);
      await tx.execute(sql`update decision_updates set by_person = null where by_person = ${person.id}`);
    },
  };
}
