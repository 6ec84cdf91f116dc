//! A supported self-assessment, from first answer to the practitioner's assurance, and the
//! decisions that follow it: eligibility, the indicative budget, and the financial assessment.
//! Each is a record with who, when and why, and the inputs it saw.

use crate::allocation::{AllocationResult, Answers};
use crate::charging::{Contribution, FinancialCircumstances};
use crate::eligibility::{AssessmentKind, EligibilityDecision, EligibilityFindings};
use crate::ids::{AllocationId, AssessmentId, ChallengeId, EligibilityDecisionId, FinancialAssessmentId, PersonId, UserId};
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

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Assessment {
    pub id: AssessmentId,
    pub person_id: PersonId,
    pub kind: AssessmentKind,
    pub questionnaire_id: String,
    pub questionnaire_version: i64,
    pub status: AssessmentStatus,
    /// The answer chosen, by question id.
    #[cfg_attr(feature = "openapi", schema(value_type = std::collections::BTreeMap<String, String>))]
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
    /// What the person says about themselves beside the scored questions.
    #[serde(default)]
    pub about: AboutYou,
}

pub fn first_version() -> i64 {
    1
}

/// The person in their own words, asked beside the scored questions and never scored: what
/// matters to them, what they are good at and enjoy, and the people and support already around
/// them. Plans start from these, so that support builds on what works (a strengths-based
/// assessment, Care and Support Statutory Guidance 6.63).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AboutYou {
    pub what_matters: String,
    pub strengths: String,
    pub support_around: String,
}

impl AboutYou {
    pub fn is_empty(&self) -> bool {
        self.what_matters.is_empty() && self.strengths.is_empty() && self.support_around.is_empty()
    }
}

/// The "About you" form as typed. What matters is asked of everyone; strengths and the support
/// around them may be left for a conversation.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct AboutYouInput {
    #[serde(default)]
    pub what_matters: String,
    #[serde(default)]
    pub strengths: String,
    #[serde(default)]
    pub support_around: String,
}

impl AboutYouInput {
    pub fn from_about(about: &AboutYou) -> AboutYouInput {
        AboutYouInput {
            what_matters: about.what_matters.clone(),
            strengths: about.strengths.clone(),
            support_around: about.support_around.clone(),
        }
    }

    pub fn parse(&self) -> Result<AboutYou, crate::validation::ValidationErrors> {
        use crate::validation::{optional_text, required_text, ValidationErrors};
        let mut errors = ValidationErrors::default();
        let about = AboutYou {
            what_matters: required_text(&mut errors, "what_matters", "what matters to you", &self.what_matters),
            strengths: optional_text(&mut errors, "strengths", "what you are good at and enjoy", &self.strengths),
            support_around: optional_text(
                &mut errors,
                "support_around",
                "the people and support around you",
                &self.support_around,
            ),
        };
        errors.into_result(about)
    }
}

#[cfg(test)]
mod about_you_tests {
    use super::*;

    #[test]
    fn what_matters_is_asked_and_the_rest_may_wait() {
        let blank = AboutYouInput::default().parse().unwrap_err();
        assert_eq!(blank.message_for("what_matters"), Some("Enter what matters to you"));
        let about = AboutYouInput {
            what_matters: "  Seeing my grandchildren on Sundays ".into(),
            ..Default::default()
        }
        .parse()
        .unwrap();
        assert_eq!(about.what_matters, "Seeing my grandchildren on Sundays");
        assert!(about.strengths.is_empty() && !about.is_empty());
    }

    #[test]
    fn control_characters_are_refused_and_new_lines_kept() {
        let input = AboutYouInput {
            what_matters: "Gardening\nand my dog".into(),
            strengths: "Cooking\u{0}".into(),
            ..Default::default()
        };
        let errors = input.parse().unwrap_err();
        assert!(errors.message_for("what_matters").is_none());
        assert!(errors.message_for("strengths").is_some());
    }
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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
    /// Whether needs fluctuate, over what period they were looked at, and how (reg 2(4) and
    /// 3(4)). `None` only for decisions recorded before this was asked.
    #[serde(default)]
    pub fluctuation: Option<FluctuatingNeeds>,
    /// For a person found not eligible: the written advice on what could prevent or delay their
    /// needs (Care Act s13(5)), in the practitioner's words.
    #[serde(default)]
    pub prevention_advice: Option<String>,
    /// Set when this decision was made again in place of an earlier one.
    #[serde(default)]
    pub redetermination: Option<Redetermination>,
    /// When a later decision replaced this one; it is kept, and shown as replaced.
    #[serde(default)]
    pub replaced_at: Option<DateTime<Utc>>,
}

impl EligibilityRecord {
    /// Whether this is the decision that stands (not replaced by a redetermination).
    pub fn is_current(&self) -> bool {
        self.replaced_at.is_none()
    }
}

