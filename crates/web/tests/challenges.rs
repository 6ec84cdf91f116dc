//! Challenges on the pages: the person challenges an eligibility decision and sees what happens
//! next; staff cannot challenge as the person but record it on the person's behalf, marked so;
//! the owner (a team manager who did not decide) answers from their queue; the person reads the
//! answer with the complaints route and the Ombudsman from the council file; an upheld challenge
//! leads to eligibility decided again, with the earlier decision kept and marked replaced.

mod support;

use axum::http::StatusCode;
use support::World;
use tailor_domain::council::CouncilContact;
use tailor_domain::eligibility::{outcomes, AssessmentKind};

/// The eligibility form filled in: `unable` outcomes needing help, the rest achievable.
fn eligibility_form(csrf: &str, unable: usize, extra: &str) -> String {
    let mut form = format!(
        "csrf_token={csrf}&needs_condition_met=yes&significant_impact=yes&wellbeing_reasons=At+risk+of+falls\
         &needs_fluctuate=yes&fluctuation_period=The+12+weeks+to+24+May&fluctuation_description=Worse+after+a+fall\
         &prevention_advice=Go+to+the+strength+and+balance+class{extra}"
    );
    for (index, (code, _)) in outcomes(AssessmentKind::Adult).iter().enumerate() {
        let finding = if index < unable { "needs_assistance" } else { "able" };
        form.push_str(&format!("&outcome_{code}={finding}"));
    }
    form
}

#[tokio::test]
async fn challenges_and_redetermination_on_sqlite() {
    a_person_challenges_eligibility_a_manager_answers_and_it_is_decided_again(&World::new().await).await;
}

#[tokio::test]
async fn challenges_and_redetermination_on_postgres() {
    let Ok(server_url) = std::env::var("POSTGRES_TEST_URL") else {
        eprintln!("POSTGRES_TEST_URL is not set: skipping the PostgreSQL challenge checks");
        return;
    };
    a_person_challenges_eligibility_a_manager_answers_and_it_is_decided_again(&World::on_postgres(&server_url).await).await;
    support::drop_postgres_test_databases(&server_url).await;
}

