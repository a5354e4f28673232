import {
  bigserial,
  boolean,
  date,
  doublePrecision,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  smallint,
  text,
  timestamp,
  uuid,
} from 'drizzle-orm/pg-core';

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
  bio: text('bio'),
  role: text('role').$type<Role>().notNull().default('participant'),
  isDemo: boolean('is_demo').notNull().default(false),
  createdBy: uuid('created_by'),
  createdAt: at('created_at').notNull().defaultNow(),
  updatedAt: at('updated_at').notNull().defaultNow(),
  erasureRequestedAt: at('erasure_requested_at'),
  erasureRequestedBy: uuid('erasure_requested_by'),
  erasedAt: at('erased_at'),
  /** A new address waiting for its owner to use the link sent to it; `email` is unchanged until then. */
  pendingEmail: text('pending_email'),
  emailChangeRequestedAt: at('email_change_requested_at'),
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

/** A sign-in begun at an identity provider and not yet finished (see migration 0023). */
export const oidcSignIns = pgTable('oidc_sign_ins', {
  stateHash: text('state_hash').primaryKey(),
  provider: text('provider').notNull(),
  nonce: text('nonce').notNull(),
  codeVerifier: text('code_verifier').notNull(),
  expiresAt: at('expires_at').notNull(),
  createdAt: at('created_at').notNull().defaultNow(),
});

/** A provider's account (issuer and subject) and the person it signs in as. */
export const personIdentities = pgTable(
  'person_identities',
  {
    issuer: text('issuer').notNull(),
    subject: text('subject').notNull(),
    personId: uuid('person_id').notNull(),
    createdAt: at('created_at').notNull().defaultNow(),
    lastSignedInAt: at('last_signed_in_at').notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.issuer, t.subject] })],
);

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

export const EVENT_STATUSES = ['draft', 'published', 'cancelled'] as const;
export const SESSION_FORMATS = ['in_person', 'online', 'hybrid'] as const;
export const REGISTRATION_STATUSES = ['confirmed', 'waitlisted', 'cancelled', 'attended'] as const;
export const SESSION_KINDS = ['session', 'workshop', 'catch_up'] as const;
export type SessionKind = (typeof SESSION_KINDS)[number];
export type EventStatus = (typeof EVENT_STATUSES)[number];
export type SessionFormat = (typeof SESSION_FORMATS)[number];
export type RegistrationStatus = (typeof REGISTRATION_STATUSES)[number];

export const events = pgTable('events', {
  id: uuid('id').primaryKey().defaultRandom(),
  title: text('title').notNull(),
  summary: text('summary').notNull(),
  easyReadSummary: text('easy_read_summary'),
  description: text('description'),
  startsAt: at('starts_at').notNull(),
  endsAt: at('ends_at').notNull(),
  hashtag: text('hashtag'),
  partners: text('partners').array().notNull().default([]),
  reportHeadlines: text('report_headlines').array().notNull().default([]),
  status: text('status').$type<EventStatus>().notNull().default('draft'),
  kind: text('kind').$type<'event' | 'cohort'>().notNull().default('event'),
  isDemo: boolean('is_demo').notNull().default(false),
  createdBy: uuid('created_by'),
  createdAt: at('created_at').notNull().defaultNow(),
  updatedAt: at('updated_at').notNull().defaultNow(),
});

export const venues = pgTable('venues', {
  id: uuid('id').primaryKey().defaultRandom(),
  name: text('name').notNull(),
  address: text('address'),
  postcode: text('postcode'),
  stepFree: boolean('step_free').notNull().default(false),
  hearingLoop: boolean('hearing_loop').notNull().default(false),
  accessibleToilet: boolean('accessible_toilet').notNull().default(false),
  parking: text('parking'),
  publicTransport: text('public_transport'),
});

