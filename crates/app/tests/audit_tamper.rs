//! Tamper evidence that holds (issue 9), on SQLite and, when `POSTGRES_TEST_URL` names a server,
//! PostgreSQL. Someone with the database's owner rights but not the audit key drops the guarding
//! triggers, then deletes the newest events, rebuilds the chain with recomputed hashes, renumbers
//! it, or empties the table: each is found against the last checkpoint. Without dropping the
//! triggers, changing or deleting an event is refused.

use sqlx::Connection;
use std::sync::Arc;
use tailor_app::clock::SystemClock;
use tailor_app::{App, SessionPolicy};
use tailor_domain::audit::{AuditCheckpoint, AuditEvent, AuditKey};
use tailor_store::Store;

fn key() -> AuditKey {
    AuditKey::from_text("audit-tamper-test-key-0123456789abcdef").unwrap()
}

fn wrong_key() -> AuditKey {
    AuditKey::from_text("someone-elses-key-0123456789abcdef-xyz").unwrap()
}

/// A raw connection to the same database, as someone working on it directly would have.
enum Raw {
    Sqlite(sqlx::SqliteConnection),
    Postgres(sqlx::PgConnection),
}

impl Raw {
    async fn execute(&mut self, sql: &str) -> Result<u64, sqlx::Error> {
        match self {
            Raw::Sqlite(connection) => sqlx::query(sql).execute(connection).await.map(|done| done.rows_affected()),
            Raw::Postgres(connection) => sqlx::query(sql).execute(connection).await.map(|done| done.rows_affected()),
        }
    }

    /// Overwrites an event's content and hashes, as a rebuild of the chain would.
    async fn overwrite(&mut self, event: &AuditEvent) {
        let sql = "update audit_events set actor_label = $1, previous_hash = $2, hash = $3, hash_version = $4 where sequence = $5";
        match self {
            Raw::Sqlite(connection) => sqlx::query(sql)
                .bind(&event.event.actor_label)
                .bind(&event.previous_hash)
                .bind(&event.hash)
                .bind(event.hash_version)
                .bind(event.sequence)
                .execute(connection)
                .await
                .map(|_| ()),
            Raw::Postgres(connection) => sqlx::query(sql)
                .bind(&event.event.actor_label)
                .bind(&event.previous_hash)
                .bind(&event.hash)
                .bind(event.hash_version)
                .bind(event.sequence)
                .execute(connection)
                .await
                .map(|_| ()),
        }
        .unwrap();
    }

    fn is_postgres(&self) -> bool {
        matches!(self, Raw::Postgres(_))
    }

    /// What an owner does first: the triggers only stop those who do not own the table.
    async fn drop_guards(&mut self) {
        let statements: &[&str] = if self.is_postgres() {
            &[
                "drop trigger audit_events_refuse_update_or_delete on audit_events",
                "drop trigger audit_events_refuse_truncate on audit_events",
            ]
        } else {
            &["drop trigger audit_events_refuse_update", "drop trigger audit_events_refuse_delete"]
        };
        for statement in statements {
            self.execute(statement).await.unwrap();
        }
    }
}

/// A fresh database: its URL and a raw connection to it.
struct Database {
    url: String,
    _directory: Option<tempfile::TempDir>,
}

impl Database {
    async fn sqlite() -> Database {
        let directory = tempfile::tempdir().unwrap();
        let url = format!("sqlite:{}", directory.path().join("tamper.db").display());
        Database {
            url,
            _directory: Some(directory),
        }
    }

    async fn postgres(server_url: &str) -> Database {
        let name = format!("tailor_tamper_{}", uuid::Uuid::new_v4().simple());
        let mut admin = sqlx::PgConnection::connect(server_url).await.unwrap();
        sqlx::query(&format!("create database {name}")).execute(&mut admin).await.unwrap();
        let (base, _) = server_url.rsplit_once('/').unwrap();
        Database {
            url: format!("{base}/{name}"),
            _directory: None,
        }
    }

    async fn raw(&self) -> Raw {
        if self.url.starts_with("sqlite:") {
            Raw::Sqlite(sqlx::SqliteConnection::connect(&self.url).await.unwrap())
        } else {
            Raw::Postgres(sqlx::PgConnection::connect(&self.url).await.unwrap())
        }
    }

