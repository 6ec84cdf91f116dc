//! Financial assessment for care at home and in the community (non-residential charging):
//! what a person pays each week towards their care, with every line of the working shown.
//!
//! The rates are dated tables a council updates each April (docs/charging.md), following the
//! Care and Support (Charging and Assessment of Resources) Regulations 2014 and the yearly
//! LAC(DHSC) circular: capital limits, tariff income, the Minimum Income Guarantee (MIG), the
//! income a council chooses to leave out, and its own list of free services. The table in force on
//! the assessment date is the one used, so an earlier year can be recalculated with its own table.
//!
//! The rule the whole module keeps: nobody pays more than the weekly cost of the services they can
//! be charged for, nor more than they can afford after the guarantee, housing costs and the extra
//! costs of disability. Someone who declines a financial assessment, or whose capital is above the
//! upper limit (not at it: Care Act s18(2) says "at or below the financial limit"), pays the full
//! cost of the chargeable services only.
//!
//! [U] Figures and rules that are not in our verified sources are marked [U] in the shipped tables
//! and in docs/charging.md: the MIG for couples, lone parents, children, carers and people over
//! pension credit age; the disregards other than earnings; the pension credit age itself.
//!
//! Long because the rate tables' format, their checks and the calculation are one unit, each
//! line of working written beside the rule that makes it; the tests are in `charging/tests.rs`.

use crate::config_file::{self, at, ConfigError};
use crate::money::{Money, MoneyError};
use crate::people::{age_on, labelled_enum};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use thiserror::Error;
use toml::Spanned;

mod input;
pub use input::{FinancialInput, MAX_FINANCIAL_LINES};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RatesFile {
    version: Spanned<i64>,
    effective_from: Spanned<toml::value::Datetime>,
    upper_capital_limit_pence: i64,
    lower_capital_limit_pence: i64,
    tariff_step_pence: Spanned<i64>,
    tariff_weekly_pence_per_step: i64,
    contribution_basis: Spanned<String>,
    #[serde(default)]
    weekly_maximum_contribution_pence: Option<i64>,
    #[serde(default = "default_pension_credit_age")]
    pension_credit_age_years: u32,
    #[serde(default = "default_reablement_free_weeks")]
    reablement_free_weeks: u32,
    minimum_income_guarantee: MinimumIncomeGuarantee,
    #[serde(default)]
    income_disregards: Option<Spanned<BTreeMap<String, toml::Value>>>,
    #[serde(default)]
    council_free_services: BTreeMap<String, String>,
}

fn default_pension_credit_age() -> u32 {
    66
}

fn default_reablement_free_weeks() -> u32 {
    6
}

/// Weekly Minimum Income Guarantee amounts, in pence. Tables written before households were
/// itemised hold only the single person's figures; asking them for a couple's is an error rather
/// than a guess, because a guessed guarantee could over-charge.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MinimumIncomeGuarantee {
    pub single_18_to_24: i64,
    pub single_25_to_pension_age: i64,
    #[serde(alias = "pension_age")]
    pub single_pension_age: i64,
    #[serde(default)]
    pub lone_parent: Option<i64>,
    #[serde(default)]
    pub couple_each_under_pension_age: Option<i64>,
    #[serde(default)]
    pub couple_each_pension_age: Option<i64>,
    #[serde(default)]
    pub dependent_child: Option<i64>,
    pub disability_premium: i64,
    #[serde(default)]
    pub disability_premium_couple_each: Option<i64>,
    pub enhanced_disability_premium: i64,
    #[serde(default)]
    pub enhanced_disability_premium_couple_each: Option<i64>,
    #[serde(default)]
    pub carer_premium: Option<i64>,
}

/// How the council collects the contribution.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ContributionBasis {
    /// The council pays the budget less the contribution; the person pays their part in.
    Net,
    /// The council pays the whole budget and bills the person for their contribution.
    Gross,
}

/// How much of a kind of income is left out of the assessment.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Disregard {
    All,
    /// Up to this much a week is left out; the rest counts.
    UpTo(Money),
}

