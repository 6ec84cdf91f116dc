//! Your account (password, API tokens, signing out everywhere), password reset links, a
//! person's helpers changed or stopped, and account links waiting for a second person.

use super::{render, render_form, Choice, PageContext};
use crate::context::{expired_session_cookie, CsrfForm, CurrentActor, RequestContext};
use crate::errors::PageError;
use crate::AppState;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::header::SET_COOKIE;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use tailor_app::accounts::{PasswordChangeInput, PendingLink};
use tailor_app::AppError;
use tailor_domain::access::DelegationScope;
use tailor_domain::validation::ValidationErrors;
use tailor_domain::{AccountLinkId, ApiTokenId, DelegationId, PersonId, UserId};

fn london(at: chrono::DateTime<chrono::Utc>) -> String {
    at.with_timezone(&chrono_tz::Europe::London)
        .format("%-d %B %Y at %H:%M")
        .to_string()
}

pub struct TokenRow {
    pub id: String,
    pub created: String,
    pub expires: String,
    /// "Working", "Expired" or "Withdrawn on ...".
    pub status: String,
    pub working: bool,
}

#[derive(Template)]
#[template(path = "account.html")]
struct AccountPage {
    page: PageContext,
    tokens: Vec<TokenRow>,
    changed: bool,
    two_factor: tailor_app::two_factor::TwoFactorStatus,
}

#[derive(Deserialize, Default)]
pub struct AccountQuery {
    #[serde(default)]
    changed: Option<String>,
}

pub async fn account(
    State(state): State<AppState>,
    context: RequestContext,
    CurrentActor(actor): CurrentActor,
    axum::extract::Query(query): axum::extract::Query<AccountQuery>,
) -> Response {
    let tokens = match state.app.my_api_tokens(&actor).await {
        Ok(tokens) => tokens,
        Err(error) => return PageError::from(error).into_response(),
    };
    let two_factor = match state.app.two_factor_status(&actor).await {
        Ok(status) => status,
        Err(error) => return PageError::from(error).into_response(),
    };
    let now = state.app.clock.now();
    let tokens = tokens
        .into_iter()
        .map(|token| {
            let (status, working) = match token.revoked_at {
                Some(at) => (format!("Withdrawn on {}", london(at)), false),
                None if token.expires_at <= now => ("Expired".to_owned(), false),
                None => ("Working".to_owned(), true),
            };
            TokenRow {
                id: token.id.to_string(),
                created: london(token.created_at),
                expires: london(token.expires_at),
                status,
                working,
            }
        })
        .collect();
    render(&AccountPage {
        page: PageContext::new(&state, &context, "Your account", "/account"),
        tokens,
        changed: query.changed.is_some(),
        two_factor,
    })
}

#[derive(Template)]
#[template(path = "account_password.html")]
struct PasswordPage {
    page: PageContext,
    errors: ValidationErrors,
    /// The password was set by an administrator, and nothing else can be done until it changes.
    first_password: bool,
}

pub async fn password_page(State(state): State<AppState>, context: RequestContext) -> Response {
    let first_password = context.session.as_ref().is_some_and(|session| session.must_change_password);
    let errors = ValidationErrors::default();
    let page = PasswordPage {
        page: PageContext::new(&state, &context, "Change your password", "/account"),
        errors,
        first_password,
    };
    render_form(&page, &page.errors)
}

pub async fn change_password(
    State(state): State<AppState>,
    context: RequestContext,
    CurrentActor(actor): CurrentActor,
    CsrfForm(input): CsrfForm<PasswordChangeInput>,
) -> Response {
    let keep = context.session.as_ref().map(|session| session.record.id_hash.as_str());
    match state.app.change_my_password(&actor, keep, &input).await {
        Ok(()) => Redirect::to("/account?changed=password").into_response(),
        Err(AppError::Invalid(errors)) => {
            let first_password = context.session.as_ref().is_some_and(|session| session.must_change_password);
            let page = PasswordPage {
                page: PageContext::new(&state, &context, "Change your password", "/account").with_errors(&errors),
                errors,
                first_password,
            };
            render_form(&page, &page.errors)
        }
        Err(error) => PageError::from(error).into_response(),
    }
}

#[derive(Deserialize)]
pub struct Empty {}

pub async fn revoke_token(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    Path(id): Path<String>,
    CsrfForm(_): CsrfForm<Empty>,
) -> Response {
    let Ok(token_id) = id.parse::<ApiTokenId>() else {
        return PageError::App(AppError::NotFound).into_response();
    };
    match state.app.revoke_my_api_token(&actor, token_id).await {
        Ok(()) => Redirect::to("/account?changed=token").into_response(),
        Err(error) => PageError::from(error).into_response(),
    }
}

pub async fn sign_out_everywhere(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    CsrfForm(_): CsrfForm<Empty>,
) -> Response {
    if let Err(error) = state.app.sign_out_everywhere(&actor).await {
        return PageError::from(error).into_response();
    }
    let mut response = Redirect::to("/sign-in?signed_out=1").into_response();
    response.headers_mut().append(SET_COOKIE, expired_session_cookie(&state.config));
    response
}

