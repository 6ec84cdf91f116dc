-- Steps 1 to 3 as tables: the records that are decided on, counted or summed. Each state is
-- checked by the database, each change is a conditional write on `status` and `version`, and
-- unique indexes make double decisions impossible. Snapshots that are only ever shown whole
-- (a model's text, a calculation's working) stay as JSON text beside the columns decided on.
-- Rows kept as JSON in case_records are carried over by the store at start-up, then removed.

create table assessments (
    id uuid primary key,
    person_id uuid not null references people (id),
    kind text not null check (kind in ('adult', 'carer')),
    questionnaire_id text not null,
    questionnaire_version bigint not null,
    status text not null check (status in ('in_progress', 'submitted', 'sent_back', 'accepted')),
    completed_by text not null,
    started_at timestamptz not null,
    submitted_at timestamptz,
    review_accepted boolean,
    review_questions text,
    review_reason text,
    reviewed_by uuid references users (id),
    reviewed_by_name text,
    reviewed_at timestamptz,
    updated_at timestamptz not null,
    version bigint not null default 1 check (version > 0)
);
create index assessments_person on assessments (person_id, started_at);
create index assessments_status on assessments (status, updated_at);
-- One self-assessment of each kind under way per person, however many start at once.
create unique index assessments_one_open on assessments (person_id, kind) where status in ('in_progress', 'sent_back', 'submitted');

create table assessment_answers (
    assessment_id uuid not null references assessments (id),
    question_id text not null,
    answer_id text not null,
    primary key (assessment_id, question_id)
);

create table eligibility_decisions (
    id uuid primary key,
    person_id uuid not null references people (id),
    assessment_id uuid not null references assessments (id),
    eligible boolean not null,
    findings text not null,
    decision text not null,
    decided_by uuid not null references users (id),
    decided_by_name text not null,
    decided_at timestamptz not null
);
-- One decision per assessment: a second at the same moment is refused.
create unique index eligibility_decisions_assessment on eligibility_decisions (assessment_id);
create index eligibility_decisions_person on eligibility_decisions (person_id, decided_at);

create table allocations (
    id uuid primary key,
    person_id uuid not null references people (id),
    assessment_id uuid not null references assessments (id),
    model_source text not null,
    answers text not null,
    result text not null,
    total_pence bigint not null check (total_pence >= 0),
    calculated_by uuid not null references users (id),
    calculated_by_name text not null,
    calculated_at timestamptz not null,
    override_pence bigint check (override_pence >= 0),
    override_reason text,
    override_by uuid references users (id),
    override_by_name text,
    override_at timestamptz,
    version bigint not null default 1 check (version > 0),
    check ((override_pence is null) = (override_reason is null))
);
create unique index allocations_assessment on allocations (assessment_id);
create index allocations_person on allocations (person_id, calculated_at);

create table financial_assessments (
    id uuid primary key,
    person_id uuid not null references people (id),
    circumstances text not null,
    rates_source text not null,
    weekly_cost_pence bigint not null check (weekly_cost_pence >= 0),
    weekly_contribution_pence bigint not null check (weekly_contribution_pence >= 0),
    contribution text not null,
    assessed_by uuid not null references users (id),
    assessed_by_name text not null,
    assessed_at timestamptz not null
);
create index financial_assessments_person on financial_assessments (person_id, assessed_at);

create table plans (
    id uuid primary key,
    person_id uuid not null references people (id),
    allocation_id uuid not null references allocations (id),
    status text not null check (status in ('drafting', 'submitted', 'awaiting_manager', 'changes_requested', 'agreed')),
    outcomes text not null,
    risks text not null,
    contingency text not null,
    money_manager text not null check (money_manager in ('direct_payment', 'indirect_payment', 'trust_fund', 'brokered_fund', 'individual_service_fund', 'council_managed')),
    written_by text not null,
    created_at timestamptz not null,
    updated_at timestamptz not null,
    version bigint not null default 1 check (version > 0)
);
create index plans_person on plans (person_id, created_at);
create index plans_status on plans (status, updated_at);
-- One plan in progress per person: a second cannot be started, or agreed, beside it.
create unique index plans_one_in_progress on plans (person_id) where status <> 'agreed';

create table plan_lines (
    plan_id uuid not null references plans (id),
    position bigint not null check (position > 0),
    description text not null,
    unit_cost_pence bigint not null check (unit_cost_pence >= 0),
    units bigint not null check (units > 0),
    frequency text not null check (frequency in ('weekly', 'fortnightly', 'four_weekly', 'monthly', 'quarterly', 'annually', 'one_off')),
    component text not null,
    primary key (plan_id, position)
);

create table plan_decisions (
    id uuid primary key,
    plan_id uuid not null references plans (id),
    stage text not null check (stage in ('practitioner', 'manager')),
    verdict text not null check (verdict in ('agreed', 'changes_requested', 'spending_refused')),
    reason text not null,
    refused_lines text not null,
    plan_cost_pence bigint not null,
    indicative_pence bigint not null,
    decided_by uuid not null references users (id),
    decided_by_name text not null,
    decided_at timestamptz not null,
    check (verdict = 'agreed' or reason <> '')
);
create index plan_decisions_plan on plan_decisions (plan_id, decided_at);

create table personal_budgets (
    id uuid primary key,
    person_id uuid not null references people (id),
    plan_id uuid not null references plans (id),
    allocation_id uuid not null references allocations (id),
    financial_assessment_id uuid references financial_assessments (id),
    indicative_annual_pence bigint not null check (indicative_annual_pence >= 0),
    annual_cost_pence bigint not null check (annual_cost_pence >= 0),
    annual_contribution_pence bigint not null check (annual_contribution_pence >= 0),
    annual_council_pence bigint not null check (annual_council_pence >= 0),
    contribution_basis text not null check (contribution_basis in ('net', 'gross')),
    money_manager text not null,
    agreed_by uuid not null references users (id),
    agreed_by_name text not null,
    agreed_at timestamptz not null,
    check (annual_cost_pence = annual_contribution_pence + annual_council_pence)
);
-- One budget per agreed plan.
create unique index personal_budgets_plan on personal_budgets (plan_id);
create index personal_budgets_person on personal_budgets (person_id, agreed_at);

create table challenges (
    id uuid primary key,
    person_id uuid not null references people (id),
    budget_id uuid not null references personal_budgets (id),
    reason text not null check (reason <> ''),
    raised_by uuid not null references users (id),
    raised_by_name text not null,
    raised_at timestamptz not null,
    status text not null check (status in ('open', 'answered')),
    response text,
    responded_by uuid references users (id),
    responded_by_name text,
    responded_at timestamptz,
    version bigint not null default 1 check (version > 0),
    check ((status = 'answered') = (response is not null))
);
create index challenges_person on challenges (person_id, raised_at);
create index challenges_status on challenges (status, raised_at);
