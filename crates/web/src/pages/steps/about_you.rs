//! "About you" in the self-assessment: what matters to the person, their strengths and the
//! people and support around them, in their own words. Reached from the check page (and its
//! Change links), saved while the assessment can still change, and shown to the practitioner
//! beside the scored answers.

use super::RecordPath;
use crate::context::{CsrfForm, CurrentActor, RequestContext};
use crate::errors::PageError;
use crate::pages::forms::{form_page, Field, FormPage};
use crate::AppState;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use tailor_app::AppError;
use tailor_domain::assessments::{AboutYou, AboutYouInput};
use tailor_domain::validation::ValidationErrors;
use tailor_domain::AssessmentId;

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct AboutForm {
    #[serde(flatten)]
    pub input: AboutYouInput,
}

fn fields(input: &AboutYouInput) -> Vec<Field> {
    vec![
        Field::Area {
            name: "what_matters",
            label: "What matters to you",
            value: input.what_matters.clone(),
            hint: "The people, places and things that make a good day for you, and what you want to keep doing or start doing.",
        },
        Field::Area {
            name: "strengths",
            label: "What you are good at and enjoy (optional)",
            value: input.strengths.clone(),
            hint: "Your skills, interests and what you already manage well. Support will build on these.",
        },
        Field::Area {
            name: "support_around",
            label: "The people and support around you (optional)",
            value: input.support_around.clone(),
            hint: "Family, friends, neighbours, groups or services that help you now, and how often.",
        },
    ]
}

async fn about_page_with(
    state: &AppState,
    context: &RequestContext,
    actor: &tailor_domain::access::Actor,
    assessment_id: AssessmentId,
    input: &AboutYouInput,
    errors: ValidationErrors,
) -> Response {
    let (assessment, _, _) = try_page!(state.app.open_assessment(actor, assessment_id).await);
    if !assessment.is_editable() {
        return Redirect::to(&format!("/assessments/{assessment_id}")).into_response();
    }
    let page = FormPage {
        heading: "About you",
        action: format!("/assessments/{assessment_id}/about"),
        button: "Save and check your answers",
        multipart: false,
        cancel: Some(format!("/assessments/{assessment_id}/check")),
    };
    form_page(state, context, assessment.person_id, page, fields(input), errors).await
}

pub async fn about_page(
    State(state): State<AppState>,
    context: RequestContext,
    CurrentActor(actor): CurrentActor,
    RecordPath(assessment_id): RecordPath<AssessmentId>,
) -> Response {
    let (assessment, _, _) = try_page!(state.app.open_assessment(&actor, assessment_id).await);
    let input = AboutYouInput::from_about(&assessment.about);
    about_page_with(&state, &context, &actor, assessment_id, &input, ValidationErrors::default()).await
}

pub async fn save_about(
    State(state): State<AppState>,
    context: RequestContext,
    CurrentActor(actor): CurrentActor,
    RecordPath(assessment_id): RecordPath<AssessmentId>,
    CsrfForm(form): CsrfForm<AboutForm>,
) -> Response {
    match state.app.save_about_you(&actor, assessment_id, &form.input).await {
        Ok(_) => Redirect::to(&format!("/assessments/{assessment_id}/check")).into_response(),
        Err(AppError::Invalid(errors)) => about_page_with(&state, &context, &actor, assessment_id, &form.input, errors).await,
        Err(error) => PageError::from(error).into_response(),
    }
}

/// The three answers as rows for a summary list: (question, answer), "Not answered yet" when blank.
pub fn about_rows(about: &AboutYou) -> Vec<(&'static str, String)> {
    let shown = |text: &str| {
        if text.is_empty() {
            "Not answered yet".to_owned()
        } else {
            text.to_owned()
        }
    };
    vec![
        ("What matters to you", shown(&about.what_matters)),
        ("What you are good at and enjoy", shown(&about.strengths)),
        ("The people and support around you", shown(&about.support_around)),
    ]
}
