-- Revocation and self-service (issue 9 items 4 and 7, issue 8 item 7).

-- API tokens get an id to be listed and revoked by; a revoked token is kept, marked, so the
-- account page can say when it stopped working.
alter table api_tokens add column id uuid not null default gen_random_uuid();
create unique index api_tokens_id on api_tokens (id);
alter table api_tokens add column revoked_at timestamptz;
create index api_tokens_user on api_tokens (user_id);

-- A password change is a conditional write on `password_version`; a first password set by an
-- administrator must be changed at first sign-in.
alter table users add column password_version bigint not null default 1;
alter table users add column must_change_password boolean not null default false;

-- One-time links an administrator issues to reset a password: only the hash of the link's
-- secret is kept; using it is one conditional write (`used_at is null and expires_at > now`).
create table password_resets (
    id uuid primary key,
    user_id uuid not null references users (id) on delete cascade,
    token_hash text not null unique,
    issued_by uuid not null references users (id),
    issued_at timestamptz not null,
    expires_at timestamptz not null,
    used_at timestamptz
);
create index password_resets_user on password_resets (user_id);

-- A delegation's scopes change by a conditional write on its version; a withdrawn delegation
-- leaves the table (so no access query can still see it) and is kept here, with who and when.
alter table delegations add column version bigint not null default 1;
create table delegation_withdrawals (
    delegation_id uuid primary key,
    person_id uuid not null references people (id),
    helper_id uuid not null references users (id),
    scopes text not null,
    granted_at timestamptz not null,
    withdrawn_at timestamptz not null,
    withdrawn_by uuid not null references users (id)
);
create index delegation_withdrawals_person on delegation_withdrawals (person_id);

-- An administrator asks for an account to be linked to a person's record; the link takes effect
-- only when a second administrator or the person's team manager confirms it.
create table account_links (
    id uuid primary key,
    user_id uuid not null references users (id),
    person_id uuid not null references people (id),
    status text not null check (status in ('pending', 'confirmed', 'refused')),
    requested_by uuid not null references users (id),
    requested_at timestamptz not null,
    decided_by uuid references users (id),
    decided_at timestamptz,
    version bigint not null default 1
);
create unique index account_links_one_pending on account_links (user_id) where status = 'pending';
create index account_links_person on account_links (person_id);
