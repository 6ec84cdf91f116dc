//! Conformance checks for the records of steps 1 to 3 and the jobs table, including races:
//! many simultaneous writes to one record, of which exactly one may land.
//!
//! Long because each check of the steps' records sets up a person walked through steps 1 to 3 before it races or reads them.

use super::{audit, now, person, seed_team_and_worker};
use crate::*;
use chrono::{Duration, NaiveDate};
use futures::future::join_all;
use std::collections::BTreeMap;
use std::sync::Arc;
use tailor_domain::allocation::{AllocationResult, AppliedConversion};
use tailor_domain::assessments::*;
use tailor_domain::audit::AuditAction;
use tailor_domain::charging::{
    Contribution, ContributionBasis, ExpenditureLine, FinancialCircumstances, IncomeLine, IncomeSource, NeverCharged,
};
use tailor_domain::eligibility::{AssessmentKind, EligibilityDecision, EligibilityFindings};
use tailor_domain::jobs::{Job, JobKind, JobStatus};
use tailor_domain::money::{Money, YearRule};
use tailor_domain::plan_support::Quantity;
use tailor_domain::plans::*;
use tailor_domain::*;

/// A person in a team, their worker, and a submitted assessment with two answers.
pub struct Fixture {
    pub worker: User,
    pub person: Person,
    pub team_filter: PeopleFilter,
}

pub async fn fixture(store: &dyn Store) -> Fixture {
    let (team, worker) = seed_team_and_worker(store).await;
    let someone = person("Owen", "Morgan", "1948-03-02", None, Some(team.id));
    store.insert_person(&someone, &audit(AuditAction::PersonCreated)).await.unwrap();
    Fixture {
        team_filter: PeopleFilter::TeamOrAllocated {
            team: Some(team.id),
            worker: worker.id,
        },
        worker,
        person: someone,
    }
}

pub fn assessment(person_id: PersonId) -> Assessment {
    Assessment {
        id: AssessmentId::generate(),
        person_id,
        kind: AssessmentKind::Adult,
        questionnaire_id: "adult".into(),
        questionnaire_version: 1,
        status: AssessmentStatus::InProgress,
        answers: BTreeMap::from([("nutrition".to_owned(), "some_help".to_owned())]),
        completed_by: vec!["Owen Morgan".into()],
        started_at: now(),
        submitted_at: None,
        review: None,
        updated_at: now(),
        version: 1,
        about: Default::default(),
    }
}

pub fn allocation(person_id: PersonId, assessment_id: AssessmentId, worker: &User) -> AllocationRecord {
    AllocationRecord {
        id: AllocationId::generate(),
        person_id,
        assessment_id,
        model_source: "id = \"adult\"".into(),
        answers: BTreeMap::from([("nutrition".to_owned(), "some_help".to_owned())]),
        result: AllocationResult {
            model_id: Arc::from("adult"),
            model_version: 1,
            total_points: 40,
            sections: Vec::new(),
            conversion: AppliedConversion::PricePerPoint { pence_per_point: 25_000 },
            from_points_pence: 1_000_000,
            informal_support_answer: None,
            informal_support_percent: 0,
            informal_support_reduction_pence: 0,
            informal_support_not_applied: None,
            carers_allocation_answer: None,
            carers_allocation_pence: 0,
            total_pence: 1_000_000,
            weekly_pence: 19_230,
            year_rule: YearRule::FiftyTwoWeeks,
        },
        calculated_by: worker.id,
        calculated_by_name: worker.display_name.clone(),
        calculated_at: now(),
        override_: None,
        version: 1,
    }
}

