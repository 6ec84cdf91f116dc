//! `tailor charging calculate`: the charging rules outside the web service, for finance officers
//! checking a figure by hand and councils checking a new year's table before loading it.

use crate::ChargingCommand;
use anyhow::{bail, Context};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use tailor_domain::charging::{
    rates_in_force, weekly_contribution, ChargingRates, CostLine, ExpenditureLine, FinancialCircumstances, Household, IncomeLine,
    IncomeSource, NeverCharged, ServiceLine, WorkingLine,
};
use tailor_domain::money::Money;

/// A means file. Amounts are whole pence, as in the rates tables, so nothing is rounded.
/// Unknown keys are refused: a misspelt line would otherwise vanish from the working.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MeansFile {
    #[serde(deserialize_with = "date")]
    date_of_birth: NaiveDate,
    #[serde(deserialize_with = "date")]
    assessment_date: NaiveDate,
    #[serde(default)]
    declined: bool,
    #[serde(default)]
    household: Option<String>,
    #[serde(default, deserialize_with = "optional_date")]
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
    capital_pence: i64,
    #[serde(default)]
    joint_capital_pence: i64,
    #[serde(default)]
    income: Vec<MeansIncome>,
    #[serde(default)]
    housing_costs: Vec<MeansCost>,
    #[serde(default)]
    disability_related_expenditure: Vec<MeansExpenditure>,
    services: Vec<MeansService>,
}

/// A date written either way: a TOML date (`2026-05-01`) or text (`"2026-05-01"`, as JSON has it).
#[derive(Deserialize)]
#[serde(untagged)]
enum WrittenDate {
    Toml(toml::value::Datetime),
    Text(String),
}

fn date<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<NaiveDate, D::Error> {
    let text = match WrittenDate::deserialize(deserializer)? {
        WrittenDate::Toml(datetime) => datetime.to_string(),
        WrittenDate::Text(text) => text,
    };
    NaiveDate::parse_from_str(&text, "%Y-%m-%d").map_err(|_| serde::de::Error::custom(format!("{text:?} is not a date like 2026-05-01")))
}

