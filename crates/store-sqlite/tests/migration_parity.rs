//! Both adapters must build the same schema: the same migrations (numbers and names), and in
//! each, the same tables with the same columns. Types differ (PostgreSQL's `uuid` is SQLite's
//! `blob`), so only names are compared; the conformance suite checks the behaviour.

use std::collections::{BTreeMap, BTreeSet};

/// Table name to column names, for one migration file.
type Schema = BTreeMap<String, BTreeSet<String>>;

/// Words that start a table constraint rather than a column definition.
const CONSTRAINTS: &[&str] = &["primary", "foreign", "unique", "check", "constraint", "exclude"];

fn without_comments(sql: &str) -> String {
    sql.lines()
        .map(|line| line.split("--").next().unwrap_or_default())
        .collect::<Vec<_>>()
        .join("\n")
}

fn unquoted(name: &str) -> String {
    name.trim_matches(|c| c == '"' || c == '`' || c == '[' || c == ']').to_lowercase()
}

/// Splits a table body on the commas that are not inside parentheses.
fn top_level_items(body: &str) -> Vec<String> {
    let (mut items, mut current, mut depth) = (Vec::new(), String::new(), 0);
    for character in body.chars() {
        match character {
            '(' => depth += 1,
            ')' => depth -= 1,
            ',' if depth == 0 => {
                items.push(std::mem::take(&mut current));
                continue;
            }
            _ => {}
        }
        current.push(character);
    }
    items.push(current);
    items
        .into_iter()
        .map(|item| item.trim().to_owned())
        .filter(|item| !item.is_empty())
        .collect()
}

/// The tables and columns a migration creates or adds, read from its SQL.
fn schema_of(sql: &str) -> Schema {
    let mut schema = Schema::new();
    for statement in without_comments(sql).split(';') {
        let words: Vec<String> = statement.split_whitespace().map(str::to_lowercase).collect();
        let words: Vec<&str> = words.iter().map(String::as_str).collect();
        match words.as_slice() {
            ["create", "table", rest @ ..] => {
                let rest: Vec<&str> = rest
                    .iter()
                    .copied()
                    .skip_while(|word| ["if", "not", "exists"].contains(word))
                    .collect();
                let Some(name) = rest.first() else { continue };
                let name = unquoted(name.split('(').next().unwrap_or_default());
                let (Some(open), Some(close)) = (statement.find('('), statement.rfind(')')) else {
                    panic!("table {name} has no column list");
                };
                let columns = top_level_items(&statement[open + 1..close])
                    .iter()
                    .filter_map(|item| item.split_whitespace().next().map(unquoted))
                    .filter(|first| !CONSTRAINTS.contains(&first.as_str()))
                    .collect();
                assert!(schema.insert(name.clone(), columns).is_none(), "table {name} is created twice");
            }
            ["alter", "table", table, "add", "column", column, ..] | ["alter", "table", table, "add", column, ..]
                if !CONSTRAINTS.contains(column) =>
            {
                schema.entry(unquoted(table)).or_default().insert(unquoted(column));
            }
            ["alter", "table", table, "drop", "column", column, ..] => {
                schema.entry(unquoted(table)).or_default().remove(&unquoted(column));
            }
            _ => {}
        }
    }
    schema
}

fn migrations(directory: &str) -> BTreeMap<String, Schema> {
    std::fs::read_dir(directory)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|extension| extension == "sql"))
        .map(|path| {
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            (name, schema_of(&std::fs::read_to_string(&path).unwrap()))
        })
        .collect()
}

#[test]
fn both_adapters_have_the_same_migrations_with_the_same_tables_and_columns() {
    let here = env!("CARGO_MANIFEST_DIR");
    let sqlite = migrations(&format!("{here}/migrations"));
    let postgres = migrations(&format!("{here}/../store-postgres/migrations"));
    assert_eq!(
        sqlite.keys().collect::<Vec<_>>(),
        postgres.keys().collect::<Vec<_>>(),
        "the same migration files, by number and name"
    );
    assert!(
        sqlite.values().any(|schema| schema.contains_key("people")),
        "the reader should find the tables"
    );
    for (file, sqlite_schema) in &sqlite {
        let postgres_schema = &postgres[file];
        let tables = |schema: &Schema| schema.keys().cloned().collect::<Vec<_>>();
        assert_eq!(tables(sqlite_schema), tables(postgres_schema), "{file}: the same tables");
        for (table, columns) in sqlite_schema {
            assert_eq!(columns, &postgres_schema[table], "{file}: the columns of {table}");
        }
    }
}

#[test]
fn the_schema_reader_finds_columns_and_skips_constraints() {
    let schema = schema_of(
        "-- a comment; with a semicolon\n\
         create table if not exists people (\n\
             id uuid primary key, -- the id\n\
             name text not null check (length(name) > 0),\n\
             team_id uuid references teams (id),\n\
             primary key (id, name),\n\
             unique (name),\n\
             constraint named foreign key (team_id) references teams (id)\n\
         );\n\
         alter table people add column postcode text;\n\
         alter table people add constraint people_fk foreign key (team_id) references teams (id);\n\
         create index people_name on people (name);",
    );
    let columns: Vec<&str> = schema["people"].iter().map(String::as_str).collect();
    assert_eq!(columns, ["id", "name", "postcode", "team_id"]);
    assert_eq!(schema.len(), 1);
    let other = schema_of("create table people (id uuid primary key, name text);");
    assert_ne!(schema, other, "a missing column is a difference");
}