export const eventSessions = pgTable('event_sessions', {
  id: uuid('id').primaryKey().defaultRandom(),
  eventId: uuid('event_id').notNull(),
  title: text('title').notNull(),
  description: text('description'),
  easyReadDescription: text('easy_read_description'),
  theme: text('theme'),
  startsAt: at('starts_at').notNull(),
  endsAt: at('ends_at').notNull(),
  format: text('format').$type<SessionFormat>().notNull(),
  capacity: integer('capacity').notNull(),
  venueId: uuid('venue_id'),
  joinUrl: text('join_url'),
  status: text('status').$type<'scheduled' | 'cancelled'>().notNull().default('scheduled'),
  kind: text('kind').$type<SessionKind>().notNull().default('session'),
  forEveryone: boolean('for_everyone').notNull().default(false),
  createdAt: at('created_at').notNull().defaultNow(),
  updatedAt: at('updated_at').notNull().defaultNow(),
});

export const sessionFacilitators = pgTable(
  'session_facilitators',
  { sessionId: uuid('session_id').notNull(), personId: uuid('person_id').notNull() },
  (t) => [primaryKey({ columns: [t.sessionId, t.personId] })],
);

export const registrations = pgTable('registrations', {
  id: uuid('id').primaryKey().defaultRandom(),
  seq: bigserial('seq', { mode: 'number' }).notNull(),
  sessionId: uuid('session_id').notNull(),
  personId: uuid('person_id').notNull(),
  status: text('status').$type<RegistrationStatus>().notNull(),
  labelName: text('label_name'),
  accessNeeds: text('access_needs').array().$type<AccessNeed[]>().notNull().default([]),
  accessNotes: text('access_notes'),
  registeredBy: uuid('registered_by'),
  walkIn: boolean('walk_in').notNull().default(false),
  createdAt: at('created_at').notNull().defaultNow(),
  confirmedAt: at('confirmed_at'),
  /** Given a place from the waiting list (not at booking, not by an undo). */
  promotedAt: at('promoted_at'),
  cancelledAt: at('cancelled_at'),
  attendedAt: at('attended_at'),
});

export const forms = pgTable('forms', {
  id: uuid('id').primaryKey().defaultRandom(),
  title: text('title').notNull(),
  intro: text('intro'),
  anonymous: boolean('anonymous').notNull().default(false),
  easyRead: boolean('easy_read').notNull().default(false),
  eventId: uuid('event_id'),
  sessionId: uuid('session_id'),
  cohortId: uuid('cohort_id'),
  status: text('status').$type<'draft' | 'open' | 'closed'>().notNull().default('draft'),
  isDemo: boolean('is_demo').notNull().default(false),
  createdBy: uuid('created_by'),
  createdAt: at('created_at').notNull().defaultNow(),
  updatedAt: at('updated_at').notNull().defaultNow(),
  /** Moved on by the database whenever the form or its questions change (migration 0022). */
  definitionVersion: integer('definition_version').notNull().default(1),
});

export const formQuestions = pgTable('form_questions', {
  id: uuid('id').primaryKey().defaultRandom(),
  formId: uuid('form_id').notNull(),
  key: text('key').notNull(),
  position: integer('position').notNull(),
  type: text('type')
    .$type<'rating' | 'agreement' | 'yes_no' | 'single_choice' | 'multiple_choice' | 'text' | 'long_text' | 'number'>()
    .notNull(),
  text: text('text').notNull(),
  easyReadText: text('easy_read_text'),
  options: text('options').array().notNull().default([]),
  required: boolean('required').notNull().default(false),
  hidden: boolean('hidden').notNull().default(false),
});

export const formInvitations = pgTable('form_invitations', {
  id: uuid('id').primaryKey().defaultRandom(),
  formId: uuid('form_id').notNull(),
  personId: uuid('person_id').notNull(),
  invitedAt: at('invited_at').notNull().defaultNow(),
  remindedAt: at('reminded_at'),
});

export const formResponses = pgTable('form_responses', {
  id: uuid('id').primaryKey().defaultRandom(),
  formId: uuid('form_id').notNull(),
  personId: uuid('person_id'),
  respondentKey: text('respondent_key'),
  experience: text('experience').$type<Experience>(),
  quoteConsent: text('quote_consent').$type<'named' | 'anonymous' | 'no'>().notNull().default('no'),
  submittedAt: at('submitted_at').notNull().defaultNow(),
  updatedAt: at('updated_at').notNull().defaultNow(),
});

