//! Steps 1 to 3 on the web: the self-assessment one question a page, the council's check, the
//! eligibility decision and letter, "how we worked this out", the financial assessment, the
//! support plan with its cost checked against the budget, sign-off, and the budget statement.

use super::people::{form_page, Field, FormPage};
use super::{choices, render, render_form, Choice, PageContext};
use crate::context::{CsrfForm, CurrentActor, RequestContext};
use crate::errors::PageError;
use crate::AppState;
use askama::Template;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use std::collections::HashMap;
use tailor_app::steps::PlanningOverview;
use tailor_app::AppError;
use tailor_domain::access::{Capability, Role};
use tailor_domain::allocation::AllocationResult;
use tailor_domain::assessments::{AllocationRecord, Assessment, AssessmentStatus, EligibilityRecord};
use tailor_domain::charging::{FinancialInput, Household, IncomeSource, NeverCharged, MAX_FINANCIAL_LINES};
use tailor_domain::eligibility::{outcome_label, outcomes, AssessmentKind, EligibilityFindings, OutcomeFinding, UnableReason};
use tailor_domain::money::Money;
use tailor_domain::plans::*;
use tailor_domain::questionnaires::Questionnaire;
use tailor_domain::validation::ValidationErrors;
use tailor_domain::PersonId;
use tailor_domain::{AllocationId, AssessmentId, BudgetId, ChallengeId, PlanId};

macro_rules! try_page {
    ($result:expr) => {
        match $result {
            Ok(value) => value,
            Err(error) => return PageError::from(error).into_response(),
        }
    };
}

/// The `{id}` of an assessment, allocation, plan or budget page; a malformed id is a 404 page.
pub struct RecordPath<T>(pub T);

impl<S: Send + Sync, T: std::str::FromStr> axum::extract::FromRequestParts<S> for RecordPath<T> {
    type Rejection = Response;
    async fn from_request_parts(parts: &mut axum::http::request::Parts, state: &S) -> Result<Self, Self::Rejection> {
        let Path(parameters) = Path::<HashMap<String, String>>::from_request_parts(parts, state)
            .await
            .map_err(|_| PageError::App(AppError::NotFound).into_response())?;
        parameters
            .get("id")
            .and_then(|id| id.parse().ok())
            .map(RecordPath)
            .ok_or_else(|| PageError::App(AppError::NotFound).into_response())
    }
}

fn money(pence: i64) -> String {
    Money::from_pence(pence).to_string()
}

// Starting and answering

#[derive(Deserialize, Default)]
pub struct StartInput {
    #[serde(default)]
    kind: String,
}

pub async fn start_assessment(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    super::people::PersonPath(person_id): super::people::PersonPath,
    CsrfForm(input): CsrfForm<StartInput>,
) -> Response {
    let kind = AssessmentKind::parse(&input.kind).unwrap_or(AssessmentKind::Adult);
    let assessment = try_page!(state.app.start_assessment(&actor, person_id, kind).await);
    let (_, questionnaire, _) = try_page!(state.app.open_assessment(&actor, assessment.id).await);
    let next = questionnaire
        .questions()
        .find(|question| !assessment.answers.contains_key(&question.id));
    match next {
        Some(question) => Redirect::to(&format!("/assessments/{}/questions/{}", assessment.id, question.id)).into_response(),
        None => Redirect::to(&format!("/assessments/{}/check", assessment.id)).into_response(),
    }
}

#[derive(Template)]
#[template(path = "question.html")]
struct QuestionPage {
    page: PageContext,
    errors: ValidationErrors,
    assessment_id: String,
    section_title: String,
    question_id: String,
    text: String,
    help: String,
    options: Vec<Choice>,
    number: usize,
    count: usize,
    sent_back_reason: Option<String>,
}

fn question_page(
    state: &AppState,
    context: &RequestContext,
    assessment: &Assessment,
    questionnaire: &Questionnaire,
    question_id: &str,
    errors: ValidationErrors,
) -> Response {
    let Some((number, (section, question))) = questionnaire
        .sections
        .iter()
        .flat_map(|section| section.questions.iter().map(move |question| (section, question)))
        .enumerate()
        .find(|(_, (_, question))| question.id == question_id)
    else {
        return PageError::App(AppError::NotFound).into_response();
    };
    let selected = assessment.answers.get(question_id).cloned().unwrap_or_default();
    let sent_back_reason = assessment
        .review
        .as_ref()
        .filter(|review| !review.accepted && review.questions_sent_back.iter().any(|id| id == question_id))
        .map(|review| review.reason.clone());
    let page = QuestionPage {
        page: PageContext::new(state, context, &question.text, "").with_errors(&errors),
        errors,
        assessment_id: assessment.id.to_string(),
        section_title: section.title.clone(),
        question_id: question.id.clone(),
        text: question.text.clone(),
        help: question.help.clone(),
        options: question
            .answers
            .iter()
            .map(|answer| Choice {
                value: answer.id.clone(),
                label: answer.text.clone(),
                checked: answer.id == selected,
            })
            .collect(),
        number: number + 1,
        count: questionnaire.questions().count(),
        sent_back_reason,
    };
    render_form(&page, &page.errors)
}

pub async fn question(
    State(state): State<AppState>,
    context: RequestContext,
    CurrentActor(actor): CurrentActor,
    Path((id, question_id)): Path<(String, String)>,
) -> Response {
    let Ok(assessment_id) = id.parse::<AssessmentId>() else {
        return PageError::App(AppError::NotFound).into_response();
    };
    let (assessment, questionnaire, _) = try_page!(state.app.open_assessment(&actor, assessment_id).await);
    if !assessment.is_editable() {
        return Redirect::to(&format!("/assessments/{assessment_id}")).into_response();
    }
    question_page(
        &state,
        &context,
        &assessment,
        &questionnaire,
        &question_id,
        ValidationErrors::default(),
    )
}

#[derive(Deserialize, Default)]
pub struct AnswerInput {
    #[serde(default)]
    answer: String,
    #[serde(default)]
    then: String,
}

pub async fn answer(
    State(state): State<AppState>,
    context: RequestContext,
    CurrentActor(actor): CurrentActor,
    Path((id, question_id)): Path<(String, String)>,
    CsrfForm(input): CsrfForm<AnswerInput>,
) -> Response {
    let Ok(assessment_id) = id.parse::<AssessmentId>() else {
        return PageError::App(AppError::NotFound).into_response();
    };
    match state.app.answer_question(&actor, assessment_id, &question_id, &input.answer).await {
        Ok(assessment) => {
            let (_, questionnaire, _) = try_page!(state.app.open_assessment(&actor, assessment_id).await);
            if input.then == "check" {
                return Redirect::to(&format!("/assessments/{assessment_id}/check")).into_response();
            }
            if input.then == "later" {
                return Redirect::to(&format!("/people/{}", assessment.person_id)).into_response();
            }
            match questionnaire.next_question(&question_id) {
                Some(next) => Redirect::to(&format!("/assessments/{assessment_id}/questions/{}", next.id)).into_response(),
                None => Redirect::to(&format!("/assessments/{assessment_id}/check")).into_response(),
            }
        }
        Err(AppError::Invalid(errors)) => {
            let (assessment, questionnaire, _) = try_page!(state.app.open_assessment(&actor, assessment_id).await);
            let mut errors = errors;
            for error in &mut errors.0 {
                error.field = "answer".into();
            }
            question_page(&state, &context, &assessment, &questionnaire, &question_id, errors)
        }
        Err(error) => PageError::from(error).into_response(),
    }
}

/// One answered (or unanswered) question in a summary list.
pub struct AnswerRow {
    pub question_id: String,
    pub question: String,
    pub answer: String,
    pub sent_back: bool,
}

