//! The demo council's account self-service: the person has given their helper access they can
//! change or stop, an account link waits for a second administrator, and the analyst holds API
//! tokens, one of them already withdrawn; the Caldicott guardian signs in with two steps, with
//! a published key so a visitor can add it to an authenticator app and try it.

use crate::demo::{DemoOptions, DEMO_DOMAIN};
use crate::{App, AppResult};
use tailor_domain::access::DelegationScope;
use tailor_domain::audit::AuditAction;
use tailor_domain::people::Person;
use tailor_domain::users::NewUserInput;

/// The demo Caldicott guardian's two-step sign-in key (20 bytes, as RFC 4226 recommends). It is
/// printed by `tailor demo` and in the README, like the demo password: for trying it, never for
/// a real account.
pub const DEMO_TWO_FACTOR_SECRET: &[u8; 20] = b"tailor-demo-two-step";
/// The account that has it.
pub const DEMO_TWO_FACTOR_ACCOUNT: &str = "caldicott";

impl App {
    pub(crate) async fn demo_self_service(&self, options: &DemoOptions, first_people: &[Person]) -> AppResult<()> {
        let account = |local: &str| format!("{local}@{DEMO_DOMAIN}");
        let find = |local: &str| {
            let email = account(local);
            async move { self.store.find_user_by_email(&email).await }
        };
        // The person lets their helper see their details and letters: theirs to change or stop
        // from their own record's page.
        if let (Some(own), Some((person, _))) = (first_people.first(), find("person").await?) {
            if find("helper").await?.is_some() {
                self.grant_delegation(
                    &crate::auth::actor_for(&person),
                    own.id,
                    &crate::people::DelegationInput {
                        helper_email: account("helper"),
                        scopes: [DelegationScope::ViewDetails, DelegationScope::ViewDocuments]
                            .iter()
                            .map(|scope| scope.as_str().to_owned())
                            .collect(),
                        expires_on: String::new(),
                    },
                )
                .await?;
            }
        }
        // Alex Morgan asked for an account for the fourth person; Chris Adeyemi (or the
        // person's team manager) confirms it on the Account links page.
        if let (Some(someone), Some((admin, _))) = (first_people.get(3), find("admin").await?) {
            self.create_user(
                &crate::auth::actor_for(&admin),
                &NewUserInput {
                    email: account("person.waiting"),
                    display_name: someone.full_name(),
                    role: "person".into(),
                    person_id: someone.id.to_string(),
                    password: options.password.clone(),
                    ..Default::default()
                },
            )
            .await?;
        }
        // Two tokens for the analyst's reports; the older one has been withdrawn.
        if find("analyst").await?.is_some() {
            let (_, first) = self
                .create_api_token(&account("analyst"), &options.password, None, "demo council")
                .await?;
            self.create_api_token(&account("analyst"), &options.password, None, "demo council")
                .await?;
            let analyst = self.store.get_user(first.user_id).await?;
            let tokens = self.store.list_api_tokens(analyst.id).await?;
            if let Some(oldest) = tokens.last() {
                self.revoke_my_api_token(&crate::auth::actor_for(&analyst), oldest.id).await?;
            }
        }
        // The Caldicott guardian, who reads who looked at whose record, has two-step sign-in.
        if let Some((guardian, _)) = find(DEMO_TWO_FACTOR_ACCOUNT).await? {
            let now = self.clock.now();
            self.store.start_two_factor(guardian.id, DEMO_TWO_FACTOR_SECRET, now).await?;
            // Marked as used up to a minute ago, so the code an app shows now signs in.
            let step = tailor_domain::two_factor::time_step(now.timestamp()) - 2;
            let (_, codes) = crate::two_factor::new_recovery_codes();
            let actor = crate::auth::actor_for(&guardian);
            let event = self.event(&actor, AuditAction::TwoFactorEnrolled).subject("user", guardian.id);
            self.store.confirm_two_factor(guardian.id, step, now, &codes, &event).await?;
        }
        Ok(())
    }
}
