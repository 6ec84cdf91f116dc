//! Tailor's HTTP face: GOV.UK Frontend pages that work without JavaScript, and a JSON API under
//! `/api/v1` described by an OpenAPI document generated from this code.
//!
//! No business rules live here: handlers turn requests into use-case calls on `tailor_app::App`
//! and results into pages or JSON. The URL map, with each route's access rule, is `routes.rs`.

pub mod api;
pub mod api_accounts;
pub mod api_challenges;
mod assets;
pub mod context;
pub mod errors;
pub mod metrics;
pub mod pages;
pub mod routes;

use axum::Router;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;
use tailor_app::App;

#[derive(Clone, Debug)]
pub struct WebConfig {
    /// Marks cookies `Secure`. Leave on in production (behind HTTPS); browsers accept secure
    /// cookies from http://localhost and http://127.0.0.1, so the demo works with it on too.
    pub secure_cookies: bool,
    /// The council's name and contact details, shown in the header, on pages and on letters.
    pub council: tailor_domain::council::CouncilContact,
    /// Take the client's address from the last `X-Forwarded-For` entry: only behind a proxy that sets it.
    pub trust_forwarded_for: bool,
    /// The bearer token a metrics collector sends to read /metrics. With none set, /metrics is
    /// not served at all: request counts by route say how the service is used.
    pub metrics_token: Option<String>,
    /// Send `Strict-Transport-Security`, so browsers only ever come back over HTTPS. On when the
    /// service (or the proxy in front of it) is reached only over HTTPS.
    pub strict_transport_security: bool,
    /// Name the session cookie `__Host-tailor_session` when cookies are secure: browsers then
    /// refuse it unless it was set over HTTPS, for this host only, for the whole site, so a
    /// neighbouring subdomain or a plain-HTTP page cannot plant or overwrite it. On behind a
    /// proxy that ends HTTPS; off only where browsers reach Tailor over plain HTTP elsewhere
    /// than localhost.
    pub cookie_host_prefix: bool,
    /// Where the links Tailor gives out (password reset links) point, such as
    /// `https://care.council.example`: the `public_url` setting, or a loopback address Tailor
    /// listens on. Never taken from a request's Host or Origin, which anyone can forge. `None`:
    /// links are shown as their path, with a note to set `public_url`.
    pub public_url: Option<String>,
}

impl Default for WebConfig {
    fn default() -> Self {
        WebConfig {
            secure_cookies: true,
            council: tailor_domain::council::CouncilContact::demo(),
            trust_forwarded_for: false,
            metrics_token: None,
            strict_transport_security: false,
            cookie_host_prefix: false,
            public_url: None,
        }
    }
}

#[derive(Clone)]
pub struct AppState {
    pub app: App,
    pub config: Arc<WebConfig>,
    /// The council's details, shared by every page rather than copied per request.
    pub council: Arc<tailor_domain::council::CouncilContact>,
    pub metrics: Arc<metrics::Metrics>,
    /// Set once start-up (migrations, demo data) has finished; /healthz answers 503 until then.
    pub ready: Arc<AtomicBool>,
    /// Signs the form tokens of visitors who have not signed in (`context::form_token`). Made
    /// afresh at start-up: a form shown before a restart must be loaded again.
    pub form_key: Arc<[u8; 32]>,
}

impl AppState {
    pub fn new(app: App, config: WebConfig) -> Self {
        AppState {
            // One year rule for the pages and the use cases: the council file's.
            app: app.with_year_rule(config.council.year_rule),
            council: Arc::new(config.council.clone()),
            config: Arc::new(config),
            metrics: Arc::new(metrics::Metrics::default()),
            ready: Arc::new(AtomicBool::new(false)),
            form_key: Arc::new(rand::random()),
        }
    }
}

/// The whole application: every route from the route table, with its access rule, behind the
/// session, CSRF-origin, size-limit, metrics and tracing layers.
pub fn router(state: AppState) -> Router {
    routes::build(state)
}
