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
//!
//! This file is long because the model's format, its checks and the calculation are one unit:
//! each check names the rule of the calculation it protects.
//!
//! Long because the resource allocation system is one model: parsing it, scoring answers and findings, checking it, and the tests beside each rule.

use crate::config_file::{self, at, ConfigError};
use crate::eligibility::{AdultOutcome, AssessmentKind, CarerOutcome, EligibilityFindings, UnableReason};
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
    eligibility: Option<EligibilityFile>,
    sections: Vec<SectionFile>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct EligibilityFile {
    kind: Spanned<String>,
    outcomes: Spanned<BTreeMap<String, String>>,
    minimum_answer: Spanned<BTreeMap<String, String>>,
    health_question: Option<Spanned<String>>,
    health_minimum_answer: Option<String>,
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
    carer_question: Option<Spanned<String>>,
    #[serde(default)]
    carer_willing_and_able: Vec<String>,
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

/// Only where the carer is recorded as willing and able to keep caring may their help reduce
/// the allocation: the question that records it, and the answers that mean yes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CarerCondition {
    pub question: String,
    pub willing_and_able: Vec<String>,
}

/// How the eligibility decision scores: an outcome found unachievable, for whatever reason,
/// scores at least the points of a given answer to the question that covers it. Without this a
/// person in pain, at risk, or taking far longer, who needs no one's help, could score nothing.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EligibilityRule {
    pub kind: AssessmentKind,
    /// Outcome code, and the question that covers it.
    pub outcomes: Vec<(String, Arc<str>)>,
    /// For each way of being unable, the answer whose points are the least it scores.
    pub minimum_answer: Vec<(UnableReason, Arc<str>)>,
    /// Carers: the question about their health, and the least it scores when it is at risk.
    pub health: Option<(Arc<str>, Arc<str>)>,
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
    #[serde(default)]
    pub informal_support_condition: Option<CarerCondition>,
    pub carers_allocation: Option<AnswerRule>,
    #[serde(default)]
    pub eligibility: Option<EligibilityRule>,
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
        let informal_support_condition = match &file.informal_support {
            Some(AnswerPercentFile {
                carer_question: Some(question),
                carer_willing_and_able,
                ..
            }) => {
                if carer_willing_and_able.is_empty() {
                    return Err(at(
                        text,
                        question,
                        "carer_question needs carer_willing_and_able: the answers that mean the carer is willing and able to keep caring",
                    ));
                }
                if seen_questions.contains_key(question.get_ref()) {
                    return Err(at(
                        text,
                        question,
                        "carer_question adjusts the allocation, so it cannot also score points",
                    ));
                }
                Some(CarerCondition {
                    question: question.get_ref().clone(),
                    willing_and_able: carer_willing_and_able.clone(),
                })
            }
            _ => None,
        };
        let eligibility = match &file.eligibility {
            Some(rule) => Some(eligibility_rule(text, rule, &sections)?),
            None => None,
        };
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
            informal_support_condition,
            carers_allocation,
            eligibility,
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
        if let Some(condition) = &self.informal_support_condition {
            all.entry(&condition.question)
                .or_insert_with(|| condition.willing_and_able.iter().map(String::as_str).collect());
        }
        all
    }

    fn question(&self, id: &str) -> Option<&ScoredQuestion> {
        self.sections
            .iter()
            .flat_map(|section| section.questions.iter())
            .find(|question| question.id.as_ref() == id)
    }

    /// The points to convert for a score: the conversion alone, before informal support and any
    /// carers' allocation.
    fn money_for_points(&self, points: i64) -> i64 {
        match &self.conversion {
            Conversion::PricePerPoint { pence_per_point } => points.saturating_mul(*pence_per_point),
            Conversion::Bands { bands } => bands
                .iter()
                .rev()
                .find(|band| points >= band.from_points)
                .map_or(0, |band| band.annual_pence),
        }
    }

    /// What a council should look at before using the model: ways an eligible person could get
    /// nothing. Warnings, not refusals, because a council may have reasons; each says what to do.
    pub fn check(&self) -> Vec<String> {
        let mut warnings = Vec::new();
        if self.informal_support.is_some() && self.informal_support_condition.is_none() {
            warnings.push(
                "[informal_support] has no carer_question: help from a carer who is not willing and able to keep caring would still reduce the allocation"
                    .to_owned(),
            );
        }
        let Some(rule) = &self.eligibility else {
            warnings.push(
                "the model has no [eligibility]: someone unable to achieve an outcome because of pain, distress, risk or the time it takes, but who needs no one's help, may score nothing for it"
                    .to_owned(),
            );
            return warnings;
        };
        // The least each way of being eligible scores, by the question it lands on.
        let floor = |question: &str, reason: UnableReason| -> Option<i64> {
            let answer = rule.minimum_answer.iter().find(|(found, _)| *found == reason)?.1.clone();
            self.question(question)?.points_for(&answer).map(|(_, points)| points)
        };
        let least_per_outcome: Vec<(String, Arc<str>, i64)> = rule
            .outcomes
            .iter()
            .filter_map(|(outcome, question)| {
                UnableReason::ALL
                    .iter()
                    .filter(|reason| reason.applies_to(rule.kind))
                    .filter_map(|reason| floor(question, *reason))
                    .min()
                    .map(|points| (outcome.clone(), question.clone(), points))
            })
            .collect();
        let mut least: Vec<(String, i64)> = Vec::new();
        match rule.kind {
            AssessmentKind::Carer => {
                least.extend(least_per_outcome.iter().map(|(outcome, _, points)| (outcome.clone(), *points)));
                if let Some((question, answer)) = &rule.health {
                    if let Some((_, points)) = self.question(question).and_then(|found| found.points_for(answer)) {
                        least.push(("their health at risk".to_owned(), points));
                    }
                }
            }
            AssessmentKind::Adult => {
                for (index, (first, first_question, first_points)) in least_per_outcome.iter().enumerate() {
                    for (second, second_question, second_points) in &least_per_outcome[index + 1..] {
                        // Two outcomes covered by one question score once, at the higher floor.
                        let points = if first_question == second_question {
                            (*first_points).max(*second_points)
                        } else {
                            first_points + second_points
                        };
                        least.push((format!("{first} and {second}"), points));
                    }
                }
            }
        }
        for (profile, points) in least {
            if self.money_for_points(points) == 0 {
                warnings.push(format!(
                    "someone eligible only through {profile} scores {points} points, which the model turns into £0: give that score some money"
                ));
            }
        }
        warnings
    }
}

