//! The conformance suite: one set of tests, written against the port, that every adapter runs.
//!
//! An adapter's test calls `run_all` with a function that makes a fresh, empty, migrated store;
//! each check gets its own store, so checks never see each other's rows.
//!
//! Long because it is every check of the foundation's half of the port; the steps' checks are in
//! `conformance/steps.rs`.

pub mod accounts;
pub mod audit_log;
pub mod budget_requests;
pub mod challenges;
pub mod steps;
pub mod two_factor;
pub mod worklists;

use crate::*;
use chrono::{Duration, SubsecRound};
use std::future::Future;
use tailor_domain::access::DelegationScope;
use tailor_domain::audit::{verify_chain, AuditAction, AuditKey, ChainVerifier, KEYED_HASH};
use tailor_domain::nhs_number::NhsNumber;
use tailor_domain::notes::NoteKind;
use tailor_domain::people::{Address, Consent, ConsentStatus, ContactPreference, PersonDetails, RelationshipKind, WarningCategory};
use tailor_domain::users::OrganisationKind;
use tailor_domain::*;

type Check = fn(Box<dyn Store>) -> std::pin::Pin<Box<dyn Future<Output = ()> + Send>>;

macro_rules! checks {
    ($($name:path),* $(,)?) => {
        /// Every check by name, so a failure says which one.
        pub const CHECKS: &[(&str, Check)] = &[$((stringify!($name), |store| Box::pin($name(store)))),*];
    };
}

checks!(
    users_round_trip_and_emails_are_unique,
    people_round_trip_and_update,
    a_refused_write_leaves_no_audit_event,
    search_finds_by_name_nhs_number_and_date_of_birth,
    filters_limit_search_to_what_the_actor_may_see,
    access_facts_bring_delegations_and_money_holders,
    record_parts_round_trip_in_order,
    documents_keep_their_bytes,
    sessions_rotate_touch_and_expire,
    sign_in_attempts_are_counted_per_client_and_delayed,
    simultaneous_sign_in_attempts_are_all_counted,
    api_tokens_are_found_by_hash,
    audit_events_form_a_verifiable_chain,
    demo_bulk_load_writes_everything,
    configuration_versions_are_kept_in_order,
    steps::assessments_change_only_from_the_state_they_were_read_in,
    steps::plans_budgets_and_challenges_round_trip,
    steps::simultaneous_plan_decisions_land_once,
    steps::simultaneous_eligibility_decisions_land_once,
    steps::simultaneous_plans_for_one_person_start_once,
    steps::jobs_run_once_and_retry_with_back_off,
    accounts::api_tokens_are_listed_revoked_once_and_end_with_everything,
    accounts::passwords_change_once_and_end_the_other_sessions,
    accounts::reset_links_work_once_and_not_after_expiry,
    accounts::delegations_change_scopes_and_are_withdrawn_once,
    accounts::account_links_wait_for_a_second_person,
    challenges::challenges_of_any_decision_keep_who_owns_and_who_recorded_them,
    challenges::simultaneous_answers_to_one_challenge_land_once,
    challenges::simultaneous_reassignments_of_one_challenge_land_once,
    challenges::a_redetermination_keeps_the_earlier_decision_marked_replaced,
    challenges::simultaneous_redeterminations_land_once,
    steps::assessment_duties_round_trip_and_change_only_from_their_version,
    steps::simultaneous_assessment_duties_land_once,
    steps::about_you_is_saved_once_from_its_version,
    worklists::caseload_shows_each_person_at_their_stage,
    audit_log::audit_log_filters_pages_and_names,
    budget_requests::override_requests_wait_one_at_a_time_and_are_decided_once,
    budget_requests::simultaneous_decisions_on_one_override_request_land_once,
    budget_requests::a_new_override_request_racing_a_decision_never_leaves_two_waiting,
    budget_requests::work_queue_names_come_with_their_access_facts_at_once,
    two_factor::a_code_is_used_once_even_when_typed_eight_times_at_once,
    two_factor::recovery_codes_work_once_and_are_replaced,
    two_factor::removing_two_factor_ends_other_sessions_and_pending_sign_ins,
);

/// Runs every check, each on a store from `make_store`, and panics naming the first that fails.
pub async fn run_all<F, Fut>(make_store: F)
where
    F: Fn() -> Fut,
    Fut: Future<Output = Box<dyn Store>>,
{
    for (name, check) in CHECKS {
        let store = make_store().await;
        eprintln!("conformance: {name}");
        check(store).await;
    }
}

