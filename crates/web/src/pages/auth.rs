//! Signing in and out.

use super::{home_path, render, render_invalid, PageContext};
use crate::context::{expired_session_cookie, with_new_session_cookie, CsrfForm, RequestContext};
use crate::errors::PageError;
use crate::AppState;
use askama::Template;
use axum::extract::{Query, State};
use axum::http::header::SET_COOKIE;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use tailor_app::AppError;
use tailor_domain::validation::ValidationErrors;

#[derive(Template)]
#[template(path = "sign_in.html")]
struct SignInPage {
    page: PageContext,
    errors: ValidationErrors,
    email: String,
    signed_out: bool,
    password_reset: bool,
    /// The few minutes to enter a security code after the password ran out.
    timed_out: bool,
}

#[derive(Deserialize, Default)]
pub struct SignInQuery {
    #[serde(default)]
    signed_out: Option<String>,
    #[serde(default)]
    password_reset: Option<String>,
    #[serde(default)]
    timed_out: Option<String>,
}

pub async fn sign_in_page(State(state): State<AppState>, context: RequestContext, Query(query): Query<SignInQuery>) -> Response {
    if let Some(actor) = &context.actor {
        return Redirect::to(home_path(actor.role)).into_response();
    }
    let (context, new_cookie) = match with_form_token(&state, context).await {
        Ok(found) => found,
        Err(response) => return response,
    };
    let page = SignInPage {
        page: PageContext::new(&state, &context, "Sign in", "/sign-in"),
        errors: ValidationErrors::default(),
        email: String::new(),
        signed_out: query.signed_out.is_some(),
        password_reset: query.password_reset.is_some(),
        timed_out: query.timed_out.is_some(),
    };
    with_new_session_cookie(render(&page), new_cookie.as_deref(), &state.config)
}

/// A form shown before anyone signs in (sign-in, a password reset link) needs a CSRF token, so
/// a visitor gets one; returns the context to render with and a cookie to set, if new.
///
/// The visitor's cookie holds a random value and the form a token signed from it
/// (`context::form_token`): nothing is written to the database until someone signs in.
pub async fn with_form_token(state: &AppState, mut context: RequestContext) -> Result<(RequestContext, Option<String>), Response> {
    let mut new_cookie = None;
    if context.session.is_none() && context.form_token.is_none() {
        let nonce = tailor_app::auth::random_secret();
        context.form_token = Some(crate::context::form_token(state, &nonce));
        new_cookie = Some(format!("{}{nonce}", crate::context::FORM_COOKIE_PREFIX));
    }
    Ok((context, new_cookie))
}

#[derive(Deserialize)]
pub struct SignInForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
}

pub async fn sign_in(State(state): State<AppState>, context: RequestContext, CsrfForm(form): CsrfForm<SignInForm>) -> Response {
    let old_session = context.session.as_ref().map(|session| &session.record);
    match state
        .app
        .sign_in(&form.email, &form.password, &context.client_address, old_session)
        .await
    {
        Ok((cookie, session)) => {
            let home = match &session.actor {
                _ if session.awaits_code() => "/sign-in/code",
                _ if session.must_change_password => "/account/password",
                _ if session.must_set_up_two_factor => "/account/two-step",
                Some(actor) => home_path(actor.role),
                None => "/",
            };
            with_new_session_cookie(Redirect::to(home).into_response(), Some(&cookie), &state.config)
        }
        Err(error @ (AppError::Invalid(_) | AppError::Throttled { .. } | AppError::WrongCredentials)) => {
            let retry_after = match error {
                AppError::Throttled { retry_after_seconds } => Some(retry_after_seconds),
                _ => None,
            };
            let errors = match error {
                AppError::Invalid(errors) => errors,
                AppError::WrongCredentials => {
                    let mut errors = ValidationErrors::default();
                    errors.add("email", "Enter a correct email address and password");
                    errors
                }
                _ => {
                    let mut errors = ValidationErrors::default();
                    errors.add(
                        "email",
                        format!(
                            "You have tried to sign in too many times. Wait {}, then try again.",
                            tailor_app::auth::wait_in_words(retry_after.unwrap_or(1))
                        ),
                    );
                    errors
                }
            };
            let page = SignInPage {
                page: PageContext::new(&state, &context, "Sign in", "/sign-in").with_errors(&errors),
                errors,
                email: form.email.chars().take(320).collect(),
                signed_out: false,
                password_reset: false,
                timed_out: false,
            };
            let mut response = render_invalid(&page);
            if let Some(seconds) = retry_after {
                *response.status_mut() = axum::http::StatusCode::TOO_MANY_REQUESTS;
                response = crate::errors::with_retry_after(response, seconds);
            }
            response
        }
        Err(error) => PageError::from(error).into_response(),
    }
}

#[derive(Deserialize)]
pub struct Empty {}

pub async fn sign_out(State(state): State<AppState>, context: RequestContext, CsrfForm(_): CsrfForm<Empty>) -> Response {
    if let Some(session) = &context.session {
        if let Err(error) = state.app.sign_out(session).await {
            return PageError::from(error).into_response();
        }
    }
    let mut response = Redirect::to("/sign-in?signed_out=1").into_response();
    response.headers_mut().append(SET_COOKIE, expired_session_cookie(&state.config));
    response
}
