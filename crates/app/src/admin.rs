//! Administration: accounts, teams, organisations, and who looked at whose record.

use crate::auth::hash_password;
use crate::people::single_error;
use crate::{App, AppResult};
use tailor_domain::access::{Actor, Permission};
use tailor_domain::audit::{AuditAction, AuditCheckpoint, AuditEvent, AuditKey, ChainVerifier, NEW_KEY_FINGERPRINT};
use tailor_domain::people::Person;
use tailor_domain::users::{parse_organisation, parse_team_name, NewUser, NewUserInput, Organisation, Team, User};
use tailor_domain::*;
use tailor_store::{AuditQuery, StoreError};

impl App {
    #[tracing::instrument(skip_all, fields(actor = %actor.user_id, role = actor.role.as_str()))]
    pub async fn list_users(&self, actor: &Actor) -> AppResult<Vec<User>> {
        self.require(actor, Permission::AdministerUsers, "list accounts").await?;
        Ok(self.store.list_users().await?)
    }

    #[tracing::instrument(skip_all, fields(actor = %actor.user_id, role = actor.role.as_str()))]
    pub async fn create_user(&self, actor: &Actor, input: &NewUserInput) -> AppResult<User> {
        self.require(actor, Permission::AdministerUsers, "create an account").await?;
        let new_user = NewUser::parse(input)?;
        self.create_user_with_first_password(actor, new_user).await
    }

    /// An account an administrator creates: its password must be changed at first sign-in, and
    /// a link to a person's record waits for a second administrator or the person's team
    /// manager to confirm it (until then the account opens no record).
    async fn create_user_with_first_password(&self, actor: &Actor, new_user: NewUser) -> AppResult<User> {
        if let Some(person_id) = new_user.person_id {
            self.store
                .get_person(person_id)
                .await
                .map_err(|_| single_error("person_id", "Select the person from the search results"))?;
        }
        let password_hash = hash_password(new_user.password.clone()).await?;
        let now = self.clock.now();
        let user = User {
            id: UserId::generate(),
            email: new_user.email,
            display_name: new_user.display_name,
            role: new_user.role,
            team_id: new_user.team_id,
            person_id: None,
            organisation_id: new_user.organisation_id,
            active: true,
            created_at: now,
        };
        let link = new_user.person_id.map(|person_id| tailor_store::AccountLink {
            id: AccountLinkId::generate(),
            user_id: user.id,
            person_id,
            status: "pending".into(),
            requested_by: actor.user_id,
            requested_at: now,
            decided_by: None,
            decided_at: None,
            version: 1,
        });
        let mut events = vec![self
            .event(actor, AuditAction::UserCreated)
            .subject("user", user.id)
            .details(serde_json::json!({ "role": user.role.as_str(), "first_password_to_change": true }))];
        if let Some(link) = &link {
            events.push(
                self.event(actor, AuditAction::AccountLinkRequested)
                    .person(link.person_id)
                    .subject("account_link", link.id)
                    .details(serde_json::json!({ "user": user.id })),
            );
        }
        self.store
            .insert_user_with_first_password(&user, &password_hash, link.as_ref(), &events)
            .await
            .map_err(|error| match error {
                StoreError::Conflict { .. } => single_error("email", "An account with this email address already exists"),
                other => other.into(),
            })?;
        Ok(user)
    }

    /// Creates an account without an actor's permission check: for `tailor user create` run by
    /// an operator on the server, and for building the demo council.
    #[tracing::instrument(skip_all)]
    pub async fn create_user_unchecked(&self, actor: Option<&Actor>, new_user: NewUser) -> AppResult<User> {
        if let Some(person_id) = new_user.person_id {
            self.store
                .get_person(person_id)
                .await
                .map_err(|_| single_error("person_id", "There is no person record with this id"))?;
        }
        let password_hash = hash_password(new_user.password.clone()).await?;
        let user = User {
            id: UserId::generate(),
            email: new_user.email,
            display_name: new_user.display_name,
            role: new_user.role,
            team_id: new_user.team_id,
            person_id: new_user.person_id,
            organisation_id: new_user.organisation_id,
            active: true,
            created_at: self.clock.now(),
        };
        let event = match actor {
            Some(actor) => self.event(actor, AuditAction::UserCreated),
            None => tailor_domain::audit::NewAuditEvent::new(self.clock.now(), None, "command line", AuditAction::UserCreated),
        }
        .subject("user", user.id)
        .details(serde_json::json!({ "email": user.email, "role": user.role.as_str() }));
        self.store
            .insert_user(&user, &password_hash, &event)
            .await
            .map_err(|error| match error {
                StoreError::Conflict { .. } => single_error("email", "An account with this email address already exists"),
                other => other.into(),
            })?;
        Ok(user)
    }

