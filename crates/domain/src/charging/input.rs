//! What the financial assessment form sends, and its checks: lines of income, housing costs and
//! extra costs of disability, each blank line ignored, each mistake named by its line.

use super::{CostLine, ExpenditureLine, FinancialCircumstances, Household, IncomeLine, IncomeSource};
use crate::money::Money;
use crate::validation::{date_from_parts, required_line, ValidationErrors};
use serde::{Deserialize, Serialize};

/// The most lines of each kind a form takes.
pub const MAX_FINANCIAL_LINES: usize = 20;

#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct FinancialInput {
    pub declined: String,
    pub household: String,
    pub partner_date_of_birth_day: String,
    pub partner_date_of_birth_month: String,
    pub partner_date_of_birth_year: String,
    pub dependent_children: String,
    pub premiums: Vec<String>,
    pub income_source: Vec<String>,
    pub income_weekly: Vec<String>,
    pub capital: String,
    pub joint_capital: String,
    pub housing_description: Vec<String>,
    pub housing_weekly: Vec<String>,
    pub expenditure_description: Vec<String>,
    pub expenditure_weekly: Vec<String>,
    pub expenditure_evidence: Vec<String>,
    /// "yes" when the form's "Add more lines" button sent it: show it again with room, save nothing.
    pub more_lines: String,
}

fn cell(values: &[String], index: usize) -> String {
    values.get(index).map(|value| value.trim().to_owned()).unwrap_or_default()
}

fn amount(errors: &mut ValidationErrors, field: &str, label: &str, value: &str) -> Money {
    match value.parse::<Money>() {
        Ok(found) if !found.is_negative() => found,
        _ => {
            errors.add(field, format!("Enter {label} in pounds and pence, like 125.50"));
            Money::ZERO
        }
    }
}