labelled_enum!(
    /// Where a line of weekly income comes from. The kind decides whether it counts.
    IncomeSource {
        Earnings => ("earnings", "Earnings from work"),
        PersonalIndependencePaymentDailyLiving => ("personal_independence_payment_daily_living", "Personal Independence Payment (daily living)"),
        PersonalIndependencePaymentMobility => ("personal_independence_payment_mobility", "Personal Independence Payment (mobility)"),
        DisabilityLivingAllowanceCare => ("disability_living_allowance_care", "Disability Living Allowance (care)"),
        DisabilityLivingAllowanceMobility => ("disability_living_allowance_mobility", "Disability Living Allowance (mobility)"),
        AttendanceAllowance => ("attendance_allowance", "Attendance Allowance"),
        StatePension => ("state_pension", "State Pension"),
        PensionCredit => ("pension_credit", "Pension Credit"),
        PrivatePension => ("private_pension", "Work or private pension"),
        UniversalCredit => ("universal_credit", "Universal Credit"),
        EmploymentAndSupportAllowance => ("employment_and_support_allowance", "Employment and Support Allowance"),
        IncomeSupport => ("income_support", "Income Support"),
        CarersAllowance => ("carers_allowance", "Carer's Allowance"),
        HousingBenefit => ("housing_benefit", "Housing Benefit"),
        CouncilTaxReduction => ("council_tax_reduction", "Council Tax Reduction"),
        ChildBenefit => ("child_benefit", "Child Benefit"),
        ChildTaxCredit => ("child_tax_credit", "Child Tax Credit"),
        WarDisablementPension => ("war_disablement_pension", "War Disablement Pension"),
        ArmedForcesIndependencePayment => ("armed_forces_independence_payment", "Armed Forces Independence Payment"),
        WinterFuelPayment => ("winter_fuel_payment", "Winter Fuel Payment"),
        Other => ("other", "Other income"),
    }
);

