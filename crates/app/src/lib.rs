//! Tailor's use cases: one function per thing a user does.
//!
//! Each takes the signed-in `Actor` (or, for sign-in, what was typed), checks access through
//! `tailor_domain::access`, decides with the domain rules, and writes the change and its audit
//! event in one store call. No HTML, no SQL.

pub mod accounts;
pub mod admin;
pub mod audit_log;
pub mod auth;
pub mod clock;
pub mod demo;
mod demo_accounts;
pub mod jobs;
pub mod lookups;
pub mod people;
pub mod steps;
pub mod two_factor;

use clock::Clock;
use std::sync::Arc;
use tailor_domain::access::{Actor, Permission};
use tailor_domain::audit::{AuditAction, AuditKey, NewAuditEvent};
use tailor_domain::validation::ValidationErrors;
use tailor_store::{Store, StoreError};
use thiserror::Error;

#[derive(Debug, Error)]
pub enum AppError {
    /// What was typed is wrong; each message says how to put it right.
    #[error("{0}")]
    Invalid(ValidationErrors),
    #[error("sign in to continue")]
    Unauthenticated,
    #[error("you do not have access to this")]
    Forbidden,
    #[error("not found")]
    NotFound,
    #[error("too many failed sign-in attempts; wait a while and try again")]
    Throttled {
        /// How long until the next attempt is counted: the throttle's remaining delay, in whole
        /// seconds rounded up, at least 1 (what `Retry-After` says).
        retry_after_seconds: u64,
    },
    /// The email and password do not match an active account (which of them is wrong is not said).
    #[error("enter a correct email address and password")]
    WrongCredentials,
    /// The account's password was set by an administrator and must be changed first.
    #[error("change your password before doing anything else")]
    PasswordChangeDue,
    /// The council requires two-step sign-in for the account's role and it is not set up yet.
    #[error("set up two-step sign-in before doing anything else")]
    TwoFactorSetupDue,
    #[error(transparent)]
    Store(StoreError),
    /// Something on our side failed that is not the database: hashing a password, a background
    /// task, making a document. `what` says which, `cause` why; both are logged, never shown.
    #[error("{what} failed: {cause}")]
    Internal { what: &'static str, cause: String },
}

impl AppError {
    pub fn internal(what: &'static str, cause: impl std::fmt::Display) -> Self {
        AppError::Internal {
            what,
            cause: cause.to_string(),
        }
    }

    /// For logs: which part failed, in a word that can be searched for.
    pub fn failed_part(&self) -> &'static str {
        match self {
            AppError::Store(StoreError::Unavailable(_)) => "database unavailable",
            AppError::Store(_) => "database",
            AppError::Internal { what, .. } => what,
            _ => "request",
        }
    }
}

impl From<StoreError> for AppError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::NotFound => AppError::NotFound,
            other => AppError::Store(other),
        }
    }
}

impl From<ValidationErrors> for AppError {
    fn from(errors: ValidationErrors) -> Self {
        AppError::Invalid(errors)
    }
}

pub type AppResult<T> = Result<T, AppError>;

/// How long sessions last; councils set these from their own security policy.
#[derive(Clone, Debug)]
pub struct SessionPolicy {
    pub idle_timeout: chrono::Duration,
    pub absolute_timeout: chrono::Duration,
    /// Sign-in attempts for one email from one client within `throttle_window` before each
    /// further attempt must wait, 1 second, then 2, 4 ... up to `longest_sign_in_delay`.
    pub max_failed_sign_ins: i64,
    pub throttle_window: chrono::Duration,
    pub longest_sign_in_delay: chrono::Duration,
    pub api_token_lifetime: chrono::Duration,
    /// How long a password reset link an administrator issues keeps working.
    pub password_reset_lifetime: chrono::Duration,
    /// Whether staff must use two-step sign-in. Optional here, so that tests and tools that
    /// build an `App` choose; `tailor serve` requires it unless the setting says otherwise.
    pub two_factor_for_staff: tailor_domain::two_factor::StaffTwoFactor,
}

impl Default for SessionPolicy {
    fn default() -> Self {
        SessionPolicy {
            idle_timeout: chrono::Duration::minutes(30),
            absolute_timeout: chrono::Duration::hours(12),
            max_failed_sign_ins: 5,
            throttle_window: chrono::Duration::minutes(15),
            longest_sign_in_delay: chrono::Duration::minutes(15),
            api_token_lifetime: chrono::Duration::days(30),
            password_reset_lifetime: chrono::Duration::hours(24),
            two_factor_for_staff: tailor_domain::two_factor::StaffTwoFactor::Optional,
        }
    }
}