fn eligibility_rule(text: &str, file: &EligibilityFile, sections: &[ScoredSection]) -> Result<EligibilityRule, ConfigError> {
    let kind = match file.kind.get_ref().as_str() {
        "adult" => AssessmentKind::Adult,
        "carer" => AssessmentKind::Carer,
        other => return Err(at(text, &file.kind, format!("kind must be \"adult\" or \"carer\", not {other:?}"))),
    };
    let question = |id: &str| {
        sections
            .iter()
            .flat_map(|section| section.questions.iter())
            .find(|question| question.id.as_ref() == id)
    };
    let mut minimum_answer = Vec::new();
    for (reason, answer) in file.minimum_answer.get_ref() {
        let Some(reason) = UnableReason::parse(reason).filter(|found| found.applies_to(kind)) else {
            return Err(at(
                text,
                &file.minimum_answer,
                format!(
                    "{reason:?} is not a way a {} can be unable to achieve an outcome",
                    file.kind.get_ref()
                ),
            ));
        };
        minimum_answer.push((reason, Arc::from(answer.as_str())));
    }
    let mut outcomes = Vec::new();
    for (outcome, question_id) in file.outcomes.get_ref() {
        let known = match kind {
            AssessmentKind::Adult => AdultOutcome::parse(outcome).is_some(),
            AssessmentKind::Carer => CarerOutcome::parse(outcome).is_some(),
        };
        if !known {
            return Err(at(
                text,
                &file.outcomes,
                format!(
                    "{outcome:?} is not one of the {} outcomes in the eligibility regulations",
                    file.kind.get_ref()
                ),
            ));
        }
        let Some(scored) = question(question_id) else {
            return Err(at(
                text,
                &file.outcomes,
                format!("{question_id:?} is not a question the model scores"),
            ));
        };
        for (reason, answer) in &minimum_answer {
            if scored.points_for(answer).is_none() {
                return Err(at(
                    text,
                    &file.minimum_answer,
                    format!(
                        "question {question_id:?} has no answer {answer:?}, the least for {}",
                        reason.as_str()
                    ),
                ));
            }
        }
        outcomes.push((outcome.clone(), scored.id.clone()));
    }
    let health = match (&file.health_question, &file.health_minimum_answer) {
        (None, None) => None,
        (Some(health), Some(answer)) if kind == AssessmentKind::Carer => {
            let Some(scored) = question(health.get_ref()) else {
                return Err(at(text, health, "health_question is not a question the model scores"));
            };
            if scored.points_for(answer).is_none() {
                return Err(at(text, health, format!("the health question has no answer {answer:?}")));
            }
            Some((scored.id.clone(), Arc::from(answer.as_str())))
        }
        (Some(health), _) => return Err(at(text, health, "health_question is for carers, and needs health_minimum_answer")),
        (None, Some(_)) => {
            return Err(at(text, &file.kind, "health_minimum_answer needs health_question"));
        }
    };
    Ok(EligibilityRule {
        kind,
        outcomes,
        minimum_answer,
        health,
    })
}

