//! The JSON API under /api/v1. Bearer tokens from `POST /api/v1/tokens`; errors carry a stable
//! `code` and a plain `message`. The OpenAPI document at /api/v1/openapi.json is generated from
//! the annotations here, so it cannot drift from the handlers.
//!
//! Long because every route's OpenAPI annotation sits on its handler, so the document cannot drift.

use crate::context::{CurrentActor, RequestContext};
use crate::errors::{api_error_response, ApiError, ApiErrorBody};
use crate::AppState;
use axum::extract::{FromRequest, Path, Query, Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::{DateTime, Datelike, NaiveDate, Utc};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use tailor_app::AppError;
use tailor_domain::access::{Actor, Capability};
use tailor_domain::assessments::{AllocationRecord, Assessment, EligibilityRecord, FinancialAssessmentRecord};
use tailor_domain::audit::AuditEvent;
use tailor_domain::challenges::Challenge;
use tailor_domain::notes::{CaseNote, CaseNoteInput};
use tailor_domain::people::{PeopleSearch, Person, PersonDetailsInput, PersonSummary, Relationship, RelationshipInput, Warning};
use tailor_domain::plans::{PersonalBudget, SupportPlan};
use tailor_domain::questionnaires::Questionnaire;
use tailor_domain::users::{NewUserInput, Team, User};
use tailor_domain::PersonId;
use utoipa::{IntoParams, OpenApi, ToSchema};

type ApiResult<T> = Result<T, ApiError>;

/// JSON input whose parse errors use the API's error format.
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = Response;
    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        match Json::<T>::from_request(request, state).await {
            Ok(Json(value)) => Ok(ApiJson(value)),
            Err(rejection) if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE => Err(api_error_response(
                StatusCode::PAYLOAD_TOO_LARGE,
                "payload_too_large",
                "The request is too large; nothing was saved",
                vec![],
            )),
            Err(rejection) => Err(api_error_response(
                StatusCode::BAD_REQUEST,
                "bad_request",
                &format!("The request body is not valid JSON for this call: {}", rejection.body_text()),
                vec![],
            )),
        }
    }
}

/// A query string whose parse errors use the API's error format (axum's own answer is plain text).
pub struct ApiQuery<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> axum::extract::FromRequestParts<S> for ApiQuery<T> {
    type Rejection = Response;
    async fn from_request_parts(parts: &mut axum::http::request::Parts, state: &S) -> Result<Self, Self::Rejection> {
        match Query::<T>::from_request_parts(parts, state).await {
            Ok(Query(value)) => Ok(ApiQuery(value)),
            Err(rejection) => Err(api_error_response(
                StatusCode::BAD_REQUEST,
                "bad_query",
                &format!("The query string is not valid for this call: {}", rejection.body_text()),
                vec![],
            )),
        }
    }
}

fn person_id(text: &str) -> ApiResult<PersonId> {
    text.parse().map_err(|_| ApiError(AppError::NotFound))
}

#[derive(Deserialize, ToSchema)]
pub struct TokenRequest {
    pub email: String,
    pub password: String,
    /// For an account with two-step sign-in: the 6-digit code its authenticator app shows now,
    /// or one of its recovery codes. Each code works once. Missing or wrong: 401 `invalid_credentials`.
    #[serde(default)]
    #[schema(example = "123456")]
    pub one_time_code: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct TokenResponse {
    /// Send as `Authorization: Bearer <token>`. Shown once; Tailor keeps only its hash.
    pub token: String,
    pub expires_at: DateTime<Utc>,
}

/// Exchange an email and password for a bearer token.
#[utoipa::path(post, path = "/api/v1/tokens", request_body = TokenRequest, tag = "access",
    responses((status = 201, body = TokenResponse), (status = 401, body = ApiErrorBody, description = "invalid_credentials: the email and password do not match an account, or the account has two-step sign-in and `one_time_code` is missing, wrong or already used"), (status = 403, body = ApiErrorBody, description = "password_change_due or two_factor_setup_due: finish signing in on the web first"), (status = 422, body = ApiErrorBody), (status = 429, body = ApiErrorBody)))]
pub async fn create_token(
    State(state): State<AppState>,
    context: RequestContext,
    ApiJson(request): ApiJson<TokenRequest>,
) -> ApiResult<(StatusCode, Json<TokenResponse>)> {
    let (token, record) = state
        .app
        .create_api_token(
            &request.email,
            &request.password,
            request.one_time_code.as_deref(),
            &context.client_address,
        )
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(TokenResponse {
            token,
            expires_at: record.expires_at,
        }),
    ))
}

