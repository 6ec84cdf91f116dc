-- Tailor foundation: accounts, sessions, people and their records, audit.
-- The same tables as the SQLite migration of the same number, in PostgreSQL's own types.

create table teams (
    id uuid primary key,
    name text not null unique,
    created_at timestamptz not null
);

create table organisations (
    id uuid primary key,
    name text not null unique,
    kind text not null,
    created_at timestamptz not null
);

create table users (
    id uuid primary key,
    email text not null unique,
    display_name text not null,
    role text not null,
    team_id uuid references teams (id),
    person_id uuid,
    organisation_id uuid references organisations (id),
    active boolean not null default true,
    password_hash text not null,
    created_at timestamptz not null
);
create index users_role on users (role);

create table people (
    id uuid primary key,
    given_name text not null,
    family_name text not null,
    given_lower text not null,
    family_lower text not null,
    preferred_name text,
    date_of_birth date not null,
    nhs_number text unique,
    address_line_1 text not null,
    address_line_2 text,
    town text not null,
    postcode text not null,
    phone text,
    email text,
    contact_preference text not null,
    communication_needs text not null default '',
    consent_status text not null,
    consent_limitations text not null default '',
    consent_recorded_on date,
    allocated_worker uuid references users (id),
    team_id uuid references teams (id),
    created_at timestamptz not null,
    updated_at timestamptz not null
);
alter table users add constraint users_person_id_fkey foreign key (person_id) references people (id);
create index people_team on people (team_id, family_lower, given_lower);
create index people_allocated_worker on people (allocated_worker, family_lower, given_lower);
create index people_family_lower on people (family_lower text_pattern_ops, given_lower);
create index people_given_lower on people (given_lower text_pattern_ops);
create index people_date_of_birth on people (date_of_birth);

create table sessions (
    id_hash text primary key,
    user_id uuid references users (id) on delete cascade,
    csrf_token text not null,
    created_at timestamptz not null,
    last_seen_at timestamptz not null
);
create index sessions_last_seen on sessions (last_seen_at);

create table failed_sign_ins (
    email text not null,
    at timestamptz not null
);
create index failed_sign_ins_email on failed_sign_ins (email, at);

create table api_tokens (
    token_hash text primary key,
    user_id uuid not null references users (id) on delete cascade,
    created_at timestamptz not null,
    expires_at timestamptz not null
);

create table relationships (
    id uuid primary key,
    person_id uuid not null references people (id),
    kind text not null,
    name text not null,
    phone text,
    related_person_id uuid references people (id),
    lives_with_person boolean not null,
    notes text not null default '',
    created_at timestamptz not null
);
create index relationships_person on relationships (person_id);

create table warnings (
    id uuid primary key,
    person_id uuid not null references people (id),
    category text not null,
    text text not null,
    created_by uuid not null references users (id),
    created_by_name text not null,
    created_at timestamptz not null
);
create index warnings_person on warnings (person_id);

create table case_notes (
    id uuid primary key,
    person_id uuid not null references people (id),
    kind text not null,
    occurred_on date not null,
    text text not null,
    author_id uuid not null references users (id),
    author_name text not null,
    created_at timestamptz not null
);
create index case_notes_person on case_notes (person_id, occurred_on desc, created_at desc);

create table documents (
    id uuid primary key,
    person_id uuid not null references people (id),
    title text not null,
    file_name text not null,
    content_type text not null,
    size_bytes bigint not null,
    content bytea not null,
    uploaded_by uuid not null references users (id),
    uploaded_by_name text not null,
    uploaded_at timestamptz not null
);
create index documents_person on documents (person_id);

create table delegations (
    id uuid primary key,
    person_id uuid not null references people (id),
    helper_id uuid not null references users (id),
    scopes text not null,
    expires_on date,
    granted_at timestamptz not null
);
create index delegations_person on delegations (person_id);
create index delegations_helper on delegations (helper_id);

create table money_holders (
    person_id uuid not null references people (id),
    organisation_id uuid not null references organisations (id),
    since date not null,
    primary key (person_id, organisation_id)
);
create index money_holders_organisation on money_holders (organisation_id);

create table audit_events (
    sequence bigint primary key,
    at timestamptz not null,
    actor_id uuid,
    actor_label text not null,
    action text not null,
    subject_type text not null,
    subject_id text not null,
    person_id uuid,
    details text not null,
    previous_hash text not null,
    hash text not null
);
create index audit_events_person on audit_events (person_id, sequence);
