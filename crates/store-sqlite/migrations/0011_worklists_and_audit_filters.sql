-- The audit log's filters by account and by kind of event, newest first, without reading the
-- whole log (the filter by person already has audit_events_person).
create index audit_events_actor on audit_events (actor_id, sequence);
create index audit_events_action on audit_events (action, sequence);
-- The caseload's stage comes from each person's newest allocation and plan decision; these
-- lookups already have indexes (allocations_person, plans_person, plan_decisions_plan), and the
-- newest assessment has assessments_person.
