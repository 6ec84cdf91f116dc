//! Changes to indicative budgets that a team manager must agree: a practitioner's change above
//! the council's ceiling or the model's tolerance is kept as a request (never saved silently,
//! never simply refused); a team manager agrees it, and the change is made in the same
//! transaction, or declines it with a reason the practitioner reads on the budget page.

use super::{ALLOCATION, OVERRIDE_REQUEST};
use crate::people::single_error;
use crate::{App, AppError, AppResult};
use chrono::{DateTime, Utc};
use tailor_domain::access::{Actor, Capability};
use tailor_domain::allocation::AllocationModel;
use tailor_domain::assessments::{AllocationRecord, BudgetOverride};
use tailor_domain::audit::AuditAction;
use tailor_domain::budget_requests::{OverrideDecision, OverrideRequest, OverrideRequestStatus};
use tailor_domain::money::Money;
use tailor_domain::worklists::OverTolerance;
use tailor_domain::{AllocationId, OverrideRequestId};
use tailor_store::{PeopleFilter, StoreError};

/// What a change to an indicative budget came to.
#[derive(Clone, Debug)]
pub enum OverrideOutcome {
    /// The change was made.
    Changed(Box<AllocationRecord>),
    /// The change waits for a team manager.
    SentToManager(Box<OverrideRequest>),
}

/// A change waiting for this team manager, with how far above the worked-out figure and the
/// tolerance it is.
#[derive(Clone, Debug)]
pub struct OverrideRequestWaiting {
    pub request: OverrideRequest,
    pub waiting_since: DateTime<Utc>,
    pub days_waiting: i64,
    /// The amount asked for against the figure the model worked out.
    pub over: OverTolerance,
    /// The council's ceiling for any yearly budget, when the amount is above it.
    pub above_ceiling: Option<Money>,
}

impl App {
    /// Keeps a practitioner's change as a request for a team manager; refused (with a plain
    /// message) while another change to the same budget is waiting.
    pub(super) async fn ask_a_manager_to_agree(
        &self,
        actor: &Actor,
        allocation: &AllocationRecord,
        amount: Money,
        reason: &str,
    ) -> AppResult<OverrideRequest> {
        let request = OverrideRequest {
            id: OverrideRequestId::generate(),
            allocation_id: allocation.id,
            person_id: allocation.person_id,
            annual: amount,
            reason: reason.to_owned(),
            asked_by: actor.user_id,
            asked_by_name: actor.display_name.clone(),
            asked_at: self.clock.now(),
            status: OverrideRequestStatus::Pending,
            decision: None,
            version: 1,
        };
        let event = self
            .event(actor, AuditAction::BudgetOverrideRequested)
            .person(allocation.person_id)
            .subject(OVERRIDE_REQUEST, request.id)
            .details(serde_json::json!({
                "allocation_id": allocation.id.to_string(),
                "before_pence": allocation.indicative().pence(),
                "asked_pence": amount.pence(),
            }));
        match self.store.insert_override_request(&request, &event).await {
            Ok(()) => Ok(request),
            Err(StoreError::Conflict { .. }) => Err(single_error(
                "annual",
                "A change to this budget is already waiting for a team manager: they must agree or decline it first",
            )),
            Err(error) => Err(error.into()),
        }
    }

    /// Every change asked for on one indicative budget, newest first, for its page. The read is
    /// logged.
    #[tracing::instrument(skip_all, fields(actor = %actor.user_id, role = actor.role.as_str(), allocation = %allocation_id))]
    pub async fn override_requests_for(&self, actor: &Actor, allocation_id: AllocationId) -> AppResult<Vec<OverrideRequest>> {
        let allocation = self.store.get_allocation(allocation_id).await?;
        self.require_capability(
            actor,
            allocation.person_id,
            Capability::ViewAllocation,
            "see changes asked for on a budget",
        )
        .await?;
        self.log_planning_read(
            actor,
            allocation.person_id,
            ALLOCATION,
            allocation.id.to_string(),
            &["override_requests"],
        )
        .await?;
        Ok(self.store.override_requests_for_allocation(allocation_id).await?)
    }

    /// A team manager agrees a waiting change: the indicative budget becomes the amount asked
    /// for, with the practitioner's reason, in one transaction with the decision and its audit
    /// events.
    #[tracing::instrument(skip_all, fields(actor = %actor.user_id, role = actor.role.as_str(), request = %request_id))]
    pub async fn agree_override_request(&self, actor: &Actor, request_id: OverrideRequestId, reason: &str) -> AppResult<OverrideRequest> {
        self.decide_override_request(actor, request_id, true, reason).await
    }

