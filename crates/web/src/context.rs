//! Who is asking: the session or bearer token on each request, resolved once, and the checks
//! that every route applies before its handler runs (access rule, CSRF).

use crate::errors::{ApiError, PageError};
use crate::routes::AccessRule;
use crate::AppState;
use axum::extract::{FromRequest, FromRequestParts, Request, State};
use axum::http::header::{AUTHORIZATION, SET_COOKIE};
use axum::http::request::Parts;
use axum::http::{HeaderValue, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use serde::de::DeserializeOwned;
use serde::Deserialize;
use subtle::ConstantTimeEq;
use tailor_app::auth::Session;
use tailor_domain::access::Actor;

pub const SESSION_COOKIE: &str = "tailor_session";

/// Put in the request's extensions by `resolve_actor`; every handler can read it.
#[derive(Clone, Debug, Default)]
pub struct RequestContext {
    pub session: Option<Session>,
    /// The signed-in actor, from the session cookie (pages) or a bearer token (API).
    pub actor: Option<Actor>,
    pub is_api: bool,
    /// The request's path, for the audit event of a refusal.
    pub path: String,
    /// A session started during this request, whose cookie the response must set.
    pub new_cookie: Option<String>,
    /// Where the request came from, for the sign-in throttle: the peer's IP address, or the
    /// proxy's `X-Forwarded-For` where `trust_forwarded_for` is set; "unknown" if neither.
    pub client_address: String,
    /// For a visitor who has not signed in: the CSRF token their form cookie vouches for
    /// (`form_token`). No session row exists until someone signs in.
    pub form_token: Option<String>,
}

impl RequestContext {
    pub fn csrf_token(&self) -> String {
        self.session
            .as_ref()
            .map(|session| session.record.csrf_token.clone())
            .or_else(|| self.form_token.clone())
            .unwrap_or_default()
    }
}

/// A visitor who has not signed in holds a cookie `form.<random>` in the session cookie's place;
/// the CSRF token on their forms is the HMAC of that random value under the process's form key.
/// A signed double-submit token: another site can neither read the cookie nor compute the token
/// for a cookie it plants, and the server stores nothing for anonymous visitors.
pub const FORM_COOKIE_PREFIX: &str = "form.";

pub fn form_token(state: &AppState, nonce: &str) -> String {
    use hmac::Mac;
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(&state.form_key[..]).expect("HMAC takes a key of any length");
    mac.update(b"tailor anonymous form token\0");
    mac.update(nonce.as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

/// The session cookie's name: with the `__Host-` prefix when cookies are secure and the
/// setting asks for it.
pub fn session_cookie_name(config: &crate::WebConfig) -> &'static str {
    if config.secure_cookies && config.cookie_host_prefix {
        "__Host-tailor_session"
    } else {
        SESSION_COOKIE
    }
}

impl<S: Send + Sync> FromRequestParts<S> for RequestContext {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Ok(parts.extensions.get::<RequestContext>().cloned().unwrap_or_default())
    }
}

/// The signed-in actor; routes whose rule is not `Public` always have one.
pub struct CurrentActor(pub Actor);

impl<S: Send + Sync> FromRequestParts<S> for CurrentActor {
    type Rejection = Response;
    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let context = parts.extensions.get::<RequestContext>().cloned().unwrap_or_default();
        match context.actor {
            Some(actor) => Ok(CurrentActor(actor)),
            None if context.is_api => Err(ApiError::from(tailor_app::AppError::Unauthenticated).into_response()),
            None => Err(PageError::from(tailor_app::AppError::Unauthenticated).into_response()),
        }
    }
}

pub fn cookie_value(headers: &axum::http::HeaderMap, name: &str) -> Option<String> {
    CookieJar::from_headers(headers).get(name).map(|cookie| cookie.value().to_owned())
}

/// The session cookie: HttpOnly (no script can read it), SameSite=Lax (not sent on cross-site
/// form posts), Secure where configured, and no Max-Age, so it ends when the browser closes
/// even if the server-side session has not yet timed out.
pub fn session_cookie(value: &str, config: &crate::WebConfig) -> HeaderValue {
    let cookie = Cookie::build((session_cookie_name(config), value.to_owned()))
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(config.secure_cookies);
    HeaderValue::from_str(&cookie.to_string()).expect("a hex session id makes a valid header value")
}

pub fn expired_session_cookie(config: &crate::WebConfig) -> HeaderValue {
    let mut cookie = Cookie::build((session_cookie_name(config), ""))
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(config.secure_cookies)
        .build();
    cookie.make_removal();
    HeaderValue::from_str(&cookie.to_string()).expect("an empty cookie makes a valid header value")
}

