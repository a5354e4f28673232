-- Signing in with an organisation's account (OpenID Connect, issue 17).

-- A sign-in begun at a provider and not yet finished: what the callback must find to accept it.
-- Keyed by a hash of the `state` sent to the provider (the browser holds the state in a cookie
-- too, so a callback made in another browser is refused); used once, gone within minutes.
create table oidc_sign_ins (
  state_hash text primary key,
  provider text not null,
  nonce text not null,
  code_verifier text not null,
  expires_at timestamptz not null,
  created_at timestamptz not null default now()
);
create index oidc_sign_ins_expires_at on oidc_sign_ins (expires_at);

-- Who a provider's account is here: its issuer and subject (the provider's id for the person,
-- which never changes), linked on the first sign-in by a verified email address.
create table person_identities (
  issuer text not null,
  subject text not null,
  person_id uuid not null references people (id) on delete cascade,
  created_at timestamptz not null default now(),
  last_signed_in_at timestamptz not null default now(),
  primary key (issuer, subject)
);
create index person_identities_person_id on person_identities (person_id);
