-- Challenges where they count, and decisions made again only on the record.
--
-- 1. A challenge can be to the eligibility decision, the indicative budget, refused spending (a
--    plan decision), the charge (a financial assessment) or the final budget: one column for each
--    kind of record, exactly the one for the challenge's kind filled in. Who raised it, which
--    member of staff recorded it on the person's behalf (a column, not words in a name), who
--    made the decision challenged, its owner (never that decision maker), the date it must be
--    answered by, and the owner's outcome and reasons. Challenges to a budget made before this
--    are carried over: the staff member who recorded one on the person's behalf is read back out
--    of the name it was stored under; the answer date is 28 days from raising, the default the
--    council file gives; an answer keeps its text with no outcome named, because none was.
-- 2. Eligibility decided again (a redetermination) replaces the earlier decision only on the
--    record: the new decision names the one it replaces, with its reason; the earlier is kept,
--    marked with when it was replaced. One current decision per assessment, and a decision can be
--    replaced once, by unique indexes. Decisions also record fluctuating needs over a period and,
--    for a person found not eligible, the written advice on preventing or delaying needs.
-- 3. A refusal of spending names its ground (unlawful or harmful).

alter table challenges rename to challenges_before_0009;

create table challenges (
    id uuid primary key,
    person_id uuid not null references people (id),
    kind text not null check (kind in ('eligibility', 'indicative_budget', 'refused_spending', 'charge', 'budget')),
    eligibility_decision_id uuid references eligibility_decisions (id),
    allocation_id uuid references allocations (id),
    plan_decision_id uuid references plan_decisions (id),
    financial_assessment_id uuid references financial_assessments (id),
    budget_id uuid references personal_budgets (id),
    reason text not null check (reason <> ''),
    raised_by uuid not null references users (id),
    raised_by_name text not null,
    recorded_by_staff uuid references users (id),
    recorded_by_staff_name text,
    raised_at timestamptz not null,
    decision_maker uuid references users (id),
    owner_id uuid references users (id),
    owner_name text,
    answer_by date not null,
    status text not null check (status in ('open', 'answered')),
    outcome text check (outcome in ('upheld', 'partly_upheld', 'not_upheld')),
    outcome_reasons text,
    answered_by uuid references users (id),
    answered_by_name text,
    answered_at timestamptz,
    version bigint not null default 1 check (version > 0),
    check ((kind = 'eligibility') = (eligibility_decision_id is not null)),
    check ((kind = 'indicative_budget') = (allocation_id is not null)),
    check ((kind = 'refused_spending') = (plan_decision_id is not null)),
    check ((kind = 'charge') = (financial_assessment_id is not null)),
    check ((kind = 'budget') = (budget_id is not null)),
    check (recorded_by_staff is null or recorded_by_staff = raised_by),
    check ((recorded_by_staff is null) = (recorded_by_staff_name is null)),
    check ((owner_id is null) = (owner_name is null)),
    check (owner_id is null or decision_maker is null or owner_id <> decision_maker),
    check ((status = 'answered') = (outcome_reasons is not null)),
    check ((status = 'answered') = (answered_by is not null)),
    check (outcome is null or status = 'answered')
);

insert into challenges (id, person_id, kind, budget_id, reason, raised_by, raised_by_name, recorded_by_staff, recorded_by_staff_name,
    raised_at, decision_maker, owner_id, owner_name, answer_by, status, outcome, outcome_reasons, answered_by, answered_by_name,
    answered_at, version)
select old.id, old.person_id, 'budget', old.budget_id, old.reason, old.raised_by,
    case when old.raised_by_name like '%, recorded on the person''s behalf' then left(old.raised_by_name, length(old.raised_by_name) - length(', recorded on the person''s behalf')) else old.raised_by_name end,
    case when old.raised_by_name like '%, recorded on the person''s behalf' then old.raised_by end,
    case when old.raised_by_name like '%, recorded on the person''s behalf' then left(old.raised_by_name, length(old.raised_by_name) - length(', recorded on the person''s behalf')) end,
    old.raised_at, null, old.responded_by, old.responded_by_name, (old.raised_at + interval '28 days')::date, old.status, null, old.response,
    old.responded_by, old.responded_by_name, old.responded_at, old.version
from challenges_before_0009 old;

drop table challenges_before_0009;
create index challenges_person on challenges (person_id, raised_at);
-- Each owner's queue: open challenges, the soonest due first.
create index challenges_owner on challenges (owner_id, status, answer_by);
create index challenges_status on challenges (status, answer_by);

drop index eligibility_decisions_assessment;
alter table eligibility_decisions add column replaces uuid references eligibility_decisions (id);
alter table eligibility_decisions add column redetermination_reason text;
alter table eligibility_decisions add column challenge_id uuid references challenges (id);
alter table eligibility_decisions add column replaced_at timestamptz;
alter table eligibility_decisions add column needs_fluctuate boolean;
alter table eligibility_decisions add column fluctuation_period text;
alter table eligibility_decisions add column fluctuation_description text;
alter table eligibility_decisions add column prevention_advice text;
-- One current decision per assessment: deciding again replaces the current one on the record.
create unique index eligibility_decisions_current on eligibility_decisions (assessment_id) where replaced_at is null;
-- A decision is replaced once: of two redeterminations of it at the same moment, one lands.
create unique index eligibility_decisions_replaces on eligibility_decisions (replaces) where replaces is not null;

-- A redetermination that finds the person eligible works out a new indicative budget beside the
-- earlier one (which its plans keep pointing at), so an assessment may have more than one.
drop index allocations_assessment;
create index allocations_assessment on allocations (assessment_id, calculated_at);

alter table plan_decisions add column refusal_ground text check (refusal_ground in ('unlawful', 'harmful'));
