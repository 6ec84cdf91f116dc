//! The API's account calls: the caller's own tokens listed, and one revoked. Kept apart from
//! `api.rs` and merged into the same OpenAPI document.

use crate::context::CurrentActor;
use crate::errors::{ApiError, ApiErrorBody};
use crate::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use chrono::{DateTime, Utc};
use serde::Serialize;
use tailor_app::AppError;
use tailor_domain::ApiTokenId;
use utoipa::{OpenApi, ToSchema};

/// One of the caller's API tokens: never the token itself.
#[derive(Serialize, ToSchema)]
pub struct TokenSummary {
    /// Used to revoke it: `DELETE /api/v1/tokens/{id}`.
    pub id: String,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    /// When it was revoked; it no longer works.
    pub revoked_at: Option<DateTime<Utc>>,
}

/// The caller's API tokens, newest first, revoked ones included.
#[utoipa::path(get, path = "/api/v1/tokens", tag = "access", security(("bearer" = [])),
    responses((status = 200, body = Vec<TokenSummary>), (status = 401, body = ApiErrorBody)))]
pub async fn list_tokens(State(state): State<AppState>, CurrentActor(actor): CurrentActor) -> Result<Json<Vec<TokenSummary>>, ApiError> {
    let tokens = state.app.my_api_tokens(&actor).await?;
    Ok(Json(
        tokens
            .into_iter()
            .map(|token| TokenSummary {
                id: token.id.to_string(),
                created_at: token.created_at,
                expires_at: token.expires_at,
                revoked_at: token.revoked_at,
            })
            .collect(),
    ))
}

/// Revokes one of the caller's tokens (the one making the call too, if it names itself). It
/// stops working at once.
#[utoipa::path(delete, path = "/api/v1/tokens/{id}", tag = "access", security(("bearer" = [])),
    params(("id" = String, Path, description = "The token's id, from GET /api/v1/tokens")),
    responses((status = 204, description = "Revoked"), (status = 401, body = ApiErrorBody), (status = 404, body = ApiErrorBody),
        (status = 409, body = ApiErrorBody, description = "conflict: it was already revoked")))]
pub async fn revoke_token(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    let token_id: ApiTokenId = id.parse().map_err(|_| ApiError(AppError::NotFound))?;
    state.app.revoke_my_api_token(&actor, token_id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(OpenApi)]
#[openapi(paths(list_tokens, revoke_token))]
pub struct AccountsDocument;