    #[tracing::instrument(skip_all, fields(actor = %actor.user_id, role = actor.role.as_str(), user = %user_id))]
    pub async fn set_user_active(&self, actor: &Actor, user_id: UserId, active: bool) -> AppResult<User> {
        self.require(actor, Permission::AdministerUsers, "change an account").await?;
        let before = self.store.get_user(user_id).await?;
        if before.id == actor.user_id && !active {
            return Err(single_error("active", "You cannot deactivate your own account"));
        }
        let after = User { active, ..before.clone() };
        let event = self
            .event(actor, AuditAction::UserUpdated)
            .subject("user", user_id)
            .details(serde_json::json!({ "before": { "active": before.active }, "after": { "active": active } }));
        self.store.update_user(&after, &event).await?;
        Ok(after)
    }

    #[tracing::instrument(skip_all, fields(actor = %actor.user_id, role = actor.role.as_str()))]
    pub async fn list_teams(&self, actor: &Actor) -> AppResult<Vec<Team>> {
        self.require(actor, Permission::ViewTeamsAndOrganisations, "list teams").await?;
        Ok(self.store.list_teams().await?)
    }

    #[tracing::instrument(skip_all)]
    pub async fn create_team(&self, actor: Option<&Actor>, name: &str) -> AppResult<Team> {
        if let Some(actor) = actor {
            self.require(actor, Permission::AdministerUsers, "create a team").await?;
        }
        let name = parse_team_name(name)?;
        let team = Team {
            id: TeamId::generate(),
            name,
            created_at: self.clock.now(),
        };
        let event = match actor {
            Some(actor) => self.event(actor, AuditAction::TeamCreated),
            None => tailor_domain::audit::NewAuditEvent::new(self.clock.now(), None, "command line", AuditAction::TeamCreated),
        }
        .subject("team", team.id)
        .details(serde_json::json!({ "name": team.name }));
        self.store.insert_team(&team, &event).await.map_err(|error| match error {
            StoreError::Conflict { .. } => single_error("name", "A team with this name already exists"),
            other => other.into(),
        })?;
        Ok(team)
    }

    #[tracing::instrument(skip_all, fields(actor = %actor.user_id, role = actor.role.as_str()))]
    pub async fn list_organisations(&self, actor: &Actor) -> AppResult<Vec<Organisation>> {
        self.require(actor, Permission::ViewTeamsAndOrganisations, "list organisations")
            .await?;
        Ok(self.store.list_organisations().await?)
    }

    /// The organisation a provider's account belongs to, for its home page.
    #[tracing::instrument(skip_all, fields(actor = %actor.user_id, role = actor.role.as_str()))]
    pub async fn my_organisation(&self, actor: &Actor) -> AppResult<Option<Organisation>> {
        self.require(actor, Permission::ViewProviderHome, "see their organisation").await?;
        match actor.organisation_id {
            Some(id) => Ok(Some(self.store.get_organisation(id).await?)),
            None => Ok(None),
        }
    }

    /// The team with this name, created if there is none: for `tailor user create`, run by an
    /// operator on the server, so there is no actor to check.
    #[tracing::instrument(skip_all)]
    pub async fn team_named_unchecked(&self, name: &str) -> AppResult<Team> {
        let existing = self.store.list_teams().await?.into_iter().find(|team| team.name == name);
        match existing {
            Some(team) => Ok(team),
            None => self.create_team(None, name).await,
        }
    }

