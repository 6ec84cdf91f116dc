//! Challenges where they count (Care Act s13 and s26, chapter 11 of the statutory guidance, and
//! the complaints regulations): the person, or a helper acting for them, can challenge the
//! eligibility decision, the indicative budget, refused spending, the charge and the final
//! budget. Each challenge names what it challenges, who raised it (and which member of staff
//! recorded it on the person's behalf, if one did), an owner who did not make the decision, a
//! date by which it must be answered, and a written outcome with reasons.

use crate::ids::{AllocationId, BudgetId, ChallengeId, EligibilityDecisionId, FinancialAssessmentId, PersonId, PlanDecisionId, UserId};
use crate::people::labelled_enum;
use crate::validation::{required_text, ValidationErrors};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

labelled_enum!(
    /// The kinds of decision a person can challenge.
    ChallengeKind {
        Eligibility => ("eligibility", "The eligibility decision"),
        IndicativeBudget => ("indicative_budget", "The indicative budget"),
        RefusedSpending => ("refused_spending", "Spending the council refused"),
        Charge => ("charge", "The charge: what you pay towards your care"),
        Budget => ("budget", "The final personal budget"),
    }
);

impl ChallengeKind {
    /// What the person is asked to explain, in the second person.
    pub fn question(self) -> &'static str {
        match self {
            ChallengeKind::Eligibility => "Why do you think the eligibility decision is wrong?",
            ChallengeKind::IndicativeBudget => "Why is the indicative budget not enough to plan with?",
            ChallengeKind::RefusedSpending => "Why should the refused spending be agreed?",
            ChallengeKind::Charge => "Why do you think the charge is wrong?",
            ChallengeKind::Budget => "Why is the budget not enough to meet your needs?",
        }
    }

    /// The decision in a few words, for lists and headings ("the eligibility decision").
    pub fn short(self) -> &'static str {
        match self {
            ChallengeKind::Eligibility => "the eligibility decision",
            ChallengeKind::IndicativeBudget => "the indicative budget",
            ChallengeKind::RefusedSpending => "the refused spending",
            ChallengeKind::Charge => "the charge",
            ChallengeKind::Budget => "the personal budget",
        }
    }
}

/// The decision a challenge is about: its kind and its record.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "id", rename_all = "snake_case")]
pub enum ChallengeSubject {
    Eligibility(EligibilityDecisionId),
    IndicativeBudget(AllocationId),
    /// A plan decision whose verdict was `spending_refused`.
    RefusedSpending(PlanDecisionId),
    Charge(FinancialAssessmentId),
    Budget(BudgetId),
}

impl ChallengeSubject {
    pub fn kind(self) -> ChallengeKind {
        match self {
            ChallengeSubject::Eligibility(_) => ChallengeKind::Eligibility,
            ChallengeSubject::IndicativeBudget(_) => ChallengeKind::IndicativeBudget,
            ChallengeSubject::RefusedSpending(_) => ChallengeKind::RefusedSpending,
            ChallengeSubject::Charge(_) => ChallengeKind::Charge,
            ChallengeSubject::Budget(_) => ChallengeKind::Budget,
        }
    }

    /// The challenged record's id, as text (for audit events and links).
    pub fn id_text(self) -> String {
        match self {
            ChallengeSubject::Eligibility(id) => id.to_string(),
            ChallengeSubject::IndicativeBudget(id) => id.to_string(),
            ChallengeSubject::RefusedSpending(id) => id.to_string(),
            ChallengeSubject::Charge(id) => id.to_string(),
            ChallengeSubject::Budget(id) => id.to_string(),
        }
    }

    /// Reads a kind code and an id, as a form or the API sends them.
    pub fn parse(kind: &str, id: &str) -> Option<ChallengeSubject> {
        let uuid: uuid::Uuid = id.trim().parse().ok()?;
        Some(match ChallengeKind::parse(kind)? {
            ChallengeKind::Eligibility => ChallengeSubject::Eligibility(EligibilityDecisionId(uuid)),
            ChallengeKind::IndicativeBudget => ChallengeSubject::IndicativeBudget(AllocationId(uuid)),
            ChallengeKind::RefusedSpending => ChallengeSubject::RefusedSpending(PlanDecisionId(uuid)),
            ChallengeKind::Charge => ChallengeSubject::Charge(FinancialAssessmentId(uuid)),
            ChallengeKind::Budget => ChallengeSubject::Budget(BudgetId(uuid)),
        })
    }
}