#[derive(Serialize, ToSchema)]
pub struct MeResponse {
    pub user_id: String,
    pub display_name: String,
    /// One of person, helper, practitioner, team_manager, finance_officer, commissioner, provider, analyst, administrator.
    pub role: String,
    pub team_id: Option<String>,
    pub person_id: Option<String>,
    pub organisation_id: Option<String>,
}

/// Who the token belongs to.
#[utoipa::path(get, path = "/api/v1/me", tag = "access", security(("bearer" = [])),
    responses((status = 200, body = MeResponse), (status = 401, body = ApiErrorBody)))]
pub async fn me(CurrentActor(actor): CurrentActor) -> Json<MeResponse> {
    Json(MeResponse {
        user_id: actor.user_id.to_string(),
        display_name: actor.display_name,
        role: actor.role.as_str().into(),
        team_id: actor.team_id.map(|id| id.to_string()),
        person_id: actor.person_id.map(|id| id.to_string()),
        organisation_id: actor.organisation_id.map(|id| id.to_string()),
    })
}

#[derive(Serialize, ToSchema)]
pub struct PersonSummaryResponse {
    pub id: String,
    pub given_name: String,
    pub family_name: String,
    pub date_of_birth: NaiveDate,
    /// Ten digits, no spaces.
    pub nhs_number: Option<String>,
    pub postcode: String,
    pub allocated_worker_id: Option<String>,
    pub allocated_worker_name: Option<String>,
}

impl From<&PersonSummary> for PersonSummaryResponse {
    fn from(person: &PersonSummary) -> Self {
        PersonSummaryResponse {
            id: person.id.to_string(),
            given_name: person.given_name.clone(),
            family_name: person.family_name.clone(),
            date_of_birth: person.date_of_birth,
            nhs_number: person.nhs_number.map(|number| number.digits()),
            postcode: person.postcode.clone(),
            allocated_worker_id: person.allocated_worker.map(|id| id.to_string()),
            allocated_worker_name: person.allocated_worker_name.clone(),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct PeopleResponse {
    pub people: Vec<PersonSummaryResponse>,
    /// How many people the caller may see in all, across every page.
    pub total: i64,
    pub page: i64,
    pub page_size: i64,
}

#[derive(Deserialize, IntoParams)]
pub struct PeopleParams {
    /// A name (or its start), an NHS number, or a date of birth (31/12/1950 or 1950-12-31).
    #[serde(default)]
    pub q: String,
    /// Zero-based page number; 50 people a page.
    #[serde(default)]
    pub page: i64,
}

fn people_response(page: tailor_app::people::PeoplePage, number: i64) -> Json<PeopleResponse> {
    Json(PeopleResponse {
        people: page.people.iter().map(Into::into).collect(),
        total: page.total,
        page: number,
        page_size: tailor_app::people::PAGE_SIZE,
    })
}

/// Search the people the caller may see.
#[utoipa::path(get, path = "/api/v1/people", params(PeopleParams), tag = "people", security(("bearer" = [])),
    responses((status = 200, body = PeopleResponse), (status = 401, body = ApiErrorBody), (status = 403, body = ApiErrorBody)))]
pub async fn search_people(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    ApiQuery(params): ApiQuery<PeopleParams>,
) -> ApiResult<Json<PeopleResponse>> {
    let page = state
        .app
        .search_people(&actor, PeopleSearch::from_query(&params.q), params.page)
        .await?;
    Ok(people_response(page, params.page))
}

/// The caller's caseload (a team manager: their team).
#[utoipa::path(get, path = "/api/v1/caseload", params(PeopleParams), tag = "people", security(("bearer" = [])),
    responses((status = 200, body = PeopleResponse), (status = 401, body = ApiErrorBody), (status = 403, body = ApiErrorBody)))]
pub async fn caseload(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    ApiQuery(params): ApiQuery<PeopleParams>,
) -> ApiResult<Json<PeopleResponse>> {
    let page = state.app.caseload(&actor, params.page).await?;
    Ok(people_response(page, params.page))
}

#[derive(Deserialize, Serialize, ToSchema, Default)]
#[serde(default)]
pub struct AddressBody {
    pub line_1: String,
    pub line_2: Option<String>,
    pub town: String,
    pub postcode: String,
}

