//! Support planning and getting the plan agreed (Care Act s24-26, chapter 10 and 11 of the
//! statutory guidance): the person's own plan, its cost checked against the indicative budget,
//! the sign-off decision, and the personal budget statement.
//!
//! Long because the plan's statutory content, its arithmetic and its form checks belong together, with their tests.

use crate::assessments::first_version;
use crate::charging::{NeverCharged, ServiceLine};
use crate::ids::{AllocationId, BudgetId, FinancialAssessmentId, PersonId, PlanDecisionId, PlanId, UserId};
use crate::money::{fraction_in_words, Money, MoneyError, YearRule};
use crate::people::labelled_enum;
use crate::plan_support::{Quantity, SupportCatalogue};
use crate::validation::{optional_text, parse_typed_date, required_line, required_text, ValidationErrors};
use chrono::{DateTime, NaiveDate, Utc};
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
    /// Times a year, as an exact fraction (numerator, denominator): the weeks in a year by the
    /// council's `YearRule` [L] for lines paid by the week (52, or 365/7 on 52 weeks and a day;
    /// half that fortnightly), and 12, 4 or 1 for the rest. A one-off happens once and is never
    /// multiplied into a yearly cost.
    pub fn per_year(self, rule: YearRule) -> (i64, i64) {
        let (weeks, per) = rule.weeks_in_a_year();
        let in_weeks = |every: i64| {
            if weeks % every == 0 {
                (weeks / every, per)
            } else {
                (weeks, per * every)
            }
        };
        match self {
            Frequency::Weekly => in_weeks(1),
            Frequency::Fortnightly => in_weeks(2),
            Frequency::FourWeekly => in_weeks(4),
            Frequency::Monthly => (12, 1),
            Frequency::Quarterly => (4, 1),
            Frequency::Annually | Frequency::OneOff => (1, 1),
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

impl MoneyManager {
    /// The form's name, as the comparison table heads its column.
    pub fn name(self) -> &'static str {
        match self {
            MoneyManager::Myself => "Direct payment",
            MoneyManager::NominatedOrAuthorisedPerson => "Indirect payment",
            MoneyManager::Trust => "Trust",
            MoneyManager::Broker => "Brokered fund",
            MoneyManager::Provider => "Individual service fund",
            MoneyManager::Council => "Council-managed",
        }
    }

    /// Who holds the money, in the person's words.
    pub fn who_holds_it(self) -> &'static str {
        match self {
            MoneyManager::Myself => "You: the council pays it into a bank account or card for your support",
            MoneyManager::NominatedOrAuthorisedPerson => {
                "Someone you trust (a nominated person), or someone who can act for you if you cannot decide yourself (an authorised person)"
            }
            MoneyManager::Trust => "A small group of people you trust, set up as a trust with its own bank account",
            MoneyManager::Broker => "A support broker or agency, acting for you",
            MoneyManager::Provider => "A care provider you choose, under a contract with the council",
            MoneyManager::Council => "The council, which arranges the support you choose",
        }
    }

    /// What it means for the person day to day.
    pub fn what_you_do(self) -> &'static str {
        match self {
            MoneyManager::Myself => {
                "You choose and pay for your support, keep receipts, and may employ a personal assistant. Most control, most to do."
            }
            MoneyManager::NominatedOrAuthorisedPerson => {
                "They receive the payments, pay for your support as you agree, and answer to the council for them."
            }
            MoneyManager::Trust => "The trustees pay for your support together and keep the accounts; at least two sign for the account.",
            MoneyManager::Broker => "The broker pays for and organises your support as you ask, and keeps the records.",
            MoneyManager::Provider => "You decide with the provider how the money is used for your support, week by week.",
            MoneyManager::Council => "You say how you want your needs met; the council buys it and pays the bills. Least to do.",
        }
    }

    /// Who holds the money, as staff read it about the person called `name`.
    pub fn who_holds_it_for(self, name: &str) -> String {
        match self {
            MoneyManager::Myself => format!("{name}: the council pays it into a bank account or card for {name}'s support"),
            MoneyManager::NominatedOrAuthorisedPerson => format!(
                "Someone {name} trusts (a nominated person), or someone who can act for {name} if {name} cannot decide (an authorised person)"
            ),
            MoneyManager::Trust => format!("A small group of people {name} trusts, set up as a trust with its own bank account"),
            MoneyManager::Broker => format!("A support broker or agency, acting for {name}"),
            MoneyManager::Provider => format!("A care provider {name} chooses, under a contract with the council"),
            MoneyManager::Council => format!("The council, which arranges the support {name} chooses"),
        }
    }

    /// What it means day to day, as staff read it about the person called `name`.
    pub fn what_it_means_for(self, name: &str) -> String {
        match self {
            MoneyManager::Myself => format!(
                "{name} chooses and pays for the support, keeps receipts, and may employ a personal assistant. Most control, most to do."
            ),
            MoneyManager::NominatedOrAuthorisedPerson => {
                format!("They receive the payments, pay for {name}'s support as {name} agrees, and answer to the council for them.")
            }
            MoneyManager::Trust => {
                format!("The trustees pay for {name}'s support together and keep the accounts; at least two sign for the account.")
            }
            MoneyManager::Broker => format!("The broker pays for and organises {name}'s support as {name} asks, and keeps the records."),
            MoneyManager::Provider => format!("{name} decides with the provider how the money is used for the support, week by week."),
            MoneyManager::Council => {
                format!("{name} says how the needs should be met; the council buys the support and pays the bills. Least to do.")
            }
        }
    }

    /// Paid as a direct payment (Care Act s31-32), so the plan must say which needs the payments
    /// cover and how much is paid how often (s25(1)(f)). A brokered fund is counted as one: the
    /// broker holds a direct payment as the person's nominee [U] (domain rules 1.6); a council
    /// that contracts brokers instead would change this.
    pub fn is_direct_payment(self) -> bool {
        matches!(
            self,
            MoneyManager::Myself | MoneyManager::NominatedOrAuthorisedPerson | MoneyManager::Trust | MoneyManager::Broker
        )
    }
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(from = "StoredPlanLine")]
pub struct PlanLine {
    pub description: String,
    pub unit_cost: Money,
    /// How many each time, exactly (7.5 hours is 750 hundredths).
    pub quantity: Quantity,
    pub frequency: Frequency,
    /// The statutory return's service code, from the kind of support chosen (never typed).
    pub component: ServiceComponent,
    /// Set where the law or the council says this support is never charged for; the practitioner
    /// checks it at sign-off. Plans written before this was asked have every line chargeable.
    #[serde(default)]
    pub never_charged: Option<NeverCharged>,
    /// The kind of support chosen, by its id in the support catalogue (config/plans/support.toml);
    /// `None` for lines written before people chose by kind.
    #[serde(default)]
    pub support: Option<String>,
    /// The need this line meets: an eligibility outcome code, or `CARER_HEALTH`.
    #[serde(default)]
    pub meets: Option<String>,
    /// For reablement: the day it starts, so its free weeks can be counted.
    #[serde(default)]
    pub reablement_start: Option<NaiveDate>,
}