    /// True when no account exists yet, so `tailor demo` may build the demo council.
    #[tracing::instrument(skip_all)]
    pub async fn has_no_accounts(&self) -> AppResult<bool> {
        Ok(self.store.is_empty().await?)
    }

    /// Whether the database answers, for the health check.
    #[tracing::instrument(skip_all)]
    pub async fn check_database(&self) -> AppResult<()> {
        Ok(self.store.ping().await?)
    }

    #[tracing::instrument(skip_all)]
    pub async fn create_organisation(&self, actor: Option<&Actor>, name: &str, kind: &str) -> AppResult<Organisation> {
        if let Some(actor) = actor {
            self.require(actor, Permission::ManageOrganisations, "create an organisation")
                .await?;
        }
        let (name, kind) = parse_organisation(name, kind)?;
        let organisation = Organisation {
            id: OrganisationId::generate(),
            name,
            kind,
            created_at: self.clock.now(),
        };
        let event = match actor {
            Some(actor) => self.event(actor, AuditAction::OrganisationCreated),
            None => tailor_domain::audit::NewAuditEvent::new(self.clock.now(), None, "command line", AuditAction::OrganisationCreated),
        }
        .subject("organisation", organisation.id)
        .details(serde_json::json!({ "name": organisation.name, "kind": kind.as_str() }));
        self.store
            .insert_organisation(&organisation, &event)
            .await
            .map_err(|error| match error {
                StoreError::Conflict { .. } => single_error("name", "An organisation with this name already exists"),
                other => other.into(),
            })?;
        Ok(organisation)
    }

    /// Who looked at (and changed) a person's record, newest first: the Caldicott guardian's view.
    #[tracing::instrument(skip_all, fields(actor = %actor.user_id, role = actor.role.as_str(), person = %person_id))]
    pub async fn person_audit(&self, actor: &Actor, person_id: PersonId, reads_only: bool) -> AppResult<(Person, Vec<AuditEvent>)> {
        self.require(actor, Permission::ViewPersonAuditTrail, "see who looked at a record")
            .await?;
        let person = self.store.get_person(person_id).await?;
        let events = self
            .store
            .list_audit(&AuditQuery {
                person_id: Some(person_id),
                action: reads_only.then_some(AuditAction::PersonViewed),
                limit: 500,
            })
            .await?;
        // The person's name is shown on this page, so the look is itself a read of their record.
        let read = self
            .event(actor, AuditAction::PersonViewed)
            .person(person_id)
            .subject("person", person_id)
            .details(serde_json::json!({ "parts": ["details", "audit_trail"], "purpose": "see who looked at a record" }));
        self.store.append_audit(&read).await?;
        Ok((person, events))
    }

    /// The most recent audit events of every kind, for administrators.
    #[tracing::instrument(skip_all, fields(actor = %actor.user_id, role = actor.role.as_str()))]
    pub async fn recent_audit(&self, actor: &Actor, limit: i64) -> AppResult<Vec<AuditEvent>> {
        self.require(actor, Permission::ViewAuditLog, "see the audit log").await?;
        Ok(self
            .store
            .list_audit(&AuditQuery {
                person_id: None,
                action: None,
                limit,
            })
            .await?)
    }