/// The key the adapters' conformance runs give their stores (`SqlStore::with_audit_key`), so
/// that the suite can check the events are sealed with it.
pub fn audit_key() -> AuditKey {
    AuditKey::from_text("conformance-suite-audit-key-not-secret").expect("long enough")
}

/// Now, at the microsecond precision both databases keep, so round trips compare equal.
pub fn now() -> DateTime<Utc> {
    Utc::now().trunc_subsecs(6)
}

pub(crate) fn audit(action: AuditAction) -> NewAuditEvent {
    NewAuditEvent::new(now(), None, "conformance suite", action)
}

fn team(name: &str) -> Team {
    Team {
        id: TeamId::generate(),
        name: name.into(),
        created_at: now(),
    }
}

pub(crate) fn user(email: &str, role: Role, team_id: Option<TeamId>) -> User {
    User {
        id: UserId::generate(),
        email: email.into(),
        display_name: format!("User {email}"),
        role,
        team_id,
        person_id: None,
        organisation_id: None,
        active: true,
        created_at: now(),
    }
}

fn details(given: &str, family: &str, born: &str, nhs: Option<&str>) -> PersonDetails {
    PersonDetails {
        given_name: given.into(),
        family_name: family.into(),
        preferred_name: None,
        date_of_birth: born.parse().unwrap(),
        nhs_number: nhs.map(|number| number.parse::<NhsNumber>().unwrap()),
        address: Address {
            line_1: "1 High Street".into(),
            line_2: None,
            town: "Tailorford".into(),
            postcode: "TF1 1AA".into(),
        },
        phone: Some("01632 960001".into()),
        email: None,
        contact_preference: ContactPreference::Phone,
        communication_needs: "Large print letters".into(),
        consent: Consent {
            status: ConsentStatus::Yes,
            limitations: String::new(),
            recorded_on: Some("2026-01-05".parse().unwrap()),
        },
    }
}

pub(crate) fn person(given: &str, family: &str, born: &str, nhs: Option<&str>, team_id: Option<TeamId>) -> Person {
    Person {
        id: PersonId::generate(),
        details: details(given, family, born, nhs),
        allocated_worker: None,
        team_id,
        created_at: now(),
        updated_at: now(),
    }
}

pub(crate) async fn seed_team_and_worker(store: &dyn Store) -> (Team, User) {
    let team = team("North locality");
    store.insert_team(&team, &audit(AuditAction::TeamCreated)).await.unwrap();
    let worker = user("worker@example.org", Role::Practitioner, Some(team.id));
    store.insert_user(&worker, "hash", &audit(AuditAction::UserCreated)).await.unwrap();
    (team, worker)
}

fn query(filter: PeopleFilter, search: PeopleSearch) -> PeopleQuery {
    PeopleQuery {
        filter,
        search,
        limit: 50,
        offset: 0,
    }
}

async fn users_round_trip_and_emails_are_unique(store: Box<dyn Store>) {
    assert!(store.is_empty().await.unwrap());
    let (team, worker) = seed_team_and_worker(&*store).await;
    assert!(!store.is_empty().await.unwrap());
    let (found, hash) = store.find_user_by_email("worker@example.org").await.unwrap().unwrap();
    assert_eq!(found, worker);
    assert_eq!(hash, "hash");
    assert_eq!(store.get_user(worker.id).await.unwrap(), worker);
    assert!(store.find_user_by_email("nobody@example.org").await.unwrap().is_none());
    assert!(matches!(store.get_user(UserId::generate()).await, Err(StoreError::NotFound)));

    let duplicate = user("worker@example.org", Role::Analyst, None);
    let refused = store.insert_user(&duplicate, "hash", &audit(AuditAction::UserCreated)).await;
    assert!(matches!(refused, Err(StoreError::Conflict { what: "email" })), "{refused:?}");

    let mut changed = worker.clone();
    changed.display_name = "Renamed".into();
    changed.active = false;
    store.update_user(&changed, &audit(AuditAction::UserUpdated)).await.unwrap();
    assert_eq!(store.get_user(worker.id).await.unwrap(), changed);
    assert_eq!(store.list_users().await.unwrap().len(), 1);
    assert_eq!(store.list_users_with_role(Role::Practitioner).await.unwrap().len(), 1);
    assert_eq!(store.list_teams().await.unwrap(), vec![team.clone()]);
    let duplicate_team = Team {
        id: TeamId::generate(),
        ..team
    };
    assert!(matches!(
        store.insert_team(&duplicate_team, &audit(AuditAction::TeamCreated)).await,
        Err(StoreError::Conflict { .. })
    ));

    let organisation = Organisation {
        id: OrganisationId::generate(),
        name: "Kindly Care Ltd".into(),
        kind: OrganisationKind::CareProvider,
        created_at: now(),
    };
    store
        .insert_organisation(&organisation, &audit(AuditAction::OrganisationCreated))
        .await
        .unwrap();
    assert_eq!(store.get_organisation(organisation.id).await.unwrap(), organisation);
    assert_eq!(store.list_organisations().await.unwrap(), vec![organisation]);
}

