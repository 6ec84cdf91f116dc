//! The API's challenge calls: the staff queue (with the page's filters), one challenge with the
//! decision it is about and its hand-overs, raising one (the person or their helper in their own
//! name, or staff recording it on the person's behalf, marked so), the owner's answer, and a
//! team manager handing it to another owner. The same use cases as the pages; kept apart from
//! `api.rs` and merged into the same OpenAPI document.

use crate::api::{ApiJson, ApiQuery};
use crate::context::CurrentActor;
use crate::errors::{ApiError, ApiErrorBody};
use crate::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use tailor_app::AppError;
use tailor_domain::challenges::{
    AnswerInput, ChallengeInput, ChallengeKind, ChallengeReassignment, ChallengeSubject, ReassignInput, StaffMember,
};
use tailor_domain::plans::Challenge;
use tailor_domain::validation::ValidationErrors;
use tailor_domain::ChallengeId;
use utoipa::{IntoParams, OpenApi, ToSchema};

type ApiResult<T> = Result<T, ApiError>;

fn challenge_id(text: &str) -> ApiResult<ChallengeId> {
    text.parse().map_err(|_| ApiError(AppError::NotFound))
}

/// A member of staff named on a challenge.
#[derive(Serialize, ToSchema)]
pub struct StaffResponse {
    pub id: String,
    pub name: String,
}

impl From<&StaffMember> for StaffResponse {
    fn from(member: &StaffMember) -> Self {
        StaffResponse {
            id: member.id.to_string(),
            name: member.name.clone(),
        }
    }
}

/// The owner's written answer.
#[derive(Serialize, ToSchema)]
pub struct ChallengeAnswerResponse {
    /// `upheld`, `partly_upheld` or `not_upheld`; null only for answers carried over from before
    /// outcomes were named.
    pub outcome: Option<String>,
    pub reasons: String,
    pub by: StaffResponse,
    pub at: DateTime<Utc>,
}

/// A challenge to one decision.
#[derive(Serialize, ToSchema)]
pub struct ChallengeResponse {
    pub id: String,
    pub person_id: String,
    /// `eligibility`, `indicative_budget`, `refused_spending`, `charge` or `budget`.
    pub kind: String,
    /// The challenged record: an eligibility decision, allocation, plan decision, financial
    /// assessment or personal budget, by `kind`.
    pub decision_id: String,
    pub reason: String,
    /// The account that entered it: the person, their helper, or a member of staff.
    pub raised_by: StaffResponse,
    /// Set when a member of staff recorded it on the person's behalf.
    pub recorded_by_staff: Option<StaffResponse>,
    pub raised_at: DateTime<Utc>,
    /// Who made the decision challenged; never the owner.
    pub decision_maker_id: Option<String>,
    /// Who must answer; null only for challenges carried over from before owners were kept.
    pub owner: Option<StaffResponse>,
    pub answer_by: NaiveDate,
    /// `open` or `answered`.
    pub status: String,
    pub answer: Option<ChallengeAnswerResponse>,
    /// Send back as `version` when answering or handing it on: if it has changed since, nothing is saved (409).
    pub version: i64,
}

impl From<&Challenge> for ChallengeResponse {
    fn from(challenge: &Challenge) -> Self {
        ChallengeResponse {
            id: challenge.id.to_string(),
            person_id: challenge.person_id.to_string(),
            kind: challenge.kind().as_str().into(),
            decision_id: challenge.subject.id_text(),
            reason: challenge.reason.clone(),
            raised_by: StaffResponse {
                id: challenge.raised_by.to_string(),
                name: challenge.raised_by_name.clone(),
            },
            recorded_by_staff: challenge.recorded_by_staff.as_ref().map(Into::into),
            raised_at: challenge.raised_at,
            decision_maker_id: challenge.decision_maker.map(|id| id.to_string()),
            owner: challenge.owner.as_ref().map(Into::into),
            answer_by: challenge.answer_by,
            status: if challenge.is_open() { "open" } else { "answered" }.into(),
            answer: challenge.answer.as_ref().map(|answer| ChallengeAnswerResponse {
                outcome: answer.outcome.map(|outcome| outcome.as_str().into()),
                reasons: answer.reasons.clone(),
                by: StaffResponse {
                    id: answer.by.to_string(),
                    name: answer.by_name.clone(),
                },
                at: answer.at,
            }),
            version: challenge.version,
        }
    }
}

/// One hand-over of a challenge to another owner.
#[derive(Serialize, ToSchema)]
pub struct ReassignmentResponse {
    /// The owner before; null when it had none yet.
    pub from: Option<StaffResponse>,
    pub to: StaffResponse,
    pub reason: String,
    pub by: StaffResponse,
    pub at: DateTime<Utc>,
}