/// Everything a use case needs, shared by every request.
#[derive(Clone)]
pub struct App {
    /// Private, so that every read and write goes through a use case that checks access and
    /// leaves an audit event.
    store: Arc<dyn Store>,
    pub clock: Arc<dyn Clock>,
    pub sessions: SessionPolicy,
    /// Checks the audit chain and signs checkpoints; the store seals events with the same key.
    audit_key: Option<Arc<AuditKey>>,
    /// Keys replaced by a recorded change of key: they check the events sealed before it.
    previous_audit_keys: Vec<Arc<AuditKey>>,
    /// How many weeks make a year for this council [L] (its council file's `year_rule`): drafts
    /// and new records are worked out under it; agreed ones keep the rule they record.
    pub year_rule: tailor_domain::money::YearRule,
}

impl App {
    pub fn new(store: Arc<dyn Store>, clock: Arc<dyn Clock>, sessions: SessionPolicy) -> Self {
        App {
            store,
            clock,
            sessions,
            audit_key: None,
            previous_audit_keys: Vec::new(),
            year_rule: tailor_domain::money::YearRule::default(),
        }
    }

    /// The same app, converting weekly and yearly amounts by the council's `rule`.
    pub fn with_year_rule(mut self, rule: tailor_domain::money::YearRule) -> Self {
        self.year_rule = rule;
        self
    }

    /// The same app, also checking events sealed before a change of key with these earlier keys.
    pub fn with_previous_audit_keys(mut self, keys: Vec<Arc<AuditKey>>) -> Self {
        self.previous_audit_keys = keys;
        self
    }

    /// The same app, checking the audit chain with `key` (give the store the same key).
    pub fn with_audit_key(mut self, key: Arc<AuditKey>) -> Self {
        self.audit_key = Some(key);
        self
    }

    /// An audit event stamped now, by this actor.
    pub fn event(&self, actor: &Actor, action: AuditAction) -> NewAuditEvent {
        NewAuditEvent::new(self.clock.now(), Some(actor.user_id), actor.display_name.clone(), action)
    }

    /// Checks a role-level permission; a refusal is itself audited.
    pub async fn require(&self, actor: &Actor, permission: Permission, what: &str) -> AppResult<()> {
        if actor.role.allows(permission) {
            return Ok(());
        }
        self.record_refusal(actor, what, None).await;
        Err(AppError::Forbidden)
    }

    /// Records that something was refused. A failure to record is logged, not shown: the refusal
    /// itself must still happen.
    pub async fn record_refusal(&self, actor: &Actor, what: &str, person: Option<tailor_domain::PersonId>) {
        let mut event = self
            .event(actor, AuditAction::AccessRefused)
            .details(serde_json::json!({ "what": what, "role": actor.role.as_str() }));
        if let Some(person_id) = person {
            event = event.person(person_id).subject("person", person_id);
        }
        self.append_refusal(&event).await;
    }

    /// Records a refusal before anyone is known: a form posted from another site, an unknown or
    /// expired API token. `who` says what is known of the caller, `what` what they tried.
    pub async fn record_anonymous_refusal(&self, who: &str, what: &str, path: &str) {
        let event = NewAuditEvent::new(self.clock.now(), None, who, AuditAction::AccessRefused)
            .details(serde_json::json!({ "what": what, "path": path }));
        self.append_refusal(&event).await;
    }

    /// Records a form whose CSRF token did not match the session's, signed in or not.
    pub async fn record_csrf_rejection(&self, actor: Option<&Actor>, path: &str) {
        let event = match actor {
            Some(actor) => self.event(actor, AuditAction::CsrfRejected),
            None => NewAuditEvent::new(self.clock.now(), None, "not signed in", AuditAction::CsrfRejected),
        }
        .details(serde_json::json!({ "path": path }));
        self.append_refusal(&event).await;
    }

    async fn append_refusal(&self, event: &NewAuditEvent) {
        if let Err(error) = self.store.append_audit(event).await {
            tracing::error!(%error, action = event.action.as_str(), "could not record a refusal");
        }
    }
}
