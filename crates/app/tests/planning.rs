//! Steps 1 to 3 through the use cases: assessment, assurance, eligibility, budget, charging,
//! plan and sign-off, with the rules the issue names checked one by one.

use std::sync::Arc;
use tailor_app::clock::SystemClock;
use tailor_app::{App, AppError, SessionPolicy};
use tailor_domain::access::{Actor, Role};
use tailor_domain::allocation::{calculate_with_findings, AllocationModel};
use tailor_domain::assessments::DecisionNotesInput;
use tailor_domain::challenges::{ChallengeInput, ChallengeRules, ChallengeSubject};
use tailor_domain::charging::{FinancialCircumstances, IncomeLine, IncomeSource};
use tailor_domain::eligibility::{outcomes, AssessmentKind, EligibilityFindings, OutcomeFinding, UnableReason};
use tailor_domain::money::Money;
use tailor_domain::people::PersonDetailsInput;
use tailor_domain::plans::{DecisionInput, PlanInput, PlanStatus};
use tailor_domain::users::NewUser;
use tailor_domain::PersonId;
use tailor_store_sqlite::SqliteStore;

struct Council {
    app: App,
    practitioner: Actor,
    manager: Actor,
    person: Actor,
    person_id: PersonId,
}

async fn council() -> Council {
    let store = SqliteStore::connect("sqlite::memory:").await.unwrap();
    let app = App::new(Arc::new(store), Arc::new(SystemClock), SessionPolicy::default());
    app.ensure_default_configuration().await.unwrap();
    let team = app.create_team(None, "North").await.unwrap();
    let account = |email: &str, role: Role, person: Option<PersonId>| NewUser {
        email: email.into(),
        display_name: email.split('@').next().unwrap().into(),
        role,
        team_id: matches!(role, Role::Practitioner | Role::TeamManager).then_some(team.id),
        person_id: person,
        organisation_id: None,
        password: "a long test password".into(),
    };
    let practitioner = tailor_app::auth::actor_for(
        &app.create_user_unchecked(None, account("worker@example.org", Role::Practitioner, None))
            .await
            .unwrap(),
    );
    let manager = tailor_app::auth::actor_for(
        &app.create_user_unchecked(None, account("manager@example.org", Role::TeamManager, None))
            .await
            .unwrap(),
    );
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
    let person_id = app.create_person(&practitioner, &details).await.unwrap().id;
    let person = tailor_app::auth::actor_for(
        &app.create_user_unchecked(None, account("ada@example.org", Role::Person, Some(person_id)))
            .await
            .unwrap(),
    );
    Council {
        app,
        practitioner,
        manager,
        person,
        person_id,
    }
}

/// The person answers every question with the answer at `grade` (0 = least need).
async fn assessed(council: &Council, grade: usize) -> tailor_domain::AssessmentId {
    let app = &council.app;
    let assessment = app
        .start_assessment(&council.person, council.person_id, AssessmentKind::Adult)
        .await
        .unwrap();
    let (_, questionnaire, _) = app.open_assessment(&council.person, assessment.id).await.unwrap();
    for question in questionnaire.questions() {
        let answer = &question.answers[grade.min(question.answers.len() - 1)];
        app.answer_question(&council.person, assessment.id, &question.id, &answer.id)
            .await
            .unwrap();
    }
    app.submit_assessment(&council.person, assessment.id).await.unwrap();
    assessment.id
}

/// Needs that do not fluctuate, looked at over eight weeks, with advice for anyone not eligible.
fn notes() -> DecisionNotesInput {
    DecisionNotesInput {
        needs_fluctuate: "no".into(),
        fluctuation_period: "The eight weeks before the visit".into(),
        fluctuation_description: String::new(),
        prevention_advice: "The strength and balance class at the leisure centre lowers the risk of falls".into(),
    }
}

fn findings(unable: usize) -> EligibilityFindings {
    EligibilityFindings {
        kind: AssessmentKind::Adult,
        needs_condition_met: true,
        carer_health_at_risk: false,
        outcomes: outcomes(AssessmentKind::Adult)
            .into_iter()
            .enumerate()
            .map(|(index, (code, _))| OutcomeFinding {
                outcome: code.into(),
                unable: (index < unable).then_some(UnableReason::NeedsAssistance),
                evidence: String::new(),
            })
            .collect(),
        significant_impact_on_wellbeing: true,
        wellbeing_reasons: "At risk without help".into(),
    }
}

