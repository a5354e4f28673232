-- Themes are found without anyone asking: when a form closes, and while it is open once enough
-- new answers have arrived. A run records how many answers it read, so the next is due only
-- when answers have grown by a fifth, and when one was last queued, so answers arriving
-- together queue one run, not one each.
create table form_theme_runs (
  question_id uuid primary key references form_questions(id) on delete cascade,
  answers integer,
  found_at timestamptz,
  queued_at timestamptz
);

-- The words and phrases that set a theme apart, shown beside its label.
alter table form_themes add column terms text[] not null default '{}';