fn optional_date<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Option<NaiveDate>, D::Error> {
    date(deserializer).map(Some)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct MeansIncome {
    source: String,
    weekly_pence: i64,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct MeansCost {
    description: String,
    weekly_pence: i64,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct MeansExpenditure {
    description: String,
    weekly_pence: i64,
    evidence: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct MeansService {
    description: String,
    weekly_cost_pence: i64,
    #[serde(default)]
    never_charged: Option<String>,
    #[serde(default)]
    weeks_already_received: u32,
}

/// What is printed.
#[derive(Serialize)]
struct Calculation {
    rates_version: i64,
    rates_effective_from: NaiveDate,
    weekly_charge_pence: i64,
    /// The weekly charge over a year, by the council's year rule.
    yearly_charge_pence: i64,
    /// The year rule, in words.
    year_rule: String,
    chargeable_weekly_cost_pence: i64,
    explanation: String,
    services: Vec<Line>,
    working: Vec<Line>,
}

#[derive(Serialize)]
struct Line {
    label: String,
    weekly_pence: i64,
}

fn lines(working: &[WorkingLine]) -> Vec<Line> {
    working
        .iter()
        .map(|line| Line {
            label: line.label.clone(),
            weekly_pence: line.weekly.pence(),
        })
        .collect()
}

fn read(path: &std::path::Path) -> anyhow::Result<String> {
    std::fs::read_to_string(path).with_context(|| format!("could not read {}", path.display()))
}

/// A means file from TOML, or JSON when it starts with `{`.
pub fn parse_means(text: &str) -> anyhow::Result<MeansFile> {
    if text.trim_start().starts_with('{') {
        serde_json::from_str(text).map_err(|error| anyhow::anyhow!("the means file is not valid: {error}"))
    } else {
        toml::from_str(text).map_err(|error| {
            let line = error
                .span()
                .map(|span| format!("line {}: ", tailor_domain::config_file::line_of(text, span.start)))
                .unwrap_or_default();
            anyhow::anyhow!("the means file is not valid: {line}{}", error.message())
        })
    }
}

impl MeansFile {
    fn into_parts(self) -> anyhow::Result<(FinancialCircumstances, Vec<ServiceLine>)> {
        let household = match self.household.as_deref() {
            None => Household::Single,
            Some(code) => {
                Household::parse(code).with_context(|| format!("household {code:?} must be \"single\", \"couple\" or \"lone_parent\""))?
            }
        };
        let mut income = Vec::new();
        for line in self.income {
            let source = IncomeSource::parse(&line.source).with_context(|| {
                format!(
                    "income source {:?} is not one Tailor knows (docs/charging.md lists them)",
                    line.source
                )
            })?;
            income.push(IncomeLine {
                source,
                weekly: Money::from_pence(line.weekly_pence),
            });
        }
        let mut services = Vec::new();
        for service in self.services {
            let never_charged = match service.never_charged.as_deref() {
                None | Some("") => None,
                Some(code) => Some(
                    NeverCharged::from_code(code)
                        .with_context(|| format!("never_charged {code:?} for {:?} is not a known reason", service.description))?,
                ),
            };
            services.push(ServiceLine {
                description: service.description,
                weekly_cost: Money::from_pence(service.weekly_cost_pence),
                never_charged,
                weeks_already_received: service.weeks_already_received,
            });
        }
        let circumstances = FinancialCircumstances {
            declined: self.declined,
            date_of_birth: Some(self.date_of_birth),
            assessment_date: Some(self.assessment_date),
            household,
            partner_date_of_birth: self.partner_date_of_birth,
            dependent_children: self.dependent_children,
            disability_premium: self.disability_premium,
            enhanced_disability_premium: self.enhanced_disability_premium,
            carer_premium: self.carer_premium,
            income,
            capital: Money::from_pence(self.capital_pence),
            joint_capital: Money::from_pence(self.joint_capital_pence),
            housing_costs: self
                .housing_costs
                .into_iter()
                .map(|line| CostLine {
                    description: line.description,
                    weekly: Money::from_pence(line.weekly_pence),
                })
                .collect(),
            disability_related_expenditure: self
                .disability_related_expenditure
                .into_iter()
                .map(|line| ExpenditureLine {
                    description: line.description,
                    weekly: Money::from_pence(line.weekly_pence),
                    evidence: line.evidence,
                })
                .collect(),
            recorded_age_group: None,
        };
        Ok((circumstances, services))
    }
}

pub fn run(command: &ChargingCommand) -> anyhow::Result<()> {
    match command {
        ChargingCommand::Calculate {
            rates,
            means,
            year_rule,
            council_file,
        } => {
            let year_rule = crate::year_rule_from(year_rule.as_deref(), council_file.as_deref())?;
            let mut tables = Vec::new();
            for path in rates {
                tables.push(ChargingRates::parse(&read(path)?).map_err(|error| anyhow::anyhow!("{}: {error}", path.display()))?);
            }
            let means = parse_means(&read(means)?).map_err(|error| anyhow::anyhow!("{}: {error}", means.display()))?;
            let assessment_date = means.assessment_date;
            let Some(table) = rates_in_force(&tables, assessment_date) else {
                bail!("none of the rates tables given is in force on the assessment date, {assessment_date}");
            };
            let (circumstances, services) = means.into_parts()?;
            let contribution = weekly_contribution(table, &circumstances, &services).map_err(|error| anyhow::anyhow!("{error}"))?;
            let calculation = Calculation {
                rates_version: table.version,
                rates_effective_from: table.effective_from,
                weekly_charge_pence: contribution.weekly.pence(),
                yearly_charge_pence: contribution
                    .weekly
                    .annual_from_weekly(year_rule)
                    .map_err(|error| anyhow::anyhow!("{error}"))?
                    .pence(),
                year_rule: year_rule.statement(),
                chargeable_weekly_cost_pence: contribution.chargeable_weekly_cost.pence(),
                explanation: contribution.explanation,
                services: lines(&contribution.services),
                working: lines(&contribution.working),
            };
            println!("{}", serde_json::to_string_pretty(&calculation)?);
            Ok(())
        }
    }
}
