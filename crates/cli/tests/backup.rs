//! A backup of the demo council restores into an empty database with every record and an audit
//! chain that verifies, also against a checkpoint made before the backup. On SQLite always; on
//! PostgreSQL when `POSTGRES_TEST_URL` names a server and pg_dump, pg_restore and psql are on PATH.

use std::process::Command;
use std::sync::Arc;
use tailor_domain::people::PeopleSearch;
use tailor_store::{PeopleFilter, PeopleQuery, Store};

const KEY: &str = "backup-test-audit-key-0123456789abcdef";

fn tailor(arguments: &[&str], audit_key: Option<&str>) -> String {
    let mut command = Command::new(env!("CARGO_BIN_EXE_tailor"));
    command.args(arguments).env_remove("TAILOR_AUDIT_KEY");
    if let Some(key) = audit_key {
        command.env("TAILOR_AUDIT_KEY", key);
    }
    let output = command.output().unwrap();
    assert!(
        output.status.success(),
        "tailor {arguments:?} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// Everything the demo council holds, counted record by record.
async fn census(store: Arc<dyn Store>) -> Vec<(String, usize)> {
    let people = store
        .search_people(&PeopleQuery {
            filter: PeopleFilter::Everyone,
            search: PeopleSearch::default(),
            limit: 100_000,
            offset: 0,
        })
        .await
        .unwrap();
    let mut counts = vec![
        ("people".to_owned(), people.len()),
        ("users".to_owned(), store.list_users().await.unwrap().len()),
        ("teams".to_owned(), store.list_teams().await.unwrap().len()),
        ("organisations".to_owned(), store.list_organisations().await.unwrap().len()),
        ("audit events".to_owned(), store.audit_chain(0, 1_000_000).await.unwrap().len()),
        (
            "configurations".to_owned(),
            store.list_configurations("questionnaire").await.unwrap().len(),
        ),
    ];
    for person in &people {
        let id = person.id;
        counts.push((format!("{id} notes"), store.list_notes(id, 100_000).await.unwrap().len()));
        counts.push((format!("{id} relationships"), store.list_relationships(id).await.unwrap().len()));
        counts.push((format!("{id} warnings"), store.list_warnings(id).await.unwrap().len()));
        counts.push((format!("{id} assessments"), store.list_assessments(id).await.unwrap().len()));
        counts.push((format!("{id} plans"), store.list_plans(id).await.unwrap().len()));
        counts.push((format!("{id} budgets"), store.list_budgets(id).await.unwrap().len()));
        counts.push((
            format!("{id} delegations"),
            store.list_delegations_for_person(id).await.unwrap().len(),
        ));
    }
    counts
}

/// Builds the demo council at `source`, checkpoints and backs it up, restores it at `target`,
/// and checks the restored database against the original and the checkpoint.
async fn round_trip(source: &str, target: &str, backup: &std::path::Path, checkpoint: &std::path::Path, key: Option<&str>) {
    tailor(&["demo", "--no-serve", "--people", "20", "--database-url", source], key);
    tailor(
        &[
            "audit",
            "checkpoint",
            "--out",
            checkpoint.to_str().unwrap(),
            "--database-url",
            source,
        ],
        key,
    );
    let said = tailor(&["backup", "--out", backup.to_str().unwrap(), "--database-url", source], key);
    assert!(said.contains("Backed up"), "{said}");
    tailor(&["restore", "--from", backup.to_str().unwrap(), "--database-url", target], None);
    // The key is not in the backup: the restored database is checked with the original's.
    let original_key = match key {
        Some(key) => key.to_owned(),
        None => std::fs::read_to_string(source_key_file(source)).unwrap(),
    };
    let verified = tailor(
        &[
            "audit",
            "verify",
            "--checkpoint",
            checkpoint.to_str().unwrap(),
            "--database-url",
            target,
        ],
        Some(original_key.trim()),
    );
    assert!(
        verified.contains("intact") && verified.contains("still matches the checkpoint"),
        "{verified}"
    );
    let (before, after) = if source.starts_with("sqlite:") {
        (
            census(Arc::new(tailor_store_sqlite::SqliteStore::connect(source).await.unwrap())).await,
            census(Arc::new(tailor_store_sqlite::SqliteStore::connect(target).await.unwrap())).await,
        )
    } else {
        (
            census(Arc::new(tailor_store_postgres::PostgresStore::connect(source).await.unwrap())).await,
            census(Arc::new(tailor_store_postgres::PostgresStore::connect(target).await.unwrap())).await,
        )
    };
    assert_eq!(before[0], ("people".to_owned(), 20));
    assert!(before.iter().any(|(what, count)| what.ends_with("notes") && *count > 0));
    assert_eq!(before, after, "the restored database holds every record");
}

fn source_key_file(url: &str) -> String {
    format!("{}.audit-key", url.trim_start_matches("sqlite:"))
}

#[tokio::test]
async fn a_sqlite_backup_restores_with_every_record_and_a_verified_chain() {
    let directory = tempfile::tempdir().unwrap();
    let source = format!("sqlite:{}", directory.path().join("council.db").display());
    let target = format!("sqlite:{}", directory.path().join("restored.db").display());
    round_trip(
        &source,
        &target,
        &directory.path().join("council.backup"),
        &directory.path().join("checkpoint.json"),
        None,
    )
    .await;
    // Served without the original key, the restored database is refused rather than given a new key.
    let keyless = Command::new(env!("CARGO_BIN_EXE_tailor"))
        .args(["jobs", "run", "--database-url", &target])
        .env_remove("TAILOR_AUDIT_KEY")
        .output()
        .unwrap();
    assert!(!keyless.status.success());
    assert!(
        String::from_utf8_lossy(&keyless.stderr).contains("key file"),
        "{}",
        String::from_utf8_lossy(&keyless.stderr)
    );
    assert!(!directory.path().join("restored.db.audit-key").exists());
    // A restore never overwrites a database.
    let again = Command::new(env!("CARGO_BIN_EXE_tailor"))
        .args([
            "restore",
            "--from",
            directory.path().join("council.backup").to_str().unwrap(),
            "--database-url",
            &target,
        ])
        .output()
        .unwrap();
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("already exists"));
}

#[tokio::test]
async fn a_postgres_backup_restores_with_every_record_and_a_verified_chain() {
    let Ok(server_url) = std::env::var("POSTGRES_TEST_URL") else {
        eprintln!("POSTGRES_TEST_URL is not set: skipping the PostgreSQL backup check");
        return;
    };
    let on_path = |tool: &str| {
        Command::new(tool)
            .arg("--version")
            .output()
            .is_ok_and(|output| output.status.success())
    };
    if !["pg_dump", "pg_restore", "psql"].into_iter().all(on_path) {
        eprintln!("pg_dump, pg_restore or psql is not on PATH: skipping the PostgreSQL backup check");
        return;
    }
    let suffix = uuid::Uuid::new_v4().simple().to_string();
    let (source_name, target_name) = (format!("tailor_backup_from_{suffix}"), format!("tailor_backup_to_{suffix}"));
    let psql = |sql: &str| {
        let output = Command::new("psql")
            .args(["--no-psqlrc", "--command", sql, &server_url])
            .output()
            .unwrap();
        assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    };
    psql(&format!("create database {source_name}"));
    psql(&format!("create database {target_name}"));
    let (base, _) = server_url.rsplit_once('/').unwrap();
    let directory = tempfile::tempdir().unwrap();
    round_trip(
        &format!("{base}/{source_name}"),
        &format!("{base}/{target_name}"),
        &directory.path().join("council.dump"),
        &directory.path().join("checkpoint.json"),
        Some(KEY),
    )
    .await;
    psql(&format!("drop database {source_name} with (force)"));
    psql(&format!("drop database {target_name} with (force)"));
}