impl From<&ChallengeReassignment> for ReassignmentResponse {
    fn from(handed: &ChallengeReassignment) -> Self {
        ReassignmentResponse {
            from: handed.from.as_ref().map(Into::into),
            to: (&handed.to).into(),
            reason: handed.reason.clone(),
            by: (&handed.by).into(),
            at: handed.at,
        }
    }
}

/// The decision a challenge is about.
#[derive(Serialize, ToSchema)]
pub struct ChallengedDecisionResponse {
    pub decision_maker: StaffResponse,
    pub decided_at: DateTime<Utc>,
    /// The decision in a sentence ("Not eligible for care and support").
    pub summary: String,
}

/// A challenge, the decision it is about, its hand-overs, and what the caller may do with it.
#[derive(Serialize, ToSchema)]
pub struct ChallengeDetailResponse {
    pub challenge: ChallengeResponse,
    pub decision: ChallengedDecisionResponse,
    /// Every hand-over to another owner, the earliest first.
    pub reassignments: Vec<ReassignmentResponse>,
    /// Whether the caller is the one to answer it now.
    pub may_answer: bool,
    /// Whether the caller may hand it to another owner.
    pub may_reassign: bool,
    /// For a caller who may hand it on: who it may go to.
    pub owner_choices: Vec<StaffResponse>,
}

#[derive(Deserialize, IntoParams, Default)]
#[serde(default)]
pub struct QueueParams {
    /// Only challenges of this kind: `eligibility`, `indicative_budget`, `refused_spending`, `charge` or `budget`.
    pub kind: Option<String>,
    /// Only challenges past their answer date (`true`), or only those not yet past it (`false`).
    pub overdue: Option<bool>,
    /// Only challenges staff recorded on the person's behalf (`true`), or only those the person or their helper raised (`false`).
    pub on_behalf: Option<bool>,
}

/// The open challenges the caller must answer, the soonest due first, as on the Challenges page.
#[utoipa::path(get, path = "/api/v1/challenges", params(QueueParams), tag = "challenges", security(("bearer" = [])),
    responses((status = 200, body = Vec<ChallengeResponse>), (status = 403, body = ApiErrorBody), (status = 422, body = ApiErrorBody, description = "invalid: an unknown kind")))]
pub async fn list_challenges(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    ApiQuery(params): ApiQuery<QueueParams>,
) -> ApiResult<Json<Vec<ChallengeResponse>>> {
    let kind = match params.kind.as_deref().map(str::trim).filter(|kind| !kind.is_empty()) {
        Some(code) => match ChallengeKind::parse(code) {
            Some(kind) => Some(kind),
            None => {
                let mut errors = ValidationErrors::default();
                errors.add("kind", "Choose eligibility, indicative_budget, refused_spending, charge or budget");
                return Err(ApiError(AppError::Invalid(errors)));
            }
        },
        None => None,
    };
    let today = state.app.clock.today();
    let owned = state.app.challenges_to_answer(&actor).await?;
    Ok(Json(
        owned
            .iter()
            .filter(|challenge| kind.is_none_or(|kind| challenge.kind() == kind))
            .filter(|challenge| params.overdue.is_none_or(|overdue| (challenge.days_left(today) < 0) == overdue))
            .filter(|challenge| params.on_behalf.is_none_or(|on_behalf| challenge.recorded_on_behalf() == on_behalf))
            .map(Into::into)
            .collect(),
    ))
}

/// A challenge with the decision it is about, its hand-overs, and what the caller may do.
#[utoipa::path(get, path = "/api/v1/challenges/{id}", params(("id" = String, Path, description = "Challenge id")), tag = "challenges", security(("bearer" = [])),
    responses((status = 200, body = ChallengeDetailResponse), (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody)))]
pub async fn get_challenge(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    Path(id): Path<String>,
) -> ApiResult<Json<ChallengeDetailResponse>> {
    let view = state.app.open_challenge(&actor, challenge_id(&id)?).await?;
    Ok(Json(ChallengeDetailResponse {
        challenge: (&view.challenge).into(),
        decision: ChallengedDecisionResponse {
            decision_maker: StaffResponse {
                id: view.decision.decision_maker.to_string(),
                name: view.decision.decision_maker_name.clone(),
            },
            decided_at: view.decision.decided_at,
            summary: view.decision.summary.clone(),
        },
        reassignments: view.reassignments.iter().map(Into::into).collect(),
        may_answer: view.may_answer,
        may_reassign: view.may_reassign,
        owner_choices: view.owner_choices.iter().map(Into::into).collect(),
    }))
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(default)]
pub struct RaiseChallengeRequest {
    /// What is challenged: `eligibility`, `indicative_budget`, `refused_spending`, `charge` or `budget`.
    pub kind: String,
    /// The challenged record's id (see `decision_id` on a challenge).
    pub decision_id: String,
    /// Why the decision is wrong, in the person's words.
    pub reason: String,
    /// Staff set this: they record the person's challenge on the person's behalf, and the record
    /// names them. The person and their helper leave it out (or false).
    pub on_behalf: bool,
}