pub struct SectionRows {
    pub title: String,
    pub rows: Vec<AnswerRow>,
}

fn answer_rows(assessment: &Assessment, questionnaire: &Questionnaire) -> Vec<SectionRows> {
    let sent_back: Vec<&String> = assessment
        .review
        .iter()
        .filter(|review| !review.accepted)
        .flat_map(|review| review.questions_sent_back.iter())
        .collect();
    questionnaire
        .sections
        .iter()
        .map(|section| SectionRows {
            title: section.title.clone(),
            rows: section
                .questions
                .iter()
                .map(|question| AnswerRow {
                    question_id: question.id.clone(),
                    question: question.text.clone(),
                    answer: assessment
                        .answers
                        .get(&question.id)
                        .and_then(|answer| question.answers.iter().find(|candidate| &candidate.id == answer))
                        .map(|answer| answer.text.clone())
                        .unwrap_or_else(|| "Not answered yet".into()),
                    sent_back: sent_back.contains(&&question.id),
                })
                .collect(),
        })
        .collect()
}

#[derive(Template)]
#[template(path = "check_answers.html")]
struct CheckAnswersPage {
    page: PageContext,
    errors: ValidationErrors,
    assessment_id: String,
    title: String,
    sections: Vec<SectionRows>,
    complete: bool,
    sent_back_reason: Option<String>,
}

async fn check_answers_page(
    state: &AppState,
    context: &RequestContext,
    actor: &tailor_domain::access::Actor,
    assessment_id: AssessmentId,
    errors: ValidationErrors,
) -> Response {
    let (assessment, questionnaire, _) = try_page!(state.app.open_assessment(actor, assessment_id).await);
    if !assessment.is_editable() {
        return Redirect::to(&format!("/assessments/{assessment_id}")).into_response();
    }
    let page = CheckAnswersPage {
        page: PageContext::new(state, context, "Check your answers before sending them", "").with_errors(&errors),
        errors,
        assessment_id: assessment_id.to_string(),
        title: questionnaire.title.clone(),
        complete: questionnaire
            .questions()
            .all(|question| assessment.answers.contains_key(&question.id)),
        sent_back_reason: assessment
            .review
            .as_ref()
            .filter(|review| !review.accepted)
            .map(|review| review.reason.clone()),
        sections: answer_rows(&assessment, &questionnaire),
    };
    render_form(&page, &page.errors)
}

pub async fn check_answers(
    State(state): State<AppState>,
    context: RequestContext,
    CurrentActor(actor): CurrentActor,
    RecordPath(assessment_id): RecordPath<AssessmentId>,
) -> Response {
    check_answers_page(&state, &context, &actor, assessment_id, ValidationErrors::default()).await
}

#[derive(Deserialize, Default)]
pub struct Empty {}

pub async fn submit(
    State(state): State<AppState>,
    context: RequestContext,
    CurrentActor(actor): CurrentActor,
    RecordPath(assessment_id): RecordPath<AssessmentId>,
    CsrfForm(_): CsrfForm<Empty>,
) -> Response {
    match state.app.submit_assessment(&actor, assessment_id).await {
        Ok(_) => Redirect::to(&format!("/assessments/{assessment_id}")).into_response(),
        Err(AppError::Invalid(errors)) => check_answers_page(&state, &context, &actor, assessment_id, errors).await,
        Err(error) => PageError::from(error).into_response(),
    }
}

// The written record, the council's check and the eligibility decision

pub struct FindingRow {
    pub outcome: String,
    pub result: String,
    pub evidence: String,
}

#[derive(Template)]
#[template(path = "assessment.html")]
struct AssessmentPage {
    page: PageContext,
    assessment: Assessment,
    person_id: String,
    title: String,
    sections: Vec<SectionRows>,
    completed_by: String,
    can_review: bool,
    can_decide: bool,
    eligibility: Option<EligibilityRecord>,
    findings: Vec<FindingRow>,
    allocation_id: Option<String>,
    indicative: Option<String>,
}

pub async fn assessment(
    State(state): State<AppState>,
    context: RequestContext,
    CurrentActor(actor): CurrentActor,
    RecordPath(assessment_id): RecordPath<AssessmentId>,
) -> Response {
    let (assessment, questionnaire, access) = try_page!(state.app.open_assessment(&actor, assessment_id).await);
    let overview = try_page!(state.app.planning_overview(&actor, assessment.person_id).await);
    let eligibility = overview
        .eligibility
        .iter()
        .find(|record| record.assessment_id == assessment_id)
        .cloned();
    let allocation = overview.allocations.iter().find(|record| record.assessment_id == assessment_id);
    let staff = matches!(actor.role, Role::Practitioner | Role::TeamManager) && access.may(Capability::EditRecord);
    let findings = eligibility
        .as_ref()
        .map(|record| {
            record
                .findings
                .outcomes
                .iter()
                .map(|finding| FindingRow {
                    outcome: outcome_label(&finding.outcome).unwrap_or_default().to_owned(),
                    result: finding
                        .unable
                        .map(|reason| format!("Unable: {}", reason.label().to_lowercase()))
                        .unwrap_or_else(|| "Able to achieve this".into()),
                    evidence: finding.evidence.clone(),
                })
                .collect()
        })
        .unwrap_or_default();
    let page = AssessmentPage {
        page: PageContext::new(&state, &context, "Your assessment", ""),
        person_id: assessment.person_id.to_string(),
        title: questionnaire.title.clone(),
        sections: answer_rows(&assessment, &questionnaire),
        completed_by: assessment.completed_by.join(", "),
        can_review: staff && assessment.status == AssessmentStatus::Submitted,
        can_decide: staff && assessment.status == AssessmentStatus::Accepted && eligibility.is_none(),
        findings,
        allocation_id: allocation.map(|record| record.id.to_string()),
        indicative: allocation.map(|record| record.indicative().to_string()),
        eligibility,
        assessment,
    };
    render(&page)
}

#[derive(Deserialize, Default)]
pub struct ReviewInput {
    #[serde(default)]
    decision: String,
    #[serde(default)]
    questions: Vec<String>,
    #[serde(default)]
    reason: String,
}

fn review_fields(questionnaire: &Questionnaire, input: &ReviewInput) -> Vec<Field> {
    vec![
        Field::Radios {
            name: "decision",
            legend: "Is the assessment accurate and complete?",
            options: choices(
                [
                    ("accept", "Yes: accept it"),
                    ("send_back", "No: send some answers back to be looked at again"),
                ],
                &input.decision,
            ),
            hint: "Do not repeat the whole assessment: send back only the parts that are incomplete or do not fit together.",
        },
        Field::Checkboxes {
            name: "questions",
            legend: "If sending back: which answers need another look?",
            options: questionnaire
                .questions()
                .map(|question| Choice {
                    value: question.id.clone(),
                    label: question.text.clone(),
                    checked: input.questions.contains(&question.id),
                })
                .collect(),
            hint: "",
        },
        Field::Area {
            name: "reason",
            label: "If sending back: what needs another look, and why",
            value: input.reason.clone(),
            hint: "The person will read this.",
        },
    ]
}

async fn review_page_with(
    state: &AppState,
    context: &RequestContext,
    actor: &tailor_domain::access::Actor,
    assessment_id: AssessmentId,
    input: &ReviewInput,
    errors: ValidationErrors,
) -> Response {
    let (assessment, questionnaire, _) = try_page!(state.app.open_assessment(actor, assessment_id).await);
    let form = FormPage {
        heading: "Check the self-assessment",
        action: format!("/assessments/{assessment_id}/review"),
        button: "Save",
        multipart: false,
        cancel: Some(format!("/assessments/{assessment_id}")),
    };
    form_page(
        state,
        context,
        assessment.person_id,
        form,
        review_fields(&questionnaire, input),
        errors,
    )
    .await
}