labelled_enum!(
    /// The owner's finding on a challenge.
    ChallengeOutcome {
        Upheld => ("upheld", "Upheld: the decision was wrong and will change"),
        PartlyUpheld => ("partly_upheld", "Partly upheld: part of the decision will change"),
        NotUpheld => ("not_upheld", "Not upheld: the decision stands"),
    }
);

impl ChallengeOutcome {
    /// The finding in a word or two, for a tag or a table.
    pub fn short(self) -> &'static str {
        match self {
            ChallengeOutcome::Upheld => "Upheld",
            ChallengeOutcome::PartlyUpheld => "Partly upheld",
            ChallengeOutcome::NotUpheld => "Not upheld",
        }
    }
}

/// How a council answers challenges. [L]: the number of days is local practice (the law sets
/// no figure for a challenge; councils commonly use 20 working days or 28 days), so it is read
/// from the council file's `[challenges]` section. [U] until a council confirms its own figure.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChallengeRules {
    pub answer_within_days: u16,
}

impl Default for ChallengeRules {
    fn default() -> Self {
        ChallengeRules { answer_within_days: 28 }
    }
}

impl ChallengeRules {
    /// The day a challenge raised at `raised_at` must be answered by.
    pub fn answer_by(&self, raised_at: DateTime<Utc>) -> NaiveDate {
        raised_at.date_naive() + chrono::Days::new(u64::from(self.answer_within_days))
    }
}

/// A member of staff named on a challenge (its owner, or whoever recorded it).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffMember {
    pub id: UserId,
    pub name: String,
}

/// A challenge to one decision.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Challenge {
    pub id: ChallengeId,
    pub person_id: PersonId,
    pub subject: ChallengeSubject,
    pub reason: String,
    /// The account that entered it: the person, their helper, or a member of staff.
    pub raised_by: UserId,
    pub raised_by_name: String,
    /// Set when a member of staff recorded the challenge on the person's behalf (the person
    /// told them); always the same account as `raised_by`.
    pub recorded_by_staff: Option<StaffMember>,
    pub raised_at: DateTime<Utc>,
    /// Who made the decision challenged; never the owner. `None` only for challenges carried
    /// over from before this was kept.
    pub decision_maker: Option<UserId>,
    /// Who must answer. `None` only for challenges carried over from before owners were kept:
    /// any team manager who may answer, other than the decision maker, can then take it.
    pub owner: Option<StaffMember>,
    pub answer_by: NaiveDate,
    pub answer: Option<ChallengeAnswer>,
    pub version: i64,
}

/// The owner's written answer.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChallengeAnswer {
    /// `None` only for answers carried over from before outcomes were named.
    pub outcome: Option<ChallengeOutcome>,
    pub reasons: String,
    pub by: UserId,
    pub by_name: String,
    pub at: DateTime<Utc>,
}

impl Challenge {
    pub fn kind(&self) -> ChallengeKind {
        self.subject.kind()
    }

    pub fn is_open(&self) -> bool {
        self.answer.is_none()
    }

    /// Days left to answer, counted from `today`: negative once the date has passed.
    pub fn days_left(&self, today: NaiveDate) -> i64 {
        (self.answer_by - today).num_days()
    }

    /// Whether a member of staff recorded it for the person.
    pub fn recorded_on_behalf(&self) -> bool {
        self.recorded_by_staff.is_some()
    }
}

/// What a challenge form sends, before checking.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct ChallengeInput {
    pub reason: String,
}

impl ChallengeInput {
    pub fn parse(&self, kind: ChallengeKind) -> Result<String, ValidationErrors> {
        let mut errors = ValidationErrors::default();
        let what = match kind {
            ChallengeKind::Eligibility => "why the eligibility decision is wrong",
            ChallengeKind::IndicativeBudget => "why the indicative budget is not enough",
            ChallengeKind::RefusedSpending => "why the spending should be agreed",
            ChallengeKind::Charge => "why the charge is wrong",
            ChallengeKind::Budget => "why the budget is not enough to meet the needs",
        };
        let reason = required_text(&mut errors, "reason", what, &self.reason);
        errors.into_result(reason)
    }
}

/// What the owner's answer form sends, before checking.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct AnswerInput {
    pub outcome: String,
    pub reasons: String,
}

impl AnswerInput {
    /// Nothing is chosen for the owner: an outcome must be selected and the reasons written.
    pub fn parse(&self) -> Result<(ChallengeOutcome, String), ValidationErrors> {
        let mut errors = ValidationErrors::default();
        let outcome = ChallengeOutcome::parse(&self.outcome);
        if outcome.is_none() {
            errors.add("outcome", "Select whether the challenge is upheld, partly upheld or not upheld");
        }
        let reasons = required_text(
            &mut errors,
            "reasons",
            "the reasons for the outcome, in words the person can read",
            &self.reasons,
        );
        errors.into_result((outcome.unwrap_or(ChallengeOutcome::NotUpheld), reasons))
    }
}

