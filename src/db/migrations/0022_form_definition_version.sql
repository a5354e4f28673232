-- Each process keeps the forms it takes responses for (settings and questions) in memory, so a
-- response costs one statement. `definition_version` names the definition a process holds: any
-- change to a form's row (its settings, opening, closing) or to its questions moves it on, and a
-- response is inserted only while the form is open and still at the version its answers were
-- checked against (forms-repository: insertResponseWithAnswers). Triggers, so no writer can forget.
alter table forms add column definition_version integer not null default 1;

create or replace function forms_definition_changed() returns trigger language plpgsql as $$
begin
  new.definition_version := old.definition_version + 1;
  return new;
end $$;

create trigger forms_definition_changed before update on forms
  for each row execute function forms_definition_changed();

-- A question added, changed or removed changes its form: once per statement, whatever it touched.
-- (A question never moves to another form, so the rows on one side say which forms changed.)
create or replace function form_questions_changed() returns trigger language plpgsql as $$
begin
  update forms set definition_version = definition_version + 1 where id in (select distinct form_id from changed_questions);
  return null;
end $$;

create trigger form_questions_inserted after insert on form_questions
  referencing new table as changed_questions for each statement execute function form_questions_changed();
create trigger form_questions_updated after update on form_questions
  referencing old table as changed_questions for each statement execute function form_questions_changed();
create trigger form_questions_deleted after delete on form_questions
  referencing old table as changed_questions for each statement execute function form_questions_changed();
