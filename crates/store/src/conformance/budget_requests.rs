//! Conformance checks for changes to indicative budgets waiting for a team manager, and the
//! work queues' names in one statement: one request waits per budget; of eight managers
//! deciding one request, one lands; a new request racing a decision never leaves two waiting.

use super::steps::{decided, fixture, Fixture};
use super::{audit, now, person, user};
use crate::*;
use futures::future::join_all;
use tailor_domain::assessments::{AllocationRecord, BudgetOverride};
use tailor_domain::audit::AuditAction;
use tailor_domain::budget_requests::{OverrideDecision, OverrideRequest, OverrideRequestStatus};
use tailor_domain::money::Money;
use tailor_domain::users::{Organisation, OrganisationKind};
use tailor_domain::*;

fn request(allocation: &AllocationRecord, asked_by: &User, pounds: i64) -> OverrideRequest {
    OverrideRequest {
        id: OverrideRequestId::generate(),
        allocation_id: allocation.id,
        person_id: allocation.person_id,
        annual: Money::from_pence(pounds * 100),
        reason: "Round-the-clock care from two workers".into(),
        asked_by: asked_by.id,
        asked_by_name: asked_by.display_name.clone(),
        asked_at: now(),
        status: OverrideRequestStatus::Pending,
        decision: None,
        version: 1,
    }
}

fn decision(by: &User, reason: Option<&str>) -> OverrideDecision {
    OverrideDecision {
        by: by.id,
        by_name: by.display_name.clone(),
        at: now(),
        reason: reason.map(str::to_owned),
    }
}

/// The budget with the request's change on it, as agreeing writes it.
fn changed(allocation: &AllocationRecord, request: &OverrideRequest, manager: &User) -> AllocationRecord {
    AllocationRecord {
        override_: Some(BudgetOverride {
            annual: request.annual,
            reason: request.reason.clone(),
            by: manager.id,
            by_name: manager.display_name.clone(),
            at: now(),
        }),
        ..allocation.clone()
    }
}

async fn manager(store: &dyn Store, fixture: &Fixture, email: &str) -> User {
    let manager = user(email, Role::TeamManager, fixture.person.team_id);
    store.insert_user(&manager, "hash", &audit(AuditAction::UserCreated)).await.unwrap();
    manager
}

pub(crate) async fn override_requests_wait_one_at_a_time_and_are_decided_once(store: Box<dyn Store>) {
    let fixture = fixture(&*store).await;
    let (_, allocation) = decided(&*store, &fixture).await;
    let decider = manager(&*store, &fixture, "manager@example.org").await;
    let first = request(&allocation, &fixture.worker, 90_000);
    store
        .insert_override_request(&first, &audit(AuditAction::BudgetOverrideRequested))
        .await
        .unwrap();
    assert_eq!(store.get_override_request(first.id).await.unwrap(), first);
    let second = request(&allocation, &fixture.worker, 95_000);
    assert!(matches!(
        store
            .insert_override_request(&second, &audit(AuditAction::BudgetOverrideRequested))
            .await,
        Err(StoreError::Conflict { .. })
    ));
    let waiting = store.override_requests_waiting(&fixture.team_filter, 50).await.unwrap();
    assert_eq!(waiting.len(), 1);
    assert_eq!(waiting[0].request, first);
    assert_eq!(waiting[0].worked_out, Money::from_pence(allocation.result.total_pence));
    assert_eq!(waiting[0].model_source, allocation.model_source);
    let elsewhere = PeopleFilter::TeamOrAllocated {
        team: Some(TeamId::generate()),
        worker: UserId::generate(),
    };
    assert!(store.override_requests_waiting(&elsewhere, 50).await.unwrap().is_empty());

    // Declined: the budget is untouched, and the decision is kept with who, when and why.
    let declined = first
        .decided(false, decision(&decider, Some("Two workers are not needed at night")))
        .unwrap();
    store
        .decide_override_request(&declined, 1, None, &[audit(AuditAction::BudgetOverrideDeclined)])
        .await
        .unwrap();
    let stored = store.get_override_request(first.id).await.unwrap();
    assert_eq!(stored.status, OverrideRequestStatus::Declined);
    assert_eq!(stored.decision, declined.decision);
    assert_eq!(stored.version, 2);
    assert_eq!(store.get_allocation(allocation.id).await.unwrap().override_, None);
    // Decided once: the same decision again finds it changed.
    assert!(matches!(
        store
            .decide_override_request(&declined, 1, None, &[audit(AuditAction::BudgetOverrideDeclined)])
            .await,
        Err(StoreError::StateChanged(_))
    ));
    assert!(store.override_requests_waiting(&fixture.team_filter, 50).await.unwrap().is_empty());

    // A new request may wait once the first is decided; agreed, the change is made with it.
    store
        .insert_override_request(&second, &audit(AuditAction::BudgetOverrideRequested))
        .await
        .unwrap();
    let agreed = second.decided(true, decision(&decider, None)).unwrap();
    let with_change = changed(&allocation, &second, &decider);
    // Not if the budget changed since it was read.
    assert!(matches!(
        store
            .decide_override_request(&agreed, 1, Some((&with_change, 7)), &[audit(AuditAction::BudgetOverrideAgreed)])
            .await,
        Err(StoreError::StateChanged(_))
    ));
    assert!(
        store.get_override_request(second.id).await.unwrap().is_pending(),
        "nothing half-written"
    );
    store
        .decide_override_request(
            &agreed,
            1,
            Some((&with_change, allocation.version)),
            &[audit(AuditAction::BudgetOverrideAgreed), audit(AuditAction::BudgetOverridden)],
        )
        .await
        .unwrap();
    let budget = store.get_allocation(allocation.id).await.unwrap();
    assert_eq!(budget.indicative(), Money::from_pence(9_500_000));
    assert_eq!(budget.version, allocation.version + 1);
    let history = store.override_requests_for_allocation(allocation.id).await.unwrap();
    assert_eq!(
        history.iter().map(|request| (request.id, request.status)).collect::<Vec<_>>(),
        vec![
            (second.id, OverrideRequestStatus::Agreed),
            (first.id, OverrideRequestStatus::Declined)
        ]
    );
}

