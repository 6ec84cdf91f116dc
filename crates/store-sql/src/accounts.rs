//! Accounts: API tokens revoked, passwords changed and reset, delegations changed and withdrawn,
//! account-to-person links confirmed. Each change of state is conditional, and `returning`
//! tells whether it landed.

use crate::*;
use tailor_domain::access::DelegationScope;
use tailor_domain::{AccountLinkId, ApiTokenId, DelegationId, PasswordResetId};
use tailor_store::rows::{delegation_from_row, scopes_to_text};

fn account_link_from_row<R: sqlx::Row>(row: &R) -> StoreResult<AccountLink>
where
    for<'a> &'a str: sqlx::ColumnIndex<R>,
    for<'r> uuid::Uuid: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    for<'r> String: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    for<'r> i64: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    for<'r> DateTime<Utc>: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
{
    Ok(AccountLink {
        id: AccountLinkId(get(row, "id")?),
        user_id: UserId(get(row, "user_id")?),
        person_id: PersonId(get(row, "person_id")?),
        status: get(row, "status")?,
        requested_by: UserId(get(row, "requested_by")?),
        requested_at: get(row, "requested_at")?,
        decided_by: get::<_, Option<uuid::Uuid>>(row, "decided_by")?.map(UserId),
        decided_at: get(row, "decided_at")?,
        version: get(row, "version")?,
    })
}

const ACCOUNT_LINK_COLUMNS: &str = "id, user_id, person_id, status, requested_by, requested_at, decided_by, decided_at, version";