/// The client's address. Behind a reverse proxy every request comes from the proxy, so there the
/// last `X-Forwarded-For` entry (the one the council's own proxy added, which a client cannot
/// forge) is used instead; the setting must only be on behind such a proxy.
fn client_address(request: &Request, trust_forwarded_for: bool) -> String {
    if trust_forwarded_for {
        let forwarded = request
            .headers()
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|value| value.to_str().ok())
            .flat_map(|value| value.split(','))
            .map(str::trim)
            .rfind(|address| !address.is_empty());
        if let Some(address) = forwarded {
            return address.chars().take(64).collect();
        }
    }
    request
        .extensions()
        .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
        .map(|connected| connected.0.ip().to_string())
        .unwrap_or_else(|| "unknown".to_owned())
}

/// Resolves the session cookie or bearer token once per request.
pub async fn resolve_actor(State(state): State<AppState>, mut request: Request, next: Next) -> Response {
    let is_api = request.uri().path().starts_with("/api/");
    let mut context = RequestContext {
        is_api,
        path: request.uri().path().to_owned(),
        client_address: client_address(&request, state.config.trust_forwarded_for),
        ..Default::default()
    };
    if is_api {
        let bearer = request
            .headers()
            .get(AUTHORIZATION)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.strip_prefix("Bearer "))
            .map(str::to_owned);
        if let Some(token) = bearer {
            match state.app.resolve_api_token(token.trim()).await {
                Ok(actor) => context.actor = Some(actor),
                Err(tailor_app::AppError::Unauthenticated | tailor_app::AppError::NotFound) => {
                    state
                        .app
                        .record_anonymous_refusal("API client", "use an unknown, expired or withdrawn API token", &context.path)
                        .await;
                    return ApiError::from(tailor_app::AppError::Unauthenticated).into_response();
                }
                Err(error) => return ApiError::from(error).into_response(),
            }
        }
    } else if let Some(value) = cookie_value(request.headers(), session_cookie_name(&state.config)) {
        if let Some(nonce) = value.strip_prefix(FORM_COOKIE_PREFIX) {
            if nonce.len() == 64 && nonce.bytes().all(|byte| byte.is_ascii_hexdigit()) {
                context.form_token = Some(form_token(&state, nonce));
            }
            request.extensions_mut().insert(context);
            return next.run(request).await;
        }
        match state.app.resolve_session(&value).await {
            Ok(Some(session)) => {
                context.actor = session.actor.clone();
                context.session = Some(session);
            }
            Ok(None) => {}
            Err(error) => return PageError::from(error).into_response(),
        }
    }
    request.extensions_mut().insert(context);
    next.run(request).await
}

/// Enforces a route's access rule before its handler runs; refusals are audited.
pub async fn enforce_rule(State((state, rule)): State<(AppState, AccessRule)>, request: Request, next: Next) -> Response {
    let context = request.extensions().get::<RequestContext>().cloned().unwrap_or_default();
    let refuse = |error: tailor_app::AppError| {
        if context.is_api {
            ApiError::from(error).into_response()
        } else {
            PageError::from(error).into_response()
        }
    };
    match rule {
        AccessRule::Public => {}
        AccessRule::SignedIn => {
            if context.actor.is_none() {
                return refuse(tailor_app::AppError::Unauthenticated);
            }
        }
        AccessRule::Permission(permission) => match &context.actor {
            None => return refuse(tailor_app::AppError::Unauthenticated),
            Some(actor) => {
                if state.app.require(actor, permission, request.uri().path()).await.is_err() {
                    return refuse(tailor_app::AppError::Forbidden);
                }
            }
        },
    }
    next.run(request).await
}

/// Sets the cookie of a session that a handler started during this request.
pub fn with_new_session_cookie(mut response: Response, cookie: Option<&str>, config: &crate::WebConfig) -> Response {
    if let Some(value) = cookie {
        response.headers_mut().append(SET_COOKIE, session_cookie(value, config));
    }
    response
}

#[derive(Deserialize)]
struct CsrfField {
    #[serde(default)]
    csrf_token: String,
}

/// A form body that has passed the CSRF check: it carries the session's token. Every page
/// handler that accepts a POST takes one of these (or checks multipart itself with `check_csrf`).
pub struct CsrfForm<T>(pub T);

impl<T: DeserializeOwned> FromRequest<AppState> for CsrfForm<T> {
    type Rejection = Response;

    async fn from_request(request: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let context = request.extensions().get::<RequestContext>().cloned().unwrap_or_default();
        let bytes = axum::body::Bytes::from_request(request, state)
            .await
            .map_err(IntoResponse::into_response)?;
        let field: CsrfField = serde_html_form::from_bytes(&bytes).unwrap_or(CsrfField { csrf_token: String::new() });
        check_csrf(state, &context, &field.csrf_token).await?;
        serde_html_form::from_bytes(&bytes)
            .map(CsrfForm)
            .map_err(|_| PageError::BadRequest("The form could not be read. Go back and try again.".into()).into_response())
    }
}