#[derive(Template)]
#[template(path = "admin_reset_link.html")]
struct ResetLinkPage {
    page: PageContext,
    link: String,
    /// False when Tailor does not know its public address: the link is then only its path.
    link_is_whole: bool,
    name: String,
    expires: String,
}

/// An administrator issues a one-time link; it is shown once, here, to be passed on safely.
pub async fn issue_reset_link(
    State(state): State<AppState>,
    context: RequestContext,
    CurrentActor(actor): CurrentActor,
    Path(id): Path<String>,
    CsrfForm(_): CsrfForm<Empty>,
) -> Response {
    let Ok(user_id) = id.parse::<UserId>() else {
        return PageError::App(AppError::NotFound).into_response();
    };
    let (secret, reset) = match state.app.issue_password_reset(&actor, user_id).await {
        Ok(issued) => issued,
        Err(error) => return PageError::from(error).into_response(),
    };
    let name = match state.app.list_users(&actor).await {
        Ok(users) => users
            .into_iter()
            .find(|user| user.id == user_id)
            .map(|user| user.display_name)
            .unwrap_or_default(),
        Err(error) => return PageError::from(error).into_response(),
    };
    render(&ResetLinkPage {
        page: PageContext::new(&state, &context, "Password reset link", "/admin/users"),
        // From the `public_url` setting, never the request's Host or Origin: a forged header
        // must not send the owner's one-time link to someone else's site.
        link: format!("{}/reset-password/{secret}", state.config.public_url.as_deref().unwrap_or_default()),
        link_is_whole: state.config.public_url.is_some(),
        name,
        expires: london(reset.expires_at),
    })
}

#[derive(Template)]
#[template(path = "reset_password.html")]
struct ResetPasswordPage {
    page: PageContext,
    errors: ValidationErrors,
    action: String,
}

/// The page a reset link opens. It needs a CSRF token like any form, so a visitor gets one as
/// the sign-in page gives it.
pub async fn reset_password_page(State(state): State<AppState>, context: RequestContext, Path(secret): Path<String>) -> Response {
    match state.app.usable_password_reset(&secret).await {
        Ok(Some(_)) => {}
        Ok(None) => return link_not_usable(),
        Err(error) => return PageError::from(error).into_response(),
    }
    let (context, cookie) = match super::auth::with_form_token(&state, context).await {
        Ok(found) => found,
        Err(response) => return response,
    };
    let page = ResetPasswordPage {
        page: PageContext::new(&state, &context, "Choose a new password", ""),
        errors: ValidationErrors::default(),
        action: format!("/reset-password/{secret}"),
    };
    crate::context::with_new_session_cookie(render(&page), cookie.as_deref(), &state.config)
}

fn link_not_usable() -> Response {
    crate::errors::link_not_usable_page()
}

#[derive(Deserialize)]
pub struct ResetForm {
    #[serde(default)]
    new_password: String,
    #[serde(default)]
    confirm_password: String,
}

pub async fn reset_password(
    State(state): State<AppState>,
    context: RequestContext,
    Path(secret): Path<String>,
    CsrfForm(form): CsrfForm<ResetForm>,
) -> Response {
    match state.app.reset_password(&secret, &form.new_password, &form.confirm_password).await {
        Ok(()) => Redirect::to("/sign-in?password_reset=1").into_response(),
        Err(AppError::NotFound) => link_not_usable(),
        Err(AppError::Invalid(errors)) => {
            let page = ResetPasswordPage {
                page: PageContext::new(&state, &context, "Choose a new password", "").with_errors(&errors),
                errors,
                action: format!("/reset-password/{secret}"),
            };
            render_form(&page, &page.errors)
        }
        Err(error) => PageError::from(error).into_response(),
    }
}

#[derive(Template)]
#[template(path = "delegation_manage.html")]
struct DelegationPage {
    page: PageContext,
    errors: ValidationErrors,
    person_id: String,
    delegation_id: String,
    helper_name: String,
    version: i64,
    scopes: Vec<Choice>,
}

fn parse_ids(id: &str, delegation_id: &str) -> Option<(PersonId, DelegationId)> {
    Some((id.parse().ok()?, delegation_id.parse().ok()?))
}

async fn delegation_page(
    state: &AppState,
    context: &RequestContext,
    actor: &tailor_domain::access::Actor,
    person_id: PersonId,
    delegation_id: DelegationId,
    chosen: Option<&[String]>,
    errors: ValidationErrors,
) -> Response {
    let (delegation, version) = match state.app.delegation_to_manage(actor, person_id, delegation_id).await {
        Ok(found) => found,
        Err(error) => return PageError::from(error).into_response(),
    };
    let scopes = DelegationScope::ALL
        .iter()
        .map(|scope| Choice {
            value: scope.as_str().into(),
            label: scope.label().into(),
            checked: match chosen {
                Some(chosen) => chosen.iter().any(|value| value == scope.as_str()),
                None => delegation.scopes.contains(scope),
            },
        })
        .collect();
    let title = format!("What {} can do", delegation.helper_name);
    let page = DelegationPage {
        page: PageContext::new(state, context, &title, "").with_errors(&errors),
        errors,
        person_id: person_id.to_string(),
        delegation_id: delegation_id.to_string(),
        helper_name: delegation.helper_name,
        version,
        scopes,
    };
    render_form(&page, &page.errors)
}

