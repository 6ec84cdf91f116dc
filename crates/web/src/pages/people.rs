//! Finding a person, their record, and the forms that add to it.
//!
//! Long because each small form (note, warning, relationship, document, delegation, allocation,
//! money holder) is a handler pair and its fields; they share the record-form template.

use super::forms::{record_form_page, Field, RecordForm};
use super::home::{person_rows, PersonRow};
use super::{choices, render, render_invalid, Choice, PageContext};
use crate::context::{check_csrf, CsrfForm, CurrentActor, RequestContext};
use crate::errors::PageError;
use crate::AppState;
use askama::Template;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use tailor_app::people::{AllocationOptions, DelegationInput, PersonView, PAGE_SIZE};
use tailor_app::AppError;
use tailor_domain::access::{may, Actor, Capability, DelegationScope};
use tailor_domain::notes::{CaseNoteInput, NoteKind};
use tailor_domain::people::*;
use tailor_domain::validation::ValidationErrors;
use tailor_domain::{DocumentId, PersonId};

/// The `{id}` of a `/people/{id}/...` page, parsed; a malformed id is a 404 page.
pub struct PersonPath(pub PersonId);

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for PersonPath {
    type Rejection = Response;
    async fn from_request_parts(parts: &mut axum::http::request::Parts, state: &S) -> Result<Self, Self::Rejection> {
        let Path(parameters) = Path::<std::collections::HashMap<String, String>>::from_request_parts(parts, state)
            .await
            .map_err(|_| PageError::App(AppError::NotFound).into_response())?;
        parameters
            .get("id")
            .and_then(|id| id.parse().ok())
            .map(PersonPath)
            .ok_or_else(|| PageError::App(AppError::NotFound).into_response())
    }
}

macro_rules! try_page {
    ($result:expr) => {
        match $result {
            Ok(value) => value,
            Err(error) => return PageError::from(error).into_response(),
        }
    };
}

#[derive(Template)]
#[template(path = "people_search.html")]
struct SearchPage {
    page: PageContext,
    query: String,
    searched: bool,
    rows: Vec<PersonRow>,
    page_number: i64,
    previous_page: Option<i64>,
    next_page: Option<i64>,
    query_encoded: String,
}

#[derive(Deserialize, Default)]
pub struct SearchQuery {
    #[serde(default)]
    q: String,
    #[serde(default)]
    page: Option<i64>,
}

pub async fn search(
    State(state): State<AppState>,
    context: RequestContext,
    CurrentActor(actor): CurrentActor,
    Query(query): Query<SearchQuery>,
) -> Response {
    let search = PeopleSearch::from_query(&query.q);
    let page_number = query.page.unwrap_or(0).max(0);
    let found = try_page!(state.app.search_people(&actor, search.clone(), page_number).await);
    let page = SearchPage {
        page: PageContext::new(&state, &context, "Find a person", "/people"),
        query: query.q.chars().take(100).collect(),
        searched: !search.is_empty(),
        rows: person_rows(&found.people),
        page_number: page_number + 1,
        previous_page: (page_number > 0).then(|| page_number - 1),
        next_page: (found.people.len() as i64 == PAGE_SIZE).then_some(page_number + 1),
        query_encoded: serde_urlencoded::to_string([("q", query.q.as_str())]).unwrap_or_default(),
    };
    render(&page)
}

/// A label and value in a GOV.UK summary list.
pub struct Row {
    pub key: &'static str,
    pub value: String,
}

#[derive(Template)]
#[template(path = "person.html")]
struct PersonPage {
    page: PageContext,
    id: String,
    name: String,
    view: PersonView,
    details: Vec<Row>,
    can_edit: bool,
    can_allocate: bool,
    is_self: bool,
    planning: Option<PlanningSummary>,
}

