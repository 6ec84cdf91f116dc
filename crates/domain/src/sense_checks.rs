//! Sense checks on money: amounts far above what a council normally sees are almost always a
//! slip of the keyboard (£99,999,999,999 a week for a personal assistant). Above a ceiling the
//! form asks the person typing to check and confirm the amount, and an indicative budget needs
//! a team manager; nothing is saved silently.
//!
//! The ceilings are the council's own choice [L] (domain rules 3.5: councils set tolerances,
//! thresholds and panels), kept as a versioned, effective-dated configuration
//! (`config/sense-checks.toml`) like the questionnaires and rates.

use crate::charging::FinancialCircumstances;
use crate::config_file::{self, ConfigError};
use crate::money::Money;
use crate::plans::PlanContent;
use crate::validation::ValidationErrors;
use chrono::NaiveDate;
use serde::Deserialize;

/// The form field that carries "I have checked the amounts": a checkbox shown beside the
/// messages once an amount is above its ceiling.
pub const CONFIRM_FIELD: &str = "confirm_amounts";

/// The council's ceilings for amounts typed into forms.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AmountCeilings {
    pub id: String,
    pub version: i64,
    pub effective_from: NaiveDate,
    /// The most one plan line may cost a week (its yearly cost over 52 weeks) without a check.
    pub weekly_plan_line: Money,
    /// The most a yearly budget (an indicative budget set by hand, or a plan's yearly cost)
    /// may be without a check; an indicative budget above it needs a team manager.
    pub yearly_budget: Money,
    /// The most one weekly income on a financial assessment may be without a check.
    pub weekly_income: Money,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CeilingsFile {
    id: String,
    version: i64,
    effective_from: toml::Spanned<toml::value::Datetime>,
    weekly_plan_line: toml::Spanned<String>,
    yearly_budget: toml::Spanned<String>,
    weekly_income: toml::Spanned<String>,
}

/// One amount above its ceiling: which field, and what it is, in words.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AboveCeiling {
    /// The form field the amount was typed in (the id its error message links to).
    pub field: String,
    pub amount: Money,
    /// "a week" or "a year".
    pub per: &'static str,
    pub ceiling: Money,
}

impl AboveCeiling {
    /// "£50,000,000.00 a year is far more than usual. Check the amount".
    pub fn message(&self) -> String {
        format!("{} {} is far more than usual. Check the amount", self.amount, self.per)
    }
}

impl AmountCeilings {
    /// Reads and checks a ceilings file: every ceiling an amount in pounds above zero.
    pub fn parse(text: &str) -> Result<AmountCeilings, ConfigError> {
        let file: CeilingsFile = config_file::parse(text)?;
        let amount = |spanned: &toml::Spanned<String>, name: &str| match spanned.get_ref().parse::<Money>() {
            Ok(money) if money > Money::ZERO => Ok(money),
            _ => Err(config_file::at(
                text,
                spanned,
                format!("{name} must be an amount in pounds above zero, like \"5,000.00\""),
            )),
        };
        if file.id.trim().is_empty() {
            return Err(ConfigError {
                line: None,
                reason: "id must not be empty".into(),
            });
        }
        let datetime = file.effective_from.get_ref();
        let effective_from = match (datetime.date, datetime.time) {
            (Some(day), None) => NaiveDate::from_ymd_opt(i32::from(day.year), u32::from(day.month), u32::from(day.day)),
            _ => None,
        }
        .ok_or_else(|| config_file::at(text, &file.effective_from, "effective_from must be a date like 2026-04-01"))?;
        Ok(AmountCeilings {
            weekly_plan_line: amount(&file.weekly_plan_line, "weekly_plan_line")?,
            yearly_budget: amount(&file.yearly_budget, "yearly_budget")?,
            weekly_income: amount(&file.weekly_income, "weekly_income")?,
            id: file.id,
            version: file.version,
            effective_from,
        })
    }

