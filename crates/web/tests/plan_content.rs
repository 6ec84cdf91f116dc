//! The plan's statutory content and the assessment's duties, as people see them: who manages the
//! money is never chosen for the person, a sent plan is confirmed with what happens next, the plan
//! page shows needs, costs worked out and the direct payment, the duties form chooses nothing by
//! default, and the budget's working quotes answers in the person's words.

mod support;

use axum::http::StatusCode;
use support::World;
use tailor_domain::eligibility::{outcomes, AssessmentKind};
use tailor_domain::{AssessmentId, PersonId};

fn form(pairs: &[(&str, &str)]) -> String {
    serde_urlencoded::to_string(pairs).unwrap()
}

/// An assessment answered with `answer` choosing each answer, sent and accepted by practitioner@,
/// with no duties recorded yet.
async fn accepted_without_duties(world: &World, person_id: PersonId, answer: impl Fn(&str) -> Option<&'static str>) -> AssessmentId {
    let worker = world.actor("practitioner").await;
    let app = &world.app;
    let assessment = app.start_assessment(&worker, person_id, AssessmentKind::Adult).await.unwrap();
    let (_, questionnaire, _) = app.open_assessment(&worker, assessment.id).await.unwrap();
    for question in questionnaire.questions() {
        let chosen = answer(&question.id).unwrap_or(&question.answers[question.answers.len() - 1].id);
        app.answer_question(&worker, assessment.id, &question.id, chosen).await.unwrap();
    }
    app.submit_assessment(&worker, assessment.id).await.unwrap();
    app.review_assessment(&worker, assessment.id, true, &[], "").await.unwrap();
    assessment.id
}

/// Eligible, unable to achieve nutrition, hygiene, toilet needs and dressing; returns the allocation id.
async fn decided(world: &World, assessment_id: AssessmentId) -> tailor_domain::AllocationId {
    let worker = world.actor("practitioner").await;
    let duties = tailor_domain::assessment_duties::DutiesInput {
        self_assessment_offered: "yes".into(),
        method: "supported_self_assessment".into(),
        capacity: "no_doubt".into(),
        substantial_difficulty: "no".into(),
        ..Default::default()
    };
    world
        .app
        .record_assessment_duties(&worker, assessment_id, &duties, None)
        .await
        .unwrap();
    let findings = support::findings_unable_in(4);
    let notes = support::decision_notes("");
    let (_, allocation) = world
        .app
        .decide_eligibility(&worker, assessment_id, findings, &notes)
        .await
        .unwrap();
    allocation.unwrap().id
}

