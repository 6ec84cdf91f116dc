//! Self-service for every account, and what administrators do for them: API tokens listed and
//! revoked, signing out everywhere, changing a password (and the first one an administrator
//! chose), one-time reset links, a person changing or withdrawing their helpers' access, and
//! account-to-person links that a second person confirms.

use crate::auth::{hash_password, password_matches, random_secret, secret_hash};
use crate::people::single_error;
use crate::{App, AppError, AppResult};
use serde::Deserialize;
use tailor_domain::access::{may_confirm_account_link, Actor, Capability, DelegationScope, Permission};
use tailor_domain::audit::{AuditAction, NewAuditEvent};
use tailor_domain::people::{PeopleSearch, PersonSummary};
use tailor_domain::users::check_password_strength;
use tailor_domain::validation::ValidationErrors;
use tailor_domain::*;
use tailor_store::{AccountLink, ApiTokenSummary, Delegation, NewPassword, PasswordReset, PeopleFilter, PeopleQuery, StoreError};

/// What someone types to change their password.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct PasswordChangeInput {
    #[serde(default)]
    pub current_password: String,
    #[serde(default)]
    pub new_password: String,
    #[serde(default)]
    pub confirm_password: String,
}

/// A link waiting for confirmation, with the names a confirmer needs to judge it.
#[derive(Clone, Debug)]
pub struct PendingLink {
    pub link: AccountLink,
    pub account: tailor_domain::users::User,
    pub person: PersonSummary,
    pub requested_by_name: String,
    /// Whether the actor looking may confirm it (not the one who asked for it).
    pub may_decide: bool,
}

/// Checks a new password and its confirmation, naming the fields on the form.
fn check_new_password_pair(errors: &mut ValidationErrors, new: &str, confirm: &str, about_the_account: &[&str]) {
    check_password_strength(errors, "new_password", new, about_the_account);
    if errors.message_for("new_password").is_none() && new != confirm {
        errors.add("confirm_password", "The passwords do not match. Type the same new password twice");
    }
}

impl App {
    /// The actor's own API tokens, newest first.
    #[tracing::instrument(skip_all, fields(actor = %actor.user_id))]
    pub async fn my_api_tokens(&self, actor: &Actor) -> AppResult<Vec<ApiTokenSummary>> {
        Ok(self.store.list_api_tokens(actor.user_id).await?)
    }

    /// Revokes one of the actor's own tokens; it stops working at once.
    #[tracing::instrument(skip_all, fields(actor = %actor.user_id, token = %token_id))]
    pub async fn revoke_my_api_token(&self, actor: &Actor, token_id: ApiTokenId) -> AppResult<()> {
        let tokens = self.store.list_api_tokens(actor.user_id).await?;
        if !tokens.iter().any(|token| token.id == token_id) {
            return Err(AppError::NotFound);
        }
        let event = self.event(actor, AuditAction::ApiTokenRevoked).subject("api_token", token_id);
        self.store
            .revoke_api_token(actor.user_id, token_id, self.clock.now(), &event)
            .await?;
        Ok(())
    }

    /// Ends every session of the actor's account, this one included, and revokes every token.
    #[tracing::instrument(skip_all, fields(actor = %actor.user_id))]
    pub async fn sign_out_everywhere(&self, actor: &Actor) -> AppResult<(u64, u64)> {
        let now = self.clock.now();
        let event = self.event(actor, AuditAction::SignedOutEverywhere).subject("user", actor.user_id);
        Ok(self.store.end_everything_for(actor.user_id, now, &event).await?)
    }

    /// Whether the account must change its password before anything else.
    pub async fn password_change_due(&self, actor: &Actor) -> AppResult<bool> {
        Ok(self.store.password_state(actor.user_id).await?.must_change)
    }

