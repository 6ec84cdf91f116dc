-- Tamper evidence that holds (issue 9).
-- Events written from now on are sealed with HMAC-SHA256 under a key kept outside the database
-- (hash_version 2); events written before keeping a key stay verifiable by the plain SHA-256
-- rule (hash_version 1).
alter table audit_events add column hash_version bigint not null default 1;

-- The audit trail is only ever appended to. The triggers refuse UPDATE, DELETE and TRUNCATE by
-- any role, the owner included, until someone drops them; checkpoints (docs/audit.md) catch
-- what a person who drops them does.
create function audit_events_refuse_change() returns trigger language plpgsql as $body$
begin
    raise exception 'audit events cannot be changed or deleted (% refused)', tg_op
        using errcode = 'insufficient_privilege';
end
$body$;

create trigger audit_events_refuse_update_or_delete before update or delete on audit_events
    for each row execute function audit_events_refuse_change();

create trigger audit_events_refuse_truncate before truncate on audit_events
    for each statement execute function audit_events_refuse_change();

-- Where the application signs in as its own role, named tailor_app (docs/audit.md), that role
-- may only read and append audit events: it cannot drop the triggers above, as it does not own
-- the table. Nothing happens where no such role exists.
do $body$
begin
    if exists (select 1 from pg_roles where rolname = 'tailor_app') then
        revoke all on audit_events from tailor_app;
        grant select, insert on audit_events to tailor_app;
    end if;
end
$body$;