pub fn eligibility(person_id: PersonId, assessment_id: AssessmentId, worker: &User) -> EligibilityRecord {
    EligibilityRecord {
        id: EligibilityDecisionId::generate(),
        person_id,
        assessment_id,
        findings: EligibilityFindings {
            kind: AssessmentKind::Adult,
            needs_condition_met: true,
            carer_health_at_risk: false,
            outcomes: Vec::new(),
            significant_impact_on_wellbeing: true,
            wellbeing_reasons: "Cannot prepare meals".into(),
        },
        decision: EligibilityDecision {
            eligible: true,
            unable_outcomes: vec!["nutrition".into(), "hygiene".into()],
            reasons: vec!["Two outcomes cannot be achieved".into()],
        },
        decided_by: worker.id,
        decided_by_name: worker.display_name.clone(),
        decided_at: now(),
        fluctuation: Some(FluctuatingNeeds {
            fluctuate: true,
            period: "The 12 weeks to 24 May".into(),
            description: "Worse in the winter months".into(),
        }),
        prevention_advice: None,
        redetermination: None,
        replaced_at: None,
    }
}

pub fn plan(person_id: PersonId, allocation_id: AllocationId, status: PlanStatus) -> SupportPlan {
    SupportPlan {
        id: PlanId::generate(),
        person_id,
        allocation_id,
        status,
        content: PlanContent {
            outcomes: "Cook with help three times a week".into(),
            lines: vec![
                PlanLine {
                    description: "Personal assistant".into(),
                    unit_cost: Money::from_pence(1_550),
                    quantity: Quantity::from_hundredths(650),
                    frequency: Frequency::Weekly,
                    component: ServiceComponent::DirectPayment,
                    never_charged: None,
                    support: Some("personal_assistant".into()),
                    meets: Some("managing_and_maintaining_nutrition".into()),
                    reablement_start: None,
                },
                PlanLine {
                    description: "Cookery class".into(),
                    unit_cost: Money::from_pence(4_000),
                    quantity: Quantity::whole(1),
                    frequency: Frequency::OneOff,
                    component: ServiceComponent::Other,
                    never_charged: Some(NeverCharged::EquipmentOrMinorAdaptation),
                    support: Some("reablement".into()),
                    meets: None,
                    reablement_start: chrono::NaiveDate::from_ymd_opt(2026, 4, 6),
                },
            ],
            risks: "Burns: induction hob".into(),
            contingency: "My son covers".into(),
            money_manager: Some(MoneyManager::Myself),
            advice: "The cookery class at the community centre".into(),
        },
        written_by: vec!["Owen Morgan".into()],
        decisions: Vec::new(),
        created_at: now(),
        updated_at: now(),
        version: 1,
        year_rule: YearRule::FiftyTwoWeeks,
    }
}

pub fn financial(person_id: PersonId, worker: &User) -> FinancialAssessmentRecord {
    FinancialAssessmentRecord {
        id: FinancialAssessmentId::generate(),
        person_id,
        circumstances: FinancialCircumstances {
            declined: false,
            date_of_birth: Some(NaiveDate::from_ymd_opt(1950, 2, 3).unwrap()),
            assessment_date: Some(NaiveDate::from_ymd_opt(2026, 5, 1).unwrap()),
            income: vec![IncomeLine {
                source: IncomeSource::StatePension,
                weekly: Money::from_pence(25_000),
            }],
            disability_related_expenditure: vec![ExpenditureLine {
                description: "Extra laundry".into(),
                weekly: Money::from_pence(500),
                evidence: "Launderette receipts".into(),
            }],
            ..FinancialCircumstances::declined()
        },
        rates_source: "version = 1".into(),
        weekly_cost: Money::from_pence(19_230),
        contribution: Contribution {
            weekly: Money::from_pence(1_500),
            working: Vec::new(),
            explanation: "Income above the guarantee".into(),
            rates_version: 1,
            chargeable_weekly_cost: Money::from_pence(19_230),
            services: Vec::new(),
        },
        assessed_by: worker.id,
        assessed_by_name: worker.display_name.clone(),
        assessed_at: now(),
    }
}