async fn people_round_trip_and_update(store: Box<dyn Store>) {
    let (team, worker) = seed_team_and_worker(&*store).await;
    let mut someone = person("Ada", "Okafor", "1948-11-04", Some("9434765919"), Some(team.id));
    someone.details.address.line_2 = Some("Flat 2".into());
    someone.details.preferred_name = Some("Addie".into());
    store
        .insert_person(&someone, &audit(AuditAction::PersonCreated).person(someone.id))
        .await
        .unwrap();
    assert_eq!(store.get_person(someone.id).await.unwrap(), someone);

    let mut changed = someone.clone();
    changed.details.family_name = "Okafor-Smith".into();
    changed.details.nhs_number = None;
    changed.allocated_worker = Some(worker.id);
    changed.updated_at = now();
    store
        .update_person(&changed, &audit(AuditAction::PersonUpdated).person(someone.id))
        .await
        .unwrap();
    assert_eq!(store.get_person(someone.id).await.unwrap(), changed);

    let missing = person("No", "One", "1950-01-01", None, None);
    assert!(matches!(
        store.update_person(&missing, &audit(AuditAction::PersonUpdated)).await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(store.get_person(missing.id).await, Err(StoreError::NotFound)));
}

async fn a_refused_write_leaves_no_audit_event(store: Box<dyn Store>) {
    let first = person("Ada", "Okafor", "1948-11-04", Some("9434765919"), None);
    store.insert_person(&first, &audit(AuditAction::PersonCreated)).await.unwrap();
    let before = store.audit_chain(0, 1000).await.unwrap().len();
    let same_number = person("Bea", "Other", "1950-02-02", Some("9434765919"), None);
    let refused = store.insert_person(&same_number, &audit(AuditAction::PersonCreated)).await;
    assert!(matches!(refused, Err(StoreError::Conflict { what: "nhs_number" })), "{refused:?}");
    assert_eq!(
        store.audit_chain(0, 1000).await.unwrap().len(),
        before,
        "the refused change must not be audited as done"
    );
    assert!(matches!(store.get_person(same_number.id).await, Err(StoreError::NotFound)));
}

async fn search_finds_by_name_nhs_number_and_date_of_birth(store: Box<dyn Store>) {
    let people = [
        person("Ada", "Okafor", "1948-11-04", Some("9434765919"), None),
        person("Adam", "Smith", "1960-03-15", None, None),
        person("Bill", "Adams", "1937-07-01", None, None),
        person("Cara", "O%Brien", "1990-12-31", None, None),
    ];
    for someone in &people {
        store.insert_person(someone, &audit(AuditAction::PersonCreated)).await.unwrap();
    }
    let names = |found: Vec<PersonSummary>| found.into_iter().map(|summary| summary.full_name()).collect::<Vec<_>>();
    let by_name = store
        .search_people(&query(PeopleFilter::Everyone, PeopleSearch::from_query("ADA")))
        .await
        .unwrap();
    assert_eq!(
        names(by_name),
        vec!["Bill Adams", "Ada Okafor", "Adam Smith"],
        "prefix of either name, ordered by family name"
    );
    let full = store
        .search_people(&query(PeopleFilter::Everyone, PeopleSearch::from_query("ada okafor")))
        .await
        .unwrap();
    assert_eq!(names(full), vec!["Ada Okafor"]);
    let by_number = store
        .search_people(&query(PeopleFilter::Everyone, PeopleSearch::from_query("943 476 5919")))
        .await
        .unwrap();
    assert_eq!(names(by_number), vec!["Ada Okafor"]);
    let by_birth = store
        .search_people(&query(PeopleFilter::Everyone, PeopleSearch::from_query("15/03/1960")))
        .await
        .unwrap();
    assert_eq!(names(by_birth), vec!["Adam Smith"]);
    let wildcard = store
        .search_people(&query(PeopleFilter::Everyone, PeopleSearch::from_query("o%b")))
        .await
        .unwrap();
    assert_eq!(names(wildcard), vec!["Cara O%Brien"], "a typed wildcard is no wildcard");
    let without_punctuation = store
        .search_people(&query(PeopleFilter::Everyone, PeopleSearch::from_query("obrien")))
        .await
        .unwrap();
    assert_eq!(
        names(without_punctuation),
        vec!["Cara O%Brien"],
        "names are found without their punctuation"
    );
    let as_the_pages_show_it = store
        .search_people(&query(PeopleFilter::Everyone, PeopleSearch::from_query("15 March 1960")))
        .await
        .unwrap();
    assert_eq!(names(as_the_pages_show_it), vec!["Adam Smith"]);
    for typed in ["TF1 1AA", "tf11aa"] {
        let by_postcode = store
            .search_people(&query(PeopleFilter::Everyone, PeopleSearch::from_query(typed)))
            .await
            .unwrap();
        assert_eq!(by_postcode.len(), 4, "postcode {typed}");
    }
    let everyone = store
        .search_people(&query(PeopleFilter::Everyone, PeopleSearch::default()))
        .await
        .unwrap();
    assert_eq!(everyone.len(), 4);
    let paged = store
        .search_people(&PeopleQuery {
            filter: PeopleFilter::Everyone,
            search: PeopleSearch::default(),
            limit: 2,
            offset: 2,
        })
        .await
        .unwrap();
    assert_eq!(names(paged), vec!["Ada Okafor", "Adam Smith"]);
    assert_eq!(store.count_people(&PeopleFilter::Everyone).await.unwrap(), 4);
}

async fn filters_limit_search_to_what_the_actor_may_see(store: Box<dyn Store>) {
    let (team, worker) = seed_team_and_worker(&*store).await;
    let other_team = self::team("South locality");
    store.insert_team(&other_team, &audit(AuditAction::TeamCreated)).await.unwrap();
    let in_team = person("In", "Team", "1950-01-01", None, Some(team.id));
    let mut allocated_elsewhere = person("Allocated", "Elsewhere", "1950-01-01", None, Some(other_team.id));
    allocated_elsewhere.allocated_worker = Some(worker.id);
    let stranger = person("Total", "Stranger", "1950-01-01", None, Some(other_team.id));
    for someone in [&in_team, &allocated_elsewhere, &stranger] {
        store.insert_person(someone, &audit(AuditAction::PersonCreated)).await.unwrap();
    }
    let ids = |found: Vec<PersonSummary>| found.into_iter().map(|summary| summary.id).collect::<Vec<_>>();
    let team_view = PeopleFilter::TeamOrAllocated {
        team: Some(team.id),
        worker: worker.id,
    };
    let found = ids(store
        .search_people(&query(team_view.clone(), PeopleSearch::default()))
        .await
        .unwrap());
    assert_eq!(found, vec![allocated_elsewhere.id, in_team.id]);
    assert_eq!(store.count_people(&team_view).await.unwrap(), 2);
    let allocated = ids(store
        .search_people(&query(PeopleFilter::AllocatedTo(worker.id), PeopleSearch::default()))
        .await
        .unwrap());
    assert_eq!(allocated, vec![allocated_elsewhere.id]);
    let summary = store
        .search_people(&query(PeopleFilter::AllocatedTo(worker.id), PeopleSearch::default()))
        .await
        .unwrap();
    assert_eq!(summary[0].allocated_worker_name.as_deref(), Some("User worker@example.org"));

    let organisation = Organisation {
        id: OrganisationId::generate(),
        name: "Kindly Care".into(),
        kind: OrganisationKind::CareProvider,
        created_at: now(),
    };
    store
        .insert_organisation(&organisation, &audit(AuditAction::OrganisationCreated))
        .await
        .unwrap();
    store
        .insert_money_holder(
            stranger.id,
            organisation.id,
            "2026-01-01".parse().unwrap(),
            &audit(AuditAction::MoneyHolderAdded),
        )
        .await
        .unwrap();
    let held = ids(store
        .search_people(&query(PeopleFilter::MoneyHeldBy(organisation.id), PeopleSearch::default()))
        .await
        .unwrap());
    assert_eq!(held, vec![stranger.id]);
    assert_eq!(store.count_people(&PeopleFilter::MoneyHeldBy(organisation.id)).await.unwrap(), 1);

    let helper = user("helper@example.org", Role::Helper, None);
    store.insert_user(&helper, "hash", &audit(AuditAction::UserCreated)).await.unwrap();
    let delegation = Delegation {
        id: DelegationId::generate(),
        person_id: in_team.id,
        helper_id: helper.id,
        helper_name: helper.display_name.clone(),
        scopes: vec![DelegationScope::ViewDetails],
        expires_on: Some("2026-06-30".parse().unwrap()),
        granted_at: now(),
    };
    store
        .insert_delegation(&delegation, &audit(AuditAction::DelegationGranted))
        .await
        .unwrap();
    let before_expiry = PeopleFilter::DelegatedTo {
        helper: helper.id,
        on: "2026-06-30".parse().unwrap(),
    };
    let after_expiry = PeopleFilter::DelegatedTo {
        helper: helper.id,
        on: "2026-07-01".parse().unwrap(),
    };
    assert_eq!(
        ids(store
            .search_people(&query(before_expiry.clone(), PeopleSearch::default()))
            .await
            .unwrap()),
        vec![in_team.id]
    );
    assert!(store
        .search_people(&query(after_expiry.clone(), PeopleSearch::default()))
        .await
        .unwrap()
        .is_empty());
    assert_eq!(store.count_people(&before_expiry).await.unwrap(), 1);
    assert_eq!(store.count_people(&after_expiry).await.unwrap(), 0);
}

async fn access_facts_bring_delegations_and_money_holders(store: Box<dyn Store>) {
    let (team, worker) = seed_team_and_worker(&*store).await;
    let mut someone = person("Ada", "Okafor", "1948-11-04", None, Some(team.id));
    someone.allocated_worker = Some(worker.id);
    store.insert_person(&someone, &audit(AuditAction::PersonCreated)).await.unwrap();
    let helper = user("helper@example.org", Role::Helper, None);
    store.insert_user(&helper, "hash", &audit(AuditAction::UserCreated)).await.unwrap();
    let delegation = Delegation {
        id: DelegationId::generate(),
        person_id: someone.id,
        helper_id: helper.id,
        helper_name: helper.display_name.clone(),
        scopes: vec![DelegationScope::ViewDetails, DelegationScope::ViewDocuments],
        expires_on: None,
        granted_at: now(),
    };
    store
        .insert_delegation(&delegation, &audit(AuditAction::DelegationGranted))
        .await
        .unwrap();
    let organisation = Organisation {
        id: OrganisationId::generate(),
        name: "Kindly Care".into(),
        kind: OrganisationKind::CareProvider,
        created_at: now(),
    };
    store
        .insert_organisation(&organisation, &audit(AuditAction::OrganisationCreated))
        .await
        .unwrap();
    store
        .insert_money_holder(
            someone.id,
            organisation.id,
            "2026-01-01".parse().unwrap(),
            &audit(AuditAction::MoneyHolderAdded),
        )
        .await
        .unwrap();

    let facts = store.person_access_facts(someone.id).await.unwrap();
    assert_eq!(facts.person_id, Some(someone.id));
    assert_eq!(facts.allocated_worker, Some(worker.id));
    assert_eq!(facts.team, Some(team.id));
    assert_eq!(facts.delegations, vec![delegation.grant()]);
    assert_eq!(facts.money_held_by, vec![organisation.id]);
    assert_eq!(
        store.list_delegations_for_person(someone.id).await.unwrap(),
        vec![delegation.clone()]
    );
    assert_eq!(store.list_delegations_for_helper(helper.id).await.unwrap(), vec![delegation]);
    assert!(matches!(
        store.person_access_facts(PersonId::generate()).await,
        Err(StoreError::NotFound)
    ));
}

async fn record_parts_round_trip_in_order(store: Box<dyn Store>) {
    let (_, worker) = seed_team_and_worker(&*store).await;
    let someone = person("Ada", "Okafor", "1948-11-04", None, None);
    store.insert_person(&someone, &audit(AuditAction::PersonCreated)).await.unwrap();
    let relationship = Relationship {
        id: RelationshipId::generate(),
        person_id: someone.id,
        kind: RelationshipKind::Carer,
        name: "Femi Okafor".into(),
        phone: Some("07700 900982".into()),
        related_person_id: None,
        lives_with_person: true,
        notes: "Son; visits daily".into(),
        created_at: now(),
    };
    store
        .insert_relationship(&relationship, &audit(AuditAction::RelationshipAdded))
        .await
        .unwrap();
    assert_eq!(store.list_relationships(someone.id).await.unwrap(), vec![relationship]);

    let warning = Warning {
        id: WarningId::generate(),
        person_id: someone.id,
        category: WarningCategory::Access,
        text: "Key safe code is with the duty team".into(),
        created_by: worker.id,
        created_by_name: worker.display_name.clone(),
        created_at: now(),
    };
    store.insert_warning(&warning, &audit(AuditAction::WarningAdded)).await.unwrap();
    assert_eq!(store.list_warnings(someone.id).await.unwrap(), vec![warning]);

    let note = |text: &str, day: &str| CaseNote {
        id: NoteId::generate(),
        person_id: someone.id,
        kind: NoteKind::Visit,
        occurred_on: day.parse().unwrap(),
        text: text.into(),
        author_id: worker.id,
        author_name: worker.display_name.clone(),
        created_at: now(),
    };
    let older = note("First visit", "2026-01-02");
    let newer = note("Second visit", "2026-02-03");
    store.insert_note(&older, &audit(AuditAction::CaseNoteAdded)).await.unwrap();
    store.insert_note(&newer, &audit(AuditAction::CaseNoteAdded)).await.unwrap();
    assert_eq!(store.list_notes(someone.id, 10).await.unwrap(), vec![newer.clone(), older]);
    assert_eq!(store.list_notes(someone.id, 1).await.unwrap(), vec![newer]);
}

async fn documents_keep_their_bytes(store: Box<dyn Store>) {
    let (_, worker) = seed_team_and_worker(&*store).await;
    let someone = person("Ada", "Okafor", "1948-11-04", None, None);
    store.insert_person(&someone, &audit(AuditAction::PersonCreated)).await.unwrap();
    let content: Vec<u8> = (0..=255u8).cycle().take(70_000).collect();
    let document = DocumentMeta {
        id: DocumentId::generate(),
        person_id: someone.id,
        title: "Assessment letter".into(),
        file_name: "letter.pdf".into(),
        content_type: "application/pdf".into(),
        size_bytes: content.len() as i64,
        uploaded_by: worker.id,
        uploaded_by_name: worker.display_name.clone(),
        uploaded_at: now(),
    };
    store
        .insert_document(&document, &content, &audit(AuditAction::DocumentAdded))
        .await
        .unwrap();
    assert_eq!(store.list_documents(someone.id).await.unwrap(), vec![document.clone()]);
    assert_eq!(store.get_document(document.id).await.unwrap(), (document, content));
    assert!(matches!(
        store.get_document(DocumentId::generate()).await,
        Err(StoreError::NotFound)
    ));
}

async fn sessions_rotate_touch_and_expire(store: Box<dyn Store>) {
    let (_, worker) = seed_team_and_worker(&*store).await;
    let started = now() - Duration::hours(2);
    let anonymous = SessionRecord {
        id_hash: "anonymous".into(),
        user_id: None,
        csrf_token: "token-1".into(),
        created_at: started,
        last_seen_at: started,
        pending_user_id: None,
    };
    store.insert_session(&anonymous).await.unwrap();
    assert_eq!(store.find_session("anonymous").await.unwrap(), Some(anonymous));
    let signed_in = SessionRecord {
        id_hash: "signed-in".into(),
        user_id: Some(worker.id),
        csrf_token: "token-2".into(),
        created_at: now(),
        last_seen_at: now(),
        pending_user_id: None,
    };
    store
        .rotate_session(Some("anonymous"), &signed_in, &audit(AuditAction::SignedIn))
        .await
        .unwrap();
    assert_eq!(
        store.find_session("anonymous").await.unwrap(),
        None,
        "the old session id no longer works"
    );
    assert_eq!(store.find_session("signed-in").await.unwrap(), Some(signed_in.clone()));
    let later = now() + Duration::minutes(5);
    store.touch_session("signed-in", later).await.unwrap();
    assert_eq!(store.find_session("signed-in").await.unwrap().unwrap().last_seen_at, later);

    let stale = SessionRecord {
        id_hash: "stale".into(),
        user_id: None,
        csrf_token: "t".into(),
        created_at: started,
        last_seen_at: started,
        pending_user_id: None,
    };
    store.insert_session(&stale).await.unwrap();
    let removed = store
        .delete_expired_sessions(now() - Duration::hours(1), now() - Duration::hours(12))
        .await
        .unwrap();
    assert_eq!(removed, 1);
    assert!(store.find_session("signed-in").await.unwrap().is_some());
    store.delete_session("signed-in").await.unwrap();
    assert!(store.find_session("signed-in").await.unwrap().is_none());
}

const THROTTLE: ThrottleRule = ThrottleRule {
    free_attempts: 5,
    window: Duration::minutes(15),
    longest_delay_seconds: 900,
};

async fn sign_in_attempts_are_counted_per_client_and_delayed(store: Box<dyn Store>) {
    let start = now();
    let reserve = |client: &'static str, at: DateTime<Utc>| {
        let store = &store;
        async move { store.reserve_sign_in_attempt("a@example.org", client, at, &THROTTLE).await.unwrap() }
    };
    for expected in 1..=5 {
        assert_eq!(reserve("attacker", start).await, Some(expected));
    }
    assert_eq!(
        reserve("attacker", start).await,
        None,
        "the fifth attempt makes the next wait a second"
    );
    assert_eq!(reserve("owner", start).await, Some(1), "another client is counted apart");
    let later = start + Duration::seconds(1);
    assert_eq!(reserve("attacker", later).await, Some(6));
    assert_eq!(
        reserve("attacker", later + Duration::milliseconds(1500)).await,
        None,
        "now two seconds"
    );
    assert_eq!(reserve("attacker", later + Duration::seconds(2)).await, Some(7));
    assert_eq!(reserve("attacker", start + Duration::minutes(16)).await, Some(1), "a new window");
    store.clear_sign_in_attempts("a@example.org", "attacker").await.unwrap();
    assert_eq!(reserve("attacker", start + Duration::minutes(16)).await, Some(1));
    assert_eq!(reserve("owner", start + Duration::seconds(1)).await, Some(2));
    let forgotten = store
        .delete_stale_sign_in_attempts(start + Duration::minutes(1), start + Duration::minutes(20))
        .await
        .unwrap();
    assert_eq!(
        forgotten, 1,
        "the owner's pair, begun at the start, goes; the attacker's new window stays"
    );
    assert_eq!(reserve("attacker", start + Duration::minutes(16)).await, Some(2));
}

