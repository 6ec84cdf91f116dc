//! Conformance checks for challenges to any decision and for eligibility decided again,
//! including the races: eight owners answering one challenge, eight redeterminations of one
//! decision; exactly one lands each time.

use super::steps::{decided, decision as decision_of, eligibility, financial, fixture, plan, Fixture};
use super::{audit, now, user};
use crate::*;
use chrono::Duration;
use futures::future::join_all;
use tailor_domain::assessments::{EligibilityRecord, Redetermination};
use tailor_domain::audit::AuditAction;
use tailor_domain::challenges::{ChallengeAnswer, ChallengeOutcome, ChallengeReassignment, ChallengeSubject, StaffMember};
use tailor_domain::plans::{Challenge, PlanStatus, RefusalGround, Verdict};
use tailor_domain::EligibilityDecisionId;

/// An open challenge raised by `raised_by`, owned by `owner` (if any), due in 28 days.
pub fn challenge(person_id: PersonId, subject: ChallengeSubject, raised_by: &User, owner: Option<&User>) -> Challenge {
    Challenge {
        id: ChallengeId::generate(),
        person_id,
        subject,
        reason: "Not enough for nights".into(),
        raised_by: raised_by.id,
        raised_by_name: "Owen Morgan".into(),
        recorded_by_staff: None,
        raised_at: now(),
        decision_maker: None,
        owner: owner.map(|owner| StaffMember {
            id: owner.id,
            name: owner.display_name.clone(),
        }),
        answer_by: (now() + Duration::days(28)).date_naive(),
        answer: None,
        version: 1,
    }
}

async fn manager(store: &dyn Store, fixture: &Fixture, email: &str) -> User {
    let manager = user(email, Role::TeamManager, fixture.person.team_id);
    store.insert_user(&manager, "hash", &audit(AuditAction::UserCreated)).await.unwrap();
    manager
}

fn answer(by: &User, reasons: &str) -> ChallengeAnswer {
    ChallengeAnswer {
        outcome: Some(ChallengeOutcome::Upheld),
        reasons: reasons.into(),
        by: by.id,
        by_name: by.display_name.clone(),
        at: now(),
    }
}

