//! Migration 0009 carries budget challenges made before it into the new challenges table: the
//! kind is "budget", a member of staff named in the old "…, recorded on the person's behalf"
//! name moves to its own column, the answer date is 28 days from raising, and an answer keeps
//! its text with no outcome named.

use sqlx::sqlite::{SqliteConnectOptions, SqlitePoolOptions};
use sqlx::Row;
use std::str::FromStr;
use tailor_store_sqlite::MIGRATOR;

#[tokio::test]
async fn budget_challenges_before_0009_are_carried_over() {
    let directory = tempfile::tempdir().unwrap();
    let options = SqliteConnectOptions::from_str(&format!("sqlite:{}", directory.path().join("old.db").display()))
        .unwrap()
        .create_if_missing(true)
        // Only the challenges table matters here; the rows it points at are left out.
        .foreign_keys(false);
    let pool = SqlitePoolOptions::new().max_connections(1).connect_with(options).await.unwrap();
    let mut before_0009 = sqlx::migrate::Migrator {
        migrations: std::borrow::Cow::Owned(MIGRATOR.iter().filter(|migration| migration.version < 9).cloned().collect()),
        ..sqlx::migrate::Migrator::DEFAULT
    };
    before_0009.set_ignore_missing(true);
    before_0009.run(&pool).await.unwrap();
    let staff = uuid::Uuid::now_v7();
    let manager = uuid::Uuid::now_v7();
    for (id, name, status, response) in [
        (uuid::Uuid::now_v7(), "Sam Okoro, recorded on the person's behalf", "open", None),
        (uuid::Uuid::now_v7(), "Owen Morgan", "answered", Some("We will add two nights")),
    ] {
        sqlx::query(
            "insert into challenges (id, person_id, budget_id, reason, raised_by, raised_by_name, raised_at, status, response,
               responded_by, responded_by_name, responded_at, version)
             values ($1, $2, $3, 'Not enough for nights', $4, $5, '2026-02-01T10:00:00+00:00', $6, $7, $8, $9, $10, 1)",
        )
        .bind(id)
        .bind(uuid::Uuid::now_v7())
        .bind(uuid::Uuid::now_v7())
        .bind(staff)
        .bind(name)
        .bind(status)
        .bind(response)
        .bind(response.map(|_| manager))
        .bind(response.map(|_| "Helen Marsh"))
        .bind(response.map(|_| "2026-02-10T09:00:00+00:00"))
        .execute(&pool)
        .await
        .unwrap();
    }
    let mut with_0009 = sqlx::migrate::Migrator {
        migrations: std::borrow::Cow::Owned(MIGRATOR.iter().filter(|migration| migration.version <= 9).cloned().collect()),
        ..sqlx::migrate::Migrator::DEFAULT
    };
    with_0009.set_ignore_missing(true);
    with_0009.run(&pool).await.unwrap();

    let rows = sqlx::query(
        "select kind, budget_id is not null as has_budget, raised_by_name, recorded_by_staff, recorded_by_staff_name, answer_by,
           status, outcome, outcome_reasons, owner_id, answered_by from challenges order by status desc",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    assert_eq!(rows.len(), 2);
    let open = &rows[0];
    assert_eq!(open.get::<String, _>("kind"), "budget");
    assert!(open.get::<bool, _>("has_budget"));
    assert_eq!(open.get::<String, _>("raised_by_name"), "Sam Okoro");
    assert_eq!(open.get::<Option<uuid::Uuid>, _>("recorded_by_staff"), Some(staff));
    assert_eq!(
        open.get::<Option<String>, _>("recorded_by_staff_name").as_deref(),
        Some("Sam Okoro")
    );
    assert_eq!(open.get::<String, _>("answer_by"), "2026-03-01");
    assert_eq!(open.get::<Option<uuid::Uuid>, _>("owner_id"), None);
    let answered = &rows[1];
    assert_eq!(answered.get::<String, _>("raised_by_name"), "Owen Morgan");
    assert_eq!(answered.get::<Option<uuid::Uuid>, _>("recorded_by_staff"), None);
    assert_eq!(answered.get::<Option<String>, _>("outcome"), None);
    assert_eq!(
        answered.get::<Option<String>, _>("outcome_reasons").as_deref(),
        Some("We will add two nights")
    );
    assert_eq!(answered.get::<Option<uuid::Uuid>, _>("owner_id"), Some(manager));
    assert_eq!(answered.get::<Option<uuid::Uuid>, _>("answered_by"), Some(manager));
}