/// A CSRF-checked form with its sense-check box read beside it: whether the person typing ticked
/// "I have checked: the amounts are right" (`tailor_domain::sense_checks::CONFIRM_FIELD`).
pub struct CheckedForm<T>(pub T, pub tailor_domain::sense_checks::AmountsConfirmed);

#[derive(Deserialize)]
struct ConfirmField {
    #[serde(default)]
    confirm_amounts: String,
}

impl<T: DeserializeOwned> FromRequest<AppState> for CheckedForm<T> {
    type Rejection = Response;

    async fn from_request(request: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let context = request.extensions().get::<RequestContext>().cloned().unwrap_or_default();
        let bytes = axum::body::Bytes::from_request(request, state)
            .await
            .map_err(IntoResponse::into_response)?;
        let field: CsrfField = serde_html_form::from_bytes(&bytes).unwrap_or(CsrfField { csrf_token: String::new() });
        check_csrf(state, &context, &field.csrf_token).await?;
        let confirmed = serde_html_form::from_bytes::<ConfirmField>(&bytes)
            .map(|field| tailor_domain::sense_checks::AmountsConfirmed::from_form(&field.confirm_amounts))
            .unwrap_or_default();
        serde_html_form::from_bytes(&bytes)
            .map(|form| CheckedForm(form, confirmed))
            .map_err(|_| PageError::BadRequest("The form could not be read. Go back and try again.".into()).into_response())
    }
}

/// Compares the submitted token with the session's in constant time, so timing reveals nothing
/// of the token; a mismatch is audited.
pub async fn check_csrf(state: &AppState, context: &RequestContext, submitted: &str) -> Result<(), Response> {
    let expected = context.csrf_token();
    let matches = !expected.is_empty() && bool::from(expected.as_bytes().ct_eq(submitted.as_bytes()));
    if matches {
        return Ok(());
    }
    state.app.record_csrf_rejection(context.actor.as_ref(), &context.path).await;
    Err(PageError::CsrfRejected.into_response())
}

/// Refuses unsafe requests that a browser says came from another site, before any handler runs.
/// The CSRF token is the main defence; this catches forms posted from elsewhere even if a token leaked.
/// The refusal is audited; who sent it is not known, as the browser sends no session cookie
/// (SameSite=Lax) with a form posted from another site.
pub async fn refuse_cross_site(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let unsafe_method = !matches!(*request.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    let cross_site = request.headers().get("sec-fetch-site").and_then(|value| value.to_str().ok()) == Some("cross-site");
    if unsafe_method && cross_site && !request.uri().path().starts_with("/api/") {
        state
            .app
            .record_anonymous_refusal("browser on another site", "post a form from another site", request.uri().path())
            .await;
        return PageError::CsrfRejected.into_response();
    }
    next.run(request).await
}

/// Paths a session whose password must be changed may still reach: the change itself, signing
/// out, and what the page needs to show.
const ALLOWED_BEFORE_PASSWORD_CHANGE: &[&str] = &["/account/password", "/sign-out", "/assets/", "/static/", "/healthz"];

/// Paths an account that must set up two-step sign-in may still reach.
const ALLOWED_BEFORE_TWO_FACTOR_SETUP: &[&str] = &["/account/two-step", "/sign-out", "/assets/", "/static/", "/healthz"];

fn allowed(path: &str, list: &[&str]) -> bool {
    list.iter()
        .any(|allowed| path == *allowed || (allowed.ends_with('/') && path.starts_with(allowed)))
}

/// A first password (chosen by an administrator) must be changed before anything else, and then
/// two-step sign-in set up where the council requires it: every other page sends the session to
/// the change form or the setup page.
pub async fn require_password_change(request: Request, next: Next) -> Response {
    let session = request
        .extensions()
        .get::<RequestContext>()
        .and_then(|context| context.session.as_ref())
        .filter(|session| session.actor.is_some());
    let password_due = session.is_some_and(|session| session.must_change_password);
    let two_factor_due = session.is_some_and(|session| session.must_set_up_two_factor);
    let path = request.uri().path();
    if password_due && !allowed(path, ALLOWED_BEFORE_PASSWORD_CHANGE) {
        return axum::response::Redirect::to("/account/password").into_response();
    }
    if !password_due && two_factor_due && !allowed(path, ALLOWED_BEFORE_TWO_FACTOR_SETUP) {
        return axum::response::Redirect::to("/account/two-step").into_response();
    }
    next.run(request).await
}
