//! The PostgreSQL engine: for production, where several stateless Tailor instances share one
//! database. Audit appends take a transaction-scoped advisory lock so that the hash chain stays a
//! single line however many instances write at once; job claims skip rows another instance holds.
//! The SQL itself is `tailor-store-sql`'s, shared with SQLite.

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::Postgres;
use std::str::FromStr;
use std::time::Duration;
use tailor_store::{StoreError, StoreResult};
use tailor_store_sql::{unavailable, Engine, SqlStore};

pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

pub struct PostgresEngine;

pub type PostgresStore = SqlStore<PostgresEngine>;

impl Engine for PostgresEngine {
    type Db = Postgres;
    const NAME: &'static str = "postgresql";
    // Any fixed number will do: it names the lock that serialises audit appends.
    const AUDIT_CHAIN_LOCK: Option<&'static str> = Some("select pg_advisory_xact_lock(127961343226994)");
    const SKIP_LOCKED: &'static str = " for update skip locked";
    const PREFIX_MATCH: &'static str = "like";

    /// A LIKE pattern matching names that start with what was typed, with LIKE's own wildcards escaped.
    fn prefix_pattern(text: &str) -> String {
        let mut pattern = String::with_capacity(text.len() + 1);
        for character in text.to_lowercase().chars() {
            if matches!(character, '%' | '_' | '\\') {
                pattern.push('\\');
            }
            pattern.push(character);
        }
        pattern.push('%');
        pattern
    }

    /// Connects to `postgres://...` and applies any migrations the database has not had yet.
    async fn connect(url: &str) -> StoreResult<PostgresStore> {
        let options = PgConnectOptions::from_str(url).map_err(|error| StoreError::Unavailable(format!("not a PostgreSQL URL: {error}")))?;
        let pool = PgPoolOptions::new()
            .max_connections(16)
            .acquire_timeout(Duration::from_secs(10))
            .connect_with(options)
            .await
            .map_err(unavailable)?;
        MIGRATOR
            .run(&pool)
            .await
            .map_err(|error| StoreError::Other(format!("migration failed: {error}")))?;
        let store = SqlStore::from_pools(pool.clone(), pool);
        store.carry_over_case_records().await?;
        Ok(store)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn like_wildcards_are_escaped_in_searches() {
        assert_eq!(PostgresEngine::prefix_pattern("O_k%a"), "o\\_k\\%a%");
    }
}