    /// A team manager declines a waiting change, saying why; the budget stays as it was.
    #[tracing::instrument(skip_all, fields(actor = %actor.user_id, role = actor.role.as_str(), request = %request_id))]
    pub async fn decline_override_request(&self, actor: &Actor, request_id: OverrideRequestId, reason: &str) -> AppResult<OverrideRequest> {
        self.decide_override_request(actor, request_id, false, reason).await
    }

    async fn decide_override_request(
        &self,
        actor: &Actor,
        request_id: OverrideRequestId,
        agreed: bool,
        reason: &str,
    ) -> AppResult<OverrideRequest> {
        let request = self.store.get_override_request(request_id).await?;
        self.require_capability(
            actor,
            request.person_id,
            Capability::OverrideBudgetAboveTolerance,
            "decide a change to an indicative budget",
        )
        .await?;
        let now = self.clock.now();
        let decided = request
            .decided(
                agreed,
                OverrideDecision {
                    by: actor.user_id,
                    by_name: actor.display_name.clone(),
                    at: now,
                    reason: Some(reason.to_owned()),
                },
            )
            .map_err(|problem| single_error("decision_reason", problem))?;
        let decision_event = self
            .event(
                actor,
                if agreed {
                    AuditAction::BudgetOverrideAgreed
                } else {
                    AuditAction::BudgetOverrideDeclined
                },
            )
            .person(request.person_id)
            .subject(OVERRIDE_REQUEST, request.id)
            .details(serde_json::json!({ "allocation_id": request.allocation_id.to_string(), "asked_pence": request.annual.pence() }));
        let result = if agreed {
            let mut allocation = self.store.get_allocation(request.allocation_id).await?;
            let read_at = allocation.version;
            let before = allocation.indicative();
            // The judgement is the practitioner's, in their words; the manager's agreement is
            // the decision on the request.
            allocation.override_ = Some(BudgetOverride {
                annual: request.annual,
                reason: request.reason.clone(),
                by: request.asked_by,
                by_name: request.asked_by_name.clone(),
                at: now,
            });
            let changed = self
                .event(actor, AuditAction::BudgetOverridden)
                .person(request.person_id)
                .subject(ALLOCATION, allocation.id)
                .details(serde_json::json!({
                    "before_pence": before.pence(),
                    "after_pence": request.annual.pence(),
                    "request_id": request.id.to_string(),
                }));
            self.store
                .decide_override_request(&decided, request.version, Some((&allocation, read_at)), &[decision_event, changed])
                .await
        } else {
            self.store
                .decide_override_request(&decided, request.version, None, &[decision_event])
                .await
        };
        match result {
            Ok(()) => Ok(OverrideRequest {
                version: request.version + 1,
                ..decided
            }),
            Err(StoreError::StateChanged(_)) => Err(single_error(
                "decision_reason",
                "Someone decided this change, or changed the budget, at the same time: look at the budget again",
            )),
            Err(error) => Err(error.into()),
        }
    }

    /// Changes waiting for this team manager, longest waiting first. Empty for anyone who does
    /// not give a second sign-off.
    #[tracing::instrument(skip_all, fields(actor = %actor.user_id, role = actor.role.as_str()))]
    pub async fn override_requests_waiting(&self, actor: &Actor) -> AppResult<Vec<OverrideRequestWaiting>> {
        if !actor.role.holds_caseload_queues() || !actor.role.gives_second_sign_off() {
            return Ok(Vec::new());
        }
        let filter = PeopleFilter::TeamOrAllocated {
            team: actor.team_id,
            worker: actor.user_id,
        };
        let today = self.clock.today();
        let ceilings = self.amount_ceilings().await?;
        let mut found = Vec::new();
        for waiting in self.store.override_requests_waiting(&filter, 50).await? {
            let model = AllocationModel::parse(&waiting.model_source)
                .map_err(|problem| AppError::internal("reading an allocation model", problem))?;
            let since = waiting.request.asked_at;
            found.push(OverrideRequestWaiting {
                over: OverTolerance::work_out(waiting.request.annual, waiting.worked_out, model.tolerance_percent),
                above_ceiling: ceilings
                    .check_yearly_budget("annual", waiting.request.annual)
                    .map(|above| above.ceiling),
                days_waiting: (today - since.date_naive()).num_days().max(0),
                waiting_since: since,
                request: waiting.request,
            });
        }
        Ok(found)
    }
}