async fn a_person_challenges_eligibility_a_manager_answers_and_it_is_decided_again(world: &World) {
    let council = CouncilContact::demo();
    let assessment = world.accepted_assessment(world.own_record, "practitioner").await;
    let (worker_cookie, worker_csrf) = world.session("practitioner").await;
    let decide = format!("/assessments/{assessment}/eligibility");
    let decided = world
        .post_form(
            &decide,
            Some(&worker_cookie),
            &format!("{}&confirm=yes", eligibility_form(&worker_csrf, 1, "")),
        )
        .await;
    assert_eq!(decided.status, StatusCode::SEE_OTHER, "{}", decided.body);
    let worker = world.actor("practitioner").await;
    let decision = world.app.planning_overview(&worker, world.own_record).await.unwrap().eligibility[0].clone();
    assert!(!decision.decision.eligible);

    // The person reads the decision with the advice, the council's signposting and the way to challenge.
    let (cookie, csrf) = world.session("person").await;
    let page = world.get(&format!("/assessments/{assessment}"), Some(&cookie)).await;
    assert!(page.body.contains("Go to the strength and balance class"), "{}", page.body);
    assert!(page.body.contains(&council.signposting[0].name));
    assert!(page.body.contains("took the harder times into account"));
    let new_link = format!("/challenges/new?kind=eligibility&#38;id={}", decision.id);
    assert!(
        page.body.contains(&new_link) && page.body.contains("Challenge this decision"),
        "{}",
        page.body
    );

    // Staff cannot send a challenge as the person; they get the separate form, marked so.
    let as_person = format!("csrf_token={worker_csrf}&kind=eligibility&id={}&reason=Wrong", decision.id);
    assert_eq!(
        world.post_form("/challenges", Some(&worker_cookie), &as_person).await.status,
        StatusCode::FORBIDDEN
    );
    let on_behalf_form = world
        .get(
            &format!("/challenges/on-behalf/new?kind=eligibility&id={}", decision.id),
            Some(&worker_cookie),
        )
        .await;
    assert!(
        on_behalf_form.body.contains("Record a challenge on Olive"),
        "{}",
        on_behalf_form.body
    );
    assert!(on_behalf_form.body.contains("recorded as made on Olive"));

    let blank = world
        .post_form(
            "/challenges",
            Some(&cookie),
            &format!("csrf_token={csrf}&kind=eligibility&id={}&reason=", decision.id),
        )
        .await;
    assert_eq!(blank.status, StatusCode::UNPROCESSABLE_ENTITY);
    let sent = world
        .post_form(
            "/challenges",
            Some(&cookie),
            &format!(
                "csrf_token={csrf}&kind=eligibility&id={}&reason=I+cannot+wash+without+help",
                decision.id
            ),
        )
        .await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.body);
    let confirmation = world.get(sent.location(), Some(&cookie)).await;
    assert!(confirmation.body.contains("govuk-panel--confirmation") && confirmation.body.contains("Challenge sent"));
    assert!(
        confirmation.body.contains("manager user"),
        "the owner is named: {}",
        confirmation.body
    );
    assert!(confirmation.body.contains("What happens next"));
    let challenge_path = sent.location().trim_end_matches("/raised").to_owned();

    // The manager's queue, with the date and days left; the decision maker cannot answer.
    let (manager_cookie, manager_csrf) = world.session("manager").await;
    let queue = world.get("/challenges", Some(&manager_cookie)).await;
    assert!(
        queue.body.contains("Olive Owner") && queue.body.contains("28 days"),
        "{}",
        queue.body
    );
    let response = format!("{challenge_path}/response");
    assert_eq!(
        world
            .post_form(
                &response,
                Some(&worker_cookie),
                &format!("csrf_token={worker_csrf}&outcome=upheld&reasons=x")
            )
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    let unanswered = world
        .post_form(
            &response,
            Some(&manager_cookie),
            &format!("csrf_token={manager_csrf}&reasons=Looked+again"),
        )
        .await;
    assert_eq!(unanswered.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(unanswered.body.contains("Select whether the challenge is upheld"));
    let answered = world
        .post_form(
            &response,
            Some(&manager_cookie),
            &format!("csrf_token={manager_csrf}&outcome=upheld&reasons=Washing+needs+help+every+day"),
        )
        .await;
    assert_eq!(answered.status, StatusCode::SEE_OTHER, "{}", answered.body);

    // The person sees the outcome, the reasons, and the complaints route from the council file.
    let read = world.get(&challenge_path, Some(&cookie)).await;
    assert!(read.body.contains("Upheld") && read.body.contains("Washing needs help every day"));
    assert!(read.body.contains(&council.complaints.phone) && read.body.contains(&council.ombudsman.phone));
    assert!(read.body.contains("Local Government and Social Care Ombudsman"));

    // The owner decides again; the earlier decision is kept, marked replaced.
    let owner_view = world.get(&challenge_path, Some(&manager_cookie)).await;
    assert!(owner_view.body.contains("Decide eligibility again"), "{}", owner_view.body);
    let form = world
        .get(&format!("/eligibility/{}/redetermine", decision.id), Some(&manager_cookie))
        .await;
    assert_eq!(form.status, StatusCode::OK, "{}", form.body);
    assert!(form.body.contains("Why eligibility is being decided again"));
    let challenge_id = challenge_path.trim_start_matches("/challenges/");
    let again = eligibility_form(
        &manager_csrf,
        3,
        &format!(
            "&replaces={}&challenge_id={challenge_id}&redetermination_reason=The+challenge+was+upheld",
            decision.id
        ),
    );
    let check = world.post_form(&decide, Some(&manager_cookie), &again).await;
    assert!(check.body.contains("Why decide again"), "{}", check.body);
    let recorded = world
        .post_form(&decide, Some(&manager_cookie), &format!("{again}&confirm=yes"))
        .await;
    assert_eq!(recorded.status, StatusCode::SEE_OTHER, "{}", recorded.body);
    let overview = world.app.planning_overview(&worker, world.own_record).await.unwrap();
    assert_eq!(overview.eligibility.len(), 2);
    assert!(overview
        .eligibility
        .iter()
        .any(|record| record.id == decision.id && !record.is_current()));
    let shown = world.get(&format!("/assessments/{assessment}"), Some(&cookie)).await;
    assert!(shown.body.contains("Earlier decisions") && shown.body.contains("Replaced"));
    assert!(shown.body.contains("You are eligible for care and support"));
}