pub fn decision(worker: &User, verdict: Verdict) -> PlanDecision {
    PlanDecision {
        id: PlanDecisionId::generate(),
        stage: DecisionStage::Practitioner,
        verdict,
        reason: if verdict == Verdict::Agreed {
            String::new()
        } else {
            "Say who covers".into()
        },
        refused_lines: Vec::new(),
        refusal_ground: None,
        plan_cost: Money::from_pence(531_600),
        indicative: Money::from_pence(1_000_000),
        decided_by: worker.id,
        decided_by_name: worker.display_name.clone(),
        decided_at: now(),
    }
}

pub fn budget(plan: &SupportPlan, financial: &FinancialAssessmentRecord, worker: &User) -> PersonalBudget {
    PersonalBudget {
        id: BudgetId::generate(),
        person_id: plan.person_id,
        plan_id: plan.id,
        allocation_id: plan.allocation_id,
        financial_assessment_id: Some(financial.id),
        indicative_annual: Money::from_pence(1_000_000),
        annual_cost: Money::from_pence(531_600),
        annual_contribution: Money::from_pence(78_000),
        annual_council_amount: Money::from_pence(453_600),
        contribution_basis: ContributionBasis::Net,
        money_manager: MoneyManager::Myself,
        agreed_by: worker.id,
        agreed_by_name: worker.display_name.clone(),
        agreed_at: now(),
        year_rule: plan.year_rule,
    }
}

/// An accepted assessment with its eligibility decision and indicative budget, stored.
pub(super) async fn decided(store: &dyn Store, fixture: &Fixture) -> (Assessment, AllocationRecord) {
    let mut accepted = assessment(fixture.person.id);
    accepted.status = AssessmentStatus::Accepted;
    store
        .insert_assessment(&accepted, &audit(AuditAction::AssessmentStarted))
        .await
        .unwrap();
    let indicative = allocation(fixture.person.id, accepted.id, &fixture.worker);
    store
        .record_eligibility(
            &eligibility(fixture.person.id, accepted.id, &fixture.worker),
            Some(&indicative),
            &[audit(AuditAction::EligibilityDecided)],
        )
        .await
        .unwrap();
    (accepted, indicative)
}

pub(super) async fn assessments_change_only_from_the_state_they_were_read_in(store: Box<dyn Store>) {
    let fixture = fixture(&*store).await;
    let mut started = assessment(fixture.person.id);
    store
        .insert_assessment(&started, &audit(AuditAction::AssessmentStarted))
        .await
        .unwrap();
    assert_eq!(store.get_assessment(started.id).await.unwrap(), started);
    assert!(
        matches!(
            store
                .insert_assessment(&assessment(fixture.person.id), &audit(AuditAction::AssessmentStarted))
                .await,
            Err(StoreError::Conflict { .. })
        ),
        "a second adult assessment under way for one person is refused"
    );
    let editable = [AssessmentStatus::InProgress.as_str(), AssessmentStatus::SentBack.as_str()];
    let version = store
        .save_answer(
            &started,
            Expect {
                from: &editable,
                version: 1,
            },
            "hygiene",
            "lots",
            &audit(AuditAction::AssessmentAnswered),
        )
        .await
        .unwrap();
    assert_eq!(version, 2);
    assert!(
        matches!(
            store
                .save_answer(
                    &started,
                    Expect {
                        from: &editable,
                        version: 1
                    },
                    "hygiene",
                    "none",
                    &audit(AuditAction::AssessmentAnswered)
                )
                .await,
            Err(StoreError::StateChanged(_))
        ),
        "an answer written against an old version is refused"
    );
    started.status = AssessmentStatus::Submitted;
    started.submitted_at = Some(now());
    store
        .update_assessment(
            &started,
            Expect {
                from: &editable,
                version: 2,
            },
            &audit(AuditAction::AssessmentSubmitted),
        )
        .await
        .unwrap();
    let stored = store.get_assessment(started.id).await.unwrap();
    assert_eq!(stored.status, AssessmentStatus::Submitted);
    assert_eq!(stored.version, 3);
    assert_eq!(stored.answers.get("hygiene").map(String::as_str), Some("lots"));
    assert!(matches!(
        store
            .save_answer(
                &stored,
                Expect {
                    from: &editable,
                    version: 3
                },
                "hygiene",
                "none",
                &audit(AuditAction::AssessmentAnswered)
            )
            .await,
        Err(StoreError::StateChanged(_))
    ));
    let waiting = store
        .assessments_waiting(AssessmentStatus::Submitted, &fixture.team_filter, 10)
        .await
        .unwrap();
    assert_eq!(waiting, vec![stored.clone()]);
    assert!(store
        .assessments_waiting(AssessmentStatus::Submitted, &PeopleFilter::AllocatedTo(UserId::generate()), 10)
        .await
        .unwrap()
        .is_empty());
    assert_eq!(store.list_assessments(fixture.person.id).await.unwrap(), vec![stored]);
}

