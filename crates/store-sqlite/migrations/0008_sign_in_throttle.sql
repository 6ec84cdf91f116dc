-- Sign-in that holds under load (issue 9). Failed sign-ins are counted per email AND client
-- address, so an attacker elsewhere cannot lock the owner out; each attempt is counted by one
-- atomic upsert before its password is checked, so simultaneous attempts cannot all slip under
-- the limit. Times are whole microseconds since 1970, so that both engines do the arithmetic of
-- the growing delay in the same SQL.
drop table failed_sign_ins;

create table sign_in_throttle (
    email text not null,
    client text not null,
    failures integer not null,
    window_started_micros integer not null,
    delay_seconds integer not null,
    blocked_until_micros integer not null,
    primary key (email, client)
);