impl IncomeSource {
    /// Left out by law whatever a council's table says: earnings (Charging Regulations; domain
    /// rules N20) and the mobility parts of PIP and DLA, which pay for getting about, not care.
    pub fn disregarded_by_law(self) -> bool {
        matches!(
            self,
            IncomeSource::Earnings | IncomeSource::PersonalIndependencePaymentMobility | IncomeSource::DisabilityLivingAllowanceMobility
        )
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChargingRates {
    pub version: i64,
    pub effective_from: NaiveDate,
    pub upper_capital_limit: Money,
    pub lower_capital_limit: Money,
    pub tariff_step: Money,
    pub tariff_weekly_per_step: Money,
    pub contribution_basis: ContributionBasis,
    pub weekly_maximum_contribution: Option<Money>,
    /// [U] The age the higher guarantee starts: pension credit qualifying age, which follows
    /// State Pension age and is rising from 66 to 67 between 2026 and 2028.
    pub pension_credit_age_years: u32,
    /// [L] Reablement and intermediate care are free for at least this many weeks.
    pub reablement_free_weeks: u32,
    pub minimum_income_guarantee: MinimumIncomeGuarantee,
    /// Income the council leaves out beyond what the law requires ([U] each, see the table).
    pub income_disregards: BTreeMap<IncomeSource, Disregard>,
    /// [L] Services the council chooses never to charge for: id and the words a person reads.
    pub council_free_services: BTreeMap<String, String>,
}

impl ChargingRates {
    pub fn parse(text: &str) -> Result<ChargingRates, ConfigError> {
        let file: RatesFile = config_file::parse(text)?;
        let datetime = file.effective_from.get_ref();
        let effective_from = match (datetime.date, datetime.time) {
            (Some(day), None) => NaiveDate::from_ymd_opt(i32::from(day.year), u32::from(day.month), u32::from(day.day)),
            _ => None,
        }
        .ok_or_else(|| at(text, &file.effective_from, "effective_from must be a date like 2026-04-06"))?;
        if *file.version.get_ref() < 1 {
            return Err(at(text, &file.version, "version must be 1 or more"));
        }
        if file.lower_capital_limit_pence > file.upper_capital_limit_pence || file.lower_capital_limit_pence < 0 {
            return Err(ConfigError {
                line: None,
                reason: "lower_capital_limit_pence must be between 0 and upper_capital_limit_pence".into(),
            });
        }
        if *file.tariff_step_pence.get_ref() <= 0 {
            return Err(at(text, &file.tariff_step_pence, "tariff_step_pence must be more than zero"));
        }
        if file.tariff_weekly_pence_per_step < 0 || file.weekly_maximum_contribution_pence.is_some_and(|maximum| maximum < 0) {
            return Err(ConfigError {
                line: None,
                reason: "tariff_weekly_pence_per_step and weekly_maximum_contribution_pence cannot be negative".into(),
            });
        }
        if !(18..=80).contains(&file.pension_credit_age_years) {
            return Err(ConfigError {
                line: None,
                reason: "pension_credit_age_years must be a whole number of years between 18 and 80".into(),
            });
        }
        let guarantee = &file.minimum_income_guarantee;
        let amounts = [
            Some(guarantee.single_18_to_24),
            Some(guarantee.single_25_to_pension_age),
            Some(guarantee.single_pension_age),
            guarantee.lone_parent,
            guarantee.couple_each_under_pension_age,
            guarantee.couple_each_pension_age,
            guarantee.dependent_child,
            Some(guarantee.disability_premium),
            guarantee.disability_premium_couple_each,
            Some(guarantee.enhanced_disability_premium),
            guarantee.enhanced_disability_premium_couple_each,
            guarantee.carer_premium,
        ];
        if amounts.into_iter().flatten().any(|amount| amount < 0) {
            return Err(ConfigError {
                line: None,
                reason: "amounts in [minimum_income_guarantee] cannot be negative".into(),
            });
        }
        let contribution_basis = match file.contribution_basis.get_ref().as_str() {
            "net" => ContributionBasis::Net,
            "gross" => ContributionBasis::Gross,
            _ => {
                return Err(at(
                    text,
                    &file.contribution_basis,
                    "contribution_basis must be \"net\" or \"gross\"",
                ))
            }
        };
        let mut income_disregards = BTreeMap::new();
        let disregards = file.income_disregards.unwrap_or_else(|| Spanned::new(0..0, BTreeMap::new()));
        for (kind, value) in disregards.get_ref() {
            let refuse = |reason: String| at(text, &disregards, reason);
            let source = IncomeSource::parse(kind).ok_or_else(|| {
                refuse(format!(
                    "{kind:?} in [income_disregards] is not a kind of income Tailor knows (see docs/charging.md)"
                ))
            })?;
            let disregard = match value {
                toml::Value::String(word) if word == "all" => Disregard::All,
                toml::Value::Integer(pence) if *pence >= 0 => Disregard::UpTo(Money::from_pence(*pence)),
                _ => {
                    return Err(refuse(format!(
                        "{kind} in [income_disregards] must be \"all\" or a weekly amount in pence"
                    )))
                }
            };
            // A table that counted income the law leaves out would over-charge: refuse it.
            if source.disregarded_by_law() && disregard != Disregard::All {
                return Err(refuse(format!("{kind} must be \"all\": the law says it is never counted")));
            }
            income_disregards.insert(source, disregard);
        }
        Ok(ChargingRates {
            version: *file.version.get_ref(),
            effective_from,
            upper_capital_limit: Money::from_pence(file.upper_capital_limit_pence),
            lower_capital_limit: Money::from_pence(file.lower_capital_limit_pence),
            tariff_step: Money::from_pence(*file.tariff_step_pence.get_ref()),
            tariff_weekly_per_step: Money::from_pence(file.tariff_weekly_pence_per_step),
            contribution_basis,
            weekly_maximum_contribution: file.weekly_maximum_contribution_pence.map(Money::from_pence),
            pension_credit_age_years: file.pension_credit_age_years,
            reablement_free_weeks: file.reablement_free_weeks,
            minimum_income_guarantee: file.minimum_income_guarantee,
            income_disregards,
            council_free_services: file.council_free_services,
        })
    }

    /// How much of a week's income of this kind is left out.
    pub fn disregard_for(&self, source: IncomeSource) -> Option<Disregard> {
        if source.disregarded_by_law() {
            return Some(Disregard::All);
        }
        self.income_disregards.get(&source).copied()
    }
}

/// The table in force on a day: the latest `effective_from` on or before it (the highest version
/// where two start the same day).
pub fn rates_in_force(tables: &[ChargingRates], on: NaiveDate) -> Option<&ChargingRates> {
    tables
        .iter()
        .filter(|table| table.effective_from <= on)
        .max_by_key(|table| (table.effective_from, table.version))
}

/// The age bands of the guarantee, worked out from dates, never typed.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AgeGroup {
    From18To24,
    From25ToPensionAge,
    PensionAge,
}

impl AgeGroup {
    pub fn on(date_of_birth: NaiveDate, assessment_date: NaiveDate, pension_credit_age_years: u32) -> Option<AgeGroup> {
        let age = age_on(date_of_birth, assessment_date);
        match age {
            _ if age < 18 => None,
            _ if age < 25 => Some(AgeGroup::From18To24),
            _ if age < pension_credit_age_years => Some(AgeGroup::From25ToPensionAge),
            _ => Some(AgeGroup::PensionAge),
        }
    }