/// Which conversion turned the points into money, with the figures it used.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScoredLine {
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub question: Arc<str>,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub answer: Arc<str>,
    pub points: i64,
    /// Set when the eligibility decision raised the points above what the answer scores: why.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub raised_because: Option<String>,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SectionResult {
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub id: Arc<str>,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub title: Arc<str>,
    pub points: i64,
    /// Inline for sections of up to four questions, so a calculation allocates little.
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<ScoredLine>))]
    pub lines: smallvec::SmallVec<[ScoredLine; 4]>,
}

/// The indicative budget and every step that led to it.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AllocationResult {
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub model_id: Arc<str>,
    pub model_version: i64,
    pub total_points: i64,
    pub sections: Vec<SectionResult>,
    /// How the points became money; `describe_conversion` puts it in words.
    pub conversion: AppliedConversion,
    pub from_points_pence: i64,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub informal_support_answer: Option<Arc<str>>,
    pub informal_support_percent: i64,
    pub informal_support_reduction_pence: i64,
    /// Set when the answer would have reduced the allocation but the carer is not recorded as
    /// willing and able to keep caring, so it did not.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub informal_support_not_applied: Option<String>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub carers_allocation_answer: Option<Arc<str>>,
    pub carers_allocation_pence: i64,
    /// The indicative annual budget.
    pub total_pence: i64,
    /// The same, per week (annual ÷ the weeks in a year by `year_rule`, to the nearest penny,
    /// halves up), for people who think in weeks.
    pub weekly_pence: i64,
    /// The year rule `weekly_pence` was worked out under [L]; kept with the result, so an
    /// allocation shows the weekly figure it was made with after the council changes its rule.
    #[serde(default)]
    pub year_rule: crate::money::YearRule,
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

/// Works out the indicative budget from a model and a person's answers alone.
pub fn calculate(model: &AllocationModel, answers: &Answers) -> Result<AllocationResult, AllocationError> {
    calculate_with_findings(model, answers, None)
}

/// The least each question scores because of the eligibility findings, with the reason in words.
fn eligibility_floors(model: &AllocationModel, findings: Option<&EligibilityFindings>) -> BTreeMap<Arc<str>, (i64, String)> {
    let mut floors: BTreeMap<Arc<str>, (i64, String)> = BTreeMap::new();
    let (Some(rule), Some(findings)) = (&model.eligibility, findings) else {
        return floors;
    };
    if rule.kind != findings.kind {
        return floors;
    }
    let mut raise = |question: &Arc<str>, answer: &str, why: String| {
        let Some(points) = model
            .question(question)
            .and_then(|found| found.points_for(answer))
            .map(|(_, points)| points)
        else {
            return;
        };
        if floors.get(question).is_none_or(|(existing, _)| points > *existing) {
            floors.insert(question.clone(), (points, why));
        }
    };
    for finding in &findings.outcomes {
        let Some(reason) = finding.unable.filter(|reason| reason.applies_to(findings.kind)) else {
            continue;
        };
        let Some((_, question)) = rule.outcomes.iter().find(|(outcome, _)| *outcome == finding.outcome) else {
            continue;
        };
        let Some((_, answer)) = rule.minimum_answer.iter().find(|(found, _)| *found == reason) else {
            continue;
        };
        let outcome = crate::eligibility::outcome_label(&finding.outcome).unwrap_or(&finding.outcome);
        raise(
            question,
            answer,
            format!(
                "the eligibility decision found that for \"{outcome}\" they {}, so it counts at least as much as the answer \"{answer}\"",
                reason.label().to_lowercase()
            ),
        );
    }
    if findings.carer_health_at_risk {
        if let Some((question, answer)) = &rule.health {
            raise(
                question,
                answer,
                format!("the eligibility decision found the carer's health is at risk, so it counts at least as much as the answer \"{answer}\""),
            );
        }
    }
    floors
}