fn plan(weekly_pounds: &str) -> PlanInput {
    PlanInput {
        outcomes: "Stay at home".into(),
        risks: "Falls".into(),
        contingency: "Daughter covers".into(),
        money_manager: "direct_payment".into(),
        line_description: vec!["Personal assistant".into()],
        line_unit_cost: vec![weekly_pounds.into()],
        line_units: vec!["1".into()],
        line_frequency: vec!["weekly".into()],
        line_support: vec!["personal_assistant".into()],
        line_charging: Vec::new(),
        line_meets: vec!["maintaining_personal_hygiene".into()],
        advice: "The carers' centre and a benefits check".into(),
        ..PlanInput::default()
    }
}

fn circumstances() -> FinancialCircumstances {
    FinancialCircumstances {
        declined: false,
        income: vec![IncomeLine {
            source: IncomeSource::StatePension,
            weekly: Money::from_pence(26_000),
        }],
        ..FinancialCircumstances::declined()
    }
}

#[tokio::test]
async fn the_indicative_budget_is_recomputed_to_the_penny_from_its_snapshot() {
    let council = council().await;
    let assessment = assessed(&council, 2).await;
    council
        .app
        .review_assessment(&council.practitioner, assessment, true, &[], "")
        .await
        .unwrap();
    duties_recorded(&council, assessment).await;
    let (eligibility, allocation) = council
        .app
        .decide_eligibility(&council.practitioner, assessment, findings(2), &notes())
        .await
        .unwrap();
    assert!(eligibility.decision.eligible);
    let allocation = allocation.expect("eligible people get an indicative budget");
    let model = AllocationModel::parse(&allocation.model_source).unwrap();
    assert_eq!(
        calculate_with_findings(&model, &allocation.answers, Some(&eligibility.findings)).unwrap(),
        allocation.result
    );
    assert!(allocation.result.total_pence > 0);
}

#[tokio::test]
async fn an_assessment_can_be_sent_back_only_with_the_parts_and_a_reason() {
    let council = council().await;
    let assessment = assessed(&council, 1).await;
    let refused = council
        .app
        .review_assessment(&council.practitioner, assessment, false, &[], "")
        .await;
    let Err(AppError::Invalid(errors)) = refused else {
        panic!("{refused:?}")
    };
    assert!(errors.message_for("questions").is_some() && errors.message_for("reason").is_some());
    let sent_back = council
        .app
        .review_assessment(
            &council.practitioner,
            assessment,
            false,
            &["safety".into()],
            "You said you need no help but the notes mention falls",
        )
        .await
        .unwrap();
    assert!(sent_back.is_editable());
    // The person changes the answer and sends it again.
    council
        .app
        .answer_question(&council.person, assessment, "safety", "full_help")
        .await
        .unwrap();
    council.app.submit_assessment(&council.person, assessment).await.unwrap();
    // People cannot check their own assessment.
    assert!(matches!(
        council.app.review_assessment(&council.person, assessment, true, &[], "").await,
        Err(AppError::Forbidden)
    ));
}

#[tokio::test]
async fn one_outcome_is_not_enough_for_an_adult_and_no_budget_is_worked_out() {
    let council = council().await;
    let assessment = assessed(&council, 1).await;
    council
        .app
        .review_assessment(&council.practitioner, assessment, true, &[], "")
        .await
        .unwrap();
    // The duties around the assessment come first, with a clear error until they are recorded.
    let early = council
        .app
        .decide_eligibility(&council.practitioner, assessment, findings(1), &notes())
        .await;
    let Err(AppError::Invalid(errors)) = early else {
        panic!("{early:?}")
    };
    assert!(errors
        .message_for("decision")
        .is_some_and(|message| message.starts_with("Record how the assessment was carried out")));
    duties_recorded(&council, assessment).await;
    let (eligibility, allocation) = council
        .app
        .decide_eligibility(&council.practitioner, assessment, findings(1), &notes())
        .await
        .unwrap();
    assert!(!eligibility.decision.eligible);
    assert!(allocation.is_none());
}

async fn ready_to_plan(council: &Council) -> Money {
    let assessment = assessed(council, 2).await;
    council
        .app
        .review_assessment(&council.practitioner, assessment, true, &[], "")
        .await
        .unwrap();
    duties_recorded(council, assessment).await;
    let (_, allocation) = council
        .app
        .decide_eligibility(&council.practitioner, assessment, findings(3), &notes())
        .await
        .unwrap();
    allocation.unwrap().indicative()
}

