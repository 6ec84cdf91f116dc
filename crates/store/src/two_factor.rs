//! The two-step sign-in half of the port: an account's secret, switched on once a code from it
//! is typed; codes used once by time step; recovery codes used once each.
//!
//! Using a code or a recovery code is one conditional write (a later time step; a code not yet
//! used), so of simultaneous uses of the same code exactly one lands.

use crate::StoreResult;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use tailor_domain::audit::NewAuditEvent;
use tailor_domain::UserId;

/// An account's two-step sign-in secret, and whether it is switched on.
#[derive(Clone, PartialEq, Eq)]
pub struct TwoFactorRecord {
    pub user_id: UserId,
    pub secret: Vec<u8>,
    pub created_at: DateTime<Utc>,
    /// `None` while it is being set up: codes from it do not yet sign anyone in.
    pub confirmed_at: Option<DateTime<Utc>>,
    /// The latest time step whose code was accepted; only later steps are accepted.
    pub last_used_step: i64,
}

impl std::fmt::Debug for TwoFactorRecord {
    /// Never prints the secret, so a record in a log or a failed assertion gives nothing away.
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("TwoFactorRecord")
            .field("user_id", &self.user_id)
            .field("created_at", &self.created_at)
            .field("confirmed_at", &self.confirmed_at)
            .field("last_used_step", &self.last_used_step)
            .finish_non_exhaustive()
    }
}

/// A recovery code as stored: its salt and hash, never the code.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RecoveryCodeRecord {
    pub id: uuid::Uuid,
    pub salt: String,
    pub code_hash: String,
}

/// A recovery code to store.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewRecoveryCode {
    pub id: uuid::Uuid,
    pub salt: String,
    pub code_hash: String,
}

#[async_trait]
pub trait TwoFactorStore: Send + Sync + 'static {
    /// The account's secret, switched on or being set up, if it has one.
    async fn two_factor(&self, user_id: UserId) -> StoreResult<Option<TwoFactorRecord>>;
    /// Keeps a new secret for an account starting to set up two-step sign-in; an account that
    /// already has one (switched on or being set up) keeps it, and `false` is returned.
    async fn start_two_factor(&self, user_id: UserId, secret: &[u8], at: DateTime<Utc>) -> StoreResult<bool>;
    /// Switches two-step sign-in on, if it is still being set up, recording `step` as used, and
    /// replaces the account's recovery codes with `codes`; `StateChanged` otherwise.
    async fn confirm_two_factor(
        &self,
        user_id: UserId,
        step: i64,
        at: DateTime<Utc>,
        codes: &[NewRecoveryCode],
        audit: &NewAuditEvent,
    ) -> StoreResult<()>;
    /// Accepts a code of time step `step`, if two-step sign-in is on and no code of this or a
    /// later step has been accepted; `StateChanged` otherwise. With `audit`, in one transaction.
    async fn use_two_factor_step(&self, user_id: UserId, step: i64, audit: Option<&NewAuditEvent>) -> StoreResult<()>;
    /// The account's recovery codes not yet used.
    async fn unused_recovery_codes(&self, user_id: UserId) -> StoreResult<Vec<RecoveryCodeRecord>>;
    /// Uses one recovery code, if it is still unused; `StateChanged` otherwise.
    async fn use_recovery_code(&self, user_id: UserId, code_id: uuid::Uuid, at: DateTime<Utc>, audit: &NewAuditEvent) -> StoreResult<()>;
    /// Replaces every recovery code of an account with two-step sign-in switched on (the old
    /// ones stop working); `StateChanged` if it is not on.
    async fn replace_recovery_codes(
        &self,
        user_id: UserId,
        codes: &[NewRecoveryCode],
        at: DateTime<Utc>,
        audit: &NewAuditEvent,
    ) -> StoreResult<()>;
    /// Removes the account's secret and recovery codes (turned off by its owner, or reset by an
    /// administrator) and ends its sessions but `keep_session`; `StateChanged` if it had none.
    async fn remove_two_factor(&self, user_id: UserId, keep_session: Option<&str>, audit: &NewAuditEvent) -> StoreResult<()>;
}
