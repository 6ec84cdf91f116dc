//! Two-step sign-in: secrets switched on by a first code, codes used once by time step, recovery
//! codes used once each. Every use is one conditional update whose `returning` says whether it
//! landed.

use crate::*;
use tailor_store::{NewRecoveryCode, RecoveryCodeRecord, TwoFactorRecord, TwoFactorStore};

#[async_trait]
impl<E: Engine> TwoFactorStore for SqlStore<E>
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
    async fn two_factor(&self, user_id: UserId) -> StoreResult<Option<TwoFactorRecord>> {
        let row = sqlx::query("select user_id, secret, created_at, confirmed_at, last_used_step from two_factor where user_id = $1")
            .bind(user_id.0)
            .fetch_optional(&self.reader)
            .await
            .map_err(database_error)?;
        row.map(|row| {
            Ok(TwoFactorRecord {
                user_id: UserId(get(&row, "user_id")?),
                secret: get(&row, "secret")?,
                created_at: get(&row, "created_at")?,
                confirmed_at: get(&row, "confirmed_at")?,
                last_used_step: get(&row, "last_used_step")?,
            })
        })
        .transpose()
    }

    async fn start_two_factor(&self, user_id: UserId, secret: &[u8], at: DateTime<Utc>) -> StoreResult<bool> {
        let inserted = sqlx::query(
            "insert into two_factor (user_id, secret, created_at) values ($1, $2, $3) on conflict (user_id) do nothing returning user_id",
        )
        .bind(user_id.0)
        .bind(secret)
        .bind(at)
        .fetch_optional(&self.writer)
        .await
        .map_err(database_error)?;
        Ok(inserted.is_some())
    }

    async fn confirm_two_factor(
        &self,
        user_id: UserId,
        step: i64,
        at: DateTime<Utc>,
        codes: &[NewRecoveryCode],
        audit: &NewAuditEvent,
    ) -> StoreResult<()> {
        let mut tx = self.begin().await?;
        let confirmed = sqlx::query(
            "update two_factor set confirmed_at = $1, last_used_step = $2
             where user_id = $3 and confirmed_at is null and last_used_step < $2 returning user_id",
        )
        .bind(at)
        .bind(step)
        .bind(user_id.0)
        .fetch_optional(&mut *tx)
        .await
        .map_err(database_error)?;
        if confirmed.is_none() {
            return Err(state_changed("two-step sign-in"));
        }
        Self::put_recovery_codes_in(&mut tx, user_id, codes, at).await?;
        self.append_audit_in(&mut tx, audit).await?;
        Self::commit(tx).await
    }

    async fn use_two_factor_step(&self, user_id: UserId, step: i64, audit: Option<&NewAuditEvent>) -> StoreResult<()> {
        let mut tx = self.begin().await?;
        let used = sqlx::query(
            "update two_factor set last_used_step = $1
             where user_id = $2 and confirmed_at is not null and last_used_step < $1 returning user_id",
        )
        .bind(step)
        .bind(user_id.0)
        .fetch_optional(&mut *tx)
        .await
        .map_err(database_error)?;
        if used.is_none() {
            return Err(state_changed("security code"));
        }
        if let Some(audit) = audit {
            self.append_audit_in(&mut tx, audit).await?;
        }
        Self::commit(tx).await
    }

    async fn unused_recovery_codes(&self, user_id: UserId) -> StoreResult<Vec<RecoveryCodeRecord>> {
        let rows = sqlx::query("select id, salt, code_hash from recovery_codes where user_id = $1 and used_at is null order by id")
            .bind(user_id.0)
            .fetch_all(&self.reader)
            .await
            .map_err(database_error)?;
        rows.iter()
            .map(|row| {
                Ok(RecoveryCodeRecord {
                    id: get(row, "id")?,
                    salt: get(row, "salt")?,
                    code_hash: get(row, "code_hash")?,
                })
            })
            .collect()
    }

    async fn use_recovery_code(&self, user_id: UserId, code_id: uuid::Uuid, at: DateTime<Utc>, audit: &NewAuditEvent) -> StoreResult<()> {
        let mut tx = self.begin().await?;
        let used = sqlx::query("update recovery_codes set used_at = $1 where id = $2 and user_id = $3 and used_at is null returning id")
            .bind(at)
            .bind(code_id)
            .bind(user_id.0)
            .fetch_optional(&mut *tx)
            .await
            .map_err(database_error)?;
        if used.is_none() {
            return Err(state_changed("recovery code"));
        }
        self.append_audit_in(&mut tx, audit).await?;
        Self::commit(tx).await
    }

    async fn replace_recovery_codes(
        &self,
        user_id: UserId,
        codes: &[NewRecoveryCode],
        at: DateTime<Utc>,
        audit: &NewAuditEvent,
    ) -> StoreResult<()> {
        let mut tx = self.begin().await?;
        // Locks the account's row (and checks it is on) so two simultaneous replacements
        // cannot interleave and leave twenty codes.
        let on = sqlx::query(
            "update two_factor set last_used_step = last_used_step where user_id = $1 and confirmed_at is not null returning user_id",
        )
        .bind(user_id.0)
        .fetch_optional(&mut *tx)
        .await
        .map_err(database_error)?;
        if on.is_none() {
            return Err(state_changed("two-step sign-in"));
        }
        Self::put_recovery_codes_in(&mut tx, user_id, codes, at).await?;
        self.append_audit_in(&mut tx, audit).await?;
        Self::commit(tx).await
    }

    async fn remove_two_factor(&self, user_id: UserId, keep_session: Option<&str>, audit: &NewAuditEvent) -> StoreResult<()> {
        let mut tx = self.begin().await?;
        let removed = sqlx::query("delete from two_factor where user_id = $1 returning user_id")
            .bind(user_id.0)
            .fetch_optional(&mut *tx)
            .await
            .map_err(database_error)?;
        if removed.is_none() {
            return Err(state_changed("two-step sign-in"));
        }
        sqlx::query("delete from recovery_codes where user_id = $1")
            .bind(user_id.0)
            .execute(&mut *tx)
            .await
            .map_err(database_error)?;
        Self::end_sessions_in(&mut tx, user_id, keep_session).await?;
        self.append_audit_in(&mut tx, audit).await?;
        Self::commit(tx).await
    }
}