export const formAnswers = pgTable('form_answers', {
  id: bigserial('id', { mode: 'number' }).primaryKey(),
  responseId: uuid('response_id').notNull(),
  questionId: uuid('question_id').notNull(),
  choice: text('choice'),
  choices: text('choices').array(),
  number: doublePrecision('number'),
  text: text('text'),
  experience: text('experience'),
  starred: boolean('starred').notNull().default(false),
});

export const formThemes = pgTable('form_themes', {
  id: uuid('id').primaryKey().defaultRandom(),
  questionId: uuid('question_id').notNull(),
  label: text('label').notNull(),
  position: integer('position').notNull(),
  edited: boolean('edited').notNull().default(false),
  createdAt: at('created_at').notNull().defaultNow(),
  terms: text('terms').array().notNull().default([]),
});

export const formThemeRuns = pgTable('form_theme_runs', {
  questionId: uuid('question_id').primaryKey(),
  answers: integer('answers'),
  foundAt: at('found_at'),
  queuedAt: at('queued_at'),
});

export const formAnswerThemes = pgTable(
  'form_answer_themes',
  {
    answerId: bigserial('answer_id', { mode: 'number' }).notNull(),
    themeId: uuid('theme_id').notNull(),
    score: doublePrecision('score').notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.answerId, t.themeId] })],
);

export const pageFeedback = pgTable('page_feedback', {
  id: bigserial('id', { mode: 'number' }).primaryKey(),
  path: text('path').notNull(),
  useful: boolean('useful'),
  comment: text('comment'),
  createdAt: at('created_at').notNull().defaultNow(),
});

// ---- Programmes and cohorts -------------------------------------------------------------

export const APPLICATION_STATUSES = [
  'applied',
  'shortlisted',
  'waiting',
  'offered',
  'accepted',
  'declined',
  'unsuccessful',
  'withdrawn',
] as const;
export type ApplicationStatus = (typeof APPLICATION_STATUSES)[number];
export const SHOWN_AS = ['name_and_organisation', 'name', 'hidden'] as const;
export type ShownAs = (typeof SHOWN_AS)[number];
const day = (name: string) => date(name, { mode: 'string' });

export const programmes = pgTable('programmes', {
  id: uuid('id').primaryKey().defaultRandom(),
  title: text('title').notNull(),
  summary: text('summary').notNull(),
  easyReadSummary: text('easy_read_summary'),
  whoFor: text('who_for'),
  placesPerCohort: integer('places_per_cohort').notNull(),
  partners: text('partners').array().notNull().default([]),
  livedMinShare: doublePrecision('lived_min_share'),
  trackedQuestionKeys: text('tracked_question_keys').array().notNull().default([]),
  minSessionsAttended: integer('min_sessions_attended').notNull().default(0),
  projectRequired: boolean('project_required').notNull().default(false),
  applicationFormId: uuid('application_form_id'),
  isDemo: boolean('is_demo').notNull().default(false),
  createdBy: uuid('created_by'),
  createdAt: at('created_at').notNull().defaultNow(),
  updatedAt: at('updated_at').notNull().defaultNow(),
});

export const cohorts = pgTable('cohorts', {
  id: uuid('id').primaryKey().defaultRandom(),
  programmeId: uuid('programme_id').notNull(),
  eventId: uuid('event_id').notNull(),
  name: text('name').notNull(),
  startsOn: day('starts_on').notNull(),
  endsOn: day('ends_on').notNull(),
  places: integer('places').notNull(),
  applicationsOpen: boolean('applications_open').notNull().default(true),
  graduatedAt: at('graduated_at'),
  isDemo: boolean('is_demo').notNull().default(false),
  createdAt: at('created_at').notNull().defaultNow(),
});

