//! Financial assessment for care at home and in the community (non-residential charging):
//! what a person pays each week towards their care, with the working shown.
//!
//! The rates are a dated table a council updates each April (docs/charging.md), following the
//! Care and Support (Charging and Assessment of Resources) Regulations 2014 and the yearly
//! LAC(DHSC) circular: capital limits, tariff income, the Minimum Income Guarantee (MIG).
//! Earnings are disregarded, so they are never entered. Someone who declines a financial
//! assessment pays the full cost.
//! [U] The MIG for people over pension age is not in our verified sources; the shipped table
//! carries the figure councils publish, marked for checking each April.

use crate::config_file::{self, at, ConfigError};
use crate::money::Money;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use toml::Spanned;

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
    minimum_income_guarantee: MinimumIncomeGuarantee,
}

/// Weekly Minimum Income Guarantee amounts, in pence.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MinimumIncomeGuarantee {
    pub single_18_to_24: i64,
    pub single_25_to_pension_age: i64,
    pub pension_age: i64,
    pub disability_premium: i64,
    pub enhanced_disability_premium: i64,
}

/// How the council collects the contribution.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ContributionBasis {
    /// The council pays the budget less the contribution; the person pays their part in.
    Net,
    /// The council pays the whole budget and bills the person for their contribution.
    Gross,
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
    pub minimum_income_guarantee: MinimumIncomeGuarantee,
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
        Ok(ChargingRates {
            version: *file.version.get_ref(),
            effective_from,
            upper_capital_limit: Money::from_pence(file.upper_capital_limit_pence),
            lower_capital_limit: Money::from_pence(file.lower_capital_limit_pence),
            tariff_step: Money::from_pence(*file.tariff_step_pence.get_ref()),
            tariff_weekly_per_step: Money::from_pence(file.tariff_weekly_pence_per_step),
            contribution_basis,
            weekly_maximum_contribution: file.weekly_maximum_contribution_pence.map(Money::from_pence),
            minimum_income_guarantee: file.minimum_income_guarantee,
        })
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AgeGroup {
    From18To24,
    From25ToPensionAge,
    PensionAge,
}

/// What the financial assessment found, weekly unless it says otherwise.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FinancialCircumstances {
    pub declined: bool,
    pub age_group: AgeGroup,
    pub disability_premium: bool,
    pub enhanced_disability_premium: bool,
    /// Benefits, pensions and other income; not earnings, which are disregarded.
    pub weekly_income: Money,
    /// Savings and investments, not counting the home they live in.
    pub capital: Money,
    pub weekly_housing_costs: Money,
    pub weekly_disability_related_expenditure: Money,
}

/// A line of the working: what it is, and the weekly amount.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkingLine {
    pub label: String,
    pub weekly: Money,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Contribution {
    pub weekly: Money,
    pub working: Vec<WorkingLine>,
    /// Why the result is what it is, in a sentence.
    pub explanation: String,
    pub rates_version: i64,
}