pub(crate) async fn challenges_of_any_decision_keep_who_owns_and_who_recorded_them(store: Box<dyn Store>) {
    let fixture = fixture(&*store).await;
    let (_, indicative) = decided(&*store, &fixture).await;
    let decision = store.list_eligibility(fixture.person.id).await.unwrap().remove(0);
    let owner = manager(&*store, &fixture, "manager@example.org").await;

    let mut on_behalf = challenge(
        fixture.person.id,
        ChallengeSubject::Eligibility(decision.id),
        &fixture.worker,
        Some(&owner),
    );
    on_behalf.recorded_by_staff = Some(StaffMember {
        id: fixture.worker.id,
        name: fixture.worker.display_name.clone(),
    });
    on_behalf.decision_maker = Some(decision.decided_by);
    store
        .insert_challenge(&on_behalf, &audit(AuditAction::ChallengeRaised))
        .await
        .unwrap();
    let mut later = challenge(
        fixture.person.id,
        ChallengeSubject::IndicativeBudget(indicative.id),
        &fixture.worker,
        Some(&owner),
    );
    later.answer_by = on_behalf.answer_by + Duration::days(3);
    store.insert_challenge(&later, &audit(AuditAction::ChallengeRaised)).await.unwrap();
    assert_eq!(store.get_challenge(on_behalf.id).await.unwrap(), on_behalf);
    assert_eq!(store.get_eligibility(decision.id).await.unwrap(), decision);
    assert!(matches!(
        store.get_eligibility(EligibilityDecisionId::generate()).await,
        Err(StoreError::NotFound)
    ));

    // Refused spending: the plan decision is found by its own id, with its plan and person.
    let money = financial(fixture.person.id, &fixture.worker);
    store
        .insert_financial_assessment(&money, &audit(AuditAction::FinancialAssessmentRecorded))
        .await
        .unwrap();
    let submitted = plan(fixture.person.id, indicative.id, PlanStatus::Submitted);
    store.insert_plan(&submitted, &audit(AuditAction::PlanSubmitted)).await.unwrap();
    let mut refusal = decision_of(&fixture.worker, Verdict::SpendingRefused);
    refusal.refused_lines = vec![2];
    refusal.refusal_ground = Some(RefusalGround::Harmful);
    let mut sent_back = submitted.clone();
    sent_back.status = PlanStatus::ChangesRequested;
    store
        .decide_plan(
            &sent_back,
            Expect {
                from: &[PlanStatus::Submitted.as_str()],
                version: 1,
            },
            &refusal,
            None,
            &[audit(AuditAction::PlanDecided)],
        )
        .await
        .unwrap();
    assert_eq!(
        store.get_plan_decision(refusal.id).await.unwrap(),
        (submitted.id, fixture.person.id, refusal.clone())
    );
    let refused = challenge(
        fixture.person.id,
        ChallengeSubject::RefusedSpending(refusal.id),
        &fixture.worker,
        Some(&owner),
    );
    store
        .insert_challenge(&refused, &audit(AuditAction::ChallengeRaised))
        .await
        .unwrap();
    let charged = challenge(fixture.person.id, ChallengeSubject::Charge(money.id), &fixture.worker, Some(&owner));
    store
        .insert_challenge(&charged, &audit(AuditAction::ChallengeRaised))
        .await
        .unwrap();
    assert_eq!(store.get_challenge(refused.id).await.unwrap(), refused);
    assert_eq!(store.get_challenge(charged.id).await.unwrap(), charged);

    assert_eq!(
        store
            .owned_challenges(owner.id, &PeopleFilter::AllocatedTo(owner.id), 10)
            .await
            .unwrap(),
        vec![on_behalf.clone(), refused.clone(), charged.clone(), later.clone()],
        "an owner's queue, the soonest due first"
    );
    assert!(store
        .owned_challenges(fixture.worker.id, &PeopleFilter::AllocatedTo(fixture.worker.id), 10)
        .await
        .unwrap()
        .is_empty());

    // The database itself refuses an owner who made the decision challenged, and a challenge
    // naming a record of another kind than its own.
    let mut own_decision = challenge(
        fixture.person.id,
        ChallengeSubject::Eligibility(decision.id),
        &fixture.worker,
        Some(&fixture.worker),
    );
    own_decision.decision_maker = Some(fixture.worker.id);
    assert!(store
        .insert_challenge(&own_decision, &audit(AuditAction::ChallengeRaised))
        .await
        .is_err());
    let mut staff_not_raiser = challenge(
        fixture.person.id,
        ChallengeSubject::Eligibility(decision.id),
        &fixture.worker,
        Some(&owner),
    );
    staff_not_raiser.recorded_by_staff = Some(StaffMember {
        id: owner.id,
        name: owner.display_name.clone(),
    });
    assert!(store
        .insert_challenge(&staff_not_raiser, &audit(AuditAction::ChallengeRaised))
        .await
        .is_err());

    let mut answered = on_behalf.clone();
    answered.answer = Some(answer(&owner, "The night-time needs were missed"));
    store
        .answer_challenge(&answered, 1, &audit(AuditAction::ChallengeAnswered))
        .await
        .unwrap();
    let stored = store.get_challenge(on_behalf.id).await.unwrap();
    assert_eq!((stored.answer, stored.version), (answered.answer, 2));
    assert_eq!(store.list_challenges(fixture.person.id).await.unwrap().len(), 4);
}

