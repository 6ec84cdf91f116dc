//! A supported self-assessment, from first answer to the practitioner's assurance, and the
//! decisions that follow it: eligibility, the indicative budget, and the financial assessment.
//! Each is a record with who, when and why, and the inputs it saw.

use crate::allocation::{AllocationResult, Answers};
use crate::charging::{Contribution, FinancialCircumstances};
use crate::eligibility::{AssessmentKind, EligibilityDecision, EligibilityFindings};
use crate::ids::{AllocationId, AssessmentId, EligibilityDecisionId, FinancialAssessmentId, PersonId, UserId};
use crate::money::Money;
use crate::people::labelled_enum;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

labelled_enum!(
    /// Where a self-assessment is (domain rules 1.4).
    AssessmentStatus {
        InProgress => ("in_progress", "In progress"),
        Submitted => ("submitted", "Waiting for the council to check"),
        SentBack => ("sent_back", "Some answers need another look"),
        Accepted => ("accepted", "Complete"),
    }
);

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Assessment {
    pub id: AssessmentId,
    pub person_id: PersonId,
    pub kind: AssessmentKind,
    pub questionnaire_id: String,
    pub questionnaire_version: i64,
    pub status: AssessmentStatus,
    pub answers: Answers,
    /// Who filled it in: the person, a helper on their behalf, or a practitioner with them.
    pub completed_by: Vec<String>,
    pub started_at: DateTime<Utc>,
    pub submitted_at: Option<DateTime<Utc>>,
    /// The practitioner's assurance: accepted, or the questions sent back and why.
    pub review: Option<AssessmentReview>,
    pub updated_at: DateTime<Utc>,
    /// Rises with every change; a change made against an older version is refused.
    #[serde(default = "first_version")]
    pub version: i64,
}

pub fn first_version() -> i64 {
    1
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AssessmentReview {
    pub accepted: bool,
    pub questions_sent_back: Vec<String>,
    pub reason: String,
    pub reviewed_by: UserId,
    pub reviewed_by_name: String,
    pub reviewed_at: DateTime<Utc>,
}

impl Assessment {
    /// Whether the person (or helper) may still change answers.
    pub fn is_editable(&self) -> bool {
        matches!(self.status, AssessmentStatus::InProgress | AssessmentStatus::SentBack)
    }
}

/// The eligibility determination for one assessment.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EligibilityRecord {
    pub id: EligibilityDecisionId,
    pub person_id: PersonId,
    pub assessment_id: AssessmentId,
    pub findings: EligibilityFindings,
    pub decision: EligibilityDecision,
    pub decided_by: UserId,
    pub decided_by_name: String,
    pub decided_at: DateTime<Utc>,
}

/// An indicative budget, with the frozen snapshot that reproduces it to the penny.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AllocationRecord {
    pub id: AllocationId,
    pub person_id: PersonId,
    pub assessment_id: AssessmentId,
    /// The model file exactly as it was used, and the answers exactly as they were.
    pub model_source: String,
    pub answers: Answers,
    pub result: AllocationResult,
    pub calculated_by: UserId,
    pub calculated_by_name: String,
    pub calculated_at: DateTime<Utc>,
    pub override_: Option<BudgetOverride>,
    #[serde(default = "first_version")]
    pub version: i64,
}

/// A practitioner's professional judgement that the indicative figure should differ.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BudgetOverride {
    pub annual: Money,
    pub reason: String,
    pub by: UserId,
    pub by_name: String,
    pub at: DateTime<Utc>,
}

impl AllocationRecord {
    /// The indicative budget to plan against: the override when there is one.
    pub fn indicative(&self) -> Money {
        self.override_
            .as_ref()
            .map(|change| change.annual)
            .unwrap_or(Money::from_pence(self.result.total_pence))
    }
}

/// A financial assessment and the weekly contribution it led to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FinancialAssessmentRecord {
    pub id: FinancialAssessmentId,
    pub person_id: PersonId,
    pub circumstances: FinancialCircumstances,
    pub rates_source: String,
    /// The weekly cost the contribution was worked out against.
    pub weekly_cost: Money,
    pub contribution: Contribution,
    pub assessed_by: UserId,
    pub assessed_by_name: String,
    pub assessed_at: DateTime<Utc>,
}
