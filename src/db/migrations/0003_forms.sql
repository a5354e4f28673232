-- Feedback and evaluation: forms, their questions, responses and answers, themes, page feedback.

create table forms (
  id uuid primary key default gen_random_uuid(),
  title text not null,
  intro text,
  anonymous boolean not null default false,
  easy_read boolean not null default false,
  event_id uuid references events(id) on delete set null,
  session_id uuid references event_sessions(id) on delete set null,
  cohort_id uuid,
  status text not null default 'draft' check (status in ('draft', 'open', 'closed')),
  is_demo boolean not null default false,
  created_by uuid references people(id) on delete set null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create index forms_event on forms (event_id);

create table form_questions (
  id uuid primary key default gen_random_uuid(),
  form_id uuid not null references forms(id) on delete cascade,
  key text not null,
  position integer not null,
  type text not null check (type in ('rating', 'agreement', 'yes_no', 'single_choice', 'multiple_choice', 'text', 'long_text', 'number')),
  text text not null,
  easy_read_text text,
  options text[] not null default '{}',
  required boolean not null default false,
  hidden boolean not null default false,
  unique (form_id, key)
);
create index form_questions_form on form_questions (form_id, position);

create table form_invitations (
  id uuid primary key default gen_random_uuid(),
  form_id uuid not null references forms(id) on delete cascade,
  person_id uuid not null references people(id) on delete cascade,
  invited_at timestamptz not null default now(),
  reminded_at timestamptz,
  unique (form_id, person_id)
);

-- respondent_key is a keyed hash of (form, person): one response per person, even on an
-- anonymous form, without storing who answered.
create table form_responses (
  id uuid primary key default gen_random_uuid(),
  form_id uuid not null references forms(id) on delete cascade,
  person_id uuid references people(id) on delete set null,
  respondent_key text,
  experience text check (experience in ('lived', 'professional', 'both')),
  quote_consent text not null default 'no' check (quote_consent in ('named', 'anonymous', 'no')),
  -- milliseconds, as JavaScript dates hold them, so paging by (submitted_at, id) is exact
  submitted_at timestamptz not null default date_trunc('milliseconds', now()),
  updated_at timestamptz not null default now()
);
create unique index form_responses_one_each on form_responses (form_id, respondent_key) where respondent_key is not null;
create index form_responses_form on form_responses (form_id, submitted_at);

create table form_answers (
  id bigserial primary key,
  response_id uuid not null references form_responses(id) on delete cascade,
  question_id uuid not null references form_questions(id) on delete restrict,
  choice text,
  choices text[],
  number double precision,
  text text,
  -- the answerer's experience, copied from the response so results never need to join
  experience text,
  starred boolean not null default false
);
create index form_answers_question_choice on form_answers (question_id, choice, experience);
create index form_answers_response on form_answers (response_id);

create table form_themes (
  id uuid primary key default gen_random_uuid(),
  question_id uuid not null references form_questions(id) on delete cascade,
  label text not null,
  position integer not null,
  edited boolean not null default false,
  created_at timestamptz not null default now()
);
create index form_themes_question on form_themes (question_id, position);

create table form_answer_themes (
  answer_id bigint not null references form_answers(id) on delete cascade,
  theme_id uuid not null references form_themes(id) on delete cascade,
  -- how typical of its theme the answer is (cosine similarity to the theme's centre)
  score double precision not null default 0,
  primary key (answer_id, theme_id)
);
create index form_answer_themes_theme on form_answer_themes (theme_id);

alter table events add column report_headlines text[] not null default '{}';

create table page_feedback (
  id bigserial primary key,
  path text not null,
  useful boolean,
  comment text,
  created_at timestamptz not null default now()
);
create index page_feedback_at on page_feedback (created_at desc);