/// The person's assessments, budget and plan, for their record page.
pub struct PlanningSummary {
    pub can_act: bool,
    pub staff: bool,
    pub can_assess_finances: bool,
    pub assessments: Vec<(String, &'static str, &'static str, String)>,
    pub eligibility: Option<(bool, String)>,
    pub allocation: Option<(String, String)>,
    pub contribution: Option<String>,
    pub plan: Option<(String, &'static str)>,
    pub budget: Option<(String, String)>,
    pub has_editable_assessment: bool,
}

fn planning_summary(
    overview: &tailor_app::steps::PlanningOverview,
    access: &tailor_domain::access::PersonAccess,
    actor: &Actor,
) -> PlanningSummary {
    use tailor_domain::eligibility::AssessmentKind;
    PlanningSummary {
        can_act: may(actor, access, Capability::WritePlan),
        staff: may(actor, access, Capability::EditRecord),
        can_assess_finances: may(actor, access, Capability::RecordFinancialAssessment),
        assessments: overview
            .assessments
            .iter()
            .map(|assessment| {
                (
                    assessment.id.to_string(),
                    if assessment.kind == AssessmentKind::Carer {
                        "Carer's assessment"
                    } else {
                        "Self-assessment"
                    },
                    assessment.status.label(),
                    assessment.started_at.format("%-d %B %Y").to_string(),
                )
            })
            .collect(),
        eligibility: overview
            .eligibility
            .first()
            .map(|record| (record.decision.eligible, record.assessment_id.to_string())),
        allocation: overview
            .allocations
            .first()
            .map(|allocation| (allocation.id.to_string(), allocation.indicative().to_string())),
        contribution: overview.financial.as_ref().map(|financial| {
            if financial.circumstances.declined {
                "Declined a financial assessment: pays the full cost".to_owned()
            } else {
                format!("Can afford {} a week towards their care", financial.contribution.weekly)
            }
        }),
        plan: overview.plans.first().map(|plan| (plan.id.to_string(), plan.status.label())),
        budget: overview
            .budgets
            .first()
            .map(|budget| (budget.id.to_string(), budget.annual_cost.to_string())),
        has_editable_assessment: overview.assessments.iter().any(|assessment| assessment.is_editable()),
    }
}

fn detail_rows(view: &PersonView, today: chrono::NaiveDate) -> Vec<Row> {
    let details = &view.person.details;
    let or_none = |value: &Option<String>| {
        value
            .clone()
            .filter(|text| !text.is_empty())
            .unwrap_or_else(|| "Not recorded".into())
    };
    let mut rows = vec![
        Row {
            key: "Name",
            value: details.full_name(),
        },
        Row {
            key: "Preferred name",
            value: or_none(&details.preferred_name),
        },
        Row {
            key: "Date of birth",
            value: format!("{} (age {})", details.date_of_birth.format("%-d %B %Y"), details.age_on(today)),
        },
        Row {
            key: "NHS number",
            value: details
                .nhs_number
                .map(|number| number.to_string())
                .unwrap_or_else(|| "Not known".into()),
        },
        Row {
            key: "Address",
            value: details.address.one_line(),
        },
        Row {
            key: "Phone",
            value: or_none(&details.phone),
        },
        Row {
            key: "Email",
            value: or_none(&details.email),
        },
        Row {
            key: "Contact by",
            value: details.contact_preference.label().into(),
        },
        Row {
            key: "Communication needs",
            value: if details.communication_needs.is_empty() {
                "None recorded".into()
            } else {
                details.communication_needs.clone()
            },
        },
        Row {
            key: "Consent to share information",
            value: match (&details.consent.recorded_on, details.consent.limitations.is_empty()) {
                (Some(day), true) => format!("{} (recorded {})", details.consent.status.label(), day.format("%-d %B %Y")),
                (Some(day), false) => format!(
                    "{} (recorded {}): {}",
                    details.consent.status.label(),
                    day.format("%-d %B %Y"),
                    details.consent.limitations
                ),
                (None, _) => details.consent.status.label().into(),
            },
        },
    ];
    if view.access.may(Capability::ViewCaseNotes) {
        rows.push(Row {
            key: "Team",
            value: view.team_name.clone().unwrap_or_else(|| "No team".into()),
        });
    }
    rows.push(Row {
        key: "Allocated worker",
        value: view
            .allocated_worker
            .as_ref()
            .map(|user| user.display_name.clone())
            .unwrap_or_else(|| "Not allocated".into()),
    });
    rows
}

pub async fn show(
    State(state): State<AppState>,
    context: RequestContext,
    CurrentActor(actor): CurrentActor,
    PersonPath(person_id): PersonPath,
) -> Response {
    let view = try_page!(state.app.view_person(&actor, person_id).await);
    let details = if view.access.may(Capability::ViewDetails) {
        detail_rows(&view, state.app.clock.today())
    } else {
        Vec::new()
    };
    let planning = if [
        Capability::WritePlan,
        Capability::ViewCaseNotes,
        Capability::RecordFinancialAssessment,
    ]
    .into_iter()
    .any(|capability| may(&actor, &view.access, capability))
    {
        let overview = try_page!(state.app.planning_overview(&actor, person_id).await);
        Some(planning_summary(&overview, &view.access, &actor))
    } else {
        None
    };
    let page = PersonPage {
        page: PageContext::new(&state, &context, &view.person.full_name(), ""),
        id: person_id.to_string(),
        name: view.person.full_name(),
        can_edit: view.access.may(Capability::EditRecord),
        can_allocate: may(&actor, &view.access, Capability::AllocateWorker),
        is_self: actor.person_id == Some(person_id),
        planning,
        details,
        view,
    };
    render(&page)
}

#[derive(Template)]
#[template(path = "person_form.html")]
struct PersonFormPage {
    page: PageContext,
    errors: ValidationErrors,
    form: PersonDetailsInput,
    action: String,
    heading: String,
    contact_options: Vec<Choice>,
    consent_options: Vec<Choice>,
    cancel: String,
    /// Records that may be this person already, shown before a new one is added.
    possible_duplicates: Vec<DuplicateRow>,
}

pub struct DuplicateRow {
    pub name: String,
    pub date_of_birth: String,
    /// A link to the record when the actor may open it.
    pub link: Option<String>,
}

fn person_form(
    state: &AppState,
    context: &RequestContext,
    form: PersonDetailsInput,
    errors: ValidationErrors,
    existing: Option<PersonId>,
) -> PersonFormPage {
    let heading = if existing.is_some() {
        "Change personal details"
    } else {
        "Add a person"
    };
    PersonFormPage {
        page: PageContext::new(state, context, heading, if existing.is_some() { "" } else { "/people/new" }).with_errors(&errors),
        contact_options: choices(
            ContactPreference::ALL.iter().map(|option| (option.as_str(), option.label())),
            &form.contact_preference,
        ),
        consent_options: choices(
            ConsentStatus::ALL.iter().map(|option| (option.as_str(), option.label())),
            if form.consent_status.is_empty() {
                "not_asked"
            } else {
                &form.consent_status
            },
        ),
        action: existing.map(|id| format!("/people/{id}/edit")).unwrap_or_else(|| "/people".into()),
        cancel: existing.map(|id| format!("/people/{id}")).unwrap_or_else(|| "/home".into()),
        heading: heading.into(),
        errors,
        form,
        possible_duplicates: Vec::new(),
    }
}

pub async fn new_person(State(state): State<AppState>, context: RequestContext) -> Response {
    render(&person_form(
        &state,
        &context,
        PersonDetailsInput {
            contact_preference: "letter".into(),
            ..Default::default()
        },
        ValidationErrors::default(),
        None,
    ))
}

pub async fn create_person(
    State(state): State<AppState>,
    context: RequestContext,
    CurrentActor(actor): CurrentActor,
    CsrfForm(form): CsrfForm<PersonDetailsInput>,
) -> Response {
    match state.app.create_person(&actor, &form).await {
        Ok(person) => Redirect::to(&format!("/people/{}", person.id)).into_response(),
        Err(AppError::Invalid(errors)) if errors.message_for("duplicate_reason").is_some() => {
            let details = match form.parse(state.app.clock.today(), None) {
                Ok(details) => details,
                Err(errors) => return render_invalid(&person_form(&state, &context, form, errors, None)),
            };
            let found = try_page!(state.app.possible_duplicates(&actor, &details).await);
            let mut page = person_form(&state, &context, form, errors, None);
            page.possible_duplicates = found
                .iter()
                .map(|duplicate| DuplicateRow {
                    name: duplicate.person.full_name(),
                    date_of_birth: duplicate.person.date_of_birth.format("%-d %B %Y").to_string(),
                    link: duplicate.opens_for_actor.then(|| format!("/people/{}", duplicate.person.id)),
                })
                .collect();
            render_invalid(&page)
        }
        Err(AppError::Invalid(errors)) => render_invalid(&person_form(&state, &context, form, errors, None)),
        Err(error) => PageError::from(error).into_response(),
    }
}

pub async fn edit_person(
    State(state): State<AppState>,
    context: RequestContext,
    CurrentActor(actor): CurrentActor,
    PersonPath(person_id): PersonPath,
) -> Response {
    let person = try_page!(state.app.person_for_editing(&actor, person_id).await);
    render(&person_form(
        &state,
        &context,
        PersonDetailsInput::from_details(&person.details),
        ValidationErrors::default(),
        Some(person_id),
    ))
}

pub async fn update_person(
    State(state): State<AppState>,
    context: RequestContext,
    CurrentActor(actor): CurrentActor,
    PersonPath(person_id): PersonPath,
    CsrfForm(form): CsrfForm<PersonDetailsInput>,
) -> Response {
    match state.app.update_person(&actor, person_id, &form).await {
        Ok(_) => Redirect::to(&format!("/people/{person_id}")).into_response(),
        Err(AppError::Invalid(errors)) => render_invalid(&person_form(&state, &context, form, errors, Some(person_id))),
        Err(error) => PageError::from(error).into_response(),
    }
}

const NOTE_FORM: RecordForm = RecordForm {
    heading: "Add a case note",
    path: "notes",
    button: "Save note",
    multipart: false,
};

fn note_fields(input: &CaseNoteInput) -> Vec<Field> {
    vec![
        Field::Radios {
            name: "kind",
            legend: "What kind of contact was it?",
            options: choices(
                NoteKind::ALL.iter().map(|kind| (kind.as_str(), kind.label())),
                if input.kind.is_empty() { "conversation" } else { &input.kind },
            ),
            hint: "",
        },
        Field::Text {
            name: "occurred_on",
            label: "When did it happen? (optional)",
            value: input.occurred_on.clone(),
            hint: "For example, 22/11/2026. Leave empty for today.",
        },
        Field::Area {
            name: "text",
            label: "Note",
            value: input.text.clone(),
            hint: "Write what happened and what was agreed, in plain words the person could read.",
        },
    ]
}

/// Checks the actor may reach this part of the record before showing its form, so a refused
/// visit is audited and never shows even the person's name.
async fn allowed(
    state: &AppState,
    actor: &Actor,
    person_id: PersonId,
    what: &str,
    part: impl Fn(&tailor_domain::access::PersonAccess) -> bool,
) -> Result<(), Response> {
    let access = state
        .app
        .access_to_person(actor, person_id, what)
        .await
        .map_err(|error| PageError::from(error).into_response())?;
    if part(&access) {
        Ok(())
    } else {
        state.app.record_refusal(actor, what, Some(person_id)).await;
        Err(PageError::from(AppError::Forbidden).into_response())
    }
}

macro_rules! record_form_handlers {
    ($show:ident, $submit:ident, $form:expr, $input:ty, $fields:expr, $what:literal, $part:expr, $use_case:ident) => {
        pub async fn $show(
            State(state): State<AppState>,
            context: RequestContext,
            CurrentActor(actor): CurrentActor,
            PersonPath(person_id): PersonPath,
        ) -> Response {
            if let Err(response) = allowed(&state, &actor, person_id, $what, $part).await {
                return response;
            }
            record_form_page(
                &state,
                &context,
                person_id,
                $form,
                $fields(&<$input>::default()),
                ValidationErrors::default(),
            )
            .await
        }

        pub async fn $submit(
            State(state): State<AppState>,
            context: RequestContext,
            CurrentActor(actor): CurrentActor,
            PersonPath(person_id): PersonPath,
            CsrfForm(input): CsrfForm<$input>,
        ) -> Response {
            match state.app.$use_case(&actor, person_id, &input).await {
                Ok(_) => Redirect::to(&format!("/people/{person_id}")).into_response(),
                Err(AppError::Invalid(errors)) => record_form_page(&state, &context, person_id, $form, $fields(&input), errors).await,
                Err(error) => PageError::from(error).into_response(),
            }
        }
    };
}

record_form_handlers!(
    new_note,
    add_note,
    NOTE_FORM,
    CaseNoteInput,
    note_fields,
    "add a case note",
    |access| access.may(Capability::ViewCaseNotes) && access.may(Capability::EditRecord),
    add_case_note
);

const RELATIONSHIP_FORM: RecordForm = RecordForm {
    heading: "Add a carer, relative or other contact",
    path: "relationships",
    button: "Save contact",
    multipart: false,
};

fn relationship_fields(input: &RelationshipInput) -> Vec<Field> {
    vec![
        Field::Radios {
            name: "kind",
            legend: "Who are they to the person?",
            options: choices(RelationshipKind::ALL.iter().map(|kind| (kind.as_str(), kind.label())), &input.kind),
            hint: "A nominated person manages a direct payment for someone who can decide for themselves; an authorised person does so for someone who cannot.",
        },
        Field::Text { name: "name", label: "Full name", value: input.name.clone(), hint: "" },
        Field::Text { name: "phone", label: "Phone number (optional)", value: input.phone.clone(), hint: "" },
        Field::Radios {
            name: "lives_with_person",
            legend: "Do they live with the person?",
            options: choices([("no", "No"), ("yes", "Yes")], if input.lives_with_person.is_empty() { "no" } else { &input.lives_with_person }),
            hint: "",
        },
        Field::Area { name: "notes", label: "Anything else to know (optional)", value: input.notes.clone(), hint: "" },
    ]
}

record_form_handlers!(
    new_relationship,
    add_relationship,
    RELATIONSHIP_FORM,
    RelationshipInput,
    relationship_fields,
    "add a relationship",
    |access| access.may(Capability::ViewRelationships) && access.may(Capability::EditRecord),
    add_relationship
);

const WARNING_FORM: RecordForm = RecordForm {
    heading: "Add a warning",
    path: "warnings",
    button: "Save warning",
    multipart: false,
};

fn warning_fields(input: &WarningInput) -> Vec<Field> {
    vec![
        Field::Radios {
            name: "category",
            legend: "What is the warning about?",
            options: choices(
                WarningCategory::ALL.iter().map(|category| (category.as_str(), category.label())),
                &input.category,
            ),
            hint: "",
        },
        Field::Area {
            name: "text",
            label: "What workers need to know",
            value: input.text.clone(),
            hint: "Say what to do, not only what the risk is.",
        },
    ]
}

record_form_handlers!(
    new_warning,
    add_warning,
    WARNING_FORM,
    WarningInput,
    warning_fields,
    "add a warning",
    |access| access.may(Capability::ViewWarnings) && access.may(Capability::EditRecord),
    add_warning
);

const DOCUMENT_FORM: RecordForm = RecordForm {
    heading: "Add a document",
    path: "documents",
    button: "Upload document",
    multipart: true,
};

fn document_fields(title: &str) -> Vec<Field> {
    vec![
        Field::Text {
            name: "title",
            label: "Title",
            value: title.into(),
            hint: "For example, Written record of assessment",
        },
        Field::File {
            name: "file",
            label: "File",
            hint: "PDF, PNG, JPG, TXT, DOCX or ODT, smaller than 5MB",
        },
    ]
}

pub async fn new_document(
    State(state): State<AppState>,
    context: RequestContext,
    CurrentActor(actor): CurrentActor,
    PersonPath(person_id): PersonPath,
) -> Response {
    if let Err(response) = allowed(&state, &actor, person_id, "add a document", |access| {
        access.may(Capability::ViewDocuments) && access.may(Capability::EditRecord)
    })
    .await
    {
        return response;
    }
    record_form_page(
        &state,
        &context,
        person_id,
        DOCUMENT_FORM,
        document_fields(""),
        ValidationErrors::default(),
    )
    .await
}

pub async fn add_document(
    State(state): State<AppState>,
    context: RequestContext,
    CurrentActor(actor): CurrentActor,
    PersonPath(person_id): PersonPath,
    mut multipart: Multipart,
) -> Response {
    let upload = match read_document_upload(&mut multipart).await {
        Ok(upload) => upload,
        Err(response) => return response,
    };
    let DocumentUpload {
        token,
        title,
        file_name,
        content,
        too_large,
    } = upload;
    if too_large {
        // Answered on the same form, with the title kept: the file is what must change.
        if let Err(response) = check_csrf(&state, &context, &token).await {
            return response;
        }
        let mut errors = ValidationErrors::default();
        errors.add(
            "file",
            "The file must be smaller than 5MB. Choose a smaller file, or a copy saved at a lower quality",
        );
        let mut response = record_form_page(&state, &context, person_id, DOCUMENT_FORM, document_fields(&title), errors).await;
        if response.status() == axum::http::StatusCode::UNPROCESSABLE_ENTITY {
            *response.status_mut() = axum::http::StatusCode::PAYLOAD_TOO_LARGE;
        }
        return response;
    }
    if let Err(response) = check_csrf(&state, &context, &token).await {
        return response;
    }
    match state.app.add_document(&actor, person_id, &title, &file_name, &content).await {
        Ok(_) => Redirect::to(&format!("/people/{person_id}")).into_response(),
        Err(AppError::Invalid(errors)) => {
            record_form_page(&state, &context, person_id, DOCUMENT_FORM, document_fields(&title), errors).await
        }
        Err(error) => PageError::from(error).into_response(),
    }
}

/// What a document upload form sent. Fields arrive in the form's order (token, title, file),
/// so a file that is too large is found after the title is known.
struct DocumentUpload {
    token: String,
    title: String,
    file_name: String,
    content: Vec<u8>,
    /// The file was larger than a document may be: the bytes past the limit were read and
    /// dropped, so the form can be shown again rather than the connection cut.
    too_large: bool,
}

/// Reads an upload, keeping at most `MAX_DOCUMENT_BYTES` of the file in memory; the route's body
/// limit (`UPLOAD_READ_LIMIT_BYTES`) bounds how much more is read and dropped.
async fn read_document_upload(multipart: &mut Multipart) -> Result<DocumentUpload, Response> {
    let max = tailor_domain::notes::MAX_DOCUMENT_BYTES;
    let mut upload = DocumentUpload {
        token: String::new(),
        title: String::new(),
        file_name: String::new(),
        content: Vec::new(),
        too_large: false,
    };
    let unreadable = || PageError::BadRequest("The upload could not be read. Go back and try again.".into()).into_response();
    let over_limit = |error: &axum::extract::multipart::MultipartError| error.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE;
    loop {
        let mut field = match multipart.next_field().await {
            Ok(Some(field)) => field,
            Ok(None) => return Ok(upload),
            // Past the route's limit: answer on the form if the title has been read.
            Err(error) if over_limit(&error) && !upload.token.is_empty() => {
                upload.too_large = true;
                return Ok(upload);
            }
            Err(error) if over_limit(&error) => return Err(crate::errors::explain_too_large_page()),
            Err(_) => return Err(unreadable()),
        };
        let name = field.name().unwrap_or_default().to_owned();
        if name == "file" {
            upload.file_name = field.file_name().unwrap_or_default().to_owned();
            loop {
                match field.chunk().await {
                    Ok(Some(chunk)) => {
                        if upload.content.len() + chunk.len() > max {
                            upload.too_large = true;
                            upload.content.clear();
                        } else if !upload.too_large {
                            upload.content.extend_from_slice(&chunk);
                        }
                    }
                    Ok(None) => break,
                    Err(error) if over_limit(&error) && !upload.token.is_empty() => {
                        upload.too_large = true;
                        return Ok(upload);
                    }
                    Err(error) if over_limit(&error) => return Err(crate::errors::explain_too_large_page()),
                    Err(_) => return Err(unreadable()),
                }
            }
            continue;
        }
        let Ok(text) = field.text().await else {
            return Err(unreadable());
        };
        match name.as_str() {
            "csrf_token" => upload.token = text,
            "title" => upload.title = text.chars().take(1_000).collect(),
            _ => {}
        }
    }
}

pub async fn open_document(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    PersonPath(person_id): PersonPath,
    Path((_, document_id)): Path<(String, String)>,
) -> Response {
    let Ok(document_id) = document_id.parse::<DocumentId>() else {
        return PageError::App(AppError::NotFound).into_response();
    };
    let (meta, content) = try_page!(state.app.open_document(&actor, person_id, document_id).await);
    let disposition = format!("attachment; filename=\"{}\"", meta.file_name.replace(['"', '\\'], "_"));
    (
        [
            (header::CONTENT_TYPE, meta.content_type),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        content,
    )
        .into_response()
}

const DELEGATION_FORM: RecordForm = RecordForm {
    heading: "Give a helper access to this record",
    path: "delegations",
    button: "Give access",
    multipart: false,
};

fn delegation_fields(input: &DelegationInput) -> Vec<Field> {
    vec![
        Field::Text {
            name: "helper_email",
            label: "Their email address",
            value: input.helper_email.clone(),
            hint: "They need a Tailor helper account. They will never use your sign-in.",
        },
        Field::Checkboxes {
            name: "scopes",
            legend: "What may they do?",
            options: DelegationScope::ALL
                .iter()
                .map(|scope| Choice {
                    value: scope.as_str().into(),
                    label: scope.label().into(),
                    checked: input.scopes.iter().any(|chosen| chosen == scope.as_str()),
                })
                .collect(),
            hint: "Select all that apply.",
        },
        Field::Text {
            name: "expires_on",
            label: "Last day of access (optional)",
            value: input.expires_on.clone(),
            hint: "For example, 31/12/2027. Leave empty for access until you stop it.",
        },
    ]
}

pub async fn new_delegation(
    State(state): State<AppState>,
    context: RequestContext,
    CurrentActor(actor): CurrentActor,
    PersonPath(person_id): PersonPath,
) -> Response {
    if let Err(response) = allowed(&state, &actor, person_id, "grant delegated access", |access| {
        access.may(Capability::ManageDelegations)
    })
    .await
    {
        return response;
    }
    record_form_page(
        &state,
        &context,
        person_id,
        DELEGATION_FORM,
        delegation_fields(&DelegationInput::default()),
        ValidationErrors::default(),
    )
    .await
}

pub async fn grant_delegation(
    State(state): State<AppState>,
    context: RequestContext,
    CurrentActor(actor): CurrentActor,
    PersonPath(person_id): PersonPath,
    CsrfForm(input): CsrfForm<DelegationInput>,
) -> Response {
    let result = state.app.grant_delegation(&actor, person_id, &input).await;
    match result {
        Ok(_) => Redirect::to(&format!("/people/{person_id}")).into_response(),
        Err(AppError::Invalid(errors)) => {
            record_form_page(&state, &context, person_id, DELEGATION_FORM, delegation_fields(&input), errors).await
        }
        Err(error) => PageError::from(error).into_response(),
    }
}

#[derive(Deserialize, Default)]
pub struct AllocationInput {
    #[serde(default)]
    worker_id: String,
}

const ALLOCATION_FORM: RecordForm = RecordForm {
    heading: "Allocate a worker",
    path: "allocation",
    button: "Allocate",
    multipart: false,
};

fn allocation_fields(options: &AllocationOptions, selected: &str) -> Vec<Field> {
    let mut choices = vec![Choice {
        value: String::new(),
        label: "No one (unallocated)".into(),
        checked: selected.is_empty(),
    }];
    choices.extend(options.workers.iter().map(|user| Choice {
        checked: user.id.to_string() == selected,
        value: user.id.to_string(),
        label: user.display_name.clone(),
    }));
    vec![Field::Select {
        name: "worker_id",
        label: "Worker",
        options: choices,
        hint: "Workers in your team",
    }]
}

pub async fn allocation_page(
    State(state): State<AppState>,
    context: RequestContext,
    CurrentActor(actor): CurrentActor,
    PersonPath(person_id): PersonPath,
) -> Response {
    let options = try_page!(state.app.allocation_options(&actor, person_id).await);
    let current = options.current.map(|id| id.to_string()).unwrap_or_default();
    let fields = allocation_fields(&options, &current);
    record_form_page(&state, &context, person_id, ALLOCATION_FORM, fields, ValidationErrors::default()).await
}

pub async fn allocate(
    State(state): State<AppState>,
    context: RequestContext,
    CurrentActor(actor): CurrentActor,
    PersonPath(person_id): PersonPath,
    CsrfForm(input): CsrfForm<AllocationInput>,
) -> Response {
    match state.app.allocate_worker(&actor, person_id, &input.worker_id).await {
        Ok(_) => Redirect::to(&format!("/people/{person_id}")).into_response(),
        Err(AppError::Invalid(errors)) => {
            let options = try_page!(state.app.allocation_options(&actor, person_id).await);
            let fields = allocation_fields(&options, &input.worker_id);
            record_form_page(&state, &context, person_id, ALLOCATION_FORM, fields, errors).await
        }
        Err(error) => PageError::from(error).into_response(),
    }
}

#[derive(Deserialize, Default)]
pub struct MoneyHolderInput {
    #[serde(default)]
    organisation_id: String,
}

const MONEY_HOLDER_FORM: RecordForm = RecordForm {
    heading: "Record who holds the person's money",
    path: "money-holders",
    button: "Save",
    multipart: false,
};

async fn money_holder_fields(state: &AppState, actor: &Actor, selected: &str) -> Result<Vec<Field>, AppError> {
    let organisations = state.app.list_organisations(actor).await?;
    Ok(vec![Field::Radios {
        name: "organisation_id",
        legend: "Which organisation holds the money?",
        options: organisations
            .iter()
            .map(|organisation| Choice {
                value: organisation.id.to_string(),
                label: format!("{} ({})", organisation.name, organisation.kind.label()),
                checked: organisation.id.to_string() == selected,
            })
            .collect(),
        hint: "Their staff will then see this person's contact details.",
    }])
}

pub async fn new_money_holder(
    State(state): State<AppState>,
    context: RequestContext,
    CurrentActor(actor): CurrentActor,
    PersonPath(person_id): PersonPath,
) -> Response {
    if let Err(response) = allowed(&state, &actor, person_id, "record who holds a person's money", |access| {
        access.may(Capability::EditRecord)
    })
    .await
    {
        return response;
    }
    let fields = try_page!(money_holder_fields(&state, &actor, "").await);
    record_form_page(&state, &context, person_id, MONEY_HOLDER_FORM, fields, ValidationErrors::default()).await
}

pub async fn add_money_holder(
    State(state): State<AppState>,
    context: RequestContext,
    CurrentActor(actor): CurrentActor,
    PersonPath(person_id): PersonPath,
    CsrfForm(input): CsrfForm<MoneyHolderInput>,
) -> Response {
    match state.app.add_money_holder(&actor, person_id, &input.organisation_id).await {
        Ok(_) => Redirect::to(&format!("/people/{person_id}")).into_response(),
        Err(AppError::Invalid(errors)) => {
            let fields = try_page!(money_holder_fields(&state, &actor, &input.organisation_id).await);
            record_form_page(&state, &context, person_id, MONEY_HOLDER_FORM, fields, errors).await
        }
        Err(error) => PageError::from(error).into_response(),
    }
}