pub(super) async fn plans_budgets_and_challenges_round_trip(store: Box<dyn Store>) {
    let fixture = fixture(&*store).await;
    let (accepted, indicative) = decided(&*store, &fixture).await;
    assert!(store.assessments_to_decide(&fixture.team_filter, 10).await.unwrap().is_empty());
    assert_eq!(store.list_allocations(fixture.person.id).await.unwrap(), vec![indicative.clone()]);
    assert_eq!(
        store.list_eligibility(fixture.person.id).await.unwrap()[0].assessment_id,
        accepted.id
    );

    let mut changed = indicative.clone();
    changed.override_ = Some(BudgetOverride {
        annual: Money::from_pence(1_100_000),
        reason: "Night-time needs".into(),
        by: fixture.worker.id,
        by_name: fixture.worker.display_name.clone(),
        at: now(),
    });
    store
        .override_allocation(&changed, 1, &audit(AuditAction::BudgetOverridden))
        .await
        .unwrap();
    assert!(matches!(
        store.override_allocation(&changed, 1, &audit(AuditAction::BudgetOverridden)).await,
        Err(StoreError::StateChanged(_))
    ));
    let stored = store.get_allocation(indicative.id).await.unwrap();
    assert_eq!(stored.indicative(), Money::from_pence(1_100_000));
    assert_eq!(stored.version, 2);

    let money = financial(fixture.person.id, &fixture.worker);
    store
        .insert_financial_assessment(&money, &audit(AuditAction::FinancialAssessmentRecorded))
        .await
        .unwrap();
    assert_eq!(store.get_financial_assessment(money.id).await.unwrap(), money);

    let mut draft = plan(fixture.person.id, indicative.id, PlanStatus::Drafting);
    store.insert_plan(&draft, &audit(AuditAction::PlanSaved)).await.unwrap();
    assert_eq!(store.get_plan(draft.id).await.unwrap(), draft, "lines come back in order");
    assert!(
        matches!(
            store
                .insert_plan(
                    &plan(fixture.person.id, indicative.id, PlanStatus::Drafting),
                    &audit(AuditAction::PlanSaved)
                )
                .await,
            Err(StoreError::Conflict { .. })
        ),
        "one plan in progress per person"
    );
    let editable = [PlanStatus::Drafting.as_str(), PlanStatus::ChangesRequested.as_str()];
    // A draft need not say yet who manages the money: nothing is assumed for the person.
    draft.content.money_manager = None;
    store
        .update_plan(
            &draft,
            Expect {
                from: &editable,
                version: 1,
            },
            &audit(AuditAction::PlanSaved),
        )
        .await
        .unwrap();
    draft.version = 2;
    assert_eq!(store.get_plan(draft.id).await.unwrap(), draft, "no form of budget chosen yet");
    draft.content.money_manager = Some(MoneyManager::Trust);
    draft.content.lines.pop();
    draft.status = PlanStatus::Submitted;
    store
        .update_plan(
            &draft,
            Expect {
                from: &editable,
                version: 2,
            },
            &audit(AuditAction::PlanSubmitted),
        )
        .await
        .unwrap();
    let submitted = store.get_plan(draft.id).await.unwrap();
    assert_eq!(submitted.content.lines.len(), 1);
    assert_eq!(
        store.plans_waiting(PlanStatus::Submitted, &fixture.team_filter, 10).await.unwrap(),
        vec![submitted.clone()]
    );

    let mut agreed = submitted.clone();
    agreed.status = PlanStatus::Agreed;
    // Agreed under a council rule other than the default: the plan and its budget keep it.
    agreed.year_rule = YearRule::FiftyTwoWeeksAndADay;
    let issued = budget(&agreed, &money, &fixture.worker);
    store
        .decide_plan(
            &agreed,
            Expect {
                from: &[PlanStatus::Submitted.as_str()],
                version: 3,
            },
            &decision(&fixture.worker, Verdict::Agreed),
            Some(&issued),
            &[audit(AuditAction::PlanDecided), audit(AuditAction::BudgetAgreed)],
        )
        .await
        .unwrap();
    let stored = store.get_plan(draft.id).await.unwrap();
    assert_eq!(stored.status, PlanStatus::Agreed);
    assert_eq!(stored.year_rule, YearRule::FiftyTwoWeeksAndADay);
    assert_eq!(stored.decisions.len(), 1);
    assert_eq!(store.get_budget(issued.id).await.unwrap(), issued);
    assert_eq!(store.list_budgets(fixture.person.id).await.unwrap(), vec![issued.clone()]);

    let challenge = super::challenges::challenge(
        fixture.person.id,
        tailor_domain::challenges::ChallengeSubject::Budget(issued.id),
        &fixture.worker,
        None,
    );
    store
        .insert_challenge(&challenge, &audit(AuditAction::ChallengeRaised))
        .await
        .unwrap();
    assert_eq!(
        store.open_challenges(&fixture.team_filter, 10).await.unwrap(),
        vec![challenge.clone()]
    );
    let mut answered = challenge.clone();
    answered.answer = Some(tailor_domain::challenges::ChallengeAnswer {
        outcome: Some(tailor_domain::challenges::ChallengeOutcome::PartlyUpheld),
        reasons: "We will add two nights".into(),
        by: fixture.worker.id,
        by_name: fixture.worker.display_name.clone(),
        at: now(),
    });
    store
        .answer_challenge(&answered, 1, &audit(AuditAction::ChallengeAnswered))
        .await
        .unwrap();
    assert!(matches!(
        store.answer_challenge(&answered, 1, &audit(AuditAction::ChallengeAnswered)).await,
        Err(StoreError::StateChanged(_))
    ));
    assert!(store.open_challenges(&fixture.team_filter, 10).await.unwrap().is_empty());
    let stored = store.get_challenge(challenge.id).await.unwrap();
    assert_eq!(stored.answer, answered.answer);
    assert_eq!(
        stored.owner.map(|owner| owner.id),
        Some(fixture.worker.id),
        "whoever answers an ownerless challenge owns it"
    );
}