#[async_trait]
impl<E: Engine> AccountStore for SqlStore<E>
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
    async fn list_api_tokens(&self, user_id: UserId) -> StoreResult<Vec<ApiTokenSummary>> {
        let rows = sqlx::query(
            "select id, user_id, created_at, expires_at, revoked_at from api_tokens where user_id = $1 order by created_at desc, id",
        )
        .bind(user_id.0)
        .fetch_all(&self.reader)
        .await
        .map_err(database_error)?;
        rows.iter()
            .map(|row| {
                Ok(ApiTokenSummary {
                    id: ApiTokenId(get(row, "id")?),
                    user_id: UserId(get(row, "user_id")?),
                    created_at: get(row, "created_at")?,
                    expires_at: get(row, "expires_at")?,
                    revoked_at: get(row, "revoked_at")?,
                })
            })
            .collect()
    }

    async fn revoke_api_token(&self, user_id: UserId, token_id: ApiTokenId, at: DateTime<Utc>, audit: &NewAuditEvent) -> StoreResult<()> {
        let mut tx = self.begin().await?;
        let revoked =
            sqlx::query("update api_tokens set revoked_at = $1 where id = $2 and user_id = $3 and revoked_at is null returning id")
                .bind(at)
                .bind(token_id.0)
                .bind(user_id.0)
                .fetch_optional(&mut *tx)
                .await
                .map_err(database_error)?;
        if revoked.is_none() {
            return Err(state_changed("api token"));
        }
        self.append_audit_in(&mut tx, audit).await?;
        Self::commit(tx).await
    }

    async fn end_everything_for(&self, user_id: UserId, at: DateTime<Utc>, audit: &NewAuditEvent) -> StoreResult<(u64, u64)> {
        let mut tx = self.begin().await?;
        let sessions = Self::end_sessions_in(&mut tx, user_id, None).await?;
        let tokens = Self::revoke_tokens_in(&mut tx, user_id, at).await?;
        self.append_audit_in(&mut tx, audit).await?;
        Self::commit(tx).await?;
        Ok((sessions, tokens))
    }

    async fn password_state(&self, user_id: UserId) -> StoreResult<PasswordState> {
        let row = sqlx::query("select password_hash, password_version, must_change_password from users where id = $1")
            .bind(user_id.0)
            .fetch_optional(&self.reader)
            .await
            .map_err(database_error)?
            .ok_or(StoreError::NotFound)?;
        Ok(PasswordState {
            hash: get(&row, "password_hash")?,
            version: get(&row, "password_version")?,
            must_change: get(&row, "must_change_password")?,
        })
    }

    async fn insert_user_with_first_password(
        &self,
        user: &User,
        password_hash: &str,
        link: Option<&AccountLink>,
        audit: &[NewAuditEvent],
    ) -> StoreResult<()> {
        let mut tx = self.begin().await?;
        sqlx::query(
            "insert into users (id, email, display_name, role, team_id, person_id, organisation_id, active, password_hash, created_at, must_change_password)
             values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        )
        .bind(user.id.0)
        .bind(&user.email)
        .bind(&user.display_name)
        .bind(user.role.as_str())
        .bind(user.team_id.map(|id| id.0))
        .bind(user.person_id.map(|id| id.0))
        .bind(user.organisation_id.map(|id| id.0))
        .bind(user.active)
        .bind(password_hash)
        .bind(user.created_at)
        .bind(true)
        .execute(&mut *tx)
        .await
        .map_err(database_error)?;
        if let Some(link) = link {
            Self::insert_account_link_in(&mut tx, link).await?;
        }
        self.append_all_in(&mut tx, audit).await?;
        Self::commit(tx).await
    }

    async fn change_password(&self, change: &NewPassword<'_>, audit: &NewAuditEvent) -> StoreResult<()> {
        let mut tx = self.begin().await?;
        let changed = sqlx::query(
            "update users set password_hash = $1, password_version = password_version + 1, must_change_password = $2
             where id = $3 and password_version = $4 returning id",
        )
        .bind(change.hash)
        .bind(change.must_change)
        .bind(change.user_id.0)
        .bind(change.expected_version)
        .fetch_optional(&mut *tx)
        .await
        .map_err(database_error)?;
        if changed.is_none() {
            return Err(state_changed("password"));
        }
        Self::end_sessions_in(&mut tx, change.user_id, change.keep_session).await?;
        Self::revoke_tokens_in(&mut tx, change.user_id, change.at).await?;
        self.append_audit_in(&mut tx, audit).await?;
        Self::commit(tx).await
    }

    async fn insert_password_reset(&self, reset: &PasswordReset, audit: &NewAuditEvent) -> StoreResult<()> {
        let mut tx = self.begin().await?;
        sqlx::query(
            "insert into password_resets (id, user_id, token_hash, issued_by, issued_at, expires_at, used_at) values ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(reset.id.0)
        .bind(reset.user_id.0)
        .bind(&reset.token_hash)
        .bind(reset.issued_by.0)
        .bind(reset.issued_at)
        .bind(reset.expires_at)
        .bind(reset.used_at)
        .execute(&mut *tx)
        .await
        .map_err(database_error)?;
        self.append_audit_in(&mut tx, audit).await?;
        Self::commit(tx).await
    }

    async fn find_password_reset(&self, token_hash: &str) -> StoreResult<Option<PasswordReset>> {
        let row = sqlx::query(
            "select id, user_id, token_hash, issued_by, issued_at, expires_at, used_at from password_resets where token_hash = $1",
        )
        .bind(token_hash)
        .fetch_optional(&self.reader)
        .await
        .map_err(database_error)?;
        row.map(|row| {
            Ok(PasswordReset {
                id: PasswordResetId(get(&row, "id")?),
                user_id: UserId(get(&row, "user_id")?),
                token_hash: get(&row, "token_hash")?,
                issued_by: UserId(get(&row, "issued_by")?),
                issued_at: get(&row, "issued_at")?,
                expires_at: get(&row, "expires_at")?,
                used_at: get(&row, "used_at")?,
            })
        })
        .transpose()
    }

    async fn use_password_reset(&self, reset_id: PasswordResetId, change: &NewPassword<'_>, audit: &NewAuditEvent) -> StoreResult<()> {
        let mut tx = self.begin().await?;
        let used = sqlx::query(
            "update password_resets set used_at = $1 where id = $2 and user_id = $3 and used_at is null and expires_at > $1 returning id",
        )
        .bind(change.at)
        .bind(reset_id.0)
        .bind(change.user_id.0)
        .fetch_optional(&mut *tx)
        .await
        .map_err(database_error)?;
        if used.is_none() {
            return Err(state_changed("password reset link"));
        }
        let changed = sqlx::query(
            "update users set password_hash = $1, password_version = password_version + 1, must_change_password = $2 where id = $3 returning id",
        )
        .bind(change.hash)
        .bind(change.must_change)
        .bind(change.user_id.0)
        .fetch_optional(&mut *tx)
        .await
        .map_err(database_error)?;
        if changed.is_none() {
            return Err(StoreError::NotFound);
        }
        Self::end_sessions_in(&mut tx, change.user_id, change.keep_session).await?;
        Self::revoke_tokens_in(&mut tx, change.user_id, change.at).await?;
        self.append_audit_in(&mut tx, audit).await?;
        Self::commit(tx).await
    }

    async fn find_delegation(&self, id: DelegationId) -> StoreResult<Option<(Delegation, i64)>> {
        let row = sqlx::query(
            "select d.id, d.person_id, d.helper_id, u.display_name as helper_name, d.scopes, d.expires_on, d.granted_at, d.version
             from delegations d join users u on u.id = d.helper_id where d.id = $1",
        )
        .bind(id.0)
        .fetch_optional(&self.reader)
        .await
        .map_err(database_error)?;
        row.map(|row| Ok((delegation_from_row(&Columns(&row))?, get(&row, "version")?)))
            .transpose()
    }

    async fn change_delegation_scopes(
        &self,
        id: DelegationId,
        person_id: PersonId,
        scopes: &[DelegationScope],
        expected_version: i64,
        audit: &NewAuditEvent,
    ) -> StoreResult<()> {
        let mut tx = self.begin().await?;
        let changed = sqlx::query(
            "update delegations set scopes = $1, version = version + 1 where id = $2 and person_id = $3 and version = $4 returning id",
        )
        .bind(scopes_to_text(scopes))
        .bind(id.0)
        .bind(person_id.0)
        .bind(expected_version)
        .fetch_optional(&mut *tx)
        .await
        .map_err(database_error)?;
        if changed.is_none() {
            return Err(state_changed("delegation"));
        }
        self.append_audit_in(&mut tx, audit).await?;
        Self::commit(tx).await
    }

    async fn withdraw_delegation(
        &self,
        id: DelegationId,
        person_id: PersonId,
        expected_version: i64,
        by: UserId,
        at: DateTime<Utc>,
        audit: &NewAuditEvent,
    ) -> StoreResult<()> {
        let mut tx = self.begin().await?;
        let removed = sqlx::query(
            "delete from delegations where id = $1 and person_id = $2 and version = $3 returning helper_id, scopes, granted_at",
        )
        .bind(id.0)
        .bind(person_id.0)
        .bind(expected_version)
        .fetch_optional(&mut *tx)
        .await
        .map_err(database_error)?
        .ok_or_else(|| state_changed("delegation"))?;
        let helper_id: uuid::Uuid = get(&removed, "helper_id")?;
        let scopes: String = get(&removed, "scopes")?;
        let granted_at: DateTime<Utc> = get(&removed, "granted_at")?;
        sqlx::query(
            "insert into delegation_withdrawals (delegation_id, person_id, helper_id, scopes, granted_at, withdrawn_at, withdrawn_by)
             values ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(id.0)
        .bind(person_id.0)
        .bind(helper_id)
        .bind(scopes)
        .bind(granted_at)
        .bind(at)
        .bind(by.0)
        .execute(&mut *tx)
        .await
        .map_err(database_error)?;
        self.append_audit_in(&mut tx, audit).await?;
        Self::commit(tx).await
    }

    async fn pending_account_links(&self) -> StoreResult<Vec<AccountLink>> {
        let rows = sqlx::query(&format!(
            "select {ACCOUNT_LINK_COLUMNS} from account_links where status = 'pending' order by requested_at, id"
        ))
        .fetch_all(&self.reader)
        .await
        .map_err(database_error)?;
        rows.iter().map(account_link_from_row).collect()
    }

    async fn get_account_link(&self, id: AccountLinkId) -> StoreResult<AccountLink> {
        let row = sqlx::query(&format!("select {ACCOUNT_LINK_COLUMNS} from account_links where id = $1"))
            .bind(id.0)
            .fetch_optional(&self.reader)
            .await
            .map_err(database_error)?
            .ok_or(StoreError::NotFound)?;
        account_link_from_row(&row)
    }

    async fn request_account_link(&self, link: &AccountLink, audit: &NewAuditEvent) -> StoreResult<()> {
        let mut tx = self.begin().await?;
        Self::insert_account_link_in(&mut tx, link).await?;
        self.append_audit_in(&mut tx, audit).await?;
        Self::commit(tx).await
    }

    async fn decide_account_link(
        &self,
        id: AccountLinkId,
        confirm: bool,
        by: UserId,
        at: DateTime<Utc>,
        expected_version: i64,
        audit: &NewAuditEvent,
    ) -> StoreResult<()> {
        let mut tx = self.begin().await?;
        let decided = sqlx::query(
            "update account_links set status = $1, decided_by = $2, decided_at = $3, version = version + 1
             where id = $4 and status = 'pending' and version = $5 returning user_id, person_id",
        )
        .bind(if confirm { "confirmed" } else { "refused" })
        .bind(by.0)
        .bind(at)
        .bind(id.0)
        .bind(expected_version)
        .fetch_optional(&mut *tx)
        .await
        .map_err(database_error)?
        .ok_or_else(|| state_changed("account link"))?;
        if confirm {
            let user_id: uuid::Uuid = get(&decided, "user_id")?;
            let person_id: uuid::Uuid = get(&decided, "person_id")?;
            sqlx::query("update users set person_id = $1 where id = $2")
                .bind(person_id)
                .bind(user_id)
                .execute(&mut *tx)
                .await
                .map_err(database_error)?;
        }
        self.append_audit_in(&mut tx, audit).await?;
        Self::commit(tx).await
    }
}

impl<E: Engine> SqlStore<E>
where
    for<'c> &'c mut <E::Db as Database>::Connection: sqlx::Executor<'c, Database = E::Db>,
    for<'q> <E::Db as Database>::Arguments<'q>: sqlx::IntoArguments<'q, E::Db>,
    for<'a> &'a str: sqlx::ColumnIndex<<E::Db as Database>::Row>,
    for<'q> uuid::Uuid: sqlx::Encode<'q, E::Db> + sqlx::Decode<'q, E::Db> + sqlx::Type<E::Db>,
    for<'q> String: sqlx::Encode<'q, E::Db> + sqlx::Decode<'q, E::Db> + sqlx::Type<E::Db>,
    for<'q> &'q str: sqlx::Encode<'q, E::Db> + sqlx::Type<E::Db>,
    for<'q> i64: sqlx::Encode<'q, E::Db> + sqlx::Decode<'q, E::Db> + sqlx::Type<E::Db>,
    for<'q> DateTime<Utc>: sqlx::Encode<'q, E::Db> + sqlx::Decode<'q, E::Db> + sqlx::Type<E::Db>,
    for<'q> Option<uuid::Uuid>: sqlx::Encode<'q, E::Db>,
    for<'q> Option<&'q str>: sqlx::Encode<'q, E::Db>,
    for<'q> Option<DateTime<Utc>>: sqlx::Encode<'q, E::Db>,
{
    /// Ends the account's sessions, all but `keep` when given; returns how many ended.
    pub(crate) async fn end_sessions_in(tx: &mut Transaction<'static, E::Db>, user_id: UserId, keep: Option<&str>) -> StoreResult<u64> {
        let ended = sqlx::query("delete from sessions where (user_id = $1 or pending_user_id = $1) and id_hash <> $2 returning id_hash")
            .bind(user_id.0)
            .bind(keep.unwrap_or(""))
            .fetch_all(&mut **tx)
            .await
            .map_err(database_error)?;
        Ok(ended.len() as u64)
    }

    /// Revokes every token of the account still working; returns how many.
    async fn revoke_tokens_in(tx: &mut Transaction<'static, E::Db>, user_id: UserId, at: DateTime<Utc>) -> StoreResult<u64> {
        let revoked = sqlx::query("update api_tokens set revoked_at = $1 where user_id = $2 and revoked_at is null returning token_hash")
            .bind(at)
            .bind(user_id.0)
            .fetch_all(&mut **tx)
            .await
            .map_err(database_error)?;
        Ok(revoked.len() as u64)
    }

    async fn insert_account_link_in(tx: &mut Transaction<'static, E::Db>, link: &AccountLink) -> StoreResult<()> {
        sqlx::query(&format!(
            "insert into account_links ({ACCOUNT_LINK_COLUMNS}) values ($1, $2, $3, $4, $5, $6, $7, $8, $9)"
        ))
        .bind(link.id.0)
        .bind(link.user_id.0)
        .bind(link.person_id.0)
        .bind(&link.status)
        .bind(link.requested_by.0)
        .bind(link.requested_at)
        .bind(link.decided_by.map(|id| id.0))
        .bind(link.decided_at)
        .bind(link.version)
        .execute(&mut **tx)
        .await
        .map_err(database_error)?;
        Ok(())
    }
}