impl FinancialInput {
    /// The circumstances, or every problem at once. The person's date of birth and the assessment
    /// date are not asked: the use case takes them from the record and the clock.
    pub fn parse(&self) -> Result<FinancialCircumstances, ValidationErrors> {
        let mut errors = ValidationErrors::default();
        match self.declined.as_str() {
            "yes" => return Ok(FinancialCircumstances::declined()),
            "no" => {}
            _ => {
                errors.add("declined", "Select whether they agreed to a financial assessment");
                return Err(errors);
            }
        }
        let household = Household::parse(&self.household).unwrap_or_else(|| {
            errors.add("household", "Select who the Minimum Income Guarantee is for");
            Household::Single
        });
        let partner_date_of_birth = if household == Household::Couple {
            date_from_parts(
                &mut errors,
                "partner_date_of_birth",
                "their partner's date of birth",
                &self.partner_date_of_birth_day,
                &self.partner_date_of_birth_month,
                &self.partner_date_of_birth_year,
            )
        } else {
            None
        };
        let dependent_children = match self.dependent_children.trim() {
            "" => 0,
            typed => match typed.parse::<u32>() {
                Ok(count) if count <= 20 => count,
                _ => {
                    errors.add(
                        "dependent_children",
                        "Enter how many dependent children live with them, a whole number like 2",
                    );
                    0
                }
            },
        };
        if household == Household::LoneParent && dependent_children == 0 {
            errors.add(
                "dependent_children",
                "Enter how many dependent children live with them: a lone parent has at least 1",
            );
        }
        let has = |premium: &str| self.premiums.iter().any(|chosen| chosen == premium);
        let mut income = Vec::new();
        for index in 0..self.income_source.len().max(self.income_weekly.len()).min(MAX_FINANCIAL_LINES) {
            let (source, weekly) = (cell(&self.income_source, index), cell(&self.income_weekly, index));
            if weekly.is_empty() {
                continue;
            }
            let number = index + 1;
            let source = IncomeSource::parse(&source).unwrap_or_else(|| {
                errors.add(
                    &format!("income_source_{number}"),
                    format!("Select where income line {number} comes from"),
                );
                IncomeSource::Other
            });
            let weekly = amount(
                &mut errors,
                &format!("income_weekly_{number}"),
                &format!("the weekly amount for income line {number}"),
                &weekly,
            );
            income.push(IncomeLine { source, weekly });
        }
        let capital = match self.capital.trim() {
            "" => {
                errors.add("capital", "Enter their savings and investments in pounds and pence (0 if none)");
                Money::ZERO
            }
            typed => amount(&mut errors, "capital", "their savings and investments", typed),
        };
        let joint_capital = match self.joint_capital.trim() {
            "" => Money::ZERO,
            typed => amount(&mut errors, "joint_capital", "savings they hold jointly", typed),
        };
        let mut housing_costs = Vec::new();
        for index in 0..self
            .housing_description
            .len()
            .max(self.housing_weekly.len())
            .min(MAX_FINANCIAL_LINES)
        {
            let (description, weekly) = (cell(&self.housing_description, index), cell(&self.housing_weekly, index));
            if description.is_empty() && weekly.is_empty() {
                continue;
            }
            let number = index + 1;
            let description = required_line(
                &mut errors,
                &format!("housing_description_{number}"),
                &format!("what housing cost {number} is for"),
                &description,
            );
            let weekly = amount(
                &mut errors,
                &format!("housing_weekly_{number}"),
                &format!("the weekly amount for housing cost {number}"),
                &weekly,
            );
            housing_costs.push(CostLine { description, weekly });
        }
        let mut disability_related_expenditure = Vec::new();
        let expenditure_lines = self
            .expenditure_description
            .len()
            .max(self.expenditure_weekly.len())
            .max(self.expenditure_evidence.len())
            .min(MAX_FINANCIAL_LINES);
        for index in 0..expenditure_lines {
            let (description, weekly, evidence) = (
                cell(&self.expenditure_description, index),
                cell(&self.expenditure_weekly, index),
                cell(&self.expenditure_evidence, index),
            );
            if description.is_empty() && weekly.is_empty() && evidence.is_empty() {
                continue;
            }
            let number = index + 1;
            let description = required_line(
                &mut errors,
                &format!("expenditure_description_{number}"),
                &format!("what extra cost {number} is for"),
                &description,
            );
            let weekly = amount(
                &mut errors,
                &format!("expenditure_weekly_{number}"),
                &format!("the weekly amount for extra cost {number}"),
                &weekly,
            );
            // An allowance without evidence cannot be checked later, so it is asked for every line.
            let evidence = required_line(
                &mut errors,
                &format!("expenditure_evidence_{number}"),
                &format!("what shows extra cost {number} is spent, such as receipts or bills"),
                &evidence,
            );
            disability_related_expenditure.push(ExpenditureLine {
                description,
                weekly,
                evidence,
            });
        }
        errors.into_result(FinancialCircumstances {
            declined: false,
            date_of_birth: None,
            assessment_date: None,
            household,
            partner_date_of_birth,
            dependent_children,
            disability_premium: has("disability"),
            enhanced_disability_premium: has("enhanced"),
            carer_premium: has("carer"),
            income,
            capital,
            joint_capital,
            housing_costs,
            disability_related_expenditure,
            recorded_age_group: None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn typed() -> FinancialInput {
        FinancialInput {
            declined: "no".into(),
            household: "single".into(),
            income_source: vec![
                "state_pension".into(),
                "personal_independence_payment_mobility".into(),
                "other".into(),
            ],
            income_weekly: vec!["230.25".into(), "77.05".into(), String::new()],
            capital: "1000".into(),
            expenditure_description: vec!["Extra heating".into(), String::new()],
            expenditure_weekly: vec!["12".into(), String::new()],
            expenditure_evidence: vec!["Gas bills".into(), String::new()],
            ..FinancialInput::default()
        }
    }

    #[test]
    fn lines_are_read_and_blank_ones_ignored() {
        let found = typed().parse().unwrap();
        assert_eq!(found.income.len(), 2);
        assert_eq!(found.income[1].source, IncomeSource::PersonalIndependencePaymentMobility);
        assert_eq!(found.disability_related_expenditure[0].weekly, Money::from_pence(1200));
    }

    #[test]
    fn each_mistake_is_named_by_its_line() {
        let mut input = typed();
        input.household = "couple".into();
        input.income_weekly[0] = "lots".into();
        input.expenditure_evidence[0] = String::new();
        let errors = input.parse().unwrap_err();
        assert!(errors.message_for("income_weekly_1").is_some());
        assert!(errors.message_for("expenditure_evidence_1").unwrap().contains("receipts"));
        assert!(errors.message_for("partner_date_of_birth").is_some());
    }

    #[test]
    fn declining_needs_nothing_else() {
        let input = FinancialInput {
            declined: "yes".into(),
            ..FinancialInput::default()
        };
        assert!(input.parse().unwrap().declined);
    }
}
