//! The URL map, on one screen: every route with the access rule it is checked against before
//! its handler runs. A route cannot be added without a rule, and `tests/access.rs` walks this
//! table to check each rule is enforced for every role.

use crate::context::{enforce_rule, refuse_cross_site, require_password_change, resolve_actor};
use crate::errors::explain_oversized_requests;
use crate::{api, api_accounts, api_challenges, assets, metrics, pages, AppState};
use axum::extract::DefaultBodyLimit;
use axum::http::{header, HeaderValue, Method};
use axum::middleware::{from_fn, from_fn_with_state, map_response};
use axum::routing::{get, post, put, MethodRouter};
use axum::Router;
use tailor_domain::access::Permission::{self, *};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;

/// What a request must have before a route's handler runs. Finer checks (which person, which
/// part of their record) happen in the use case, through `tailor_domain::access`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AccessRule {
    /// Anyone, signed in or not.
    Public,
    /// Anyone signed in; the handler sends each role to its own place.
    SignedIn,
    /// Signed in with a role that has this permission.
    Permission(Permission),
}

pub struct RouteSpec {
    pub method: Method,
    /// The path with `{id}`-style parameters, as axum writes it.
    pub path: &'static str,
    pub rule: AccessRule,
    handler: MethodRouter<AppState>,
}

fn route(method: Method, path: &'static str, rule: AccessRule, handler: MethodRouter<AppState>) -> RouteSpec {
    RouteSpec {
        method,
        path,
        rule,
        handler,
    }
}

use AccessRule::{Public, SignedIn};
const fn may(permission: Permission) -> AccessRule {
    AccessRule::Permission(permission)
}

/// Largest form we read. A person's details, a long case note: well under this.
pub const FORM_LIMIT_BYTES: usize = 256 * 1024;
/// Uploads may be larger: a document plus the form around it.
pub const UPLOAD_LIMIT_BYTES: usize = tailor_domain::notes::MAX_DOCUMENT_BYTES + 64 * 1024;
/// How much of a document upload is read: past `MAX_DOCUMENT_BYTES` the file's bytes are read
/// and dropped (never kept), so that a file a little too large is answered on the same form,
/// with what was typed kept, rather than by cutting the upload off.
pub const UPLOAD_READ_LIMIT_BYTES: usize = 32 * 1024 * 1024;