/// A plan line as JSON may hold it: lines written before quantities could be fractional (the
/// first storey's `case_records`) have a whole `units` count instead of `quantity`.
#[derive(Deserialize)]
struct StoredPlanLine {
    description: String,
    unit_cost: Money,
    #[serde(default)]
    quantity: Option<Quantity>,
    #[serde(default)]
    units: Option<i64>,
    frequency: Frequency,
    component: ServiceComponent,
    #[serde(default)]
    never_charged: Option<NeverCharged>,
    #[serde(default)]
    support: Option<String>,
    #[serde(default)]
    meets: Option<String>,
    #[serde(default)]
    reablement_start: Option<NaiveDate>,
}

impl From<StoredPlanLine> for PlanLine {
    fn from(stored: StoredPlanLine) -> PlanLine {
        PlanLine {
            description: stored.description,
            unit_cost: stored.unit_cost,
            quantity: stored
                .quantity
                .unwrap_or_else(|| Quantity::from_hundredths(stored.units.unwrap_or(1).saturating_mul(100))),
            frequency: stored.frequency,
            component: stored.component,
            never_charged: stored.never_charged,
            support: stored.support,
            meets: stored.meets,
            reablement_start: stored.reablement_start,
        }
    }
}

/// The need "looking after the carer's own health", which makes a carer eligible on its own (reg 3).
pub const CARER_HEALTH: &str = "carer_health";

