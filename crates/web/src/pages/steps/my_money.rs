//! Step 1, my money: the self-assessment one question a page, check your answers, the written
//! record (page and PDF), the council's check and the eligibility decision.
//!
//! Long because step 1 has the most pages: the journey through the questions, the written record,
//! the council's check, and the eligibility form with its check page.

use super::*;
use crate::context::{CsrfForm, CurrentActor, RequestContext};
use crate::errors::PageError;
use crate::pages::forms::{form_page, Field, FormPage};
use crate::pages::pdf::{pdf_document, Block};
use crate::pages::{choices, render, render_form, Choice, PageContext};
use crate::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use std::collections::HashMap;
use tailor_app::AppError;
use tailor_domain::access::Capability;
use tailor_domain::assessments::{Assessment, AssessmentStatus, EligibilityRecord};
use tailor_domain::eligibility::{outcome_label, outcomes, AssessmentKind, EligibilityFindings, OutcomeFinding, UnableReason};
use tailor_domain::questionnaires::Questionnaire;
use tailor_domain::validation::ValidationErrors;
use tailor_domain::AssessmentId;
// Starting and answering

#[derive(Deserialize, Default)]
pub struct StartInput {
    #[serde(default)]
    kind: String,
}

pub async fn start_assessment(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    crate::pages::people::PersonPath(person_id): crate::pages::people::PersonPath,
    CsrfForm(input): CsrfForm<StartInput>,
) -> Response {
    let kind = AssessmentKind::parse(&input.kind).unwrap_or(AssessmentKind::Adult);
    let assessment = try_page!(state.app.start_assessment(&actor, person_id, kind).await);
    let (_, questionnaire, _) = try_page!(state.app.open_assessment(&actor, assessment.id).await);
    Redirect::to(&carry_on_address(&assessment, &questionnaire)).into_response()
}

/// Where someone carrying on with a self-assessment lands: the first question without an
/// answer, or, when all are answered, the page to check them before sending.
fn carry_on_address(assessment: &Assessment, questionnaire: &Questionnaire) -> String {
    match questionnaire.first_unanswered(&assessment.answers) {
        Some(question) => format!("/assessments/{}/questions/{}", assessment.id, question.id),
        None => format!("/assessments/{}/check", assessment.id),
    }
}

/// "Carry on": back to where the person left off, or to the record once it has been sent.
pub async fn carry_on(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    RecordPath(assessment_id): RecordPath<AssessmentId>,
) -> Response {
    let (assessment, questionnaire, _) = try_page!(state.app.open_assessment(&actor, assessment_id).await);
    if !assessment.is_editable() {
        return Redirect::to(&format!("/assessments/{assessment_id}")).into_response();
    }
    Redirect::to(&carry_on_address(&assessment, &questionnaire)).into_response()
}

#[derive(Template)]
#[template(path = "assessment_start.html")]
pub(super) struct StartPage {
    page: PageContext,
    person_id: String,
    person_name: String,
    own: bool,
    question_count: usize,
}

/// What the self-assessment is, how long it takes and what to have to hand, before starting.
pub async fn start_page(
    State(state): State<AppState>,
    context: RequestContext,
    CurrentActor(actor): CurrentActor,
    crate::pages::people::PersonPath(person_id): crate::pages::people::PersonPath,
) -> Response {
    let person = try_page!(state.app.person_for_page(&actor, person_id, "start a self-assessment").await);
    let questions = try_page!(state.app.questionnaire_in_force(&actor, person_id, AssessmentKind::Adult).await);
    render(&StartPage {
        page: PageContext::new(&state, &context, "Tell us about your needs", ""),
        person_id: person_id.to_string(),
        person_name: person.full_name(),
        own: actor.person_id == Some(person_id),
        question_count: questions.questions().count(),
    })
}

#[derive(Template)]
#[template(path = "assessment_sent.html")]
pub(super) struct SentPage {
    page: PageContext,
    assessment_id: String,
    own: bool,
    home: &'static str,
}

/// The confirmation after sending answers: what happens next.
pub async fn sent(
    State(state): State<AppState>,
    context: RequestContext,
    CurrentActor(actor): CurrentActor,
    RecordPath(assessment_id): RecordPath<AssessmentId>,
) -> Response {
    let (assessment, _, _) = try_page!(state.app.open_assessment(&actor, assessment_id).await);
    render(&SentPage {
        page: PageContext::new(&state, &context, "Your answers have been sent", ""),
        assessment_id: assessment_id.to_string(),
        own: actor.person_id == Some(assessment.person_id),
        home: crate::pages::home_path(actor.role),
    })
}