#[rustfmt::skip] // One route a line, so the whole URL map reads on one screen.
pub fn table() -> Vec<RouteSpec> {
    use pages::{accounts, admin, auth, configuration, home, people, steps};
    let (g, p) = (Method::GET, Method::POST);
    vec![
        // Service
        route(g.clone(), "/healthz", Public, get(pages::healthz)),
        route(g.clone(), "/metrics", Public, get(pages::metrics)),
        route(g.clone(), "/assets/{*path}", Public, get(assets::govuk_asset)),
        route(g.clone(), "/static/{*path}", Public, get(assets::static_file)),
        // Signing in and landing pages
        route(g.clone(), "/", Public, get(home::root)),
        route(g.clone(), "/sign-in", Public, get(auth::sign_in_page)),
        route(p.clone(), "/sign-in", Public, post(auth::sign_in)),
        route(g.clone(), "/sign-in/code", Public, get(pages::two_factor::code_page)),
        route(p.clone(), "/sign-in/code", Public, post(pages::two_factor::sign_in_with_code)),
        route(p.clone(), "/sign-out", SignedIn, post(auth::sign_out)),
        route(g.clone(), "/home", SignedIn, get(home::staff_home)),
        route(g.clone(), "/my", may(ViewOwnHome), get(home::my_home)),
        route(g.clone(), "/provider", may(ViewProviderHome), get(home::provider_home)),
        // People
        route(g.clone(), "/people", may(SearchPeople), get(people::search)),
        route(g.clone(), "/people/new", may(CreatePerson), get(people::new_person)),
        route(p.clone(), "/people", may(CreatePerson), post(people::create_person)),
        route(g.clone(), "/people/{id}", may(ViewPersonRecord), get(people::show)),
        route(g.clone(), "/people/{id}/edit", may(EditPersonRecord), get(people::edit_person)),
        route(p.clone(), "/people/{id}/edit", may(EditPersonRecord), post(people::update_person)),
        route(g.clone(), "/people/{id}/allocation", may(AllocateWorker), get(people::allocation_page)),
        route(p.clone(), "/people/{id}/allocation", may(AllocateWorker), post(people::allocate)),
        route(g.clone(), "/people/{id}/notes/new", may(ViewPersonRecord), get(people::new_note)),
        route(p.clone(), "/people/{id}/notes", may(ViewPersonRecord), post(people::add_note)),
        route(g.clone(), "/people/{id}/relationships/new", may(ViewPersonRecord), get(people::new_relationship)),
        route(p.clone(), "/people/{id}/relationships", may(ViewPersonRecord), post(people::add_relationship)),
        route(g.clone(), "/people/{id}/warnings/new", may(ViewPersonRecord), get(people::new_warning)),
        route(p.clone(), "/people/{id}/warnings", may(ViewPersonRecord), post(people::add_warning)),
        route(g.clone(), "/people/{id}/documents/new", may(ViewPersonRecord), get(people::new_document)),
        route(p.clone(), "/people/{id}/documents", may(ViewPersonRecord), post(people::add_document).layer(DefaultBodyLimit::max(UPLOAD_READ_LIMIT_BYTES))),
        route(g.clone(), "/people/{id}/documents/{document_id}", may(ViewPersonRecord), get(people::open_document)),
        route(g.clone(), "/people/{id}/delegations/new", may(ViewPersonRecord), get(people::new_delegation)),
        route(p.clone(), "/people/{id}/delegations", may(ViewPersonRecord), post(people::grant_delegation)),
        route(g.clone(), "/people/{id}/money-holders/new", may(EditPersonRecord), get(people::new_money_holder)),
        route(p.clone(), "/people/{id}/money-holders", may(EditPersonRecord), post(people::add_money_holder)),
        // Steps 1 to 3: self-assessment, eligibility, budget, plan, agreement
        route(g.clone(), "/people/{id}/assessments/start", may(ViewPersonRecord), get(steps::start_page)),
        route(p.clone(), "/people/{id}/assessments", may(ViewPersonRecord), post(steps::start_assessment)),
        route(g.clone(), "/assessments/{id}", may(ViewPersonRecord), get(steps::assessment)),
        route(g.clone(), "/assessments/{id}/record.pdf", may(ViewPersonRecord), get(steps::assessment_pdf)),
        route(g.clone(), "/assessments/{id}/letter", may(ViewPersonRecord), get(pages::records::eligibility_letter_page)),
        route(g.clone(), "/assessments/{id}/letter.pdf", may(ViewPersonRecord), get(pages::records::eligibility_letter_pdf)),
        route(g.clone(), "/plans/{id}/print", may(ViewPersonRecord), get(pages::records::plan_record_page)),
        route(g.clone(), "/plans/{id}/record.pdf", may(ViewPersonRecord), get(pages::records::plan_record_pdf)),
        route(g.clone(), "/budgets/{id}/print", may(ViewPersonRecord), get(pages::records::budget_statement_page)),
        route(g.clone(), "/budgets/{id}/statement.pdf", may(ViewPersonRecord), get(pages::records::budget_statement_pdf)),
        route(g.clone(), "/assessments/{id}/questions/{question}", may(ViewPersonRecord), get(steps::question)),
        route(p.clone(), "/assessments/{id}/questions/{question}", may(ViewPersonRecord), post(steps::answer)),
        route(g.clone(), "/assessments/{id}/check", may(ViewPersonRecord), get(steps::check_answers)),
        route(g.clone(), "/assessments/{id}/about", may(ViewPersonRecord), get(steps::about_page)),
        route(p.clone(), "/assessments/{id}/about", may(ViewPersonRecord), post(steps::save_about)),
        route(g.clone(), "/assessments/{id}/continue", may(ViewPersonRecord), get(steps::carry_on)),
        route(g.clone(), "/assessments/{id}/sent", may(ViewPersonRecord), get(steps::sent)),
        route(p.clone(), "/assessments/{id}/submit", may(ViewPersonRecord), post(steps::submit)),
        route(g.clone(), "/assessments/{id}/review", may(EditPersonRecord), get(steps::review_page)),
        route(p.clone(), "/assessments/{id}/review", may(EditPersonRecord), post(steps::review)),
        route(g.clone(), "/assessments/{id}/eligibility", may(EditPersonRecord), get(steps::eligibility_page)),
        route(p.clone(), "/assessments/{id}/eligibility", may(EditPersonRecord), post(steps::decide_eligibility)),
        route(g.clone(), "/assessments/{id}/duties", may(EditPersonRecord), get(steps::duties_page)),
        route(p.clone(), "/assessments/{id}/duties", may(EditPersonRecord), post(steps::record_duties)),
        route(g.clone(), "/allocations/{id}", may(ViewPersonRecord), get(steps::allocation)),
        route(p.clone(), "/allocations/{id}/override", may(EditPersonRecord), post(steps::override_budget)),
        route(p.clone(), "/override-requests/{id}/decision", may(EditPersonRecord), post(steps::decide_override)),
        route(g.clone(), "/people/{id}/financial-assessment", may(ViewPersonRecord), get(steps::financial_page)),
        route(p.clone(), "/people/{id}/financial-assessment", may(ViewPersonRecord), post(steps::record_financial)),
        route(g.clone(), "/people/{id}/plan", may(ViewPersonRecord), get(steps::plan_page)),
        route(p.clone(), "/people/{id}/plan", may(ViewPersonRecord), post(steps::save_plan)),
        route(p.clone(), "/people/{id}/plan/submit", may(ViewPersonRecord), post(steps::submit_plan)),
        route(p.clone(), "/people/{id}/plan/cost", may(ViewPersonRecord), post(steps::plan_cost)),
        route(g.clone(), "/plans/{id}", may(ViewPersonRecord), get(steps::plan_view)),
        route(g.clone(), "/plans/{id}/sent", may(ViewPersonRecord), get(steps::plan_sent)),
        route(g.clone(), "/plans/{id}/decision", may(EditPersonRecord), get(steps::decision_page)),
        route(p.clone(), "/plans/{id}/decision", may(EditPersonRecord), post(steps::decide)),
        route(g.clone(), "/budgets/{id}", may(ViewPersonRecord), get(steps::budget)),
        route(p.clone(), "/budgets/{id}/challenges", may(ViewPersonRecord), post(steps::challenge_budget)),
        route(p.clone(), "/challenges/{id}/response", may(AnswerEscalations), post(steps::answer_challenge)),
        // Challenges to any decision, and eligibility decided again
        route(g.clone(), "/challenges", may(AnswerEscalations), get(steps::challenges_queue)),
        route(g.clone(), "/challenges/new", may(ViewPersonRecord), get(steps::new_challenge)),
        route(p.clone(), "/challenges", may(ViewPersonRecord), post(steps::raise_challenge)),
        route(g.clone(), "/challenges/on-behalf/new", may(EditPersonRecord), get(steps::new_challenge_on_behalf)),
        route(p.clone(), "/challenges/on-behalf", may(EditPersonRecord), post(steps::record_challenge_on_behalf)),
        route(g.clone(), "/challenges/{id}", may(ViewPersonRecord), get(steps::challenge)),
        route(g.clone(), "/challenges/{id}/raised", may(ViewPersonRecord), get(steps::challenge_raised)),
        route(p.clone(), "/challenges/{id}/owner", may(AnswerEscalations), post(steps::reassign_challenge)),
        route(g.clone(), "/eligibility/{id}/redetermine", may(EditPersonRecord), get(steps::redetermine_page)),
        // Administration
        route(g.clone(), "/admin/configuration", may(ManageConfiguration), get(configuration::configuration)),
        route(p.clone(), "/admin/configuration", may(ManageConfiguration), post(configuration::load_configuration)),
        route(g.clone(), "/admin/configuration/{kind}/{config_id}/{version}", may(ManageConfiguration), get(configuration::configuration_version)),
        route(g.clone(), "/admin/users", may(AdministerUsers), get(admin::users)),
        route(g.clone(), "/admin/users/new", may(AdministerUsers), get(admin::new_user)),
        route(p.clone(), "/admin/users", may(AdministerUsers), post(admin::create_user)),
        route(p.clone(), "/admin/users/{id}/active", may(AdministerUsers), post(admin::set_active)),
        route(g.clone(), "/admin/teams", may(AdministerUsers), get(admin::teams)),
        route(p.clone(), "/admin/teams", may(AdministerUsers), post(admin::create_team)),
        route(g.clone(), "/admin/organisations", may(ManageOrganisations), get(admin::organisations)),
        route(p.clone(), "/admin/organisations", may(ManageOrganisations), post(admin::create_organisation)),
        route(g.clone(), "/admin/audit", may(ViewAuditLog), get(pages::audit_log::audit_log)),
        route(g.clone(), "/admin/audit.csv", may(ViewAuditLog), get(pages::audit_log::audit_csv)),
        route(g.clone(), "/admin/jobs", may(AdministerUsers), get(admin::jobs)),
        route(g.clone(), "/admin/audit/people/{id}", may(ViewPersonAuditTrail), get(admin::person_audit)),
        // JSON API
        route(g.clone(), "/api/v1/openapi.json", Public, get(api::openapi_json)),
        route(p.clone(), "/api/v1/tokens", Public, post(api::create_token)),
        route(g.clone(), "/api/v1/me", SignedIn, get(api::me)),
        route(g.clone(), "/api/v1/caseload", may(ViewCaseload), get(api::caseload)),
        route(g.clone(), "/api/v1/people", may(SearchPeople), get(api::search_people)),
        route(p.clone(), "/api/v1/people", may(CreatePerson), post(api::create_person)),
        route(g.clone(), "/api/v1/people/{id}", may(ViewPersonRecord), get(api::get_person)),
        route(Method::PUT, "/api/v1/people/{id}", may(EditPersonRecord), put(api::update_person)),
        route(g.clone(), "/api/v1/people/{id}/notes", may(ViewPersonRecord), get(api::list_notes)),
        route(p.clone(), "/api/v1/people/{id}/notes", may(ViewPersonRecord), post(api::add_note)),
        route(p.clone(), "/api/v1/people/{id}/relationships", may(ViewPersonRecord), post(api::add_relationship)),
        route(g.clone(), "/api/v1/people/{id}/audit", may(ViewPersonAuditTrail), get(api::person_audit)),
        route(g.clone(), "/api/v1/people/{id}/planning", may(ViewPersonRecord), get(api::planning)),
        route(p.clone(), "/api/v1/people/{id}/assessments", may(ViewPersonRecord), post(api::start_assessment)),
        route(g.clone(), "/api/v1/assessments/{id}", may(ViewPersonRecord), get(api::get_assessment)),
        route(Method::PUT, "/api/v1/assessments/{id}/answers/{question}", may(ViewPersonRecord), put(api::answer)),
        route(p.clone(), "/api/v1/assessments/{id}/submit", may(ViewPersonRecord), post(api::submit_assessment)),
        route(g.clone(), "/api/v1/allocations/{id}", may(ViewPersonRecord), get(api::get_allocation)),
        route(g.clone(), "/api/v1/plans/{id}", may(ViewPersonRecord), get(api::get_plan)),
        route(p.clone(), "/api/v1/plans/{id}/decision", may(EditPersonRecord), post(api::decide_plan)),
        route(g.clone(), "/api/v1/budgets/{id}", may(ViewPersonRecord), get(api::get_budget)),
        route(g.clone(), "/api/v1/challenges", may(AnswerEscalations), get(api_challenges::list_challenges)),
        route(p.clone(), "/api/v1/challenges", may(ViewPersonRecord), post(api_challenges::raise_challenge)),
        route(g.clone(), "/api/v1/challenges/{id}", may(ViewPersonRecord), get(api_challenges::get_challenge)),
        route(p.clone(), "/api/v1/challenges/{id}/answer", may(AnswerEscalations), post(api_challenges::answer_challenge)),
        route(p.clone(), "/api/v1/challenges/{id}/owner", may(AnswerEscalations), post(api_challenges::reassign_challenge)),
        route(g.clone(), "/api/v1/users", may(AdministerUsers), get(api::list_users)),
        route(p, "/api/v1/users", may(AdministerUsers), post(api::create_user)),
        route(g, "/api/v1/teams", may(AdministerUsers), get(api::list_teams)),
        // Your account, reset links, helpers changed or stopped, account links (issues 8 and 9)
        route(Method::GET, "/account", SignedIn, get(accounts::account)),
        route(Method::GET, "/account/password", SignedIn, get(accounts::password_page)),
        route(Method::POST, "/account/password", SignedIn, post(accounts::change_password)),
        route(Method::POST, "/account/tokens/{id}/revoke", SignedIn, post(accounts::revoke_token)),
        route(Method::POST, "/account/sign-out-everywhere", SignedIn, post(accounts::sign_out_everywhere)),
        route(Method::GET, "/account/two-step", SignedIn, get(pages::two_factor::setup_page)),
        route(Method::POST, "/account/two-step", SignedIn, post(pages::two_factor::confirm_setup)),
        route(Method::POST, "/account/two-step/recovery-codes", SignedIn, post(pages::two_factor::new_recovery_codes)),
        route(Method::POST, "/account/two-step/turn-off", SignedIn, post(pages::two_factor::turn_off)),
        route(Method::POST, "/admin/users/{id}/two-step-reset", may(AdministerUsers), post(pages::two_factor::admin_reset)),
        route(Method::POST, "/admin/users/{id}/password-reset", may(AdministerUsers), post(accounts::issue_reset_link)),
        route(Method::GET, "/reset-password/{id}", Public, get(accounts::reset_password_page)),
        route(Method::POST, "/reset-password/{id}", Public, post(accounts::reset_password)),
        route(Method::GET, "/people/{id}/delegations/{delegation_id}", may(ViewPersonRecord), get(accounts::manage_delegation)),
        route(Method::POST, "/people/{id}/delegations/{delegation_id}", may(ViewPersonRecord), post(accounts::change_delegation)),
        route(Method::POST, "/people/{id}/delegations/{delegation_id}/withdraw", may(ViewPersonRecord), post(accounts::withdraw_delegation)),
        route(Method::GET, "/admin/account-links", may(ConfirmAccountLinks), get(accounts::account_links)),
        route(Method::POST, "/admin/account-links/{id}", may(ConfirmAccountLinks), post(accounts::decide_account_link)),
        route(Method::GET, "/api/v1/tokens", SignedIn, get(api_accounts::list_tokens)),
        route(Method::DELETE, "/api/v1/tokens/{id}", SignedIn, axum::routing::delete(api_accounts::revoke_token)),
    ]
}

