//! The accounts half of the port: API tokens listed and revoked, passwords changed and reset,
//! delegations changed and withdrawn, and account-to-person links confirmed by a second person.
//!
//! Every change here is one transaction with its audit event, and every change of state is a
//! conditional write: a token not yet revoked, a password still at the version it was read at,
//! a reset link not yet used and not expired, a delegation and a link at the version read.

use crate::{Delegation, StoreResult};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use tailor_domain::access::DelegationScope;
use tailor_domain::audit::NewAuditEvent;
use tailor_domain::users::User;
use tailor_domain::{AccountLinkId, ApiTokenId, DelegationId, PasswordResetId, PersonId, UserId};

/// An API token as its owner sees it: when it was made and when it stops, never the token.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApiTokenSummary {
    pub id: ApiTokenId,
    pub user_id: UserId,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
}

/// What sign-in and a password change need to know of an account's password.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PasswordState {
    pub hash: String,
    /// Goes up by one with every change; a change names the version it replaces.
    pub version: i64,
    /// Set when an administrator chose the password: the account can do nothing else until its
    /// owner has changed it.
    pub must_change: bool,
}

/// A new password, and what else ends with the old one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewPassword<'a> {
    pub user_id: UserId,
    pub hash: &'a str,
    /// The version the old password was read at; another change since refuses this one.
    pub expected_version: i64,
    pub must_change: bool,
    /// The session that made the change stays signed in; every other session ends.
    pub keep_session: Option<&'a str>,
    /// Every API token still working is revoked at this time.
    pub at: DateTime<Utc>,
}

/// A one-time link to set a new password, issued by an administrator. Only the hash of the
/// link's secret is kept.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PasswordReset {
    pub id: PasswordResetId,
    pub user_id: UserId,
    pub token_hash: String,
    pub issued_by: UserId,
    pub issued_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub used_at: Option<DateTime<Utc>>,
}

/// A request to let an account act as a person (see their record as their own), and what the
/// second person decided.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AccountLink {
    pub id: AccountLinkId,
    pub user_id: UserId,
    pub person_id: PersonId,
    /// `pending`, `confirmed` or `refused`.
    pub status: String,
    pub requested_by: UserId,
    pub requested_at: DateTime<Utc>,
    pub decided_by: Option<UserId>,
    pub decided_at: Option<DateTime<Utc>>,
    pub version: i64,
}

#[async_trait]
pub trait AccountStore: Send + Sync + 'static {
    // API tokens and sessions
    /// Every token of one account, newest first, revoked ones included.
    async fn list_api_tokens(&self, user_id: UserId) -> StoreResult<Vec<ApiTokenSummary>>;
    /// Revokes one of the account's tokens; `StateChanged` if it was already revoked (or is not
    /// theirs), so of simultaneous revocations one lands.
    async fn revoke_api_token(&self, user_id: UserId, token_id: ApiTokenId, at: DateTime<Utc>, audit: &NewAuditEvent) -> StoreResult<()>;
    /// Ends every session of the account and revokes every token still working; returns how
    /// many sessions and tokens ended.
    async fn end_everything_for(&self, user_id: UserId, at: DateTime<Utc>, audit: &NewAuditEvent) -> StoreResult<(u64, u64)>;

    // Passwords
    async fn password_state(&self, user_id: UserId) -> StoreResult<PasswordState>;
    /// A new account whose first password was chosen by an administrator: it must be changed
    /// at first sign-in. With `link`, a request to link it to a person, waiting for a second
    /// person to confirm. One transaction with the audit events.
    async fn insert_user_with_first_password(
        &self,
        user: &User,
        password_hash: &str,
        link: Option<&AccountLink>,
        audit: &[NewAuditEvent],
    ) -> StoreResult<()>;
    /// Writes a new password if the old one is still at `expected_version`, ends the account's
    /// other sessions and revokes its tokens, with the audit event, in one transaction.
    async fn change_password(&self, change: &NewPassword<'_>, audit: &NewAuditEvent) -> StoreResult<()>;
    async fn insert_password_reset(&self, reset: &PasswordReset, audit: &NewAuditEvent) -> StoreResult<()>;
    async fn find_password_reset(&self, token_hash: &str) -> StoreResult<Option<PasswordReset>>;
    /// Uses a reset link once: only if it is unused and unexpired at `change.at` (one
    /// conditional write, else `StateChanged`); sets the password, ends every session and
    /// revokes every token.
    async fn use_password_reset(&self, reset_id: PasswordResetId, change: &NewPassword<'_>, audit: &NewAuditEvent) -> StoreResult<()>;

    // Delegations
    /// A current delegation and its version.
    async fn find_delegation(&self, id: DelegationId) -> StoreResult<Option<(Delegation, i64)>>;
    /// New scopes for the person's delegation, if it is still at `expected_version`.
    async fn change_delegation_scopes(
        &self,
        id: DelegationId,
        person_id: PersonId,
        scopes: &[DelegationScope],
        expected_version: i64,
        audit: &NewAuditEvent,
    ) -> StoreResult<()>;
    /// Ends the person's delegation, if it is still at `expected_version`: it leaves the
    /// delegations (so no access rule can see it) and is kept with who ended it and when.
    async fn withdraw_delegation(
        &self,
        id: DelegationId,
        person_id: PersonId,
        expected_version: i64,
        by: UserId,
        at: DateTime<Utc>,
        audit: &NewAuditEvent,
    ) -> StoreResult<()>;

    // Account-to-person links
    /// Links waiting for a second person, oldest first.
    async fn pending_account_links(&self) -> StoreResult<Vec<AccountLink>>;
    async fn get_account_link(&self, id: AccountLinkId) -> StoreResult<AccountLink>;
    /// Asks for a link for an existing account; `Conflict` when one is already waiting.
    async fn request_account_link(&self, link: &AccountLink, audit: &NewAuditEvent) -> StoreResult<()>;
    /// Confirms (the account now acts as the person) or refuses a waiting link, if it is still
    /// at `expected_version`.
    async fn decide_account_link(
        &self,
        id: AccountLinkId,
        confirm: bool,
        by: UserId,
        at: DateTime<Utc>,
        expected_version: i64,
        audit: &NewAuditEvent,
    ) -> StoreResult<()>;
}