    fn words(self) -> &'static str {
        match self {
            AgeGroup::From18To24 => "aged 18 to 24",
            AgeGroup::From25ToPensionAge => "aged 25 to pension age",
            AgeGroup::PensionAge => "over pension age",
        }
    }
}

labelled_enum!(
    /// Who the guarantee is worked out for.
    Household {
        Single => ("single", "Single, with no children living with them"),
        Couple => ("couple", "Part of a couple (the guarantee is for each of them)"),
        LoneParent => ("lone_parent", "A lone parent with children living with them"),
    }
);

/// One kind of income and how much of it arrives each week.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct IncomeLine {
    pub source: IncomeSource,
    pub weekly: Money,
}

/// A weekly cost with what it is for.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CostLine {
    pub description: String,
    pub weekly: Money,
}

/// A weekly extra cost of disability, with what shows it is spent (receipts, bills, a quote).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExpenditureLine {
    pub description: String,
    pub weekly: Money,
    pub evidence: String,
}

/// What the financial assessment found, weekly unless it says otherwise.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(from = "StoredCircumstances")]
pub struct FinancialCircumstances {
    pub declined: bool,
    /// The person's date of birth, from their record.
    pub date_of_birth: Option<NaiveDate>,
    pub assessment_date: Option<NaiveDate>,
    pub household: Household,
    pub partner_date_of_birth: Option<NaiveDate>,
    pub dependent_children: u32,
    pub disability_premium: bool,
    pub enhanced_disability_premium: bool,
    pub carer_premium: bool,
    /// The person's own income, itemised; a couple's joint income is entered as the person's half.
    pub income: Vec<IncomeLine>,
    /// Savings and investments in the person's own name, not counting the home they live in.
    pub capital: Money,
    /// Savings held jointly: the person is treated as owning half [U].
    pub joint_capital: Money,
    pub housing_costs: Vec<CostLine>,
    pub disability_related_expenditure: Vec<ExpenditureLine>,
    /// Only on assessments recorded before the age band was worked out from dates.
    pub recorded_age_group: Option<AgeGroup>,
}

/// The stored JSON, old shape or new: assessments recorded before income was itemised had one
/// income figure, one housing figure and one disability-costs figure, and a typed age group.
#[derive(Deserialize)]
struct StoredCircumstances {
    #[serde(default)]
    declined: bool,
    #[serde(default)]
    date_of_birth: Option<NaiveDate>,
    #[serde(default)]
    assessment_date: Option<NaiveDate>,
    #[serde(default)]
    household: Option<Household>,
    #[serde(default)]
    partner_date_of_birth: Option<NaiveDate>,
    #[serde(default)]
    dependent_children: u32,
    #[serde(default)]
    disability_premium: bool,
    #[serde(default)]
    enhanced_disability_premium: bool,
    #[serde(default)]
    carer_premium: bool,
    #[serde(default)]
    income: Vec<IncomeLine>,
    #[serde(default)]
    capital: Money,
    #[serde(default)]
    joint_capital: Money,
    #[serde(default)]
    housing_costs: Vec<CostLine>,
    #[serde(default)]
    disability_related_expenditure: Vec<ExpenditureLine>,
    #[serde(default)]
    recorded_age_group: Option<AgeGroup>,
    #[serde(default)]
    age_group: Option<AgeGroup>,
    #[serde(default)]
    weekly_income: Option<Money>,
    #[serde(default)]
    weekly_housing_costs: Option<Money>,
    #[serde(default)]
    weekly_disability_related_expenditure: Option<Money>,
}

