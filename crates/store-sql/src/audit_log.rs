//! The audit log's filters and the names its events refer to, in SQL written once for both
//! engines. Paging is by sequence number (older than the last one shown), so a page costs the
//! same however deep into the log it is.

use crate::*;
use tailor_domain::audit::AuditEvent;
use tailor_store::{audit_columns, AuditLogStore, AuditSearch};

/// `$first, $first+1, ...` for `count` values.
fn placeholders(first: usize, count: usize) -> String {
    (first..first + count)
        .map(|number| format!("${number}"))
        .collect::<Vec<_>>()
        .join(", ")
}

#[async_trait]
impl<E: Engine> AuditLogStore for SqlStore<E>
where
    for<'c> &'c mut <E::Db as Database>::Connection: sqlx::Executor<'c, Database = E::Db>,
    for<'q> <E::Db as Database>::Arguments<'q>: sqlx::IntoArguments<'q, E::Db>,
    for<'a> &'a str: sqlx::ColumnIndex<<E::Db as Database>::Row>,
    usize: sqlx::ColumnIndex<<E::Db as Database>::Row>,
    for<'q> uuid::Uuid: sqlx::Encode<'q, E::Db> + sqlx::Decode<'q, E::Db> + sqlx::Type<E::Db>,
    for<'q> String: sqlx::Encode<'q, E::Db> + sqlx::Decode<'q, E::Db> + sqlx::Type<E::Db>,
    for<'q> &'q str: sqlx::Encode<'q, E::Db> + sqlx::Type<E::Db>,
    for<'q> i64: sqlx::Encode<'q, E::Db> + sqlx::Decode<'q, E::Db> + sqlx::Type<E::Db>,
    for<'q> bool: sqlx::Encode<'q, E::Db> + sqlx::Decode<'q, E::Db> + sqlx::Type<E::Db>,
    for<'q> NaiveDate: sqlx::Encode<'q, E::Db> + sqlx::Decode<'q, E::Db> + sqlx::Type<E::Db>,
    for<'q> DateTime<Utc>: sqlx::Encode<'q, E::Db> + sqlx::Decode<'q, E::Db> + sqlx::Type<E::Db>,
    for<'q> Vec<u8>: sqlx::Encode<'q, E::Db> + sqlx::Decode<'q, E::Db> + sqlx::Type<E::Db>,
    for<'q> &'q [u8]: sqlx::Encode<'q, E::Db> + sqlx::Type<E::Db>,
    for<'q> Option<uuid::Uuid>: sqlx::Encode<'q, E::Db>,
    for<'q> Option<String>: sqlx::Encode<'q, E::Db>,
    for<'q> Option<&'q str>: sqlx::Encode<'q, E::Db>,
    for<'q> Option<i64>: sqlx::Encode<'q, E::Db>,
    for<'q> Option<bool>: sqlx::Encode<'q, E::Db>,
    for<'q> Option<NaiveDate>: sqlx::Encode<'q, E::Db>,
    for<'q> Option<DateTime<Utc>>: sqlx::Encode<'q, E::Db>,
{
    async fn search_audit(&self, search: &AuditSearch) -> StoreResult<Vec<AuditEvent>> {
        let rows = sqlx::query(concat!(
            "select ",
            audit_columns!(),
            " from audit_events
             where ($1 is null or person_id = $1) and ($2 is null or actor_id = $2) and ($3 is null or action = $3)
               and ($4 is null or at >= $4) and ($5 is null or at < $5) and ($6 is null or sequence < $6)
             order by sequence desc limit $7"
        ))
        .bind(search.person_id.map(|id| id.0))
        .bind(search.actor_id.map(|id| id.0))
        .bind(search.action.map(|action| action.as_str()))
        .bind(search.from)
        .bind(search.until)
        .bind(search.before_sequence)
        .bind(search.limit)
        .fetch_all(&self.reader)
        .await
        .map_err(database_error)?;
        rows.iter().map(|row| audit_from_row(&Columns(row))).collect()
    }

    async fn user_names(&self, ids: &[UserId]) -> StoreResult<Vec<(UserId, String)>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!("select id, display_name from users where id in ({})", placeholders(1, ids.len()));
        let mut statement = sqlx::query(&sql);
        for id in ids {
            statement = statement.bind(id.0);
        }
        let rows = statement.fetch_all(&self.reader).await.map_err(database_error)?;
        rows.iter()
            .map(|row| {
                let columns = Columns(row);
                Ok((UserId(columns.uuid("id")?), columns.text("display_name")?))
            })
            .collect()
    }

    async fn person_names(&self, ids: &[PersonId]) -> StoreResult<Vec<(PersonId, String)>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!(
            "select id, given_name, family_name from people where id in ({})",
            placeholders(1, ids.len())
        );
        let mut statement = sqlx::query(&sql);
        for id in ids {
            statement = statement.bind(id.0);
        }
        let rows = statement.fetch_all(&self.reader).await.map_err(database_error)?;
        rows.iter()
            .map(|row| {
                let columns = Columns(row);
                Ok((
                    PersonId(columns.uuid("id")?),
                    format!("{} {}", columns.text("given_name")?, columns.text("family_name")?),
                ))
            })
            .collect()
    }
}