    /// The app as Tailor runs it: the store seals with `key`, the app checks with it.
    async fn app(&self, key: Option<AuditKey>) -> App {
        let store: Arc<dyn Store> = if self.url.starts_with("sqlite:") {
            let store = tailor_store_sqlite::SqliteStore::connect(&self.url).await.unwrap();
            match key.clone() {
                Some(key) => Arc::new(store.with_audit_key(key)),
                None => Arc::new(store),
            }
        } else {
            let store = tailor_store_postgres::PostgresStore::connect(&self.url).await.unwrap();
            match key.clone() {
                Some(key) => Arc::new(store.with_audit_key(key)),
                None => Arc::new(store),
            }
        };
        let app = App::new(store, Arc::new(SystemClock), SessionPolicy::default());
        match key {
            Some(key) => app.with_audit_key(Arc::new(key)),
            None => app,
        }
    }

    /// Twelve events and a checkpoint of the twelfth, checked intact against it.
    async fn with_events_and_checkpoint(&self) -> (App, AuditCheckpoint) {
        let app = self.app(Some(key())).await;
        for index in 0..12 {
            app.record_anonymous_refusal("tamper test", &format!("attempt {index}"), "/test")
                .await;
        }
        let checkpoint = app.audit_checkpoint().await.unwrap().unwrap();
        assert_eq!(checkpoint.sequence, 12);
        let report = app.verify_audit_chain(Some(&checkpoint)).await.unwrap().unwrap();
        assert_eq!(report.checked, 12);
        (app, checkpoint)
    }
}

async fn verdict(app: &App, checkpoint: Option<&AuditCheckpoint>) -> Result<i64, String> {
    app.verify_audit_chain(checkpoint).await.unwrap().map(|report| report.checked)
}

async fn stored_chain(database: &Database) -> Vec<AuditEvent> {
    // The chain as stored, read without the key (as an attacker without it would).
    let store: Arc<dyn Store> = if database.url.starts_with("sqlite:") {
        Arc::new(tailor_store_sqlite::SqliteStore::connect(&database.url).await.unwrap())
    } else {
        Arc::new(tailor_store_postgres::PostgresStore::connect(&database.url).await.unwrap())
    };
    store.audit_chain(0, 1000).await.unwrap()
}

/// Recomputes every hash from the first event, unkeyed or under another key.
fn rebuilt(mut events: Vec<AuditEvent>, with: Option<&AuditKey>) -> Vec<AuditEvent> {
    let mut previous = tailor_domain::audit::GENESIS_HASH.to_owned();
    for event in &mut events {
        let (version, hash) = event.event.seal(with, event.sequence, &previous);
        event.previous_hash = previous.clone();
        event.hash = hash;
        event.hash_version = version;
        previous = event.hash.clone();
    }
    events
}