pub(super) async fn simultaneous_plan_decisions_land_once(store: Box<dyn Store>) {
    let fixture = fixture(&*store).await;
    let (_, indicative) = decided(&*store, &fixture).await;
    let money = financial(fixture.person.id, &fixture.worker);
    store
        .insert_financial_assessment(&money, &audit(AuditAction::FinancialAssessmentRecorded))
        .await
        .unwrap();
    let submitted = plan(fixture.person.id, indicative.id, PlanStatus::Submitted);
    store.insert_plan(&submitted, &audit(AuditAction::PlanSubmitted)).await.unwrap();
    let before = store.audit_chain(0, 10_000).await.unwrap().len();

    let mut agreed = submitted.clone();
    agreed.status = PlanStatus::Agreed;
    let attempts: Vec<_> = (0..8)
        .map(|_| (decision(&fixture.worker, Verdict::Agreed), budget(&agreed, &money, &fixture.worker)))
        .collect();
    let from = [PlanStatus::Submitted.as_str()];
    let events = [audit(AuditAction::PlanDecided), audit(AuditAction::BudgetAgreed)];
    let results = join_all(
        attempts
            .iter()
            .map(|(decided, issued)| store.decide_plan(&agreed, Expect { from: &from, version: 1 }, decided, Some(issued), &events)),
    )
    .await;
    let landed = results.iter().filter(|result| result.is_ok()).count();
    assert_eq!(landed, 1, "exactly one of eight simultaneous decisions lands: {results:?}");
    assert!(results
        .iter()
        .all(|result| result.is_ok() || matches!(result, Err(StoreError::StateChanged(_)))));
    assert_eq!(
        store.list_budgets(fixture.person.id).await.unwrap().len(),
        1,
        "one budget for one plan"
    );
    assert_eq!(store.get_plan(submitted.id).await.unwrap().decisions.len(), 1);
    assert_eq!(
        store.audit_chain(0, 10_000).await.unwrap().len(),
        before + 2,
        "the refused decisions left no audit events of their own"
    );
}