/// The words for a need a plan line can meet.
pub fn need_label(code: &str) -> Option<&'static str> {
    if code == CARER_HEALTH {
        return Some("Looking after your own health as a carer");
    }
    crate::eligibility::outcome_label(code)
}

impl PlanLine {
    /// What one occurrence costs: the cost each × the quantity, rounded half up to the penny.
    pub fn cost_each_time(&self) -> Result<Money, MoneyError> {
        self.unit_cost.times_hundredths_rounding_half_up(self.quantity.hundredths(), 1)
    }

    /// What the line costs in a year: the cost each × the quantity × the times a year under
    /// `rule`, worked out exactly and rounded once. A one-off is costed once, never multiplied
    /// into a year.
    pub fn annual_cost(&self, rule: YearRule) -> Result<Money, MoneyError> {
        self.unit_cost
            .times_hundredths_and_fraction_rounding_half_up(self.quantity.hundredths(), self.frequency.per_year(rule))
    }

    /// The yearly cost of a line that repeats; nothing for a one-off.
    pub fn recurring_annual_cost(&self, rule: YearRule) -> Result<Money, MoneyError> {
        if self.frequency == Frequency::OneOff {
            Ok(Money::ZERO)
        } else {
            self.annual_cost(rule)
        }
    }

    /// What a repeating line costs a week: the cost each × the quantity × its times a year ÷ the
    /// weeks in a year, worked out exactly and rounded once (a weekly line is its own cost).
    pub fn weekly_cost(&self, rule: YearRule) -> Result<Money, MoneyError> {
        let (times, times_per) = self.frequency.per_year(rule);
        let (weeks, weeks_per) = rule.weeks_in_a_year();
        let numerator = times.checked_mul(weeks_per).ok_or(MoneyError::Overflow)?;
        let denominator = times_per.checked_mul(weeks).ok_or(MoneyError::Overflow)?;
        self.unit_cost
            .times_hundredths_and_fraction_rounding_half_up(self.quantity.hundredths(), (numerator, denominator))
    }

    /// How the line's cost was worked out under `rule`, in words a person can check with a
    /// calculator.
    pub fn working(&self, rule: YearRule) -> String {
        let Ok(cost) = self.annual_cost(rule) else {
            return "Too large to work out".into();
        };
        if self.frequency == Frequency::OneOff {
            format!(
                "{} × {} once = {}, counted once, not every year (to the nearest penny, half a penny rounds up)",
                self.unit_cost, self.quantity, cost
            )
        } else {
            format!(
                "{} × {} × {} times a year ({}) = {} a year (to the nearest penny, half a penny rounds up)",
                self.unit_cost,
                self.quantity,
                fraction_in_words(self.frequency.per_year(rule)),
                self.frequency.label(),
                cost
            )
        }
    }
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanContent {
    /// What the person wants to achieve, in their own words.
    pub outcomes: String,
    pub lines: Vec<PlanLine>,
    pub risks: String,
    pub contingency: String,
    /// Who manages the money: chosen by the person, never assumed. `None` until they choose.
    pub money_manager: Option<MoneyManager>,
    /// The information and advice given on meeting or reducing needs and on preventing or
    /// delaying needs in future (Care Act s25(1)(e)); empty on plans written before it was kept.
    #[serde(default)]
    pub advice: String,
}

impl PlanContent {
    /// The plan's cost in its first year under `rule`: every repeating line for a year, and each
    /// one-off once.
    pub fn annual_cost(&self, rule: YearRule) -> Result<Money, MoneyError> {
        self.lines
            .iter()
            .try_fold(Money::ZERO, |total, line| total.checked_add(line.annual_cost(rule)?))
    }

    /// The repeating lines' cost for a year (what the budget pays year after year).
    pub fn recurring_annual_cost(&self, rule: YearRule) -> Result<Money, MoneyError> {
        self.lines
            .iter()
            .try_fold(Money::ZERO, |total, line| total.checked_add(line.recurring_annual_cost(rule)?))
    }

    /// The one-off items, each costed once.
    pub fn one_off_cost(&self, rule: YearRule) -> Result<Money, MoneyError> {
        self.annual_cost(rule)?.checked_sub(self.recurring_annual_cost(rule)?)
    }