pub async fn review_page(
    State(state): State<AppState>,
    context: RequestContext,
    CurrentActor(actor): CurrentActor,
    RecordPath(assessment_id): RecordPath<AssessmentId>,
) -> Response {
    review_page_with(
        &state,
        &context,
        &actor,
        assessment_id,
        &ReviewInput::default(),
        ValidationErrors::default(),
    )
    .await
}

pub async fn review(
    State(state): State<AppState>,
    context: RequestContext,
    CurrentActor(actor): CurrentActor,
    RecordPath(assessment_id): RecordPath<AssessmentId>,
    CsrfForm(input): CsrfForm<ReviewInput>,
) -> Response {
    if input.decision.is_empty() {
        let mut errors = ValidationErrors::default();
        errors.add("decision", "Select whether the assessment is accurate and complete");
        return review_page_with(&state, &context, &actor, assessment_id, &input, errors).await;
    }
    match state
        .app
        .review_assessment(&actor, assessment_id, input.decision == "accept", &input.questions, &input.reason)
        .await
    {
        Ok(_) => Redirect::to(&format!("/assessments/{assessment_id}")).into_response(),
        Err(AppError::Invalid(errors)) => review_page_with(&state, &context, &actor, assessment_id, &input, errors).await,
        Err(error) => PageError::from(error).into_response(),
    }
}

pub struct OutcomeField {
    pub code: String,
    pub label: String,
    pub informed_by: Vec<String>,
    pub options: Vec<Choice>,
    pub evidence: String,
}

#[derive(Template)]
#[template(path = "eligibility_form.html")]
struct EligibilityPage {
    page: PageContext,
    errors: ValidationErrors,
    assessment_id: String,
    person_name: String,
    is_carer: bool,
    needs_legend: String,
    outcomes: Vec<OutcomeField>,
    needs_condition: Vec<Choice>,
    carer_health: Vec<Choice>,
    impact: Vec<Choice>,
    wellbeing_reasons: String,
}

async fn eligibility_page_with(
    state: &AppState,
    context: &RequestContext,
    actor: &tailor_domain::access::Actor,
    assessment_id: AssessmentId,
    form: &HashMap<String, String>,
    errors: ValidationErrors,
) -> Response {
    let (assessment, questionnaire, _) = try_page!(state.app.open_assessment(actor, assessment_id).await);
    let person = try_page!(state.app.person_for_page(actor, assessment.person_id, "decide eligibility").await);
    let get = |key: &str| form.get(key).cloned().unwrap_or_default();
    let fields = outcomes(assessment.kind)
        .into_iter()
        .map(|(code, label)| {
            let informed_by = questionnaire
                .questions()
                .filter(|question| question.outcome.as_deref() == Some(code))
                .map(|question| {
                    let answer = assessment
                        .answers
                        .get(&question.id)
                        .and_then(|answer| question.answers.iter().find(|candidate| &candidate.id == answer))
                        .map(|answer| answer.text.as_str())
                        .unwrap_or("not answered");
                    format!("{} {}", question.text, answer)
                })
                .collect();
            let mut options = vec![("able", "Able to achieve it")];
            options.extend(
                UnableReason::ALL
                    .iter()
                    .filter(|reason| reason.applies_to(assessment.kind))
                    .map(|reason| (reason.as_str(), reason.label())),
            );
            let selected = get(&format!("outcome_{code}"));
            OutcomeField {
                code: code.into(),
                label: label.into(),
                informed_by,
                options: choices(options, if selected.is_empty() { "able" } else { &selected }),
                evidence: get(&format!("evidence_{code}")),
            }
        })
        .collect();
    let is_carer = assessment.kind == AssessmentKind::Carer;
    let page = EligibilityPage {
        page: PageContext::new(state, context, "Decide eligibility", "").with_errors(&errors),
        errors,
        assessment_id: assessment_id.to_string(),
        person_name: person.full_name(),
        is_carer,
        needs_legend: if is_carer {
            "Do the needs arise from providing necessary care to an adult?"
        } else {
            "Do the needs arise from or relate to a physical or mental impairment or illness?"
        }
        .into(),
        outcomes: fields,
        needs_condition: choices([("yes", "Yes"), ("no", "No")], &get("needs_condition_met")),
        carer_health: choices([("yes", "Yes"), ("no", "No")], &get("carer_health_at_risk")),
        impact: choices([("yes", "Yes"), ("no", "No")], &get("significant_impact")),
        wellbeing_reasons: get("wellbeing_reasons"),
    };
    render_form(&page, &page.errors)
}

pub async fn eligibility_page(
    State(state): State<AppState>,
    context: RequestContext,
    CurrentActor(actor): CurrentActor,
    RecordPath(assessment_id): RecordPath<AssessmentId>,
) -> Response {
    eligibility_page_with(
        &state,
        &context,
        &actor,
        assessment_id,
        &HashMap::new(),
        ValidationErrors::default(),
    )
    .await
}

pub async fn decide_eligibility(
    State(state): State<AppState>,
    context: RequestContext,
    CurrentActor(actor): CurrentActor,
    RecordPath(assessment_id): RecordPath<AssessmentId>,
    CsrfForm(form): CsrfForm<HashMap<String, String>>,
) -> Response {
    let (assessment, _, _) = try_page!(state.app.open_assessment(&actor, assessment_id).await);
    let mut errors = ValidationErrors::default();
    let yes = |key: &str, message: &str, errors: &mut ValidationErrors| match form.get(key).map(String::as_str) {
        Some("yes") => true,
        Some("no") => false,
        _ => {
            errors.add(key, message);
            false
        }
    };
    let needs_condition_met = yes(
        "needs_condition_met",
        if assessment.kind == AssessmentKind::Carer {
            "Select whether the needs arise from providing necessary care"
        } else {
            "Select whether the needs arise from an impairment or illness"
        },
        &mut errors,
    );
    let carer_health_at_risk = assessment.kind == AssessmentKind::Carer
        && yes("carer_health_at_risk", "Select whether the carer's health is at risk", &mut errors);
    let significant_impact_on_wellbeing = yes(
        "significant_impact",
        "Select whether there is a significant impact on wellbeing",
        &mut errors,
    );
    let findings = EligibilityFindings {
        kind: assessment.kind,
        needs_condition_met,
        carer_health_at_risk,
        outcomes: outcomes(assessment.kind)
            .into_iter()
            .map(|(code, _)| OutcomeFinding {
                outcome: code.into(),
                unable: form.get(&format!("outcome_{code}")).and_then(|value| UnableReason::parse(value)),
                evidence: form
                    .get(&format!("evidence_{code}"))
                    .map(|text| text.trim().to_owned())
                    .unwrap_or_default(),
            })
            .collect(),
        significant_impact_on_wellbeing,
        wellbeing_reasons: form.get("wellbeing_reasons").map(|text| text.trim().to_owned()).unwrap_or_default(),
    };
    if !errors.is_empty() {
        return eligibility_page_with(&state, &context, &actor, assessment_id, &form, errors).await;
    }
    match state.app.decide_eligibility(&actor, assessment_id, findings).await {
        Ok(_) => Redirect::to(&format!("/assessments/{assessment_id}")).into_response(),
        Err(AppError::Invalid(errors)) => eligibility_page_with(&state, &context, &actor, assessment_id, &form, errors).await,
        Err(error) => PageError::from(error).into_response(),
    }
}

// How the budget was worked out

pub struct WorkingRow {
    pub label: String,
    pub detail: String,
    pub amount: String,
}

