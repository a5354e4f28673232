import type { AgendaItem, DecisionStatus } from '../../db/schema.ts';
import { dayInWords, formatDay, formatRange, formatTime } from '../../lib/dates.ts';
import { FORMAT_LABELS } from '../events/events-view.ts';
import { accessNeedLabel } from '../people/people-view.ts';
import { KIND_LABELS, ROLE_LABELS, STATUS_LABELS } from './boards-schemas.ts';
import { whereOf, type BoardOverview, type DecisionRow, type MeetingWithVenue } from './boards-service.ts';

export const roleLabel = (r: keyof typeof ROLE_LABELS) => ROLE_LABELS[r];
export const statusLabel = (s: DecisionStatus) => STATUS_LABELS[s];
export const STATUS_TAGS: Record<DecisionStatus, string> = { open: 'blue', in_progress: 'yellow', done: 'green', dropped: 'grey' };

/** The board's mix meter: current members by experience, against its target. */
export function boardMixView(o: Pick<BoardOverview, 'mix' | 'total' | 'livedShare' | 'board'>) {
  return {
    total: o.total,
    rows: [
      { label: 'Lived experience', count: o.mix.lived },
      { label: 'Both', count: o.mix.both },
      { label: 'Professional', count: o.mix.professional },
    ],
    targetText: `Target: at least ${o.board.livedTarget}% of members with lived experience (lived or both). Now ${o.livedShare}%.`,
    targetMet: o.total > 0 && o.livedShare >= o.board.livedTarget,
  };
}

/** The access facts of a venue, as a list of short phrases (what it has, and what it lacks). */
export function venueFacts(v: MeetingWithVenue['venue']): string[] {
  if (!v) return [];
  return [
    v.stepFree ? 'Step-free access' : 'Not step-free',
    v.hearingLoop ? 'Hearing loop' : 'No hearing loop',
    v.accessibleToilet ? 'Accessible toilet' : 'No accessible toilet',
    ...(v.parking ? [`Parking: ${v.parking}`] : []),
    ...(v.publicTransport ? [`Public transport: ${v.publicTransport}`] : []),
  ];
}

export function meetingView(m: MeetingWithVenue, now = new Date()) {
  return {
    id: m.id,
    boardId: m.boardId,
    title: m.title,
    when: formatRange(m.startsAt, m.endsAt),
    where: whereOf(m),
    formatLabel: FORMAT_LABELS[m.format],
    facts: venueFacts(m.format === 'online' ? null : m.venue),
    joinUrl: m.joinUrl,
    cancelled: m.status === 'cancelled',
    started: m.startsAt <= now,
    past: m.endsAt <= now,
    papersSent: m.papersSentAt ? formatDay(m.papersSentAt) : null,
    minutesPublished: !!m.minutesPublishedAt,
    minutes: m.minutes,
    easyReadMinutes: m.easyReadMinutes,
  };
}

const kb = (bytes: number | null) => (bytes ? `${Math.max(1, Math.round(bytes / 1024))} KB` : '');

/** An agenda item as pages show it; the paper's address depends on who is reading. */
export function agendaView(a: AgendaItem, paperHref: string | null) {
  return {
    id: a.id,
    position: a.position,
    title: a.title,
    easyRead: a.easyRead,
    paperHref: a.paperKey ? paperHref : a.paperUrl,
    paperText: a.paperKey ? `${a.paperName} (PDF, ${kb(a.paperBytes)})` : a.paperUrl ? 'The paper (a link)' : null,
    uploaded: !!a.paperKey,
    paperEasyRead: a.paperEasyRead,
  };
}

export function decisionView(d: DecisionRow, updates: { status: DecisionStatus; note: string; byName: string | null; at: Date }[] = []) {
  return {
    id: d.id,
    kind: KIND_LABELS[d.kind],
    text: d.text,
    easyRead: d.easyRead,
    status: d.status,
    statusText: STATUS_LABELS[d.status],
    statusTag: STATUS_TAGS[d.status],
    ownerName: d.ownerName,
    due: d.dueOn ? dayInWords(d.dueOn) : null,
    meetingTitle: d.meetingTitle,
    meetingId: d.meetingId,
    published: d.published,
    history: updates.map((u) => ({
      statusText: STATUS_LABELS[u.status],
      note: u.note,
      by: u.byName ?? 'Someone',
      at: `${formatDay(u.at)}, ${formatTime(u.at)}`,
    })),
  };
}

export const needsText = (needs: string[]) => needs.map(accessNeedLabel);