pub(crate) async fn simultaneous_decisions_on_one_override_request_land_once(store: Box<dyn Store>) {
    let fixture = fixture(&*store).await;
    let (_, allocation) = decided(&*store, &fixture).await;
    let mut managers = Vec::new();
    for number in 0..8 {
        managers.push(manager(&*store, &fixture, &format!("manager{number}@example.org")).await);
    }
    let waiting = request(&allocation, &fixture.worker, 90_000);
    store
        .insert_override_request(&waiting, &audit(AuditAction::BudgetOverrideRequested))
        .await
        .unwrap();
    let before = store.audit_chain(0, 10_000).await.unwrap().len();
    // Half agree, half decline.
    let attempts: Vec<(OverrideRequest, Option<AllocationRecord>, Vec<NewAuditEvent>)> = managers
        .iter()
        .enumerate()
        .map(|(number, manager)| {
            if number % 2 == 0 {
                (
                    waiting.decided(true, decision(manager, None)).unwrap(),
                    Some(changed(&allocation, &waiting, manager)),
                    vec![audit(AuditAction::BudgetOverrideAgreed), audit(AuditAction::BudgetOverridden)],
                )
            } else {
                (
                    waiting.decided(false, decision(manager, Some("Not needed"))).unwrap(),
                    None,
                    vec![audit(AuditAction::BudgetOverrideDeclined)],
                )
            }
        })
        .collect();
    let results = join_all(attempts.iter().map(|(decided, change, events)| {
        store.decide_override_request(decided, 1, change.as_ref().map(|change| (change, allocation.version)), events)
    }))
    .await;
    assert_eq!(results.iter().filter(|result| result.is_ok()).count(), 1, "{results:?}");
    assert!(results
        .iter()
        .all(|result| result.is_ok() || matches!(result, Err(StoreError::StateChanged(_)))));
    let (winner, _, events) = &attempts[results.iter().position(Result::is_ok).unwrap()];
    let stored = store.get_override_request(waiting.id).await.unwrap();
    assert_eq!(stored.decision, winner.decision);
    assert_eq!(stored.status, winner.status);
    let budget = store.get_allocation(allocation.id).await.unwrap();
    match winner.status {
        OverrideRequestStatus::Agreed => assert_eq!(budget.indicative(), waiting.annual),
        _ => assert_eq!(budget.override_, None),
    }
    assert_eq!(store.audit_chain(0, 10_000).await.unwrap().len(), before + events.len());
}