    /// Plan lines whose weekly cost is above the ceiling, and the plan's yearly cost if it is
    /// above the yearly ceiling. A line is named by the field its cost was typed in.
    pub fn check_plan(&self, content: &PlanContent, rule: crate::money::YearRule) -> Vec<AboveCeiling> {
        let mut found: Vec<AboveCeiling> = content
            .lines
            .iter()
            .enumerate()
            .filter_map(|(index, line)| {
                let weekly = line.weekly_cost(rule).ok()?;
                (weekly > self.weekly_plan_line).then(|| AboveCeiling {
                    field: format!("line_unit_cost_{}", index + 1),
                    amount: weekly,
                    per: "a week",
                    ceiling: self.weekly_plan_line,
                })
            })
            .collect();
        if found.is_empty() {
            if let Ok(yearly) = content.annual_cost(rule) {
                if yearly > self.yearly_budget {
                    found.push(AboveCeiling {
                        field: "line_unit_cost_1".into(),
                        amount: yearly,
                        per: "a year",
                        ceiling: self.yearly_budget,
                    });
                }
            }
        }
        found
    }

    /// A yearly budget typed in `field`, if it is above the ceiling.
    pub fn check_yearly_budget(&self, field: &str, amount: Money) -> Option<AboveCeiling> {
        (amount > self.yearly_budget).then(|| AboveCeiling {
            field: field.to_owned(),
            amount,
            per: "a year",
            ceiling: self.yearly_budget,
        })
    }

    /// Weekly incomes above the ceiling, each named by the field it was typed in.
    pub fn check_income(&self, circumstances: &FinancialCircumstances) -> Vec<AboveCeiling> {
        circumstances
            .income
            .iter()
            .enumerate()
            .filter(|(_, line)| line.weekly > self.weekly_income)
            .map(|(index, line)| AboveCeiling {
                field: format!("income_weekly_{}", index + 1),
                amount: line.weekly,
                per: "a week",
                ceiling: self.weekly_income,
            })
            .collect()
    }
}

/// Whether the person typing ticked "I have checked: the amounts are right".
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum AmountsConfirmed {
    #[default]
    No,
    Yes,
}

impl AmountsConfirmed {
    /// From the checkbox's value: only "yes" confirms.
    pub fn from_form(value: &str) -> AmountsConfirmed {
        if value == "yes" {
            AmountsConfirmed::Yes
        } else {
            AmountsConfirmed::No
        }
    }
}

