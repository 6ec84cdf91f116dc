-- Supported self-assessment to agreed plan: versioned configuration, and the case records
-- (assessments, eligibility, allocations, financial assessments, plans, budgets, challenges)
-- kept as JSON documents with the columns that work queues and the person's page look them up by.

create table configuration_versions (
    kind text not null,
    config_id text not null,
    version integer not null,
    effective_from text not null,
    source text not null,
    loaded_at text not null,
    loaded_by text not null,
    primary key (kind, config_id, version)
);

create table case_records (
    id blob primary key,
    kind text not null,
    person_id blob not null references people (id),
    status text not null,
    body text not null,
    created_at text not null,
    updated_at text not null
);
create index case_records_person on case_records (kind, person_id, created_at);
create index case_records_status on case_records (kind, status, updated_at);
