//! Worklists that run a working day: where each person on a caseload is in the steps, since
//! when, and how long they have waited; and how far a plan waiting for a manager is over the
//! council's tolerance.

use crate::money::Money;
use crate::people::{labelled_enum, PersonSummary};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

labelled_enum!(
    /// Where a person is in steps 1 to 3, in the order a case moves through them. The store
    /// works the stage out from the person's newest records (the newest of each kind), so that
    /// a caseload can be sorted and filtered by it without loading anyone's records.
    CaseStage {
        NoAssessment => ("no_assessment", "No self-assessment yet"),
        Assessing => ("assessing", "Filling in the self-assessment"),
        AssessmentChangesAsked => ("assessment_changes_asked", "Changes asked for on the self-assessment"),
        AssessmentToCheck => ("assessment_to_check", "Self-assessment to check"),
        EligibilityToDecide => ("eligibility_to_decide", "Eligibility to decide"),
        NotEligible => ("not_eligible", "Not eligible"),
        Planning => ("planning", "Writing the plan"),
        PlanChangesAsked => ("plan_changes_asked", "Changes asked for on the plan"),
        PlanToAgree => ("plan_to_agree", "Plan to agree"),
        PlanWithManager => ("plan_with_manager", "Plan waiting for a team manager"),
        PlanAgreed => ("plan_agreed", "Plan agreed"),
    }
);

impl CaseStage {
    /// Which of the seven steps the stage belongs to, from 1.
    pub fn step(self) -> u8 {
        match self {
            CaseStage::NoAssessment
            | CaseStage::Assessing
            | CaseStage::AssessmentChangesAsked
            | CaseStage::AssessmentToCheck
            | CaseStage::EligibilityToDecide
            | CaseStage::NotEligible => 1,
            CaseStage::Planning | CaseStage::PlanChangesAsked => 2,
            CaseStage::PlanToAgree | CaseStage::PlanWithManager => 3,
            CaseStage::PlanAgreed => 4,
        }
    }

    /// Whether the council (not the person) has the next move.
    pub fn waiting_for_the_council(self) -> bool {
        matches!(
            self,
            CaseStage::AssessmentToCheck | CaseStage::EligibilityToDecide | CaseStage::PlanToAgree | CaseStage::PlanWithManager
        )
    }
}

labelled_enum!(
    /// How a caseload is ordered.
    CaseloadSort {
        Name => ("name", "Name"),
        Stage => ("stage", "Stage"),
        Waiting => ("waiting", "Longest waiting first"),
    }
);

/// A person on a caseload, with their stage and since when.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CaseloadEntry {
    pub person: PersonSummary,
    pub stage: CaseStage,
    /// When the stage was reached: the time of the record that put the person there.
    pub since: DateTime<Utc>,
}

impl CaseloadEntry {
    /// Whole days from the stage being reached to `today` (0 on the day itself).
    pub fn days_waiting(&self, today: NaiveDate) -> i64 {
        (today - self.since.date_naive()).num_days().max(0)
    }
}

/// How far a plan's cost is over the indicative budget, and over the tolerance.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OverTolerance {
    pub plan_cost: Money,
    pub indicative: Money,
    /// The plan's cost less the indicative budget (zero if it is not over).
    pub over_by: Money,
    /// `over_by` as a percentage of the indicative budget, to one decimal place, halves up;
    /// `None` when the indicative budget is nothing (any cost is then over).
    pub over_by_tenths_of_percent: Option<i64>,
    /// The most the plan may be over without a manager: the tolerance's share of the budget.
    pub tolerance_percent: i64,
    pub allowed_over: Money,
    /// How much of `over_by` is beyond what the tolerance allows.
    pub beyond_tolerance: Money,
}

