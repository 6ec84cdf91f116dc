-- A practitioner's change to an indicative budget above the council's ceiling or the model's
-- tolerance waits for a team manager: who asked, when and why; who decided, when and why. One
-- pending request per indicative budget.
create table budget_override_requests (
    id uuid primary key,
    allocation_id uuid not null references allocations (id),
    person_id uuid not null references people (id),
    annual_pence bigint not null check (annual_pence >= 0),
    reason text not null check (reason <> ''),
    asked_by uuid not null references users (id),
    asked_by_name text not null,
    asked_at timestamptz not null,
    status text not null check (status in ('pending', 'agreed', 'declined')),
    decided_by uuid references users (id),
    decided_by_name text,
    decided_at timestamptz,
    decision_reason text,
    version bigint not null default 1 check (version > 0),
    check ((status = 'pending') = (decided_by is null)),
    check ((status = 'pending') = (decided_at is null)),
    check ((status = 'pending') = (decided_by_name is null)),
    check (status <> 'declined' or coalesce(decision_reason, '') <> '')
);
create unique index budget_override_requests_one_pending on budget_override_requests (allocation_id) where status = 'pending';
create index budget_override_requests_allocation on budget_override_requests (allocation_id, asked_at);
create index budget_override_requests_waiting on budget_override_requests (status, asked_at);