impl<E: Engine> SqlStore<E>
where
    for<'c> &'c mut <E::Db as Database>::Connection: sqlx::Executor<'c, Database = E::Db>,
    for<'q> <E::Db as Database>::Arguments<'q>: sqlx::IntoArguments<'q, E::Db>,
    for<'q> uuid::Uuid: sqlx::Encode<'q, E::Db> + sqlx::Type<E::Db>,
    for<'q> String: sqlx::Encode<'q, E::Db> + sqlx::Type<E::Db>,
    for<'q> &'q str: sqlx::Encode<'q, E::Db> + sqlx::Type<E::Db>,
    for<'q> DateTime<Utc>: sqlx::Encode<'q, E::Db> + sqlx::Type<E::Db>,
{
    /// The account's recovery codes become exactly `codes`: the old ones, used or not, go.
    async fn put_recovery_codes_in(
        tx: &mut Transaction<'static, E::Db>,
        user_id: UserId,
        codes: &[NewRecoveryCode],
        at: DateTime<Utc>,
    ) -> StoreResult<()> {
        sqlx::query("delete from recovery_codes where user_id = $1")
            .bind(user_id.0)
            .execute(&mut **tx)
            .await
            .map_err(database_error)?;
        for code in codes {
            sqlx::query("insert into recovery_codes (id, user_id, salt, code_hash, created_at) values ($1, $2, $3, $4, $5)")
                .bind(code.id)
                .bind(user_id.0)
                .bind(&code.salt)
                .bind(&code.code_hash)
                .bind(at)
                .execute(&mut **tx)
                .await
                .map_err(database_error)?;
        }
        Ok(())
    }
}