pub async fn manage_delegation(
    State(state): State<AppState>,
    context: RequestContext,
    CurrentActor(actor): CurrentActor,
    Path((id, delegation_id)): Path<(String, String)>,
) -> Response {
    let Some((person_id, delegation_id)) = parse_ids(&id, &delegation_id) else {
        return PageError::App(AppError::NotFound).into_response();
    };
    delegation_page(
        &state,
        &context,
        &actor,
        person_id,
        delegation_id,
        None,
        ValidationErrors::default(),
    )
    .await
}

#[derive(Deserialize)]
pub struct DelegationForm {
    #[serde(default)]
    scopes: Vec<String>,
    #[serde(default)]
    version: i64,
}

pub async fn change_delegation(
    State(state): State<AppState>,
    context: RequestContext,
    CurrentActor(actor): CurrentActor,
    Path((id, delegation_id)): Path<(String, String)>,
    CsrfForm(form): CsrfForm<DelegationForm>,
) -> Response {
    let Some((person_id, delegation_id)) = parse_ids(&id, &delegation_id) else {
        return PageError::App(AppError::NotFound).into_response();
    };
    match state
        .app
        .change_delegation(&actor, person_id, delegation_id, form.version, &form.scopes)
        .await
    {
        Ok(()) => Redirect::to(&format!("/people/{person_id}")).into_response(),
        Err(AppError::Invalid(errors)) => {
            delegation_page(&state, &context, &actor, person_id, delegation_id, Some(&form.scopes), errors).await
        }
        Err(error) => PageError::from(error).into_response(),
    }
}

pub async fn withdraw_delegation(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    Path((id, delegation_id)): Path<(String, String)>,
    CsrfForm(form): CsrfForm<DelegationForm>,
) -> Response {
    let Some((person_id, delegation_id)) = parse_ids(&id, &delegation_id) else {
        return PageError::App(AppError::NotFound).into_response();
    };
    match state.app.withdraw_delegation(&actor, person_id, delegation_id, form.version).await {
        Ok(()) => Redirect::to(&format!("/people/{person_id}")).into_response(),
        Err(error) => PageError::from(error).into_response(),
    }
}

pub struct LinkRow {
    pub id: String,
    pub version: i64,
    pub account: String,
    pub email: String,
    pub person: String,
    pub born: String,
    pub nhs_number: String,
    pub requested_by: String,
    pub requested_at: String,
    pub may_decide: bool,
}

#[derive(Template)]
#[template(path = "admin_account_links.html")]
struct LinksPage {
    page: PageContext,
    rows: Vec<LinkRow>,
}

fn link_row(pending: PendingLink) -> LinkRow {
    LinkRow {
        id: pending.link.id.to_string(),
        version: pending.link.version,
        account: pending.account.display_name,
        email: pending.account.email,
        person: format!("{} {}", pending.person.given_name, pending.person.family_name),
        born: pending.person.date_of_birth.format("%-d %B %Y").to_string(),
        nhs_number: pending
            .person
            .nhs_number
            .map(|number| number.to_string())
            .unwrap_or_else(|| "Not known".into()),
        requested_by: pending.requested_by_name,
        requested_at: london(pending.link.requested_at),
        may_decide: pending.may_decide,
    }
}

pub async fn account_links(State(state): State<AppState>, context: RequestContext, CurrentActor(actor): CurrentActor) -> Response {
    match state.app.pending_account_links(&actor).await {
        Ok(pending) => render(&LinksPage {
            page: PageContext::new(&state, &context, "Account links to confirm", "/admin/account-links"),
            rows: pending.into_iter().map(link_row).collect(),
        }),
        Err(error) => PageError::from(error).into_response(),
    }
}

#[derive(Deserialize)]
pub struct LinkDecisionForm {
    #[serde(default)]
    decision: String,
    #[serde(default)]
    version: i64,
}

pub async fn decide_account_link(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm<LinkDecisionForm>,
) -> Response {
    let Ok(link_id) = id.parse::<AccountLinkId>() else {
        return PageError::App(AppError::NotFound).into_response();
    };
    let confirm = match form.decision.as_str() {
        "confirm" => true,
        "refuse" => false,
        _ => return PageError::BadRequest("Choose whether to confirm or refuse the link.".into()).into_response(),
    };
    match state.app.decide_account_link(&actor, link_id, form.version, confirm).await {
        Ok(()) => Redirect::to("/admin/account-links").into_response(),
        Err(error) => PageError::from(error).into_response(),
    }
}
