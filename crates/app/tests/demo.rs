//! The demo council is deterministic for a seed, has every account, and leaves an intact audit log.

use std::sync::Arc;
use tailor_app::clock::SystemClock;
use tailor_app::demo::{demo_person_id, DemoOptions};
use tailor_app::{App, SessionPolicy};
use tailor_domain::people::PeopleSearch;
use tailor_store::{PeopleFilter, PeopleQuery, Store};
use tailor_store_sqlite::SqliteStore;

/// The app, and its store for looking behind the use cases.
async fn demo_app(seed: u64, people: u32) -> (App, Arc<dyn Store>) {
    let store: Arc<dyn Store> = Arc::new(SqliteStore::connect("sqlite::memory:").await.unwrap());
    let app = App::new(store.clone(), Arc::new(SystemClock), SessionPolicy::default());
    app.build_demo_council(&DemoOptions {
        people,
        seed,
        password: "demo password 123".into(),
    })
    .await
    .unwrap();
    (app, store)
}

async fn everyone((_, store): &(App, Arc<dyn Store>)) -> Vec<(String, String, Option<String>)> {
    let query = PeopleQuery {
        filter: PeopleFilter::Everyone,
        search: PeopleSearch::default(),
        limit: 1000,
        offset: 0,
    };
    store
        .search_people(&query)
        .await
        .unwrap()
        .into_iter()
        .map(|person| {
            (
                person.id.to_string(),
                person.full_name(),
                person.nhs_number.map(|number| number.digits()),
            )
        })
        .collect()
}

#[tokio::test]
async fn the_same_seed_builds_the_same_people() {
    let first = everyone(&demo_app(7, 120).await).await;
    let second = everyone(&demo_app(7, 120).await).await;
    let other = everyone(&demo_app(8, 120).await).await;
    assert_eq!(first.len(), 120);
    assert_eq!(first, second);
    assert_ne!(first, other);
    assert!(first.iter().any(|(id, _, _)| *id == demo_person_id(7, 0).to_string()));
}

#[tokio::test]
async fn every_demo_account_exists_and_can_sign_in() {
    let (app, store) = demo_app(1, 40).await;
    for local in tailor_app::demo::DEMO_ACCOUNTS {
        let signed_in = app
            .sign_in(&format!("{local}@demo.invalid"), "demo password 123", "test client", None)
            .await;
        assert!(signed_in.is_ok(), "{local} could not sign in");
    }
    let helper = store.find_user_by_email("helper@demo.invalid").await.unwrap().unwrap().0;
    let delegated = store.list_delegations_for_helper(helper.id).await.unwrap();
    assert_eq!(
        delegated.len(),
        2,
        "the helper helps the person a worker set up, and person@, who gave access themselves"
    );
    let person = store.find_user_by_email("person@demo.invalid").await.unwrap().unwrap().0;
    assert!(delegated.iter().any(|delegation| Some(delegation.person_id) == person.person_id));
    let waiting = store.find_user_by_email("person.waiting@demo.invalid").await.unwrap().unwrap().0;
    assert_eq!(waiting.person_id, None, "a link waits for a second administrator");
    assert_eq!(store.pending_account_links().await.unwrap().len(), 1);
    let analyst = store.find_user_by_email("analyst@demo.invalid").await.unwrap().unwrap().0;
    let tokens = store.list_api_tokens(analyst.id).await.unwrap();
    assert_eq!(
        tokens.iter().map(|token| token.revoked_at.is_some()).collect::<Vec<_>>(),
        vec![false, true],
        "a working token and a withdrawn one"
    );
    assert_eq!(
        app.verify_audit_chain(None).await.unwrap().map(|report| report.checked > 0),
        Ok(true)
    );
}

#[tokio::test]
async fn the_demo_is_only_built_on_an_empty_database() {
    let (app, _) = demo_app(1, 10).await;
    let again = app
        .build_demo_council(&DemoOptions {
            people: 10,
            seed: 1,
            password: "demo password 123".into(),
        })
        .await;
    assert!(again.is_err());
}

#[tokio::test]
async fn the_demo_shows_challenges_of_several_kinds_and_a_redetermined_decision() {
    use tailor_domain::challenges::{ChallengeKind, ChallengeOutcome};
    let built = demo_app(3, 40).await;
    let people = everyone(&built).await;
    let (app, store) = built;
    let manager = tailor_app::auth::actor_for(&store.find_user_by_email("manager@demo.invalid").await.unwrap().unwrap().0);
    let queue = app.challenges_to_answer(&manager).await.unwrap();
    let today = app.clock.today();
    assert_eq!(queue[0].kind(), ChallengeKind::IndicativeBudget, "the soonest due is first");
    assert_eq!(queue[0].days_left(today), 2, "one open near its deadline");
    assert!(queue
        .iter()
        .any(|challenge| challenge.kind() == ChallengeKind::Budget && challenge.recorded_on_behalf()));

    let mut answered = Vec::new();
    let mut redetermined = 0;
    let mut advised = 0;
    for (id, _, _) in &people {
        let person_id: tailor_domain::PersonId = id.parse().unwrap();
        answered.extend(store.list_challenges(person_id).await.unwrap().into_iter().filter_map(|challenge| {
            challenge
                .answer
                .and_then(|answer| answer.outcome)
                .map(|outcome| (challenge.subject.kind(), outcome))
        }));
        let decisions = store.list_eligibility(person_id).await.unwrap();
        if decisions.len() == 2 && decisions.iter().filter(|record| record.is_current()).count() == 1 {
            redetermined += 1;
        }
        advised += decisions
            .iter()
            .filter(|record| record.is_current() && !record.decision.eligible && record.prevention_advice.is_some())
            .count();
    }
    assert!(answered.contains(&(ChallengeKind::Eligibility, ChallengeOutcome::Upheld)));
    assert!(answered.contains(&(ChallengeKind::Charge, ChallengeOutcome::NotUpheld)));
    assert_eq!(redetermined, 1);
    assert!(advised >= 1, "a person found not eligible has written advice");
}
