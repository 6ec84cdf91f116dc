//! Signing in and out, sessions kept in the database, and API tokens.
//!
//! The browser holds a random session id; the database holds only its SHA-256, so a leaked
//! database does not let anyone take over a session. The id changes at sign-in (no fixation),
//! and a session ends after `idle_timeout` without use or `absolute_timeout` after it began.

use crate::{App, AppError, AppResult};
use argon2::password_hash::{PasswordHash, SaltString};
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
    /// The account's password was chosen by an administrator (or reset): until its owner
    /// changes it, the session may do nothing else.
    pub must_change_password: bool,
    /// The council requires two-step sign-in for the account's role and it has not been set up:
    /// until it is, the session may do nothing else.
    pub must_set_up_two_factor: bool,
}

impl Session {
    /// The right password was given and the session waits for the code (it is not signed in).
    pub fn awaits_code(&self) -> bool {
        self.record.pending_user_id.is_some()
    }
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

/// How many Argon2 computations run at once in this process. Each takes 19 MiB for its
/// duration; without a limit, 64 simultaneous sign-ins took the server to 1.5 GB. Others queue
/// (fairly, first come first served) and are slowed rather than refused.
pub const PASSWORD_CHECKS_AT_ONCE: usize = 2;

static PASSWORD_WORK: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(PASSWORD_CHECKS_AT_ONCE);

type PasswordJob = Box<dyn FnOnce() + Send>;

/// The threads that do password work: as many as there are permits, and always the same ones.
/// On tokio's blocking pool each check could land on a new thread, and the allocator keeps
/// freed memory per thread, so even two at a time grew the process by 19 MiB a thread (354 MB
/// for 64 sign-ins); on fixed threads the same memory is reused.
fn password_threads() -> &'static std::sync::mpsc::SyncSender<PasswordJob> {
    static THREADS: std::sync::OnceLock<std::sync::mpsc::SyncSender<PasswordJob>> = std::sync::OnceLock::new();
    THREADS.get_or_init(|| {
        let (sender, receiver) = std::sync::mpsc::sync_channel::<PasswordJob>(PASSWORD_CHECKS_AT_ONCE);
        let receiver = std::sync::Arc::new(std::sync::Mutex::new(receiver));
        for index in 0..PASSWORD_CHECKS_AT_ONCE {
            let receiver = receiver.clone();
            std::thread::Builder::new()
                .name(format!("tailor-passwords-{index}"))
                .spawn(move || loop {
                    let job = match receiver.lock() {
                        Ok(receiver) => receiver.recv(),
                        Err(_) => return,
                    };
                    let Ok(job) = job else { return };
                    // A panic loses this answer (the caller sees an error), not the thread.
                    let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(job));
                })
                .expect("could not start a password-checking thread");
        }
        sender
    })
}

/// Runs deliberately slow password work on the password threads, at most
/// `PASSWORD_CHECKS_AT_ONCE` at a time.
async fn limited_password_work<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> AppResult<T> {
    let _permit = PASSWORD_WORK
        .acquire()
        .await
        .map_err(|error| AppError::internal("waiting to check a password", error))?;
    let (reply, answer) = tokio::sync::oneshot::channel();
    // Never waits: a permit is held, so fewer jobs are queued than the channel holds.
    password_threads()
        .send(Box::new(move || {
            let _ = reply.send(work());
        }))
        .map_err(|error| AppError::internal("the password-checking threads", error))?;
    answer
        .await
        .map_err(|error| AppError::internal("the password-checking threads", error))
}

/// Hashes a password with Argon2id (the crate's defaults follow OWASP's recommended settings).
pub async fn hash_password(password: String) -> AppResult<String> {
    limited_password_work(move || hash_reusing_memory(password.as_bytes()).map_err(|error| AppError::internal("hashing a password", error)))
        .await?
}