pub(crate) async fn simultaneous_answers_to_one_challenge_land_once(store: Box<dyn Store>) {
    let fixture = fixture(&*store).await;
    decided(&*store, &fixture).await;
    let decision = store.list_eligibility(fixture.person.id).await.unwrap().remove(0);
    let mut owners = Vec::new();
    for number in 0..8 {
        owners.push(manager(&*store, &fixture, &format!("manager{number}@example.org")).await);
    }
    let open = challenge(
        fixture.person.id,
        ChallengeSubject::Eligibility(decision.id),
        &fixture.worker,
        Some(&owners[0]),
    );
    store.insert_challenge(&open, &audit(AuditAction::ChallengeRaised)).await.unwrap();
    let before = store.audit_chain(0, 10_000).await.unwrap().len();
    let attempts: Vec<Challenge> = owners
        .iter()
        .map(|owner| Challenge {
            answer: Some(answer(owner, &format!("Answered by {}", owner.display_name))),
            ..open.clone()
        })
        .collect();
    let event = audit(AuditAction::ChallengeAnswered);
    let results = join_all(attempts.iter().map(|attempt| store.answer_challenge(attempt, 1, &event))).await;
    assert_eq!(results.iter().filter(|result| result.is_ok()).count(), 1, "{results:?}");
    assert!(results
        .iter()
        .all(|result| result.is_ok() || matches!(result, Err(StoreError::StateChanged(_)))));
    let stored = store.get_challenge(open.id).await.unwrap();
    assert!(attempts.iter().any(|attempt| attempt.answer == stored.answer));
    assert_eq!(store.audit_chain(0, 10_000).await.unwrap().len(), before + 1);
}

fn staff(user: &User) -> StaffMember {
    StaffMember {
        id: user.id,
        name: user.display_name.clone(),
    }
}

pub(crate) async fn simultaneous_reassignments_of_one_challenge_land_once(store: Box<dyn Store>) {
    let fixture = fixture(&*store).await;
    decided(&*store, &fixture).await;
    let decision = store.list_eligibility(fixture.person.id).await.unwrap().remove(0);
    let first_owner = manager(&*store, &fixture, "first-owner@example.org").await;
    let reassigner = manager(&*store, &fixture, "reassigner@example.org").await;
    let mut candidates = Vec::new();
    for number in 0..8 {
        candidates.push(manager(&*store, &fixture, &format!("manager{number}@example.org")).await);
    }
    let mut open = challenge(
        fixture.person.id,
        ChallengeSubject::Eligibility(decision.id),
        &fixture.worker,
        Some(&first_owner),
    );
    open.decision_maker = Some(fixture.worker.id);
    store.insert_challenge(&open, &audit(AuditAction::ChallengeRaised)).await.unwrap();
    let before = store.audit_chain(0, 10_000).await.unwrap().len();
    let attempts: Vec<ChallengeReassignment> = candidates
        .iter()
        .map(|candidate| ChallengeReassignment {
            challenge_id: open.id,
            from: Some(staff(&first_owner)),
            to: staff(candidate),
            reason: format!("{} has time this week", candidate.display_name),
            by: staff(&reassigner),
            at: now(),
        })
        .collect();
    let event = audit(AuditAction::ChallengeReassigned);
    let results = join_all(attempts.iter().map(|attempt| store.reassign_challenge(attempt, 1, &event))).await;
    assert_eq!(results.iter().filter(|result| result.is_ok()).count(), 1, "{results:?}");
    assert!(results
        .iter()
        .all(|result| result.is_ok() || matches!(result, Err(StoreError::StateChanged(_)))));
    let stored = store.get_challenge(open.id).await.unwrap();
    let kept = store.challenge_reassignments(open.id).await.unwrap();
    assert_eq!(kept.len(), 1, "one hand-over kept");
    assert_eq!(stored.owner.as_ref(), Some(&kept[0].to), "the owner is the one that landed");
    assert_eq!(kept[0].from.as_ref(), Some(&staff(&first_owner)), "the earlier owner is kept");
    assert_eq!((kept[0].by.id, stored.version), (reassigner.id, 2));
    assert!(attempts.contains(&kept[0]));
    assert_eq!(store.audit_chain(0, 10_000).await.unwrap().len(), before + 1);

    // The next hand-over names the version it read; a stale one changes nothing.
    let stale = store.reassign_challenge(&attempts[0], 1, &event).await;
    assert!(matches!(stale, Err(StoreError::StateChanged(_))), "{stale:?}");
    // The database refuses the decision maker as owner, whatever the caller checked.
    let to_decider = ChallengeReassignment {
        to: staff(&fixture.worker),
        ..kept[0].clone()
    };
    assert!(store.reassign_challenge(&to_decider, 2, &event).await.is_err());
    assert_eq!(store.get_challenge(open.id).await.unwrap().version, 2);
    assert_eq!(store.challenge_reassignments(open.id).await.unwrap().len(), 1);
    // An answered challenge is not handed on.
    let answered = Challenge {
        answer: Some(answer(&reassigner, "Looked again")),
        ..stored.clone()
    };
    store
        .answer_challenge(&answered, 2, &audit(AuditAction::ChallengeAnswered))
        .await
        .unwrap();
    let late = ChallengeReassignment {
        from: stored.owner.clone(),
        to: staff(&first_owner),
        ..kept[0].clone()
    };
    assert!(matches!(
        store.reassign_challenge(&late, 3, &event).await,
        Err(StoreError::StateChanged(_))
    ));
}