#[derive(Template)]
#[template(path = "allocation.html")]
struct AllocationPage {
    page: PageContext,
    errors: ValidationErrors,
    allocation_id: String,
    person_id: String,
    result: AllocationResult,
    working: Vec<WorkingRow>,
    questions: HashMap<String, (String, String)>,
    indicative: String,
    worked_out: String,
    weekly: String,
    override_reason: Option<String>,
    override_by: Option<String>,
    can_override: bool,
    annual_input: String,
    reason_input: String,
}

fn working(result: &AllocationResult) -> Vec<WorkingRow> {
    let mut rows = vec![WorkingRow {
        label: "From your answers".into(),
        detail: result.describe_conversion(),
        amount: money(result.from_points_pence),
    }];
    if let Some(reason) = &result.informal_support_not_applied {
        rows.push(WorkingRow {
            label: "Help family and friends give".into(),
            detail: reason.clone(),
            amount: money(0),
        });
    } else if let Some(answer) = &result.informal_support_answer {
        rows.push(WorkingRow {
            label: "Less the help family and friends give".into(),
            detail: format!("{}% less, because your answer was \"{}\"", result.informal_support_percent, answer),
            amount: format!("−{}", money(result.informal_support_reduction_pence)),
        });
    }
    if result.carers_allocation_pence > 0 {
        rows.push(WorkingRow {
            label: "Plus support for your carer".into(),
            detail: "Because your carer is finding it hard".into(),
            amount: money(result.carers_allocation_pence),
        });
    }
    rows
}

async fn allocation_page_with(
    state: &AppState,
    context: &RequestContext,
    actor: &tailor_domain::access::Actor,
    allocation_id: AllocationId,
    annual: String,
    reason: String,
    errors: ValidationErrors,
) -> Response {
    let allocation: AllocationRecord = try_page!(state.app.open_allocation(actor, allocation_id).await);
    let access = try_page!(
        state
            .app
            .access_to_person(actor, allocation.person_id, "see how a budget was worked out")
            .await
    );
    let questionnaire_text: HashMap<String, (String, String)> = match state.app.open_assessment(actor, allocation.assessment_id).await {
        Ok((assessment, questionnaire, _)) => questionnaire
            .questions()
            .map(|question| {
                let answer = assessment
                    .answers
                    .get(&question.id)
                    .and_then(|answer| question.answers.iter().find(|candidate| &candidate.id == answer))
                    .map(|answer| answer.text.clone())
                    .unwrap_or_default();
                (question.id.clone(), (question.text.clone(), answer))
            })
            .collect(),
        Err(_) => HashMap::new(),
    };
    let page = AllocationPage {
        page: PageContext::new(state, context, "How we worked out your budget", "").with_errors(&errors),
        errors,
        allocation_id: allocation_id.to_string(),
        person_id: allocation.person_id.to_string(),
        working: working(&allocation.result),
        questions: questionnaire_text,
        indicative: allocation.indicative().to_string(),
        worked_out: money(allocation.result.total_pence),
        weekly: Money::from_pence(allocation.indicative().pence() / 52).to_string(),
        override_reason: allocation.override_.as_ref().map(|change| change.reason.clone()),
        override_by: allocation
            .override_
            .as_ref()
            .map(|change| format!("{} on {}", change.by_name, change.at.format("%-d %B %Y"))),
        can_override: matches!(actor.role, Role::Practitioner | Role::TeamManager) && access.may(Capability::EditRecord),
        annual_input: annual,
        reason_input: reason,
        result: allocation.result,
    };
    render_form(&page, &page.errors)
}

pub async fn allocation(
    State(state): State<AppState>,
    context: RequestContext,
    CurrentActor(actor): CurrentActor,
    RecordPath(allocation_id): RecordPath<AllocationId>,
) -> Response {
    allocation_page_with(
        &state,
        &context,
        &actor,
        allocation_id,
        String::new(),
        String::new(),
        ValidationErrors::default(),
    )
    .await
}

#[derive(Deserialize, Default)]
pub struct OverrideInput {
    #[serde(default)]
    annual: String,
    #[serde(default)]
    reason: String,
}

pub async fn override_budget(
    State(state): State<AppState>,
    context: RequestContext,
    CurrentActor(actor): CurrentActor,
    RecordPath(allocation_id): RecordPath<AllocationId>,
    CsrfForm(input): CsrfForm<OverrideInput>,
) -> Response {
    match state.app.override_budget(&actor, allocation_id, &input.annual, &input.reason).await {
        Ok(_) => Redirect::to(&format!("/allocations/{allocation_id}")).into_response(),
        Err(AppError::Invalid(errors)) => {
            allocation_page_with(&state, &context, &actor, allocation_id, input.annual, input.reason, errors).await
        }
        Err(error) => PageError::from(error).into_response(),
    }
}

// Financial assessment

pub struct IncomeRow {
    pub number: usize,
    pub sources: Vec<Choice>,
    pub weekly: String,
}

pub struct CostRow {
    pub number: usize,
    pub description: String,
    pub weekly: String,
    pub evidence: String,
}

#[derive(Template)]
#[template(path = "financial_form.html")]
struct FinancialFormPage {
    page: PageContext,
    errors: ValidationErrors,
    person_id: String,
    person_name: String,
    input: FinancialInput,
    declined: Vec<Choice>,
    households: Vec<Choice>,
    premiums: Vec<Choice>,
    income: Vec<IncomeRow>,
    housing: Vec<CostRow>,
    expenditure: Vec<CostRow>,
}

/// How many rows to show: those filled in, and `spare` more (up to the most a form takes).
fn rows_shown(columns: &[&Vec<String>], spare: usize) -> usize {
    let filled = columns
        .iter()
        .filter_map(|values| values.iter().rposition(|value| !value.trim().is_empty()))
        .max()
        .map_or(0, |last| last + 1);
    (filled + spare).min(MAX_FINANCIAL_LINES)
}

async fn financial_page_with(
    state: &AppState,
    context: &RequestContext,
    actor: &tailor_domain::access::Actor,
    person_id: PersonId,
    input: FinancialInput,
    errors: ValidationErrors,
) -> Response {
    let person = try_page!(state.app.person_for_page(actor, person_id, "record a financial assessment").await);
    let cell = |values: &Vec<String>, index: usize| values.get(index).cloned().unwrap_or_default();
    let income = (0..rows_shown(&[&input.income_weekly], 3))
        .map(|index| IncomeRow {
            number: index + 1,
            sources: choices(
                std::iter::once(("", "Select where it comes from"))
                    .chain(IncomeSource::ALL.iter().map(|source| (source.as_str(), source.label()))),
                &cell(&input.income_source, index),
            ),
            weekly: cell(&input.income_weekly, index),
        })
        .collect();
    let housing = (0..rows_shown(&[&input.housing_description, &input.housing_weekly], 2))
        .map(|index| CostRow {
            number: index + 1,
            description: cell(&input.housing_description, index),
            weekly: cell(&input.housing_weekly, index),
            evidence: String::new(),
        })
        .collect();
    let expenditure = (0..rows_shown(
        &[
            &input.expenditure_description,
            &input.expenditure_weekly,
            &input.expenditure_evidence,
        ],
        2,
    ))
        .map(|index| CostRow {
            number: index + 1,
            description: cell(&input.expenditure_description, index),
            weekly: cell(&input.expenditure_weekly, index),
            evidence: cell(&input.expenditure_evidence, index),
        })
        .collect();
    let chosen = |premium: &str| input.premiums.iter().any(|value| value == premium);
    let page = FinancialFormPage {
        page: PageContext::new(state, context, "Record a financial assessment", "").with_errors(&errors),
        errors,
        person_id: person_id.to_string(),
        person_name: person.full_name(),
        declined: choices(
            [
                ("no", "Yes, they gave their financial details"),
                (
                    "yes",
                    "No, they declined: they will pay the full cost of the services that can be charged for",
                ),
            ],
            &input.declined,
        ),
        households: choices(
            Household::ALL.iter().map(|household| (household.as_str(), household.label())),
            &input.household,
        ),
        premiums: vec![
            Choice {
                value: "disability".into(),
                label: "Disability Premium".into(),
                checked: chosen("disability"),
            },
            Choice {
                value: "enhanced".into(),
                label: "Enhanced Disability Premium".into(),
                checked: chosen("enhanced"),
            },
            Choice {
                value: "carer".into(),
                label: "Carer Premium".into(),
                checked: chosen("carer"),
            },
        ],
        income,
        housing,
        expenditure,
        input,
    };
    render_form(&page, &page.errors)
}

