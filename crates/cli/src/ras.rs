//! `tailor ras calculate` and `tailor ras calibrate`: the allocation model outside the web
//! service, for councils designing and checking their models.

use crate::RasCommand;
use anyhow::{bail, Context};
use tailor_domain::allocation::calibration::{calibrate, parse_test_group};
use tailor_domain::allocation::{calculate_with_findings, AllocationModel, Answers};
use tailor_domain::eligibility::EligibilityFindings;

fn read(path: &std::path::Path) -> anyhow::Result<String> {
    std::fs::read_to_string(path).with_context(|| format!("could not read {}", path.display()))
}

fn load_model(path: &std::path::Path) -> anyhow::Result<AllocationModel> {
    AllocationModel::parse(&read(path)?).map_err(|error| anyhow::anyhow!("{}: {error}", path.display()))
}

/// Answers from JSON (`{"nutrition": "some_help"}`) or TOML (`nutrition = "some_help"`).
pub fn parse_answers(text: &str) -> anyhow::Result<Answers> {
    if text.trim_start().starts_with('{') {
        serde_json::from_str(text).context("the answers are not a JSON object of question ids to answer ids")
    } else {
        toml::from_str(text).map_err(|error| anyhow::anyhow!("the answers are not TOML `question = \"answer\"` lines: {}", error.message()))
    }
}

pub fn run(command: &RasCommand) -> anyhow::Result<()> {
    match command {
        RasCommand::Calculate {
            model,
            answers,
            findings,
            year_rule,
            council_file,
        } => {
            let year_rule = crate::year_rule_from(year_rule.as_deref(), council_file.as_deref())?;
            let model = load_model(model)?;
            let answers = parse_answers(&read(answers)?)?;
            let findings: Option<EligibilityFindings> = match findings {
                Some(path) => Some(
                    serde_json::from_str(&read(path)?)
                        .with_context(|| format!("{} is not an eligibility decision's findings", path.display()))?,
                ),
                None => None,
            };
            for warning in model.check() {
                eprintln!("warning: {warning}");
            }
            let result = calculate_with_findings(&model, &answers, findings.as_ref())
                .map_err(|error| anyhow::anyhow!("{error}"))?
                .under_year_rule(year_rule);
            println!("{}", serde_json::to_string_pretty(&result)?);
            Ok(())
        }
        RasCommand::Check { model } => {
            let warnings = load_model(model)?.check();
            println!("{}", serde_json::to_string_pretty(&warnings)?);
            if !warnings.is_empty() {
                bail!("{} warning(s): see above", warnings.len());
            }
            Ok(())
        }
        RasCommand::Calibrate { model, test_group } => {
            let model = load_model(model)?;
            let group = parse_test_group(&read(test_group)?).map_err(|error| anyhow::anyhow!("{}: {error}", test_group.display()))?;
            let (_, report) = calibrate(&model, &group).map_err(|error| anyhow::anyhow!("{error}"))?;
            if !report.mean_absolute_percentage_error.is_finite() {
                bail!("the test group could not be fitted");
            }
            println!("{}", serde_json::to_string_pretty(&report)?);
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_may_be_json_or_toml() {
        let from_json = parse_answers("{\"nutrition\": \"none\"}").unwrap();
        let from_toml = parse_answers("nutrition = \"none\"\n").unwrap();
        assert_eq!(from_json, from_toml);
        assert!(parse_answers("nutrition: none").is_err());
    }
}