export const applications = pgTable('applications', {
  id: uuid('id').primaryKey().defaultRandom(),
  cohortId: uuid('cohort_id').notNull(),
  personId: uuid('person_id').notNull(),
  status: text('status').$type<ApplicationStatus>().notNull().default('applied'),
  answers: jsonb('answers').$type<Record<string, unknown>>().notNull().default({}),
  submittedBy: uuid('submitted_by'),
  helpedBy: text('helped_by'),
  score: smallint('score'),
  notes: text('notes'),
  shownAs: text('shown_as').$type<ShownAs>().notNull().default('name'),
  alumniListed: boolean('alumni_listed').notNull().default(false),
  statusChangedAt: at('status_changed_at'),
  statusChangedBy: uuid('status_changed_by'),
  phonedAt: at('phoned_at'),
  createdAt: at('created_at').notNull().defaultNow(),
  updatedAt: at('updated_at').notNull().defaultNow(),
});

export const cohortAttendance = pgTable(
  'cohort_attendance',
  {
    sessionId: uuid('session_id').notNull(),
    personId: uuid('person_id').notNull(),
    attended: boolean('attended').notNull(),
    recordedBy: uuid('recorded_by'),
    recordedAt: at('recorded_at').notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.sessionId, t.personId] })],
);

export const coachingSessions = pgTable('coaching_sessions', {
  id: uuid('id').primaryKey().defaultRandom(),
  cohortId: uuid('cohort_id').notNull(),
  participantId: uuid('participant_id').notNull(),
  coachId: uuid('coach_id').notNull(),
  startsAt: at('starts_at').notNull(),
  status: text('status').$type<'booked' | 'done' | 'cancelled'>().notNull().default('booked'),
  notes: text('notes'),
  createdBy: uuid('created_by'),
  createdAt: at('created_at').notNull().defaultNow(),
  updatedAt: at('updated_at').notNull().defaultNow(),
});

export const projects = pgTable('projects', {
  id: uuid('id').primaryKey().defaultRandom(),
  cohortId: uuid('cohort_id').notNull(),
  title: text('title').notNull(),
  aim: text('aim').notNull(),
  presentedAt: at('presented_at'),
  createdAt: at('created_at').notNull().defaultNow(),
  updatedAt: at('updated_at').notNull().defaultNow(),
});

export const projectMembers = pgTable(
  'project_members',
  { projectId: uuid('project_id').notNull(), personId: uuid('person_id').notNull(), coLead: boolean('co_lead').notNull().default(false) },
  (t) => [primaryKey({ columns: [t.projectId, t.personId] })],
);

export const projectUpdates = pgTable('project_updates', {
  id: uuid('id').primaryKey().defaultRandom(),
  projectId: uuid('project_id').notNull(),
  authorId: uuid('author_id'),
  body: text('body').notNull(),
  createdAt: at('created_at').notNull().defaultNow(),
});

export const certificates = pgTable('certificates', {
  id: uuid('id').primaryKey().defaultRandom(),
  serial: text('serial').notNull(),
  personId: uuid('person_id'),
  cohortId: uuid('cohort_id').notNull(),
  name: text('name').notNull(),
  achievement: text('achievement').notNull(),
  issuedOn: day('issued_on').notNull(),
  issuer: text('issuer').notNull(),
  credential: jsonb('credential').$type<Record<string, unknown>>().notNull(),
  revokedAt: at('revoked_at'),
  revokedReason: text('revoked_reason'),
  revokedBy: uuid('revoked_by'),
  createdAt: at('created_at').notNull().defaultNow(),
});

export type Programme = typeof programmes.$inferSelect;
export type Cohort = typeof cohorts.$inferSelect;
export type Application = typeof applications.$inferSelect;
export type CoachingSession = typeof coachingSessions.$inferSelect;
export type Project = typeof projects.$inferSelect;
export type Certificate = typeof certificates.$inferSelect;

export type Form = typeof forms.$inferSelect;
export type FormQuestion = typeof formQuestions.$inferSelect;
export type FormResponse = typeof formResponses.$inferSelect;

export type Event = typeof events.$inferSelect;
export type Venue = typeof venues.$inferSelect;
export type EventSession = typeof eventSessions.$inferSelect;
export type Registration = typeof registrations.$inferSelect;