    /// The needs the plan's lines meet, by code, in the order first met, without repeats.
    pub fn needs_met(&self) -> Vec<String> {
        let mut needs: Vec<String> = Vec::new();
        for need in self.lines.iter().filter_map(|line| line.meets.clone()) {
            if !needs.contains(&need) {
                needs.push(need);
            }
        }
        needs
    }

    /// For a budget held as a direct payment: the needs it covers and what is paid how often
    /// (Care Act s25(1)(f)). `None` for forms that are not direct payments.
    pub fn direct_payment(&self, every_weeks: i64, rule: YearRule) -> Option<DirectPaymentTerms> {
        let form = self.money_manager.filter(|form| form.is_direct_payment())?;
        let recurring = self.recurring_annual_cost(rule).ok()?;
        let (weeks, per) = rule.weeks_in_a_year();
        let each_payment = recurring
            .times_fraction_rounding_half_up(every_weeks.checked_mul(per)?, weeks)
            .ok()?;
        Some(DirectPaymentTerms {
            form,
            needs: self.needs_met(),
            every_weeks,
            each_payment,
            one_off: self.one_off_cost(rule).ok()?,
        })
    }

    /// The plan's lines as the charging rules see them: a weekly cost for each repeating line
    /// (`PlanLine::weekly_cost` under `rule`), rounded half up. One-off items are left out:
    /// a weekly charge spread from them would go on after they were paid for.
    pub fn service_lines(&self, rule: YearRule) -> Result<Vec<ServiceLine>, MoneyError> {
        self.service_lines_on(None, rule)
    }

    /// As `service_lines`, counting on `today` the whole weeks of reablement already received
    /// since each reablement line's start date, so its free weeks run out when they should.
    pub fn service_lines_on(&self, today: Option<NaiveDate>, rule: YearRule) -> Result<Vec<ServiceLine>, MoneyError> {
        self.lines
            .iter()
            .filter(|line| line.frequency != Frequency::OneOff)
            .map(|line| {
                let weeks = match (line.reablement_start, today) {
                    (Some(start), Some(today)) if today > start => u32::try_from((today - start).num_weeks()).unwrap_or(u32::MAX),
                    _ => 0,
                };
                Ok(ServiceLine {
                    description: line.description.clone(),
                    weekly_cost: line.weekly_cost(rule)?,
                    never_charged: line.never_charged.clone(),
                    weeks_already_received: weeks,
                })
            })
            .collect()
    }
}

/// What a direct payment covers and how it is paid.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct DirectPaymentTerms {
    pub form: MoneyManager,
    /// Needs covered, by code (see `need_label`).
    pub needs: Vec<String>,
    /// Paid every this many weeks [L] (config/plans/support.toml).
    pub every_weeks: i64,
    /// Each regular payment before any contribution the person pays: the repeating lines'
    /// yearly cost × `every_weeks` / the weeks in a year, rounded half up to the penny.
    pub each_payment: Money,
    /// One-off items, paid once.
    pub one_off: Money,
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

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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
    /// The year rule the plan was last costed under. An agreed plan keeps it, so its figures stay
    /// as agreed when the council changes its rule; one still being written or decided is costed
    /// under the council's rule of the day (`year_rule_for_showing`).
    #[serde(default)]
    pub year_rule: YearRule,
}

impl SupportPlan {
    /// The rule this plan's amounts are worked out and shown under: the recorded one once it
    /// is agreed, otherwise the council's `current` rule.
    pub fn year_rule_for_showing(&self, current: YearRule) -> YearRule {
        if self.status == PlanStatus::Agreed {
            self.year_rule
        } else {
            current
        }
    }
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
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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
    /// The year rule the budget's yearly and weekly figures were agreed under [L].
    #[serde(default)]
    pub year_rule: YearRule,
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
    /// The information and advice given (s25(1)(e)).
    pub advice: String,
    pub line_description: Vec<String>,
    pub line_unit_cost: Vec<String>,
    pub line_units: Vec<String>,
    pub line_frequency: Vec<String>,
    /// Per line: the kind of support, by its id in the support catalogue. People choose this.
    pub line_support: Vec<String>,
    /// Per line: a service component code, read only where no kind of support is given (plans
    /// sent through the API before kinds existed). The pages never ask for it.
    pub line_component: Vec<String>,
    /// Per line: empty if it can be charged for, or a `NeverCharged` code.
    pub line_charging: Vec<String>,
    /// Per line: the need it meets (an outcome code, or `CARER_HEALTH`).
    pub line_meets: Vec<String>,
    /// Per line: for reablement, the day it starts, as "2026-04-06" or "6/4/2026".
    pub line_reablement_start: Vec<String>,
}