/// Twenty simultaneous attempts for one account from one client: each is counted exactly once,
/// and only the free ones get through, however the database interleaves them.
async fn simultaneous_sign_in_attempts_are_all_counted(store: Box<dyn Store>) {
    let store: std::sync::Arc<dyn Store> = std::sync::Arc::from(store);
    let at = now();
    let attempts = (0..20).map(|_| {
        let store = store.clone();
        async move {
            store
                .reserve_sign_in_attempt("b@example.org", "one client", at, &THROTTLE)
                .await
                .unwrap()
        }
    });
    let mut counted: Vec<i64> = futures::future::join_all(attempts).await.into_iter().flatten().collect();
    counted.sort_unstable();
    assert_eq!(counted, vec![1, 2, 3, 4, 5], "five attempts get through, the rest wait");
}

async fn api_tokens_are_found_by_hash(store: Box<dyn Store>) {
    let (_, worker) = seed_team_and_worker(&*store).await;
    let token = ApiTokenRecord {
        token_hash: "abc123".into(),
        user_id: worker.id,
        created_at: now(),
        expires_at: now() + Duration::days(30),
    };
    store.insert_api_token(&token, &audit(AuditAction::ApiTokenCreated)).await.unwrap();
    assert_eq!(store.find_api_token("abc123").await.unwrap(), Some(token));
    assert_eq!(store.find_api_token("other").await.unwrap(), None);
}

