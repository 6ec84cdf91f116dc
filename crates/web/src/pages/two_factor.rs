//! Two-step sign-in pages: the code asked for after the password, setting it up from Your
//! account (the secret in groups, an otpauth:// link and a QR code drawn on the server as SVG,
//! so no script is needed), recovery codes shown once, turning it off, and an administrator's
//! reset.

use super::{home_path, render, render_form, render_invalid, PageContext};
use crate::context::{with_new_session_cookie, CsrfForm, CurrentActor, RequestContext};
use crate::errors::PageError;
use crate::AppState;
use askama::Template;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use tailor_app::two_factor::{TwoFactorSetup, TwoFactorStatus};
use tailor_app::AppError;
use tailor_domain::two_factor as rules;
use tailor_domain::validation::ValidationErrors;
use tailor_domain::UserId;

#[derive(Template)]
#[template(path = "sign_in_code.html")]
struct CodePage {
    page: PageContext,
    errors: ValidationErrors,
}

/// The second page of signing in; only a session that has just had the right password has one.
pub async fn code_page(State(state): State<AppState>, context: RequestContext) -> Response {
    if let Some(actor) = &context.actor {
        return Redirect::to(home_path(actor.role)).into_response();
    }
    if !context.session.as_ref().is_some_and(|session| session.awaits_code()) {
        return Redirect::to("/sign-in?timed_out=1").into_response();
    }
    let page = CodePage {
        page: PageContext::new(&state, &context, "Enter your security code", "/sign-in"),
        errors: ValidationErrors::default(),
    };
    render(&page)
}

#[derive(Deserialize)]
pub struct CodeForm {
    #[serde(default)]
    code: String,
}

pub async fn sign_in_with_code(State(state): State<AppState>, context: RequestContext, CsrfForm(form): CsrfForm<CodeForm>) -> Response {
    let Some(session) = context.session.as_ref().filter(|session| session.awaits_code()) else {
        return Redirect::to("/sign-in?timed_out=1").into_response();
    };
    match state.app.sign_in_with_code(session, &form.code, &context.client_address).await {
        Ok((cookie, session)) => {
            let home = session.actor.as_ref().map(|actor| home_path(actor.role)).unwrap_or("/");
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
                    errors.add(
                        "code",
                        "That code is not right, or it has been used already. Enter the code your app shows now",
                    );
                    errors
                }
                _ => {
                    let mut errors = ValidationErrors::default();
                    let wait = tailor_app::auth::wait_in_words(retry_after.unwrap_or(1));
                    errors.add(
                        "code",
                        format!("You have tried to sign in too many times. Wait {wait}, then try again."),
                    );
                    errors
                }
            };
            let page = CodePage {
                page: PageContext::new(&state, &context, "Enter your security code", "/sign-in").with_errors(&errors),
                errors,
            };
            let mut response = render_invalid(&page);
            if let Some(seconds) = retry_after {
                *response.status_mut() = axum::http::StatusCode::TOO_MANY_REQUESTS;
                response = crate::errors::with_retry_after(response, seconds);
            }
            response
        }
        Err(AppError::Unauthenticated) => Redirect::to("/sign-in?timed_out=1").into_response(),
        Err(error) => PageError::from(error).into_response(),
    }
}

#[derive(Template)]
#[template(path = "two_factor.html")]
struct TwoFactorPage {
    page: PageContext,
    errors: ValidationErrors,
    status: TwoFactorStatus,
    /// The council requires it and it is not set up: nothing else can be done until it is.
    must_set_up: bool,
    /// While setting up: the secret in groups of four, the otpauth:// link, the QR code.
    secret_grouped: String,
    otpauth_uri: String,
    qr_svg: String,
}

#[derive(Template)]
#[template(path = "two_factor_codes.html")]
struct RecoveryCodesPage {
    page: PageContext,
    codes: Vec<String>,
    /// Just switched on (else: new codes for an account that had it).
    just_set_up: bool,
}

/// The QR code of the otpauth:// link as inline SVG, labelled for screen readers.
fn qr_svg(uri: &str) -> Result<String, PageError> {
    let code = qrcode::QrCode::new(uri.as_bytes()).map_err(|error| PageError::from(AppError::internal("drawing a QR code", error)))?;
    let svg = code
        .render::<qrcode::render::svg::Color>()
        .min_dimensions(200, 200)
        .quiet_zone(true)
        .build();
    let svg = match svg.find("<svg") {
        Some(start) => &svg[start..],
        None => &svg[..],
    };
    Ok(svg.replacen(
        "<svg ",
        "<svg role=\"img\" aria-label=\"QR code to scan with your authenticator app\" focusable=\"false\" class=\"tailor-qr-code\" ",
        1,
    ))
}

