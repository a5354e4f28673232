import type { Executor } from '../../db/client.ts';
import { isUuid } from '../../db/ids.ts';
import { hmac, safeEqual } from '../../lib/tokens.ts';
import { ConflictError, NotFoundError } from '../../lib/validation.ts';
import { isStaff, type Actor } from '../../plugins/access.ts';
import type { EmailComposers } from '../email/email-requests.ts';
import type { BoardsAccess } from './boards-access.ts';
import { papersEmail } from './boards-emails.ts';
import type { MeetingWithVenue, MemberWithPerson } from './boards-repository.ts';
import type { ReplyInput } from './boards-schemas.ts';
import { whereOf } from './meetings-service.ts';

/**
 * A meeting's papers going out to the members on its day (by the hourly sweep, or staff sooner),
 * the signed links in that email (to reply, and to read an uploaded paper), and the replies.
 */
export function createPapersService(access: BoardsAccess) {
  const { db, config, files, audit, repo, mustBoard, mustMeeting, roleOn, roleAt, membersAt } = access;

  const replyToken = (meetingId: string, personId: string) => hmac(access.secret, `board-reply:${meetingId}:${personId}`);
  const paperToken = (itemId: string, personId: string) => hmac(access.secret, `board-paper:${itemId}:${personId}`);
  const replyUrl = (meetingId: string, personId: string) =>
    `${config.publicUrl}/meetings/${meetingId}/reply?person=${personId}&token=${replyToken(meetingId, personId)}`;
  const signedPaperPath = (itemId: string, personId: string) =>
    `/papers/${itemId}?person=${personId}&token=${paperToken(itemId, personId)}`;

  /** Members on the meeting's day who have not been sent its papers (no invitation yet). */
  async function notInvited(ex: Executor, meeting: MeetingWithVenue) {
    const members = await membersAt(meeting, ex);
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
      await access.jobs.sendEmail({ kind: 'board-papers', ref: { meetingId: meeting.id, personId: m.personId } });
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
      const members = await membersAt(m, tx);
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
      const person = await access.people.findById(personId);
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
  };

  return {
    composers,
    replyToken,
    replyUrl,
    paperToken,
    signedPaperPath,

    /** The sweep's half: papers due to go out. Returns how many meetings' papers went. */
    async sendDuePapers(now: Date): Promise<number> {
      let papers = 0;
      for (const id of await repo.papersDue(db, now))
        try {
          await sendMeetingPapers(id, now);
          papers++;
        } catch (err) {
          // Another process claimed it first, or it changed since: nothing to do. Anything else is logged.
          if (!(err instanceof ConflictError)) access.log.error({ err, meetingId: id }, 'could not send the papers');
        }
      return papers;
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
      const person = await access.people.findById(who.personId);
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
  };
}
