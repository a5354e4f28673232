import { bigserial, boolean, jsonb, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';

// Mirrors src/db/migrations/*.sql, which are the source of truth for the database itself.

const at = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

export const EXPERIENCES = ['lived', 'professional', 'both'] as const;
export const ROLES = ['admin', 'staff', 'facilitator', 'participant'] as const;
export const CONTACT_PREFERENCES = ['email', 'phone', 'post'] as const;
export const ACCESS_NEEDS = [
  'step_free',
  'bsl_interpreter',
  'hearing_loop',
  'large_print',
  'easy_read',
  'support_worker',
  'dietary',
  'other',
] as const;
export const CONSENT_PURPOSES = ['contact', 'photos', 'quoting', 'story_publishing', 'research'] as const;

export type Experience = (typeof EXPERIENCES)[number];
export type Role = (typeof ROLES)[number];
export type AccessNeed = (typeof ACCESS_NEEDS)[number];
export type ConsentPurpose = (typeof CONSENT_PURPOSES)[number];

export const people = pgTable('people', {
  id: uuid('id').primaryKey().defaultRandom(),
  name: text('name').notNull(),
  labelName: text('label_name'),
  pronouns: text('pronouns'),
  experience: text('experience').$type<Experience>().notNull(),
  organisation: text('organisation'),
  email: text('email'),
  phone: text('phone'),
  postalAddress: text('postal_address'),
  contactPreference: text('contact_preference').$type<(typeof CONTACT_PREFERENCES)[number]>().notNull().default('email'),
  accessNeeds: text('access_needs').array().$type<AccessNeed[]>().notNull().default([]),
  accessNotes: text('access_notes'),
  role: text('role').$type<Role>().notNull().default('participant'),
  isDemo: boolean('is_demo').notNull().default(false),
  createdBy: uuid('created_by'),
  createdAt: at('created_at').notNull().defaultNow(),
  updatedAt: at('updated_at').notNull().defaultNow(),
  erasureRequestedAt: at('erasure_requested_at'),
  erasedAt: at('erased_at'),
});

export const signInTokens = pgTable('sign_in_tokens', {
  id: uuid('id').primaryKey().defaultRandom(),
  personId: uuid('person_id').notNull(),
  tokenHash: text('token_hash').notNull(),
  expiresAt: at('expires_at').notNull(),
  usedAt: at('used_at'),
  createdAt: at('created_at').notNull().defaultNow(),
});

export const signInRequests = pgTable('sign_in_requests', {
  id: bigserial('id', { mode: 'number' }).primaryKey(),
  emailKey: text('email_key').notNull(),
  ip: text('ip').notNull(),
  createdAt: at('created_at').notNull().defaultNow(),
});

export const webSessions = pgTable('web_sessions', {
  idHash: text('id_hash').primaryKey(),
  personId: uuid('person_id').notNull(),
  createdAt: at('created_at').notNull().defaultNow(),
  lastSeenAt: at('last_seen_at').notNull().defaultNow(),
  expiresAt: at('expires_at').notNull(),
});

export const consents = pgTable('consents', {
  id: uuid('id').primaryKey().defaultRandom(),
  personId: uuid('person_id').notNull(),
  purpose: text('purpose').$type<ConsentPurpose>().notNull(),
  wording: text('wording').notNull(),
  givenAt: at('given_at').notNull().defaultNow(),
  withdrawnAt: at('withdrawn_at'),
  recordedBy: uuid('recorded_by'),
});

export const auditLog = pgTable('audit_log', {
  id: bigserial('id', { mode: 'number' }).primaryKey(),
  at: at('at').notNull().defaultNow(),
  actorId: uuid('actor_id'),
  action: text('action').notNull(),
  subjectType: text('subject_type').notNull(),
  subjectId: text('subject_id'),
  details: jsonb('details').$type<Record<string, unknown>>().notNull().default({}),
});

export const apiTokens = pgTable('api_tokens', {
  id: uuid('id').primaryKey().defaultRandom(),
  personId: uuid('person_id').notNull(),
  name: text('name').notNull(),
  tokenHash: text('token_hash').notNull(),
  createdAt: at('created_at').notNull().defaultNow(),
  lastUsedAt: at('last_used_at'),
  revokedAt: at('revoked_at'),
});

export type Person = typeof people.$inferSelect;
export type Consent = typeof consents.$inferSelect;
export type AuditEntry = typeof auditLog.$inferSelect;
export type ApiToken = typeof apiTokens.$inferSelect;