async fn audit_events_form_a_verifiable_chain(store: Box<dyn Store>) {
    let someone = person("Ada", "Okafor", "1948-11-04", None, None);
    store
        .insert_person(
            &someone,
            &audit(AuditAction::PersonCreated).person(someone.id).subject("person", someone.id),
        )
        .await
        .unwrap();
    for index in 0..20 {
        let event = audit(AuditAction::PersonViewed)
            .person(someone.id)
            .subject("person", someone.id)
            .details(serde_json::json!({ "basis": "team", "index": index, "nested": { "b": 1, "a": [true, null] } }));
        store.append_audit(&event).await.unwrap();
    }
    store
        .append_audit(&audit(AuditAction::SignInFailed).details(serde_json::json!({ "email": "x@example.org" })))
        .await
        .unwrap();
    let chain = store.audit_chain(0, 1000).await.unwrap();
    assert_eq!(chain.len(), 22);
    assert_eq!(
        chain.iter().map(|event| event.sequence).collect::<Vec<_>>(),
        (1..=22).collect::<Vec<_>>()
    );
    let key = audit_key();
    assert!(
        chain.iter().all(|event| event.hash_version == KEYED_HASH),
        "events are sealed with the key"
    );
    assert_eq!(verify_chain(&chain, Some(&key)), Ok(()), "the stored chain must verify");
    let wrong = AuditKey::from_text("another-key-that-did-not-seal-these-events").unwrap();
    assert!(verify_chain(&chain, Some(&wrong)).is_err(), "another key does not verify it");
    let tail = store.audit_chain(10, 1000).await.unwrap();
    assert_eq!(ChainVerifier::resume(Some(&key), 10, chain[9].hash.clone()).check(&tail), Ok(()));

    let for_person = store
        .list_audit(&AuditQuery {
            person_id: Some(someone.id),
            action: None,
            limit: 100,
        })
        .await
        .unwrap();
    assert_eq!(for_person.len(), 21);
    assert_eq!(for_person[0].sequence, 21, "newest first");
    let reads = store
        .list_audit(&AuditQuery {
            person_id: Some(someone.id),
            action: Some(AuditAction::PersonViewed),
            limit: 5,
        })
        .await
        .unwrap();
    assert_eq!(reads.len(), 5);
    assert!(reads.iter().all(|event| event.event.action == AuditAction::PersonViewed));
}