/// A person's details, as sent to create or change a record and as returned.
#[derive(Deserialize, Serialize, ToSchema, Default)]
#[serde(default)]
pub struct PersonDetailsBody {
    pub given_name: String,
    pub family_name: String,
    pub preferred_name: Option<String>,
    /// YYYY-MM-DD.
    pub date_of_birth: String,
    /// Ten digits; spaces allowed. Checked against its check digit.
    pub nhs_number: Option<String>,
    pub address: AddressBody,
    pub phone: Option<String>,
    pub email: Option<String>,
    /// phone, text_message, email or letter.
    pub contact_preference: String,
    pub communication_needs: String,
    /// not_asked, yes, yes_with_limitations, no or unable_to_consent.
    pub consent_status: String,
    pub consent_limitations: String,
    /// Only when creating a record that looks like one already held (the API answers 422 with a
    /// `duplicate_reason` error then): why a new record is needed anyway.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub duplicate_reason: Option<String>,
}

impl PersonDetailsBody {
    fn into_input(self) -> PersonDetailsInput {
        let mut parts = self.date_of_birth.splitn(3, '-');
        let (year, month, day) = (
            parts.next().unwrap_or_default(),
            parts.next().unwrap_or_default(),
            parts.next().unwrap_or_default(),
        );
        PersonDetailsInput {
            given_name: self.given_name,
            family_name: self.family_name,
            preferred_name: self.preferred_name.unwrap_or_default(),
            date_of_birth_day: day.into(),
            date_of_birth_month: month.into(),
            date_of_birth_year: year.into(),
            nhs_number: self.nhs_number.unwrap_or_default(),
            address_line_1: self.address.line_1,
            address_line_2: self.address.line_2.unwrap_or_default(),
            town: self.address.town,
            postcode: self.address.postcode,
            phone: self.phone.unwrap_or_default(),
            email: self.email.unwrap_or_default(),
            contact_preference: self.contact_preference,
            communication_needs: self.communication_needs,
            consent_status: self.consent_status,
            consent_limitations: self.consent_limitations,
            duplicate_reason: self.duplicate_reason.unwrap_or_default(),
        }
    }