/// What `Argon2::hash_password` does with the default (OWASP) costs, in the thread's own
/// working memory (see `ARGON2_MEMORY`).
fn hash_reusing_memory(password: &[u8]) -> Result<String, argon2::password_hash::Error> {
    let salt = SaltString::generate(&mut rand::rngs::OsRng);
    let mut salt_buffer = [0u8; 64];
    let salt_bytes = salt.as_salt().decode_b64(&mut salt_buffer)?;
    let params = argon2::Params::default();
    let blocks = params.block_count();
    let hasher = Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, params.clone());
    let mut output = [0u8; argon2::Params::DEFAULT_OUTPUT_LEN];
    ARGON2_MEMORY.with_borrow_mut(|memory| {
        if memory.len() < blocks {
            memory.resize(blocks, argon2::Block::default());
        }
        hasher.hash_password_into_with_memory(password, salt_bytes, &mut output, &mut memory[..blocks])
    })?;
    let hash = PasswordHash {
        algorithm: argon2::Algorithm::Argon2id.ident(),
        version: Some(argon2::Version::V0x13.into()),
        params: argon2::password_hash::ParamsString::try_from(&params)?,
        salt: Some(salt.as_salt()),
        hash: Some(argon2::password_hash::Output::new(&output)?),
    };
    Ok(hash.to_string())
}

pub(crate) async fn password_matches(password: String, stored_hash: String) -> bool {
    limited_password_work(move || verify_reusing_memory(password.as_bytes(), &stored_hash))
        .await
        .unwrap_or(false)
}