/// A challenge handed from one owner to another by a team manager: who, when and why, with
/// the earlier owner kept.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChallengeReassignment {
    pub challenge_id: ChallengeId,
    /// `None` when the challenge had no owner yet (carried over from before owners were kept).
    pub from: Option<StaffMember>,
    pub to: StaffMember,
    pub reason: String,
    pub by: StaffMember,
    pub at: DateTime<Utc>,
}

/// What the reassignment form sends, before checking.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct ReassignInput {
    /// The new owner's account id.
    pub owner_id: String,
    pub reason: String,
}

impl ReassignInput {
    /// The new owner's id and the reason. Whether that account may own the challenge is for
    /// the use case to decide, with the access rules.
    pub fn parse(&self) -> Result<(UserId, String), ValidationErrors> {
        let mut errors = ValidationErrors::default();
        let owner: Option<UserId> = self.owner_id.trim().parse().ok();
        if owner.is_none() {
            errors.add("owner_id", "Select who should answer the challenge instead");
        }
        let reason = required_text(&mut errors, "reason", "why the challenge is being handed on", &self.reason);
        errors.into_result((owner.unwrap_or(UserId(uuid::Uuid::nil())), reason))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_answer_date_counts_the_configured_days_from_the_day_raised() {
        let rules = ChallengeRules { answer_within_days: 20 };
        let raised: DateTime<Utc> = "2026-03-02T16:30:00Z".parse().unwrap();
        assert_eq!(rules.answer_by(raised), NaiveDate::from_ymd_opt(2026, 3, 22).unwrap());
        assert_eq!(ChallengeRules::default().answer_within_days, 28);
    }

    #[test]
    fn an_answer_needs_an_outcome_chosen_and_reasons() {
        let errors = AnswerInput::default().parse().unwrap_err();
        assert!(errors.message_for("outcome").is_some() && errors.message_for("reasons").is_some());
        let answer = AnswerInput {
            outcome: "partly_upheld".into(),
            reasons: "The night-time needs were missed; the budget rises by £40 a week.".into(),
        };
        assert_eq!(answer.parse().unwrap().0, ChallengeOutcome::PartlyUpheld);
    }

    #[test]
    fn a_subject_round_trips_through_its_kind_and_id() {
        let id = EligibilityDecisionId::generate();
        let subject = ChallengeSubject::Eligibility(id);
        assert_eq!(ChallengeSubject::parse("eligibility", &subject.id_text()), Some(subject));
        assert_eq!(ChallengeSubject::parse("nonsense", &subject.id_text()), None);
        assert_eq!(ChallengeSubject::parse("charge", "not-an-id"), None);
        assert_eq!(subject.kind().short(), "the eligibility decision");
    }

    #[test]
    fn a_reassignment_needs_a_new_owner_and_a_reason() {
        let errors = ReassignInput::default().parse().unwrap_err();
        assert!(errors.message_for("owner_id").is_some() && errors.message_for("reason").is_some());
        let owner = UserId::generate();
        let input = ReassignInput {
            owner_id: owner.to_string(),
            reason: "Ana is on leave until after the answer date".into(),
        };
        assert_eq!(input.parse().unwrap().0, owner);
    }

    #[test]
    fn a_challenge_without_a_reason_cannot_be_raised() {
        let blank = ChallengeInput { reason: "  ".into() };
        assert!(blank.parse(ChallengeKind::Charge).unwrap_err().message_for("reason").is_some());
    }

    #[test]
    fn days_left_go_negative_after_the_date() {
        let challenge = Challenge {
            id: ChallengeId::generate(),
            person_id: PersonId::generate(),
            subject: ChallengeSubject::Budget(BudgetId::generate()),
            reason: "Not enough for nights".into(),
            raised_by: UserId::generate(),
            raised_by_name: "Owen Morgan".into(),
            recorded_by_staff: None,
            raised_at: "2026-03-02T09:00:00Z".parse().unwrap(),
            decision_maker: None,
            owner: None,
            answer_by: NaiveDate::from_ymd_opt(2026, 3, 30).unwrap(),
            answer: None,
            version: 1,
        };
        assert_eq!(challenge.days_left(NaiveDate::from_ymd_opt(2026, 3, 28).unwrap()), 2);
        assert_eq!(challenge.days_left(NaiveDate::from_ymd_opt(2026, 4, 1).unwrap()), -2);
    }
}