/// The weekly contribution towards care costing `weekly_cost`.
pub fn weekly_contribution(
    rates: &ChargingRates,
    circumstances: &FinancialCircumstances,
    weekly_cost: Money,
) -> Result<Contribution, crate::money::MoneyError> {
    let full_cost = |explanation: &str| Contribution {
        weekly: weekly_cost,
        working: vec![WorkingLine {
            label: "Weekly cost of your care".into(),
            weekly: weekly_cost,
        }],
        explanation: explanation.into(),
        rates_version: rates.version,
    };
    if circumstances.declined {
        return Ok(full_cost(
            "You chose not to have a financial assessment, so you pay the full cost of your care.",
        ));
    }
    if circumstances.capital >= rates.upper_capital_limit {
        return Ok(full_cost(&format!(
            "Your savings are {} or more, so you pay the full cost of your care.",
            rates.upper_capital_limit
        )));
    }
    let mut working = vec![WorkingLine {
        label: "Your weekly income (earnings are not counted)".into(),
        weekly: circumstances.weekly_income,
    }];
    let tariff = if circumstances.capital > rates.lower_capital_limit {
        let above = circumstances.capital.checked_sub(rates.lower_capital_limit)?.pence();
        // £1 a week for each £250, or part of £250, between the limits.
        let steps = (above + rates.tariff_step.pence() - 1) / rates.tariff_step.pence();
        rates.tariff_weekly_per_step.checked_mul(steps)?
    } else {
        Money::ZERO
    };
    working.push(WorkingLine {
        label: format!("Plus tariff income from savings over {}", rates.lower_capital_limit),
        weekly: tariff,
    });
    let guarantee = &rates.minimum_income_guarantee;
    let mut minimum = match circumstances.age_group {
        AgeGroup::From18To24 => guarantee.single_18_to_24,
        AgeGroup::From25ToPensionAge => guarantee.single_25_to_pension_age,
        AgeGroup::PensionAge => guarantee.pension_age,
    };
    if circumstances.disability_premium && circumstances.age_group != AgeGroup::PensionAge {
        minimum += guarantee.disability_premium;
    }
    if circumstances.enhanced_disability_premium && circumstances.age_group != AgeGroup::PensionAge {
        minimum += guarantee.enhanced_disability_premium;
    }
    let minimum = Money::from_pence(minimum);
    working.push(WorkingLine {
        label: "Less housing costs".into(),
        weekly: circumstances.weekly_housing_costs,
    });
    working.push(WorkingLine {
        label: "Less the Minimum Income Guarantee: money you keep to live on".into(),
        weekly: minimum,
    });
    working.push(WorkingLine {
        label: "Less extra costs because of your disability".into(),
        weekly: circumstances.weekly_disability_related_expenditure,
    });
    let available = circumstances
        .weekly_income
        .checked_add(tariff)?
        .checked_sub(circumstances.weekly_housing_costs)?
        .checked_sub(minimum)?
        .checked_sub(circumstances.weekly_disability_related_expenditure)?;
    let available = available.max(Money::ZERO);
    working.push(WorkingLine {
        label: "Leaves an amount you can afford".into(),
        weekly: available,
    });
    let mut weekly = available.min(weekly_cost);
    let mut explanation = if available >= weekly_cost {
        "You can afford the full weekly cost of your care, so that is what you pay.".to_owned()
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
    Ok(Contribution {
        weekly,
        working,
        explanation,
        rates_version: rates.version,
    })
}

#[cfg(test)]
// Amounts are written pounds_pence (250_00 is £250.00), which reads as money.
#[allow(clippy::inconsistent_digit_grouping)]
mod tests {
    use super::*;

    const RATES: &str = include_str!("../../../config/charging/rates.toml");

    fn circumstances() -> FinancialCircumstances {
        FinancialCircumstances {
            declined: false,
            age_group: AgeGroup::From25ToPensionAge,
            disability_premium: true,
            enhanced_disability_premium: false,
            weekly_income: Money::from_pence(250_00),
            capital: Money::from_pence(15_000_00),
            weekly_housing_costs: Money::from_pence(20_00),
            weekly_disability_related_expenditure: Money::from_pence(15_00),
        }
    }

    #[test]
    fn the_contribution_is_worked_out_as_by_hand() {
        let rates = ChargingRates::parse(RATES).unwrap();
        // Tariff: £750 over £14,250 is three steps of £250: £3 a week.
        // £250 + £3 − £20 − (£112.50 + £49.65) − £15 = £55.85.
        let contribution = weekly_contribution(&rates, &circumstances(), Money::from_pence(300_00)).unwrap();
        assert_eq!(contribution.weekly, Money::from_pence(55_85));
        assert_eq!(contribution.working[1].weekly, Money::from_pence(3_00));
    }

    #[test]
    fn part_of_250_pounds_counts_as_a_whole_step() {
        let rates = ChargingRates::parse(RATES).unwrap();
        let mut someone = circumstances();
        someone.capital = Money::from_pence(14_250_01);
        let contribution = weekly_contribution(&rates, &someone, Money::from_pence(300_00)).unwrap();
        assert_eq!(contribution.working[1].weekly, Money::from_pence(1_00));
    }

    #[test]
    fn declining_or_high_savings_means_full_cost_and_low_income_means_nothing() {
        let rates = ChargingRates::parse(RATES).unwrap();
        let cost = Money::from_pence(180_00);
        let declined = FinancialCircumstances {
            declined: true,
            ..circumstances()
        };
        assert_eq!(weekly_contribution(&rates, &declined, cost).unwrap().weekly, cost);
        let wealthy = FinancialCircumstances {
            capital: Money::from_pence(23_250_00),
            ..circumstances()
        };
        assert_eq!(weekly_contribution(&rates, &wealthy, cost).unwrap().weekly, cost);
        let low = FinancialCircumstances {
            weekly_income: Money::from_pence(150_00),
            capital: Money::ZERO,
            ..circumstances()
        };
        assert_eq!(weekly_contribution(&rates, &low, cost).unwrap().weekly, Money::ZERO);
    }

    #[test]
    fn a_malformed_table_is_refused_with_its_line() {
        let broken = RATES.replace("contribution_basis = \"net\"", "contribution_basis = \"nett\"");
        let error = ChargingRates::parse(&broken).unwrap_err();
        assert!(error.line.is_some());
    }
}
