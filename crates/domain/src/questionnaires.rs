//! Questionnaires for supported self-assessment, as versioned, effective-dated configuration
//! (docs/questionnaires.md). Each question has graded answers (the allocation model scores them)
//! and may say which eligibility outcome it informs.

use crate::config_file::{self, at, ConfigError};
use crate::eligibility::{AdultOutcome, AssessmentKind, CarerOutcome};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use toml::Spanned;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct QuestionnaireFile {
    id: Spanned<String>,
    version: Spanned<i64>,
    kind: Spanned<String>,
    title: String,
    effective_from: Spanned<toml::value::Datetime>,
    #[serde(default)]
    introduction: String,
    sections: Vec<SectionFile>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SectionFile {
    id: Spanned<String>,
    title: String,
    #[serde(default)]
    introduction: String,
    questions: Vec<QuestionFile>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct QuestionFile {
    id: Spanned<String>,
    text: String,
    #[serde(default)]
    help: String,
    outcome: Option<Spanned<String>>,
    answers: Vec<AnswerFile>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AnswerFile {
    id: Spanned<String>,
    text: String,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Answer {
    pub id: String,
    pub text: String,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Question {
    pub id: String,
    pub text: String,
    pub help: String,
    /// The eligibility outcome this question informs, by code.
    pub outcome: Option<String>,
    /// From least to most need: the order is the grading.
    pub answers: Vec<Answer>,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Section {
    pub id: String,
    pub title: String,
    pub introduction: String,
    pub questions: Vec<Question>,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Questionnaire {
    pub id: String,
    pub version: i64,
    pub kind: AssessmentKind,
    pub title: String,
    pub effective_from: NaiveDate,
    pub introduction: String,
    pub sections: Vec<Section>,
}

impl Questionnaire {
    pub fn parse(text: &str) -> Result<Questionnaire, ConfigError> {
        let file: QuestionnaireFile = config_file::parse(text)?;
        let kind = AssessmentKind::parse(file.kind.get_ref()).ok_or_else(|| at(text, &file.kind, "kind must be \"adult\" or \"carer\""))?;
        if *file.version.get_ref() < 1 {
            return Err(at(text, &file.version, "version must be 1 or more"));
        }
        let effective_from = {
            let datetime = file.effective_from.get_ref();
            match (datetime.date, datetime.time) {
                (Some(day), None) => NaiveDate::from_ymd_opt(i32::from(day.year), u32::from(day.month), u32::from(day.day)),
                _ => None,
            }
            .ok_or_else(|| at(text, &file.effective_from, "effective_from must be a date like 2026-04-01"))?
        };
        let mut question_ids = std::collections::BTreeSet::new();
        let mut covered = std::collections::BTreeSet::new();
        let mut sections = Vec::new();
        for section in file.sections {
            let mut questions = Vec::new();
            for question in section.questions {
                if !question_ids.insert(question.id.get_ref().clone()) {
                    return Err(at(
                        text,
                        &question.id,
                        format!("question id {:?} is used twice", question.id.get_ref()),
                    ));
                }
                let outcome = match &question.outcome {
                    Some(code) => {
                        let valid = match kind {
                            AssessmentKind::Adult => AdultOutcome::parse(code.get_ref()).is_some(),
                            AssessmentKind::Carer => CarerOutcome::parse(code.get_ref()).is_some(),
                        };
                        if !valid {
                            return Err(at(
                                text,
                                code,
                                format!(
                                    "{:?} is not one of the {} outcomes in the regulations (see docs/questionnaires.md)",
                                    code.get_ref(),
                                    kind.as_str()
                                ),
                            ));
                        }
                        covered.insert(code.get_ref().clone());
                        Some(code.get_ref().clone())
                    }
                    None => None,
                };
                if question.answers.len() < 2 {
                    return Err(at(text, &question.id, "a question needs at least two answers"));
                }
                let mut answer_ids = std::collections::BTreeSet::new();
                let mut answers = Vec::new();
                for answer in question.answers {
                    if !answer_ids.insert(answer.id.get_ref().clone()) {
                        return Err(at(
                            text,
                            &answer.id,
                            format!("answer id {:?} is used twice in this question", answer.id.get_ref()),
                        ));
                    }
                    answers.push(Answer {
                        id: answer.id.get_ref().clone(),
                        text: answer.text,
                    });
                }
                questions.push(Question {
                    id: question.id.get_ref().clone(),
                    text: question.text,
                    help: question.help,
                    outcome,
                    answers,
                });
            }
            if questions.is_empty() {
                return Err(at(text, &section.id, "a section needs at least one question"));
            }
            sections.push(Section {
                id: section.id.get_ref().clone(),
                title: section.title,
                introduction: section.introduction,
                questions,
            });
        }
        let all: Vec<&str> = match kind {
            AssessmentKind::Adult => AdultOutcome::ALL.iter().map(|outcome| outcome.as_str()).collect(),
            AssessmentKind::Carer => CarerOutcome::ALL.iter().map(|outcome| outcome.as_str()).collect(),
        };
        let missing: Vec<&str> = all.into_iter().filter(|code| !covered.contains(*code)).collect();
        if !missing.is_empty() {
            return Err(ConfigError {
                line: None,
                reason: format!("no question informs these outcomes: {}", missing.join(", ")),
            });
        }
        Ok(Questionnaire {
            id: file.id.get_ref().clone(),
            version: *file.version.get_ref(),
            kind,
            title: file.title,
            effective_from,
            introduction: file.introduction,
            sections,
        })
    }

    pub fn questions(&self) -> impl Iterator<Item = &Question> {
        self.sections.iter().flat_map(|section| section.questions.iter())
    }

    pub fn question(&self, id: &str) -> Option<&Question> {
        self.questions().find(|question| question.id == id)
    }

    /// The question after this one, for one-question-a-page forms.
    /// The question before `id`, in the order they are asked; `None` for the first.
    pub fn previous_question(&self, id: &str) -> Option<&Question> {
        let questions: Vec<&Question> = self.questions().collect();
        let position = questions.iter().position(|question| question.id == id)?;
        position.checked_sub(1).map(|before| questions[before])
    }

    /// Where someone carrying on should go: the first question not yet answered, or `None`
    /// when every question has an answer (then it is time to check them).
    pub fn first_unanswered<'a>(&'a self, answers: &crate::allocation::Answers) -> Option<&'a Question> {
        self.questions().find(|question| !answers.contains_key(&question.id))
    }

    pub fn next_question(&self, id: &str) -> Option<&Question> {
        let mut questions = self.questions();
        questions.by_ref().find(|question| question.id == id);
        questions.next()
    }

    /// Checks that an allocation model scores exactly this questionnaire's questions and answers.
    pub fn check_model(&self, model: &crate::allocation::AllocationModel) -> Result<(), String> {
        let scored = model.questions();
        for question in self.questions() {
            let Some(answers) = scored.get(question.id.as_str()) else {
                return Err(format!("the allocation model does not score question {:?}", question.id));
            };
            for answer in &question.answers {
                if !answers.contains(&answer.id.as_str()) {
                    return Err(format!(
                        "the allocation model has no points for answer {:?} to question {:?}",
                        answer.id, question.id
                    ));
                }
            }
        }
        for question in scored.keys() {
            if self.question(question).is_none() {
                return Err(format!(
                    "the allocation model scores {question:?}, which the questionnaire does not ask"
                ));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::allocation::AllocationModel;

    const ADULT: &str = include_str!("../../../config/questionnaires/adult.toml");
    const CARER: &str = include_str!("../../../config/questionnaires/carer.toml");
    const ADULT_MODEL: &str = include_str!("../../../config/allocation/adult.toml");
    const CARER_MODEL: &str = include_str!("../../../config/allocation/carer.toml");

    #[test]
    fn the_default_questionnaires_cover_every_outcome_and_match_their_models() {
        let adult = Questionnaire::parse(ADULT).unwrap();
        let carer = Questionnaire::parse(CARER).unwrap();
        assert_eq!(adult.kind, AssessmentKind::Adult);
        assert_eq!(carer.kind, AssessmentKind::Carer);
        adult.check_model(&AllocationModel::parse(ADULT_MODEL).unwrap()).unwrap();
        carer.check_model(&AllocationModel::parse(CARER_MODEL).unwrap()).unwrap();
        assert_eq!(
            adult.next_question("nutrition").map(|question| question.id.as_str()),
            Some("hygiene")
        );
    }

    #[test]
    fn an_unknown_outcome_is_refused_with_its_line() {
        let broken = ADULT.replacen("outcome = \"managing_toilet_needs\"", "outcome = \"managing_toilet\"", 1);
        let error = Questionnaire::parse(&broken).unwrap_err();
        let expected_line = ADULT.lines().position(|line| line.contains("managing_toilet_needs")).unwrap() + 1;
        assert_eq!(error.line, Some(expected_line));
        assert!(error.reason.contains("managing_toilet"));
    }

    #[test]
    fn a_questionnaire_missing_an_outcome_is_refused() {
        let broken = ADULT.replacen("outcome = \"managing_toilet_needs\"\n", "", 1);
        assert!(Questionnaire::parse(&broken).unwrap_err().reason.contains("managing_toilet_needs"));
    }
}
