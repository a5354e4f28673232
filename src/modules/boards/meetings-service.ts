import { randomUUID } from 'node:crypto';
import type { Executor } from '../../db/client.ts';
import type { AgendaItem } from '../../db/schema.ts';
import { fileKey } from '../../lib/file-store.ts';
import type { CheckedFile } from '../../lib/upload-field.ts';
import { ConflictError, ValidationError } from '../../lib/validation.ts';
import type { Actor } from '../../plugins/access.ts';
import type { BoardsAccess } from './boards-access.ts';
import type { MeetingWithVenue } from './boards-repository.ts';
import type { AgendaItemInput, AttendanceInput, MeetingInput, MinutesInput } from './boards-schemas.ts';
import { MAX_AGENDA } from './boards-schemas.ts';

/** Where a meeting is, in words: the venue and its address, or online. */
export function whereOf(m: Pick<MeetingWithVenue, 'format' | 'venue'>): string {
  if (m.format === 'online') return 'Online';
  const place = m.venue ? [m.venue.name, m.venue.address, m.venue.postcode].filter(Boolean).join(', ') : 'Venue to be confirmed';
  return m.format === 'hybrid' ? `${place}, or online` : place;
}

/** A board's meetings: setting one up, its agenda and papers, cancelling it, who came, and its minutes. */
export function createMeetingsService(access: BoardsAccess) {
  const { db, files, audit, repo, keyOf, mustBoard, mustMeeting, mustItem, membersAt } = access;

  async function checkVenue(input: MeetingInput, ex: Executor): Promise<string | null> {
    if (input.format === 'online') return null;
    if (input.venueId) {
      const v = await access.venues.findVenue(ex, input.venueId);
      if (!v) throw new ValidationError([{ path: 'venueId', message: 'Choose a venue from the list' }]);
      return v.id;
    }
    return input.venue ? (await access.venues.insertVenue(ex, input.venue)).id : null;
  }

  return {
    venueChoices: () => access.venues.venueChoices(db),
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

    // ---- the agenda --------------------------------------------------------------------------------
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
      if (item.paperKey) await files.remove(item.paperKey).catch((err) => access.log.warn({ err }, 'could not remove a paper'));
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

    // ---- attendance ------------------------------------------------------------------------------
    /** Who is expected: members on the day of the meeting, and anyone already invited or recorded. */
    async expectedAt(meetingId: string) {
      const m = await mustMeeting(meetingId);
      const [members, attendees] = await Promise.all([membersAt(m), repo.attendeesOf(db, m.id)]);
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
        const members = await membersAt(m, tx);
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
  };
}
