-- Conversations (team chats) and personal stories: Team Leeds Hearts and Minds and its like.

-- A campaign of set questions that teams talk through together.
create table conversations (
  id uuid primary key default gen_random_uuid(),
  title text not null,
  summary text not null,
  easy_read_summary text,
  -- [{ key, text, prompt }]: the set questions, in order, each with a prompt for the facilitator.
  questions jsonb not null,
  opens_on date not null,
  closes_on date not null check (closes_on >= opens_on),
  -- Who may take part: sectors and named organisations; both empty means everyone.
  sectors text[] not null default '{}',
  organisations text[] not null default '{}',
  status text not null default 'draft' check (status in ('draft', 'open', 'closed')),
  is_demo boolean not null default false,
  created_by uuid references people(id) on delete set null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);

-- One team's record of its chat: who, when, how many, what they said, and their pledges.
create table team_chats (
  id uuid primary key default gen_random_uuid(),
  conversation_id uuid not null references conversations(id) on delete cascade,
  -- Staff leave a chat out of the summary (a test, a duplicate, nonsense) with a reason; it can be put back.
  status text not null default 'draft' check (status in ('draft', 'submitted', 'removed')),
  team_name text not null,
  -- A draft may be saved with only the team's name; a sent chat has all four.
  organisation text,
  sector text check (sector in ('nhs', 'council', 'third_sector', 'independent', 'other')),
  held_on date,
  people_count integer check (people_count between 1 and 10000),
  lived_count integer check (lived_count between 0 and people_count),
  -- { [questionKey]: the team's reflections }
  answers jsonb not null default '{}',
  lead_name text,
  lead_email text,
  lead_phone text,
  lead_person_id uuid references people(id) on delete set null,
  -- Staff who typed it in from a paper sheet, on the team's behalf.
  recorded_by uuid references people(id) on delete set null,
  -- The form's one-time key: a double click records the chat once.
  submission_key uuid unique,
  submitted_at timestamptz,
  follow_up_sent_at timestamptz,
  removed_by uuid references people(id) on delete set null,
  removed_reason text,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  check (status = 'draft' or (organisation is not null and sector is not null and held_on is not null and people_count is not null))
);
create index team_chats_conversation on team_chats (conversation_id, status);
create index team_chats_lead on team_chats (lead_person_id);
create index team_chats_recorded_by on team_chats (recorded_by);
create index team_chats_lead_email on team_chats (lead_email, created_at);

-- The steps a team says it will take, and how each went when followed up.
create table chat_pledges (
  id uuid primary key default gen_random_uuid(),
  chat_id uuid not null references team_chats(id) on delete cascade,
  position smallint not null,
  text text not null,
  progress text check (progress in ('done', 'started', 'not_yet', 'dropped')),
  progress_note text,
  progress_at timestamptz,
  unique (chat_id, position)
);

-- Themes per question across a conversation's chats, found by the themes engine.
create table conversation_themes (
  conversation_id uuid not null references conversations(id) on delete cascade,
  question_key text not null,
  -- [{ label, terms, chatIds }]
  themes jsonb not null,
  chats integer not null,
  found_at timestamptz not null default now(),
  primary key (conversation_id, question_key)
);

-- Personal stories of joined-up working, moderated before anything is public.
create table stories (
  id uuid primary key default gen_random_uuid(),
  conversation_id uuid references conversations(id) on delete set null,
  title text not null,
  body text not null,
  -- The text as published, with personal details taken out by staff.
  published_body text,
  easy_read_summary text,
  themes text[] not null default '{}',
  author_name text,
  author_email text,
  author_organisation text,
  person_id uuid references people(id) on delete set null,
  source text not null check (source in ('web', 'email', 'staff', 'api')),
  entered_by uuid references people(id) on delete set null,
  status text not null default 'submitted'
    check (status in ('submitted', 'changes_requested', 'published', 'rejected', 'withdrawn')),
  consent_publish boolean not null default false,
  consent_show_name boolean not null default false,
  consent_quote boolean not null default false,
  -- When the author answered the consent questions; null for a story emailed in and not yet answered.
  consent_at timestamptz,
  -- [{ kind, text, start, end }]: personal details found in the body.
  flags jsonb not null default '[]',
  -- A story emailed in: its Message-ID, so a mailbox read twice stores it once.
  message_id text unique,
  submission_key uuid unique,
  is_demo boolean not null default false,
  published_at timestamptz,
  withdrawn_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create index stories_status on stories (status, published_at desc);
create index stories_person on stories (person_id);
create index stories_entered_by on stories (entered_by);
create index stories_conversation on stories (conversation_id);

-- Every step a story took: decisions, notes, consent given or withdrawn.
create table story_moderation (
  id bigserial primary key,
  story_id uuid not null references stories(id) on delete cascade,
  action text not null
    check (action in ('publish', 'reject', 'ask_for_changes', 'take_down', 'correct', 'consent', 'withdraw', 'resubmit')),
  -- The note as written (staff’s words, or the consent choices recorded), with nothing added to it.
  note text,
  -- The title this step replaced, when it changed the title (a publish or a correction); null otherwise.
  -- The title as the author sent it is the title_before of the first such step since their last resubmit.
  title_before text,
  by_person uuid references people(id) on delete set null,
  at timestamptz not null default now()
);
create index story_moderation_story on story_moderation (story_id, at);
create index story_moderation_by on story_moderation (by_person);

-- An email to the stories mailbox that held no story we could take (no text, only attachments, or
-- too long). It is not a story: the row exists only so its sender is answered once however often
-- the mailbox is read, and so the answer, composed when it is sent, finds where to go. Rows older
-- than 30 days are deleted by the hourly clean-up; erasing the sender deletes theirs.
create table story_mail_replies (
  message_id text primary key,
  from_email text not null,
  from_name text,
  reason text not null check (reason in ('no_text', 'too_long')),
  received_at timestamptz not null default now()
);
create index story_mail_replies_received on story_mail_replies (received_at);
