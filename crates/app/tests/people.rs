//! People's records through the use cases: who may allocate whom, and refusals that come before
//! anything typed is read.

use std::sync::Arc;
use tailor_app::clock::SystemClock;
use tailor_app::people::DelegationInput;
use tailor_app::{App, AppError, SessionPolicy};
use tailor_domain::access::{Actor, Role};
use tailor_domain::audit::AuditAction;
use tailor_domain::people::PersonDetailsInput;
use tailor_domain::users::NewUser;
use tailor_domain::{PersonId, TeamId};
use tailor_store::{AuditQuery, Store};
use tailor_store_sqlite::SqliteStore;

struct Council {
    app: App,
    store: Arc<dyn Store>,
    manager: Actor,
    worker_north: Actor,
    worker_south: Actor,
    /// In the North team, created by the North worker.
    person: PersonId,
}

async fn account(app: &App, email: &str, role: Role, team: Option<TeamId>) -> Actor {
    let user = app
        .create_user_unchecked(
            None,
            NewUser {
                email: email.into(),
                display_name: email.split('@').next().unwrap().into(),
                role,
                team_id: team,
                person_id: None,
                organisation_id: None,
                password: "a long test password".into(),
            },
        )
        .await
        .unwrap();
    tailor_app::auth::actor_for(&user)
}

async fn council() -> Council {
    let store: Arc<dyn Store> = Arc::new(SqliteStore::connect("sqlite::memory:").await.unwrap());
    let app = App::new(store.clone(), Arc::new(SystemClock), SessionPolicy::default());
    let north = app.create_team(None, "North").await.unwrap().id;
    let south = app.create_team(None, "South").await.unwrap().id;
    let manager = account(&app, "manager@example.org", Role::TeamManager, Some(north)).await;
    let worker_north = account(&app, "north@example.org", Role::Practitioner, Some(north)).await;
    let worker_south = account(&app, "south@example.org", Role::Practitioner, Some(south)).await;
    let details = PersonDetailsInput {
        given_name: "Ada".into(),
        family_name: "Okafor".into(),
        date_of_birth_day: "4".into(),
        date_of_birth_month: "11".into(),
        date_of_birth_year: "1948".into(),
        address_line_1: "1 Mill Lane".into(),
        town: "Tailorford".into(),
        postcode: "TF1 1AA".into(),
        contact_preference: "letter".into(),
        ..Default::default()
    };
    let person = app.create_person(&worker_north, &details).await.unwrap().id;
    Council {
        app,
        store,
        manager,
        worker_north,
        worker_south,
        person,
    }
}

/// How many refusals are audited, about this person or (with `None`) in all.
async fn refusals(store: &Arc<dyn Store>, person: Option<PersonId>) -> usize {
    store
        .list_audit(&AuditQuery {
            person_id: person,
            action: Some(AuditAction::AccessRefused),
            limit: 100,
        })
        .await
        .unwrap()
        .len()
}

#[tokio::test]
async fn a_team_manager_allocates_only_workers_of_their_own_team() {
    let council = council().await;
    let options = council.app.allocation_options(&council.manager, council.person).await.unwrap();
    let offered: Vec<_> = options.workers.iter().map(|user| user.id).collect();
    assert!(offered.contains(&council.worker_north.user_id));
    assert!(offered.contains(&council.manager.user_id));
    assert!(!offered.contains(&council.worker_south.user_id), "South's worker is not offered");

    let refused = council
        .app
        .allocate_worker(&council.manager, council.person, &council.worker_south.user_id.to_string())
        .await;
    assert!(matches!(refused, Err(AppError::Invalid(_))), "{refused:?}");
    let person = council
        .app
        .allocate_worker(&council.manager, council.person, &council.manager.user_id.to_string())
        .await
        .unwrap();
    assert_eq!(person.allocated_worker, Some(council.manager.user_id));
    let unallocated = council.app.allocate_worker(&council.manager, council.person, "").await.unwrap();
    assert_eq!(unallocated.allocated_worker, None);
}

#[tokio::test]
async fn a_practitioner_may_not_allocate_and_the_attempt_is_audited() {
    let council = council().await;
    let before = refusals(&council.store, None).await;
    let refused = council
        .app
        .allocate_worker(&council.worker_north, council.person, &council.worker_north.user_id.to_string())
        .await;
    assert!(matches!(refused, Err(AppError::Forbidden)), "{refused:?}");
    assert!(matches!(
        council.app.allocation_options(&council.worker_north, council.person).await,
        Err(AppError::Forbidden)
    ));
    assert_eq!(refusals(&council.store, None).await, before + 2, "both attempts are audited");
}

#[tokio::test]
async fn a_refused_request_is_refused_before_what_was_typed_is_read() {
    let council = council().await;
    let before = refusals(&council.store, Some(council.person)).await;
    let outsider = &council.worker_south;
    let nonsense = DelegationInput {
        helper_email: "not an email".into(),
        scopes: vec!["everything".into()],
        expires_on: "never".into(),
    };
    assert!(matches!(
        council.app.grant_delegation(outsider, council.person, &nonsense).await,
        Err(AppError::Forbidden)
    ));
    assert!(matches!(
        council.app.add_money_holder(outsider, council.person, "not an organisation").await,
        Err(AppError::Forbidden)
    ));
    assert!(matches!(
        council.app.person_for_page(outsider, council.person, "test").await,
        Err(AppError::Forbidden)
    ));
    assert_eq!(
        refusals(&council.store, Some(council.person)).await,
        before + 3,
        "each refusal is audited"
    );
}

#[tokio::test]
async fn a_page_that_names_the_person_logs_the_read() {
    let council = council().await;
    let reads = |store: Arc<dyn Store>, person| async move {
        store
            .list_audit(&AuditQuery {
                person_id: Some(person),
                action: Some(AuditAction::PersonViewed),
                limit: 100,
            })
            .await
            .unwrap()
            .len()
    };
    let before = reads(council.store.clone(), council.person).await;
    let person = council
        .app
        .person_for_page(&council.worker_north, council.person, "add a case note")
        .await
        .unwrap();
    assert_eq!(person.full_name(), "Ada Okafor");
    assert_eq!(reads(council.store.clone(), council.person).await, before + 1);
}
