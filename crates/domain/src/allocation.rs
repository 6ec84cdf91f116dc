//! The Resource Allocation System (RAS): how assessed need becomes an indicative personal budget.
//!
//! A council's model is a versioned, effective-dated file (docs/allocation-model.md): points per
//! answer, grouped in sections; conversion of points to money by a price per point or by bands;
//! an informal-support rule that reduces the allocation by a percentage; an optional carers'
//! allocation; and the tolerance and panel threshold that decide who must agree a plan.
//! Every figure is integer pence per year. The calculation is a pure function of the model and
//! the answers, so a frozen snapshot of both reproduces it to the penny, and every step of it is
//! returned as a line a person can read.
//!
//! The rounding rule [L]: a percentage reduction is rounded down to the whole penny, so the
//! reduction is never more than the percentage. Councils that round otherwise: say so in an issue.

use crate::config_file::{self, at, ConfigError};
use crate::money::Money;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::sync::Arc;
use toml::Spanned;

/// The model file as written. Kept separate from `AllocationModel` so that validation can report
/// the line of any value it refuses.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ModelFile {
    id: Spanned<String>,
    version: Spanned<i64>,
    name: String,
    effective_from: Spanned<toml::value::Datetime>,
    #[serde(default)]
    description: String,
    conversion: Spanned<String>,
    pence_per_point: Option<Spanned<i64>>,
    #[serde(default)]
    bands: Vec<BandFile>,
    tolerance_percent: Spanned<i64>,
    panel_threshold_pence: Spanned<i64>,
    informal_support: Option<AnswerPercentFile>,
    carers_allocation: Option<AnswerAmountFile>,
    sections: Vec<SectionFile>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct BandFile {
    from_points: Spanned<i64>,
    to_points: Option<Spanned<i64>>,
    annual_pence: Spanned<i64>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AnswerPercentFile {
    question: Spanned<String>,
    reduction_percent: BTreeMap<String, Spanned<i64>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AnswerAmountFile {
    question: Spanned<String>,
    annual_pence: BTreeMap<String, Spanned<i64>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SectionFile {
    id: Spanned<String>,
    title: String,
    questions: BTreeMap<String, Spanned<BTreeMap<String, Spanned<i64>>>>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "method")]
pub enum Conversion {
    PricePerPoint { pence_per_point: i64 },
    Bands { bands: Vec<Band> },
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Band {
    pub from_points: i64,
    /// `None` for the last band, which has no upper end.
    pub to_points: Option<i64>,
    pub annual_pence: i64,
}

/// A question's answers and what each scores, within a section. Names are shared (`Arc<str>`)
/// so that a result can name every question and answer without copying text.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScoredQuestion {
    pub id: Arc<str>,
    /// Few enough that a list beats a map.
    pub points: Vec<(Arc<str>, i64)>,
}

impl ScoredQuestion {
    pub fn points_for(&self, answer: &str) -> Option<(&Arc<str>, i64)> {
        self.points
            .iter()
            .find(|(candidate, _)| candidate.as_ref() == answer)
            .map(|(name, points)| (name, *points))
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScoredSection {
    pub id: Arc<str>,
    pub title: Arc<str>,
    pub questions: Vec<ScoredQuestion>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AnswerRule {
    pub question: String,
    /// Percent (for informal support) or annual pence (for the carers' allocation), by answer.
    pub by_answer: Vec<(Arc<str>, i64)>,
}

impl AnswerRule {
    pub fn value_for(&self, answer: &str) -> Option<(&Arc<str>, i64)> {
        self.by_answer
            .iter()
            .find(|(candidate, _)| candidate.as_ref() == answer)
            .map(|(name, value)| (name, *value))
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AllocationModel {
    pub id: Arc<str>,
    pub version: i64,
    pub name: String,
    pub effective_from: NaiveDate,
    pub description: String,
    pub conversion: Conversion,
    pub tolerance_percent: i64,
    pub panel_threshold: Money,
    pub informal_support: Option<AnswerRule>,
    pub carers_allocation: Option<AnswerRule>,
    pub sections: Vec<ScoredSection>,
}

fn date(text: &str, value: &Spanned<toml::value::Datetime>) -> Result<NaiveDate, ConfigError> {
    let datetime = value.get_ref();
    match (datetime.date, datetime.time) {
        (Some(day), None) => NaiveDate::from_ymd_opt(i32::from(day.year), u32::from(day.month), u32::from(day.day))
            .ok_or_else(|| at(text, value, "effective_from is not a real date")),
        _ => Err(at(text, value, "effective_from must be a date like 2026-04-01, with no time")),
    }
}

fn identifier(text: &str, value: &Spanned<String>, what: &str) -> Result<String, ConfigError> {
    let id = value.get_ref();
    if id.is_empty()
        || !id
            .chars()
            .all(|character| character.is_ascii_lowercase() || character.is_ascii_digit() || character == '_' || character == '-')
    {
        return Err(at(text, value, format!("{what} {id:?} must be lower-case letters, digits, _ or -")));
    }
    Ok(id.clone())
}

impl AllocationModel {
    /// Reads and checks a model file. Anything wrong is refused with its line and the reason.
    pub fn parse(text: &str) -> Result<AllocationModel, ConfigError> {
        let file: ModelFile = config_file::parse(text)?;
        let id = identifier(text, &file.id, "the model id")?;
        if *file.version.get_ref() < 1 {
            return Err(at(text, &file.version, "version must be 1 or more"));
        }
        let effective_from = date(text, &file.effective_from)?;
        let conversion = match file.conversion.get_ref().as_str() {
            "price_per_point" => {
                if !file.bands.is_empty() {
                    return Err(at(
                        text,
                        &file.conversion,
                        "a price_per_point model has no bands: remove them or use conversion = \"bands\"",
                    ));
                }
                let price = file
                    .pence_per_point
                    .as_ref()
                    .ok_or_else(|| at(text, &file.conversion, "conversion = \"price_per_point\" needs pence_per_point"))?;
                if *price.get_ref() <= 0 {
                    return Err(at(text, price, "pence_per_point must be more than zero"));
                }
                Conversion::PricePerPoint {
                    pence_per_point: *price.get_ref(),
                }
            }
            "bands" => {
                if let Some(price) = &file.pence_per_point {
                    return Err(at(
                        text,
                        price,
                        "a bands model has no pence_per_point: remove it or use conversion = \"price_per_point\"",
                    ));
                }
                if file.bands.is_empty() {
                    return Err(at(text, &file.conversion, "conversion = \"bands\" needs at least one [[bands]]"));
                }
                let mut bands = Vec::new();
                let mut expected_from = 0;
                let last = file.bands.len() - 1;
                for (index, band) in file.bands.iter().enumerate() {
                    if *band.from_points.get_ref() != expected_from {
                        return Err(at(
                            text,
                            &band.from_points,
                            format!("bands must follow on without gaps or overlaps: this band should start at {expected_from} points"),
                        ));
                    }
                    if *band.annual_pence.get_ref() < 0 {
                        return Err(at(text, &band.annual_pence, "annual_pence cannot be negative"));
                    }
                    let to_points = match &band.to_points {
                        Some(to) if *to.get_ref() < *band.from_points.get_ref() => {
                            return Err(at(text, to, "to_points must be at least from_points"))
                        }
                        Some(to) => Some(*to.get_ref()),
                        None if index != last => return Err(at(text, &band.from_points, "only the last band may leave out to_points")),
                        None => None,
                    };
                    if index == last && to_points.is_some() {
                        return Err(at(
                            text,
                            &band.from_points,
                            "the last band must leave out to_points, so every score has a band",
                        ));
                    }
                    expected_from = to_points.unwrap_or(0) + 1;
                    bands.push(Band {
                        from_points: *band.from_points.get_ref(),
                        to_points,
                        annual_pence: *band.annual_pence.get_ref(),
                    });
                }
                Conversion::Bands { bands }
            }
            other => {
                return Err(at(
                    text,
                    &file.conversion,
                    format!("conversion must be \"price_per_point\" or \"bands\", not {other:?}"),
                ))
            }
        };
        let tolerance = *file.tolerance_percent.get_ref();
        if !(0..=100).contains(&tolerance) {
            return Err(at(text, &file.tolerance_percent, "tolerance_percent must be from 0 to 100"));
        }
        if *file.panel_threshold_pence.get_ref() < 0 {
            return Err(at(text, &file.panel_threshold_pence, "panel_threshold_pence cannot be negative"));
        }
        let mut sections = Vec::new();
        let mut seen_questions: BTreeMap<String, ()> = BTreeMap::new();
        for section in &file.sections {
            let section_id = identifier(text, &section.id, "the section id")?;
            let mut questions = Vec::new();
            for (question_id, answers) in &section.questions {
                if seen_questions.insert(question_id.clone(), ()).is_some() {
                    return Err(at(text, answers, format!("question {question_id:?} is scored twice")));
                }
                if answers.get_ref().is_empty() {
                    return Err(at(text, answers, format!("question {question_id:?} has no answers")));
                }
                let mut points = Vec::new();
                for (answer_id, value) in answers.get_ref() {
                    if *value.get_ref() < 0 {
                        return Err(at(text, value, format!("points for {question_id}.{answer_id} cannot be negative")));
                    }
                    points.push((Arc::from(answer_id.as_str()), *value.get_ref()));
                }
                questions.push(ScoredQuestion {
                    id: Arc::from(question_id.as_str()),
                    points,
                });
            }
            sections.push(ScoredSection {
                id: Arc::from(section_id.as_str()),
                title: Arc::from(section.title.as_str()),
                questions,
            });
        }
        if sections.is_empty() {
            return Err(ConfigError {
                line: None,
                reason: "the model has no [[sections]]".into(),
            });
        }
        let rule = |file: &Option<AnswerPercentFile>| -> Result<Option<AnswerRule>, ConfigError> {
            let Some(rule) = file else { return Ok(None) };
            let mut by_answer = Vec::new();
            for (answer, percent) in &rule.reduction_percent {
                if !(0..=100).contains(percent.get_ref()) {
                    return Err(at(text, percent, "reduction_percent must be from 0 to 100"));
                }
                by_answer.push((Arc::from(answer.as_str()), *percent.get_ref()));
            }
            Ok(Some(AnswerRule {
                question: rule.question.get_ref().clone(),
                by_answer,
            }))
        };
        let informal_support = rule(&file.informal_support)?;
        let carers_allocation = match &file.carers_allocation {
            Some(carers) => {
                let mut by_answer = Vec::new();
                for (answer, pence) in &carers.annual_pence {
                    if *pence.get_ref() < 0 {
                        return Err(at(text, pence, "annual_pence cannot be negative"));
                    }
                    by_answer.push((Arc::from(answer.as_str()), *pence.get_ref()));
                }
                Some(AnswerRule {
                    question: carers.question.get_ref().clone(),
                    by_answer,
                })
            }
            None => None,
        };
        for (question, spanned) in [
            (
                informal_support.as_ref().map(|rule| rule.question.clone()),
                file.informal_support.as_ref().map(|rule| &rule.question),
            ),
            (
                carers_allocation.as_ref().map(|rule| rule.question.clone()),
                file.carers_allocation.as_ref().map(|rule| &rule.question),
            ),
        ] {
            if let (Some(question), Some(spanned)) = (question, spanned) {
                if seen_questions.contains_key(&question) {
                    return Err(at(
                        text,
                        spanned,
                        format!("question {question:?} adjusts the allocation, so it cannot also score points"),
                    ));
                }
            }
        }
        Ok(AllocationModel {
            id: Arc::from(id.as_str()),
            version: *file.version.get_ref(),
            name: file.name,
            effective_from,
            description: file.description,
            conversion,
            tolerance_percent: tolerance,
            panel_threshold: Money::from_pence(*file.panel_threshold_pence.get_ref()),
            informal_support,
            carers_allocation,
            sections,
        })
    }

    /// Every question the model reads, with the answers it knows, for checking a questionnaire
    /// against the model and answers against both.
    pub fn questions(&self) -> BTreeMap<&str, Vec<&str>> {
        let mut all: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
        for section in &self.sections {
            for question in &section.questions {
                all.insert(&question.id, question.points.iter().map(|(answer, _)| answer.as_ref()).collect());
            }
        }
        for rule in [&self.informal_support, &self.carers_allocation].into_iter().flatten() {
            all.insert(&rule.question, rule.by_answer.iter().map(|(answer, _)| answer.as_ref()).collect());
        }
        all
    }
}

/// Which conversion turned the points into money, with the figures it used.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "method")]
pub enum AppliedConversion {
    PricePerPoint {
        pence_per_point: i64,
    },
    Band {
        from_points: i64,
        to_points: Option<i64>,
        annual_pence: i64,
    },
}

/// Answers by question id, as stored in an assessment and in `--answers` files.
pub type Answers = BTreeMap<String, String>;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScoredLine {
    pub question: Arc<str>,
    pub answer: Arc<str>,
    pub points: i64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SectionResult {
    pub id: Arc<str>,
    pub title: Arc<str>,
    pub points: i64,
    /// Inline for sections of up to four questions, so a calculation allocates little.
    pub lines: smallvec::SmallVec<[ScoredLine; 4]>,
}

/// The indicative budget and every step that led to it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AllocationResult {
    pub model_id: Arc<str>,
    pub model_version: i64,
    pub total_points: i64,
    pub sections: Vec<SectionResult>,
    /// How the points became money; `describe_conversion` puts it in words.
    pub conversion: AppliedConversion,
    pub from_points_pence: i64,
    pub informal_support_answer: Option<Arc<str>>,
    pub informal_support_percent: i64,
    pub informal_support_reduction_pence: i64,
    pub carers_allocation_answer: Option<Arc<str>>,
    pub carers_allocation_pence: i64,
    /// The indicative annual budget.
    pub total_pence: i64,
    /// The same, per week (annual ÷ 52, to the nearest penny, halves up), for people who think in weeks.
    pub weekly_pence: i64,
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum AllocationError {
    #[error("question {0:?} is not in the model")]
    UnknownQuestion(String),
    #[error("{answer:?} is not an answer the model knows for question {question:?}")]
    UnknownAnswer { question: String, answer: String },
    #[error("these questions have no answer: {}", .0.join(", "))]
    Unanswered(Vec<String>),
    #[error("the allocation is too large to calculate")]
    Overflow,
}

/// `value × percent ÷ 100`, rounded down, without overflow for any realistic budget.
fn percent_of(value: i64, percent: i64) -> Result<i64, AllocationError> {
    let product = i128::from(value) * i128::from(percent);
    i64::try_from(product / 100).map_err(|_| AllocationError::Overflow)
}

/// Works out the indicative budget from a model and a person's answers.
pub fn calculate(model: &AllocationModel, answers: &Answers) -> Result<AllocationResult, AllocationError> {
    let mut unanswered = Vec::new();
    // Answers the model used; any left over name a question the model does not have.
    let mut used = 0usize;
    let mut sections = Vec::with_capacity(model.sections.len());
    let mut total_points: i64 = 0;
    for section in &model.sections {
        let mut points = 0i64;
        let mut lines = smallvec::SmallVec::new();
        for question in &section.questions {
            match answers.get(question.id.as_ref()) {
                Some(answer) => {
                    used += 1;
                    let (answer_name, scored) = question.points_for(answer).ok_or_else(|| AllocationError::UnknownAnswer {
                        question: question.id.to_string(),
                        answer: answer.clone(),
                    })?;
                    points = points.checked_add(scored).ok_or(AllocationError::Overflow)?;
                    lines.push(ScoredLine {
                        question: question.id.clone(),
                        answer: answer_name.clone(),
                        points: scored,
                    });
                }
                None => unanswered.push(question.id.to_string()),
            }
        }
        total_points = total_points.checked_add(points).ok_or(AllocationError::Overflow)?;
        sections.push(SectionResult {
            id: section.id.clone(),
            title: section.title.clone(),
            points,
            lines,
        });
    }
    let mut rule_answer = |rule: &Option<AnswerRule>| -> Result<Option<(Arc<str>, i64)>, AllocationError> {
        let Some(rule) = rule else { return Ok(None) };
        match answers.get(&rule.question) {
            Some(answer) => {
                used += 1;
                let (name, value) = rule.value_for(answer).ok_or_else(|| AllocationError::UnknownAnswer {
                    question: rule.question.clone(),
                    answer: answer.clone(),
                })?;
                Ok(Some((name.clone(), value)))
            }
            None => {
                unanswered.push(rule.question.clone());
                Ok(None)
            }
        }
    };
    let informal = rule_answer(&model.informal_support)?;
    let carers = rule_answer(&model.carers_allocation)?;
    if used != answers.len() {
        let known = model.questions();
        if let Some(unknown) = answers.keys().find(|question| !known.contains_key(question.as_str())) {
            return Err(AllocationError::UnknownQuestion(unknown.clone()));
        }
    }
    if !unanswered.is_empty() {
        return Err(AllocationError::Unanswered(unanswered));
    }
    let (from_points_pence, conversion) = match &model.conversion {
        Conversion::PricePerPoint { pence_per_point } => (
            total_points.checked_mul(*pence_per_point).ok_or(AllocationError::Overflow)?,
            AppliedConversion::PricePerPoint {
                pence_per_point: *pence_per_point,
            },
        ),
        Conversion::Bands { bands } => {
            let band = bands
                .iter()
                .rev()
                .find(|band| total_points >= band.from_points)
                .unwrap_or(&bands[0]);
            (
                band.annual_pence,
                AppliedConversion::Band {
                    from_points: band.from_points,
                    to_points: band.to_points,
                    annual_pence: band.annual_pence,
                },
            )
        }
    };
    let (informal_support_answer, informal_support_percent) = match informal {
        Some((answer, percent)) => (Some(answer), percent),
        None => (None, 0),
    };
    let informal_support_reduction_pence = percent_of(from_points_pence, informal_support_percent)?;
    let (carers_allocation_answer, carers_allocation_pence) = match carers {
        Some((answer, pence)) => (Some(answer), pence),
        None => (None, 0),
    };
    let total_pence = from_points_pence
        .checked_sub(informal_support_reduction_pence)
        .and_then(|value| value.checked_add(carers_allocation_pence))
        .ok_or(AllocationError::Overflow)?;
    Ok(AllocationResult {
        model_id: model.id.clone(),
        model_version: model.version,
        total_points,
        sections,
        conversion,
        from_points_pence,
        informal_support_answer,
        informal_support_percent,
        informal_support_reduction_pence,
        carers_allocation_answer,
        carers_allocation_pence,
        total_pence,
        weekly_pence: Money::from_pence(total_pence).weekly_from_annual().pence(),
    })
}

impl AllocationResult {
    /// How the points became money, in words: "49 points × £300.00 a point".
    pub fn describe_conversion(&self) -> String {
        let points = self.total_points;
        match &self.conversion {
            AppliedConversion::PricePerPoint { pence_per_point } => {
                format!("{points} points × {} a point", Money::from_pence(*pence_per_point))
            }
            AppliedConversion::Band {
                from_points,
                to_points: Some(to),
                ..
            } => format!("{points} points fall in the band for {from_points} to {to} points"),
            AppliedConversion::Band {
                from_points,
                to_points: None,
                ..
            } => format!("{points} points fall in the band for {from_points} points or more"),
        }
    }
}

/// Whether a plan's cost needs a team manager or panel as well as the practitioner: when it is
/// over the indicative budget by more than the model's tolerance, or over the panel threshold.
pub fn needs_second_approval(model: &AllocationModel, indicative: Money, plan_cost: Money) -> bool {
    let allowed_over = percent_of(indicative.pence(), model.tolerance_percent).unwrap_or(i64::MAX);
    let over = plan_cost.pence().saturating_sub(indicative.pence());
    over > allowed_over || plan_cost > model.panel_threshold
}

pub mod calibration;

#[cfg(test)]
mod tests {
    use super::*;

    pub const PRICE_MODEL: &str = r#"
id = "test-adult"
version = 1
name = "Test adult model"
effective_from = 2026-04-01
conversion = "price_per_point"
pence_per_point = 5000
tolerance_percent = 10
panel_threshold_pence = 3000000

[informal_support]
question = "informal_support"
reduction_percent = { none = 0, some = 10, lots = 25 }

[carers_allocation]
question = "carer_coping"
annual_pence = { no_carer = 0, coping = 0, struggling = 60000 }

[[sections]]
id = "eating"
title = "Eating and drinking"
questions = { nutrition = { none = 0, prompting = 3, some_help = 6, full_help = 10 } }

[[sections]]
id = "personal_care"
title = "Washing and dressing"
questions = { hygiene = { none = 0, some_help = 5, full_help = 9 }, dressing = { none = 0, some_help = 4, full_help = 7 } }
"#;

    fn answers(pairs: &[(&str, &str)]) -> Answers {
        pairs
            .iter()
            .map(|(question, answer)| (question.to_string(), answer.to_string()))
            .collect()
    }

    #[test]
    fn a_price_per_point_model_gives_the_figure_worked_out_by_hand() {
        let model = AllocationModel::parse(PRICE_MODEL).unwrap();
        let result = calculate(
            &model,
            &answers(&[
                ("nutrition", "some_help"),
                ("hygiene", "full_help"),
                ("dressing", "some_help"),
                ("informal_support", "some"),
                ("carer_coping", "struggling"),
            ]),
        )
        .unwrap();
        // 6 + 9 + 4 = 19 points; 19 × £50 = £950; less 10% (£95) = £855; plus £600 carers' allocation = £1,455.
        assert_eq!(result.total_points, 19);
        assert_eq!(result.from_points_pence, 95_000);
        assert_eq!(result.informal_support_reduction_pence, 9_500);
        assert_eq!(result.total_pence, 145_500);
        assert_eq!(result.weekly_pence, 2_798);
        assert_eq!(result.sections[1].points, 13);
    }

    #[test]
    fn reductions_round_down_to_the_penny() {
        let model = AllocationModel::parse(&PRICE_MODEL.replace("pence_per_point = 5000", "pence_per_point = 333")).unwrap();
        let result = calculate(
            &model,
            &answers(&[
                ("nutrition", "prompting"),
                ("hygiene", "none"),
                ("dressing", "none"),
                ("informal_support", "lots"),
                ("carer_coping", "no_carer"),
            ]),
        )
        .unwrap();
        // 3 × 333 = 999; 25% = 249.75, rounded down to 249; 999 - 249 = 750.
        assert_eq!(result.total_pence, 750);
    }

    #[test]
    fn a_banded_model_gives_the_band_amount() {
        let banded = r#"
id = "test-bands"
version = 2
name = "Banded"
effective_from = 2026-04-01
conversion = "bands"
tolerance_percent = 5
panel_threshold_pence = 2000000
[[bands]]
from_points = 0
to_points = 4
annual_pence = 0
[[bands]]
from_points = 5
to_points = 14
annual_pence = 250000
[[bands]]
from_points = 15
annual_pence = 900000
[[sections]]
id = "daily_living"
title = "Daily living"
questions = { nutrition = { none = 0, some_help = 6 }, hygiene = { none = 0, some_help = 5, full_help = 9 } }
"#;
        let model = AllocationModel::parse(banded).unwrap();
        let low = calculate(&model, &answers(&[("nutrition", "none"), ("hygiene", "some_help")])).unwrap();
        assert_eq!(low.total_pence, 250_000);
        let high = calculate(&model, &answers(&[("nutrition", "some_help"), ("hygiene", "full_help")])).unwrap();
        assert_eq!(high.total_pence, 900_000);
        assert!(high.describe_conversion().contains("15 points or more"));
    }

    #[test]
    fn a_model_with_a_typo_is_refused_with_its_line() {
        let typo = PRICE_MODEL.replace("tolerance_percent = 10", "tolerence_percent = 10");
        let error = AllocationModel::parse(&typo).unwrap_err();
        assert!(error.reason.contains("tolerence_percent"), "{error}");
        assert_eq!(error.line, Some(8));
        let bad_conversion = PRICE_MODEL.replace("conversion = \"price_per_point\"", "conversion = \"price-per-point\"");
        let error = AllocationModel::parse(&bad_conversion).unwrap_err();
        assert_eq!(error.line, Some(6));
    }

    #[test]
    fn bands_with_a_gap_are_refused() {
        let gap = "id = \"g\"\nversion = 1\nname = \"G\"\neffective_from = 2026-04-01\nconversion = \"bands\"\ntolerance_percent = 5\npanel_threshold_pence = 1\n[[bands]]\nfrom_points = 0\nto_points = 4\nannual_pence = 0\n[[bands]]\nfrom_points = 6\nannual_pence = 10\n[[sections]]\nid = \"s\"\ntitle = \"S\"\nquestions = { q = { a = 1 } }\n";
        let error = AllocationModel::parse(gap).unwrap_err();
        assert_eq!(error.line, Some(13));
        assert!(error.reason.contains("start at 5"));
    }

    #[test]
    fn unknown_and_missing_answers_are_errors() {
        let model = AllocationModel::parse(PRICE_MODEL).unwrap();
        assert!(matches!(
            calculate(&model, &answers(&[("nutrition", "lots")])),
            Err(AllocationError::UnknownAnswer { .. })
        ));
        assert!(matches!(
            calculate(&model, &answers(&[("walking", "none")])),
            Err(AllocationError::UnknownQuestion(_))
        ));
        assert!(matches!(
            calculate(&model, &answers(&[("nutrition", "none")])),
            Err(AllocationError::Unanswered(_))
        ));
    }

    #[test]
    fn over_tolerance_plans_need_a_second_approval() {
        let model = AllocationModel::parse(PRICE_MODEL).unwrap();
        let indicative = Money::from_pence(1_000_000);
        assert!(!needs_second_approval(&model, indicative, Money::from_pence(1_100_000)));
        assert!(needs_second_approval(&model, indicative, Money::from_pence(1_100_001)));
        assert!(needs_second_approval(
            &model,
            Money::from_pence(2_900_000),
            Money::from_pence(3_000_001)
        ));
    }
}
