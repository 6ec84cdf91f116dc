//! Step 1: the practitioner records how the assessment was carried out (the offer of a supported
//! self-assessment, the method, capacity, independent advocacy) before eligibility is decided.

use super::RecordPath;
use crate::context::{CsrfForm, CurrentActor, RequestContext};
use crate::errors::PageError;
use crate::pages::choices;
use crate::pages::forms::{form_page, Field, FormPage};
use crate::AppState;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use tailor_app::AppError;
use tailor_domain::assessment_duties::{Advocacy, AssessmentDuties, AssessmentMethod, Capacity, DutiesInput};
use tailor_domain::validation::ValidationErrors;
use tailor_domain::AssessmentId;

/// The form: the answers, and the version of the record they were read from (empty the first time).
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct DutiesForm {
    #[serde(flatten)]
    pub input: DutiesInput,
    pub version: String,
}

/// One line of the assessment page's "How the assessment was carried out".
pub struct DutyRow {
    pub label: &'static str,
    pub value: String,
}

/// The recorded duties as rows a person can read.
pub fn duty_rows(duties: &AssessmentDuties) -> Vec<DutyRow> {
    let mut rows = vec![
        DutyRow {
            label: "Offered a supported self-assessment",
            value: if duties.self_assessment_offered { "Yes" } else { "No" }.into(),
        },
        DutyRow {
            label: "How it was carried out",
            value: duties.method.label().into(),
        },
        DutyRow {
            label: "Capacity to take part",
            value: if duties.capacity_notes.is_empty() {
                duties.capacity.label().into()
            } else {
                format!("{} ({})", duties.capacity.label(), duties.capacity_notes)
            },
        },
        DutyRow {
            label: "Support to be involved",
            value: duties.advocacy.label().into(),
        },
    ];
    if let Some(person) = &duties.appropriate_person {
        rows.push(DutyRow {
            label: "Appropriate person",
            value: person.clone(),
        });
    }
    if let Some(advocate) = &duties.advocate {
        rows.push(DutyRow {
            label: "Independent advocate",
            value: format!("{}, {}, {}", advocate.name, advocate.organisation, advocate.contact),
        });
    }
    rows.push(DutyRow {
        label: "Recorded by",
        value: format!(
            "{}, {}",
            duties.recorded_by_name,
            duties.recorded_at.with_timezone(&chrono_tz::Europe::London).format("%-d %B %Y")
        ),
    });
    rows
}

fn yes_no(selected: &str) -> Vec<crate::pages::Choice> {
    choices([("yes", "Yes"), ("no", "No")], selected)
}

fn fields(form: &DutiesForm) -> Vec<Field> {
    let input = &form.input;
    vec![
        Field::Hidden {
            name: "version",
            value: form.version.clone(),
        },
        Field::Radios {
            name: "self_assessment_offered",
            legend: "Were they offered a supported self-assessment?",
            options: yes_no(&input.self_assessment_offered),
            hint: "The council must offer one, and carry it out if they want it and have capacity to take part.",
        },
        Field::Radios {
            name: "method",
            legend: "How was the assessment carried out?",
            options: choices(
                AssessmentMethod::ALL.iter().map(|method| (method.as_str(), method.label())),
                &input.method,
            ),
            hint: "",
        },
        Field::Radios {
            name: "capacity",
            legend: "Their capacity to take part",
            options: choices(
                Capacity::ALL.iter().map(|capacity| (capacity.as_str(), capacity.label())),
                &input.capacity,
            ),
            hint: "Assess capacity only where there is reason to doubt it (Mental Capacity Act 2005).",
        },
        Field::Area {
            name: "capacity_notes",
            label: "If a capacity assessment was done: what it found, who did it and when",
            value: input.capacity_notes.clone(),
            hint: "",
        },
        Field::Radios {
            name: "substantial_difficulty",
            legend: "Would they have substantial difficulty being involved?",
            options: yes_no(&input.substantial_difficulty),
            hint: "In understanding, keeping in mind, or weighing the information, or in saying what they want (Care Act s67).",
        },
        Field::Radios {
            name: "advocacy",
            legend: "If so, who supports them to be involved?",
            options: choices(
                Advocacy::ALL
                    .iter()
                    .filter(|advocacy| **advocacy != Advocacy::NotNeeded)
                    .map(|advocacy| (advocacy.as_str(), advocacy.label())),
                &input.advocacy,
            ),
            hint: "Where there is no appropriate person, the council must arrange an independent advocate.",
        },
        Field::Text {
            name: "appropriate_person",
            label: "The appropriate person's name, and how they know them",
            value: input.appropriate_person.clone(),
            hint: "",
        },
        Field::Text {
            name: "advocate_name",
            label: "The advocate's name",
            value: input.advocate_name.clone(),
            hint: "",
        },
        Field::Text {
            name: "advocate_organisation",
            label: "The advocacy organisation",
            value: input.advocate_organisation.clone(),
            hint: "",
        },
        Field::Text {
            name: "advocate_contact",
            label: "The advocate's phone number or email address",
            value: input.advocate_contact.clone(),
            hint: "",
        },
    ]
}

async fn duties_page_with(
    state: &AppState,
    context: &RequestContext,
    actor: &tailor_domain::access::Actor,
    assessment_id: AssessmentId,
    form: &DutiesForm,
    errors: ValidationErrors,
) -> Response {
    let (assessment, _, _) = try_page!(state.app.open_assessment(actor, assessment_id).await);
    let page = FormPage {
        heading: "How the assessment was carried out",
        action: format!("/assessments/{assessment_id}/duties"),
        button: "Save",
        multipart: false,
        cancel: Some(format!("/assessments/{assessment_id}")),
    };
    form_page(state, context, assessment.person_id, page, fields(form), errors).await
}

pub async fn duties_page(
    State(state): State<AppState>,
    context: RequestContext,
    CurrentActor(actor): CurrentActor,
    RecordPath(assessment_id): RecordPath<AssessmentId>,
) -> Response {
    let recorded = try_page!(state.app.assessment_duties(&actor, assessment_id).await);
    let form = recorded
        .map(|duties| DutiesForm {
            input: DutiesInput::from_duties(&duties),
            version: duties.version.to_string(),
        })
        .unwrap_or_default();
    duties_page_with(&state, &context, &actor, assessment_id, &form, ValidationErrors::default()).await
}

pub async fn record_duties(
    State(state): State<AppState>,
    context: RequestContext,
    CurrentActor(actor): CurrentActor,
    RecordPath(assessment_id): RecordPath<AssessmentId>,
    CsrfForm(form): CsrfForm<DutiesForm>,
) -> Response {
    let version = form.version.trim().parse::<i64>().ok();
    match state
        .app
        .record_assessment_duties(&actor, assessment_id, &form.input, version)
        .await
    {
        Ok(_) => Redirect::to(&format!("/assessments/{assessment_id}")).into_response(),
        Err(AppError::Invalid(errors)) => duties_page_with(&state, &context, &actor, assessment_id, &form, errors).await,
        Err(error) => PageError::from(error).into_response(),
    }
}