export type Person = typeof people.$inferSelect;
export type Consent = typeof consents.$inferSelect;
export type AuditEntry = typeof auditLog.$inferSelect;
export type ApiToken = typeof apiTokens.$inferSelect;

export const outgoingEmails = pgTable('outgoing_emails', {
  id: uuid('id').primaryKey().defaultRandom(),
  kind: text('kind').notNull(),
  ref: jsonb('ref').$type<Record<string, string>>().notNull().default({}),
  status: text('status').$type<'waiting' | 'sent' | 'failed' | 'not_needed'>().notNull().default('waiting'),
  attempts: integer('attempts').notNull().default(0),
  lastError: text('last_error'),
  createdAt: at('created_at').notNull().defaultNow(),
  lastAttemptAt: at('last_attempt_at'),
  nextAttemptAt: at('next_attempt_at'),
  sentAt: at('sent_at'),
});
export type OutgoingEmailRow = typeof outgoingEmails.$inferSelect;

// ---- Conversations (team chats) and stories ---------------------------------------------
export const SECTORS = ['nhs', 'council', 'third_sector', 'independent', 'other'] as const;
export type Sector = (typeof SECTORS)[number];
export const PLEDGE_PROGRESS = ['done', 'started', 'not_yet', 'dropped'] as const;
export type PledgeProgress = (typeof PLEDGE_PROGRESS)[number];
export const STORY_STATUSES = ['submitted', 'changes_requested', 'published', 'rejected', 'withdrawn'] as const;
export type StoryStatus = (typeof STORY_STATUSES)[number];
export const STORY_FLAG_KINDS = ['email', 'phone', 'nhs_number', 'postcode', 'person_name', 'date_of_birth'] as const;
export type StoryFlagKind = (typeof STORY_FLAG_KINDS)[number];
export interface StoryFlag {
  kind: StoryFlagKind;
  text: string;
  start: number;
  end: number;
}
export interface ConversationQuestion {
  key: string;
  text: string;
  prompt: string | null;
  /** Teams answer it with the steps they will take (the pledges), one a box, not in words. */
  steps?: boolean;
}
export interface StoredConversationTheme {
  label: string;
  terms: string[];
  /** The chats that raised it: the count leaders see is of teams, not of sentences. */
  chatIds: string[];
  /** The most typical things teams said in it, as written. */
  examples: string[];
}

export const conversations = pgTable('conversations', {
  id: uuid('id').primaryKey().defaultRandom(),
  title: text('title').notNull(),
  summary: text('summary').notNull(),
  easyReadSummary: text('easy_read_summary'),
  questions: jsonb('questions').$type<ConversationQuestion[]>().notNull(),
  opensOn: day('opens_on').notNull(),
  closesOn: day('closes_on').notNull(),
  sectors: text('sectors').array().$type<Sector[]>().notNull().default([]),
  organisations: text('organisations').array().notNull().default([]),
  status: text('status').$type<'draft' | 'open' | 'closed'>().notNull().default('draft'),
  isDemo: boolean('is_demo').notNull().default(false),
  createdBy: uuid('created_by'),
  createdAt: at('created_at').notNull().defaultNow(),
  updatedAt: at('updated_at').notNull().defaultNow(),
});

export const teamChats = pgTable('team_chats', {
  id: uuid('id').primaryKey().defaultRandom(),
  conversationId: uuid('conversation_id').notNull(),
  status: text('status').$type<'draft' | 'submitted' | 'removed'>().notNull().default('draft'),
  teamName: text('team_name').notNull(),
  organisation: text('organisation'),
  sector: text('sector').$type<Sector>(),
  heldOn: day('held_on'),
  peopleCount: integer('people_count'),
  livedCount: integer('lived_count'),
  answers: jsonb('answers').$type<Record<string, string>>().notNull().default({}),
  leadName: text('lead_name'),
  leadEmail: text('lead_email'),
  leadPhone: text('lead_phone'),
  leadPersonId: uuid('lead_person_id'),
  recordedBy: uuid('recorded_by'),
  submissionKey: uuid('submission_key'),
  submittedAt: at('submitted_at'),
  followUpSentAt: at('follow_up_sent_at'),
  removedBy: uuid('removed_by'),
  removedReason: text('removed_reason'),
  createdAt: at('created_at').notNull().defaultNow(),
  updatedAt: at('updated_at').notNull().defaultNow(),
});