/// Challenge a decision: the person or their helper in their own name; staff record the
/// person's challenge on their behalf (`on_behalf: true`). It goes to an owner who did not make
/// the decision, with a date to answer by.
#[utoipa::path(post, path = "/api/v1/challenges", request_body = RaiseChallengeRequest, tag = "challenges", security(("bearer" = [])),
    responses((status = 201, body = ChallengeResponse), (status = 403, body = ApiErrorBody, description = "forbidden: staff without on_behalf, or someone who may not challenge this decision"),
        (status = 404, body = ApiErrorBody, description = "not_found: no such decision"), (status = 422, body = ApiErrorBody)))]
pub async fn raise_challenge(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    ApiJson(body): ApiJson<RaiseChallengeRequest>,
) -> ApiResult<(StatusCode, Json<ChallengeResponse>)> {
    let Some(subject) = ChallengeSubject::parse(&body.kind, &body.decision_id) else {
        let mut errors = ValidationErrors::default();
        if ChallengeKind::parse(&body.kind).is_none() {
            errors.add("kind", "Choose eligibility, indicative_budget, refused_spending, charge or budget");
        } else {
            errors.add("decision_id", "Give the id of the decision being challenged");
        }
        return Err(ApiError(AppError::Invalid(errors)));
    };
    let input = ChallengeInput { reason: body.reason };
    let challenge = state
        .app
        .raise_challenge(&actor, subject, &input, body.on_behalf, &state.council.challenges)
        .await?;
    Ok((StatusCode::CREATED, Json((&challenge).into())))
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(default)]
pub struct AnswerChallengeRequest {
    /// `upheld`, `partly_upheld` or `not_upheld`.
    pub outcome: String,
    /// The reasons for the outcome, in words the person can read.
    pub reasons: String,
    /// The challenge's `version` as read; if it has changed since, nothing is saved (409).
    pub version: Option<i64>,
}

/// The owner answers a challenge with an outcome and reasons.
#[utoipa::path(post, path = "/api/v1/challenges/{id}/answer", params(("id" = String, Path, description = "Challenge id")), request_body = AnswerChallengeRequest, tag = "challenges", security(("bearer" = [])),
    responses((status = 200, body = ChallengeResponse), (status = 403, body = ApiErrorBody, description = "forbidden: not the challenge's owner"),
        (status = 409, body = ApiErrorBody, description = "conflict: answered or handed on by someone else first, or a stale version"), (status = 422, body = ApiErrorBody)))]
pub async fn answer_challenge(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<AnswerChallengeRequest>,
) -> ApiResult<Json<ChallengeResponse>> {
    let input = AnswerInput {
        outcome: body.outcome,
        reasons: body.reasons,
    };
    let challenge = state
        .app
        .answer_challenge_at(&actor, challenge_id(&id)?, &input, body.version)
        .await?;
    Ok(Json((&challenge).into()))
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(default)]
pub struct ReassignChallengeRequest {
    /// The new owner's account id: a team manager who may answer challenges for the person and
    /// did not make the decision (see `owner_choices` on the challenge).
    pub owner_id: String,
    /// Why it is being handed on; kept with the challenge.
    pub reason: String,
    /// The challenge's `version` as read; if it has changed since, nothing is saved (409).
    pub version: Option<i64>,
}

/// A team manager hands an open challenge to another owner, with a reason. The earlier owner
/// and the hand-over (who, when, why) are kept.
#[utoipa::path(post, path = "/api/v1/challenges/{id}/owner", params(("id" = String, Path, description = "Challenge id")), request_body = ReassignChallengeRequest, tag = "challenges", security(("bearer" = [])),
    responses((status = 200, body = ChallengeResponse), (status = 403, body = ApiErrorBody, description = "forbidden: not a team manager for this person"),
        (status = 409, body = ApiErrorBody, description = "conflict: answered or handed on by someone else first, or a stale version"), (status = 422, body = ApiErrorBody)))]
pub async fn reassign_challenge(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<ReassignChallengeRequest>,
) -> ApiResult<Json<ChallengeResponse>> {
    let input = ReassignInput {
        owner_id: body.owner_id,
        reason: body.reason,
    };
    let (challenge, _) = state
        .app
        .reassign_challenge(&actor, challenge_id(&id)?, &input, body.version)
        .await?;
    Ok(Json((&challenge).into()))
}

#[derive(OpenApi)]
#[openapi(paths(list_challenges, get_challenge, raise_challenge, answer_challenge, reassign_challenge))]
pub struct ChallengesDocument;
