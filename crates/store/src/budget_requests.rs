//! Changes to indicative budgets waiting for a team manager: the part of the port that keeps
//! them, decides them (the change made in the same transaction when agreed) and lists them for
//! a manager's work queue.

use crate::{PeopleFilter, StoreResult};
use async_trait::async_trait;
use tailor_domain::assessments::AllocationRecord;
use tailor_domain::audit::NewAuditEvent;
use tailor_domain::budget_requests::OverrideRequest;
use tailor_domain::money::Money;
use tailor_domain::{AllocationId, OverrideRequestId};

/// A pending request, with what the model worked out and the model it came from (for its
/// tolerance), for a manager's queue.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OverrideRequestForManager {
    pub request: OverrideRequest,
    /// The figure the model worked out, before any change.
    pub worked_out: Money,
    pub model_source: String,
}

#[async_trait]
pub trait OverrideRequestStore: Send + Sync + 'static {
    /// A new request; `Conflict` when the indicative budget already has one waiting.
    async fn insert_override_request(&self, request: &OverrideRequest, audit: &NewAuditEvent) -> StoreResult<()>;
    /// A manager's decision on a request read while pending at `expected_version`. When agreed,
    /// `allocation` carries the change, written only if the indicative budget is still at
    /// `allocation_version`; the decision, the change and `audit` land together or not at all
    /// (`StateChanged` when someone decided first or the budget changed meanwhile).
    async fn decide_override_request(
        &self,
        request: &OverrideRequest,
        expected_version: i64,
        allocation: Option<(&AllocationRecord, i64)>,
        audit: &[NewAuditEvent],
    ) -> StoreResult<()>;
    async fn get_override_request(&self, id: OverrideRequestId) -> StoreResult<OverrideRequest>;
    /// Every request on one indicative budget, newest first.
    async fn override_requests_for_allocation(&self, allocation_id: AllocationId) -> StoreResult<Vec<OverrideRequest>>;
    /// Requests waiting for a manager, for the people `filter` allows, longest waiting first.
    async fn override_requests_waiting(&self, filter: &PeopleFilter, limit: i64) -> StoreResult<Vec<OverrideRequestForManager>>;
}
