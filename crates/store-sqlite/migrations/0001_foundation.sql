-- Tailor foundation: accounts, sessions, people and their records, audit.
-- Ids are UUIDs stored as 16-byte blobs; times are UTC text as sqlx writes them; money (later) is integer pence.

create table teams (
    id blob primary key,
    name text not null unique,
    created_at text not null
);

create table organisations (
    id blob primary key,
    name text not null unique,
    kind text not null,
    created_at text not null
);

create table people (
    id blob primary key,
    given_name text not null,
    family_name text not null,
    given_lower text not null,
    family_lower text not null,
    preferred_name text,
    date_of_birth text not null,
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
    consent_recorded_on text,
    allocated_worker blob references users (id),
    team_id blob references teams (id),
    created_at text not null,
    updated_at text not null
);
create index people_team on people (team_id, family_lower, given_lower);
create index people_allocated_worker on people (allocated_worker, family_lower, given_lower);
create index people_family_lower on people (family_lower, given_lower);
create index people_given_lower on people (given_lower);
create index people_date_of_birth on people (date_of_birth);

create table users (
    id blob primary key,
    email text not null unique,
    display_name text not null,
    role text not null,
    team_id blob references teams (id),
    person_id blob references people (id),
    organisation_id blob references organisations (id),
    active integer not null default 1,
    password_hash text not null,
    created_at text not null
);
create index users_role on users (role);

create table sessions (
    id_hash text primary key,
    user_id blob references users (id) on delete cascade,
    csrf_token text not null,
    created_at text not null,
    last_seen_at text not null
);
create index sessions_last_seen on sessions (last_seen_at);

create table failed_sign_ins (
    email text not null,
    at text not null
);
create index failed_sign_ins_email on failed_sign_ins (email, at);

create table api_tokens (
    token_hash text primary key,
    user_id blob not null references users (id) on delete cascade,
    created_at text not null,
    expires_at text not null
);

create table relationships (
    id blob primary key,
    person_id blob not null references people (id),
    kind text not null,
    name text not null,
    phone text,
    related_person_id blob references people (id),
    lives_with_person integer not null,
    notes text not null default '',
    created_at text not null
);
create index relationships_person on relationships (person_id);

create table warnings (
    id blob primary key,
    person_id blob not null references people (id),
    category text not null,
    text text not null,
    created_by blob not null references users (id),
    created_by_name text not null,
    created_at text not null
);
create index warnings_person on warnings (person_id);

create table case_notes (
    id blob primary key,
    person_id blob not null references people (id),
    kind text not null,
    occurred_on text not null,
    text text not null,
    author_id blob not null references users (id),
    author_name text not null,
    created_at text not null
);
create index case_notes_person on case_notes (person_id, occurred_on desc, created_at desc);

create table documents (
    id blob primary key,
    person_id blob not null references people (id),
    title text not null,
    file_name text not null,
    content_type text not null,
    size_bytes integer not null,
    content blob not null,
    uploaded_by blob not null references users (id),
    uploaded_by_name text not null,
    uploaded_at text not null
);
create index documents_person on documents (person_id);

create table delegations (
    id blob primary key,
    person_id blob not null references people (id),
    helper_id blob not null references users (id),
    scopes text not null,
    expires_on text,
    granted_at text not null
);
create index delegations_person on delegations (person_id);
create index delegations_helper on delegations (helper_id);

create table money_holders (
    person_id blob not null references people (id),
    organisation_id blob not null references organisations (id),
    since text not null,
    primary key (person_id, organisation_id)
);
create index money_holders_organisation on money_holders (organisation_id);

create table audit_events (
    sequence integer primary key,
    at text not null,
    actor_id blob,
    actor_label text not null,
    action text not null,
    subject_type text not null,
    subject_id text not null,
    person_id blob,
    details text not null,
    previous_hash text not null,
    hash text not null
);
create index audit_events_person on audit_events (person_id, sequence);
