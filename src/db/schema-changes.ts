import { boolean, date, integer, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';

// Mirrors migrations/0010_changes.sql. Re-exported by schema.ts.

const at = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

export const CHANGE_STATUSES = ['planned', 'doing', 'done'] as const;
export type ChangeStatus = (typeof CHANGE_STATUSES)[number];
export const CHANGE_SOURCE_TYPES = ['form', 'conversation', 'meeting', 'decision', 'story'] as const;
export type ChangeSourceType = (typeof CHANGE_SOURCE_TYPES)[number];

export const changes = pgTable('changes', {
  id: uuid('id').primaryKey().defaultRandom(),
  youSaid: text('you_said').notNull(),
  weDid: text('we_did').notNull(),
  status: text('status').$type<ChangeStatus>().notNull(),
  sourceType: text('source_type').$type<ChangeSourceType>(),
  sourceId: uuid('source_id'),
  sourceTheme: text('source_theme'),
  publishedOn: date('published_on', { mode: 'string' }),
  notifiedAt: at('notified_at'),
  notifiedCount: integer('notified_count'),
  submissionKey: uuid('submission_key'),
  isDemo: boolean('is_demo').notNull().default(false),
  createdBy: uuid('created_by'),
  createdAt: at('created_at').notNull().defaultNow(),
  updatedAt: at('updated_at').notNull().defaultNow(),
});

export type Change = typeof changes.$inferSelect;