pub async fn financial_page(
    State(state): State<AppState>,
    context: RequestContext,
    CurrentActor(actor): CurrentActor,
    super::people::PersonPath(person_id): super::people::PersonPath,
) -> Response {
    let access = try_page!(state.app.access_to_person(&actor, person_id, "record a financial assessment").await);
    if !(actor.role == Role::FinanceOfficer
        || (matches!(actor.role, Role::Practitioner | Role::TeamManager) && access.may(Capability::EditRecord)))
    {
        state
            .app
            .record_refusal(&actor, "record a financial assessment", Some(person_id))
            .await;
        return PageError::from(AppError::Forbidden).into_response();
    }
    let input = FinancialInput {
        household: "single".into(),
        ..FinancialInput::default()
    };
    financial_page_with(&state, &context, &actor, person_id, input, ValidationErrors::default()).await
}

pub async fn record_financial(
    State(state): State<AppState>,
    context: RequestContext,
    CurrentActor(actor): CurrentActor,
    super::people::PersonPath(person_id): super::people::PersonPath,
    CsrfForm(input): CsrfForm<FinancialInput>,
) -> Response {
    // "Add more lines" sends the form back with room for more, without saving.
    if input.more_lines == "yes" {
        return financial_page_with(&state, &context, &actor, person_id, input, ValidationErrors::default()).await;
    }
    let circumstances = match input.parse() {
        Ok(circumstances) => circumstances,
        Err(errors) => return financial_page_with(&state, &context, &actor, person_id, input, errors).await,
    };
    match state.app.record_financial_assessment(&actor, person_id, circumstances).await {
        Ok(_) => Redirect::to(&format!("/people/{person_id}")).into_response(),
        Err(AppError::Invalid(errors)) => financial_page_with(&state, &context, &actor, person_id, input, errors).await,
        Err(error) => PageError::from(error).into_response(),
    }
}

// The support plan

pub struct LineField {
    pub number: usize,
    pub description: String,
    pub unit_cost: String,
    pub units: String,
    pub frequencies: Vec<Choice>,
    pub components: Vec<Choice>,
    pub chargings: Vec<Choice>,
    pub annual: String,
}

#[derive(Template)]
#[template(path = "plan_form.html")]
struct PlanFormPage {
    page: PageContext,
    errors: ValidationErrors,
    person_id: String,
    person_name: String,
    indicative: String,
    total: String,
    difference: String,
    over: bool,
    input: PlanInput,
    managers: Vec<Choice>,
    lines: Vec<LineField>,
    changes_requested: Option<String>,
}

async fn plan_page_with(
    state: &AppState,
    context: &RequestContext,
    actor: &tailor_domain::access::Actor,
    person_id: PersonId,
    input: PlanInput,
    errors: ValidationErrors,
) -> Response {
    let overview: PlanningOverview = try_page!(state.app.planning_overview(actor, person_id).await);
    let person = try_page!(state.app.person_for_page(actor, person_id, "write a support plan").await);
    let Some(allocation) = overview.allocations.first() else {
        return PageError::BadRequest(
            "There is no indicative budget yet. The self-assessment and the eligibility decision come first.".into(),
        )
        .into_response();
    };
    let indicative = allocation.indicative();
    // Without a charging table the lines can still be written; only the council's own list is missing.
    let council_free = state.app.council_free_services().await.unwrap_or_default();
    let charging_options: Vec<(String, String)> = NeverCharged::CHOICES
        .iter()
        .map(|(code, label)| (code.to_string(), label.to_string()))
        .chain(
            council_free
                .into_iter()
                .map(|(code, label)| (code, format!("No: the council does not charge for {label}"))),
        )
        .collect();
    // Cost what can be costed now, so the total is right even while other lines still have errors.
    let costed = input.parse(false).ok();
    let total = costed
        .as_ref()
        .and_then(|content| content.annual_cost().ok())
        .unwrap_or(Money::ZERO);
    // The lines written so far and three spare; saving shows three more.
    let filled = input
        .line_description
        .iter()
        .rposition(|description| !description.trim().is_empty())
        .map_or(0, |last| last + 1);
    let shown = (filled + 3).min(MAX_LINES);
    let mut lines: Vec<LineField> = (0..shown)
        .map(|index| {
            let get = |values: &Vec<String>| values.get(index).cloned().unwrap_or_default();
            let frequency = get(&input.line_frequency);
            let component = get(&input.line_component);
            LineField {
                number: index + 1,
                description: get(&input.line_description),
                unit_cost: get(&input.line_unit_cost),
                units: get(&input.line_units),
                frequencies: choices(
                    Frequency::ALL.iter().map(|value| (value.as_str(), value.label())),
                    if frequency.is_empty() { "weekly" } else { &frequency },
                ),
                components: choices(
                    ServiceComponent::ALL.iter().map(|value| (value.as_str(), value.label())),
                    if component.is_empty() { "direct_payment" } else { &component },
                ),
                chargings: choices(
                    charging_options.iter().map(|(code, label)| (code.as_str(), label.as_str())),
                    &get(&input.line_charging),
                ),
                annual: String::new(),
            }
        })
        .collect();
    if let Some(content) = &costed {
        let mut costed_lines = content.lines.iter();
        for line in lines.iter_mut().filter(|line| !line.description.trim().is_empty()) {
            if let Some(cost) = costed_lines.next().and_then(|costed| costed.annual_cost().ok()) {
                line.annual = cost.to_string();
            }
        }
    }
    let over = total > indicative;
    let difference = if over {
        total.checked_sub(indicative).unwrap_or_default()
    } else {
        indicative.checked_sub(total).unwrap_or_default()
    };
    let changes_requested = overview
        .plans
        .iter()
        .find(|plan| plan.status == PlanStatus::ChangesRequested)
        .and_then(|plan| plan.decisions.last())
        .map(|decision| decision.reason.clone());
    let page = PlanFormPage {
        page: PageContext::new(state, context, "Your support plan", "").with_errors(&errors),
        errors,
        person_id: person_id.to_string(),
        person_name: person.full_name(),
        indicative: indicative.to_string(),
        total: total.to_string(),
        difference: difference.to_string(),
        over,
        managers: choices(
            MoneyManager::ALL.iter().map(|value| (value.as_str(), value.label())),
            &input.money_manager,
        ),
        lines,
        changes_requested,
        input,
    };
    render_form(&page, &page.errors)
}

pub async fn plan_page(
    State(state): State<AppState>,
    context: RequestContext,
    CurrentActor(actor): CurrentActor,
    super::people::PersonPath(person_id): super::people::PersonPath,
) -> Response {
    let overview = try_page!(state.app.planning_overview(&actor, person_id).await);
    let input = overview
        .plans
        .iter()
        .find(|plan| matches!(plan.status, PlanStatus::Drafting | PlanStatus::ChangesRequested))
        .or(overview.plans.first())
        .map(|plan| PlanInput::from_content(&plan.content))
        .unwrap_or_default();
    plan_page_with(&state, &context, &actor, person_id, input, ValidationErrors::default()).await
}

