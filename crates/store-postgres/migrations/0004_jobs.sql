-- Work that runs later (session clean-up today; payment runs, letters and reminders to come).
-- A job is enqueued in the same transaction as the change that needs it, claimed by one worker
-- at a time, retried with back-off, and kept after it finishes so administrators can see it.

create table jobs (
    id uuid primary key,
    kind text not null,
    payload text not null,
    status text not null check (status in ('queued', 'running', 'done', 'failed')),
    attempts bigint not null default 0 check (attempts >= 0),
    max_attempts bigint not null check (max_attempts > 0),
    run_at timestamptz not null,
    locked_by text,
    locked_until timestamptz,
    last_error text,
    created_at timestamptz not null,
    finished_at timestamptz,
    -- A recurring job is enqueued once per slot ("session_cleanup/2026-11-30T10:05").
    dedupe_key text unique
);
create index jobs_due on jobs (status, run_at);
create index jobs_created on jobs (created_at);