#[tokio::test]
async fn a_plan_within_tolerance_is_agreed_by_the_practitioner_and_issues_the_statement() {
    let council = council().await;
    let indicative = ready_to_plan(&council).await;
    let weekly = format!("{}", indicative.pence() / 52 / 100);
    let submitted = council
        .app
        .save_plan(&council.person, council.person_id, &plan(&weekly), true)
        .await
        .unwrap();
    assert_eq!(submitted.status, PlanStatus::Submitted);
    let agree = DecisionInput {
        verdict: "agreed".into(),
        ..Default::default()
    };
    // No financial assessment yet: agreement waits for one.
    assert!(matches!(
        council.app.decide_plan(&council.practitioner, submitted.id, &agree).await,
        Err(AppError::Invalid(_))
    ));
    council
        .app
        .record_financial_assessment(&council.practitioner, council.person_id, circumstances())
        .await
        .unwrap();
    let (agreed, budget) = council.app.decide_plan(&council.practitioner, submitted.id, &agree).await.unwrap();
    assert_eq!(agreed.status, PlanStatus::Agreed);
    let budget = budget.unwrap();
    assert_eq!(
        budget.annual_cost.checked_sub(budget.annual_contribution).unwrap(),
        budget.annual_council_amount
    );
    assert_eq!(budget.indicative_annual, indicative);
    // The person can challenge its sufficiency; the challenge is routed to the team manager.
    assert!(matches!(
        council
            .app
            .raise_challenge(
                &council.person,
                ChallengeSubject::Budget(budget.id),
                &ChallengeInput { reason: " ".into() },
                false,
                &ChallengeRules::default()
            )
            .await,
        Err(AppError::Invalid(_))
    ));
    council
        .app
        .raise_challenge(
            &council.person,
            ChallengeSubject::Budget(budget.id),
            &ChallengeInput {
                reason: "It does not cover the nights".into(),
            },
            false,
            &ChallengeRules::default(),
        )
        .await
        .unwrap();
    assert_eq!(council.app.work_queues(&council.manager).await.unwrap().challenges.len(), 1);
}

#[tokio::test]
async fn an_over_tolerance_plan_needs_the_manager() {
    let council = council().await;
    let indicative = ready_to_plan(&council).await;
    council
        .app
        .record_financial_assessment(&council.practitioner, council.person_id, circumstances())
        .await
        .unwrap();
    // 20% over the indicative budget; the default tolerance is 10%.
    let weekly = format!("{}", indicative.pence() * 12 / 10 / 52 / 100 + 1);
    let submitted = council
        .app
        .save_plan(&council.person, council.person_id, &plan(&weekly), true)
        .await
        .unwrap();
    let agree = DecisionInput {
        verdict: "agreed".into(),
        ..Default::default()
    };
    let (waiting, budget) = council.app.decide_plan(&council.practitioner, submitted.id, &agree).await.unwrap();
    assert_eq!(waiting.status, PlanStatus::AwaitingManager);
    assert!(budget.is_none());
    assert_eq!(council.app.work_queues(&council.manager).await.unwrap().plans_for_manager.len(), 1);
    assert!(matches!(
        council.app.decide_plan(&council.practitioner, submitted.id, &agree).await,
        Err(AppError::Forbidden)
    ));
    let (agreed, budget) = council.app.decide_plan(&council.manager, submitted.id, &agree).await.unwrap();
    assert_eq!(agreed.status, PlanStatus::Agreed);
    assert!(budget.is_some());
}

#[tokio::test]
async fn a_refusal_without_a_reason_cannot_be_saved() {
    let council = council().await;
    let indicative = ready_to_plan(&council).await;
    let submitted = council
        .app
        .save_plan(
            &council.person,
            council.person_id,
            &plan(&format!("{}", indicative.pence() / 52 / 100)),
            true,
        )
        .await
        .unwrap();
    let refusal = DecisionInput {
        verdict: "spending_refused".into(),
        reason: String::new(),
        refused_lines: vec!["1".into()],
        refusal_ground: "unlawful".into(),
    };
    assert!(matches!(
        council.app.decide_plan(&council.practitioner, submitted.id, &refusal).await,
        Err(AppError::Invalid(_))
    ));
    let with_reason = DecisionInput {
        reason: "Paying a relative who lives with you needs a decision that it is necessary".into(),
        ..refusal
    };
    let (changed, _) = council
        .app
        .decide_plan(&council.practitioner, submitted.id, &with_reason)
        .await
        .unwrap();
    assert_eq!(changed.status, PlanStatus::ChangesRequested);
    assert_eq!(changed.decisions.last().unwrap().refused_lines, vec![1]);
}