/// Turns amounts above their ceilings into form errors unless they were confirmed: one message
/// on each amount, and one on the checkbox asking for the confirmation.
pub fn require_confirmation(found: &[AboveCeiling], confirmed: AmountsConfirmed) -> Result<(), ValidationErrors> {
    if found.is_empty() || confirmed == AmountsConfirmed::Yes {
        return Ok(());
    }
    let mut errors = ValidationErrors::default();
    for above in found {
        errors.add(&above.field, above.message());
    }
    errors.add(
        CONFIRM_FIELD,
        if found.len() == 1 {
            "Check the amount: change it, or tick the box to confirm it is right"
        } else {
            "Check the amounts: change them, or tick the box to confirm they are right"
        },
    );
    errors.into_result(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::charging::{IncomeLine, IncomeSource};
    use crate::plans::{Frequency, MoneyManager, PlanLine, ServiceComponent};

    pub const SHIPPED: &str = include_str!("../../../config/sense-checks.toml");

    fn ceilings() -> AmountCeilings {
        AmountCeilings::parse(SHIPPED).unwrap()
    }

    fn line(unit_cost: i64, units: i64, frequency: Frequency) -> PlanLine {
        PlanLine {
            description: "Personal assistant".into(),
            unit_cost: Money::from_pence(unit_cost),
            quantity: crate::plan_support::Quantity::whole(units),
            frequency,
            component: ServiceComponent::DirectPayment,
            never_charged: None,
            support: None,
            meets: None,
            reablement_start: None,
        }
    }

    fn plan(lines: Vec<PlanLine>) -> PlanContent {
        PlanContent {
            outcomes: String::new(),
            lines,
            risks: String::new(),
            contingency: String::new(),
            money_manager: Some(MoneyManager::Myself),
            advice: String::new(),
        }
    }

    #[test]
    fn the_shipped_ceilings_read() {
        let shipped = ceilings();
        assert_eq!(shipped.weekly_plan_line, Money::from_pence(500_000));
        assert_eq!(shipped.yearly_budget, Money::from_pence(30_000_000));
        assert_eq!(shipped.weekly_income, Money::from_pence(200_000));
    }

    #[test]
    fn a_ceiling_that_is_not_an_amount_names_its_line() {
        let text = SHIPPED.replace("weekly_income = \"2,000.00\"", "weekly_income = \"lots\"");
        let error = AmountCeilings::parse(&text).unwrap_err();
        assert!(error.line.is_some(), "{error}");
        assert!(error.reason.contains("weekly_income"), "{error}");
    }

    #[test]
    fn a_line_just_at_the_ceiling_passes_and_a_penny_a_week_more_does_not() {
        // £5,000 a week exactly: 10 hours at £500.
        let at = plan(vec![line(50_000, 10, Frequency::Weekly)]);
        assert!(ceilings().check_plan(&at, crate::money::YearRule::FiftyTwoWeeks).is_empty());
        let above = plan(vec![line(27_000, 10, Frequency::Weekly), line(50_001, 10, Frequency::Weekly)]);
        let found = ceilings().check_plan(&above, crate::money::YearRule::FiftyTwoWeeks);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].field, "line_unit_cost_2");
        assert_eq!(found[0].message(), "£5,000.10 a week is far more than usual. Check the amount");
    }

    #[test]
    fn a_monthly_line_is_checked_by_its_weekly_cost() {
        // £25,000 a month is £300,000 a year, £5,769.23 a week.
        let found = ceilings().check_plan(
            &plan(vec![line(2_500_000, 1, Frequency::Monthly)]),
            crate::money::YearRule::FiftyTwoWeeks,
        );
        assert_eq!(found[0].amount, Money::from_pence(576_923));
    }

    #[test]
    fn many_modest_lines_that_add_up_past_the_yearly_ceiling_are_checked_as_a_plan() {
        let lines = (0..7).map(|_| line(90_000, 1, Frequency::Weekly)).collect();
        let found = ceilings().check_plan(&plan(lines), crate::money::YearRule::FiftyTwoWeeks);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].per, "a year");
        assert_eq!(found[0].amount, Money::from_pence(32_760_000));
    }

    #[test]
    fn fifty_million_a_year_is_far_more_than_usual() {
        let found = ceilings().check_yearly_budget("annual", Money::from_pence(5_000_000_000)).unwrap();
        assert_eq!(found.message(), "£50,000,000.00 a year is far more than usual. Check the amount");
        assert!(ceilings().check_yearly_budget("annual", Money::from_pence(30_000_000)).is_none());
    }

    #[test]
    fn an_income_above_the_ceiling_is_named_by_its_row() {
        let circumstances = FinancialCircumstances {
            income: vec![
                IncomeLine {
                    source: IncomeSource::StatePension,
                    weekly: Money::from_pence(23_025),
                },
                IncomeLine {
                    source: IncomeSource::Other,
                    weekly: Money::from_pence(9_999_999_999_900),
                },
            ],
            declined: false,
            date_of_birth: None,
            assessment_date: None,
            household: crate::charging::Household::Single,
            partner_date_of_birth: None,
            dependent_children: 0,
            disability_premium: false,
            enhanced_disability_premium: false,
            carer_premium: false,
            capital: Money::ZERO,
            joint_capital: Money::ZERO,
            housing_costs: Vec::new(),
            disability_related_expenditure: Vec::new(),
            recorded_age_group: None,
        };
        let found = ceilings().check_income(&circumstances);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].field, "income_weekly_2");
    }

    #[test]
    fn nothing_above_a_ceiling_is_saved_without_a_tick() {
        let found = vec![ceilings().check_yearly_budget("annual", Money::from_pence(5_000_000_000)).unwrap()];
        let errors = require_confirmation(&found, AmountsConfirmed::No).unwrap_err();
        assert!(errors.message_for("annual").is_some());
        assert!(errors.message_for(CONFIRM_FIELD).is_some());
        assert!(require_confirmation(&found, AmountsConfirmed::Yes).is_ok());
        assert!(require_confirmation(&[], AmountsConfirmed::No).is_ok());
        assert_eq!(AmountsConfirmed::from_form("on"), AmountsConfirmed::No);
        assert_eq!(AmountsConfirmed::from_form("yes"), AmountsConfirmed::Yes);
    }
}