#[tokio::test]
async fn a_person_must_choose_who_manages_the_money_then_sees_a_confirmation_and_their_plans_content() {
    let world = World::new().await;
    let assessment = accepted_without_duties(&world, world.own_record, |_| None).await;
    decided(&world, assessment).await;
    let (cookie, token) = world.session("person").await;
    let path = format!("/people/{}/plan", world.own_record);
    let blank = world.get(&path, Some(&cookie)).await;
    assert_eq!(blank.status, StatusCode::OK);
    assert!(!blank
        .body
        .contains(r#"name="money_manager" type="radio" value="direct_payment" checked"#));
    assert!(blank.body.contains("Individual service fund") && blank.body.contains("Council-managed"));
    let mut fields = vec![
        ("csrf_token", token.as_str()),
        ("outcomes", "Stay at home and get to the market"),
        ("risks", "Falls: a personal assistant is there for washing"),
        ("contingency", "My daughter covers"),
        ("advice", "The falls class at the leisure centre"),
        ("line_description", "Personal assistant, mornings"),
        ("line_unit_cost", "15.50"),
        ("line_units", "7.5"),
        ("line_frequency", "weekly"),
        ("line_support", "personal_assistant"),
        ("line_meets", "maintaining_personal_hygiene"),
        ("line_charging", ""),
        ("line_reablement_start", ""),
        ("line_description", "Shower chair"),
        ("line_unit_cost", "85"),
        ("line_units", "1"),
        ("line_frequency", "one_off"),
        ("line_support", "equipment"),
        ("line_meets", "maintaining_personal_hygiene"),
        ("line_charging", "equipment"),
        ("line_reablement_start", ""),
    ];
    let unchosen = world.post_form(&format!("{path}/submit"), Some(&cookie), &form(&fields)).await;
    assert_eq!(unchosen.status, StatusCode::UNPROCESSABLE_ENTITY, "the form again, with the error");
    assert!(unchosen.body.contains("Select who will manage the money"));
    assert!(!unchosen
        .body
        .contains(r#"name="money_manager" type="radio" value="direct_payment" checked"#));
    fields.push(("money_manager", "trust_fund"));
    let sent = world.post_form(&format!("{path}/submit"), Some(&cookie), &form(&fields)).await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.body);
    assert!(sent.location().ends_with("/sent"), "{}", sent.location());
    let confirmation = world.get(sent.location(), Some(&cookie)).await;
    assert_eq!(confirmation.status, StatusCode::OK);
    assert!(confirmation.body.contains("govuk-panel--confirmation") && confirmation.body.contains("Your plan has been sent"));
    assert!(confirmation.body.contains("within 10 working days"));
    let plan = world.get(sent.location().trim_end_matches("/sent"), Some(&cookie)).await;
    assert_eq!(plan.status, StatusCode::OK);
    for expected in [
        "Your needs",
        "Maintaining personal hygiene",
        "A personal assistant I employ",
        // £15.50 × 7.5 × 52 = £6,045.00; the chair once, not every year.
        "£6,045.00",
        "counted once, not every year",
        "£6,130.00",
        "Your direct payment",
        // £6,045 × 4 / 52 = £465.00 every four weeks, and the chair once.
        "paid every 4 weeks: <strong>£465.00</strong>",
        "The falls class at the leisure centre",
        "half a penny rounds up",
    ] {
        assert!(plan.body.contains(expected), "{expected}");
    }
    // Staff read it in the staff's voice.
    let (staff, _) = world.session("practitioner").await;
    let as_staff = world.get(sent.location().trim_end_matches("/sent"), Some(&staff)).await;
    assert!(
        !as_staff.body.contains("Your needs") && as_staff.body.contains("&#39;s needs"),
        "{}",
        as_staff.body
    );
}

#[tokio::test]
async fn the_duties_form_chooses_nothing_and_an_advocate_needs_their_details_which_stay_out_of_the_audit_log() {
    let world = World::new().await;
    let assessment = accepted_without_duties(&world, world.own_record, |_| None).await;
    let (cookie, token) = world.session("practitioner").await;
    let page = world.get(&format!("/assessments/{assessment}"), Some(&cookie)).await;
    assert!(page.body.contains("Record how the assessment was carried out"));
    // Eligibility cannot be decided first: the form comes back with a clear error.
    let mut decision: Vec<(String, String)> = vec![
        ("csrf_token".into(), token.clone()),
        ("needs_condition_met".into(), "yes".into()),
        ("significant_impact".into(), "yes".into()),
        ("wellbeing_reasons".into(), "At risk without help".into()),
    ];
    for (index, (code, _)) in outcomes(AssessmentKind::Adult).into_iter().enumerate() {
        let finding = if index < 2 { "needs_assistance" } else { "able" };
        decision.push((format!("outcome_{code}"), finding.into()));
    }
    let early = world
        .post_form(
            &format!("/assessments/{assessment}/eligibility"),
            Some(&cookie),
            &serde_urlencoded::to_string(&decision).unwrap(),
        )
        .await;
    assert_eq!(early.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(early
        .body
        .contains("Record how the assessment was carried out (the offer of a supported self-assessment"));
    let path = format!("/assessments/{assessment}/duties");
    let blank = world.get(&path, Some(&cookie)).await;
    assert_eq!(blank.status, StatusCode::OK);
    assert!(!blank.body.contains(" checked"), "nothing pre-selected");
    let mut fields = vec![
        ("csrf_token", token.as_str()),
        ("version", ""),
        ("self_assessment_offered", "yes"),
        ("method", "practitioner_in_person"),
        ("capacity", "no_doubt"),
        ("substantial_difficulty", "yes"),
        ("advocacy", "advocate"),
    ];
    let missing = world.post_form(&path, Some(&cookie), &form(&fields)).await;
    assert_eq!(missing.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(missing.body.contains("Enter the advocate&#39;s name"), "{}", missing.body);
    fields.extend([
        ("advocate_name", "Priya Shah"),
        ("advocate_organisation", "Tailorford Advocacy Hub"),
        ("advocate_contact", "01632 960 456"),
    ]);
    let saved = world.post_form(&path, Some(&cookie), &form(&fields)).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let page = world.get(&format!("/assessments/{assessment}"), Some(&cookie)).await;
    assert!(page.body.contains("Priya Shah, Tailorford Advocacy Hub, 01632 960 456"));
    let events = world
        .store
        .list_audit(&tailor_store::AuditQuery {
            person_id: Some(world.own_record),
            action: Some(tailor_domain::audit::AuditAction::AssessmentDutiesRecorded),
            limit: 10,
        })
        .await
        .unwrap();
    let recorded = events.first().expect("audited");
    assert!(
        !recorded.event.details.to_string().contains("Priya"),
        "no personal values in the audit log"
    );
    // The form read again carries the version, and a stale one is refused.
    let again = world.get(&path, Some(&cookie)).await;
    assert!(again.body.contains(r#"name="version" value="1""#));
    fields[1] = ("version", "1");
    assert_eq!(
        world.post_form(&path, Some(&cookie), &form(&fields)).await.status,
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        world.post_form(&path, Some(&cookie), &form(&fields)).await.status,
        StatusCode::CONFLICT
    );
}

#[tokio::test]
async fn the_budget_working_quotes_the_persons_words_not_an_answer_code() {
    let world = World::new().await;
    let assessment = accepted_without_duties(&world, world.own_record, |question| match question {
        "informal_support" => Some("lots"),
        "carer_coping" => Some("coping"),
        _ => None,
    })
    .await;
    let allocation = decided(&world, assessment).await;
    let (cookie, _) = world.session("person").await;
    let page = world.get(&format!("/allocations/{allocation}"), Some(&cookie)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("because your answer was &#34;Most of it&#34;"), "{}", page.body);
    assert!(!page.body.contains("&#34;lots&#34;"));
}