    fn from_person(person: &Person) -> Self {
        let details = &person.details;
        PersonDetailsBody {
            given_name: details.given_name.clone(),
            family_name: details.family_name.clone(),
            preferred_name: details.preferred_name.clone(),
            date_of_birth: format!(
                "{:04}-{:02}-{:02}",
                details.date_of_birth.year(),
                details.date_of_birth.month(),
                details.date_of_birth.day()
            ),
            nhs_number: details.nhs_number.map(|number| number.digits()),
            address: AddressBody {
                line_1: details.address.line_1.clone(),
                line_2: details.address.line_2.clone(),
                town: details.address.town.clone(),
                postcode: details.address.postcode.clone(),
            },
            phone: details.phone.clone(),
            email: details.email.clone(),
            contact_preference: details.contact_preference.as_str().into(),
            communication_needs: details.communication_needs.clone(),
            consent_status: details.consent.status.as_str().into(),
            consent_limitations: details.consent.limitations.clone(),
            duplicate_reason: None,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct RelationshipResponse {
    pub id: String,
    /// carer, nominated_person, authorised_person, family, friend or advocate.
    pub kind: String,
    pub name: String,
    pub phone: Option<String>,
    pub lives_with_person: bool,
    pub notes: String,
}

impl From<&Relationship> for RelationshipResponse {
    fn from(relationship: &Relationship) -> Self {
        RelationshipResponse {
            id: relationship.id.to_string(),
            kind: relationship.kind.as_str().into(),
            name: relationship.name.clone(),
            phone: relationship.phone.clone(),
            lives_with_person: relationship.lives_with_person,
            notes: relationship.notes.clone(),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct WarningResponse {
    pub category: String,
    pub text: String,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
}

impl From<&Warning> for WarningResponse {
    fn from(warning: &Warning) -> Self {
        WarningResponse {
            category: warning.category.as_str().into(),
            text: warning.text.clone(),
            created_by: warning.created_by_name.clone(),
            created_at: warning.created_at,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct NoteResponse {
    pub id: String,
    /// conversation, visit, phone_call, email, decision or other.
    pub kind: String,
    pub occurred_on: NaiveDate,
    pub text: String,
    pub author: String,
    pub created_at: DateTime<Utc>,
}

impl From<&CaseNote> for NoteResponse {
    fn from(note: &CaseNote) -> Self {
        NoteResponse {
            id: note.id.to_string(),
            kind: note.kind.as_str().into(),
            occurred_on: note.occurred_on,
            text: note.text.clone(),
            author: note.author_name.clone(),
            created_at: note.created_at,
        }
    }
}

/// A person's record: each part is present only if the caller may see it.
#[derive(Serialize, ToSchema)]
pub struct PersonResponse {
    pub id: String,
    pub details: Option<PersonDetailsBody>,
    pub team_id: Option<String>,
    pub allocated_worker_id: Option<String>,
    pub relationships: Option<Vec<RelationshipResponse>>,
    pub warnings: Option<Vec<WarningResponse>>,
    pub notes: Option<Vec<NoteResponse>>,
    /// Why the caller may see this record: allocated worker, team member, delegated helper, ...
    pub access_basis: Option<String>,
}

/// Create a person's record, in the caller's team.
#[utoipa::path(post, path = "/api/v1/people", request_body = PersonDetailsBody, tag = "people", security(("bearer" = [])),
    responses((status = 201, body = PersonResponse), (status = 422, body = ApiErrorBody), (status = 403, body = ApiErrorBody)))]
pub async fn create_person(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    ApiJson(body): ApiJson<PersonDetailsBody>,
) -> ApiResult<(StatusCode, Json<PersonResponse>)> {
    let person = state.app.create_person(&actor, &body.into_input()).await?;
    Ok((StatusCode::CREATED, Json(read_person(&state, &actor, person.id).await?)))
}

async fn read_person(state: &AppState, actor: &Actor, person_id: PersonId) -> ApiResult<PersonResponse> {
    let view = state.app.view_person(actor, person_id).await?;
    Ok(PersonResponse {
        id: person_id.to_string(),
        details: view
            .access
            .may(Capability::ViewDetails)
            .then(|| PersonDetailsBody::from_person(&view.person)),
        team_id: view
            .access
            .may(Capability::ViewCaseNotes)
            .then(|| view.person.team_id.map(|id| id.to_string()))
            .flatten(),
        allocated_worker_id: view
            .access
            .may(Capability::ViewDetails)
            .then(|| view.person.allocated_worker.map(|id| id.to_string()))
            .flatten(),
        relationships: view.relationships.as_ref().map(|all| all.iter().map(Into::into).collect()),
        warnings: view.warnings.as_ref().map(|all| all.iter().map(Into::into).collect()),
        notes: view.notes.as_ref().map(|all| all.iter().map(Into::into).collect()),
        access_basis: view.access.basis.map(|basis| basis.label().to_owned()),
    })
}

/// Read a person's record. The read is logged.
#[utoipa::path(get, path = "/api/v1/people/{id}", params(("id" = String, Path, description = "Person id")), tag = "people", security(("bearer" = [])),
    responses((status = 200, body = PersonResponse), (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody)))]
pub async fn get_person(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    Path(id): Path<String>,
) -> ApiResult<Json<PersonResponse>> {
    Ok(Json(read_person(&state, &actor, person_id(&id)?).await?))
}

/// Replace a person's details.
#[utoipa::path(put, path = "/api/v1/people/{id}", params(("id" = String, Path, description = "Person id")), request_body = PersonDetailsBody, tag = "people", security(("bearer" = [])),
    responses((status = 200, body = PersonResponse), (status = 422, body = ApiErrorBody), (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody)))]
pub async fn update_person(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<PersonDetailsBody>,
) -> ApiResult<Json<PersonResponse>> {
    let person_id = person_id(&id)?;
    state.app.update_person(&actor, person_id, &body.into_input()).await?;
    Ok(Json(read_person(&state, &actor, person_id).await?))
}

/// A person's case notes, newest first.
#[utoipa::path(get, path = "/api/v1/people/{id}/notes", params(("id" = String, Path, description = "Person id")), tag = "people", security(("bearer" = [])),
    responses((status = 200, body = Vec<NoteResponse>), (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody)))]
pub async fn list_notes(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    Path(id): Path<String>,
) -> ApiResult<Json<Vec<NoteResponse>>> {
    let view = state.app.view_person(&actor, person_id(&id)?).await?;
    match view.notes {
        Some(notes) => Ok(Json(notes.iter().map(Into::into).collect())),
        None => {
            state.app.record_refusal(&actor, "read case notes", Some(view.person.id)).await;
            Err(ApiError(AppError::Forbidden))
        }
    }
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(default)]
pub struct NoteRequest {
    /// conversation (default), visit, phone_call, email, decision or other.
    pub kind: String,
    pub text: String,
    /// YYYY-MM-DD; today when left out.
    pub occurred_on: String,
}

/// Add a case note.
#[utoipa::path(post, path = "/api/v1/people/{id}/notes", params(("id" = String, Path, description = "Person id")), request_body = NoteRequest, tag = "people", security(("bearer" = [])),
    responses((status = 201, body = NoteResponse), (status = 422, body = ApiErrorBody), (status = 403, body = ApiErrorBody)))]