/// "Update the total" and "Save" post here: the plan is saved as a draft and shown again, re-costed.
pub async fn save_plan(
    State(state): State<AppState>,
    context: RequestContext,
    CurrentActor(actor): CurrentActor,
    super::people::PersonPath(person_id): super::people::PersonPath,
    CsrfForm(plan): CsrfForm<PlanInput>,
) -> Response {
    store_plan(&state, &context, &actor, person_id, plan, false).await
}

/// The plan's cost as the person types (the page's script posts the form here); nothing is saved.
pub async fn plan_cost(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    super::people::PersonPath(person_id): super::people::PersonPath,
    CsrfForm(plan): CsrfForm<PlanInput>,
) -> Response {
    let overview = try_page!(state.app.planning_overview(&actor, person_id).await);
    let Some(allocation) = overview.allocations.first() else {
        return PageError::App(AppError::NotFound).into_response();
    };
    let indicative = allocation.indicative();
    let total = plan
        .parse(false)
        .ok()
        .and_then(|content| content.annual_cost().ok())
        .unwrap_or(Money::ZERO);
    let over = total > indicative;
    let difference = if over {
        total.checked_sub(indicative)
    } else {
        indicative.checked_sub(total)
    }
    .unwrap_or_default();
    axum::Json(serde_json::json!({
        "total": format!("{total} a year"),
        "difference_label": if over { "Over by" } else { "Left" },
        "difference": difference.to_string(),
        "over": over,
    }))
    .into_response()
}

/// "Send my plan to be agreed" posts here (the button's `formaction`).
pub async fn submit_plan(
    State(state): State<AppState>,
    context: RequestContext,
    CurrentActor(actor): CurrentActor,
    super::people::PersonPath(person_id): super::people::PersonPath,
    CsrfForm(plan): CsrfForm<PlanInput>,
) -> Response {
    store_plan(&state, &context, &actor, person_id, plan, true).await
}

async fn store_plan(
    state: &AppState,
    context: &RequestContext,
    actor: &tailor_domain::access::Actor,
    person_id: PersonId,
    plan: PlanInput,
    submit: bool,
) -> Response {
    match state.app.save_plan(actor, person_id, &plan, submit).await {
        Ok(plan) if submit => Redirect::to(&format!("/plans/{}", plan.id)).into_response(),
        // "Update the total" and "Save" both save a draft and show the plan again, re-costed.
        Ok(plan) => {
            plan_page_with(
                state,
                context,
                actor,
                person_id,
                PlanInput::from_content(&plan.content),
                ValidationErrors::default(),
            )
            .await
        }
        Err(AppError::Invalid(errors)) => plan_page_with(state, context, actor, person_id, plan, errors).await,
        Err(error) => PageError::from(error).into_response(),
    }
}

pub struct PlanLineRow {
    pub number: usize,
    pub description: String,
    pub cost: String,
    pub component: &'static str,
    pub annual: String,
}

pub struct DecisionRow {
    pub who: String,
    pub when: String,
    pub verdict: &'static str,
    pub reason: String,
    pub refused: String,
}

#[derive(Template)]
#[template(path = "plan.html")]
struct PlanPage {
    page: PageContext,
    plan: SupportPlan,
    person_id: String,
    lines: Vec<PlanLineRow>,
    total: String,
    indicative: String,
    decisions: Vec<DecisionRow>,
    can_decide: bool,
    can_edit: bool,
    budget_id: Option<String>,
    allocation_id: String,
}

pub async fn plan_view(
    State(state): State<AppState>,
    context: RequestContext,
    CurrentActor(actor): CurrentActor,
    RecordPath(plan_id): RecordPath<PlanId>,
) -> Response {
    let (plan, allocation, access) = try_page!(state.app.open_plan(&actor, plan_id).await);
    let overview = try_page!(state.app.planning_overview(&actor, plan.person_id).await);
    let can_decide = match plan.status {
        PlanStatus::Submitted => matches!(actor.role, Role::Practitioner | Role::TeamManager) && access.may(Capability::EditRecord),
        PlanStatus::AwaitingManager => actor.role == Role::TeamManager && access.may(Capability::EditRecord),
        _ => false,
    };
    let page = PlanPage {
        page: PageContext::new(&state, &context, "Support plan", ""),
        person_id: plan.person_id.to_string(),
        lines: plan
            .content
            .lines
            .iter()
            .enumerate()
            .map(|(index, line)| PlanLineRow {
                number: index + 1,
                description: line.description.clone(),
                cost: format!("{} × {} {}", line.unit_cost, line.units, line.frequency.label()),
                component: line.component.label(),
                annual: line.annual_cost().map(|cost| cost.to_string()).unwrap_or_default(),
            })
            .collect(),
        total: plan.content.annual_cost().map(|cost| cost.to_string()).unwrap_or_default(),
        indicative: allocation.indicative().to_string(),
        decisions: plan
            .decisions
            .iter()
            .map(|decision| DecisionRow {
                who: format!(
                    "{} ({})",
                    decision.decided_by_name,
                    if decision.stage == DecisionStage::Manager {
                        "team manager"
                    } else {
                        "practitioner"
                    }
                ),
                when: decision
                    .decided_at
                    .with_timezone(&chrono_tz::Europe::London)
                    .format("%-d %B %Y")
                    .to_string(),
                verdict: decision.verdict.label(),
                reason: decision.reason.clone(),
                refused: decision
                    .refused_lines
                    .iter()
                    .map(|line| line.to_string())
                    .collect::<Vec<_>>()
                    .join(", "),
            })
            .collect(),
        can_decide,
        can_edit: access.may(Capability::WritePlan) && matches!(plan.status, PlanStatus::Drafting | PlanStatus::ChangesRequested),
        budget_id: overview
            .budgets
            .iter()
            .find(|budget| budget.plan_id == plan.id)
            .map(|budget| budget.id.to_string()),
        allocation_id: allocation.id.to_string(),
        plan,
    };
    render(&page)
}

fn decision_fields(plan: &SupportPlan, input: &DecisionInput) -> Vec<Field> {
    vec![
        Field::Radios {
            name: "verdict",
            legend: "Is this a realistic plan to meet the agreed outcomes?",
            options: choices(
                Verdict::ALL.iter().map(|verdict| (verdict.as_str(), verdict.label())),
                &input.verdict,
            ),
            hint:
                "If yes, the plan's purchases are not questioned again. Spending is refused only when it is unlawful or would cause harm.",
        },
        Field::Checkboxes {
            name: "refused_lines",
            legend: "If refusing spending: which lines?",
            options: plan
                .content
                .lines
                .iter()
                .enumerate()
                .map(|(index, line)| Choice {
                    value: (index + 1).to_string(),
                    label: format!("{}. {}", index + 1, line.description),
                    checked: input.refused_lines.contains(&(index + 1).to_string()),
                })
                .collect(),
            hint: "",
        },
        Field::Area {
            name: "reason",
            label: "Reason",
            value: input.reason.clone(),
            hint: "Needed when asking for changes or refusing spending. The person will read this.",
        },
    ]
}

async fn decision_page_with(
    state: &AppState,
    context: &RequestContext,
    actor: &tailor_domain::access::Actor,
    plan_id: PlanId,
    input: &DecisionInput,
    errors: ValidationErrors,
) -> Response {
    let (plan, _, _) = try_page!(state.app.open_plan(actor, plan_id).await);
    let form = FormPage {
        heading: "Agree the support plan",
        action: format!("/plans/{plan_id}/decision"),
        button: "Save decision",
        multipart: false,
        cancel: Some(format!("/plans/{plan_id}")),
    };
    form_page(state, context, plan.person_id, form, decision_fields(&plan, input), errors).await
}

