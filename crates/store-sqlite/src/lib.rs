//! The SQLite engine: Tailor's embedded default. One file, write-ahead logging, foreign keys on.
//!
//! All writes go through a pool of exactly one connection, so writers queue inside the process
//! instead of racing for SQLite's single write lock; reads use a separate pool and run in
//! parallel thanks to WAL. Several processes on one file are not supported: that is what the
//! PostgreSQL engine is for. The SQL itself is `tailor-store-sql`'s, shared with PostgreSQL.

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::Sqlite;
use std::str::FromStr;
use std::time::Duration;
use tailor_store::{StoreError, StoreResult};
use tailor_store_sql::{unavailable, Engine, SqlStore};

pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

pub struct SqliteEngine;

pub type SqliteStore = SqlStore<SqliteEngine>;

impl Engine for SqliteEngine {
    type Db = Sqlite;
    const NAME: &'static str = "sqlite";
    const AUDIT_CHAIN_LOCK: Option<&'static str> = None;
    const SKIP_LOCKED: &'static str = "";
    // GLOB is case-sensitive, so it can use the indexes on the lower-cased name columns.
    const PREFIX_MATCH: &'static str = "glob";

    fn prefix_pattern(text: &str) -> String {
        let cleaned: String = text
            .to_lowercase()
            .chars()
            .filter(|character| !matches!(character, '*' | '?' | '[' | ']'))
            .collect();
        format!("{cleaned}*")
    }

    /// Opens (creating if needed) the database at `url` (`sqlite:tailor.db`, `sqlite::memory:`)
    /// and applies any migrations it has not had yet.
    async fn connect(url: &str) -> StoreResult<SqliteStore> {
        let options = SqliteConnectOptions::from_str(url)
            .map_err(|error| StoreError::Unavailable(format!("not a SQLite URL: {error}")))?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10));
        let in_memory = url.contains(":memory:") || url.contains("mode=memory");
        let writer = SqlitePoolOptions::new()
            .max_connections(1)
            .min_connections(1)
            .idle_timeout(None)
            .max_lifetime(None)
            .connect_with(options.clone())
            .await
            .map_err(unavailable)?;
        // An in-memory database exists only on its own connection, so reads must share it.
        let reader = if in_memory {
            writer.clone()
        } else {
            SqlitePoolOptions::new()
                .max_connections(8)
                .connect_with(options.read_only(true))
                .await
                .map_err(unavailable)?
        };
        MIGRATOR
            .run(&writer)
            .await
            .map_err(|error| StoreError::Other(format!("migration failed: {error}")))?;
        let store = SqlStore::from_pools(reader, writer);
        store.carry_over_case_records().await?;
        Ok(store)
    }
}

/// Writes a consistent copy of the whole database to `path` (a new file) with `VACUUM INTO`,
/// while the database stays in use: SQLite takes it inside one read transaction.
pub async fn backup_into(store: &SqliteStore, path: &std::path::Path) -> StoreResult<()> {
    let target = path
        .to_str()
        .ok_or_else(|| StoreError::Other(format!("the backup path {} is not valid text", path.display())))?;
    sqlx::query("vacuum into $1")
        .bind(target)
        .execute(&store.writer)
        .await
        .map_err(|error| StoreError::Other(format!("writing the backup to {target}: {error}")))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn glob_wildcards_are_removed_from_searches() {
        assert_eq!(SqliteEngine::prefix_pattern("O*k?a[r]"), "okar*");
    }
}