/// Needs that come and go, looked at over a period long enough to see their real level.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FluctuatingNeeds {
    pub fluctuate: bool,
    /// The period considered, in words ("the 12 weeks from 1 March to 24 May 2026").
    pub period: String,
    /// How the needs change over that period; empty when they do not fluctuate.
    pub description: String,
}

/// Why an eligibility decision was made again, and which one it replaces.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Redetermination {
    pub replaces: EligibilityDecisionId,
    pub reason: String,
    /// The challenge that led to it, when one did.
    pub challenge_id: Option<ChallengeId>,
}

/// An indicative budget, with the frozen snapshot that reproduces it to the penny.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AllocationRecord {
    pub id: AllocationId,
    pub person_id: PersonId,
    pub assessment_id: AssessmentId,
    /// The model file exactly as it was used, and the answers exactly as they were.
    pub model_source: String,
    /// The answer chosen, by question id.
    #[cfg_attr(feature = "openapi", schema(value_type = std::collections::BTreeMap<String, String>))]
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
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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

    /// The indicative budget a week, under the year rule the allocation was made with [L].
    pub fn indicative_weekly(&self) -> Money {
        self.indicative().weekly_from_annual(self.result.year_rule)
    }
}

/// A financial assessment and the weekly contribution it led to.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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

/// What the eligibility form sends beside the findings: whether needs fluctuate, over what
/// period, and for a person found not eligible the written advice on preventing or delaying
/// needs (Care Act s13(5)).
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct DecisionNotesInput {
    /// "yes" or "no"; nothing is chosen for the practitioner.
    pub needs_fluctuate: String,
    pub fluctuation_period: String,
    pub fluctuation_description: String,
    pub prevention_advice: String,
}

/// The checked notes, as the decision keeps them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DecisionNotes {
    pub fluctuation: FluctuatingNeeds,
    pub prevention_advice: Option<String>,
}

impl DecisionNotesInput {
    /// Checks the notes against the decision they go with: the advice is required when the
    /// person is not eligible, and kept only then.
    pub fn parse(&self, eligible: bool) -> Result<DecisionNotes, crate::validation::ValidationErrors> {
        use crate::validation::{optional_text, required_text, ValidationErrors};
        let mut errors = ValidationErrors::default();
        let fluctuate = match self.needs_fluctuate.as_str() {
            "yes" => true,
            "no" => false,
            _ => {
                errors.add("needs_fluctuate", "Select whether their needs fluctuate");
                false
            }
        };
        let period = required_text(
            &mut errors,
            "fluctuation_period",
            "the period you looked at, like the 12 weeks from 1 March to 24 May",
            &self.fluctuation_period,
        );
        let description = if fluctuate {
            required_text(
                &mut errors,
                "fluctuation_description",
                "how their needs change over that period",
                &self.fluctuation_description,
            )
        } else {
            optional_text(
                &mut errors,
                "fluctuation_description",
                "how their needs change",
                &self.fluctuation_description,
            )
        };
        let prevention_advice = if eligible {
            None
        } else {
            Some(required_text(
                &mut errors,
                "prevention_advice",
                "your advice on what could prevent or delay their needs, and where to get help",
                &self.prevention_advice,
            ))
        };
        errors.into_result(DecisionNotes {
            fluctuation: FluctuatingNeeds {
                fluctuate,
                period,
                description,
            },
            prevention_advice,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn notes(fluctuate: &str, advice: &str) -> DecisionNotesInput {
        DecisionNotesInput {
            needs_fluctuate: fluctuate.into(),
            fluctuation_period: "The 12 weeks from 1 March to 24 May 2026".into(),
            fluctuation_description: String::new(),
            prevention_advice: advice.into(),
        }
    }

    #[test]
    fn a_person_found_not_eligible_must_be_given_written_advice() {
        let errors = notes("no", " ").parse(false).unwrap_err();
        assert!(errors.message_for("prevention_advice").is_some());
        let kept = notes("no", "The falls prevention class at the leisure centre")
            .parse(false)
            .unwrap();
        assert_eq!(
            kept.prevention_advice.as_deref(),
            Some("The falls prevention class at the leisure centre")
        );
        assert_eq!(notes("no", "ignored").parse(true).unwrap().prevention_advice, None);
    }

    #[test]
    fn fluctuating_needs_are_described_over_the_period_looked_at() {
        assert!(notes("", "").parse(true).unwrap_err().message_for("needs_fluctuate").is_some());
        let errors = notes("yes", "").parse(true).unwrap_err();
        assert!(errors.message_for("fluctuation_description").is_some());
        let mut described = notes("yes", "");
        described.fluctuation_description = "Relapses every few weeks, each lasting about 10 days".into();
        let kept = described.parse(true).unwrap();
        assert!(kept.fluctuation.fluctuate && kept.fluctuation.period.starts_with("The 12 weeks"));
    }
}
