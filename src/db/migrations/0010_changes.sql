-- "You said, we did": what people told us, what changed because of it, and where they said it.

create table changes (
  id uuid primary key default gen_random_uuid(),
  you_said text not null,
  we_did text not null,
  status text not null check (status in ('planned', 'doing', 'done')),
  -- Where it was said: a form (optionally one of its themes), a conversation (optionally one of
  -- its themes), a board meeting or decision, or a story.
  source_type text check (source_type in ('form', 'conversation', 'meeting', 'decision', 'story')),
  source_id uuid,
  source_theme text,
  -- Shown publicly from this day; null is a draft only staff see.
  published_on date,
  -- When the people who took part in the source were told (once), and how many emails went.
  notified_at timestamptz,
  notified_count integer,
  -- The create form's one-time key: a double click records one entry.
  submission_key uuid unique,
  is_demo boolean not null default false,
  created_by uuid references people(id) on delete set null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  check ((source_type is null) = (source_id is null)),
  check (source_theme is null or source_type in ('form', 'conversation'))
);
create index changes_source on changes (source_type, source_id);
create index changes_published on changes (published_on desc, id desc) where published_on is not null;
create index changes_created_by on changes (created_by);
