//! "About you" in the self-assessment: what matters to the person, their strengths and the
//! support around them, in their own words; saved only while the assessment can change, and
//! shown to the practitioner beside the scored answers.

mod support;

use axum::http::StatusCode;
use support::World;
use tailor_domain::eligibility::AssessmentKind;

#[tokio::test]
async fn the_person_says_what_matters_and_the_practitioner_reads_it() {
    let world = World::new().await;
    let person = world.actor("person").await;
    let assessment = world
        .app
        .start_assessment(&person, world.own_record, AssessmentKind::Adult)
        .await
        .unwrap();
    let (cookie, csrf) = world.session("person").await;
    let path = format!("/assessments/{}/about", assessment.id);

    let form = world.get(&path, Some(&cookie)).await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(form.body.contains("What matters to you"));

    // What matters is asked of everyone: a blank form is an error on the same page.
    let blank = world
        .post_form(&path, Some(&cookie), &format!("csrf_token={csrf}&what_matters=&strengths=Cooking"))
        .await;
    assert_eq!(blank.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(blank.body.contains("govuk-error-summary") && blank.body.contains("Enter what matters to you"));
    assert!(blank.body.contains("Cooking"), "what was typed is kept");

    let saved = world
        .post_form(
            &path,
            Some(&cookie),
            &format!(
                "csrf_token={csrf}&what_matters=Seeing+my+grandchildren+on+Sundays&strengths=Cooking+for+the+family&support_around=My+daughter+nearby"
            ),
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let check = world.get(&format!("/assessments/{}/check", assessment.id), Some(&cookie)).await;
    assert!(check.body.contains("Seeing my grandchildren on Sundays"));
    assert!(check.body.contains("Cooking for the family"));

    let actions = world.audit_actions(Some(world.own_record)).await;
    assert!(actions.iter().any(|action| action == "assessment_answered"));
    let events = world
        .store
        .list_audit(&tailor_store::AuditQuery {
            person_id: Some(world.own_record),
            action: None,
            limit: 1000,
        })
        .await
        .unwrap();
    assert!(
        events
            .iter()
            .all(|event| !event.event.details.to_string().contains("grandchildren")),
        "the audit log names the fields, never what was written"
    );

    // The practitioner sees it on the assessment, in the person's name.
    let (practitioner, _) = world.session("practitioner").await;
    let page = world.get(&format!("/assessments/{}", assessment.id), Some(&practitioner)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Seeing my grandchildren on Sundays"));
    assert!(page.body.contains("About Olive"), "staff read the person's name");
}

#[tokio::test]
async fn about_you_cannot_change_once_the_answers_are_sent() {
    let world = World::new().await;
    let assessment = world.accepted_assessment(world.own_record, "practitioner").await;
    let person = world.actor("person").await;
    let late = world
        .app
        .save_about_you(
            &person,
            assessment,
            &tailor_domain::assessments::AboutYouInput {
                what_matters: "Gardening".into(),
                ..Default::default()
            },
        )
        .await;
    assert!(matches!(late, Err(tailor_app::AppError::Invalid(_))), "{late:?}");
    let (cookie, _) = world.session("person").await;
    let form = world.get(&format!("/assessments/{assessment}/about"), Some(&cookie)).await;
    assert_eq!(
        form.status,
        StatusCode::SEE_OTHER,
        "a sent assessment's form goes back to the record"
    );
}

#[tokio::test]
async fn someone_without_a_part_in_the_persons_care_is_refused_and_nothing_is_saved() {
    let world = World::new().await;
    let person = world.actor("person").await;
    let assessment = world
        .app
        .start_assessment(&person, world.own_record, AssessmentKind::Adult)
        .await
        .unwrap();
    let path = format!("/assessments/{}/about", assessment.id);
    let (stranger, csrf) = world.session("practitioner-b").await;
    assert_eq!(world.get(&path, Some(&stranger)).await.status, StatusCode::FORBIDDEN);
    let posted = world
        .post_form(&path, Some(&stranger), &format!("csrf_token={csrf}&what_matters=Not+theirs+to+say"))
        .await;
    assert_eq!(posted.status, StatusCode::FORBIDDEN);
    let stored = world.app.open_assessment(&person, assessment.id).await.unwrap().0;
    assert!(stored.about.is_empty(), "nothing was written");
    assert!(world
        .audit_actions(Some(world.own_record))
        .await
        .iter()
        .any(|action| action == "access_refused"));
}