    /// Changes the actor's password: the current one is required, the new one must be strong
    /// and different. Every other session ends and every API token is revoked; the session
    /// `keep_session` (the one making the change) stays signed in.
    #[tracing::instrument(skip_all, fields(actor = %actor.user_id))]
    pub async fn change_my_password(&self, actor: &Actor, keep_session: Option<&str>, input: &PasswordChangeInput) -> AppResult<()> {
        let user = self.store.get_user(actor.user_id).await?;
        let mut errors = ValidationErrors::default();
        if input.current_password.is_empty() {
            errors.add("current_password", "Enter your current password");
        }
        check_new_password_pair(
            &mut errors,
            &input.new_password,
            &input.confirm_password,
            &[&user.email, &user.display_name],
        );
        if errors.message_for("new_password").is_none() && input.new_password == input.current_password {
            errors.add("new_password", "Your new password must be different from your current password");
        }
        errors.into_result(())?;
        let state = self.store.password_state(actor.user_id).await?;
        if input.current_password.len() > 1024 || !password_matches(input.current_password.clone(), state.hash.clone()).await {
            self.store
                .append_audit(&self.event(actor, AuditAction::PasswordChangeRefused).subject("user", actor.user_id))
                .await?;
            return Err(single_error("current_password", "Your current password is not right"));
        }
        let hash = hash_password(input.new_password.clone()).await?;
        let event = self
            .event(actor, AuditAction::PasswordChanged)
            .subject("user", actor.user_id)
            .details(serde_json::json!({ "first_password_replaced": state.must_change }));
        self.store
            .change_password(
                &NewPassword {
                    user_id: actor.user_id,
                    hash: &hash,
                    expected_version: state.version,
                    must_change: false,
                    keep_session,
                    at: self.clock.now(),
                },
                &event,
            )
            .await?;
        Ok(())
    }

    /// Issues a one-time link for an account to set a new password. Returns the link's secret
    /// (shown once to the administrator, who passes it on); only its hash is kept.
    #[tracing::instrument(skip_all, fields(actor = %actor.user_id, user = %user_id))]
    pub async fn issue_password_reset(&self, actor: &Actor, user_id: UserId) -> AppResult<(String, PasswordReset)> {
        self.require(actor, Permission::AdministerUsers, "issue a password reset link")
            .await?;
        let user = self.store.get_user(user_id).await?;
        let secret = random_secret();
        let now = self.clock.now();
        let reset = PasswordReset {
            id: PasswordResetId::generate(),
            user_id: user.id,
            token_hash: secret_hash(&secret),
            issued_by: actor.user_id,
            issued_at: now,
            expires_at: now + self.sessions.password_reset_lifetime,
            used_at: None,
        };
        let event = self
            .event(actor, AuditAction::PasswordResetIssued)
            .subject("user", user.id)
            .details(serde_json::json!({ "reset": reset.id, "expires_at": reset.expires_at }));
        self.store.insert_password_reset(&reset, &event).await?;
        Ok((secret, reset))
    }

    /// The reset link for this secret, if it can still be used.
    #[tracing::instrument(skip_all)]
    pub async fn usable_password_reset(&self, secret: &str) -> AppResult<Option<PasswordReset>> {
        if secret.len() > 128 {
            return Ok(None);
        }
        let found = self.store.find_password_reset(&secret_hash(secret)).await?;
        Ok(found.filter(|reset| reset.used_at.is_none() && reset.expires_at > self.clock.now()))
    }

    /// Sets a new password with a reset link, once: every session ends and every token is
    /// revoked, and the owner then signs in with the new password.
    #[tracing::instrument(skip_all)]
    pub async fn reset_password(&self, secret: &str, new_password: &str, confirm_password: &str) -> AppResult<()> {
        let reset = self.usable_password_reset(secret).await?.ok_or(AppError::NotFound)?;
        let user = self.store.get_user(reset.user_id).await?;
        let mut errors = ValidationErrors::default();
        check_new_password_pair(&mut errors, new_password, confirm_password, &[&user.email, &user.display_name]);
        errors.into_result(())?;
        let hash = hash_password(new_password.to_owned()).await?;
        let now = self.clock.now();
        let event = NewAuditEvent::new(now, Some(user.id), user.display_name.clone(), AuditAction::PasswordReset)
            .subject("user", user.id)
            .details(serde_json::json!({ "reset": reset.id }));
        self.store
            .use_password_reset(
                reset.id,
                &NewPassword {
                    user_id: user.id,
                    hash: &hash,
                    expected_version: 0,
                    must_change: false,
                    keep_session: None,
                    at: now,
                },
                &event,
            )
            .await
            .map_err(|error| match error {
                StoreError::StateChanged(_) => AppError::NotFound,
                other => other.into(),
            })?;
        Ok(())
    }

