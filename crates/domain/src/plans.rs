//! Support planning and getting the plan agreed (Care Act s24-26, chapter 10 and 11 of the
//! statutory guidance): the person's own plan, its cost checked against the indicative budget,
//! the sign-off decision, and the personal budget statement.

use crate::assessments::first_version;
use crate::charging::{NeverCharged, ServiceLine};
use crate::ids::{AllocationId, BudgetId, FinancialAssessmentId, PersonId, PlanDecisionId, PlanId, UserId};
use crate::money::{Money, MoneyError};
use crate::people::labelled_enum;
use crate::validation::{optional_text, required_line, required_text, ValidationErrors};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

labelled_enum!(
    /// How often a plan line is paid for.
    Frequency {
        Weekly => ("weekly", "a week"),
        Fortnightly => ("fortnightly", "a fortnight"),
        FourWeekly => ("four_weekly", "every 4 weeks"),
        Monthly => ("monthly", "a month"),
        Quarterly => ("quarterly", "a quarter"),
        Annually => ("annually", "a year"),
        OneOff => ("one_off", "once"),
    }
);

impl Frequency {
    /// Times a year. A year is 52 weeks here [L]: councils using 52.143 should say so.
    pub fn per_year(self) -> i64 {
        match self {
            Frequency::Weekly => 52,
            Frequency::Fortnightly => 26,
            Frequency::FourWeekly => 13,
            Frequency::Monthly => 12,
            Frequency::Quarterly => 4,
            Frequency::Annually | Frequency::OneOff => 1,
        }
    }
}

labelled_enum!(
    /// Client Level Data `Service_Component` values (domain rules 5.1.6; the confirmed ones, and Other).
    ServiceComponent {
        DirectPayment => ("direct_payment", "Direct Payment"),
        HomeSupport => ("home_support", "Home Support"),
        SharedLives => ("shared_lives", "Shared Lives"),
        CommunitySupportedLiving => ("community_supported_living", "Community Supported Living"),
        ExtraCareHousing => ("extra_care_housing", "Extra care housing"),
        ShortTermResidentialCare => ("short_term_residential_care", "Short Term Residential Care"),
        ShortTermNursingCare => ("short_term_nursing_care", "Short Term Nursing Care"),
        CarerRespite => ("carer_respite", "Carer Respite"),
        Other => ("other", "Other"),
    }
);

labelled_enum!(
    /// Who will hold and manage the money: the six forms a personal budget can take.
    MoneyManager {
        Myself => ("direct_payment", "Me, as a direct payment"),
        NominatedOrAuthorisedPerson => ("indirect_payment", "Someone I trust, as a nominated or authorised person"),
        Trust => ("trust_fund", "A trust set up for me"),
        Broker => ("brokered_fund", "A support broker"),
        Provider => ("individual_service_fund", "A care provider, as an individual service fund"),
        Council => ("council_managed", "The council"),
    }
);

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanLine {
    pub description: String,
    pub unit_cost: Money,
    pub units: i64,
    pub frequency: Frequency,
    pub component: ServiceComponent,
    /// Set where the law or the council says this support is never charged for; the practitioner
    /// checks it at sign-off. Plans written before this was asked have every line chargeable.
    #[serde(default)]
    pub never_charged: Option<NeverCharged>,
}