pub async fn add_note(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<NoteRequest>,
) -> ApiResult<(StatusCode, Json<NoteResponse>)> {
    let input = CaseNoteInput {
        kind: body.kind,
        text: body.text,
        occurred_on: body.occurred_on,
    };
    let note = state.app.add_case_note(&actor, person_id(&id)?, &input).await?;
    Ok((StatusCode::CREATED, Json((&note).into())))
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(default)]
pub struct RelationshipRequest {
    pub kind: String,
    pub name: String,
    pub phone: String,
    pub lives_with_person: bool,
    pub notes: String,
}

/// Add a carer, relative, advocate or other contact.
#[utoipa::path(post, path = "/api/v1/people/{id}/relationships", params(("id" = String, Path, description = "Person id")), request_body = RelationshipRequest, tag = "people", security(("bearer" = [])),
    responses((status = 201, body = RelationshipResponse), (status = 422, body = ApiErrorBody), (status = 403, body = ApiErrorBody)))]
pub async fn add_relationship(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<RelationshipRequest>,
) -> ApiResult<(StatusCode, Json<RelationshipResponse>)> {
    let input = RelationshipInput {
        kind: body.kind,
        name: body.name,
        phone: body.phone,
        lives_with_person: if body.lives_with_person { "yes".into() } else { "no".into() },
        notes: body.notes,
    };
    let relationship = state.app.add_relationship(&actor, person_id(&id)?, &input).await?;
    Ok((StatusCode::CREATED, Json((&relationship).into())))
}

#[derive(Serialize, ToSchema)]
pub struct AuditEventResponse {
    pub sequence: i64,
    pub at: DateTime<Utc>,
    pub actor: String,
    pub action: String,
    pub subject_type: String,
    pub subject_id: String,
    #[schema(value_type = Object)]
    pub details: serde_json::Value,
    /// SHA-256 of this event chained to the previous one; see docs/audit.md.
    pub hash: String,
}

impl From<&AuditEvent> for AuditEventResponse {
    fn from(stored: &AuditEvent) -> Self {
        AuditEventResponse {
            sequence: stored.sequence,
            at: stored.event.at,
            actor: stored.event.actor_label.clone(),
            action: stored.event.action.as_str().into(),
            subject_type: stored.event.subject_type.clone(),
            subject_id: stored.event.subject_id.clone(),
            details: stored.event.details.clone(),
            hash: stored.hash.clone(),
        }
    }
}

/// Everyone who looked at or changed a person's record, newest first.
#[utoipa::path(get, path = "/api/v1/people/{id}/audit", params(("id" = String, Path, description = "Person id")), tag = "audit", security(("bearer" = [])),
    responses((status = 200, body = Vec<AuditEventResponse>), (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody)))]
pub async fn person_audit(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    Path(id): Path<String>,
) -> ApiResult<Json<Vec<AuditEventResponse>>> {
    let (_, events) = state.app.person_audit(&actor, person_id(&id)?, false).await?;
    Ok(Json(events.iter().map(Into::into).collect()))
}

#[derive(Serialize, ToSchema)]
pub struct UserResponse {
    pub id: String,
    pub email: String,
    pub display_name: String,
    pub role: String,
    pub team_id: Option<String>,
    pub person_id: Option<String>,
    pub organisation_id: Option<String>,
    pub active: bool,
}

impl From<&User> for UserResponse {
    fn from(user: &User) -> Self {
        UserResponse {
            id: user.id.to_string(),
            email: user.email.clone(),
            display_name: user.display_name.clone(),
            role: user.role.as_str().into(),
            team_id: user.team_id.map(|id| id.to_string()),
            person_id: user.person_id.map(|id| id.to_string()),
            organisation_id: user.organisation_id.map(|id| id.to_string()),
            active: user.active,
        }
    }
}

/// Every account.
#[utoipa::path(get, path = "/api/v1/users", tag = "administration", security(("bearer" = [])),
    responses((status = 200, body = Vec<UserResponse>), (status = 403, body = ApiErrorBody)))]
pub async fn list_users(State(state): State<AppState>, CurrentActor(actor): CurrentActor) -> ApiResult<Json<Vec<UserResponse>>> {
    Ok(Json(state.app.list_users(&actor).await?.iter().map(Into::into).collect()))
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(default)]
pub struct UserRequest {
    pub email: String,
    pub display_name: String,
    pub role: String,
    pub team_id: String,
    pub person_id: String,
    pub organisation_id: String,
    pub password: String,
}

