-- Search that finds people as staff type them: names without apostrophes, hyphens or spaces
-- (accents are set aside for names written from now on, in Rust: `name_search_key`), and
-- postcodes with or without the space.

update people set
    given_lower = replace(replace(replace(replace(replace(given_lower, '''', ''), '-', ''), ' ', ''), '.', ''), '’', ''),
    family_lower = replace(replace(replace(replace(replace(family_lower, '''', ''), '-', ''), ' ', ''), '.', ''), '’', '');

alter table people add column postcode_key text;
update people set postcode_key = upper(replace(postcode, ' ', ''));
create index people_postcode_key on people (postcode_key);
