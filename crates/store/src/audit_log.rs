//! The audit log as an administrator reads it: filtered, paged by sequence, with the names of
//! the accounts and people its events name by id, looked up when the log is shown.

use crate::StoreResult;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use tailor_domain::audit::{AuditAction, AuditEvent};
use tailor_domain::{PersonId, UserId};

/// Which events to list, newest first. Every filter is optional.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AuditSearch {
    pub person_id: Option<PersonId>,
    pub actor_id: Option<UserId>,
    pub action: Option<AuditAction>,
    /// Events at or after this time.
    pub from: Option<DateTime<Utc>>,
    /// Events before this time.
    pub until: Option<DateTime<Utc>>,
    /// Events older than this sequence number: the next page after one ending there.
    pub before_sequence: Option<i64>,
    pub limit: i64,
}

#[async_trait]
pub trait AuditLogStore: Send + Sync + 'static {
    async fn search_audit(&self, search: &AuditSearch) -> StoreResult<Vec<AuditEvent>>;
    /// The display names of these accounts (those that exist).
    async fn user_names(&self, ids: &[UserId]) -> StoreResult<Vec<(UserId, String)>>;
    /// The full names of these people (those that exist).
    async fn person_names(&self, ids: &[PersonId]) -> StoreResult<Vec<(PersonId, String)>>;
}
