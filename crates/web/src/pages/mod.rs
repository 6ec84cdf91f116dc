//! HTML pages, built with GOV.UK Frontend. Each page's view model is an askama template struct,
//! so a template that reads a missing field does not compile.

/// Unwraps a use case's result in a page handler, or answers with the matching error page.
macro_rules! try_page {
    ($result:expr) => {
        match $result {
            Ok(value) => value,
            Err(error) => return crate::errors::PageError::from(error).into_response(),
        }
    };
}

pub mod accounts;
pub mod admin;
pub mod audit_log;
pub mod auth;
pub mod configuration;
pub mod forms;
pub mod home;
pub mod pdf;
pub mod people;
pub mod records;
pub mod steps;
pub mod two_factor;
pub mod voice;
pub mod worklists;

use crate::context::RequestContext;
use crate::AppState;
use askama::Template;
use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use std::sync::atomic::Ordering;
use tailor_domain::access::{landing_page, Actor, LandingPage, Permission, Role};
use tailor_domain::validation::ValidationErrors;

pub struct NavItem {
    pub href: &'static str,
    pub label: &'static str,
    pub current: bool,
}

/// What the layout needs on every page.
pub struct PageContext {
    pub title: String,
    pub council_name: String,
    /// Who to call, write to and complain to: from the council file, never fixed in a page.
    pub council: std::sync::Arc<tailor_domain::council::CouncilContact>,
    pub signed_in_as: Option<String>,
    pub nav: Vec<NavItem>,
    pub csrf_token: String,
    pub has_errors: bool,
}

impl PageContext {
    pub fn new(state: &AppState, context: &RequestContext, title: &str, current_path: &str) -> Self {
        let nav = context
            .actor
            .as_ref()
            .map(|actor| navigation(actor, current_path))
            .unwrap_or_default();
        PageContext {
            title: title.into(),
            council_name: state.config.council.name.clone(),
            council: state.council.clone(),
            signed_in_as: context
                .actor
                .as_ref()
                .map(|actor| format!("{} ({})", actor.display_name, actor.role.label())),
            nav,
            csrf_token: context.csrf_token(),
            has_errors: false,
        }
    }

    /// For pages shown before anything is known about the visitor (errors).
    pub fn anonymous(title: &str) -> Self {
        PageContext {
            title: title.into(),
            council_name: "Tailor".into(),
            council: std::sync::Arc::new(tailor_domain::council::CouncilContact::demo()),
            signed_in_as: None,
            nav: Vec::new(),
            csrf_token: String::new(),
            has_errors: false,
        }
    }

    /// Marks the page as showing errors, so its title starts "Error:" as GOV.UK asks.
    pub fn with_errors(mut self, errors: &ValidationErrors) -> Self {
        self.has_errors = !errors.is_empty();
        self
    }
}

/// Where each role starts.
pub fn home_path(role: Role) -> &'static str {
    match landing_page(role) {
        LandingPage::OwnHome => "/my",
        LandingPage::ProviderHome => "/provider",
        LandingPage::StaffHome => "/home",
    }
}

fn navigation(actor: &Actor, current_path: &str) -> Vec<NavItem> {
    let mut items: Vec<(&'static str, &'static str)> = Vec::new();
    let home_label = match landing_page(actor.role) {
        LandingPage::OwnHome => "Home",
        LandingPage::ProviderHome => "People we support",
        LandingPage::StaffHome if actor.role.holds_caseload() => "Caseload",
        LandingPage::StaffHome => "Home",
    };
    items.push((home_path(actor.role), home_label));
    let role = actor.role;
    if role.allows(Permission::SearchPeople) {
        items.push(("/people", "Find a person"));
    }
    if role.allows(Permission::CreatePerson) {
        items.push(("/people/new", "Add a person"));
    }
    if role.allows(Permission::AnswerEscalations) {
        items.push(("/challenges", "Challenges"));
    }
    if role.allows(Permission::AdministerUsers) {
        items.push(("/admin/users", "Accounts"));
        items.push(("/admin/teams", "Teams"));
        items.push(("/admin/jobs", "Scheduled work"));
    }
    if role.allows(Permission::ManageOrganisations) {
        items.push(("/admin/organisations", "Organisations"));
    }
    if role.allows(Permission::ManageConfiguration) {
        items.push(("/admin/configuration", "Configuration"));
    }
    if role.allows(Permission::ViewAuditLog) {
        items.push(("/admin/audit", "Audit log"));
    }
    if role.allows(Permission::ConfirmAccountLinks) {
        items.push(("/admin/account-links", "Account links"));
    }
    items.push(("/account", "Your account"));
    items
        .into_iter()
        .map(|(href, label)| NavItem {
            href,
            label,
            current: current_path == href,
        })
        .collect()
}

pub fn render<T: Template>(template: &T) -> Response {
    match template.render() {
        Ok(html) => Html(html).into_response(),
        Err(error) => {
            tracing::error!(%error, "template failed to render");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                "Sorry, there is a problem with the service. Try again later.",
            )
                .into_response()
        }
    }
}

/// A page re-shown with what was typed and why it was refused.
pub fn render_invalid<T: Template>(template: &T) -> Response {
    let mut response = render(template);
    if response.status() == StatusCode::OK {
        *response.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    response
}

/// A form page: 200 when first shown, 422 when shown again because of errors.
pub fn render_form<T: Template>(template: &T, errors: &ValidationErrors) -> Response {
    if errors.is_empty() {
        render(template)
    } else {
        render_invalid(template)
    }
}

/// A radio button or select option, with whether it is the chosen one.
pub struct Choice {
    pub value: String,
    pub label: String,
    pub checked: bool,
}

pub fn choices<'a>(options: impl IntoIterator<Item = (&'a str, &'a str)>, selected: &str) -> Vec<Choice> {
    options
        .into_iter()
        .map(|(value, label)| Choice {
            value: value.into(),
            label: label.into(),
            checked: value == selected,
        })
        .collect()
}

pub async fn healthz(State(state): State<AppState>) -> Response {
    if !state.ready.load(Ordering::Acquire) {
        return (StatusCode::SERVICE_UNAVAILABLE, "starting").into_response();
    }
    match state.app.check_database().await {
        Ok(()) => (StatusCode::OK, "ok").into_response(),
        Err(error) => {
            tracing::error!(%error, "health check failed");
            (StatusCode::SERVICE_UNAVAILABLE, "database unavailable").into_response()
        }
    }
}

/// Prometheus' text format, for a collector holding the configured token; otherwise not found.
pub async fn metrics(State(state): State<AppState>, headers: axum::http::HeaderMap) -> Response {
    use subtle::ConstantTimeEq;
    let sent = headers
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.strip_prefix("Bearer "));
    let allowed = match (&state.config.metrics_token, sent) {
        (Some(token), Some(sent)) => bool::from(token.as_bytes().ct_eq(sent.as_bytes())),
        _ => false,
    };
    if !allowed {
        return StatusCode::NOT_FOUND.into_response();
    }
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], state.metrics.render()).into_response()
}

pub async fn not_found(context: RequestContext) -> Response {
    if context.is_api {
        crate::errors::ApiError(tailor_app::AppError::NotFound).into_response()
    } else {
        crate::errors::PageError::App(tailor_app::AppError::NotFound).into_response()
    }
}