impl PlanLine {
    pub fn annual_cost(&self) -> Result<Money, MoneyError> {
        self.unit_cost.checked_mul(self.units)?.checked_mul(self.frequency.per_year())
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanContent {
    /// What the person wants to achieve, in their own words.
    pub outcomes: String,
    pub lines: Vec<PlanLine>,
    pub risks: String,
    pub contingency: String,
    pub money_manager: MoneyManager,
}

impl PlanContent {
    pub fn annual_cost(&self) -> Result<Money, MoneyError> {
        self.lines
            .iter()
            .try_fold(Money::ZERO, |total, line| total.checked_add(line.annual_cost()?))
    }

    /// The plan's lines as the charging rules see them: a weekly cost each (a 52-week year, as
    /// `Frequency::per_year`), rounded down so rounding never adds to what anyone pays.
    pub fn service_lines(&self) -> Result<Vec<ServiceLine>, MoneyError> {
        self.lines
            .iter()
            .map(|line| {
                Ok(ServiceLine {
                    description: line.description.clone(),
                    weekly_cost: line.annual_cost()?.weekly_from_annual(),
                    never_charged: line.never_charged.clone(),
                    weeks_already_received: 0,
                })
            })
            .collect()
    }
}

labelled_enum!(
    PlanStatus {
        Drafting => ("drafting", "Being written"),
        Submitted => ("submitted", "Waiting for the practitioner to agree it"),
        AwaitingManager => ("awaiting_manager", "Waiting for a team manager to agree it"),
        ChangesRequested => ("changes_requested", "Changes asked for"),
        Agreed => ("agreed", "Agreed and active"),
    }
);

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SupportPlan {
    pub id: PlanId,
    pub person_id: PersonId,
    pub allocation_id: AllocationId,
    pub status: PlanStatus,
    pub content: PlanContent,
    pub written_by: Vec<String>,
    pub decisions: Vec<PlanDecision>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    #[serde(default = "first_version")]
    pub version: i64,
}

labelled_enum!(
    /// The one question of sign-off, and its other paths.
    Verdict {
        Agreed => ("agreed", "Yes: this is a realistic plan to meet the agreed outcomes"),
        ChangesRequested => ("changes_requested", "Not yet: some changes are needed"),
        SpendingRefused => ("spending_refused", "Some spending cannot be agreed because it is unlawful or would cause harm"),
    }
);

labelled_enum!(
    /// The only grounds on which spending in a plan may be refused: the council does not
    /// question what a person buys to meet their outcomes unless it is unlawful or would harm.
    RefusalGround {
        Unlawful => ("unlawful", "It is unlawful"),
        Harmful => ("harmful", "It would cause harm to the person or someone else"),
    }
);

/// Words that refuse rather than ask for a change. "Changes requested" cannot carry them: a
/// refusal must go through the refusal test (`Verdict::SpendingRefused`, its ground and reason).
const REFUSING_WORDS: [&str; 22] = [
    "refuse",
    "refusal",
    "cannot be agreed",
    "can't be agreed",
    "cannot agree",
    "can't agree",
    "will not agree",
    "won't agree",
    "not be funded",
    "cannot fund",
    "can't fund",
    "will not fund",
    "won't fund",
    "will not pay",
    "won't pay",
    "not allowed",
    "not permitted",
    "unlawful",
    "illegal",
    "harmful",
    "reject",
    "turned down",
];

/// Whether a reason reads as refusing spending.
pub fn reads_as_refusal(reason: &str) -> bool {
    let lowered = reason.to_lowercase().replace('\u{2019}', "'");
    REFUSING_WORDS.iter().any(|words| lowered.contains(words))
}

/// A sign-off decision, with who, when and why.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanDecision {
    #[serde(default = "PlanDecisionId::generate")]
    pub id: PlanDecisionId,
    pub stage: DecisionStage,
    pub verdict: Verdict,
    pub reason: String,
    /// For a refusal: the plan lines refused (by position, from 1).
    pub refused_lines: Vec<usize>,
    /// For a refusal: why the law allows it. `None` for other verdicts, and for refusals
    /// recorded before the ground was asked.
    #[serde(default)]
    pub refusal_ground: Option<RefusalGround>,
    pub plan_cost: Money,
    pub indicative: Money,
    pub decided_by: UserId,
    pub decided_by_name: String,
    pub decided_at: DateTime<Utc>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DecisionStage {
    Practitioner,
    Manager,
}

/// What a sign-off form sends, before checking.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct DecisionInput {
    pub verdict: String,
    pub reason: String,
    pub refused_lines: Vec<String>,
    /// A `RefusalGround` code; asked only when refusing spending.
    pub refusal_ground: String,
}

impl DecisionInput {
    /// A refusal, or a request for changes, cannot be saved without a reason.
    pub fn parse(&self, line_count: usize) -> Result<(Verdict, String, Vec<usize>), ValidationErrors> {
        let mut errors = ValidationErrors::default();
        let verdict = Verdict::parse(&self.verdict);
        if verdict.is_none() {
            errors.add("verdict", "Select whether this is a realistic plan to meet the agreed outcomes");
        }
        let reason = match verdict {
            Some(Verdict::SpendingRefused) => required_text(
                &mut errors,
                "reason",
                "why the spending is unlawful or would cause harm",
                &self.reason,
            ),
            Some(Verdict::ChangesRequested) => required_text(&mut errors, "reason", "what needs to change", &self.reason),
            _ => optional_text(&mut errors, "reason", "notes", &self.reason),
        };
        let refused_lines: Vec<usize> = self
            .refused_lines
            .iter()
            .filter_map(|line| line.parse().ok())
            .filter(|line| (1..=line_count).contains(line))
            .collect();
        if verdict == Some(Verdict::SpendingRefused) && refused_lines.is_empty() {
            errors.add("refused_lines", "Select the spending that cannot be agreed");
        }
        if verdict == Some(Verdict::SpendingRefused) && self.refusal_ground().is_none() {
            errors.add(
                "refusal_ground",
                "Select why the spending cannot be agreed: it is unlawful, or it would cause harm",
            );
        }
        // Asking for changes is not a way round the refusal test.
        if verdict == Some(Verdict::ChangesRequested) {
            if !self.refused_lines.is_empty() {
                errors.add(
                    "refused_lines",
                    "Asking for changes cannot refuse spending: to refuse a line, choose that the spending is unlawful or would cause harm",
                );
            }
            if reads_as_refusal(&reason) {
                errors.add(
                    "reason",
                    "This reads as refusing spending. Asking for changes cannot refuse anything: say what to change, or choose that the spending is unlawful or would cause harm and give the reason",
                );
            }
        }
        errors.into_result((verdict.unwrap_or(Verdict::ChangesRequested), reason, refused_lines))
    }
}

impl DecisionInput {
    /// The ground chosen for a refusal, when the verdict is a refusal.
    pub fn refusal_ground(&self) -> Option<RefusalGround> {
        (Verdict::parse(&self.verdict) == Some(Verdict::SpendingRefused))
            .then(|| RefusalGround::parse(&self.refusal_ground))
            .flatten()
    }
}

/// The personal budget statement (Care Act s26): the cost, what the person pays, what the council pays.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonalBudget {
    pub id: BudgetId,
    pub person_id: PersonId,
    pub plan_id: PlanId,
    pub allocation_id: AllocationId,
    /// The financial assessment the contribution was worked out from; `None` only for budgets
    /// carried over from before this was kept.
    #[serde(default)]
    pub financial_assessment_id: Option<FinancialAssessmentId>,
    pub indicative_annual: Money,
    /// The final budget: the agreed plan's cost.
    pub annual_cost: Money,
    pub annual_contribution: Money,
    pub annual_council_amount: Money,
    pub contribution_basis: crate::charging::ContributionBasis,
    pub money_manager: MoneyManager,
    pub agreed_by: UserId,
    pub agreed_by_name: String,
    pub agreed_at: DateTime<Utc>,
}