async fn every_tampering_is_found(make: impl AsyncFn() -> Database) {
    // The triggers refuse changes and deletions through any connection.
    let database = make().await;
    let (app, checkpoint) = database.with_events_and_checkpoint().await;
    let mut raw = database.raw().await;
    let refused_update = raw
        .execute("update audit_events set actor_label = 'someone else' where sequence = 3")
        .await;
    assert!(refused_update.is_err(), "an update of an audit event must be refused");
    let refused_delete = raw.execute("delete from audit_events where sequence = 12").await;
    assert!(refused_delete.is_err(), "a deletion of an audit event must be refused");
    if raw.is_postgres() {
        assert!(raw.execute("truncate audit_events").await.is_err(), "truncation must be refused");
    }
    assert_eq!(verdict(&app, Some(&checkpoint)).await, Ok(12));

    // The newest events deleted: the chain that is left still links up, but the checkpoint's head is gone.
    let database = make().await;
    let (app, checkpoint) = database.with_events_and_checkpoint().await;
    let mut raw = database.raw().await;
    raw.drop_guards().await;
    assert_eq!(raw.execute("delete from audit_events where sequence > 9").await.unwrap(), 3);
    assert_eq!(verdict(&app, None).await, Ok(9), "a shorter chain verifies on its own");
    let found = verdict(&app, Some(&checkpoint)).await.unwrap_err();
    assert!(found.contains("no longer in the database"), "{found}");

    // The whole table emptied.
    let database = make().await;
    let (app, checkpoint) = database.with_events_and_checkpoint().await;
    let mut raw = database.raw().await;
    raw.drop_guards().await;
    let emptying = if raw.is_postgres() {
        "truncate audit_events"
    } else {
        "delete from audit_events"
    };
    raw.execute(emptying).await.unwrap();
    let found = verdict(&app, Some(&checkpoint)).await.unwrap_err();
    assert!(found.contains("event 12") && found.contains("no longer"), "{found}");

    // An event edited and every hash recomputed, unkeyed: the chain links up, the checkpoint does not.
    let database = make().await;
    let (app, checkpoint) = database.with_events_and_checkpoint().await;
    let mut events = stored_chain(&database).await;
    events[4].event.actor_label = "someone else".into();
    let mut raw = database.raw().await;
    raw.drop_guards().await;
    for event in rebuilt(events, None) {
        raw.overwrite(&event).await;
    }
    let found = verdict(&app, Some(&checkpoint)).await.unwrap_err();
    assert!(found.contains("rewritten"), "{found}");

    // The same with a key that is not Tailor's: the first event already does not follow.
    let database = make().await;
    let (app, checkpoint) = database.with_events_and_checkpoint().await;
    let events = stored_chain(&database).await;
    let mut raw = database.raw().await;
    raw.drop_guards().await;
    for event in rebuilt(events, Some(&wrong_key())) {
        raw.overwrite(&event).await;
    }
    let found = verdict(&app, Some(&checkpoint)).await.unwrap_err();
    assert!(found.contains("event 1 does not follow"), "{found}");
    let found = verdict(&app, None).await.unwrap_err();
    assert!(found.contains("event 1 does not follow"), "without a checkpoint too: {found}");

    // One event removed from the middle, the rest renumbered and rehashed: the head moved.
    let database = make().await;
    let (app, checkpoint) = database.with_events_and_checkpoint().await;
    let mut raw = database.raw().await;
    raw.drop_guards().await;
    raw.execute("delete from audit_events where sequence = 5").await.unwrap();
    // Through negative numbers, so that no two rows ever share a sequence number.
    raw.execute("update audit_events set sequence = -(sequence - 1) where sequence > 5")
        .await
        .unwrap();
    raw.execute("update audit_events set sequence = -sequence where sequence < 0")
        .await
        .unwrap();
    let events = stored_chain(&database).await;
    assert_eq!(events.len(), 11);
    for event in rebuilt(events, None) {
        raw.overwrite(&event).await;
    }
    let found = verdict(&app, Some(&checkpoint)).await.unwrap_err();
    assert!(found.contains("event 12") && found.contains("no longer"), "{found}");

    // An event appended by someone without the key, its plain hash correctly recomputed.
    let database = make().await;
    let (_, checkpoint) = database.with_events_and_checkpoint().await;
    let keyless = database.app(None).await;
    keyless.record_anonymous_refusal("forger", "append an event", "/forged").await;
    let app = database.app(Some(key())).await;
    let found = verdict(&app, Some(&checkpoint)).await.unwrap_err();
    assert!(found.contains("event 13") && found.contains("without the key"), "{found}");

    // A checkpoint signed with another key is not trusted.
    let database = make().await;
    let (_, checkpoint) = database.with_events_and_checkpoint().await;
    let other = database.app(Some(wrong_key())).await;
    let found = verdict(&other, Some(&checkpoint)).await.unwrap_err();
    assert!(found.contains("does not follow") || found.contains("signature"), "{found}");
}

#[tokio::test]
async fn tampering_is_found_on_sqlite() {
    every_tampering_is_found(async || Database::sqlite().await).await;
}

#[tokio::test]
async fn tampering_is_found_on_postgres() {
    let Ok(server_url) = std::env::var("POSTGRES_TEST_URL") else {
        eprintln!("POSTGRES_TEST_URL is not set: skipping the PostgreSQL tampering checks");
        return;
    };
    every_tampering_is_found(async || Database::postgres(&server_url).await).await;
    let mut admin = sqlx::PgConnection::connect(&server_url).await.unwrap();
    let names: Vec<String> = sqlx::query_scalar("select datname from pg_database where datname like 'tailor\\_tamper\\_%'")
        .fetch_all(&mut admin)
        .await
        .unwrap();
    for name in names {
        sqlx::query(&format!("drop database if exists {name} with (force)"))
            .execute(&mut admin)
            .await
            .unwrap();
    }
}