    /// Checks the whole audit chain with the app's audit key (events sealed with a key cannot be
    /// checked without it) and, when given, against a checkpoint made earlier: its head must still be
    /// there with the same hash. Returns how many events were checked and the head now, or why
    /// the log cannot be trusted.
    #[tracing::instrument(skip_all)]
    pub async fn verify_audit_chain(&self, checkpoint: Option<&AuditCheckpoint>) -> AppResult<Result<AuditReport, String>> {
        let key = self.audit_key.as_deref();
        if checkpoint.is_some() && key.is_none() {
            return Ok(Err("a checkpoint can only be checked with the audit key that signed it".into()));
        }
        let keys: Vec<&AuditKey> = key
            .into_iter()
            .chain(self.previous_audit_keys.iter().map(|previous| previous.as_ref()))
            .collect();
        let mut verifier = ChainVerifier::with_keys(keys.clone());
        let mut at_checkpoint = None;
        loop {
            let (after, _) = verifier.head();
            let batch = self.store.audit_chain(after, 10_000).await?;
            if batch.is_empty() {
                break;
            }
            if let Err(fault) = verifier.check(&batch) {
                return Ok(Err(fault.to_string()));
            }
            if let Some(checkpoint) = checkpoint {
                if let Some(found) = batch.iter().find(|event| event.sequence == checkpoint.sequence) {
                    at_checkpoint = Some(found.clone());
                }
            }
        }
        if verifier.named_key_missing() {
            return Ok(Err(
                "the audit key was changed to a key that was not given: verify with the new key, giving this one as a previous key".into(),
            ));
        }
        if let (Some(key), Some(in_force)) = (key, verifier.key_in_force()) {
            if key.fingerprint() != in_force.fingerprint() {
                return Ok(Err(
                    "the newest events are sealed with an earlier audit key, not the one configured: a change of key is missing, or events were written with a retired key".into(),
                ));
            }
        }
        if let Some(checkpoint) = checkpoint {
            // A checkpoint made before a change of key is signed with the key of its day.
            let signer = keys.iter().find(|candidate| checkpoint.signature_holds(candidate)).or(keys.first());
            if let Some(signer) = signer {
                if let Err(fault) = checkpoint.check(signer, at_checkpoint.as_ref()) {
                    return Ok(Err(fault.to_string()));
                }
            }
        }
        let (head_sequence, head_hash) = verifier.head();
        Ok(Ok(AuditReport {
            checked: verifier.checked(),
            head_sequence,
            head_hash: head_hash.to_owned(),
        }))
    }

    /// A signed record of the chain's head now, to be kept outside the database. The whole chain
    /// is verified first, so a checkpoint never vouches for a chain already broken.
    #[tracing::instrument(skip_all)]
    pub async fn audit_checkpoint(&self) -> AppResult<Result<AuditCheckpoint, String>> {
        let Some(key) = self.audit_key.as_deref() else {
            return Ok(Err(
                "a checkpoint is signed with the audit key, and no audit key is configured".into()
            ));
        };
        Ok(self
            .verify_audit_chain(None)
            .await?
            .map(|report| AuditCheckpoint::sign(key, report.head_sequence, &report.head_hash, self.clock.now())))
    }
}

impl App {
    /// Replaces the audit key: verifies the chain, then appends an `AuditKeyChanged` event sealed
    /// with the key in force and naming the new key's fingerprint. Every event after it must be
    /// sealed with the new key, so every instance has to be stopped first and started again with
    /// the new key (docs/audit.md). Returns the change event's sequence number.
    #[tracing::instrument(skip_all)]
    pub async fn rotate_audit_key(&self, new_key: &AuditKey) -> AppResult<Result<i64, String>> {
        let Some(key) = self.audit_key.as_deref() else {
            return Ok(Err("the key can only be changed by someone holding the audit key in force".into()));
        };
        if key.fingerprint() == new_key.fingerprint() {
            return Ok(Err("the new key is the key already in force".into()));
        }
        let report = match self.verify_audit_chain(None).await? {
            Ok(report) => report,
            Err(problem) => return Ok(Err(format!("the audit log does not verify, so its key was not changed: {problem}"))),
        };
        let event = self
            .key_change_event()
            .subject("audit_log", report.head_sequence + 1)
            .details(serde_json::json!({ NEW_KEY_FINGERPRINT: new_key.fingerprint() }));
        self.store.append_audit(&event).await?;
        let head = self.store.audit_chain(report.head_sequence, 10).await?;
        Ok(head
            .iter()
            .find(|stored| stored.event.action == AuditAction::AuditKeyChanged)
            .map(|stored| stored.sequence)
            .ok_or_else(|| "the change of key was not found after writing it".to_owned()))
    }
}

impl App {
    fn key_change_event(&self) -> tailor_domain::audit::NewAuditEvent {
        tailor_domain::audit::NewAuditEvent::new(self.clock.now(), None, "tailor audit rotate-key", AuditAction::AuditKeyChanged)
    }
}

/// What a verification of the audit chain found when it was intact.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuditReport {
    pub checked: i64,
    pub head_sequence: i64,
    pub head_hash: String,
}