/// Works out the indicative budget from a model, a person's answers and, where there is one, the
/// eligibility decision's findings: an outcome found unachievable scores at least the model's
/// least for it, whatever the answers say about help from another person.
pub fn calculate_with_findings(
    model: &AllocationModel,
    answers: &Answers,
    findings: Option<&EligibilityFindings>,
) -> Result<AllocationResult, AllocationError> {
    let floors = eligibility_floors(model, findings);
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
                    let (answer_name, answered) = question.points_for(answer).ok_or_else(|| AllocationError::UnknownAnswer {
                        question: question.id.to_string(),
                        answer: answer.clone(),
                    })?;
                    let (scored, raised_because) = match floors.get(&question.id) {
                        Some((floor, why)) if *floor > answered => (*floor, Some(why.clone())),
                        _ => (answered, None),
                    };
                    points = points.checked_add(scored).ok_or(AllocationError::Overflow)?;
                    lines.push(ScoredLine {
                        question: question.id.clone(),
                        answer: answer_name.clone(),
                        points: scored,
                        raised_because,
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
    let carer_answer = match &model.informal_support_condition {
        Some(condition) if condition.question != model.carers_allocation.as_ref().map_or("", |rule| rule.question.as_str()) => {
            match answers.get(&condition.question) {
                Some(answer) => {
                    used += 1;
                    Some(answer.clone())
                }
                None => {
                    unanswered.push(condition.question.clone());
                    None
                }
            }
        }
        Some(condition) => answers.get(&condition.question).cloned(),
        None => None,
    };
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
    let (informal_support_answer, mut informal_support_percent) = match informal {
        Some((answer, percent)) => (Some(answer), percent),
        None => (None, 0),
    };
    let mut informal_support_not_applied = None;
    if let Some(condition) = &model.informal_support_condition {
        let willing = carer_answer
            .as_ref()
            .is_some_and(|answer| condition.willing_and_able.iter().any(|yes| yes == answer));
        if informal_support_percent > 0 && !willing {
            informal_support_not_applied = Some(format!(
                "Help from family or friends does not reduce your budget, because your carer is not recorded as willing and able to keep caring (\"{}\").",
                carer_answer.unwrap_or_default()
            ));
            informal_support_percent = 0;
        }
    }
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
        informal_support_not_applied,
        carers_allocation_answer,
        carers_allocation_pence,
        total_pence,
        weekly_pence: Money::from_pence(total_pence)
            .weekly_from_annual(crate::money::YearRule::default())
            .pence(),
        year_rule: crate::money::YearRule::default(),
    })
}

impl AllocationResult {
    /// The same result with its weekly figure worked out under the council's year rule.
    pub fn under_year_rule(mut self, rule: crate::money::YearRule) -> AllocationResult {
        self.weekly_pence = Money::from_pence(self.total_pence).weekly_from_annual(rule).pence();
        self.year_rule = rule;
        self
    }

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

    mod eligible_needs {
        use super::*;
        use crate::eligibility::{outcomes, EligibilityFindings, OutcomeFinding};

        const ADULT: &str = include_str!("../../../config/allocation/adult.toml");
        const CARER: &str = include_str!("../../../config/allocation/carer.toml");

        /// Every question answered with its lowest-scoring answer, then the given ones.
        fn lowest(model: &AllocationModel, given: &[(&str, &str)]) -> Answers {
            let mut all: Answers = model
                .sections
                .iter()
                .flat_map(|section| section.questions.iter())
                .map(|question| {
                    let (answer, _) = question.points.iter().min_by_key(|(_, points)| *points).unwrap();
                    (question.id.to_string(), answer.to_string())
                })
                .collect();
            for (question, answer) in given {
                all.insert(question.to_string(), answer.to_string());
            }
            all
        }

        fn findings(kind: AssessmentKind, unable: &[(&str, UnableReason)], health_at_risk: bool) -> EligibilityFindings {
            EligibilityFindings {
                kind,
                needs_condition_met: true,
                carer_health_at_risk: health_at_risk,
                outcomes: outcomes(kind)
                    .into_iter()
                    .map(|(code, _)| OutcomeFinding {
                        outcome: code.into(),
                        unable: unable.iter().find(|(found, _)| *found == code).map(|(_, reason)| *reason),
                        evidence: String::new(),
                    })
                    .collect(),
                significant_impact_on_wellbeing: true,
                wellbeing_reasons: "Their health is suffering.".into(),
            }
        }

        #[test]
        fn a_carer_eligible_only_through_their_health_gets_a_budget_from_the_shipped_model() {
            let model = AllocationModel::parse(CARER).unwrap();
            let answers = lowest(&model, &[]);
            let decision = findings(AssessmentKind::Carer, &[], true);
            assert!(crate::eligibility::decide(&decision).eligible);
            let result = calculate_with_findings(&model, &answers, Some(&decision)).unwrap();
            // Health at risk counts as "at_risk": 5 points, in the band for 1 to 15 points, £300 a year.
            assert_eq!(result.total_points, 5);
            assert_eq!(result.total_pence, 30_000);
            assert!(result.sections[0].lines[0]
                .raised_because
                .as_deref()
                .unwrap()
                .contains("health is at risk"));
            assert!(model.check().is_empty(), "{:?}", model.check());
        }

