//! Signing in and out, sessions kept in the database, and API tokens.
//!
//! The browser holds a random session id; the database holds only its SHA-256, so a leaked
//! database does not let anyone take over a session. The id changes at sign-in (no fixation),
//! and a session ends after `idle_timeout` without use or `absolute_timeout` after it began.

use crate::{App, AppError, AppResult};
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use rand::RngCore;
use sha2::{Digest, Sha256};
use tailor_domain::access::{Actor, Permission};
use tailor_domain::audit::{AuditAction, NewAuditEvent};
use tailor_domain::users::User;
use tailor_store::{ApiTokenRecord, SessionRecord};

/// A resolved session: the record, and the actor when someone is signed in.
#[derive(Clone, Debug)]
pub struct Session {
    pub record: SessionRecord,
    pub actor: Option<Actor>,
}

/// A new random secret, hex-encoded: session ids, CSRF tokens, API tokens.
pub fn random_secret() -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    hex::encode(bytes)
}

pub fn secret_hash(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

/// Hashes a password with Argon2id (the crate's defaults follow OWASP's recommended settings).
/// Runs on a blocking thread because it is deliberately slow.
pub async fn hash_password(password: String) -> AppResult<String> {
    tokio::task::spawn_blocking(move || {
        let salt = SaltString::generate(&mut rand::rngs::OsRng);
        Argon2::default()
            .hash_password(password.as_bytes(), &salt)
            .map(|hash| hash.to_string())
            .map_err(|error| AppError::internal("hashing a password", error))
    })
    .await
    .map_err(|error| AppError::internal("the password-hashing task", error))?
}

async fn password_matches(password: String, stored_hash: String) -> bool {
    tokio::task::spawn_blocking(move || {
        PasswordHash::new(&stored_hash)
            .map(|parsed| Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok())
            .unwrap_or(false)
    })
    .await
    .unwrap_or(false)
}

/// A valid hash of a password nobody knows, checked when an email has no account so that a
/// wrong email takes as long as a wrong password and does not reveal who has an account.
const DECOY_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$1XzqOqEoT+uP2BfrJxXQoCUmAz7FmAp0Ww2lmsCsUMA";

pub fn actor_for(user: &User) -> Actor {
    Actor {
        user_id: user.id,
        display_name: user.display_name.clone(),
        role: user.role,
        team_id: user.team_id,
        person_id: user.person_id,
        organisation_id: user.organisation_id,
    }
}

impl App {
    /// Starts a session for a visitor who has not signed in, so that forms (including sign-in)
    /// carry a CSRF token. Returns the cookie value.
    #[tracing::instrument(skip_all)]
    pub async fn start_anonymous_session(&self) -> AppResult<(String, Session)> {
        let secret = random_secret();
        let now = self.clock.now();
        let record = SessionRecord {
            id_hash: secret_hash(&secret),
            user_id: None,
            csrf_token: random_secret(),
            created_at: now,
            last_seen_at: now,
        };
        self.store.insert_session(&record).await?;
        Ok((secret, Session { record, actor: None }))
    }

    /// Finds the session for a cookie value; expired sessions are removed and not returned.
    #[tracing::instrument(skip_all)]
    pub async fn resolve_session(&self, cookie_value: &str) -> AppResult<Option<Session>> {
        let id_hash = secret_hash(cookie_value);
        let Some(record) = self.store.find_session(&id_hash).await? else {
            return Ok(None);
        };
        let now = self.clock.now();
        if now - record.last_seen_at > self.sessions.idle_timeout || now - record.created_at > self.sessions.absolute_timeout {
            self.store.delete_session(&id_hash).await?;
            return Ok(None);
        }
        // Writing on every request would make reads contend for the database; a minute's
        // imprecision in the idle timeout does not matter.
        if now - record.last_seen_at > chrono::Duration::minutes(1) {
            self.store.touch_session(&id_hash, now).await?;
        }
        let actor = match record.user_id {
            Some(user_id) => match self.store.get_user(user_id).await {
                Ok(user) if user.active => Some(actor_for(&user)),
                Ok(_) | Err(tailor_store::StoreError::NotFound) => {
                    self.store.delete_session(&id_hash).await?;
                    return Ok(None);
                }
                Err(error) => return Err(error.into()),
            },
            None => None,
        };
        Ok(Some(Session { record, actor }))
    }

    /// Checks an email and password. On success the old session (if any) is replaced by a new
    /// one with a new id and CSRF token; the cookie value is returned.
    #[tracing::instrument(skip_all)]
    pub async fn sign_in(&self, email: &str, password: &str, old_session: Option<&SessionRecord>) -> AppResult<(String, Session)> {
        let email = email.trim().to_lowercase();
        let now = self.clock.now();
        let mut errors = tailor_domain::validation::ValidationErrors::default();
        if email.is_empty() {
            errors.add("email", "Enter your email address");
        }
        if password.is_empty() {
            errors.add("password", "Enter your password");
        }
        if email.len() > 320 || password.len() > 1024 {
            errors.add("email", "Enter a shorter email address and password");
        }
        if !errors.is_empty() {
            return Err(AppError::Invalid(errors));
        }
        let anonymous = |action| NewAuditEvent::new(now, None, email.clone(), action).subject("sign_in", &email);
        let recent_failures = self
            .store
            .count_failed_sign_ins(&email, now - self.sessions.throttle_window)
            .await?;
        if recent_failures >= self.sessions.max_failed_sign_ins {
            self.store.append_audit(&anonymous(AuditAction::SignInThrottled)).await?;
            return Err(AppError::Throttled);
        }
        let found = self.store.find_user_by_email(&email).await?;
        let (user, stored_hash) = match found {
            Some((user, hash)) if user.active => (Some(user), hash),
            _ => (None, DECOY_HASH.to_owned()),
        };
        let matches = password_matches(password.to_owned(), stored_hash).await;
        let Some(user) = user.filter(|_| matches) else {
            self.store
                .record_failed_sign_in(&email, now, &anonymous(AuditAction::SignInFailed))
                .await?;
            let mut errors = tailor_domain::validation::ValidationErrors::default();
            errors.add("email", "Enter a correct email address and password");
            return Err(AppError::Invalid(errors));
        };
        self.store.clear_failed_sign_ins(&email).await?;
        let secret = random_secret();
        let record = SessionRecord {
            id_hash: secret_hash(&secret),
            user_id: Some(user.id),
            csrf_token: random_secret(),
            created_at: now,
            last_seen_at: now,
        };
        let actor = actor_for(&user);
        let event = self.event(&actor, AuditAction::SignedIn).subject("user", user.id);
        self.store
            .rotate_session(old_session.map(|session| session.id_hash.as_str()), &record, &event)
            .await?;
        Ok((
            secret,
            Session {
                record,
                actor: Some(actor),
            },
        ))
    }

    #[tracing::instrument(skip_all)]
    pub async fn sign_out(&self, session: &Session) -> AppResult<()> {
        self.store.delete_session(&session.record.id_hash).await?;
        if let Some(actor) = &session.actor {
            self.store
                .append_audit(&self.event(actor, AuditAction::SignedOut).subject("user", actor.user_id))
                .await?;
        }
        Ok(())
    }

    /// Exchanges an email and password for a bearer token for the JSON API. Throttled and
    /// audited exactly as a sign-in is. The token is shown once; only its hash is kept.
    #[tracing::instrument(skip_all)]
    pub async fn create_api_token(&self, email: &str, password: &str) -> AppResult<(String, ApiTokenRecord)> {
        let (_, session) = self.sign_in(email, password, None).await?;
        // The sign-in made a browser session the API caller will never use.
        self.store.delete_session(&session.record.id_hash).await?;
        let actor = session.actor.ok_or(AppError::Unauthenticated)?;
        self.require(&actor, Permission::UseApi, "create an API token").await?;
        let token = random_secret();
        let now = self.clock.now();
        let record = ApiTokenRecord {
            token_hash: secret_hash(&token),
            user_id: actor.user_id,
            created_at: now,
            expires_at: now + self.sessions.api_token_lifetime,
        };
        self.store
            .insert_api_token(
                &record,
                &self.event(&actor, AuditAction::ApiTokenCreated).subject("user", actor.user_id),
            )
            .await?;
        Ok((token, record))
    }

    /// Removes sessions past their idle or absolute time-out; returns how many went.
    #[tracing::instrument(skip_all)]
    pub async fn remove_expired_sessions(&self) -> AppResult<u64> {
        let now = self.clock.now();
        Ok(self
            .store
            .delete_expired_sessions(now - self.sessions.idle_timeout, now - self.sessions.absolute_timeout)
            .await?)
    }

    #[tracing::instrument(skip_all)]
    pub async fn resolve_api_token(&self, token: &str) -> AppResult<Actor> {
        let record = self
            .store
            .find_api_token(&secret_hash(token))
            .await?
            .ok_or(AppError::Unauthenticated)?;
        if record.expires_at <= self.clock.now() {
            return Err(AppError::Unauthenticated);
        }
        let user = self.store.get_user(record.user_id).await?;
        if !user.active {
            return Err(AppError::Unauthenticated);
        }
        Ok(actor_for(&user))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_decoy_hash_is_a_real_argon2_hash() {
        assert!(PasswordHash::new(DECOY_HASH).is_ok());
        assert!(!password_matches("anything".into(), DECOY_HASH.into()).await);
    }

    #[tokio::test]
    async fn a_hashed_password_verifies_and_a_wrong_one_does_not() {
        let hash = hash_password("correct horse battery".into()).await.unwrap();
        assert!(hash.starts_with("$argon2id$"));
        assert!(password_matches("correct horse battery".into(), hash.clone()).await);
        assert!(!password_matches("wrong horse battery".into(), hash).await);
    }

    #[test]
    fn secrets_are_long_and_hashes_differ_from_them() {
        let secret = random_secret();
        assert_eq!(secret.len(), 64);
        assert_ne!(secret_hash(&secret), secret);
    }
}