// Challenges to any decision, the budget among them, live in `challenges`; kept reachable here
// for the code that found them in this module.
pub use crate::challenges::{Challenge, ChallengeAnswer};

/// What a plan form sends: up to `MAX_LINES` lines, blank ones ignored.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct PlanInput {
    pub outcomes: String,
    pub risks: String,
    pub contingency: String,
    pub money_manager: String,
    pub line_description: Vec<String>,
    pub line_unit_cost: Vec<String>,
    pub line_units: Vec<String>,
    pub line_frequency: Vec<String>,
    pub line_component: Vec<String>,
    /// Per line: empty if it can be charged for, or a `NeverCharged` code.
    #[serde(default)]
    pub line_charging: Vec<String>,
}

pub const MAX_LINES: usize = 12;

impl PlanInput {
    pub fn from_content(content: &PlanContent) -> PlanInput {
        PlanInput {
            outcomes: content.outcomes.clone(),
            risks: content.risks.clone(),
            contingency: content.contingency.clone(),
            money_manager: content.money_manager.as_str().into(),
            line_description: content.lines.iter().map(|line| line.description.clone()).collect(),
            line_unit_cost: content
                .lines
                .iter()
                .map(|line| format!("{:.2}", line.unit_cost.pence() as f64 / 100.0).replace(".00", ""))
                .collect(),
            line_units: content.lines.iter().map(|line| line.units.to_string()).collect(),
            line_frequency: content.lines.iter().map(|line| line.frequency.as_str().into()).collect(),
            line_component: content.lines.iter().map(|line| line.component.as_str().into()).collect(),
            line_charging: content
                .lines
                .iter()
                .map(|line| line.never_charged.as_ref().map(NeverCharged::code).unwrap_or_default())
                .collect(),
        }
    }

