-- Support that is never charged for (reablement in its free weeks, section 117 aftercare,
-- equipment, support for the person a carer looks after, the council's own free list): the code
-- from `NeverCharged::code`, or null where the line can be charged for. Existing lines stay
-- chargeable, as they were worked out before.
alter table plan_lines add column never_charged text;