    /// One delegation of the person's, for the page that changes or withdraws it.
    #[tracing::instrument(skip_all, fields(actor = %actor.user_id, person = %person_id))]
    pub async fn delegation_to_manage(&self, actor: &Actor, person_id: PersonId, id: DelegationId) -> AppResult<(Delegation, i64)> {
        let access = self.access_to_person(actor, person_id, "manage delegated access").await?;
        self.refuse_part(
            actor,
            person_id,
            access.may(Capability::ManageDelegations),
            "manage delegated access",
        )
        .await?;
        match self.store.find_delegation(id).await? {
            Some((delegation, version)) if delegation.person_id == person_id => Ok((delegation, version)),
            _ => Err(AppError::NotFound),
        }
    }

    /// New scopes for a helper, chosen by the person (or their worker); the helper's access
    /// follows at once.
    #[tracing::instrument(skip_all, fields(actor = %actor.user_id, person = %person_id))]
    pub async fn change_delegation(
        &self,
        actor: &Actor,
        person_id: PersonId,
        id: DelegationId,
        version: i64,
        scopes: &[String],
    ) -> AppResult<()> {
        let (before, _) = self.delegation_to_manage(actor, person_id, id).await?;
        let mut chosen: Vec<DelegationScope> = scopes.iter().filter_map(|scope| DelegationScope::parse(scope)).collect();
        chosen.sort();
        chosen.dedup();
        if chosen.is_empty() {
            return Err(single_error(
                "scopes",
                "Select at least one thing the helper may do, or stop their access instead",
            ));
        }
        let event = self
            .event(actor, AuditAction::DelegationChanged)
            .person(person_id)
            .subject("delegation", id)
            .details(serde_json::json!({
                "helper": before.helper_id,
                "before": before.scopes.iter().map(|scope| scope.as_str()).collect::<Vec<_>>(),
                "after": chosen.iter().map(|scope| scope.as_str()).collect::<Vec<_>>(),
            }));
        self.store.change_delegation_scopes(id, person_id, &chosen, version, &event).await?;
        Ok(())
    }

    /// Ends a helper's access: they are refused from the next request on.
    #[tracing::instrument(skip_all, fields(actor = %actor.user_id, person = %person_id))]
    pub async fn withdraw_delegation(&self, actor: &Actor, person_id: PersonId, id: DelegationId, version: i64) -> AppResult<()> {
        let (before, _) = self.delegation_to_manage(actor, person_id, id).await?;
        let now = self.clock.now();
        let event = self
            .event(actor, AuditAction::DelegationWithdrawn)
            .person(person_id)
            .subject("delegation", id)
            .details(serde_json::json!({ "helper": before.helper_id }));
        self.store
            .withdraw_delegation(id, person_id, version, actor.user_id, now, &event)
            .await?;
        Ok(())
    }