pub const MAX_LINES: usize = 12;

impl PlanInput {
    pub fn from_content(content: &PlanContent) -> PlanInput {
        let each = |value: fn(&PlanLine) -> String| content.lines.iter().map(value).collect::<Vec<_>>();
        PlanInput {
            outcomes: content.outcomes.clone(),
            risks: content.risks.clone(),
            contingency: content.contingency.clone(),
            money_manager: content.money_manager.map(|form| form.as_str().to_owned()).unwrap_or_default(),
            advice: content.advice.clone(),
            line_description: each(|line| line.description.clone()),
            line_unit_cost: each(|line| {
                let pence = line.unit_cost.pence();
                if pence % 100 == 0 {
                    (pence / 100).to_string()
                } else {
                    format!("{}.{:02}", pence / 100, pence % 100)
                }
            }),
            line_units: each(|line| line.quantity.to_string()),
            line_frequency: each(|line| line.frequency.as_str().into()),
            line_support: each(|line| line.support.clone().unwrap_or_default()),
            line_component: each(|line| line.component.as_str().into()),
            line_charging: each(|line| line.never_charged.as_ref().map(NeverCharged::code).unwrap_or_default()),
            line_meets: each(|line| line.meets.clone().unwrap_or_default()),
            line_reablement_start: each(|line| {
                line.reablement_start
                    .map(|date| date.format("%Y-%m-%d").to_string())
                    .unwrap_or_default()
            }),
        }
    }

    /// Checks the plan against the shipped support catalogue.
    pub fn parse(&self, complete: bool) -> Result<PlanContent, ValidationErrors> {
        self.parse_with(complete, SupportCatalogue::shipped())
    }