impl OverTolerance {
    pub fn work_out(plan_cost: Money, indicative: Money, tolerance_percent: i64) -> OverTolerance {
        let over_by = Money::from_pence(plan_cost.pence().saturating_sub(indicative.pence()).max(0));
        let allowed_over = Money::from_pence(indicative.pence().saturating_mul(tolerance_percent))
            .divided_rounding_half_up(100)
            .unwrap_or(Money::ZERO);
        let over_by_tenths_of_percent = (indicative.pence() > 0).then(|| {
            Money::from_pence(over_by.pence().saturating_mul(1000))
                .divided_rounding_half_up(indicative.pence())
                .map(Money::pence)
                .unwrap_or(i64::MAX)
        });
        OverTolerance {
            plan_cost,
            indicative,
            over_by,
            over_by_tenths_of_percent,
            tolerance_percent,
            allowed_over,
            beyond_tolerance: Money::from_pence(over_by.pence().saturating_sub(allowed_over.pence()).max(0)),
        }
    }

    /// "£1,500.00 over (15.0%)", as a worker reads it.
    pub fn describe(&self) -> String {
        match self.over_by_tenths_of_percent {
            Some(tenths) => format!("{} over ({}.{}%)", self.over_by, tenths / 10, tenths % 10),
            None => format!("{} over a budget of nothing", self.over_by),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::PersonId;

    #[test]
    fn stages_run_in_the_order_of_the_steps() {
        let steps: Vec<u8> = CaseStage::ALL.iter().map(|stage| stage.step()).collect();
        assert!(steps.windows(2).all(|pair| pair[0] <= pair[1]), "{steps:?}");
        assert_eq!(CaseStage::parse("plan_with_manager"), Some(CaseStage::PlanWithManager));
        assert!(CaseStage::PlanWithManager.waiting_for_the_council());
        assert!(!CaseStage::Assessing.waiting_for_the_council());
    }

    #[test]
    fn days_waiting_count_whole_days() {
        let entry = CaseloadEntry {
            person: PersonSummary {
                id: PersonId::generate(),
                given_name: "Owen".into(),
                family_name: "Morgan".into(),
                date_of_birth: "1948-03-02".parse().unwrap(),
                nhs_number: None,
                postcode: "TF1 1AA".into(),
                allocated_worker: None,
                allocated_worker_name: None,
                team_id: None,
            },
            stage: CaseStage::AssessmentToCheck,
            since: "2026-05-01T23:30:00Z".parse().unwrap(),
        };
        assert_eq!(entry.days_waiting("2026-05-01".parse().unwrap()), 0);
        assert_eq!(entry.days_waiting("2026-05-15".parse().unwrap()), 14);
        assert_eq!(entry.days_waiting("2026-04-01".parse().unwrap()), 0);
    }

    #[test]
    fn a_plan_fifteen_percent_over_a_ten_percent_tolerance() {
        // £11,500 against £10,000 with 10% tolerance: £1,500 over, £500 beyond tolerance.
        let over = OverTolerance::work_out(Money::from_pence(1_150_000), Money::from_pence(1_000_000), 10);
        assert_eq!(over.over_by, Money::from_pence(150_000));
        assert_eq!(over.allowed_over, Money::from_pence(100_000));
        assert_eq!(over.beyond_tolerance, Money::from_pence(50_000));
        assert_eq!(over.describe(), "£1,500.00 over (15.0%)");
    }

    #[test]
    fn the_percentage_rounds_half_up_to_a_tenth() {
        // £1 over £3 is 33.33...%, shown as 33.3%; £1 over £8 is 12.5% exactly.
        assert_eq!(
            OverTolerance::work_out(Money::from_pence(400), Money::from_pence(300), 10).describe(),
            "£1.00 over (33.3%)"
        );
        // 1 penny over £0.16 is 6.25%: 62.5 tenths rounds half up to 63.
        assert_eq!(
            OverTolerance::work_out(Money::from_pence(17), Money::from_pence(16), 10).over_by_tenths_of_percent,
            Some(63)
        );
        assert_eq!(
            OverTolerance::work_out(Money::from_pence(500), Money::ZERO, 10).describe(),
            "£5.00 over a budget of nothing"
        );
    }
}
