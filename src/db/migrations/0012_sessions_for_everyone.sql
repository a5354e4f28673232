-- Sessions everyone at an event attends (the welcome, a plenary, the closing reflection): booked
-- with any booking for the event, and on their own by "Register for the day".
alter table event_sessions add column for_everyone boolean not null default false;