/// Create an account.
#[utoipa::path(post, path = "/api/v1/users", request_body = UserRequest, tag = "administration", security(("bearer" = [])),
    responses((status = 201, body = UserResponse), (status = 422, body = ApiErrorBody), (status = 403, body = ApiErrorBody)))]
pub async fn create_user(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    ApiJson(body): ApiJson<UserRequest>,
) -> ApiResult<(StatusCode, Json<UserResponse>)> {
    let input = NewUserInput {
        email: body.email,
        display_name: body.display_name,
        role: body.role,
        team_id: body.team_id,
        person_id: body.person_id,
        organisation_id: body.organisation_id,
        password: body.password,
    };
    let user = state.app.create_user(&actor, &input).await?;
    Ok((StatusCode::CREATED, Json((&user).into())))
}

#[derive(Serialize, ToSchema)]
pub struct TeamResponse {
    pub id: String,
    pub name: String,
}

impl From<&Team> for TeamResponse {
    fn from(team: &Team) -> Self {
        TeamResponse {
            id: team.id.to_string(),
            name: team.name.clone(),
        }
    }
}

/// Every team.
#[utoipa::path(get, path = "/api/v1/teams", tag = "administration", security(("bearer" = [])),
    responses((status = 200, body = Vec<TeamResponse>), (status = 403, body = ApiErrorBody)))]
pub async fn list_teams(State(state): State<AppState>, CurrentActor(actor): CurrentActor) -> ApiResult<Json<Vec<TeamResponse>>> {
    Ok(Json(state.app.list_teams(&actor).await?.iter().map(Into::into).collect()))
}

struct BearerSecurity;

impl utoipa::Modify for BearerSecurity {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// Answers every operation can give, added to each so that the document is complete without
/// every handler repeating them: 400 for a body or query that cannot be read at all, 401 for a
/// missing or revoked token on operations that need one, 404 where the path names a record, and
/// 429 on the throttled token endpoint. Schemathesis (scripts/api-fuzz) checks the document
/// against what the server really answers.
struct StandardResponses;

impl utoipa::Modify for StandardResponses {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::path::Operation;
        use utoipa::openapi::{Ref, ResponseBuilder};
        let error = |description: &str| {
            ResponseBuilder::new()
                .description(description)
                .content(
                    "application/json",
                    utoipa::openapi::ContentBuilder::new()
                        .schema(Some(Ref::from_schema_name("ApiErrorBody")))
                        .build(),
                )
                .build()
        };
        let add = |operation: &mut Operation, status: &str, description: &str| {
            operation
                .responses
                .responses
                .entry(status.to_owned())
                .or_insert_with(|| error(description).into());
        };
        for (path, item) in openapi.paths.paths.iter_mut() {
            let names_a_record = path.contains('{');
            let operations = [
                item.get.as_mut(),
                item.put.as_mut(),
                item.post.as_mut(),
                item.delete.as_mut(),
                item.patch.as_mut(),
            ];
            for operation in operations.into_iter().flatten() {
                add(operation, "400", "bad_request: the body, query or path could not be read at all");
                if operation.security.as_ref().is_some_and(|security| !security.is_empty()) {
                    add(
                        operation,
                        "401",
                        "unauthenticated: no bearer token, or one that has expired or been revoked",
                    );
                }
                if names_a_record {
                    add(operation, "404", "not_found: no such record");
                }
            }
        }
    }
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Tailor API",
        description = "Self-directed support for adult social care. Every error has a stable `code` and a plain `message`."
    ),
    paths(
        create_token,
        me,
        search_people,
        caseload,
        create_person,
        get_person,
        update_person,
        list_notes,
        add_note,
        add_relationship,
        person_audit,
        list_users,
        create_user,
        list_teams,
        planning,
        start_assessment,
        get_assessment,
        answer,
        submit_assessment,
        get_allocation,
        get_plan,
        decide_plan,
        get_budget
    )
)]
pub struct ApiDocument;

/// The whole document: this module's operations and those kept in their own modules, with the
/// security scheme and standard answers added to every one of them.
pub fn document() -> utoipa::openapi::OpenApi {
    use utoipa::Modify;
    let mut document = ApiDocument::openapi();
    document.merge(crate::api_accounts::AccountsDocument::openapi());
    document.merge(crate::api_challenges::ChallengesDocument::openapi());
    BearerSecurity.modify(&mut document);
    StandardResponses.modify(&mut document);
    document
}

pub async fn openapi_json() -> Response {
    Json(document()).into_response()
}

// Steps 1 to 3. Records are returned as Tailor stores them: every decision with who, when, why,
// and the inputs it saw (docs/api.md describes their fields).

