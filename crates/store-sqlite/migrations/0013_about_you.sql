-- "About you" beside the scored questions, in the person's own words and never scored: what
-- matters to them, their strengths, and the people and support around them.
alter table assessments add column what_matters text;
alter table assessments add column strengths text;
alter table assessments add column support_around text;
