//! A practitioner's change to an indicative budget that a team manager must agree: above the
//! council's ceiling, or further above the worked-out figure than the model's tolerance. It is
//! kept as a request, never saved silently and never simply refused; the manager agrees it (the
//! change is then made) or declines it with a reason, and both stay on the record.

use crate::ids::{AllocationId, OverrideRequestId, PersonId, UserId};
use crate::money::Money;
use crate::people::labelled_enum;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

labelled_enum!(
    /// Where a request is: waiting for a manager, or decided one way or the other.
    OverrideRequestStatus {
        Pending => ("pending", "Waiting for a team manager"),
        Agreed => ("agreed", "Agreed by a team manager"),
        Declined => ("declined", "Declined by a team manager"),
    }
);

/// Why a change needs a team manager, as a worker reads it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum WhyAManager {
    /// Above the council's ceiling for any yearly budget.
    AboveCeiling,
    /// Further above the worked-out figure than the allocation model's tolerance allows.
    AboveTolerance,
}

/// Who decided a request, when, and why.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OverrideDecision {
    pub by: UserId,
    pub by_name: String,
    pub at: DateTime<Utc>,
    /// Required when declining; optional when agreeing.
    pub reason: Option<String>,
}

/// A practitioner's change to an indicative budget, waiting for or decided by a team manager.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OverrideRequest {
    pub id: OverrideRequestId,
    pub allocation_id: AllocationId,
    pub person_id: PersonId,
    /// The yearly amount asked for.
    pub annual: Money,
    pub reason: String,
    pub asked_by: UserId,
    pub asked_by_name: String,
    pub asked_at: DateTime<Utc>,
    pub status: OverrideRequestStatus,
    pub decision: Option<OverrideDecision>,
    pub version: i64,
}

impl OverrideRequest {
    pub fn is_pending(&self) -> bool {
        self.status == OverrideRequestStatus::Pending
    }

    /// The request with a manager's decision on it, checked: only a pending request is decided,
    /// and a decline says why.
    pub fn decided(&self, agreed: bool, decision: OverrideDecision) -> Result<OverrideRequest, &'static str> {
        if !self.is_pending() {
            return Err("A team manager has already decided this request");
        }
        let reason = decision.reason.as_deref().map(str::trim).filter(|reason| !reason.is_empty());
        if !agreed && reason.is_none() {
            return Err("Explain why the change is declined: the practitioner reads it");
        }
        Ok(OverrideRequest {
            status: if agreed {
                OverrideRequestStatus::Agreed
            } else {
                OverrideRequestStatus::Declined
            },
            decision: Some(OverrideDecision {
                reason: reason.map(str::to_owned),
                ..decision
            }),
            ..self.clone()
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request() -> OverrideRequest {
        OverrideRequest {
            id: OverrideRequestId::generate(),
            allocation_id: AllocationId::generate(),
            person_id: PersonId::generate(),
            annual: Money::from_pence(5_000_000_000),
            reason: "Round-the-clock care from two workers".into(),
            asked_by: UserId::generate(),
            asked_by_name: "Sam Okoro".into(),
            asked_at: "2026-12-03T10:00:00Z".parse().unwrap(),
            status: OverrideRequestStatus::Pending,
            decision: None,
            version: 1,
        }
    }

    fn decision(reason: Option<&str>) -> OverrideDecision {
        OverrideDecision {
            by: UserId::generate(),
            by_name: "Morgan Price".into(),
            at: "2026-12-04T09:00:00Z".parse().unwrap(),
            reason: reason.map(str::to_owned),
        }
    }

    #[test]
    fn a_decline_needs_a_reason_and_an_agreement_does_not() {
        assert!(request().decided(false, decision(Some("  "))).is_err());
        let declined = request()
            .decided(false, decision(Some(" Two workers are not needed at night ")))
            .unwrap();
        assert_eq!(declined.status, OverrideRequestStatus::Declined);
        assert_eq!(
            declined.decision.unwrap().reason.as_deref(),
            Some("Two workers are not needed at night")
        );
        let agreed = request().decided(true, decision(None)).unwrap();
        assert_eq!(agreed.status, OverrideRequestStatus::Agreed);
    }

    #[test]
    fn a_decided_request_is_not_decided_again() {
        let agreed = request().decided(true, decision(None)).unwrap();
        assert!(agreed.decided(false, decision(Some("Changed my mind"))).is_err());
    }
}