fn record_id<T: std::str::FromStr>(text: &str) -> ApiResult<T> {
    text.parse().map_err(|_| ApiError(AppError::NotFound))
}

/// A person's assessments, eligibility decisions, indicative budgets, financial assessment, plans,
/// personal budgets and challenges, newest first.
#[derive(Serialize, ToSchema)]
pub struct PlanningResponse {
    pub assessments: Vec<Assessment>,
    pub eligibility: Vec<EligibilityRecord>,
    pub allocations: Vec<AllocationRecord>,
    /// The financial assessment in force, or null when there is none.
    pub financial_assessment: Option<FinancialAssessmentRecord>,
    pub plans: Vec<SupportPlan>,
    pub budgets: Vec<PersonalBudget>,
    pub challenges: Vec<Challenge>,
    /// The seven steps' statuses, in order.
    pub steps: Vec<String>,
}

/// Where a person is in steps 1 to 3, with every record behind it.
#[utoipa::path(get, path = "/api/v1/people/{id}/planning", params(("id" = String, Path, description = "Person id")), tag = "planning", security(("bearer" = [])),
    responses((status = 200, body = PlanningResponse), (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody)))]
pub async fn planning(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    Path(id): Path<String>,
) -> ApiResult<Json<PlanningResponse>> {
    let overview = state.app.planning_overview(&actor, person_id(&id)?).await?;
    Ok(Json(PlanningResponse {
        steps: tailor_app::steps::step_statuses(&overview)
            .iter()
            .map(|status| status.to_string())
            .collect(),
        assessments: overview.assessments,
        eligibility: overview.eligibility,
        allocations: overview.allocations,
        financial_assessment: overview.financial,
        plans: overview.plans,
        budgets: overview.budgets,
        challenges: overview.challenges,
    }))
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(default)]
pub struct StartAssessmentRequest {
    /// `adult` (the default) or `carer`.
    pub kind: String,
}

/// Start a self-assessment for a person, or get the one under way.
#[utoipa::path(post, path = "/api/v1/people/{id}/assessments", params(("id" = String, Path, description = "Person id")), request_body = StartAssessmentRequest, tag = "planning", security(("bearer" = [])),
    responses((status = 201, body = Assessment), (status = 403, body = ApiErrorBody), (status = 422, body = ApiErrorBody, description = "invalid_input: an unknown kind, or one already under way")))]
pub async fn start_assessment(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<StartAssessmentRequest>,
) -> ApiResult<(StatusCode, Json<Assessment>)> {
    let kind = tailor_domain::eligibility::AssessmentKind::parse(&body.kind).unwrap_or(tailor_domain::eligibility::AssessmentKind::Adult);
    let assessment = state.app.start_assessment(&actor, person_id(&id)?, kind).await?;
    Ok((StatusCode::CREATED, Json(assessment)))
}

/// An assessment and its questionnaire (questions, answers, help text).
#[utoipa::path(get, path = "/api/v1/assessments/{id}", params(("id" = String, Path, description = "Assessment id")), tag = "planning", security(("bearer" = [])),
    responses((status = 200, body = AssessmentResponse), (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody)))]
pub async fn get_assessment(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    Path(id): Path<String>,
) -> ApiResult<Json<AssessmentResponse>> {
    let (assessment, questionnaire, _) = state.app.open_assessment(&actor, record_id(&id)?).await?;
    Ok(Json(AssessmentResponse { assessment, questionnaire }))
}

/// An assessment with the questionnaire version it is answered against.
#[derive(Serialize, ToSchema)]
pub struct AssessmentResponse {
    pub assessment: Assessment,
    pub questionnaire: Questionnaire,
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(default)]
pub struct AnswerRequest {
    /// The answer's id, from the questionnaire.
    pub answer: String,
}

/// Answer (or change the answer to) one question.
#[utoipa::path(put, path = "/api/v1/assessments/{id}/answers/{question}", params(("id" = String, Path, description = "Assessment id"), ("question" = String, Path, description = "Question id")), request_body = AnswerRequest, tag = "planning", security(("bearer" = [])),
    responses((status = 200, body = Assessment), (status = 422, body = ApiErrorBody), (status = 403, body = ApiErrorBody)))]
pub async fn answer(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    Path((id, question)): Path<(String, String)>,
    ApiJson(body): ApiJson<AnswerRequest>,
) -> ApiResult<Json<Assessment>> {
    let assessment = state.app.answer_question(&actor, record_id(&id)?, &question, &body.answer).await?;
    Ok(Json(assessment))
}