pub(super) async fn simultaneous_eligibility_decisions_land_once(store: Box<dyn Store>) {
    let fixture = fixture(&*store).await;
    let mut accepted = assessment(fixture.person.id);
    accepted.status = AssessmentStatus::Accepted;
    store
        .insert_assessment(&accepted, &audit(AuditAction::AssessmentStarted))
        .await
        .unwrap();
    assert_eq!(store.assessments_to_decide(&fixture.team_filter, 10).await.unwrap().len(), 1);
    let attempts: Vec<_> = (0..8)
        .map(|_| {
            (
                eligibility(fixture.person.id, accepted.id, &fixture.worker),
                allocation(fixture.person.id, accepted.id, &fixture.worker),
            )
        })
        .collect();
    let events = [audit(AuditAction::EligibilityDecided)];
    let results = join_all(
        attempts
            .iter()
            .map(|(decision, indicative)| store.record_eligibility(decision, Some(indicative), &events)),
    )
    .await;
    assert_eq!(results.iter().filter(|result| result.is_ok()).count(), 1, "{results:?}");
    assert_eq!(store.list_eligibility(fixture.person.id).await.unwrap().len(), 1);
    assert_eq!(store.list_allocations(fixture.person.id).await.unwrap().len(), 1);
    assert!(store.assessments_to_decide(&fixture.team_filter, 10).await.unwrap().is_empty());
}

pub(super) async fn simultaneous_plans_for_one_person_start_once(store: Box<dyn Store>) {
    let fixture = fixture(&*store).await;
    let (_, indicative) = decided(&*store, &fixture).await;
    let plans: Vec<_> = (0..8)
        .map(|_| plan(fixture.person.id, indicative.id, PlanStatus::Drafting))
        .collect();
    let event = audit(AuditAction::PlanSaved);
    let results = join_all(plans.iter().map(|started| store.insert_plan(started, &event))).await;
    assert_eq!(results.iter().filter(|result| result.is_ok()).count(), 1, "{results:?}");
    assert_eq!(store.list_plans(fixture.person.id).await.unwrap().len(), 1);
}

