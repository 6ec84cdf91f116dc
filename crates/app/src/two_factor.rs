//! Two-step sign-in: setting it up from Your account, the second step of signing in, recovery
//! codes, turning it off, and an administrator's reset.
//!
//! Secrets come from the operating system's random number generator and are kept only in the
//! database; audit events name the account, never a secret or a code.

use crate::auth::{actor_for, random_secret, Session};
use crate::{App, AppError, AppResult};
use rand::RngCore;
use tailor_domain::access::{two_factor_required, Actor, Permission};
use tailor_domain::audit::{AuditAction, NewAuditEvent};
use tailor_domain::two_factor::{self as rules, RECOVERY_CODES, RECOVERY_CODE_BYTES, SECRET_BYTES};
use tailor_domain::users::User;
use tailor_domain::validation::ValidationErrors;
use tailor_domain::UserId;
use tailor_store::{NewRecoveryCode, StoreError};

/// How long a session that has had the right password waits for the code.
pub const CODE_WAIT_MINUTES: i64 = 5;

/// What Your account shows of two-step sign-in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TwoFactorStatus {
    pub enrolled: bool,
    /// The council's setting requires it for this account's role: it cannot be turned off.
    pub required: bool,
    pub recovery_codes_left: usize,
}

/// A secret being set up, for the setup page to show (in groups, and as a QR code).
#[derive(Clone)]
pub struct TwoFactorSetup {
    pub secret: Vec<u8>,
    pub account: String,
}

impl std::fmt::Debug for TwoFactorSetup {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.write_str("TwoFactorSetup(hidden)")
    }
}

/// Which second step signed someone in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SecondStep {
    Code,
    RecoveryCode,
}

fn new_secret() -> Vec<u8> {
    let mut secret = vec![0u8; SECRET_BYTES];
    rand::rngs::OsRng.fill_bytes(&mut secret);
    secret
}

/// Ten new recovery codes: the codes to show once, and what is stored of them.
pub(crate) fn new_recovery_codes() -> (Vec<String>, Vec<NewRecoveryCode>) {
    (0..RECOVERY_CODES)
        .map(|_| {
            let mut random = [0u8; RECOVERY_CODE_BYTES];
            rand::rngs::OsRng.fill_bytes(&mut random);
            let code = rules::recovery_code_text(&random);
            let normalised = rules::normalise_recovery_code(&code).expect("a made code reads back");
            let salt = random_secret();
            let stored = NewRecoveryCode {
                id: uuid::Uuid::now_v7(),
                code_hash: rules::recovery_code_hash(&salt, &normalised),
                salt,
            };
            (code, stored)
        })
        .unzip()
}

fn invalid(field: &str, message: &str) -> AppError {
    let mut errors = ValidationErrors::default();
    errors.add(field, message);
    AppError::Invalid(errors)
}

impl App {
    /// Whether this account must have two-step sign-in and has not set it up: until it does,
    /// it may do nothing else.
    pub(crate) async fn must_set_up_two_factor(&self, actor: &Actor) -> AppResult<bool> {
        if !two_factor_required(actor.role, self.sessions.two_factor_for_staff) {
            return Ok(false);
        }
        let record = self.store.two_factor(actor.user_id).await?;
        Ok(record.is_none_or(|record| record.confirmed_at.is_none()))
    }

    pub(crate) async fn two_factor_enrolled(&self, user_id: UserId) -> AppResult<bool> {
        Ok(self
            .store
            .two_factor(user_id)
            .await?
            .is_some_and(|record| record.confirmed_at.is_some()))
    }

    #[tracing::instrument(skip_all)]
    pub async fn two_factor_status(&self, actor: &Actor) -> AppResult<TwoFactorStatus> {
        let enrolled = self.two_factor_enrolled(actor.user_id).await?;
        let recovery_codes_left = if enrolled {
            self.store.unused_recovery_codes(actor.user_id).await?.len()
        } else {
            0
        };
        Ok(TwoFactorStatus {
            enrolled,
            required: two_factor_required(actor.role, self.sessions.two_factor_for_staff),
            recovery_codes_left,
        })
    }

    /// Starts (or carries on) setting up two-step sign-in: the secret to put in an app. A setup
    /// already under way keeps its secret, so reloading the page does not change the QR code.
    #[tracing::instrument(skip_all)]
    pub async fn begin_two_factor_setup(&self, actor: &Actor) -> AppResult<TwoFactorSetup> {
        let user = self.store.get_user(actor.user_id).await?;
        let started = self.store.start_two_factor(actor.user_id, &new_secret(), self.clock.now()).await?;
        if !started && self.two_factor_enrolled(actor.user_id).await? {
            return Err(invalid("code", "Two-step sign-in is already set up for your account"));
        }
        let record = self.store.two_factor(actor.user_id).await?.ok_or(AppError::NotFound)?;
        Ok(TwoFactorSetup {
            secret: record.secret,
            account: user.email,
        })
    }