async fn demo_bulk_load_writes_everything(store: Box<dyn Store>) {
    let (team, worker) = seed_team_and_worker(&*store).await;
    let bundles: Vec<DemoPersonBundle> = (0..250)
        .map(|index| {
            let someone = person(
                &format!("Given{index}"),
                &format!("Family{index:03}"),
                "1950-05-05",
                None,
                Some(team.id),
            );
            DemoPersonBundle {
                relationships: vec![Relationship {
                    id: RelationshipId::generate(),
                    person_id: someone.id,
                    kind: RelationshipKind::Family,
                    name: "Relative".into(),
                    phone: None,
                    related_person_id: None,
                    lives_with_person: false,
                    notes: String::new(),
                    created_at: now(),
                }],
                warnings: vec![],
                notes: vec![CaseNote {
                    id: NoteId::generate(),
                    person_id: someone.id,
                    kind: NoteKind::Conversation,
                    occurred_on: "2026-01-01".parse().unwrap(),
                    text: "Initial contact".into(),
                    author_id: worker.id,
                    author_name: worker.display_name.clone(),
                    created_at: now(),
                }],
                person: someone,
            }
        })
        .collect();
    store.insert_demo_people(&bundles).await.unwrap();
    assert_eq!(store.count_people(&PeopleFilter::Everyone).await.unwrap(), 250);
    let last = &bundles[249];
    assert_eq!(store.get_person(last.person.id).await.unwrap(), last.person);
    assert_eq!(store.list_relationships(last.person.id).await.unwrap(), last.relationships);
    assert_eq!(store.list_notes(last.person.id, 10).await.unwrap(), last.notes);
}

async fn configuration_versions_are_kept_in_order(store: Box<dyn Store>) {
    let version = |number: i64, from: &str| ConfigurationVersion {
        kind: "allocation".into(),
        config_id: "adult".into(),
        version: number,
        effective_from: from.parse().unwrap(),
        source: format!("version = {number}"),
        loaded_at: now(),
        loaded_by: "conformance".into(),
    };
    let (older, newer) = (version(1, "2025-04-01"), version(2, "2026-04-01"));
    store
        .insert_configuration(&older, &audit(AuditAction::ConfigurationLoaded))
        .await
        .unwrap();
    store
        .insert_configuration(&newer, &audit(AuditAction::ConfigurationLoaded))
        .await
        .unwrap();
    assert_eq!(store.list_configurations("allocation").await.unwrap(), vec![newer, older]);
    assert!(matches!(
        store
            .insert_configuration(&version(2, "2026-04-01"), &audit(AuditAction::ConfigurationLoaded))
            .await,
        Err(StoreError::Conflict { .. })
    ));
    assert!(store.list_configurations("charging").await.unwrap().is_empty());
}