pub async fn decision_page(
    State(state): State<AppState>,
    context: RequestContext,
    CurrentActor(actor): CurrentActor,
    RecordPath(plan_id): RecordPath<PlanId>,
) -> Response {
    decision_page_with(
        &state,
        &context,
        &actor,
        plan_id,
        &DecisionInput::default(),
        ValidationErrors::default(),
    )
    .await
}

pub async fn decide(
    State(state): State<AppState>,
    context: RequestContext,
    CurrentActor(actor): CurrentActor,
    RecordPath(plan_id): RecordPath<PlanId>,
    CsrfForm(input): CsrfForm<DecisionInput>,
) -> Response {
    match state.app.decide_plan(&actor, plan_id, &input).await {
        Ok((_, Some(budget))) => Redirect::to(&format!("/budgets/{}", budget.id)).into_response(),
        Ok(_) => Redirect::to(&format!("/plans/{plan_id}")).into_response(),
        Err(AppError::Invalid(errors)) => decision_page_with(&state, &context, &actor, plan_id, &input, errors).await,
        Err(error) => PageError::from(error).into_response(),
    }
}

// The personal budget statement and challenges

#[derive(Template)]
#[template(path = "budget.html")]
struct BudgetPage {
    page: PageContext,
    errors: ValidationErrors,
    budget: PersonalBudget,
    person_name: String,
    weekly_cost: String,
    weekly_contribution: String,
    weekly_council: String,
    basis_explanation: String,
    can_challenge: bool,
    challenges: Vec<Challenge>,
    reason: String,
    contribution_working: Vec<(String, String)>,
    contribution_explanation: String,
    can_answer: bool,
}

async fn budget_page_with(
    state: &AppState,
    context: &RequestContext,
    actor: &tailor_domain::access::Actor,
    budget_id: BudgetId,
    reason: String,
    errors: ValidationErrors,
) -> Response {
    let (budget, access) = try_page!(state.app.open_budget(actor, budget_id).await);
    let person = try_page!(state.app.person_for_page(actor, budget.person_id, "see a personal budget").await);
    let overview = try_page!(state.app.planning_overview(actor, budget.person_id).await);
    let weekly = |amount: Money| Money::from_pence(amount.pence() / 52).to_string();
    let basis_explanation = match budget.contribution_basis {
        tailor_domain::charging::ContributionBasis::Net => {
            "We pay the council's amount. You pay your contribution into the same account, so the whole budget is there to spend."
                .to_owned()
        }
        tailor_domain::charging::ContributionBasis::Gross => {
            "We pay the whole budget and send you a bill for your contribution.".to_owned()
        }
    };
    // The working is recomputed from the stored circumstances and rates, against this plan's cost.
    let (contribution_working, contribution_explanation) = match &overview.financial {
        Some(financial) => match tailor_domain::charging::ChargingRates::parse(&financial.rates_source)
            .ok()
            .zip(
                overview
                    .plans
                    .iter()
                    .find(|plan| plan.id == budget.plan_id)
                    .and_then(|plan| plan.content.service_lines().ok()),
            )
            .and_then(|(rates, services)| tailor_domain::charging::weekly_contribution(&rates, &financial.circumstances, &services).ok())
        {
            Some(contribution) => (
                contribution
                    .services
                    .iter()
                    .chain(contribution.working.iter())
                    .map(|line| (line.label.clone(), line.weekly.to_string()))
                    .collect(),
                format!("{} So you pay {} a week.", contribution.explanation, contribution.weekly),
            ),
            None => (Vec::new(), String::new()),
        },
        None => (Vec::new(), String::new()),
    };
    let page = BudgetPage {
        page: PageContext::new(state, context, "Your personal budget", "").with_errors(&errors),
        contribution_working,
        contribution_explanation,
        can_answer: actor.role == Role::TeamManager && access.may(Capability::EditRecord),
        errors,
        person_name: person.full_name(),
        weekly_cost: weekly(budget.annual_cost),
        weekly_contribution: weekly(budget.annual_contribution),
        weekly_council: weekly(budget.annual_council_amount),
        basis_explanation,
        can_challenge: access.may(Capability::WritePlan),
        challenges: overview
            .challenges
            .into_iter()
            .filter(|challenge| challenge.budget_id == budget.id)
            .collect(),
        reason,
        budget,
    };
    render_form(&page, &page.errors)
}

pub async fn budget(
    State(state): State<AppState>,
    context: RequestContext,
    CurrentActor(actor): CurrentActor,
    RecordPath(budget_id): RecordPath<BudgetId>,
) -> Response {
    budget_page_with(&state, &context, &actor, budget_id, String::new(), ValidationErrors::default()).await
}

#[derive(Deserialize, Default)]
pub struct ChallengeInput {
    #[serde(default)]
    reason: String,
}

pub async fn challenge(
    State(state): State<AppState>,
    context: RequestContext,
    CurrentActor(actor): CurrentActor,
    RecordPath(budget_id): RecordPath<BudgetId>,
    CsrfForm(input): CsrfForm<ChallengeInput>,
) -> Response {
    match state.app.raise_challenge(&actor, budget_id, &input.reason).await {
        Ok(_) => Redirect::to(&format!("/budgets/{budget_id}")).into_response(),
        Err(AppError::Invalid(errors)) => budget_page_with(&state, &context, &actor, budget_id, input.reason, errors).await,
        Err(error) => PageError::from(error).into_response(),
    }
}

#[derive(Deserialize, Default)]
pub struct AnswerChallengeInput {
    #[serde(default)]
    response: String,
}

pub async fn answer_challenge(
    State(state): State<AppState>,
    context: RequestContext,
    CurrentActor(actor): CurrentActor,
    RecordPath(challenge_id): RecordPath<ChallengeId>,
    CsrfForm(input): CsrfForm<AnswerChallengeInput>,
) -> Response {
    match state.app.answer_challenge(&actor, challenge_id, &input.response).await {
        Ok(challenge) => Redirect::to(&format!("/budgets/{}", challenge.budget_id)).into_response(),
        Err(AppError::Invalid(mut errors)) => {
            // The answer box is named per challenge, so the error summary links to the right one.
            for error in &mut errors.0 {
                error.field = format!("response-{challenge_id}");
            }
            let challenge = try_page!(state.app.open_challenge(&actor, challenge_id).await);
            budget_page_with(&state, &context, &actor, challenge.budget_id, String::new(), errors).await
        }
        Err(error) => PageError::from(error).into_response(),
    }
}

// Configuration

pub struct ConfigurationRow {
    pub link: String,
    pub kind: String,
    pub id: String,
    pub version: i64,
    pub effective_from: String,
    pub loaded: String,
}

#[derive(Template)]
#[template(path = "admin_configuration.html")]
struct ConfigurationPage {
    page: PageContext,
    errors: ValidationErrors,
    rows: Vec<ConfigurationRow>,
    kinds: Vec<Choice>,
    source: String,
}

#[derive(Deserialize, Default)]
pub struct ConfigurationInput {
    #[serde(default)]
    kind: String,
    #[serde(default)]
    source: String,
}