#[tokio::test]
async fn a_new_configuration_version_is_checked_before_it_is_loaded() {
    let council = council().await;
    let admin = tailor_app::auth::actor_for(
        &council
            .app
            .create_user_unchecked(
                None,
                NewUser {
                    email: "admin@example.org".into(),
                    display_name: "Admin".into(),
                    role: Role::Administrator,
                    team_id: None,
                    person_id: None,
                    organisation_id: None,
                    password: "a long test password".into(),
                },
            )
            .await
            .unwrap(),
    );
    let model = include_str!("../../../config/allocation/adult.toml");
    let same_version = council.app.load_configuration(&admin, "allocation", model).await;
    assert!(matches!(same_version, Err(AppError::Invalid(_))), "version 2 is already loaded");
    let typo = model
        .replace("version = 2", "version = 3")
        .replace("pence_per_point", "pence_per_piont");
    let Err(AppError::Invalid(errors)) = council.app.load_configuration(&admin, "allocation", &typo).await else {
        panic!()
    };
    assert!(errors.to_string().contains("line"), "{errors}");
    let next = model
        .replace("version = 2", "version = 3")
        .replace("pence_per_point = 30000", "pence_per_point = 31000");
    council.app.load_configuration(&admin, "allocation", &next).await.unwrap();
    assert_eq!(
        council
            .app
            .list_configuration(&admin, "allocation")
            .await
            .unwrap()
            .iter()
            .filter(|version| version.config_id == "adult")
            .count(),
        2
    );
    assert!(matches!(
        council.app.load_configuration(&council.practitioner, "allocation", &next).await,
        Err(AppError::Forbidden)
    ));
    // Both shipped charging tables are loaded, so the 2025/26 one is there for recalculation.
    let charging = council.app.list_configuration(&admin, "charging").await.unwrap();
    let mut versions: Vec<i64> = charging.iter().map(|version| version.version).collect();
    versions.sort_unstable();
    assert_eq!(versions, vec![1, 2]);
}

#[tokio::test]
async fn a_free_reablement_line_is_never_part_of_the_contribution() {
    let council = council().await;
    let indicative = ready_to_plan(&council).await;
    let wealthy = FinancialCircumstances {
        income: vec![IncomeLine {
            source: IncomeSource::PrivatePension,
            weekly: Money::from_pence(200_000),
        }],
        ..circumstances()
    };
    council
        .app
        .record_financial_assessment(&council.practitioner, council.person_id, wealthy)
        .await
        .unwrap();
    let weekly_pounds = indicative.pence() / 52 / 100;
    let (assistant, reablement) = (weekly_pounds * 6 / 10, weekly_pounds * 3 / 10);
    assert!(assistant > 0 && reablement > 0);
    let mut input = plan(&assistant.to_string());
    input.line_description.push("Reablement after hospital".into());
    input.line_unit_cost.push(reablement.to_string());
    input.line_units.push("1".into());
    input.line_frequency.push("weekly".into());
    input.line_support.push("reablement".into());
    input.line_meets.push("maintaining_personal_hygiene".into());
    // Starting today: all six free weeks are still to come.
    let today = council.app.clock.today().format("%Y-%m-%d").to_string();
    input.line_reablement_start.extend([String::new(), today]);
    input.line_charging = vec![String::new(), "reablement".into()];
    let submitted = council
        .app
        .save_plan(&council.person, council.person_id, &input, true)
        .await
        .unwrap();
    let agree = DecisionInput {
        verdict: "agreed".into(),
        ..Default::default()
    };
    let (_, budget) = council.app.decide_plan(&council.practitioner, submitted.id, &agree).await.unwrap();
    let budget = budget.unwrap();
    // They can afford everything, yet pay only for the personal assistant.
    assert_eq!(budget.annual_cost, Money::from_pence((assistant + reablement) * 100 * 52));
    assert_eq!(budget.annual_contribution, Money::from_pence(assistant * 100 * 52));
}