    /// Checks the plan. `complete` asks for everything a plan must have before it is submitted;
    /// a draft may be saved half-written.
    pub fn parse_with(&self, complete: bool, catalogue: &SupportCatalogue) -> Result<PlanContent, ValidationErrors> {
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
        let advice = if complete {
            required_text(
                &mut errors,
                "advice",
                "the information and advice you have been given",
                &self.advice,
            )
        } else {
            optional_text(&mut errors, "advice", "information and advice", &self.advice)
        };
        // Nothing is assumed: a plan is never sent with a form of budget the person did not choose.
        let money_manager = MoneyManager::parse(&self.money_manager);
        if money_manager.is_none() && (complete || !self.money_manager.is_empty()) {
            errors.add("money_manager", "Select who will manage the money");
        }
        let mut lines = Vec::new();
        for index in 0..self.line_description.len().min(MAX_LINES) {
            let get = |values: &Vec<String>| values.get(index).map(|value| value.trim().to_owned()).unwrap_or_default();
            let (description, cost, units, frequency, charging) = (
                get(&self.line_description),
                get(&self.line_unit_cost),
                get(&self.line_units),
                get(&self.line_frequency),
                get(&self.line_charging),
            );
            let (support, component, meets, reablement_start) = (
                get(&self.line_support),
                get(&self.line_component),
                get(&self.line_meets),
                get(&self.line_reablement_start),
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
            let quantity = units.parse::<Quantity>().unwrap_or_else(|_| {
                errors.add(
                    &field("units"),
                    format!("Enter how many for line {number}, a number from 0.01 to 10,000, like 7.5"),
                );
                Quantity::whole(1)
            });
            let frequency = Frequency::parse(&frequency).unwrap_or_else(|| {
                errors.add(&field("frequency"), format!("Select how often line {number} is paid for"));
                Frequency::Weekly
            });
            let kind = if support.is_empty() { None } else { catalogue.kind(&support) };
            let component = match (kind, ServiceComponent::parse(&component)) {
                (Some(kind), _) => kind.component,
                (None, Some(component)) if support.is_empty() => component,
                _ => {
                    if !support.is_empty() || complete {
                        errors.add(&field("support"), format!("Select what kind of support line {number} is"));
                    }
                    ServiceComponent::Other
                }
            };
            let never_charged = if charging.is_empty() {
                None
            } else {
                let found = NeverCharged::from_code(&charging);
                if found.is_none() {
                    errors.add(&field("charging"), format!("Select whether line {number} can be charged for"));
                }
                found
            };
            let meets = if meets.is_empty() {
                if complete {
                    errors.add(&field("meets"), format!("Select which need line {number} meets"));
                }
                None
            } else if need_label(&meets).is_none() {
                errors.add(&field("meets"), format!("Select which need line {number} meets"));
                None
            } else {
                Some(meets)
            };
            let reablement = kind.is_some_and(|kind| kind.reablement);
            let reablement_start = if reablement_start.is_empty() {
                if reablement && complete {
                    errors.add(
                        &field("reablement_start"),
                        format!("Enter the date reablement in line {number} starts, like 6/4/2026"),
                    );
                }
                None
            } else {
                let date = parse_typed_date(&reablement_start, &["%Y-%m-%d", "%d/%m/%Y", "%d %m %Y", "%d %B %Y"]);
                if date.is_none() {
                    errors.add(
                        &field("reablement_start"),
                        format!("Enter the date reablement in line {number} starts as a real date, like 6/4/2026"),
                    );
                }
                date.filter(|_| reablement)
            };
            lines.push(PlanLine {
                description,
                unit_cost,
                quantity,
                frequency,
                component,
                never_charged,
                support: kind.map(|kind| kind.id.clone()),
                meets,
                reablement_start,
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
            money_manager,
            advice,
        };
        if YearRule::ALL.into_iter().any(|rule| content.annual_cost(rule).is_err()) {
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
            advice: "Falls prevention classes at the leisure centre; the carers' centre's number".into(),
            line_description: vec!["Personal assistant".into(), "Gardening club".into(), String::new()],
            line_unit_cost: vec!["15.50".into(), "12".into(), String::new()],
            line_units: vec!["10".into(), "1".into(), String::new()],
            line_frequency: vec!["weekly".into(), "monthly".into(), String::new()],
            line_support: vec!["personal_assistant".into(), "getting_out".into(), String::new()],
            line_charging: vec![String::new(), "equipment".into(), String::new()],
            line_meets: vec![
                "maintaining_personal_hygiene".into(),
                "using_community_facilities_and_services".into(),
                String::new(),
            ],
            ..PlanInput::default()
        }
    }

    #[test]
    fn kinds_of_support_are_chosen_in_words_and_carry_their_code() {
        let content = input().parse(true).unwrap();
        assert_eq!(content.lines[0].component, ServiceComponent::DirectPayment);
        assert_eq!(content.lines[0].support.as_deref(), Some("personal_assistant"));
        let mut unknown = input();
        unknown.line_support[0] = "home_care".into();
        assert!(unknown.parse(false).unwrap_err().message_for("line_support_1").is_some());
        let mut none = input();
        none.line_support[0] = String::new();
        assert_eq!(
            none.parse(true).unwrap_err().message_for("line_support_1"),
            Some("Select what kind of support line 1 is")
        );
    }

    #[test]
    fn every_line_says_which_need_it_meets_before_the_plan_is_sent() {
        let mut missing = input();
        missing.line_meets[1] = String::new();
        assert!(missing.parse(true).unwrap_err().message_for("line_meets_2").is_some());
        assert!(missing.parse(false).is_ok());
        let content = input().parse(true).unwrap();
        assert_eq!(
            content.needs_met(),
            vec!["maintaining_personal_hygiene", "using_community_facilities_and_services"]
        );
    }

    #[test]
    fn lines_kept_as_json_before_fractions_read_their_whole_units() {
        let old = r#"{"description":"Personal assistant","unit_cost":1550,"units":6,"frequency":"weekly","component":"direct_payment"}"#;
        let line: PlanLine = serde_json::from_str(old).unwrap();
        assert_eq!(line.quantity, Quantity::whole(6));
        let again: PlanLine = serde_json::from_str(&serde_json::to_string(&line).unwrap()).unwrap();
        assert_eq!(again, line);
    }

    #[test]
    fn who_manages_the_money_is_never_assumed() {
        let mut unchosen = input();
        unchosen.money_manager = String::new();
        assert_eq!(
            unchosen.parse(true).unwrap_err().message_for("money_manager"),
            Some("Select who will manage the money")
        );
        let draft = unchosen.parse(false).unwrap();
        assert_eq!(draft.money_manager, None);
        assert_eq!(PlanInput::from_content(&draft).money_manager, "");
    }

    #[test]
    fn fractional_hours_and_a_one_off_item_are_costed_as_written() {
        let mut plan = input();
        plan.line_units[0] = "7.5".into();
        plan.line_description.push("Shower chair".into());
        plan.line_unit_cost.push("85".into());
        plan.line_units.push("1".into());
        plan.line_frequency.push("one_off".into());
        plan.line_support.push("equipment".into());
        plan.line_charging.push("equipment".into());
        plan.line_meets.push("maintaining_personal_hygiene".into());
        let content = plan.parse(true).unwrap();
        // £15.50 × 7.5 × 52 = £6,045; £12 × 12 = £144; the chair once: £85.
        assert_eq!(
            content.lines[0].annual_cost(YearRule::FiftyTwoWeeks),
            Ok(Money::from_pence(604_500))
        );
        assert_eq!(
            content.recurring_annual_cost(YearRule::FiftyTwoWeeks),
            Ok(Money::from_pence(618_900))
        );
        assert_eq!(content.one_off_cost(YearRule::FiftyTwoWeeks), Ok(Money::from_pence(8_500)));
        assert_eq!(content.annual_cost(YearRule::FiftyTwoWeeks), Ok(Money::from_pence(627_400)));
        assert!(content.lines[2].working(YearRule::FiftyTwoWeeks).contains("counted once"));
        // The one-off is never spread into a weekly charge.
        assert_eq!(content.service_lines(YearRule::FiftyTwoWeeks).unwrap().len(), 2);
        // Direct payments every 4 weeks: £6,189 × 4 / 52 = £476.0769..., so £476.08.
        let terms = content.direct_payment(4, YearRule::FiftyTwoWeeks).unwrap();
        assert_eq!(terms.each_payment, Money::from_pence(47_608));
        assert_eq!(terms.one_off, Money::from_pence(8_500));
        assert_eq!(PlanInput::from_content(&content).line_units[0], "7.5");
    }

    #[test]
    fn reablement_needs_its_start_date_and_counts_the_weeks_received() {
        let mut plan = input();
        plan.line_support[0] = "reablement".into();
        assert!(plan.parse(true).unwrap_err().message_for("line_reablement_start_1").is_some());
        plan.line_reablement_start = vec!["6/4/2026".into()];
        let content = plan.parse(true).unwrap();
        assert_eq!(content.lines[0].reablement_start, NaiveDate::from_ymd_opt(2026, 4, 6));
        let weeks = |today| {
            content
                .service_lines_on(NaiveDate::from_ymd_opt(2026, 5, today), YearRule::FiftyTwoWeeks)
                .unwrap()[0]
                .weeks_already_received
        };
        // 6 April to 24 May is 48 days: 6 whole weeks; to 17 May, 5.
        assert_eq!(weeks(24), 6);
        assert_eq!(weeks(17), 5);
        assert_eq!(content.service_lines(YearRule::FiftyTwoWeeks).unwrap()[0].weeks_already_received, 0);
    }

    #[test]
    fn only_direct_payment_forms_have_payment_terms() {
        let mut plan = input().parse(true).unwrap();
        for form in MoneyManager::ALL {
            plan.money_manager = Some(*form);
            assert_eq!(plan.direct_payment(4, YearRule::FiftyTwoWeeks).is_some(), form.is_direct_payment());
        }
        plan.money_manager = None;
        assert!(plan.direct_payment(4, YearRule::FiftyTwoWeeks).is_none());
    }

    proptest::proptest! {
        #[test]
        fn plan_arithmetic_never_panics_and_counts_one_offs_once(
            pence in proptest::prelude::any::<i64>(),
            hundredths in 1_i64..=1_000_000,
            frequency in 0_usize..7,
        ) {
            let line = PlanLine {
                description: "Support".into(),
                unit_cost: Money::from_pence(pence),
                quantity: Quantity::from_hundredths(hundredths),
                frequency: Frequency::ALL[frequency],
                component: ServiceComponent::Other,
                never_charged: None,
                support: None,
                meets: None,
                reablement_start: None,
            };
            let each = line.cost_each_time();
            let annual = line.annual_cost(YearRule::FiftyTwoWeeks);
            if line.frequency == Frequency::OneOff {
                proptest::prop_assert_eq!(&annual, &each);
                proptest::prop_assert_eq!(line.recurring_annual_cost(YearRule::FiftyTwoWeeks), Ok(Money::ZERO));
            }
            if let (Ok(each), Ok(annual)) = (each, annual) {
                // Worked out exactly then rounded once: within half a penny a time of each × times.
                let (times, per) = line.frequency.per_year(YearRule::FiftyTwoWeeks);
                let spread = i128::from(annual.pence()) * i128::from(per) - i128::from(each.pence()) * i128::from(times);
                proptest::prop_assert!(spread.abs() * 2 <= i128::from(times) + i128::from(per));
            }
            let _ = line.working(YearRule::FiftyTwoWeeks);
        }
    }

    #[test]
    fn a_line_marked_never_charged_keeps_its_cost_but_not_its_charge() {
        let content = input().parse(true).unwrap();
        assert_eq!(content.lines[1].never_charged, Some(NeverCharged::EquipmentOrMinorAdaptation));
        let services = content.service_lines(YearRule::FiftyTwoWeeks).unwrap();
        // £12 a month is £144 a year: £2.769 a week, so £2.77 to the nearest penny.
        assert_eq!(services[1].weekly_cost, Money::from_pence(277));
        let mut wrong = input();
        wrong.line_charging[1] = "free".into();
        assert!(wrong.parse(true).unwrap_err().message_for("line_charging_2").is_some());
    }

    #[test]
    fn a_council_on_52_weeks_and_a_day_costs_weekly_lines_over_365_days() {
        let rule = YearRule::FiftyTwoWeeksAndADay;
        let content = input().parse(true).unwrap();
        // £15.50 × 10 × 365 / 7 = £8,082.142857...: £8,082.14; £12 × 12 = £144 either way.
        assert_eq!(content.lines[0].annual_cost(rule), Ok(Money::from_pence(808_214)));
        assert_eq!(content.annual_cost(rule), Ok(Money::from_pence(822_614)));
        assert!(content.lines[0].working(rule).contains("365/7 (52 and 1/7) times a year"));
        // A weekly line is charged at its own weekly cost; £144 a year is £144 × 7 / 365 a week: £2.76.
        let services = content.service_lines(rule).unwrap();
        assert_eq!(services[0].weekly_cost, Money::from_pence(15_500));
        assert_eq!(services[1].weekly_cost, Money::from_pence(276));
        assert_eq!(Frequency::Fortnightly.per_year(rule), (365, 14));
        assert_eq!(Frequency::Fortnightly.per_year(YearRule::FiftyTwoWeeks), (26, 1));
        assert_eq!(Frequency::FourWeekly.per_year(YearRule::AverageYear), (1461, 112));
    }

    #[test]
    fn an_agreed_plan_keeps_the_rule_it_was_agreed_under() {
        let now = Utc::now();
        let mut plan = SupportPlan {
            id: PlanId::generate(),
            person_id: PersonId::generate(),
            allocation_id: AllocationId::generate(),
            status: PlanStatus::Agreed,
            content: input().parse(true).unwrap(),
            written_by: Vec::new(),
            decisions: Vec::new(),
            created_at: now,
            updated_at: now,
            version: 1,
            year_rule: YearRule::FiftyTwoWeeks,
        };
        assert_eq!(plan.year_rule_for_showing(YearRule::FiftyTwoWeeksAndADay), YearRule::FiftyTwoWeeks);
        plan.status = PlanStatus::Drafting;
        assert_eq!(
            plan.year_rule_for_showing(YearRule::FiftyTwoWeeksAndADay),
            YearRule::FiftyTwoWeeksAndADay
        );
    }

    #[test]
    fn a_plan_costs_its_lines_over_a_year() {
        let content = input().parse(true).unwrap();
        // £15.50 × 10 × 52 = £8,060; £12 × 12 = £144.
        assert_eq!(content.annual_cost(YearRule::FiftyTwoWeeks).unwrap(), Money::from_pence(820_400));
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
