//! Conformance checks for the worklists: each person's stage worked out by the database, the
//! caseload sorted and filtered by it, and the plans waiting for a manager with their figures.

use super::steps::{allocation, assessment, decision, eligibility, fixture};
use super::{audit, now, person};
use crate::*;
use chrono::Duration;
use tailor_domain::assessments::AssessmentStatus;
use tailor_domain::audit::AuditAction;
use tailor_domain::money::Money;
use tailor_domain::plans::{PlanStatus, Verdict};
use tailor_domain::worklists::{CaseStage, CaseloadSort};

fn caseload(filter: &PeopleFilter, stage: Option<CaseStage>, sort: CaseloadSort) -> CaseloadQuery {
    CaseloadQuery {
        filter: filter.clone(),
        stage,
        sort,
        limit: 50,
        offset: 0,
    }
}

pub(super) async fn caseload_shows_each_person_at_their_stage(store: Box<dyn Store>) {
    let fixture = fixture(&*store).await;
    let team = fixture.person.team_id;
    let days_ago = |days: i64| now() - Duration::days(days);
    let add = |given: &str, family: &str| {
        let mut someone = person(given, family, "1950-01-01", None, team);
        someone.created_at = days_ago(40);
        someone
    };
    // Owen Morgan (the fixture) has nothing yet.
    let filling_in = add("Ada", "Brown");
    let to_check = add("Bea", "Clark");
    let to_decide = add("Cal", "Davies");
    let not_eligible = add("Dee", "Evans");
    let planning = add("Eli", "Fox");
    let with_manager = add("Fay", "Green");
    let elsewhere = person("Gus", "Hall", "1950-01-01", None, None);
    for someone in [
        &filling_in,
        &to_check,
        &to_decide,
        &not_eligible,
        &planning,
        &with_manager,
        &elsewhere,
    ] {
        store.insert_person(someone, &audit(AuditAction::PersonCreated)).await.unwrap();
    }
    let start = |person_id, status, days| {
        let mut started = assessment(person_id);
        started.status = status;
        started.started_at = days_ago(days + 5);
        started.submitted_at = Some(days_ago(days));
        started.updated_at = days_ago(days);
        started
    };
    let mut started = start(filling_in.id, AssessmentStatus::InProgress, 3);
    started.started_at = days_ago(3);
    store
        .insert_assessment(&started, &audit(AuditAction::AssessmentStarted))
        .await
        .unwrap();
    let sent = start(to_check.id, AssessmentStatus::Submitted, 9);
    store
        .insert_assessment(&sent, &audit(AuditAction::AssessmentStarted))
        .await
        .unwrap();
    let accepted = start(to_decide.id, AssessmentStatus::Accepted, 6);
    store
        .insert_assessment(&accepted, &audit(AuditAction::AssessmentStarted))
        .await
        .unwrap();
    let refused = start(not_eligible.id, AssessmentStatus::Accepted, 20);
    store
        .insert_assessment(&refused, &audit(AuditAction::AssessmentStarted))
        .await
        .unwrap();
    let mut no = eligibility(not_eligible.id, refused.id, &fixture.worker);
    no.decision.eligible = false;
    no.decided_at = days_ago(15);
    store
        .record_eligibility(&no, None, &[audit(AuditAction::EligibilityDecided)])
        .await
        .unwrap();
    for (someone, days) in [(&planning, 12), (&with_manager, 30)] {
        let done = start(someone.id, AssessmentStatus::Accepted, days + 2);
        store
            .insert_assessment(&done, &audit(AuditAction::AssessmentStarted))
            .await
            .unwrap();
        let mut budget = allocation(someone.id, done.id, &fixture.worker);
        budget.calculated_at = days_ago(days);
        store
            .record_eligibility(
                &eligibility(someone.id, done.id, &fixture.worker),
                Some(&budget),
                &[audit(AuditAction::EligibilityDecided)],
            )
            .await
            .unwrap();
        if someone.id == with_manager.id {
            let mut submitted = super::steps::plan(someone.id, budget.id, PlanStatus::Submitted);
            submitted.created_at = days_ago(8);
            store.insert_plan(&submitted, &audit(AuditAction::PlanSubmitted)).await.unwrap();
            let mut agreed = decision(&fixture.worker, Verdict::Agreed);
            agreed.plan_cost = Money::from_pence(1_500_000);
            agreed.indicative = Money::from_pence(1_000_000);
            agreed.decided_at = days_ago(4);
            submitted.status = PlanStatus::AwaitingManager;
            submitted.updated_at = days_ago(4);
            store
                .decide_plan(
                    &submitted,
                    Expect {
                        from: &["submitted"],
                        version: 1,
                    },
                    &agreed,
                    None,
                    &[audit(AuditAction::PlanDecided)],
                )
                .await
                .unwrap();
        }
    }

    let found = store
        .caseload_stages(&caseload(&fixture.team_filter, None, CaseloadSort::Name))
        .await
        .unwrap();
    let stages: Vec<(String, CaseStage)> = found
        .entries
        .iter()
        .map(|entry| (entry.person.family_name.clone(), entry.stage))
        .collect();
    assert_eq!(
        stages,
        vec![
            ("Brown".to_owned(), CaseStage::Assessing),
            ("Clark".to_owned(), CaseStage::AssessmentToCheck),
            ("Davies".to_owned(), CaseStage::EligibilityToDecide),
            ("Evans".to_owned(), CaseStage::NotEligible),
            ("Fox".to_owned(), CaseStage::Planning),
            ("Green".to_owned(), CaseStage::PlanWithManager),
            ("Morgan".to_owned(), CaseStage::NoAssessment),
        ],
        "Gus Hall is in no team, so not on this caseload"
    );
    let since_days = |family: &str| {
        let entry = found.entries.iter().find(|entry| entry.person.family_name == family).unwrap();
        entry.days_waiting(now().date_naive())
    };
    assert_eq!(since_days("Clark"), 9, "waiting since the assessment was sent");
    assert_eq!(since_days("Evans"), 15, "since the decision");
    assert_eq!(since_days("Fox"), 12, "since the indicative budget");
    assert_eq!(since_days("Green"), 4, "since the practitioner agreed the plan");
    assert_eq!(since_days("Brown"), 3, "since the assessment was started");
    assert_eq!(found.by_stage.len(), 7);
    assert!(found.by_stage.iter().all(|(_, count)| *count == 1));

    let by_waiting = store
        .caseload_stages(&caseload(&fixture.team_filter, None, CaseloadSort::Waiting))
        .await
        .unwrap();
    assert_eq!(by_waiting.entries[0].person.family_name, "Evans", "at their stage longest: 15 days");
    assert_eq!(by_waiting.entries[6].person.family_name, "Morgan", "added today");
    let by_stage = store
        .caseload_stages(&caseload(&fixture.team_filter, None, CaseloadSort::Stage))
        .await
        .unwrap();
    let ranks: Vec<CaseStage> = by_stage.entries.iter().map(|entry| entry.stage).collect();
    let mut sorted = ranks.clone();
    sorted.sort();
    assert_eq!(ranks, sorted);

    let only = store
        .caseload_stages(&caseload(
            &fixture.team_filter,
            Some(CaseStage::AssessmentToCheck),
            CaseloadSort::Name,
        ))
        .await
        .unwrap();
    assert_eq!(only.entries.len(), 1);
    assert_eq!(only.entries[0].person.id, to_check.id);
    assert_eq!(only.by_stage.len(), 7, "the counts are over the whole caseload");

    let waiting = store.plans_for_manager(&fixture.team_filter, 50).await.unwrap();
    assert_eq!(waiting.len(), 1);
    assert_eq!(waiting[0].person_id, with_manager.id);
    assert_eq!(waiting[0].plan_cost, Money::from_pence(1_500_000));
    assert_eq!(waiting[0].indicative, Money::from_pence(1_000_000));
    assert_eq!((now() - waiting[0].waiting_since).num_days(), 4);
    let other_team = PeopleFilter::AllocatedTo(UserId::generate());
    assert!(store.plans_for_manager(&other_team, 50).await.unwrap().is_empty());
    assert!(store
        .caseload_stages(&caseload(&other_team, None, CaseloadSort::Name))
        .await
        .unwrap()
        .entries
        .is_empty());
}