#[tokio::test]
async fn a_not_eligible_decision_needs_written_advice_and_keeps_it() {
    let council = council().await;
    let assessment = assessed(&council, 1).await;
    council
        .app
        .review_assessment(&council.practitioner, assessment, true, &[], "")
        .await
        .unwrap();
    duties_recorded(&council, assessment).await;
    let no_advice = DecisionNotesInput {
        prevention_advice: String::new(),
        ..notes()
    };
    let refused = council
        .app
        .decide_eligibility(&council.practitioner, assessment, findings(1), &no_advice)
        .await;
    assert!(matches!(refused, Err(AppError::Invalid(errors)) if errors.message_for("prevention_advice").is_some()));
    let (decided, _) = council
        .app
        .decide_eligibility(&council.practitioner, assessment, findings(1), &notes())
        .await
        .unwrap();
    assert!(decided.prevention_advice.unwrap().contains("strength and balance"));
    assert_eq!(decided.fluctuation.unwrap().period, "The eight weeks before the visit");
}

#[tokio::test]
async fn a_challenge_to_eligibility_goes_to_someone_else_and_an_upheld_one_leads_to_a_redetermination() {
    use tailor_domain::challenges::{AnswerInput, ChallengeOutcome};
    let council = council().await;
    let assessment = assessed(&council, 1).await;
    council
        .app
        .review_assessment(&council.practitioner, assessment, true, &[], "")
        .await
        .unwrap();
    duties_recorded(&council, assessment).await;
    let (decided, _) = council
        .app
        .decide_eligibility(&council.practitioner, assessment, findings(1), &notes())
        .await
        .unwrap();
    let subject = ChallengeSubject::Eligibility(decided.id);
    let input = ChallengeInput {
        reason: "I cannot wash or dress without my daughter's help, and that was not counted".into(),
    };
    let rules = ChallengeRules { answer_within_days: 20 };
    // Staff never challenge as the person; they record it on the person's behalf, marked so.
    assert!(matches!(
        council
            .app
            .raise_challenge(&council.practitioner, subject, &input, false, &rules)
            .await,
        Err(AppError::Forbidden)
    ));
    assert!(matches!(
        council.app.raise_challenge(&council.person, subject, &input, true, &rules).await,
        Err(AppError::Forbidden)
    ));
    let recorded = council
        .app
        .raise_challenge(&council.practitioner, subject, &input, true, &rules)
        .await
        .unwrap();
    assert_eq!(recorded.recorded_by_staff.map(|staff| staff.id), Some(council.practitioner.user_id));
    let challenge = council
        .app
        .raise_challenge(&council.person, subject, &input, false, &rules)
        .await
        .unwrap();
    assert!(challenge.recorded_by_staff.is_none());
    assert_eq!(challenge.answer_by, challenge.raised_at.date_naive() + chrono::Days::new(20));
    assert_eq!(challenge.decision_maker, Some(council.practitioner.user_id));
    assert_eq!(
        challenge.owner.as_ref().map(|owner| owner.id),
        Some(council.manager.user_id),
        "the owner is not the decision maker"
    );
    let queue = council.app.challenges_to_answer(&council.manager).await.unwrap();
    assert_eq!(queue.len(), 2);
    assert!(council.app.challenges_to_answer(&council.practitioner).await.unwrap().is_empty());

    // Nothing is chosen for the owner; the decision maker cannot answer.
    let answer = AnswerInput {
        outcome: "upheld".into(),
        reasons: "Washing and dressing were missed: we will decide again.".into(),
    };
    assert!(matches!(
        council.app.answer_challenge(&council.practitioner, challenge.id, &answer).await,
        Err(AppError::Forbidden)
    ));
    assert!(matches!(
        council
            .app
            .answer_challenge(&council.manager, challenge.id, &AnswerInput::default())
            .await,
        Err(AppError::Invalid(_))
    ));
    let answered = council.app.answer_challenge(&council.manager, challenge.id, &answer).await.unwrap();
    assert_eq!(answered.answer.unwrap().outcome, Some(ChallengeOutcome::Upheld));
    let seen = council.app.open_challenge(&council.person, challenge.id).await.unwrap();
    assert!(!seen.may_answer && !seen.may_redetermine);
    let owner_view = council.app.open_challenge(&council.manager, challenge.id).await.unwrap();
    assert!(owner_view.may_redetermine, "an upheld challenge leads the owner to decide again");

    let reason = "The challenge was upheld: washing and dressing need help every day";
    assert!(matches!(
        council
            .app
            .redetermine_eligibility(&council.manager, decided.id, findings(3), &notes(), " ", Some(challenge.id))
            .await,
        Err(AppError::Invalid(_))
    ));
    let (again, allocation) = council
        .app
        .redetermine_eligibility(&council.manager, decided.id, findings(3), &notes(), reason, Some(challenge.id))
        .await
        .unwrap();
    assert!(again.decision.eligible && allocation.is_some());
    assert_eq!(again.redetermination.as_ref().unwrap().replaces, decided.id);
    let overview = council.app.planning_overview(&council.person, council.person_id).await.unwrap();
    assert_eq!(overview.eligibility.len(), 2, "both decisions are kept");
    assert!(overview
        .eligibility
        .iter()
        .any(|record| record.id == decided.id && !record.is_current()));
    // The replaced decision cannot be decided again, nor challenged.
    assert!(council
        .app
        .redetermine_eligibility(&council.manager, decided.id, findings(3), &notes(), reason, None)
        .await
        .is_err());
    assert!(council
        .app
        .raise_challenge(&council.person, subject, &input, false, &rules)
        .await
        .is_err());
}