fn again(previous: &EligibilityRecord, worker: &User, challenge_id: Option<ChallengeId>) -> EligibilityRecord {
    let mut decision = eligibility(previous.person_id, previous.assessment_id, worker);
    decision.decision.eligible = false;
    decision.prevention_advice = Some("Keep going to the falls class; ask the library about the reading group".into());
    decision.redetermination = Some(Redetermination {
        replaces: previous.id,
        reason: "New evidence from the occupational therapist".into(),
        challenge_id,
    });
    decision
}

pub(crate) async fn a_redetermination_keeps_the_earlier_decision_marked_replaced(store: Box<dyn Store>) {
    let fixture = fixture(&*store).await;
    decided(&*store, &fixture).await;
    let first = store.list_eligibility(fixture.person.id).await.unwrap().remove(0);
    let owner = manager(&*store, &fixture, "manager@example.org").await;
    let challenged = challenge(
        fixture.person.id,
        ChallengeSubject::Eligibility(first.id),
        &fixture.worker,
        Some(&owner),
    );
    store
        .insert_challenge(&challenged, &audit(AuditAction::ChallengeRaised))
        .await
        .unwrap();

    let second = again(&first, &owner, Some(challenged.id));
    store
        .redetermine_eligibility(&second, None, &[audit(AuditAction::EligibilityRedetermined)])
        .await
        .unwrap();
    let listed = store.list_eligibility(fixture.person.id).await.unwrap();
    assert_eq!(listed.len(), 2, "both decisions are kept");
    let stored_second = listed.iter().find(|found| found.id == second.id).unwrap();
    assert_eq!(stored_second, &second);
    assert!(stored_second.is_current());
    let stored_first = listed.iter().find(|found| found.id == first.id).unwrap();
    assert_eq!(stored_first.replaced_at, Some(second.decided_at));

    // A decision already replaced cannot be replaced again, and a first decision cannot be
    // recorded beside the current one.
    let stale = again(&first, &owner, None);
    assert!(matches!(
        store
            .redetermine_eligibility(&stale, None, &[audit(AuditAction::EligibilityRedetermined)])
            .await,
        Err(StoreError::StateChanged(_))
    ));
    let mut beside = eligibility(fixture.person.id, first.assessment_id, &fixture.worker);
    beside.redetermination = None;
    assert!(store
        .record_eligibility(&beside, None, &[audit(AuditAction::EligibilityDecided)])
        .await
        .is_err());
    assert_eq!(store.list_eligibility(fixture.person.id).await.unwrap().len(), 2);
}

pub(crate) async fn simultaneous_redeterminations_land_once(store: Box<dyn Store>) {
    let fixture = fixture(&*store).await;
    decided(&*store, &fixture).await;
    let first = store.list_eligibility(fixture.person.id).await.unwrap().remove(0);
    let attempts: Vec<_> = (0..8).map(|_| again(&first, &fixture.worker, None)).collect();
    let events = [audit(AuditAction::EligibilityRedetermined)];
    let results = join_all(attempts.iter().map(|attempt| store.redetermine_eligibility(attempt, None, &events))).await;
    assert_eq!(results.iter().filter(|result| result.is_ok()).count(), 1, "{results:?}");
    assert!(results
        .iter()
        .all(|result| result.is_ok() || matches!(result, Err(StoreError::StateChanged(_)))));
    let listed = store.list_eligibility(fixture.person.id).await.unwrap();
    assert_eq!(listed.len(), 2);
    assert_eq!(listed.iter().filter(|found| found.is_current()).count(), 1, "one current decision");
}