#[derive(Template)]
#[template(path = "question.html")]
pub(super) struct QuestionPage {
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
    back_link: String,
    from_check: bool,
}

pub(super) fn question_page(
    state: &AppState,
    context: &RequestContext,
    assessment: &Assessment,
    questionnaire: &Questionnaire,
    question_id: &str,
    from_check: bool,
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
        back_link: match (from_check, questionnaire.previous_question(question_id)) {
            (true, _) => format!("/assessments/{}/check", assessment.id),
            (false, Some(previous)) => format!("/assessments/{}/questions/{}", assessment.id, previous.id),
            (false, None) => format!("/people/{}/assessments/start", assessment.person_id),
        },
        from_check,
    };
    render_form(&page, &page.errors)
}

pub async fn question(
    State(state): State<AppState>,
    context: RequestContext,
    CurrentActor(actor): CurrentActor,
    Path((id, question_id)): Path<(String, String)>,
    Query(where_from): Query<WhereFrom>,
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
        where_from.from == "check",
        ValidationErrors::default(),
    )
}

/// Whether a question was opened from the check-your-answers page, so that Back and Continue
/// return there.
#[derive(Deserialize, Default)]
pub struct WhereFrom {
    #[serde(default)]
    from: String,
}

#[derive(Deserialize, Default)]
pub struct AnswerInput {
    #[serde(default)]
    answer: String,
    #[serde(default)]
    then: String,
    #[serde(default)]
    from: String,
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
            if input.then == "check" || input.from == "check" {
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
            question_page(
                &state,
                &context,
                &assessment,
                &questionnaire,
                &question_id,
                input.from == "check",
                errors,
            )
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

pub(super) fn answer_rows(assessment: &Assessment, questionnaire: &Questionnaire) -> Vec<SectionRows> {
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
pub(super) struct CheckAnswersPage {
    page: PageContext,
    errors: ValidationErrors,
    assessment_id: String,
    title: String,
    sections: Vec<SectionRows>,
    complete: bool,
    sent_back_reason: Option<String>,
    /// Back goes to the last question.
    last_question_id: String,
    /// "About you": what matters, strengths, the support around them (question, answer).
    about: Vec<(&'static str, String)>,
    about_missing: bool,
}

pub(super) async fn check_answers_page(
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
        about: super::about_you::about_rows(&assessment.about),
        about_missing: assessment.about.what_matters.is_empty(),
        last_question_id: questionnaire
            .questions()
            .last()
            .map(|question| question.id.clone())
            .unwrap_or_default(),
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
        Ok(_) => Redirect::to(&format!("/assessments/{assessment_id}/sent")).into_response(),
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
pub(super) struct AssessmentPage {
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
    shown: Option<super::decisions::EligibilityShown>,
    challenge_offer: Option<super::challenges::ChallengeOffer>,
    /// How the assessment was carried out (method, capacity, advocacy), once recorded.
    duties: Option<Vec<super::DutyRow>>,
    can_record_duties: bool,
    voice: crate::pages::voice::Voice,
    /// "About you", when any of it was written (question, answer).
    about: Option<Vec<(&'static str, String)>>,
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
    let staff = access.may(Capability::ReviewAssessment);
    let duties = try_page!(state.app.assessment_duties(&actor, assessment_id).await);
    let person = try_page!(state.app.person_for_page(&actor, assessment.person_id, "see an assessment").await);
    let voice = crate::pages::voice::Voice::new(
        &access,
        person.details.preferred_name.as_deref().unwrap_or(&person.details.given_name),
    );
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
    let decisions: Vec<&EligibilityRecord> = overview
        .eligibility
        .iter()
        .filter(|record| record.assessment_id == assessment_id)
        .collect();
    let shown = super::decisions::EligibilityShown::new(
        &decisions,
        assessment.kind,
        access.may(Capability::DecideEligibility),
        &voice.who_is(),
    );
    let challenge_offer = match decisions.iter().find(|record| record.is_current()) {
        Some(current) => Some(super::challenges::ChallengeOffer::new(
            &access,
            tailor_domain::challenges::ChallengeSubject::Eligibility(current.id),
            &super::challenges::called(&person),
            &overview.challenges,
        )),
        None => None,
    };
    let page = AssessmentPage {
        page: PageContext::new(&state, &context, &format!("{} assessment", voice.whose()), ""),
        shown,
        challenge_offer,
        person_id: assessment.person_id.to_string(),
        title: questionnaire.title.clone(),
        sections: answer_rows(&assessment, &questionnaire),
        completed_by: assessment.completed_by.join(", "),
        can_review: staff && assessment.status == AssessmentStatus::Submitted,
        can_decide: staff && assessment.status == AssessmentStatus::Accepted && eligibility.is_none(),
        findings,
        allocation_id: allocation.map(|record| record.id.to_string()),
        indicative: allocation.map(|record| record.indicative().to_string()),
        duties: duties.as_ref().map(super::duty_rows),
        can_record_duties: staff && eligibility.is_none() && assessment.status != AssessmentStatus::InProgress,
        about: (!assessment.about.is_empty()).then(|| super::about_you::about_rows(&assessment.about)),
        eligibility,
        assessment,
        voice,
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

/// The check form. Each question is shown with the answer the person chose, in the words they
/// chose it in, so the worker checks against what was said without opening another page.
pub(super) fn review_fields(
    questionnaire: &Questionnaire,
    answers: &std::collections::BTreeMap<String, String>,
    input: &ReviewInput,
) -> Vec<Field> {
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
                .map(|question| {
                    let answer = answers
                        .get(&question.id)
                        .and_then(|chosen| question.answers.iter().find(|answer| &answer.id == chosen))
                        .map_or_else(|| "Not answered".to_owned(), |answer| format!("Their answer: “{}”", answer.text));
                    Choice {
                        value: question.id.clone(),
                        label: format!("{} {answer}", question.text),
                        checked: input.questions.contains(&question.id),
                    }
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

pub(super) async fn review_page_with(
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
        review_fields(&questionnaire, &assessment.answers, input),
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
pub(super) struct EligibilityPage {
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
    /// Fluctuating needs, the s13(5) advice, and for a redetermination what it replaces and why.
    more: super::decisions::DecisionFormExtras,
}

pub(super) async fn eligibility_page_with(
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
                // Nothing is chosen for the practitioner: each outcome needs a finding of its own.
                options: choices(options, &selected),
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
        more: super::decisions::DecisionFormExtras::from_form(form),
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
    if form.contains_key("change") {
        return eligibility_page_with(&state, &context, &actor, assessment_id, &form, ValidationErrors::default()).await;
    }
    let (assessment, _, _) = try_page!(state.app.open_assessment(&actor, assessment_id).await);
    let (findings, errors) = eligibility_findings(assessment.kind, &form);
    let notes = super::decisions::notes_from_form(&form);
    if !errors.is_empty() {
        return eligibility_page_with(&state, &context, &actor, assessment_id, &form, errors).await;
    }
    if form.get("confirm").map(String::as_str) != Some("yes") {
        return match state.app.preview_eligibility(&actor, assessment_id, &findings, &notes).await {
            Ok(decision) => eligibility_check_page(&state, &context, &actor, &assessment, &findings, &decision, &form).await,
            Err(AppError::Invalid(errors)) => eligibility_page_with(&state, &context, &actor, assessment_id, &form, errors).await,
            Err(error) => PageError::from(error).into_response(),
        };
    }
    // Deciding again is a redetermination on the record, never a silent replacement.
    if let Some(replaces) = form.get("replaces").and_then(|id| id.parse().ok()) {
        let challenge_id = form.get("challenge_id").and_then(|id| id.parse().ok());
        let reason = form.get("redetermination_reason").cloned().unwrap_or_default();
        return match state
            .app
            .redetermine_eligibility(&actor, replaces, findings, &notes, &reason, challenge_id)
            .await
        {
            Ok(_) => Redirect::to(&format!("/assessments/{assessment_id}")).into_response(),
            Err(AppError::Invalid(errors)) => eligibility_page_with(&state, &context, &actor, assessment_id, &form, errors).await,
            Err(error) => PageError::from(error).into_response(),
        };
    }
    match state.app.decide_eligibility(&actor, assessment_id, findings, &notes).await {
        Ok(_) => Redirect::to(&format!("/assessments/{assessment_id}")).into_response(),
        Err(AppError::Invalid(errors)) => eligibility_page_with(&state, &context, &actor, assessment_id, &form, errors).await,
        Err(error) => PageError::from(error).into_response(),
    }
}

/// Reads the eligibility form: every yes-or-no question and every outcome must be answered,
/// each with an error of its own when it is not.
fn eligibility_findings(kind: AssessmentKind, form: &HashMap<String, String>) -> (EligibilityFindings, ValidationErrors) {
    let mut errors = ValidationErrors::default();
    let mut yes = |key: &str, message: &str| match form.get(key).map(String::as_str) {
        Some("yes") => true,
        Some("no") => false,
        _ => {
            errors.add(key, message);
            false
        }
    };
    let needs_condition_met = yes(
        "needs_condition_met",
        if kind == AssessmentKind::Carer {
            "Select whether the needs arise from providing necessary care"
        } else {
            "Select whether the needs arise from an impairment or illness"
        },
    );
    let carer_health_at_risk = kind == AssessmentKind::Carer && yes("carer_health_at_risk", "Select whether the carer's health is at risk");
    let significant_impact_on_wellbeing = yes("significant_impact", "Select whether there is a significant impact on wellbeing");
    let mut outcome_findings = Vec::new();
    for (code, label) in outcomes(kind) {
        let field = format!("outcome_{code}");
        let unable = match form.get(&field).map(String::as_str) {
            Some("able") => None,
            Some(value) => match UnableReason::parse(value).filter(|reason| reason.applies_to(kind)) {
                Some(reason) => Some(reason),
                None => {
                    errors.add(&field, format!("Select a finding for: {label}"));
                    None
                }
            },
            None => {
                errors.add(&field, format!("Select a finding for: {label}"));
                None
            }
        };
        outcome_findings.push(OutcomeFinding {
            outcome: code.into(),
            unable,
            evidence: form
                .get(&format!("evidence_{code}"))
                .map(|text| text.trim().to_owned())
                .unwrap_or_default(),
        });
    }
    let findings = EligibilityFindings {
        kind,
        needs_condition_met,
        carer_health_at_risk,
        outcomes: outcome_findings,
        significant_impact_on_wellbeing,
        wellbeing_reasons: form.get("wellbeing_reasons").map(|text| text.trim().to_owned()).unwrap_or_default(),
    };
    (findings, errors)
}

#[derive(Template)]
#[template(path = "eligibility_check.html")]
pub(super) struct EligibilityCheckPage {
    page: PageContext,
    person_name: String,
    assessment_id: String,
    eligible: bool,
    reasons: Vec<String>,
    rows: Vec<(String, String)>,
    hidden: Vec<(String, String)>,
}

/// The decision as it would be recorded, for the practitioner to check before recording it.
async fn eligibility_check_page(
    state: &AppState,
    context: &RequestContext,
    actor: &tailor_domain::access::Actor,
    assessment: &Assessment,
    findings: &EligibilityFindings,
    decision: &tailor_domain::eligibility::EligibilityDecision,
    form: &HashMap<String, String>,
) -> Response {
    let person = try_page!(state.app.person_for_page(actor, assessment.person_id, "decide eligibility").await);
    let yes_no = |answer: bool| if answer { "Yes" } else { "No" }.to_owned();
    let mut rows = vec![(
        "Needs arise from an impairment, illness or caring".to_owned(),
        yes_no(findings.needs_condition_met),
    )];
    if findings.kind == AssessmentKind::Carer {
        rows.push(("Carer's health at risk".into(), yes_no(findings.carer_health_at_risk)));
    }
    for finding in &findings.outcomes {
        let label = outcome_label(&finding.outcome).unwrap_or(&finding.outcome).to_owned();
        let found = match finding.unable {
            None => "Able to achieve it".to_owned(),
            Some(reason) => reason.label().to_owned(),
        };
        let found = if finding.evidence.is_empty() {
            found
        } else {
            format!("{found}\n{}", finding.evidence)
        };
        rows.push((label, found));
    }
    rows.push((
        "Significant impact on wellbeing".into(),
        yes_no(findings.significant_impact_on_wellbeing),
    ));
    rows.push(("Why".into(), findings.wellbeing_reasons.clone()));
    rows.extend(super::decisions::check_rows(form, decision.eligible));
    let mut hidden: Vec<(String, String)> = form
        .iter()
        .filter(|(key, _)| !matches!(key.as_str(), "csrf_token" | "confirm" | "change"))
        .map(|(key, value)| (key.clone(), value.clone()))
        .collect();
    hidden.sort();
    render(&EligibilityCheckPage {
        page: PageContext::new(state, context, "Check the eligibility decision", ""),
        person_name: person.full_name(),
        assessment_id: assessment.id.to_string(),
        eligible: decision.eligible,
        reasons: decision.reasons.clone(),
        rows,
        hidden,
    })
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
    match pdf_document(&questionnaire.title, &Block::from_paragraphs(&paragraphs)) {
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
        Err(error) => PageError::from(AppError::internal("making the PDF", error)).into_response(),
    }
}
