-- A team manager hands an open challenge to another owner, with a reason. The challenge row holds
-- the current owner (still never the decision maker: 0009's check); each hand-over is kept here,
-- with the owner before and after, who made it, when and why.
create table challenge_reassignments (
    id uuid primary key,
    challenge_id uuid not null references challenges (id),
    from_owner_id uuid references users (id),
    from_owner_name text,
    to_owner_id uuid not null references users (id),
    to_owner_name text not null,
    reason text not null check (reason <> ''),
    reassigned_by uuid not null references users (id),
    reassigned_by_name text not null,
    reassigned_at timestamptz not null,
    -- The challenge's version the hand-over was made from: one hand-over per version.
    from_version bigint not null check (from_version > 0),
    check ((from_owner_id is null) = (from_owner_name is null)),
    check (from_owner_id is null or from_owner_id <> to_owner_id),
    unique (challenge_id, from_version)
);
create index challenge_reassignments_challenge on challenge_reassignments (challenge_id, reassigned_at);