pub(super) async fn jobs_run_once_and_retry_with_back_off(store: Box<dyn Store>) {
    let start = now();
    let mut job = Job::new(JobKind::SessionCleanup, "{}".into(), start, start);
    job.dedupe_key = Some("session_cleanup/slot-1".into());
    assert!(store.enqueue_job(&job, Some(&audit(AuditAction::JobEnqueued))).await.unwrap());
    let mut again = Job::new(JobKind::SessionCleanup, "{}".into(), start, start);
    again.dedupe_key = job.dedupe_key.clone();
    assert!(!store.enqueue_job(&again, None).await.unwrap(), "one job per slot");
    let later = Job::new(JobKind::SessionCleanup, "{}".into(), start + Duration::hours(1), start);
    assert!(store.enqueue_job(&later, None).await.unwrap());

    let lease = start + Duration::minutes(10);
    let workers: Vec<String> = (0..8).map(|number| format!("worker-{number}")).collect();
    let claims = join_all(workers.iter().map(|worker| store.claim_job(worker, start, lease))).await;
    let claimed: Vec<Job> = claims.into_iter().filter_map(|claim| claim.unwrap()).collect();
    assert_eq!(
        claimed.len(),
        1,
        "of eight workers, one takes the due job; the later one is not due"
    );
    let running = &claimed[0];
    assert_eq!((running.id, running.status, running.attempts), (job.id, JobStatus::Running, 1));
    let holder = running.locked_by.clone().unwrap();

    assert!(matches!(
        store.finish_job(job.id, "someone-else", &JobOutcome::Done, start).await,
        Err(StoreError::StateChanged(_))
    ));
    let retry_at = start + Duration::seconds(30);
    store
        .finish_job(
            job.id,
            &holder,
            &JobOutcome::Retry {
                at: retry_at,
                error: "database busy".into(),
            },
            start,
        )
        .await
        .unwrap();
    assert!(
        store.claim_job("worker-0", start, lease).await.unwrap().is_none(),
        "not before its retry time"
    );
    let second = store.claim_job("worker-0", retry_at, lease).await.unwrap().unwrap();
    assert_eq!(
        (second.id, second.attempts, second.last_error.as_deref()),
        (job.id, 2, Some("database busy"))
    );
    store.finish_job(job.id, "worker-0", &JobOutcome::Done, retry_at).await.unwrap();
    let listed = store.list_jobs(10).await.unwrap();
    let done = listed.iter().find(|found| found.id == job.id).unwrap();
    assert_eq!(done.status, JobStatus::Done);
    assert_eq!(done.finished_at, Some(retry_at));

    // A worker that stopped mid-job loses it when its lease runs out.
    let claimed = store
        .claim_job("worker-1", start + Duration::hours(1), start + Duration::hours(1))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(claimed.id, later.id);
    let taken_over = store
        .claim_job("worker-2", start + Duration::hours(2), start + Duration::hours(3))
        .await
        .unwrap()
        .unwrap();
    assert_eq!((taken_over.id, taken_over.attempts), (later.id, 2));
}

fn duties(assessment: &Assessment, worker: &User, advocate: bool) -> tailor_domain::assessment_duties::AssessmentDuties {
    use tailor_domain::assessment_duties::*;
    AssessmentDuties {
        assessment_id: assessment.id,
        person_id: assessment.person_id,
        self_assessment_offered: true,
        method: AssessmentMethod::PractitionerInPerson,
        capacity: Capacity::AssessedHasCapacity,
        capacity_notes: "Two-stage test at the home visit: understands and weighs the choices.".into(),
        substantial_difficulty: advocate,
        advocacy: if advocate { Advocacy::Advocate } else { Advocacy::NotNeeded },
        appropriate_person: None,
        advocate: advocate.then(|| Advocate {
            name: "Priya Shah".into(),
            organisation: "Tailorford Advocacy Hub".into(),
            contact: "01632 960 456".into(),
        }),
        recorded_by: worker.id,
        recorded_by_name: worker.display_name.clone(),
        recorded_at: now(),
        version: 1,
    }
}

pub(super) async fn assessment_duties_round_trip_and_change_only_from_their_version(store: Box<dyn Store>) {
    let fixture = fixture(&*store).await;
    let started = assessment(fixture.person.id);
    store
        .insert_assessment(&started, &audit(AuditAction::AssessmentStarted))
        .await
        .unwrap();
    assert_eq!(store.get_assessment_duties(started.id).await.unwrap(), None);
    let event = audit(AuditAction::AssessmentDutiesRecorded);
    let mut recorded = duties(&started, &fixture.worker, false);
    store.record_assessment_duties(&recorded, None, &event).await.unwrap();
    assert_eq!(store.get_assessment_duties(started.id).await.unwrap(), Some(recorded.clone()));
    assert!(matches!(
        store.record_assessment_duties(&recorded, None, &event).await,
        Err(StoreError::StateChanged(_))
    ));
    // Later the person is found to need an advocate: the record is replaced from its version.
    let with_advocate = duties(&started, &fixture.worker, true);
    store.record_assessment_duties(&with_advocate, Some(1), &event).await.unwrap();
    recorded = store.get_assessment_duties(started.id).await.unwrap().unwrap();
    assert_eq!(recorded.version, 2);
    assert_eq!(recorded.advocate, with_advocate.advocate);
    assert!(matches!(
        store.record_assessment_duties(&with_advocate, Some(1), &event).await,
        Err(StoreError::StateChanged(_))
    ));
}

