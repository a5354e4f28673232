import { boolean, date, integer, pgTable, primaryKey, smallint, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import type { AccessNeed } from './schema.ts';

// Mirrors migrations/0009_boards.sql. Re-exported by schema.ts.

const at = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });
const day = (name: string) => date(name, { mode: 'string' });

export const BOARD_ROLES = ['co_chair', 'member', 'adviser'] as const;
export type BoardRole = (typeof BOARD_ROLES)[number];
export const DECISION_STATUSES = ['open', 'in_progress', 'done', 'dropped'] as const;
export type DecisionStatus = (typeof DECISION_STATUSES)[number];
export const DECISION_KINDS = ['decision', 'action'] as const;
export type DecisionKind = (typeof DECISION_KINDS)[number];
export const MEETING_FORMATS = ['in_person', 'online', 'hybrid'] as const;
export type MeetingFormat = (typeof MEETING_FORMATS)[number];

export const boards = pgTable('boards', {
  id: uuid('id').primaryKey().defaultRandom(),
  name: text('name').notNull(),
  purpose: text('purpose').notNull(),
  easyReadPurpose: text('easy_read_purpose'),
  livedTarget: smallint('lived_target').notNull().default(50),
  papersDaysBefore: smallint('papers_days_before').notNull().default(7),
  published: boolean('published').notNull().default(false),
  isDemo: boolean('is_demo').notNull().default(false),
  submissionKey: uuid('submission_key'),
  createdBy: uuid('created_by'),
  createdAt: at('created_at').notNull().defaultNow(),
  updatedAt: at('updated_at').notNull().defaultNow(),
});

export const boardMembers = pgTable('board_members', {
  id: uuid('id').primaryKey().defaultRandom(),
  boardId: uuid('board_id').notNull(),
  personId: uuid('person_id').notNull(),
  role: text('role').$type<BoardRole>().notNull(),
  termFrom: day('term_from').notNull(),
  termTo: day('term_to'),
  shownPublicly: boolean('shown_publicly').notNull().default(false),
  addedBy: uuid('added_by'),
  createdAt: at('created_at').notNull().defaultNow(),
});

export const boardMeetings = pgTable('board_meetings', {
  id: uuid('id').primaryKey().defaultRandom(),
  boardId: uuid('board_id').notNull(),
  title: text('title').notNull(),
  startsAt: at('starts_at').notNull(),
  endsAt: at('ends_at').notNull(),
  format: text('format').$type<MeetingFormat>().notNull(),
  venueId: uuid('venue_id'),
  joinUrl: text('join_url'),
  status: text('status').$type<'scheduled' | 'cancelled'>().notNull().default('scheduled'),
  papersSentAt: at('papers_sent_at'),
  minutes: text('minutes'),
  easyReadMinutes: text('easy_read_minutes'),
  minutesPublishedAt: at('minutes_published_at'),
  submissionKey: uuid('submission_key'),
  createdBy: uuid('created_by'),
  createdAt: at('created_at').notNull().defaultNow(),
  updatedAt: at('updated_at').notNull().defaultNow(),
});

export const agendaItems = pgTable('agenda_items', {
  id: uuid('id').primaryKey().defaultRandom(),
  meetingId: uuid('meeting_id').notNull(),
  position: smallint('position').notNull(),
  title: text('title').notNull(),
  easyRead: text('easy_read'),
  paperUrl: text('paper_url'),
  paperKey: text('paper_key'),
  paperName: text('paper_name'),
  paperBytes: integer('paper_bytes'),
  paperEasyRead: boolean('paper_easy_read').notNull().default(false),
  submissionKey: uuid('submission_key'),
});

export const meetingAttendees = pgTable(
  'meeting_attendees',
  {
    meetingId: uuid('meeting_id').notNull(),
    personId: uuid('person_id').notNull(),
    invitedAt: at('invited_at'),
    reply: text('reply').$type<'coming' | 'not_coming'>(),
    accessNeeds: text('access_needs').array().$type<AccessNeed[]>().notNull().default([]),
    accessNotes: text('access_notes'),
    repliedAt: at('replied_at'),
    attended: boolean('attended'),
    attendanceRecordedBy: uuid('attendance_recorded_by'),
    attendanceRecordedAt: at('attendance_recorded_at'),
  },
  (t) => [primaryKey({ columns: [t.meetingId, t.personId] })],
);

export const boardDecisions = pgTable('board_decisions', {
  id: uuid('id').primaryKey().defaultRandom(),
  meetingId: uuid('meeting_id').notNull(),
  kind: text('kind').$type<DecisionKind>().notNull().default('action'),
  text: text('text').notNull(),
  easyRead: text('easy_read'),
  ownerId: uuid('owner_id'),
  dueOn: day('due_on'),
  status: text('status').$type<DecisionStatus>().notNull().default('open'),
  published: boolean('published').notNull().default(false),
  remindedFor: day('reminded_for'),
  submissionKey: uuid('submission_key'),
  createdBy: uuid('created_by'),
  createdAt: at('created_at').notNull().defaultNow(),
  updatedAt: at('updated_at').notNull().defaultNow(),
});

export const decisionUpdates = pgTable('decision_updates', {
  id: uuid('id').primaryKey().defaultRandom(),
  decisionId: uuid('decision_id').notNull(),
  status: text('status').$type<DecisionStatus>().notNull(),
  note: text('note').notNull(),
  byPerson: uuid('by_person'),
  at: at('at').notNull().defaultNow(),
});

export type Board = typeof boards.$inferSelect;
export type BoardMember = typeof boardMembers.$inferSelect;
export type BoardMeeting = typeof boardMeetings.$inferSelect;
export type AgendaItem = typeof agendaItems.$inferSelect;
export type MeetingAttendee = typeof meetingAttendees.$inferSelect;
export type BoardDecision = typeof boardDecisions.$inferSelect;
export type DecisionUpdate = typeof decisionUpdates.$inferSelect;
