//! The demo council's worklists: people at every stage of steps 1 to 3 with realistic dates, a
//! plan over tolerance waiting for the team manager, and an audit history that reads as sentences.

use std::sync::Arc;
use tailor_app::audit_log::AuditFilterInput;
use tailor_app::clock::SystemClock;
use tailor_app::demo::DemoOptions;
use tailor_app::{App, SessionPolicy};
use tailor_domain::worklists::{CaseStage, CaseloadSort};
use tailor_store::Store;
use tailor_store_sqlite::SqliteStore;

async fn actor(store: &Arc<dyn Store>, local: &str) -> tailor_domain::access::Actor {
    let (user, _) = store
        .find_user_by_email(&format!("{local}@{}", tailor_app::demo::DEMO_DOMAIN))
        .await
        .unwrap()
        .unwrap_or_else(|| panic!("{local} exists"));
    tailor_app::auth::actor_for(&user)
}

#[tokio::test]
async fn the_demo_caseload_has_people_at_every_stage_with_realistic_dates() {
    let store: Arc<dyn Store> = Arc::new(SqliteStore::connect("sqlite::memory:").await.unwrap());
    let app = App::new(store.clone(), Arc::new(SystemClock), SessionPolicy::default());
    app.build_demo_council(&DemoOptions {
        people: 40,
        seed: 1,
        password: "demo password 123".into(),
    })
    .await
    .unwrap();
    let practitioner = actor(&store, "practitioner").await;
    let caseload = app.caseload_worklist(&practitioner, None, CaseloadSort::Waiting, 0).await.unwrap();
    for stage in [
        CaseStage::NoAssessment,
        CaseStage::Assessing,
        CaseStage::AssessmentChangesAsked,
        CaseStage::AssessmentToCheck,
        CaseStage::EligibilityToDecide,
        CaseStage::NotEligible,
        CaseStage::Planning,
        CaseStage::PlanToAgree,
        CaseStage::PlanWithManager,
        CaseStage::PlanAgreed,
    ] {
        assert!(
            caseload.by_stage.iter().any(|(found, count)| *found == stage && *count > 0),
            "someone is at {stage:?}: {:?}",
            caseload.by_stage
        );
    }
    let waiting: Vec<i64> = caseload
        .entries
        .iter()
        .filter(|entry| entry.stage != CaseStage::NoAssessment)
        .map(|entry| entry.days_waiting(caseload.today))
        .collect();
    assert!(waiting.iter().all(|days| (1..=90).contains(days)), "{waiting:?}");
    assert!(waiting.iter().any(|days| *days >= 7), "{waiting:?}");

    let manager = actor(&store, "manager").await;
    let over = app.plans_over_tolerance(&manager).await.unwrap();
    assert_eq!(over.len(), 1);
    assert!(over[0].days_waiting >= 1);
    assert!(over[0].over.beyond_tolerance.pence() > 0);
    // One budget change waits for the manager; another was declined, with why.
    let changes = app.override_requests_waiting(&manager).await.unwrap();
    assert_eq!(changes.len(), 1);
    assert!(changes[0].over.beyond_tolerance.pence() > 0);
    let mut declined = 0;
    for entry in &caseload.entries {
        let overview = app.planning_overview(&practitioner, entry.person.id).await.unwrap();
        for allocation in &overview.allocations {
            let requests = app.override_requests_for(&practitioner, allocation.id).await.unwrap();
            declined += requests
                .iter()
                .filter(|request| request.status == tailor_domain::budget_requests::OverrideRequestStatus::Declined)
                .filter(|request| request.decision.as_ref().is_some_and(|decision| decision.reason.is_some()))
                .count();
        }
    }
    assert_eq!(declined, 1);

    let admin = actor(&store, "admin").await;
    let log = app.audit_log(&admin, &AuditFilterInput::default()).await.unwrap();
    assert!(
        log.lines.iter().any(|line| line.sentence.contains(" viewed ")),
        "reads in the history"
    );
}