        #[test]
        fn the_old_carer_bands_are_warned_about_because_an_eligible_carer_got_nothing() {
            let old = CARER
                .replace("to_points = 0\n", "to_points = 5\n")
                .replace("from_points = 1\nto_points = 15", "from_points = 6\nto_points = 15");
            let model = AllocationModel::parse(&old).unwrap();
            let warnings = model.check();
            assert!(
                warnings
                    .iter()
                    .any(|warning| warning.contains("health at risk") && warning.contains("£0")),
                "{warnings:?}"
            );
        }

        #[test]
        fn an_adult_in_pain_scores_for_the_outcome_though_they_need_no_help() {
            let model = AllocationModel::parse(ADULT).unwrap();
            let answers = lowest(&model, &[("informal_support", "none"), ("carer_coping", "no_carer")]);
            assert_eq!(calculate(&model, &answers).unwrap().total_pence, 0);
            let decision = findings(
                AssessmentKind::Adult,
                &[
                    ("managing_and_maintaining_nutrition", UnableReason::PainDistressAnxiety),
                    ("maintaining_personal_hygiene", UnableReason::PainDistressAnxiety),
                ],
                false,
            );
            let result = calculate_with_findings(&model, &answers, Some(&decision)).unwrap();
            // Each counts as "some_help": 6 + 6 = 12 points × £300 = £3,600.
            assert_eq!(result.total_points, 12);
            assert_eq!(result.total_pence, 360_000);
            let nutrition = &result.sections[0].lines[0];
            assert_eq!(nutrition.answer.as_ref(), "none");
            assert!(nutrition.raised_because.as_deref().unwrap().contains("pain"));
            assert!(model.check().is_empty(), "{:?}", model.check());
        }

        #[test]
        fn an_answer_scoring_more_than_the_finding_is_kept() {
            let model = AllocationModel::parse(ADULT).unwrap();
            let answers = lowest(
                &model,
                &[
                    ("nutrition", "full_help"),
                    ("informal_support", "none"),
                    ("carer_coping", "no_carer"),
                ],
            );
            let decision = findings(
                AssessmentKind::Adult,
                &[("managing_and_maintaining_nutrition", UnableReason::TakesLonger)],
                false,
            );
            let result = calculate_with_findings(&model, &answers, Some(&decision)).unwrap();
            assert_eq!(result.sections[0].points, 10);
            assert!(result.sections[0].lines[0].raised_because.is_none());
        }

        #[test]
        fn help_from_a_carer_who_is_struggling_does_not_reduce_the_budget() {
            let model = AllocationModel::parse(ADULT).unwrap();
            let coping = lowest(
                &model,
                &[("hygiene", "full_help"), ("informal_support", "lots"), ("carer_coping", "coping")],
            );
            let result = calculate(&model, &coping).unwrap();
            // 10 points × £300 = £3,000, less 25% = £2,250.
            assert_eq!(result.total_pence, 225_000);
            let mut struggling = coping.clone();
            struggling.insert("carer_coping".into(), "struggling".into());
            let result = calculate(&model, &struggling).unwrap();
            // No reduction, and the carers' allocation of £1,000: £3,000 + £1,000.
            assert_eq!(result.informal_support_reduction_pence, 0);
            assert_eq!(result.total_pence, 400_000);
            assert!(result.informal_support_not_applied.as_deref().unwrap().contains("willing and able"));
        }

        #[test]
        fn a_model_without_the_eligibility_rule_or_the_carer_condition_is_warned_about() {
            let model = AllocationModel::parse(PRICE_MODEL).unwrap();
            let warnings = model.check();
            assert_eq!(warnings.len(), 2, "{warnings:?}");
        }

        #[test]
        fn an_eligibility_rule_naming_an_unknown_outcome_or_answer_is_refused_with_its_line() {
            let wrong_outcome = ADULT.replace("managing_toilet_needs = \"toilet\"", "toileting = \"toilet\"");
            let error = AllocationModel::parse(&wrong_outcome).unwrap_err();
            assert!(error.line.is_some() && error.reason.contains("toileting"), "{error}");
            let wrong_answer = ADULT.replace("takes_longer = \"prompting\"", "takes_longer = \"a_little\"");
            assert!(AllocationModel::parse(&wrong_answer).unwrap_err().reason.contains("a_little"));
        }
    }
}