thread_local! {
    /// Argon2's working memory, kept by each password thread between checks. Allocating 19 MiB
    /// afresh for every check left the allocator holding more after each burst (164 MB after 16
    /// simultaneous sign-ins); reused, the process stays at its threads' share.
    static ARGON2_MEMORY: std::cell::RefCell<Vec<argon2::Block>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// What `Argon2::verify_password` does, with the thread's own working memory.
fn verify_reusing_memory(password: &[u8], stored_hash: &str) -> bool {
    let Ok(parsed) = PasswordHash::new(stored_hash) else { return false };
    let (Some(salt), Some(expected)) = (parsed.salt, parsed.hash) else {
        return false;
    };
    let Ok(algorithm) = argon2::Algorithm::try_from(parsed.algorithm) else {
        return false;
    };
    let version = match parsed.version.map(argon2::Version::try_from).transpose() {
        Ok(version) => version.unwrap_or_default(),
        Err(_) => return false,
    };
    let Ok(params) = argon2::Params::try_from(&parsed) else {
        return false;
    };
    let mut salt_buffer = [0u8; 64];
    let Ok(salt) = salt.decode_b64(&mut salt_buffer) else {
        return false;
    };
    let blocks = params.block_count();
    let hasher = Argon2::new(algorithm, version, params);
    let mut output = vec![0u8; expected.len()];
    let computed = ARGON2_MEMORY.with_borrow_mut(|memory| {
        if memory.len() < blocks {
            memory.resize(blocks, argon2::Block::default());
        }
        hasher
            .hash_password_into_with_memory(password, salt, &mut output, &mut memory[..blocks])
            .is_ok()
    });
    // `Output` compares in constant time.
    computed && argon2::password_hash::Output::new(&output).is_ok_and(|output| output == expected)
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
    /// Finds the session for a cookie value; expired sessions are removed and not returned.
    #[tracing::instrument(skip_all)]
    pub async fn resolve_session(&self, cookie_value: &str) -> AppResult<Option<Session>> {
        let id_hash = secret_hash(cookie_value);
        let Some(record) = self.store.find_session(&id_hash).await? else {
            return Ok(None);
        };
        let now = self.clock.now();
        let code_wait_over =
            record.pending_user_id.is_some() && now - record.created_at > chrono::Duration::minutes(crate::two_factor::CODE_WAIT_MINUTES);
        if code_wait_over
            || now - record.last_seen_at > self.sessions.idle_timeout
            || now - record.created_at > self.sessions.absolute_timeout
        {
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
        let must_change_password = match &actor {
            Some(actor) => self.store.password_state(actor.user_id).await?.must_change,
            None => false,
        };
        let must_set_up_two_factor = match &actor {
            Some(actor) => self.must_set_up_two_factor(actor).await?,
            None => false,
        };
        Ok(Some(Session {
            record,
            actor,
            must_change_password,
            must_set_up_two_factor,
        }))
    }

    /// Checks an email and password from `client` (its network address, or what is known of
    /// it). On success the old session (if any) is replaced by a new one with a new id and CSRF
    /// token; the cookie value is returned. For an account with two-step sign-in the new session
    /// is not signed in: it waits, for a few minutes, for the code (`sign_in_with_code`).
    /// Attempts are counted for the email and client together, so failures from elsewhere never
    /// stop the owner signing in from their own device.
    #[tracing::instrument(skip_all)]
    pub async fn sign_in(
        &self,
        email: &str,
        password: &str,
        client: &str,
        old_session: Option<&SessionRecord>,
    ) -> AppResult<(String, Session)> {
        let (user, email, client) = self.check_password(email, password, client).await?;
        let now = self.clock.now();
        let secret = random_secret();
        if self.two_factor_enrolled(user.id).await? {
            // The throttle is cleared only once the code is right too, so that the password
            // cannot be given again and again to win more tries at the code.
            let record = SessionRecord {
                id_hash: secret_hash(&secret),
                user_id: None,
                csrf_token: random_secret(),
                created_at: now,
                last_seen_at: now,
                pending_user_id: Some(user.id),
            };
            let event = NewAuditEvent::new(now, None, email.clone(), AuditAction::SignInCodeAwaited)
                .subject("user", user.id)
                .details(serde_json::json!({ "client": client }));
            self.store
                .rotate_session(old_session.map(|session| session.id_hash.as_str()), &record, &event)
                .await?;
            return Ok((
                secret,
                Session {
                    record,
                    actor: None,
                    must_change_password: false,
                    must_set_up_two_factor: false,
                },
            ));
        }
        self.store.clear_sign_in_attempts(&email, &client).await?;
        let actor = actor_for(&user);
        let event = self.event(&actor, AuditAction::SignedIn).subject("user", user.id);
        self.start_signed_in_session(actor, old_session.map(|session| session.id_hash.as_str()), &event)
            .await
    }

    /// The one way a sign-in finishes, after the password alone or the password and a code: a
    /// new session id in place of the old (so a session fixed before sign-in is worth nothing),
    /// written with `event`, knowing whether a new password or two-step setup is due first.
    pub(crate) async fn start_signed_in_session(
        &self,
        actor: Actor,
        old_session_hash: Option<&str>,
        event: &NewAuditEvent,
    ) -> AppResult<(String, Session)> {
        let now = self.clock.now();
        let secret = random_secret();
        let record = SessionRecord {
            id_hash: secret_hash(&secret),
            user_id: Some(actor.user_id),
            csrf_token: random_secret(),
            created_at: now,
            last_seen_at: now,
            pending_user_id: None,
        };
        let must_set_up_two_factor = self.must_set_up_two_factor(&actor).await?;
        self.store.rotate_session(old_session_hash, &record, event).await?;
        let must_change_password = self.store.password_state(actor.user_id).await?.must_change;
        Ok((
            secret,
            Session {
                record,
                actor: Some(actor),
                must_change_password,
                must_set_up_two_factor,
            },
        ))
    }

    pub(crate) fn throttle_rule(&self) -> tailor_store::ThrottleRule {
        tailor_store::ThrottleRule {
            free_attempts: self.sessions.max_failed_sign_ins,
            window: self.sessions.throttle_window,
            longest_delay_seconds: self.sessions.longest_sign_in_delay.num_seconds(),
        }
    }

    /// The first step of signing in: the email and password, counted by the throttle before
    /// the password is checked. Returns the account, and the email and client as counted.
    async fn check_password(&self, email: &str, password: &str, client: &str) -> AppResult<(User, String, String)> {
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
        if tailor_domain::validation::has_control_characters(&email, false)
            || tailor_domain::validation::has_control_characters(password, false)
        {
            errors.add(
                "email",
                "Your email address and password must not contain control characters (such as a null character)",
            );
        }
        if !errors.is_empty() {
            return Err(AppError::Invalid(errors));
        }
        let client: String = client.chars().take(100).collect();
        let anonymous = |action| {
            NewAuditEvent::new(now, None, email.clone(), action)
                .subject("sign_in", &email)
                .details(serde_json::json!({ "client": client }))
        };
        let rule = self.throttle_rule();
        // Counted before the password is checked, so that simultaneous guesses cannot all be
        // checked before any is counted.
        if self.store.reserve_sign_in_attempt(&email, &client, now, &rule).await?.is_none() {
            self.store.append_audit(&anonymous(AuditAction::SignInThrottled)).await?;
            let blocked_until = self.store.sign_in_blocked_until(&email, &client).await?;
            return Err(AppError::Throttled {
                retry_after_seconds: seconds_to_wait(blocked_until, now),
            });
        }
        let found = self.store.find_user_by_email(&email).await?;
        let (user, stored_hash) = match found {
            Some((user, hash)) if user.active => (Some(user), hash),
            _ => (None, DECOY_HASH.to_owned()),
        };
        let matches = password_matches(password.to_owned(), stored_hash).await;
        let Some(user) = user.filter(|_| matches) else {
            self.store.append_audit(&anonymous(AuditAction::SignInFailed)).await?;
            return Err(AppError::WrongCredentials);
        };
        Ok((user, email, client))
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

    /// Exchanges an email and password (and, for an account with two-step sign-in, the code
    /// its app shows or a recovery code) for a bearer token for the JSON API. Throttled and
    /// audited exactly as a sign-in is. The token is shown once; only its hash is kept.
    #[tracing::instrument(skip_all)]
    pub async fn create_api_token(
        &self,
        email: &str,
        password: &str,
        one_time_code: Option<&str>,
        client: &str,
    ) -> AppResult<(String, ApiTokenRecord)> {
        let (user, email, client) = self.check_password(email, password, client).await?;
        if self.two_factor_enrolled(user.id).await? {
            let typed = one_time_code.unwrap_or_default();
            if typed.len() > 64 || tailor_domain::validation::has_control_characters(typed, false) {
                return Err(AppError::WrongCredentials);
            }
            if self.check_second_step(&user, typed).await?.is_none() {
                return Err(AppError::WrongCredentials);
            }
        }
        self.store.clear_sign_in_attempts(&email, &client).await?;
        let actor = actor_for(&user);
        self.require(&actor, Permission::UseApi, "create an API token").await?;
        if self.store.password_state(user.id).await?.must_change {
            // A password an administrator chose is only good for choosing a new one.
            self.record_refusal(&actor, "create an API token before changing the first password", None)
                .await;
            return Err(AppError::PasswordChangeDue);
        }
        if self.must_set_up_two_factor(&actor).await? {
            self.record_refusal(&actor, "create an API token before setting up two-step sign-in", None)
                .await;
            return Err(AppError::TwoFactorSetupDue);
        }
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
    async fn hashes_made_in_reused_memory_are_standard_argon2id() {
        use argon2::PasswordVerifier;
        let hash = hash_password("correct horse battery".into()).await.unwrap();
        let parsed = PasswordHash::new(&hash).unwrap();
        assert!(Argon2::default().verify_password(b"correct horse battery", &parsed).is_ok());
        assert!(hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{hash}");
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

/// The remaining delay until `blocked_until`, in whole seconds rounded up and at least 1: a
/// client told to come back sooner would only be refused again.
/// Also how pages say it ("Wait 4 seconds").
pub fn seconds_to_wait(blocked_until: Option<chrono::DateTime<chrono::Utc>>, now: chrono::DateTime<chrono::Utc>) -> u64 {
    let remaining = blocked_until
        .map(|until| (until - now).num_microseconds().unwrap_or(i64::MAX))
        .unwrap_or(0);
    let seconds = remaining.saturating_add(999_999) / 1_000_000;
    u64::try_from(seconds).unwrap_or(0).max(1)
}

#[cfg(test)]
mod retry_after_tests {
    use super::seconds_to_wait;
    use chrono::{DateTime, Duration, Utc};

    #[test]
    fn the_wait_is_rounded_up_to_whole_seconds_and_never_less_than_one() {
        let now: DateTime<Utc> = "2026-11-30T12:00:00Z".parse().unwrap();
        assert_eq!(seconds_to_wait(Some(now + Duration::seconds(4)), now), 4);
        assert_eq!(seconds_to_wait(Some(now + Duration::milliseconds(2_500)), now), 3);
        assert_eq!(seconds_to_wait(Some(now + Duration::microseconds(1)), now), 1);
        assert_eq!(seconds_to_wait(Some(now - Duration::seconds(3)), now), 1, "already passed");
        assert_eq!(seconds_to_wait(None, now), 1);
    }
}

/// "1 second", "4 seconds": the wait in words.
pub fn wait_in_words(seconds: u64) -> String {
    if seconds == 1 {
        "1 second".into()
    } else {
        format!("{seconds} seconds")
    }
}