async fn two_factor_page(
    state: &AppState,
    context: &RequestContext,
    actor: &tailor_domain::access::Actor,
    errors: ValidationErrors,
) -> Response {
    let status = match state.app.two_factor_status(actor).await {
        Ok(status) => status,
        Err(error) => return PageError::from(error).into_response(),
    };
    let (mut secret_grouped, mut otpauth_uri, mut qr) = (String::new(), String::new(), String::new());
    if !status.enrolled {
        let setup: TwoFactorSetup = match state.app.begin_two_factor_setup(actor).await {
            Ok(setup) => setup,
            Err(error) => return PageError::from(error).into_response(),
        };
        secret_grouped = rules::grouped(&setup.secret);
        otpauth_uri = rules::otpauth_uri(&format!("Tailor ({})", state.config.council.name), &setup.account, &setup.secret);
        qr = match qr_svg(&otpauth_uri) {
            Ok(svg) => svg,
            Err(error) => return error.into_response(),
        };
    }
    let must_set_up = context.session.as_ref().is_some_and(|session| session.must_set_up_two_factor);
    let page = TwoFactorPage {
        page: PageContext::new(state, context, "Two-step sign-in", "/account").with_errors(&errors),
        errors,
        status,
        must_set_up,
        secret_grouped,
        otpauth_uri,
        qr_svg: qr,
    };
    render_form(&page, &page.errors)
}

pub async fn setup_page(State(state): State<AppState>, context: RequestContext, CurrentActor(actor): CurrentActor) -> Response {
    two_factor_page(&state, &context, &actor, ValidationErrors::default()).await
}

pub async fn confirm_setup(
    State(state): State<AppState>,
    context: RequestContext,
    CurrentActor(actor): CurrentActor,
    CsrfForm(form): CsrfForm<CodeForm>,
) -> Response {
    match state.app.confirm_two_factor_setup(&actor, &form.code).await {
        Ok(codes) => render(&RecoveryCodesPage {
            page: PageContext::new(&state, &context, "Your recovery codes", "/account"),
            codes,
            just_set_up: true,
        }),
        Err(AppError::Invalid(errors)) => two_factor_page(&state, &context, &actor, errors).await,
        Err(error) => PageError::from(error).into_response(),
    }
}

#[derive(Deserialize)]
pub struct Empty {}

#[derive(Deserialize)]
pub struct NewCodesForm {
    #[serde(default)]
    codes_password: String,
}

pub async fn new_recovery_codes(
    State(state): State<AppState>,
    context: RequestContext,
    CurrentActor(actor): CurrentActor,
    CsrfForm(form): CsrfForm<NewCodesForm>,
) -> Response {
    match state.app.regenerate_recovery_codes(&actor, &form.codes_password).await {
        Ok(codes) => render(&RecoveryCodesPage {
            page: PageContext::new(&state, &context, "Your new recovery codes", "/account"),
            codes,
            just_set_up: false,
        }),
        Err(AppError::Invalid(errors)) => two_factor_page(&state, &context, &actor, errors).await,
        Err(error) => PageError::from(error).into_response(),
    }
}

#[derive(Deserialize)]
pub struct TurnOffForm {
    #[serde(default)]
    password: String,
    #[serde(default)]
    code: String,
}

pub async fn turn_off(
    State(state): State<AppState>,
    context: RequestContext,
    CurrentActor(actor): CurrentActor,
    CsrfForm(form): CsrfForm<TurnOffForm>,
) -> Response {
    let Some(session) = context.session.as_ref() else {
        return PageError::from(AppError::Unauthenticated).into_response();
    };
    match state.app.turn_off_two_factor(&actor, session, &form.password, &form.code).await {
        Ok(()) => Redirect::to("/account?changed=two-step").into_response(),
        Err(AppError::Invalid(errors)) => two_factor_page(&state, &context, &actor, errors).await,
        Err(error) => PageError::from(error).into_response(),
    }
}

#[derive(Template)]
#[template(path = "admin_two_factor_reset.html")]
struct ResetDonePage {
    page: PageContext,
    name: String,
}

pub async fn admin_reset(
    State(state): State<AppState>,
    context: RequestContext,
    CurrentActor(actor): CurrentActor,
    Path(id): Path<String>,
    CsrfForm(_): CsrfForm<Empty>,
) -> Response {
    let Ok(user_id) = id.parse::<UserId>() else {
        return PageError::App(AppError::NotFound).into_response();
    };
    if let Err(error) = state.app.reset_two_factor(&actor, user_id).await {
        return PageError::from(error).into_response();
    }
    let name = match state.app.list_users(&actor).await {
        Ok(users) => users
            .into_iter()
            .find(|user| user.id == user_id)
            .map(|user| user.display_name)
            .unwrap_or_default(),
        Err(error) => return PageError::from(error).into_response(),
    };
    render(&ResetDonePage {
        page: PageContext::new(&state, &context, "Two-step sign-in reset", "/admin/users"),
        name,
    })
}