/// Send a completed self-assessment to the council.
#[utoipa::path(post, path = "/api/v1/assessments/{id}/submit", params(("id" = String, Path, description = "Assessment id")), tag = "planning", security(("bearer" = [])),
    responses((status = 200, body = Assessment), (status = 422, body = ApiErrorBody), (status = 403, body = ApiErrorBody)))]
pub async fn submit_assessment(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    Path(id): Path<String>,
) -> ApiResult<Json<Assessment>> {
    Ok(Json(state.app.submit_assessment(&actor, record_id(&id)?).await?))
}

/// An indicative budget with its line-by-line working and the frozen snapshot behind it.
#[utoipa::path(get, path = "/api/v1/allocations/{id}", params(("id" = String, Path, description = "Allocation id")), tag = "planning", security(("bearer" = [])),
    responses((status = 200, body = AllocationRecord), (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody)))]
pub async fn get_allocation(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    Path(id): Path<String>,
) -> ApiResult<Json<AllocationRecord>> {
    Ok(Json(state.app.open_allocation(&actor, record_id(&id)?).await?))
}

/// A support plan, with every sign-off decision.
#[utoipa::path(get, path = "/api/v1/plans/{id}", params(("id" = String, Path, description = "Plan id")), tag = "planning", security(("bearer" = [])),
    responses((status = 200, body = PlanResponse), (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody)))]
pub async fn get_plan(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    Path(id): Path<String>,
) -> ApiResult<Json<PlanResponse>> {
    let (plan, allocation, _) = state.app.open_plan(&actor, record_id(&id)?).await?;
    let annual_cost_pence = plan
        .content
        .annual_cost(plan.year_rule_for_showing(state.app.year_rule))
        .map(|cost| cost.pence())
        .ok();
    Ok(Json(PlanResponse {
        plan,
        annual_cost_pence,
        indicative_pence: allocation.indicative().pence(),
    }))
}

/// A support plan with what it costs a year and the indicative budget it is planned against.
#[derive(Serialize, ToSchema)]
pub struct PlanResponse {
    pub plan: SupportPlan,
    /// The plan's yearly cost in pence, under the year rule it is shown with; null when the
    /// amounts are too large to add up.
    pub annual_cost_pence: Option<i64>,
    /// The indicative budget in pence a year: the override when there is one.
    pub indicative_pence: i64,
}

/// Record the sign-off decision on a submitted plan: `agreed`, `changes_requested` or `spending_refused`.
#[utoipa::path(post, path = "/api/v1/plans/{id}/decision", params(("id" = String, Path, description = "Plan id")), request_body = DecisionRequest, tag = "planning", security(("bearer" = [])),
    responses((status = 200, body = DecisionResponse), (status = 422, body = ApiErrorBody), (status = 403, body = ApiErrorBody), (status = 409, body = ApiErrorBody, description = "conflict: the plan was decided or changed by someone else first")))]
pub async fn decide_plan(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<DecisionRequest>,
) -> ApiResult<Json<DecisionResponse>> {
    let input = tailor_domain::plans::DecisionInput {
        verdict: body.verdict,
        reason: body.reason,
        refused_lines: body.refused_lines.iter().map(|line| line.to_string()).collect(),
        refusal_ground: body.refusal_ground,
    };
    let (plan, budget) = state.app.decide_plan(&actor, record_id(&id)?, &input).await?;
    Ok(Json(DecisionResponse { plan, budget }))
}

/// The plan after the decision, and the personal budget when agreeing it set one up.
#[derive(Serialize, ToSchema)]
pub struct DecisionResponse {
    pub plan: SupportPlan,
    /// Set when the plan was agreed and its personal budget made; null otherwise.
    pub budget: Option<PersonalBudget>,
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(default)]
pub struct DecisionRequest {
    pub verdict: String,
    /// Required for `changes_requested` and `spending_refused`.
    pub reason: String,
    /// For `spending_refused`: the plan lines refused, counting from 1.
    pub refused_lines: Vec<usize>,
    /// For `spending_refused`, required: `unlawful` or `harmful`, the only grounds for refusing spending.
    pub refusal_ground: String,
}

/// The personal budget statement: cost, the person's contribution, the council's amount.
#[utoipa::path(get, path = "/api/v1/budgets/{id}", params(("id" = String, Path, description = "Budget id")), tag = "planning", security(("bearer" = [])),
    responses((status = 200, body = PersonalBudget), (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody)))]
pub async fn get_budget(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    Path(id): Path<String>,
) -> ApiResult<Json<PersonalBudget>> {
    Ok(Json(state.app.open_budget(&actor, record_id(&id)?).await?.0))
}