    /// Switches two-step sign-in on once a code from the new secret is typed; returns the ten
    /// recovery codes, to be shown this once.
    #[tracing::instrument(skip_all)]
    pub async fn confirm_two_factor_setup(&self, actor: &Actor, typed: &str) -> AppResult<Vec<String>> {
        let record = self.store.two_factor(actor.user_id).await?;
        let Some(record) = record.filter(|record| record.confirmed_at.is_none()) else {
            return Err(invalid("code", "Start setting up two-step sign-in again"));
        };
        let now = self.clock.now();
        if rules::normalise_code(typed).is_none() {
            return Err(invalid("code", "Enter the 6-digit code your app shows, like 123456"));
        }
        let Some(step) = rules::matching_step(&record.secret, typed, now.timestamp(), record.last_used_step) else {
            return Err(invalid(
                "code",
                "That code is not right. Check your phone's clock is right and enter the code your app shows now",
            ));
        };
        let (codes, stored) = new_recovery_codes();
        let event = self.event(actor, AuditAction::TwoFactorEnrolled).subject("user", actor.user_id);
        match self.store.confirm_two_factor(actor.user_id, step, now, &stored, &event).await {
            Ok(()) => Ok(codes),
            Err(StoreError::StateChanged(_)) => Err(invalid("code", "Start setting up two-step sign-in again")),
            Err(error) => Err(error.into()),
        }
    }

    /// New recovery codes; the old ones stop working. Shown this once. The current password is
    /// asked for again, so a session left open on a shared computer cannot be used to take the
    /// account's way back in.
    #[tracing::instrument(skip_all)]
    pub async fn regenerate_recovery_codes(&self, actor: &Actor, password: &str) -> AppResult<Vec<String>> {
        if password.is_empty() {
            return Err(invalid("codes_password", "Enter your current password"));
        }
        let state = self.store.password_state(actor.user_id).await?;
        if !crate::auth::password_matches(password.to_owned(), state.hash).await {
            self.store
                .append_audit(&self.event(actor, AuditAction::PasswordChangeRefused).subject("user", actor.user_id))
                .await?;
            return Err(invalid("codes_password", "Your current password is not right"));
        }
        let (codes, stored) = new_recovery_codes();
        let event = self
            .event(actor, AuditAction::RecoveryCodesRegenerated)
            .subject("user", actor.user_id);
        match self
            .store
            .replace_recovery_codes(actor.user_id, &stored, self.clock.now(), &event)
            .await
        {
            Ok(()) => Ok(codes),
            Err(StoreError::StateChanged(_)) => Err(invalid("codes_password", "Set up two-step sign-in first")),
            Err(error) => Err(error.into()),
        }
    }

    /// Turns two-step sign-in off: needs the current password and a code (or a recovery code),
    /// and is refused where the council requires it for the account's role. Other sessions end.
    #[tracing::instrument(skip_all)]
    pub async fn turn_off_two_factor(&self, actor: &Actor, session: &Session, password: &str, typed: &str) -> AppResult<()> {
        if two_factor_required(actor.role, self.sessions.two_factor_for_staff) {
            self.record_refusal(actor, "turn off two-step sign-in that the council requires", None)
                .await;
            return Err(invalid(
                "code",
                "Your council requires two-step sign-in for your role, so it cannot be turned off",
            ));
        }
        let mut errors = ValidationErrors::default();
        if password.is_empty() {
            errors.add("password", "Enter your current password");
        }
        if typed.trim().is_empty() {
            errors.add("code", "Enter the code your app shows, or a recovery code");
        }
        if !errors.is_empty() {
            return Err(AppError::Invalid(errors));
        }
        let state = self.store.password_state(actor.user_id).await?;
        if !crate::auth::password_matches(password.to_owned(), state.hash).await {
            self.store
                .append_audit(&self.event(actor, AuditAction::PasswordChangeRefused).subject("user", actor.user_id))
                .await?;
            return Err(invalid("password", "Your current password is not right"));
        }
        let user = self.store.get_user(actor.user_id).await?;
        if self.check_second_step(&user, typed).await?.is_none() {
            return Err(invalid("code", "That code is not right"));
        }
        let event = self.event(actor, AuditAction::TwoFactorRemoved).subject("user", actor.user_id);
        match self
            .store
            .remove_two_factor(actor.user_id, Some(&session.record.id_hash), &event)
            .await
        {
            Ok(()) => Ok(()),
            Err(StoreError::StateChanged(_)) => Err(invalid("code", "Two-step sign-in is not set up for your account")),
            Err(error) => Err(error.into()),
        }
    }

    /// An administrator removes an account's two-step sign-in (a lost phone): its sessions end,
    /// and it sets it up again at its next sign-in where the council requires it.
    #[tracing::instrument(skip_all)]
    pub async fn reset_two_factor(&self, actor: &Actor, user_id: UserId) -> AppResult<()> {
        self.require(actor, Permission::AdministerUsers, "reset two-step sign-in").await?;
        self.store.get_user(user_id).await?;
        let event = self.event(actor, AuditAction::TwoFactorReset).subject("user", user_id);
        match self.store.remove_two_factor(user_id, None, &event).await {
            Ok(()) => Ok(()),
            Err(StoreError::StateChanged(_)) => Err(invalid("user", "This account has not set up two-step sign-in")),
            Err(error) => Err(error.into()),
        }
    }