pub(super) async fn simultaneous_assessment_duties_land_once(store: Box<dyn Store>) {
    let fixture = fixture(&*store).await;
    let started = assessment(fixture.person.id);
    store
        .insert_assessment(&started, &audit(AuditAction::AssessmentStarted))
        .await
        .unwrap();
    let event = audit(AuditAction::AssessmentDutiesRecorded);
    let attempts: Vec<_> = (0..8).map(|number| duties(&started, &fixture.worker, number % 2 == 0)).collect();
    let first = join_all(attempts.iter().map(|record| store.record_assessment_duties(record, None, &event))).await;
    assert_eq!(first.iter().filter(|result| result.is_ok()).count(), 1, "{first:?}");
    let changes = join_all(
        attempts
            .iter()
            .map(|record| store.record_assessment_duties(record, Some(1), &event)),
    )
    .await;
    assert_eq!(changes.iter().filter(|result| result.is_ok()).count(), 1, "{changes:?}");
    assert_eq!(store.get_assessment_duties(started.id).await.unwrap().unwrap().version, 2);
}

/// "About you" is saved only while the assessment can change, from the version read, and reads
/// back whole; eight saves from one version land once.
pub(super) async fn about_you_is_saved_once_from_its_version(store: Box<dyn Store>) {
    let fixture = fixture(&*store).await;
    let mut started = assessment(fixture.person.id);
    store
        .insert_assessment(&started, &audit(AuditAction::AssessmentStarted))
        .await
        .unwrap();
    let editable = [AssessmentStatus::InProgress.as_str(), AssessmentStatus::SentBack.as_str()];
    let event = audit(AuditAction::AssessmentAnswered);
    let attempts: Vec<Assessment> = (0..8)
        .map(|number| {
            let mut attempt = started.clone();
            attempt.about = tailor_domain::assessments::AboutYou {
                what_matters: format!("Seeing my grandchildren, attempt {number}"),
                strengths: "Cooking for the family".into(),
                support_around: "My daughter, who lives nearby\nThe lunch club on Thursdays".into(),
            };
            attempt
        })
        .collect();
    let results = join_all(attempts.iter().map(|attempt| {
        store.save_about_you(
            attempt,
            Expect {
                from: &editable,
                version: 1,
            },
            &event,
        )
    }))
    .await;
    assert_eq!(results.iter().filter(|result| result.is_ok()).count(), 1, "{results:?}");
    assert!(results
        .iter()
        .filter_map(|result| result.as_ref().err())
        .all(|error| matches!(error, StoreError::StateChanged(_))));
    let stored = store.get_assessment(started.id).await.unwrap();
    assert_eq!(stored.version, 2);
    assert!(stored.about.what_matters.starts_with("Seeing my grandchildren, attempt "));
    assert_eq!(
        stored.about.support_around,
        "My daughter, who lives nearby\nThe lunch club on Thursdays"
    );

    // Once sent, it no longer changes.
    started.version = 2;
    started.status = AssessmentStatus::Submitted;
    store
        .update_assessment(
            &started,
            Expect {
                from: &editable,
                version: 2,
            },
            &audit(AuditAction::AssessmentSubmitted),
        )
        .await
        .unwrap();
    let late = store
        .save_about_you(
            &attempts[0],
            Expect {
                from: &editable,
                version: 3,
            },
            &event,
        )
        .await;
    assert!(matches!(late, Err(StoreError::StateChanged(_))), "{late:?}");
}
