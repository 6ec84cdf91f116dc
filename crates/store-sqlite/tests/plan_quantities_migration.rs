//! Migration 0010 keeps what was there: whole plan-line quantities become the same amount in
//! hundredths, and every plan keeps the form of budget it was written with.

use sqlx::sqlite::{SqliteConnectOptions, SqlitePoolOptions};
use std::str::FromStr;
use tailor_store::StepStore;
use tailor_store_sqlite::{SqliteStore, MIGRATOR};

#[tokio::test]
async fn whole_quantities_and_money_forms_survive_migration_0010() {
    let directory = tempfile::tempdir().unwrap();
    let url = format!("sqlite:{}", directory.path().join("before-0010.db").display());
    let options = SqliteConnectOptions::from_str(&url)
        .unwrap()
        .create_if_missing(true)
        .foreign_keys(false);
    let pool = SqlitePoolOptions::new().max_connections(1).connect_with(options).await.unwrap();
    // The schema as it was before 0010.
    let mut before = sqlx::migrate::Migrator {
        migrations: std::borrow::Cow::Owned(
            MIGRATOR
                .migrations
                .iter()
                .filter(|migration| migration.version < 10)
                .cloned()
                .collect(),
        ),
        ..sqlx::migrate::Migrator::DEFAULT
    };
    before.set_locking(false);
    before.run(&pool).await.unwrap();
    let plan_id = tailor_domain::PlanId::generate().0;
    sqlx::query(
        "insert into plans (id, person_id, allocation_id, status, outcomes, risks, contingency, money_manager, written_by, created_at, updated_at, version)
         values ($1, $2, $3, 'agreed', 'Stay at home', 'Falls', 'My son', 'brokered_fund', '[\"Owen Morgan\"]', '2026-05-01T10:00:00Z', '2026-05-01T10:00:00Z', 1)",
    )
    .bind(plan_id)
    .bind(tailor_domain::PersonId::generate().0)
    .bind(tailor_domain::AllocationId::generate().0)
    .execute(&pool)
    .await
    .unwrap();
    sqlx::query(
        "insert into plan_lines (plan_id, position, description, unit_cost_pence, units, frequency, component)
         values ($1, 1, 'Personal assistant', 1550, 7, 'weekly', 'direct_payment')",
    )
    .bind(plan_id)
    .execute(&pool)
    .await
    .unwrap();
    pool.close().await;

    let store = SqliteStore::connect(&url).await.unwrap();
    let plan = store.get_plan(tailor_domain::PlanId(plan_id)).await.unwrap();
    assert_eq!(plan.content.lines[0].quantity.hundredths(), 700, "7 becomes 7.00");
    assert_eq!(
        plan.content.lines[0]
            .annual_cost(tailor_domain::money::YearRule::FiftyTwoWeeks)
            .unwrap()
            .pence(),
        1550 * 7 * 52
    );
    assert_eq!(plan.content.money_manager, Some(tailor_domain::plans::MoneyManager::Broker));
    assert_eq!(plan.content.advice, "");
}