    /// Checks the plan. `complete` asks for everything a plan must have before it is submitted;
    /// a draft may be saved half-written.
    pub fn parse(&self, complete: bool) -> Result<PlanContent, ValidationErrors> {
        let mut errors = ValidationErrors::default();
        let outcomes = if complete {
            required_text(&mut errors, "outcomes", "what you want to achieve", &self.outcomes)
        } else {
            optional_text(&mut errors, "outcomes", "outcomes", &self.outcomes)
        };
        let risks = if complete {
            required_text(&mut errors, "risks", "the risks and how they will be managed", &self.risks)
        } else {
            optional_text(&mut errors, "risks", "risks", &self.risks)
        };
        let contingency = if complete {
            required_text(
                &mut errors,
                "contingency",
                "what will happen if support does not turn up",
                &self.contingency,
            )
        } else {
            optional_text(&mut errors, "contingency", "contingency", &self.contingency)
        };
        let money_manager = MoneyManager::parse(&self.money_manager);
        if money_manager.is_none() && (complete || !self.money_manager.is_empty()) {
            errors.add("money_manager", "Select who will manage the money");
        }
        let mut lines = Vec::new();
        for index in 0..self.line_description.len().min(MAX_LINES) {
            let get = |values: &Vec<String>| values.get(index).map(|value| value.trim().to_owned()).unwrap_or_default();
            let (description, cost, units, frequency, component, charging) = (
                get(&self.line_description),
                get(&self.line_unit_cost),
                get(&self.line_units),
                get(&self.line_frequency),
                get(&self.line_component),
                get(&self.line_charging),
            );
            if description.is_empty() && cost.is_empty() && units.is_empty() {
                continue;
            }
            let number = index + 1;
            let field = |name: &str| format!("line_{name}_{number}");
            let description = required_line(
                &mut errors,
                &field("description"),
                &format!("what line {number} is for"),
                &description,
            );
            let unit_cost = match cost.parse::<Money>() {
                Ok(money) if !money.is_negative() => money,
                _ => {
                    errors.add(
                        &field("unit_cost"),
                        format!("Enter the cost for line {number} in pounds and pence, like 15.50"),
                    );
                    Money::ZERO
                }
            };
            let units = match units.parse::<i64>() {
                Ok(count) if (1..=10_000).contains(&count) => count,
                _ => {
                    errors.add(
                        &field("units"),
                        format!("Enter how many for line {number}, a whole number from 1 to 10,000"),
                    );
                    1
                }
            };
            let frequency = Frequency::parse(&frequency).unwrap_or_else(|| {
                errors.add(&field("frequency"), format!("Select how often line {number} is paid for"));
                Frequency::Weekly
            });
            let component = ServiceComponent::parse(&component).unwrap_or_else(|| {
                errors.add(&field("component"), format!("Select what kind of support line {number} is"));
                ServiceComponent::Other
            });
            let never_charged = if charging.is_empty() {
                None
            } else {
                let found = NeverCharged::from_code(&charging);
                if found.is_none() {
                    errors.add(&field("charging"), format!("Select whether line {number} can be charged for"));
                }
                found
            };
            lines.push(PlanLine {
                description,
                unit_cost,
                units,
                frequency,
                component,
                never_charged,
            });
        }
        if complete && lines.is_empty() {
            errors.add("line_description_1", "Add at least one way you will spend the budget");
        }
        let content = PlanContent {
            outcomes,
            lines,
            risks,
            contingency,
            money_manager: money_manager.unwrap_or(MoneyManager::Myself),
        };
        if content.annual_cost().is_err() {
            errors.add("line_description_1", "The plan's cost is too large to work out");
        }
        errors.into_result(content)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input() -> PlanInput {
        PlanInput {
            outcomes: "Get to the allotment twice a week".into(),
            risks: "Falls: I use my frame".into(),
            contingency: "My daughter covers".into(),
            money_manager: "direct_payment".into(),
            line_description: vec!["Personal assistant".into(), "Gardening club".into(), String::new()],
            line_unit_cost: vec!["15.50".into(), "12".into(), String::new()],
            line_units: vec!["10".into(), "1".into(), String::new()],
            line_frequency: vec!["weekly".into(), "monthly".into(), String::new()],
            line_component: vec!["direct_payment".into(), "other".into(), String::new()],
            line_charging: vec![String::new(), "equipment".into(), String::new()],
        }
    }

    #[test]
    fn a_line_marked_never_charged_keeps_its_cost_but_not_its_charge() {
        let content = input().parse(true).unwrap();
        assert_eq!(content.lines[1].never_charged, Some(NeverCharged::EquipmentOrMinorAdaptation));
        let services = content.service_lines().unwrap();
        // £12 a month is £144 a year: £2.769 a week, so £2.77 to the nearest penny.
        assert_eq!(services[1].weekly_cost, Money::from_pence(277));
        let mut wrong = input();
        wrong.line_charging[1] = "free".into();
        assert!(wrong.parse(true).unwrap_err().message_for("line_charging_2").is_some());
    }

    #[test]
    fn a_plan_costs_its_lines_over_a_year() {
        let content = input().parse(true).unwrap();
        // £15.50 × 10 × 52 = £8,060; £12 × 12 = £144.
        assert_eq!(content.annual_cost().unwrap(), Money::from_pence(820_400));
        assert_eq!(content.lines.len(), 2);
    }

    #[test]
    fn a_submitted_plan_needs_its_parts_but_a_draft_does_not() {
        let empty = PlanInput::default();
        assert!(empty.parse(false).is_ok());
        let errors = empty.parse(true).unwrap_err();
        assert!(errors.message_for("outcomes").is_some() && errors.message_for("contingency").is_some());
    }

    #[test]
    fn a_refusal_without_a_reason_cannot_be_saved() {
        let refusal = DecisionInput {
            verdict: "spending_refused".into(),
            reason: " ".into(),
            refused_lines: vec!["1".into()],
            refusal_ground: "harmful".into(),
        };
        assert!(refusal.parse(2).unwrap_err().message_for("reason").is_some());
        let with_reason = DecisionInput {
            reason: "Paying for alcohol would harm your health plan".into(),
            ..refusal
        };
        assert_eq!(with_reason.parse(2).unwrap().2, vec![1]);
        assert_eq!(with_reason.refusal_ground(), Some(RefusalGround::Harmful));
    }

    #[test]
    fn a_refusal_needs_its_ground_unlawful_or_harmful() {
        let no_ground = DecisionInput {
            verdict: "spending_refused".into(),
            reason: "The gym pass duplicates the NHS physiotherapy".into(),
            refused_lines: vec!["2".into()],
            refusal_ground: String::new(),
        };
        assert!(no_ground.parse(2).unwrap_err().message_for("refusal_ground").is_some());
        let unlawful = DecisionInput {
            refusal_ground: "unlawful".into(),
            ..no_ground.clone()
        };
        assert_eq!(unlawful.parse(2).unwrap().0, Verdict::SpendingRefused);
        assert_eq!(unlawful.refusal_ground(), Some(RefusalGround::Unlawful));
        let made_up = DecisionInput {
            refusal_ground: "too_expensive".into(),
            ..no_ground
        };
        assert!(made_up.parse(2).unwrap_err().message_for("refusal_ground").is_some());
    }

    #[test]
    fn changes_requested_cannot_refuse_lines_or_use_refusing_words() {
        let with_lines = DecisionInput {
            verdict: "changes_requested".into(),
            reason: "Please add who covers at weekends".into(),
            refused_lines: vec!["1".into()],
            refusal_ground: String::new(),
        };
        assert!(with_lines.parse(2).unwrap_err().message_for("refused_lines").is_some());
        for wording in [
            "We refuse the gardening club",
            "The taxi line cannot be agreed",
            "We won\u{2019}t fund the holiday",
            "Spa days are not allowed",
        ] {
            let refusing = DecisionInput {
                verdict: "changes_requested".into(),
                reason: wording.into(),
                refused_lines: Vec::new(),
                refusal_ground: String::new(),
            };
            let errors = refusing.parse(2).unwrap_err();
            assert!(errors.message_for("reason").is_some(), "{wording:?} should need the refusal test");
        }
        let asking = DecisionInput {
            verdict: "changes_requested".into(),
            reason: "Please say who covers at weekends, and cost the taxi per trip".into(),
            refused_lines: Vec::new(),
            refusal_ground: "harmful".into(),
        };
        let (verdict, _, lines) = asking.parse(2).unwrap();
        assert_eq!((verdict, lines), (Verdict::ChangesRequested, Vec::new()));
        assert_eq!(asking.refusal_ground(), None, "a ground counts only on a refusal");
    }
}