async fn configuration_page_with(
    state: &AppState,
    context: &RequestContext,
    actor: &tailor_domain::access::Actor,
    input: ConfigurationInput,
    errors: ValidationErrors,
) -> Response {
    let mut rows = Vec::new();
    for kind in ["questionnaire", "allocation", "charging"] {
        for version in try_page!(state.app.list_configuration(actor, kind).await) {
            rows.push(ConfigurationRow {
                link: format!("/admin/configuration/{kind}/{}/{}", version.config_id, version.version),
                kind: kind.into(),
                id: version.config_id,
                version: version.version,
                effective_from: version.effective_from.format("%-d %B %Y").to_string(),
                loaded: format!(
                    "{} by {}",
                    version.loaded_at.with_timezone(&chrono_tz::Europe::London).format("%-d %B %Y"),
                    version.loaded_by
                ),
            });
        }
    }
    let page = ConfigurationPage {
        page: PageContext::new(state, context, "Configuration", "/admin/configuration").with_errors(&errors),
        errors,
        rows,
        kinds: choices(
            [
                ("questionnaire", "A questionnaire"),
                ("allocation", "An allocation model (RAS)"),
                ("charging", "Charging rates"),
            ],
            &input.kind,
        ),
        source: input.source,
    };
    render_form(&page, &page.errors)
}

pub async fn configuration(State(state): State<AppState>, context: RequestContext, CurrentActor(actor): CurrentActor) -> Response {
    configuration_page_with(&state, &context, &actor, ConfigurationInput::default(), ValidationErrors::default()).await
}

pub async fn load_configuration(
    State(state): State<AppState>,
    context: RequestContext,
    CurrentActor(actor): CurrentActor,
    CsrfForm(input): CsrfForm<ConfigurationInput>,
) -> Response {
    match state.app.load_configuration(&actor, &input.kind, &input.source).await {
        Ok(_) => Redirect::to("/admin/configuration").into_response(),
        Err(AppError::Invalid(errors)) => configuration_page_with(&state, &context, &actor, input, errors).await,
        Err(error) => PageError::from(error).into_response(),
    }
}

// The written record as a PDF

/// Lines of text laid out on A4 pages in a built-in font, for the downloadable written record.
fn pdf_document(title: &str, paragraphs: &[String]) -> Result<Vec<u8>, String> {
    use printpdf::{BuiltinFont, Mm, PdfDocument};
    let (document, first_page, first_layer) = PdfDocument::new(title, Mm(210.0), Mm(297.0), "text");
    let regular = document
        .add_builtin_font(BuiltinFont::Helvetica)
        .map_err(|error| error.to_string())?;
    let bold = document
        .add_builtin_font(BuiltinFont::HelveticaBold)
        .map_err(|error| error.to_string())?;
    let mut layer = document.get_page(first_page).get_layer(first_layer);
    let mut y = 275.0;
    let write = |text: &str, size: f32, is_bold: bool, layer: &mut printpdf::PdfLayerReference, y: &mut f32| {
        if *y < 20.0 {
            let (page, new_layer) = document.add_page(Mm(210.0), Mm(297.0), "text");
            *layer = document.get_page(page).get_layer(new_layer);
            *y = 275.0;
        }
        layer.use_text(text, size, Mm(20.0), Mm(*y), if is_bold { &bold } else { &regular });
        *y -= size * 0.5;
    };
    write(title, 16.0, true, &mut layer, &mut y);
    y -= 4.0;
    for paragraph in paragraphs {
        let (is_heading, text) = match paragraph.strip_prefix("# ") {
            Some(heading) => (true, heading),
            None => (false, paragraph.as_str()),
        };
        // Built-in PDF fonts have no £ in every viewer's encoding, so money is written "GBP".
        let text = text
            .replace('£', "GBP ")
            .replace(['’', '‘'], "'")
            .replace(['“', '”'], "\"")
            .replace('×', "x")
            .replace('−', "-");
        let mut line = String::new();
        for word in text.split_whitespace() {
            if line.len() + word.len() + 1 > 95 {
                write(&line, 10.0, is_heading, &mut layer, &mut y);
                line.clear();
            }
            if !line.is_empty() {
                line.push(' ');
            }
            line.push_str(word);
        }
        write(&line, if is_heading { 12.0 } else { 10.0 }, is_heading, &mut layer, &mut y);
        y -= 2.0;
    }
    document.save_to_bytes().map_err(|error| error.to_string())
}

pub async fn assessment_pdf(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    RecordPath(assessment_id): RecordPath<AssessmentId>,
) -> Response {
    let (assessment, questionnaire, _) = try_page!(state.app.open_assessment(&actor, assessment_id).await);
    let overview = try_page!(state.app.planning_overview(&actor, assessment.person_id).await);
    let person = try_page!(
        state
            .app
            .person_for_page(&actor, assessment.person_id, "download an assessment record")
            .await
    );
    let mut paragraphs = vec![
        format!(
            "For {}, born {}.",
            person.full_name(),
            person.details.date_of_birth.format("%-d %B %Y")
        ),
        format!(
            "Status: {}. Filled in by {}. Started {}.",
            assessment.status.label(),
            assessment.completed_by.join(", "),
            assessment.started_at.format("%-d %B %Y")
        ),
    ];
    if let Some(record) = overview.eligibility.iter().find(|record| record.assessment_id == assessment_id) {
        paragraphs.push("# Eligibility decision".into());
        paragraphs.push(if record.decision.eligible {
            "You are eligible for care and support.".into()
        } else {
            "You are not eligible for care and support from the council at the moment.".into()
        });
        paragraphs.push(format!(
            "Decided by {} on {}.",
            record.decided_by_name,
            record.decided_at.format("%-d %B %Y")
        ));
        paragraphs.extend(record.decision.reasons.iter().cloned());
        paragraphs.push(format!("Impact on your wellbeing: {}", record.findings.wellbeing_reasons));
        if let Some(allocation) = overview
            .allocations
            .iter()
            .find(|allocation| allocation.assessment_id == assessment_id)
        {
            paragraphs.push(format!("Your indicative personal budget is {} a year.", allocation.indicative()));
        }
    }
    for section in answer_rows(&assessment, &questionnaire) {
        paragraphs.push(format!("# {}", section.title));
        for row in section.rows {
            paragraphs.push(row.question);
            paragraphs.push(format!("Your answer: {}", row.answer));
        }
    }
    match pdf_document(&questionnaire.title, &paragraphs) {
        Ok(bytes) => (
            [
                (axum::http::header::CONTENT_TYPE, "application/pdf".to_owned()),
                (
                    axum::http::header::CONTENT_DISPOSITION,
                    "attachment; filename=\"assessment-record.pdf\"".to_owned(),
                ),
            ],
            bytes,
        )
            .into_response(),
        Err(error) => PageError::from(AppError::Store(tailor_store::StoreError::Other(format!(
            "could not make the PDF: {error}"
        ))))
        .into_response(),
    }
}

#[derive(Template)]
#[template(path = "admin_configuration_version.html")]
struct ConfigurationVersionPage {
    page: PageContext,
    heading: String,
    effective_from: String,
    loaded: String,
    source: String,
}

/// One version's file, exactly as loaded.
pub async fn configuration_version(
    State(state): State<AppState>,
    context: RequestContext,
    CurrentActor(actor): CurrentActor,
    Path((kind, id, version)): Path<(String, String, String)>,
) -> Response {
    let Ok(version) = version.parse::<i64>() else {
        return PageError::App(AppError::NotFound).into_response();
    };
    let versions = try_page!(state.app.list_configuration(&actor, &kind).await);
    let Some(found) = versions
        .into_iter()
        .find(|candidate| candidate.config_id == id && candidate.version == version)
    else {
        return PageError::App(AppError::NotFound).into_response();
    };
    let page = ConfigurationVersionPage {
        page: PageContext::new(&state, &context, "Configuration version", "/admin/configuration"),
        heading: format!("{kind} \"{id}\", version {version}"),
        effective_from: found.effective_from.format("%-d %B %Y").to_string(),
        loaded: format!(
            "{} by {}",
            found.loaded_at.with_timezone(&chrono_tz::Europe::London).format("%-d %B %Y %H:%M"),
            found.loaded_by
        ),
        source: found.source,
    };
    render(&page)
}