    /// Finds people to link an account to, by name, date of birth or NHS number, without
    /// opening their records. The search is audited by which field was searched, not its value.
    #[tracing::instrument(skip_all, fields(actor = %actor.user_id))]
    pub async fn pick_person_for_account(&self, actor: &Actor, text: &str) -> AppResult<Vec<PersonSummary>> {
        self.require(actor, Permission::PickPersonForAccount, "search for a person to link an account to")
            .await?;
        let mut errors = ValidationErrors::default();
        tailor_domain::validation::refuse_control_characters(&mut errors, "person_search", "the search", text, false);
        errors.into_result(())?;
        let search = PeopleSearch::from_query(text);
        if search.is_empty() {
            return Ok(Vec::new());
        }
        let searched_by = if search.nhs_number.is_some() {
            "nhs_number"
        } else if search.date_of_birth.is_some() {
            "date_of_birth"
        } else if search.postcode.is_some() {
            "postcode"
        } else {
            "name"
        };
        let people = self
            .store
            .search_people(&PeopleQuery {
                filter: PeopleFilter::Everyone,
                search,
                limit: 20,
                offset: 0,
            })
            .await?;
        let event = self.event(actor, AuditAction::PersonPickerSearched).details(serde_json::json!({
            "searched_by": searched_by,
            "found": people.iter().map(|person| person.id).collect::<Vec<_>>(),
            "purpose": "link an account to a person's record",
        }));
        self.store.append_audit(&event).await?;
        Ok(people)
    }

    /// Links waiting for a second person, with whether `actor` may decide each.
    #[tracing::instrument(skip_all, fields(actor = %actor.user_id))]
    pub async fn pending_account_links(&self, actor: &Actor) -> AppResult<Vec<PendingLink>> {
        self.require(actor, Permission::ConfirmAccountLinks, "see account links waiting for confirmation")
            .await?;
        let mut pending = Vec::new();
        for link in self.store.pending_account_links().await? {
            let person = self.store.get_person(link.person_id).await?;
            let may_decide = may_confirm_account_link(actor, link.requested_by, person.team_id);
            if !may_decide && !actor.role.allows(Permission::AdministerUsers) {
                // A team manager sees only the links of their own team's people.
                continue;
            }
            let account = self.store.get_user(link.user_id).await?;
            let requested_by_name = self.store.get_user(link.requested_by).await?.display_name;
            pending.push(PendingLink {
                person: PersonSummary {
                    id: person.id,
                    given_name: person.details.given_name.clone(),
                    family_name: person.details.family_name.clone(),
                    date_of_birth: person.details.date_of_birth,
                    nhs_number: person.details.nhs_number,
                    postcode: person.details.address.postcode.clone(),
                    allocated_worker: person.allocated_worker,
                    allocated_worker_name: None,
                    team_id: person.team_id,
                },
                link,
                account,
                requested_by_name,
                may_decide,
            });
        }
        if !pending.is_empty() {
            let event = self.event(actor, AuditAction::PersonPickerSearched).details(serde_json::json!({
                "shown": pending.iter().map(|waiting| waiting.person.id).collect::<Vec<_>>(),
                "purpose": "confirm account links",
            }));
            self.store.append_audit(&event).await?;
        }
        Ok(pending)
    }

    /// Confirms or refuses a waiting link. Never by the administrator who asked for it.
    #[tracing::instrument(skip_all, fields(actor = %actor.user_id, link = %id))]
    pub async fn decide_account_link(&self, actor: &Actor, id: AccountLinkId, version: i64, confirm: bool) -> AppResult<()> {
        self.require(actor, Permission::ConfirmAccountLinks, "confirm an account link")
            .await?;
        let link = self.store.get_account_link(id).await?;
        let person = self.store.get_person(link.person_id).await?;
        if !may_confirm_account_link(actor, link.requested_by, person.team_id) {
            self.record_refusal(actor, "confirm an account link they may not confirm", Some(link.person_id))
                .await;
            return Err(AppError::Forbidden);
        }
        let action = if confirm {
            AuditAction::AccountLinkConfirmed
        } else {
            AuditAction::AccountLinkRefused
        };
        let event = self
            .event(actor, action)
            .person(link.person_id)
            .subject("account_link", id)
            .details(serde_json::json!({ "user": link.user_id, "requested_by": link.requested_by }));
        self.store
            .decide_account_link(id, confirm, actor.user_id, self.clock.now(), version, &event)
            .await?;
        Ok(())
    }
}
