-- When a place came to someone from the waiting list: the "to call" list tells staff to phone
-- them. A place given back by an undo, or confirmed at booking, is not a promotion.
alter table registrations add column if not exists promoted_at timestamptz;
