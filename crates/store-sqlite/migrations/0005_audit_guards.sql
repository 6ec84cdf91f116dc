-- Tamper evidence that holds (issue 9).
-- Events written from now on are sealed with HMAC-SHA256 under a key kept outside the database
-- (hash_version 2); events written before keeping a key stay verifiable by the plain SHA-256
-- rule (hash_version 1).
alter table audit_events add column hash_version integer not null default 1;

-- The audit trail is only ever appended to. These refuse changes made through Tailor or by
-- anyone using the database file without first dropping them; checkpoints (docs/audit.md)
-- catch what a person who drops them does.
create trigger audit_events_refuse_update before update on audit_events
begin
    select raise(abort, 'audit events cannot be changed');
end;

create trigger audit_events_refuse_delete before delete on audit_events
begin
    select raise(abort, 'audit events cannot be deleted');
end;
