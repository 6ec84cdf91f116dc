-- Two-step sign-in (issue 9 item 5). A secret is written when someone starts setting it up and
-- switched on (`confirmed_at`) only when they type a code from it. A code is good once:
-- `last_used_step` is the latest time step accepted, and a code is accepted only by a write
-- conditional on a later step.
create table two_factor (
    user_id uuid primary key references users (id) on delete cascade,
    secret bytea not null,
    created_at timestamptz not null,
    confirmed_at timestamptz,
    last_used_step bigint not null default -1
);

-- Ten recovery codes at a time, each kept as a salted hash and used once (`used_at is null`).
create table recovery_codes (
    id uuid primary key,
    user_id uuid not null references users (id) on delete cascade,
    salt text not null,
    code_hash text not null,
    created_at timestamptz not null,
    used_at timestamptz
);
create index recovery_codes_user on recovery_codes (user_id);

-- After the right password an account with two-step sign-in holds a session that is not yet
-- signed in: `pending_user_id` says whose code it waits for.
alter table sessions add column pending_user_id uuid references users (id) on delete cascade;
