-- Paying people for their time: the organisation's rates, and claims for time and expenses.
-- No bank details are kept here: finance holds them; we record only whether they have them.

create table payment_rates (
  activity text primary key check (activity in ('meeting', 'session', 'workshop_day', 'preparation', 'other')),
  paid boolean not null default true,
  -- Amounts in pence; a claim uses the day rate for a whole day, the half-day rate for half, else hours.
  per_hour integer check (per_hour >= 0),
  per_half_day integer check (per_half_day >= 0),
  per_day integer check (per_day >= 0),
  currency text not null default 'GBP' check (currency = 'GBP'),
  -- Where the rate comes from (the published guidance it follows).
  source text,
  updated_by uuid references people(id) on delete set null,
  updated_at timestamptz not null default now(),
  check (not paid or per_hour is not null or per_half_day is not null or per_day is not null)
);

create table claims (
  id uuid primary key default gen_random_uuid(),
  -- Erasure keeps the claim with its amounts (finance must keep them) and clears what identifies.
  person_id uuid references people(id) on delete set null,
  -- A draft is a claim the person is checking before they send it: only they (or the member of
  -- staff making it for them) see it, and nothing counts it until it is submitted.
  status text not null default 'submitted' check (status in ('draft', 'submitted', 'approved', 'rejected', 'paid')),
  pay_as text not null check (pay_as in ('bank', 'voucher', 'decline')),
  -- Whether finance already holds the person's bank details (never the details themselves).
  finance_has_bank_details boolean not null default false,
  time_pence integer not null check (time_pence >= 0),
  expenses_pence integer not null check (expenses_pence >= 0),
  total_pence integer not null check (total_pence = time_pence + expenses_pence),
  note text,
  -- Staff claiming for someone: that person may not also approve it.
  made_by uuid references people(id) on delete set null,
  submission_key uuid unique,
  -- A hash of what the form or API call said: the same key with the same answers is a repeat (a
  -- double click); the same key with other answers is not (going back in the browser and changing them).
  submission_hash text,
  decided_by uuid references people(id) on delete set null,
  decided_at timestamptz,
  rejected_reason text,
  paid_by uuid references people(id) on delete set null,
  paid_at timestamptz,
  submitted_at timestamptz,
  -- The claim was kept for finance when its person's data was erased: notes and receipts are gone.
  anonymised_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  check ((status = 'draft') = (submitted_at is null)),
  check ((submission_key is null) = (submission_hash is null))
);
create index claims_person on claims (person_id, created_at);
create index claims_status on claims (status, created_at);
create index claims_made_by on claims (made_by);
create index claims_decided_by on claims (decided_by);
create index claims_paid_by on claims (paid_by);

-- Time claimed: what was attended (a board meeting, an event session, a programme workshop day)
-- or preparation, with the amount worked out from the rate when the claim was made.
create table claim_items (
  id uuid primary key default gen_random_uuid(),
  claim_id uuid not null references claims(id) on delete cascade,
  position smallint not null,
  activity text not null check (activity in ('meeting', 'session', 'workshop_day', 'preparation', 'other')),
  on_date date not null,
  -- Time in minutes (the API speaks hours): whole numbers add up exactly.
  minutes integer not null check (minutes > 0 and minutes <= 1440),
  source_type text check (source_type in ('meeting', 'session')),
  source_id uuid,
  description text not null,
  amount_pence integer not null check (amount_pence >= 0),
  unique (claim_id, position),
  check ((source_type is null) = (source_id is null))
);
create index claim_items_source on claim_items (source_type, source_id);

create table claim_expenses (
  id uuid primary key default gen_random_uuid(),
  claim_id uuid not null references claims(id) on delete cascade,
  position smallint not null,
  kind text not null check (kind in ('travel', 'care', 'subsistence', 'other')),
  amount_pence integer not null check (amount_pence > 0 and amount_pence <= 100000),
  note text,
  -- The receipt (a photo or a PDF) in the file store.
  receipt_key text unique,
  receipt_name text,
  receipt_type text,
  unique (claim_id, position),
  check ((receipt_key is null) = (receipt_name is null))
);

-- Every move a claim made, who made it and why.
create table claim_updates (
  id uuid primary key default gen_random_uuid(),
  claim_id uuid not null references claims(id) on delete cascade,
  status text not null check (status in ('submitted', 'approved', 'rejected', 'paid')),
  note text,
  by_person uuid references people(id) on delete set null,
  at timestamptz not null default now()
);
create index claim_updates_claim on claim_updates (claim_id, at);
create index claim_updates_by on claim_updates (by_person);