export const chatPledges = pgTable('chat_pledges', {
  id: uuid('id').primaryKey().defaultRandom(),
  chatId: uuid('chat_id').notNull(),
  position: smallint('position').notNull(),
  text: text('text').notNull(),
  progress: text('progress').$type<PledgeProgress>(),
  progressNote: text('progress_note'),
  progressAt: at('progress_at'),
});

export const conversationThemes = pgTable(
  'conversation_themes',
  {
    conversationId: uuid('conversation_id').notNull(),
    questionKey: text('question_key').notNull(),
    themes: jsonb('themes').$type<StoredConversationTheme[]>().notNull(),
    chats: integer('chats').notNull(),
    foundAt: at('found_at').notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.conversationId, t.questionKey] })],
);

export const stories = pgTable('stories', {
  id: uuid('id').primaryKey().defaultRandom(),
  conversationId: uuid('conversation_id'),
  title: text('title').notNull(),
  body: text('body').notNull(),
  publishedBody: text('published_body'),
  easyReadSummary: text('easy_read_summary'),
  themes: text('themes').array().notNull().default([]),
  authorName: text('author_name'),
  authorEmail: text('author_email'),
  authorOrganisation: text('author_organisation'),
  personId: uuid('person_id'),
  source: text('source').$type<'web' | 'email' | 'staff' | 'api'>().notNull(),
  enteredBy: uuid('entered_by'),
  status: text('status').$type<StoryStatus>().notNull().default('submitted'),
  consentPublish: boolean('consent_publish').notNull().default(false),
  consentShowName: boolean('consent_show_name').notNull().default(false),
  consentQuote: boolean('consent_quote').notNull().default(false),
  consentAt: at('consent_at'),
  flags: jsonb('flags').$type<StoryFlag[]>().notNull().default([]),
  messageId: text('message_id'),
  submissionKey: uuid('submission_key'),
  isDemo: boolean('is_demo').notNull().default(false),
  publishedAt: at('published_at'),
  withdrawnAt: at('withdrawn_at'),
  createdAt: at('created_at').notNull().defaultNow(),
  updatedAt: at('updated_at').notNull().defaultNow(),
});

export const storyModeration = pgTable('story_moderation', {
  id: bigserial('id', { mode: 'number' }).primaryKey(),
  storyId: uuid('story_id').notNull(),
  action: text('action')
    .$type<'publish' | 'reject' | 'ask_for_changes' | 'take_down' | 'correct' | 'consent' | 'withdraw' | 'resubmit'>()
    .notNull(),
  note: text('note'),
  // The title this step replaced, when it changed the title; null otherwise.
  titleBefore: text('title_before'),
  byPerson: uuid('by_person'),
  at: at('at').notNull().defaultNow(),
});

export type Conversation = typeof conversations.$inferSelect;
export type TeamChat = typeof teamChats.$inferSelect;
export type ChatPledge = typeof chatPledges.$inferSelect;
export type Story = typeof stories.$inferSelect;
export type StoryModerationEntry = typeof storyModeration.$inferSelect;

// An email to the stories mailbox with no story in it: kept only so its sender is answered once.
export const STORY_MAIL_REPLY_REASONS = ['no_text', 'too_long'] as const;
export type StoryMailReplyReason = (typeof STORY_MAIL_REPLY_REASONS)[number];

export const storyMailReplies = pgTable('story_mail_replies', {
  messageId: text('message_id').primaryKey(),
  fromEmail: text('from_email').notNull(),
  fromName: text('from_name'),
  reason: text('reason').$type<StoryMailReplyReason>().notNull(),
  receivedAt: at('received_at').notNull().defaultNow(),
});

export type StoryMailReply = typeof storyMailReplies.$inferSelect;

// ---- Boards, "You said, we did", payments: one file each beside this one -----------------
export * from './schema-boards.ts';
export * from './schema-changes.ts';
export * from './schema-payments.ts';