impl From<StoredCircumstances> for FinancialCircumstances {
    fn from(stored: StoredCircumstances) -> Self {
        let mut income = stored.income;
        if let Some(weekly) = stored.weekly_income.filter(|amount| *amount != Money::ZERO) {
            income.push(IncomeLine {
                source: IncomeSource::Other,
                weekly,
            });
        }
        let mut housing_costs = stored.housing_costs;
        if let Some(weekly) = stored.weekly_housing_costs.filter(|amount| *amount != Money::ZERO) {
            housing_costs.push(CostLine {
                description: "Housing costs (recorded as one figure)".into(),
                weekly,
            });
        }
        let mut disability_related_expenditure = stored.disability_related_expenditure;
        if let Some(weekly) = stored.weekly_disability_related_expenditure.filter(|amount| *amount != Money::ZERO) {
            disability_related_expenditure.push(ExpenditureLine {
                description: "Extra costs of disability (recorded as one figure)".into(),
                weekly,
                evidence: "Recorded before evidence was itemised".into(),
            });
        }
        FinancialCircumstances {
            declined: stored.declined,
            date_of_birth: stored.date_of_birth,
            assessment_date: stored.assessment_date,
            household: stored.household.unwrap_or(Household::Single),
            partner_date_of_birth: stored.partner_date_of_birth,
            dependent_children: stored.dependent_children,
            disability_premium: stored.disability_premium,
            enhanced_disability_premium: stored.enhanced_disability_premium,
            carer_premium: stored.carer_premium,
            income,
            capital: stored.capital,
            joint_capital: stored.joint_capital,
            housing_costs,
            disability_related_expenditure,
            recorded_age_group: stored.recorded_age_group.or(stored.age_group),
        }
    }
}

impl FinancialCircumstances {
    /// Someone who declined: nothing else is needed, and they pay the full chargeable cost.
    pub fn declined() -> FinancialCircumstances {
        FinancialCircumstances {
            declined: true,
            date_of_birth: None,
            assessment_date: None,
            household: Household::Single,
            partner_date_of_birth: None,
            dependent_children: 0,
            disability_premium: false,
            enhanced_disability_premium: false,
            carer_premium: false,
            income: Vec::new(),
            capital: Money::ZERO,
            joint_capital: Money::ZERO,
            housing_costs: Vec::new(),
            disability_related_expenditure: Vec::new(),
            recorded_age_group: None,
        }
    }
}

/// Why a service is never charged for.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NeverCharged {
    /// Reablement or intermediate care, free by law for its first weeks (six, or longer if the
    /// council chooses: `reablement_free_weeks`).
    ReablementOrIntermediateCare,
    /// Aftercare under section 117 of the Mental Health Act 1983.
    MentalHealthAftercare,
    /// Equipment and minor adaptations (the regulations' limit is £1,000 each [U]).
    EquipmentOrMinorAdaptation,
    /// Support in a carer's plan that is given to the person they care for, such as replacement
    /// care while the carer has a break: it is not the carer's to pay for [U].
    CarerSupportForCaredForPerson,
    /// On the council's own list of free services, by its id there.
    CouncilFreeService(String),
}

impl NeverCharged {
    /// The stable code a form or a means file uses; a council's own free service is `council:<id>`.
    pub fn code(&self) -> String {
        match self {
            NeverCharged::ReablementOrIntermediateCare => "reablement".into(),
            NeverCharged::MentalHealthAftercare => "mental_health_aftercare".into(),
            NeverCharged::EquipmentOrMinorAdaptation => "equipment".into(),
            NeverCharged::CarerSupportForCaredForPerson => "carer_support_for_cared_for_person".into(),
            NeverCharged::CouncilFreeService(id) => format!("council:{id}"),
        }
    }

    pub fn from_code(code: &str) -> Option<NeverCharged> {
        match code {
            "reablement" => Some(NeverCharged::ReablementOrIntermediateCare),
            "mental_health_aftercare" => Some(NeverCharged::MentalHealthAftercare),
            "equipment" => Some(NeverCharged::EquipmentOrMinorAdaptation),
            "carer_support_for_cared_for_person" => Some(NeverCharged::CarerSupportForCaredForPerson),
            _ => code
                .strip_prefix("council:")
                .filter(|id| !id.trim().is_empty())
                .map(|id| NeverCharged::CouncilFreeService(id.to_owned())),
        }
    }

    /// The choices a form offers, with the words a person reads.
    pub const CHOICES: [(&'static str, &'static str); 5] = [
        ("", "Yes, it can be charged for"),
        ("reablement", "No: reablement or intermediate care"),
        ("mental_health_aftercare", "No: mental health aftercare (section 117)"),
        ("equipment", "No: equipment or a minor adaptation"),
        (
            "carer_support_for_cared_for_person",
            "No: support for the person a carer looks after",
        ),
    ];
}

/// A service whose cost the charge may be worked out on.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceLine {
    pub description: String,
    pub weekly_cost: Money,
    #[serde(default)]
    pub never_charged: Option<NeverCharged>,
    /// For reablement: weeks already received before this week.
    #[serde(default)]
    pub weeks_already_received: u32,
}

