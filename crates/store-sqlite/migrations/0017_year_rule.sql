-- The council's year rule (how many weeks make a year: "52 weeks", "52 weeks and 1 day" or
-- "365.25 days") kept on the records whose amounts are agreed, so an agreed plan and its budget
-- keep the figures they were agreed with when the council changes its rule. Records made before
-- the rule could be chosen were worked out on 52 weeks.
alter table plans add column year_rule text not null default '52 weeks'
    check (year_rule in ('52 weeks', '52 weeks and 1 day', '365.25 days'));
alter table personal_budgets add column year_rule text not null default '52 weeks'
    check (year_rule in ('52 weeks', '52 weeks and 1 day', '365.25 days'));