/// The practitioner records how the assessment was carried out: offered, supported self-assessment, no doubt about capacity.
async fn duties_recorded(council: &Council, assessment: tailor_domain::AssessmentId) {
    let input = tailor_domain::assessment_duties::DutiesInput {
        self_assessment_offered: "yes".into(),
        method: "supported_self_assessment".into(),
        capacity: "no_doubt".into(),
        substantial_difficulty: "no".into(),
        ..Default::default()
    };
    council
        .app
        .record_assessment_duties(&council.practitioner, assessment, &input, None)
        .await
        .unwrap();
}

#[tokio::test]
async fn an_advocate_is_recorded_with_their_details_and_the_person_cannot_record_duties() {
    let council = council().await;
    let assessment = assessed(&council, 2).await;
    let mut input = tailor_domain::assessment_duties::DutiesInput {
        self_assessment_offered: "yes".into(),
        method: "practitioner_in_person".into(),
        capacity: "no_doubt".into(),
        substantial_difficulty: "yes".into(),
        ..Default::default()
    };
    let missing = council
        .app
        .record_assessment_duties(&council.practitioner, assessment, &input, None)
        .await;
    assert!(matches!(missing, Err(AppError::Invalid(_))), "{missing:?}");
    input.advocacy = "advocate".into();
    input.advocate_name = "Priya Shah".into();
    input.advocate_organisation = "Tailorford Advocacy Hub".into();
    input.advocate_contact = "01632 960 456".into();
    assert!(matches!(
        council
            .app
            .record_assessment_duties(&council.person, assessment, &input, None)
            .await,
        Err(AppError::Forbidden)
    ));
    council
        .app
        .record_assessment_duties(&council.practitioner, assessment, &input, None)
        .await
        .unwrap();
    let recorded = council.app.assessment_duties(&council.person, assessment).await.unwrap().unwrap();
    assert_eq!(recorded.advocate.unwrap().name, "Priya Shah");
}

#[tokio::test]
async fn a_redetermination_that_takes_eligibility_away_stops_planning_against_the_old_budget() {
    let council = council().await;
    let assessment = assessed(&council, 2).await;
    council
        .app
        .review_assessment(&council.practitioner, assessment, true, &[], "")
        .await
        .unwrap();
    duties_recorded(&council, assessment).await;
    let (decided, allocation) = council
        .app
        .decide_eligibility(&council.practitioner, assessment, findings(3), &notes())
        .await
        .unwrap();
    let weekly = format!("{}", allocation.unwrap().indicative().pence() / 52 / 100);
    council
        .app
        .save_plan(&council.person, council.person_id, &plan(&weekly), false)
        .await
        .unwrap();
    council
        .app
        .redetermine_eligibility(
            &council.manager,
            decided.id,
            findings(1),
            &notes(),
            "New evidence from the occupational therapist",
            None,
        )
        .await
        .unwrap();
    assert!(matches!(
        council.app.save_plan(&council.person, council.person_id, &plan(&weekly), false).await,
        Err(AppError::Invalid(errors)) if errors.message_for("plan").is_some()
    ));
    let overview = council.app.planning_overview(&council.person, council.person_id).await.unwrap();
    assert_eq!(tailor_app::steps::step_statuses(&overview)[0], "Not eligible");
}