/// A strict content security policy: everything from this service, nothing inline, no framing.
const CONTENT_SECURITY_POLICY: &str =
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'";

pub fn build(state: AppState) -> Router {
    let strict_transport_security = state
        .config
        .strict_transport_security
        .then(|| HeaderValue::from_static("max-age=31536000; includeSubDomains"));
    let mut router = Router::new();
    for spec in table() {
        let checked = spec
            .handler
            .route_layer(from_fn_with_state((state.clone(), spec.rule), enforce_rule))
            .route_layer(map_response(metrics::label_route(spec.path)));
        router = router.route(spec.path, checked);
    }
    router
        .fallback(pages::not_found)
        .layer(DefaultBodyLimit::max(FORM_LIMIT_BYTES))
        .layer(from_fn(require_password_change))
        .layer(from_fn_with_state(state.clone(), resolve_actor))
        .layer(from_fn_with_state(state.clone(), refuse_cross_site))
        .layer(from_fn(explain_oversized_requests))
        // On every response: no sniffing, no framing, no referrer to other sites, the content
        // security policy, and no caching of personal pages (assets say their own caching).
        .layer(SetResponseHeaderLayer::overriding(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::X_FRAME_OPTIONS,
            HeaderValue::from_static("DENY"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::REFERRER_POLICY,
            HeaderValue::from_static("same-origin"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(CONTENT_SECURITY_POLICY),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-store"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::STRICT_TRANSPORT_SECURITY,
            strict_transport_security,
        ))
        .layer(from_fn_with_state(state.clone(), metrics::measure))
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}
