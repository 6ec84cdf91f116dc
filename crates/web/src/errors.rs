//! Turning failures into responses: a GOV.UK error page for people, a stable code and a plain
//! message for API clients. Causes of server errors are logged, never shown.

use crate::pages::{render, PageContext};
use askama::Template;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Json;
use serde::Serialize;
use tailor_app::AppError;
use tailor_domain::validation::FieldError;

/// Logs what failed and why under a new reference, and returns the reference: the person sees
/// only the reference, and whoever reads the logs finds the cause by it.
pub fn log_server_error(error: &AppError) -> String {
    let reference = uuid::Uuid::new_v4().simple().to_string()[..12].to_owned();
    tracing::error!(error_id = %reference, failed = error.failed_part(), cause = %error, "server error");
    reference
}

#[derive(Debug)]
pub enum PageError {
    App(AppError),
    CsrfRejected,
    BadRequest(String),
}

impl From<AppError> for PageError {
    fn from(error: AppError) -> Self {
        PageError::App(error)
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    page: PageContext,
    heading: String,
    message: String,
}

fn error_page(status: StatusCode, heading: &str, message: &str) -> Response {
    let page = ErrorPage {
        page: PageContext::anonymous(heading),
        heading: heading.into(),
        message: message.into(),
    };
    (status, render(&page)).into_response()
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        match self {
            PageError::App(AppError::Unauthenticated) => Redirect::to("/sign-in").into_response(),
            PageError::App(AppError::Forbidden) => error_page(
                StatusCode::FORBIDDEN,
                "You do not have access to this page",
                "Your role, or your relationship to this person, does not allow it. If you think you should have access, ask your team manager. This attempt has been recorded.",
            ),
            PageError::App(AppError::NotFound) => {
                error_page(StatusCode::NOT_FOUND, "Page not found", "If you typed the web address, check it is correct. If you pasted the web address, check you copied the entire address.")
            }
            PageError::App(AppError::Throttled { retry_after_seconds }) => with_retry_after(error_page(
                StatusCode::TOO_MANY_REQUESTS,
                "Too many attempts to sign in",
                &format!(
                    "For your security, signing in to this account from here is paused for a while. Wait {}, then try again.",
                    tailor_app::auth::wait_in_words(retry_after_seconds)
                ),
            ), retry_after_seconds),
            PageError::App(AppError::PasswordChangeDue) => Redirect::to("/account/password").into_response(),
            PageError::App(AppError::TwoFactorSetupDue) => Redirect::to("/account/two-step").into_response(),
            PageError::App(AppError::WrongCredentials) => error_page(
                StatusCode::UNAUTHORIZED,
                "There is a problem",
                "Enter a correct email address and password.",
            ),
            PageError::App(AppError::Invalid(errors)) => error_page(StatusCode::UNPROCESSABLE_ENTITY, "There is a problem", &errors.to_string()),
            PageError::App(AppError::Store(tailor_store::StoreError::StateChanged(_))) => error_page(
                StatusCode::CONFLICT,
                "This was changed by someone else",
                "Someone else changed or decided this while you were working on it, so nothing you sent was saved. Go back, refresh the page to see what changed, and try again if it is still needed.",
            ),
            PageError::App(error @ (AppError::Store(_) | AppError::Internal { .. })) => {
                let reference = log_server_error(&error);
                error_page(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "Sorry, there is a problem with the service",
                    &format!("Try again later. Nothing you entered has been saved. If it keeps happening, tell the service desk this reference: {reference}."),
                )
            }
            PageError::CsrfRejected => error_page(
                StatusCode::FORBIDDEN,
                "This form could not be sent",
                "The form had expired or did not come from this service, so nothing was saved. Go back, refresh the page, and try again.",
            ),
            PageError::BadRequest(message) => error_page(StatusCode::BAD_REQUEST, "There is a problem", &message),
        }
    }
}

/// The body of every API error: a stable code to branch on, and a message to show a person.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ApiErrorBody {
    /// Stable, snake_case: `invalid`, `unauthenticated`, `forbidden`, `not_found`, `throttled`,
    /// `payload_too_large`, `server_error`.
    pub code: &'static str,
    pub message: String,
    /// For `invalid`: one entry per field that needs correcting.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    #[schema(value_type = Vec<ApiFieldError>)]
    pub errors: Vec<FieldError>,
}

/// One field's problem.
#[derive(Serialize, utoipa::ToSchema)]
pub struct ApiFieldError {
    pub field: String,
    pub message: String,
}

#[derive(Debug)]
pub struct ApiError(pub AppError);

impl From<AppError> for ApiError {
    fn from(error: AppError) -> Self {
        ApiError(error)
    }
}

