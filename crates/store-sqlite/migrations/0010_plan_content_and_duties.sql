-- The plan's statutory content (Care Act s25) and the assessment's duties (s9-11, s67).

-- Quantities may be fractional (7.5 hours a week): kept exactly in hundredths. Every existing
-- whole quantity becomes the same amount in hundredths.
alter table plan_lines rename column units to units_hundredths;
update plan_lines set units_hundredths = units_hundredths * 100;
-- The kind of support chosen in plain words (config/plans/support.toml); null on older lines.
alter table plan_lines add column support text;
-- The need the line meets: an eligibility outcome code, or 'carer_health'.
alter table plan_lines add column meets text;
-- For reablement: the day it starts, so the free weeks can be counted.
alter table plan_lines add column reablement_start text;

-- Who manages the money is the person's choice: a draft may have none yet. Existing plans keep
-- the form they hold.
alter table plans add column money_form text check (money_form in ('direct_payment', 'indirect_payment', 'trust_fund', 'brokered_fund', 'individual_service_fund', 'council_managed'));
update plans set money_form = money_manager;
alter table plans drop column money_manager;
alter table plans rename column money_form to money_manager;
-- The information and advice given (s25(1)(e)); empty on plans from before it was kept.
alter table plans add column advice text not null default '';

-- How the assessment was carried out and the duties around it: the offer of a supported
-- self-assessment, the method, the person's capacity to take part, and independent advocacy
-- where they would have substantial difficulty being involved (s67).
create table assessment_duties (
    assessment_id blob primary key references assessments (id),
    person_id blob not null references people (id),
    self_assessment_offered integer not null check (self_assessment_offered in (0, 1)),
    method text not null check (method in ('supported_self_assessment', 'practitioner_in_person', 'practitioner_remote', 'joint', 'combined_with_carer')),
    capacity text not null check (capacity in ('no_doubt', 'assessed_has_capacity', 'assessed_lacks_capacity')),
    capacity_notes text not null,
    substantial_difficulty integer not null check (substantial_difficulty in (0, 1)),
    advocacy text not null check (advocacy in ('not_needed', 'appropriate_person', 'advocate')),
    appropriate_person text,
    advocate_name text,
    advocate_organisation text,
    advocate_contact text,
    recorded_by blob not null references users (id),
    recorded_by_name text not null,
    recorded_at text not null,
    version integer not null default 1 check (version > 0),
    -- Where the person would have substantial difficulty, advocacy must be settled one way.
    check (substantial_difficulty = 1 or advocacy = 'not_needed'),
    check (substantial_difficulty = 0 or advocacy <> 'not_needed'),
    check (advocacy <> 'appropriate_person' or coalesce(appropriate_person, '') <> ''),
    check (advocacy <> 'advocate' or (coalesce(advocate_name, '') <> '' and coalesce(advocate_organisation, '') <> '' and coalesce(advocate_contact, '') <> ''))
);
create index assessment_duties_person on assessment_duties (person_id);