/// A line of the working: what it is, and the weekly amount it adds or takes away.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkingLine {
    pub label: String,
    pub weekly: Money,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Contribution {
    pub weekly: Money,
    pub working: Vec<WorkingLine>,
    /// Why the result is what it is, in a sentence.
    pub explanation: String,
    pub rates_version: i64,
    /// The weekly cost of the services that can be charged for: the most anyone pays.
    #[serde(default)]
    pub chargeable_weekly_cost: Money,
    /// Each service, and whether it can be charged for.
    #[serde(default)]
    pub services: Vec<WorkingLine>,
}

#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum ChargingError {
    #[error("the amounts are too large to work with")]
    Money(#[from] MoneyError),
    #[error("the charging table has no {0}: load a table that has it")]
    MissingRate(&'static str),
    #[error("the date of birth and the assessment date are needed to work out the age band")]
    MissingDates,
    #[error("a financial assessment under these rules is for people aged 18 or over")]
    UnderEighteen,
    #[error("{0:?} is not on the council's list of free services")]
    UnknownFreeService(String),
    #[error("amounts cannot be negative: {0}")]
    Negative(String),
}

/// The weekly charge for the services in `services`, worked out with `rates`.
pub fn weekly_contribution(
    rates: &ChargingRates,
    circumstances: &FinancialCircumstances,
    services: &[ServiceLine],
) -> Result<Contribution, ChargingError> {
    let (chargeable, service_working) = chargeable_cost(rates, services)?;
    let finish = |weekly: Money, working: Vec<WorkingLine>, explanation: String| Contribution {
        weekly,
        working,
        explanation,
        rates_version: rates.version,
        chargeable_weekly_cost: chargeable,
        services: service_working.clone(),
    };
    let chargeable_line = WorkingLine {
        label: "Weekly cost of the services you can be charged for".into(),
        weekly: chargeable,
    };
    if circumstances.declined {
        return Ok(finish(
            chargeable,
            vec![chargeable_line],
            "You chose not to have a financial assessment, so you pay the full cost of the services you can be charged for.".into(),
        ));
    }
    let mut working = Vec::new();
    let mut counted_income = Money::ZERO;
    for line in &circumstances.income {
        if line.weekly.is_negative() {
            return Err(ChargingError::Negative(line.source.label().into()));
        }
        let left_out = match rates.disregard_for(line.source) {
            Some(Disregard::All) => line.weekly,
            Some(Disregard::UpTo(limit)) => line.weekly.min(limit),
            None => Money::ZERO,
        };
        let counted = line.weekly.checked_sub(left_out)?;
        let label = if counted == Money::ZERO {
            format!("{}: {} a week, not counted", line.source.label(), line.weekly)
        } else if left_out == Money::ZERO {
            format!("{}: counted in full", line.source.label())
        } else {
            format!(
                "{}: {} a week, of which {} is not counted",
                line.source.label(),
                line.weekly,
                left_out
            )
        };
        working.push(WorkingLine { label, weekly: counted });
        counted_income = counted_income.checked_add(counted)?;
    }
    if circumstances.capital.is_negative() || circumstances.joint_capital.is_negative() {
        return Err(ChargingError::Negative("savings".into()));
    }
    let capital = circumstances
        .capital
        .checked_add(Money::from_pence(circumstances.joint_capital.pence() / 2))?;
    if capital > rates.upper_capital_limit {
        working.push(WorkingLine {
            label: format!("Savings counted: {capital}, which is more than {}", rates.upper_capital_limit),
            weekly: Money::ZERO,
        });
        working.push(chargeable_line);
        return Ok(finish(
            chargeable,
            working,
            format!(
                "Your savings are more than {}, so you pay the full cost of the services you can be charged for.",
                rates.upper_capital_limit
            ),
        ));
    }
    let tariff = tariff_income(rates, capital)?;
    working.push(WorkingLine {
        label: format!(
            "Tariff income from savings of {capital}: {} a week for each {}, or part of {}, over {}",
            rates.tariff_weekly_per_step, rates.tariff_step, rates.tariff_step, rates.lower_capital_limit
        ),
        weekly: tariff,
    });
    let guarantee = minimum_income_guarantee(rates, circumstances)?;
    let mut guarantee_total = Money::ZERO;
    for line in &guarantee {
        guarantee_total = guarantee_total.checked_add(line.weekly)?;
    }
    working.extend(guarantee);
    let mut housing_total = Money::ZERO;
    for line in &circumstances.housing_costs {
        if line.weekly.is_negative() {
            return Err(ChargingError::Negative(line.description.clone()));
        }
        housing_total = housing_total.checked_add(line.weekly)?;
        working.push(WorkingLine {
            label: format!("Less housing costs: {}", line.description),
            weekly: line.weekly,
        });
    }
    let mut expenditure_total = Money::ZERO;
    for line in &circumstances.disability_related_expenditure {
        if line.weekly.is_negative() {
            return Err(ChargingError::Negative(line.description.clone()));
        }
        expenditure_total = expenditure_total.checked_add(line.weekly)?;
        working.push(WorkingLine {
            label: format!(
                "Less an extra cost of disability: {} (shown by: {})",
                line.description, line.evidence
            ),
            weekly: line.weekly,
        });
    }
    let available = counted_income
        .checked_add(tariff)?
        .checked_sub(housing_total)?
        .checked_sub(guarantee_total)?
        .checked_sub(expenditure_total)?
        .max(Money::ZERO);
    working.push(WorkingLine {
        label: "Leaves an amount you can afford each week".into(),
        weekly: available,
    });
    working.push(chargeable_line);
    let mut weekly = available.min(chargeable);
    let mut explanation = if chargeable == Money::ZERO {
        "None of your services can be charged for, so you pay nothing.".to_owned()
    } else if available >= chargeable {
        "You can afford the full weekly cost of the services you can be charged for, so that is what you pay.".to_owned()
    } else if available == Money::ZERO {
        "After your living costs, there is nothing left to pay towards your care, so you pay nothing.".to_owned()
    } else {
        "You pay what you can afford, which is less than the cost of your care.".to_owned()
    };
    if let Some(maximum) = rates.weekly_maximum_contribution {
        if weekly > maximum {
            weekly = maximum;
            explanation = format!("The council never asks anyone to pay more than {maximum} a week.");
        }
    }
    Ok(finish(weekly, working, explanation))
}

/// £1 a week for each £250, or part of £250, above the lower limit, up to and including the upper.
pub fn tariff_income(rates: &ChargingRates, capital: Money) -> Result<Money, MoneyError> {
    if capital <= rates.lower_capital_limit {
        return Ok(Money::ZERO);
    }
    let counted = capital.min(rates.upper_capital_limit);
    let above = counted.checked_sub(rates.lower_capital_limit)?.pence();
    let step = rates.tariff_step.pence();
    let steps = above / step + i64::from(above % step != 0);
    rates.tariff_weekly_per_step.checked_mul(steps)
}

/// The cost of the services that can be charged for, and a line for every service.
fn chargeable_cost(rates: &ChargingRates, services: &[ServiceLine]) -> Result<(Money, Vec<WorkingLine>), ChargingError> {
    let mut total = Money::ZERO;
    let mut working = Vec::new();
    for service in services {
        if service.weekly_cost.is_negative() {
            return Err(ChargingError::Negative(service.description.clone()));
        }
        let free_because = match &service.never_charged {
            None => None,
            Some(NeverCharged::ReablementOrIntermediateCare) => (service.weeks_already_received < rates.reablement_free_weeks).then(|| {
                format!(
                    "reablement and intermediate care are free for the first {} weeks",
                    rates.reablement_free_weeks
                )
            }),
            Some(NeverCharged::MentalHealthAftercare) => Some("aftercare under section 117 of the Mental Health Act is free".to_owned()),
            Some(NeverCharged::EquipmentOrMinorAdaptation) => Some("equipment and minor adaptations are free".to_owned()),
            Some(NeverCharged::CarerSupportForCaredForPerson) => {
                Some("it is support for the person you care for, so it is not charged to you".to_owned())
            }
            Some(NeverCharged::CouncilFreeService(id)) => match rates.council_free_services.get(id) {
                Some(label) => Some(format!("the council does not charge for {label}")),
                None => return Err(ChargingError::UnknownFreeService(id.clone())),
            },
        };
        match free_because {
            Some(reason) => working.push(WorkingLine {
                label: format!("{}: not charged, because {reason}", service.description),
                weekly: Money::ZERO,
            }),
            None => {
                total = total.checked_add(service.weekly_cost)?;
                let label = if service.never_charged.is_some() {
                    format!(
                        "{}: can be charged for, because it has gone on for more than {} weeks",
                        service.description, rates.reablement_free_weeks
                    )
                } else {
                    format!("{}: can be charged for", service.description)
                };
                working.push(WorkingLine {
                    label,
                    weekly: service.weekly_cost,
                });
            }
        }
    }
    Ok((total, working))
}

/// The guarantee's parts for this household, each a line of the working.
fn minimum_income_guarantee(rates: &ChargingRates, circumstances: &FinancialCircumstances) -> Result<Vec<WorkingLine>, ChargingError> {
    let table = &rates.minimum_income_guarantee;
    let band = |date_of_birth: Option<NaiveDate>| -> Result<AgeGroup, ChargingError> {
        match (date_of_birth, circumstances.assessment_date) {
            (Some(born), Some(on)) => AgeGroup::on(born, on, rates.pension_credit_age_years).ok_or(ChargingError::UnderEighteen),
            _ => Err(ChargingError::MissingDates),
        }
    };
    let own = match band(circumstances.date_of_birth) {
        Ok(found) => found,
        Err(ChargingError::MissingDates) => circumstances.recorded_age_group.ok_or(ChargingError::MissingDates)?,
        Err(other) => return Err(other),
    };
    let mut lines = Vec::new();
    let line = |label: String, pence: i64| WorkingLine {
        label,
        weekly: Money::from_pence(pence),
    };
    let pension_age;
    let couple = circumstances.household == Household::Couple;
    match circumstances.household {
        Household::Couple => {
            // [U] The couple rate is the pension-age one if either of them has reached it.
            // A partner under 18 cannot make the couple's rate the pension-age one: no error for it.
            let partner = circumstances
                .partner_date_of_birth
                .and_then(|_| band(circumstances.partner_date_of_birth).ok());
            pension_age = own == AgeGroup::PensionAge || partner == Some(AgeGroup::PensionAge);
            let (amount, words) = if pension_age {
                (table.couple_each_pension_age, "one or both over pension age")
            } else {
                (table.couple_each_under_pension_age, "both under pension age")
            };
            let amount = amount.ok_or(ChargingError::MissingRate("Minimum Income Guarantee for couples"))?;
            lines.push(line(
                format!("Less the Minimum Income Guarantee, for each of a couple ({words})"),
                amount,
            ));
        }
        Household::LoneParent if own != AgeGroup::PensionAge => {
            pension_age = false;
            let amount = table
                .lone_parent
                .ok_or(ChargingError::MissingRate("Minimum Income Guarantee for lone parents"))?;
            lines.push(line("Less the Minimum Income Guarantee, for a lone parent".into(), amount));
        }
        Household::Single | Household::LoneParent => {
            pension_age = own == AgeGroup::PensionAge;
            let amount = match own {
                AgeGroup::From18To24 => table.single_18_to_24,
                AgeGroup::From25ToPensionAge => table.single_25_to_pension_age,
                AgeGroup::PensionAge => table.single_pension_age,
            };
            lines.push(line(
                format!("Less the Minimum Income Guarantee, for a single person {}", own.words()),
                amount,
            ));
        }
    }
    if circumstances.dependent_children > 0 {
        let each = table
            .dependent_child
            .ok_or(ChargingError::MissingRate("Minimum Income Guarantee for dependent children"))?;
        let total = Money::from_pence(each).checked_mul(i64::from(circumstances.dependent_children))?;
        lines.push(WorkingLine {
            label: format!(
                "Less {} for each of {} dependent children",
                Money::from_pence(each),
                circumstances.dependent_children
            ),
            weekly: total,
        });
    }
    // [U] The disability premiums are for people under pension age, as in the table before.
    if !pension_age {
        if circumstances.disability_premium {
            let amount = if couple {
                table
                    .disability_premium_couple_each
                    .ok_or(ChargingError::MissingRate("Disability Premium for couples"))?
            } else {
                table.disability_premium
            };
            lines.push(line("Less the Disability Premium".into(), amount));
        }
        if circumstances.enhanced_disability_premium {
            let amount = if couple {
                table
                    .enhanced_disability_premium_couple_each
                    .ok_or(ChargingError::MissingRate("Enhanced Disability Premium for couples"))?
            } else {
                table.enhanced_disability_premium
            };
            lines.push(line("Less the Enhanced Disability Premium".into(), amount));
        }
    }
    if circumstances.carer_premium {
        let amount = table.carer_premium.ok_or(ChargingError::MissingRate("Carer Premium"))?;
        lines.push(line("Less the Carer Premium".into(), amount));
    }
    Ok(lines)
}

#[cfg(test)]
// Amounts are written pounds_pence (250_00 is £250.00), which reads as money.
#[allow(clippy::inconsistent_digit_grouping)]
mod tests;