pub fn api_error_response(status: StatusCode, code: &'static str, message: &str, errors: Vec<FieldError>) -> Response {
    (
        status,
        Json(ApiErrorBody {
            code,
            message: message.into(),
            errors,
        }),
    )
        .into_response()
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        match self.0 {
            AppError::Invalid(errors) => api_error_response(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid",
                "Some of the input needs correcting",
                errors.0,
            ),
            AppError::Unauthenticated => {
                let mut response = api_error_response(
                    StatusCode::UNAUTHORIZED,
                    "unauthenticated",
                    "Send a valid bearer token from POST /api/v1/tokens",
                    vec![],
                );
                response
                    .headers_mut()
                    .insert("www-authenticate", axum::http::HeaderValue::from_static("Bearer"));
                response
            }
            AppError::Forbidden => api_error_response(
                StatusCode::FORBIDDEN,
                "forbidden",
                "You do not have access to this; the attempt has been recorded",
                vec![],
            ),
            AppError::NotFound => api_error_response(StatusCode::NOT_FOUND, "not_found", "There is nothing here", vec![]),
            AppError::Throttled { retry_after_seconds } => with_retry_after(
                api_error_response(
                    StatusCode::TOO_MANY_REQUESTS,
                    "throttled",
                    &format!(
                        "Too many failed sign-in attempts from here; wait {} (Retry-After) and try again",
                        tailor_app::auth::wait_in_words(retry_after_seconds)
                    ),
                    vec![],
                ),
                retry_after_seconds,
            ),
            AppError::PasswordChangeDue => api_error_response(
                StatusCode::FORBIDDEN,
                "password_change_due",
                "This account's password was set by an administrator: sign in on the web and change it first",
                vec![],
            ),
            AppError::TwoFactorSetupDue => api_error_response(
                StatusCode::FORBIDDEN,
                "two_factor_setup_due",
                "This account must have two-step sign-in: sign in on the web and set it up first",
                vec![],
            ),
            AppError::WrongCredentials => api_error_response(
                StatusCode::UNAUTHORIZED,
                "invalid_credentials",
                "The email address and password do not match an account, or the one-time code is missing, wrong or already used",
                vec![],
            ),
            AppError::Store(tailor_store::StoreError::StateChanged(what)) => api_error_response(
                StatusCode::CONFLICT,
                "conflict",
                &format!("This was changed by someone else ({what}); nothing was saved. Read it again, then retry if still needed"),
                vec![],
            ),
            error @ (AppError::Store(_) | AppError::Internal { .. }) => {
                let reference = log_server_error(&error);
                api_error_response(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "server_error",
                    &format!("Something went wrong on our side; nothing was changed. Reference: {reference}"),
                    vec![],
                )
            }
        }
    }
}

/// Adds `Retry-After` to a 429: the throttle's remaining delay in whole seconds (rounded up,
/// at least 1), so clients and proxies come back when the next attempt will be counted.
pub fn with_retry_after(mut response: Response, seconds: u64) -> Response {
    response
        .headers_mut()
        .insert(axum::http::header::RETRY_AFTER, axum::http::HeaderValue::from(seconds.max(1)));
    response
}

/// Replaces the framework's plain-text "length limit exceeded" with a clear page or JSON error.
pub async fn explain_oversized_requests(request: axum::extract::Request, next: axum::middleware::Next) -> Response {
    let is_api = request.uri().path().starts_with("/api/");
    let response = next.run(request).await;
    // A page Tailor rendered itself (an upload form showing its field error) stays as it is.
    let rendered_page = response
        .headers()
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.starts_with("text/html"));
    if response.status() != StatusCode::PAYLOAD_TOO_LARGE || rendered_page {
        return response;
    }
    if is_api {
        api_error_response(
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload_too_large",
            "The request is too large; nothing was saved",
            vec![],
        )
    } else {
        error_page(
            StatusCode::PAYLOAD_TOO_LARGE,
            "What you sent is too large",
            "The form was larger than Tailor accepts, so nothing was saved. Go back, shorten what you entered (or choose a smaller file), and try again.",
        )
    }
}

/// The page a used or expired password reset link opens.
pub fn link_not_usable_page() -> Response {
    error_page(
        StatusCode::NOT_FOUND,
        "This link no longer works",
        "This password reset link has already been used or has expired. Ask your administrator for a new one.",
    )
}

/// The page for an upload larger than Tailor accepts.
pub fn explain_too_large_page() -> Response {
    error_page(
        StatusCode::PAYLOAD_TOO_LARGE,
        "What you sent is too large",
        "The form was larger than Tailor accepts, so nothing was saved. Go back, shorten what you entered (or choose a smaller file), and try again.",
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use http_body_util::BodyExt;

    async fn body_of(response: Response) -> String {
        String::from_utf8(response.into_body().collect().await.unwrap().to_bytes().to_vec()).unwrap()
    }

    fn database_failure() -> AppError {
        AppError::Store(tailor_store::StoreError::Other("relation \"people\" does not exist".into()))
    }

    #[tokio::test]
    async fn a_server_error_page_gives_a_reference_and_hides_the_cause() {
        let response = PageError::from(database_failure()).into_response();
        assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
        let body = body_of(response).await;
        assert!(body.contains("tell the service desk this reference"), "{body}");
        assert!(!body.contains("relation"), "the cause is logged, not shown");
    }

    #[tokio::test]
    async fn a_server_error_in_the_api_keeps_the_error_shape() {
        let response = ApiError(AppError::internal("making a document", "the font is missing")).into_response();
        assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
        let json: serde_json::Value = serde_json::from_str(&body_of(response).await).unwrap();
        assert_eq!(json["code"], "server_error");
        let message = json["message"].as_str().unwrap();
        assert!(message.contains("Reference: "), "{message}");
        assert!(!message.contains("font"), "the cause is logged, not shown");
        assert!(json.get("errors").is_none(), "no field errors on a server error");
    }

    #[test]
    fn each_failure_names_the_part_that_failed() {
        assert_eq!(database_failure().failed_part(), "database");
        assert_eq!(
            AppError::Store(tailor_store::StoreError::Unavailable("timed out".into())).failed_part(),
            "database unavailable"
        );
        assert_eq!(
            AppError::internal("hashing a password", "out of memory").failed_part(),
            "hashing a password"
        );
    }
}
