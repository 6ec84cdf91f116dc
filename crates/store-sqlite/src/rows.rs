//! SQLite's side of `RowAccess`: typed getters over `SqliteRow`.

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::sqlite::SqliteRow;
use sqlx::Row;
pub use tailor_store::rows::*;
pub use tailor_store::{audit_columns, delegation_select, document_columns, person_columns, user_columns};
use tailor_store::{StoreError, StoreResult};
use uuid::Uuid;

pub fn get<T>(row: &SqliteRow, column: &str) -> StoreResult<T>
where
    T: for<'r> sqlx::Decode<'r, sqlx::Sqlite> + sqlx::Type<sqlx::Sqlite>,
{
    row.try_get(column)
        .map_err(|error| StoreError::Other(format!("reading {column}: {error}")))
}

/// A SQLite row seen through `RowAccess` (a local wrapper, as the orphan rule requires).
pub struct Columns<'a>(pub &'a SqliteRow);

impl RowAccess for Columns<'_> {
    fn uuid(&self, column: &str) -> StoreResult<Uuid> {
        get(self.0, column)
    }
    fn optional_uuid(&self, column: &str) -> StoreResult<Option<Uuid>> {
        get(self.0, column)
    }
    fn text(&self, column: &str) -> StoreResult<String> {
        get(self.0, column)
    }
    fn optional_text(&self, column: &str) -> StoreResult<Option<String>> {
        get(self.0, column)
    }
    fn date(&self, column: &str) -> StoreResult<NaiveDate> {
        get(self.0, column)
    }
    fn optional_date(&self, column: &str) -> StoreResult<Option<NaiveDate>> {
        get(self.0, column)
    }
    fn time(&self, column: &str) -> StoreResult<DateTime<Utc>> {
        get(self.0, column)
    }
    fn integer(&self, column: &str) -> StoreResult<i64> {
        get(self.0, column)
    }
    fn boolean(&self, column: &str) -> StoreResult<bool> {
        get(self.0, column)
    }
}