pub(crate) async fn a_new_override_request_racing_a_decision_never_leaves_two_waiting(store: Box<dyn Store>) {
    let fixture = fixture(&*store).await;
    let (_, allocation) = decided(&*store, &fixture).await;
    let decider = manager(&*store, &fixture, "manager@example.org").await;
    let mut waiting = request(&allocation, &fixture.worker, 90_000);
    store
        .insert_override_request(&waiting, &audit(AuditAction::BudgetOverrideRequested))
        .await
        .unwrap();
    for round in 0..8 {
        let declined = waiting.decided(false, decision(&decider, Some("Not needed"))).unwrap();
        let next = request(&allocation, &fixture.worker, 91_000 + round);
        let decline_event = [audit(AuditAction::BudgetOverrideDeclined)];
        let ask_event = audit(AuditAction::BudgetOverrideRequested);
        let (decision, asked) = futures::join!(
            store.decide_override_request(&declined, waiting.version, None, &decline_event),
            store.insert_override_request(&next, &ask_event)
        );
        decision.unwrap();
        assert!(matches!(asked, Ok(()) | Err(StoreError::Conflict { .. })), "{asked:?}");
        let pending: Vec<OverrideRequest> = store
            .override_requests_for_allocation(allocation.id)
            .await
            .unwrap()
            .into_iter()
            .filter(OverrideRequest::is_pending)
            .collect();
        assert!(pending.len() <= 1, "{pending:?}");
        assert_eq!(
            store.get_override_request(waiting.id).await.unwrap().status,
            OverrideRequestStatus::Declined
        );
        waiting = match pending.into_iter().next() {
            Some(landed) => {
                assert_eq!(landed.id, next.id);
                landed
            }
            None => {
                // The new request met the old one still waiting: asked again, it lands.
                store.insert_override_request(&next, &ask_event).await.unwrap();
                next
            }
        };
    }
}

pub(crate) async fn work_queue_names_come_with_their_access_facts_at_once(store: Box<dyn Store>) {
    let fixture = fixture(&*store).await;
    let mut allocated = person("Ada", "Okafor", "1948-11-04", None, fixture.person.team_id);
    allocated.allocated_worker = Some(fixture.worker.id);
    store.insert_person(&allocated, &audit(AuditAction::PersonCreated)).await.unwrap();
    let mut delegations = Vec::new();
    for number in 0..2 {
        let helper = user(&format!("helper{number}@example.org"), Role::Helper, None);
        store.insert_user(&helper, "hash", &audit(AuditAction::UserCreated)).await.unwrap();
        let delegation = Delegation {
            id: DelegationId::generate(),
            person_id: allocated.id,
            helper_id: helper.id,
            helper_name: helper.display_name.clone(),
            scopes: vec![DelegationScope::ViewDetails, DelegationScope::ViewDocuments],
            expires_on: (number == 1).then(|| "2026-06-30".parse().unwrap()),
            granted_at: now(),
        };
        store
            .insert_delegation(&delegation, &audit(AuditAction::DelegationGranted))
            .await
            .unwrap();
        delegations.push(delegation);
        let organisation = Organisation {
            id: OrganisationId::generate(),
            name: format!("Kindly Care {number}"),
            kind: OrganisationKind::CareProvider,
            created_at: now(),
        };
        store
            .insert_organisation(&organisation, &audit(AuditAction::OrganisationCreated))
            .await
            .unwrap();
        store
            .insert_money_holder(
                allocated.id,
                organisation.id,
                "2026-01-01".parse().unwrap(),
                &audit(AuditAction::MoneyHolderAdded),
            )
            .await
            .unwrap();
    }
    let asked = [fixture.person.id, allocated.id, PersonId::generate(), allocated.id];
    let mut found = store.names_with_access_facts(&asked).await.unwrap();
    assert_eq!(found.len(), 2, "each person once, and an unknown id left out");
    found.sort_by_key(|(_, name)| name.clone());
    assert_eq!(found[0].1, "Ada Okafor");
    assert_eq!(found[1].1, "Owen Morgan");
    for (facts, _) in &found {
        let one_at_a_time = store.person_access_facts(facts.person_id.unwrap()).await.unwrap();
        assert_eq!(facts.allocated_worker, one_at_a_time.allocated_worker);
        assert_eq!(facts.team, one_at_a_time.team);
        let mut money = facts.money_held_by.clone();
        let mut expected_money = one_at_a_time.money_held_by.clone();
        money.sort();
        expected_money.sort();
        assert_eq!(money, expected_money);
        assert_eq!(facts.delegations.len(), one_at_a_time.delegations.len());
        assert!(one_at_a_time.delegations.iter().all(|grant| facts.delegations.contains(grant)));
    }
    assert_eq!(found[0].0.delegations.len(), 2);
    assert_eq!(found[0].0.money_held_by.len(), 2);
    assert!(store.names_with_access_facts(&[]).await.unwrap().is_empty());
}