    /// Whether an account has two-step sign-in switched on (for the administrator's accounts page).
    #[tracing::instrument(skip_all)]
    pub async fn account_has_two_factor(&self, actor: &Actor, user_id: UserId) -> AppResult<bool> {
        self.require(actor, Permission::AdministerUsers, "see whether an account has two-step sign-in")
            .await?;
        self.two_factor_enrolled(user_id).await
    }

    /// Checks a code or a recovery code for the account and uses it up (one conditional write);
    /// `None` when it is wrong or already used. A wrong one is audited.
    pub(crate) async fn check_second_step(&self, user: &User, typed: &str) -> AppResult<Option<SecondStep>> {
        let now = self.clock.now();
        let found = if rules::normalise_code(typed).is_some() {
            match self.store.two_factor(user.id).await? {
                Some(record) if record.confirmed_at.is_some() => {
                    match rules::matching_step(&record.secret, typed, now.timestamp(), record.last_used_step) {
                        Some(step) => match self.store.use_two_factor_step(user.id, step, None).await {
                            Ok(()) => Some(SecondStep::Code),
                            Err(StoreError::StateChanged(_)) => None,
                            Err(error) => return Err(error.into()),
                        },
                        None => None,
                    }
                }
                _ => None,
            }
        } else if let Some(normalised) = rules::normalise_recovery_code(typed) {
            let codes = self.store.unused_recovery_codes(user.id).await?;
            let matching = codes
                .iter()
                .find(|code| rules::recovery_code_matches(&code.salt, &code.code_hash, &normalised));
            match matching {
                Some(code) => {
                    let actor = actor_for(user);
                    let event = self.event(&actor, AuditAction::RecoveryCodeUsed).subject("user", user.id);
                    match self.store.use_recovery_code(user.id, code.id, now, &event).await {
                        Ok(()) => Some(SecondStep::RecoveryCode),
                        Err(StoreError::StateChanged(_)) => None,
                        Err(error) => return Err(error.into()),
                    }
                }
                None => None,
            }
        } else {
            None
        };
        if found.is_none() {
            let event = NewAuditEvent::new(now, None, user.email.clone(), AuditAction::TwoFactorCodeWrong).subject("user", user.id);
            self.store.append_audit(&event).await?;
        }
        Ok(found)
    }

    /// The second page of signing in: the code (or a recovery code) for the account whose
    /// password this session has had. Each try counts towards the sign-in throttle; the right
    /// code signs the session in under a new id.
    #[tracing::instrument(skip_all)]
    pub async fn sign_in_with_code(&self, session: &Session, typed: &str, client: &str) -> AppResult<(String, Session)> {
        let Some(user_id) = session.record.pending_user_id else {
            return Err(AppError::Unauthenticated);
        };
        let now = self.clock.now();
        let user = match self.store.get_user(user_id).await {
            Ok(user) if user.active => user,
            Ok(_) | Err(StoreError::NotFound) => return Err(AppError::Unauthenticated),
            Err(error) => return Err(error.into()),
        };
        if typed.trim().is_empty() {
            return Err(invalid("code", "Enter the 6-digit code your app shows, or a recovery code"));
        }
        if typed.len() > 64 || tailor_domain::validation::has_control_characters(typed, false) {
            return Err(invalid("code", "Enter the 6-digit code your app shows, or a recovery code"));
        }
        let client: String = client.chars().take(100).collect();
        let rule = self.throttle_rule();
        if self
            .store
            .reserve_sign_in_attempt(&user.email, &client, now, &rule)
            .await?
            .is_none()
        {
            let event = NewAuditEvent::new(now, None, user.email.clone(), AuditAction::SignInThrottled)
                .subject("user", user.id)
                .details(serde_json::json!({ "client": client }));
            self.store.append_audit(&event).await?;
            let blocked_until = self.store.sign_in_blocked_until(&user.email, &client).await?;
            return Err(AppError::Throttled {
                retry_after_seconds: crate::auth::seconds_to_wait(blocked_until, now),
            });
        }
        let Some(second_step) = self.check_second_step(&user, typed).await? else {
            return Err(AppError::WrongCredentials);
        };
        self.store.clear_sign_in_attempts(&user.email, &client).await?;
        let actor = actor_for(&user);
        let second = match second_step {
            SecondStep::Code => "code",
            SecondStep::RecoveryCode => "recovery_code",
        };
        let event = self
            .event(&actor, AuditAction::SignedIn)
            .subject("user", user.id)
            .details(serde_json::json!({ "second_step": second }));
        self.start_signed_in_session(actor, Some(&session.record.id_hash), &event).await
    }
}
