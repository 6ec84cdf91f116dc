//! Written records: the eligibility letter, the plan and the budget statement as printable pages
//! with the council's details, a reference and the right to challenge, and as PDFs with "£"
//! printed in an embedded font.

mod support;

use axum::http::StatusCode;
use support::World;

#[tokio::test]
async fn each_record_prints_with_the_councils_details_and_downloads_as_a_pdf() {
    let world = World::new().await;
    let records = world.agreed_budget(world.own_record, "practitioner").await;
    let (person, _) = world.session("person").await;
    let pages = [
        (
            format!("/assessments/{}/letter", records.assessment),
            "ELG-",
            "You are eligible for care and support.",
        ),
        (format!("/plans/{}/print", records.plan), "PLN-", "What you want to achieve"),
        (format!("/budgets/{}/print", records.budget), "BUD-", "What the council pays"),
    ];
    for (path, reference, content) in pages {
        let page = world.get(&path, Some(&person)).await;
        assert_eq!(page.status, StatusCode::OK, "{path}");
        for expected in [
            "Tailorford Council",
            "Town Hall, Market Street",
            "01632 960 000",
            "adultsocialcare@tailorford.example",
            reference,
            content,
            "Olive Owner",
            "1 Mill Lane",
            "If you think this is wrong",
            "Local Government and Social Care Ombudsman",
        ] {
            assert!(page.body.contains(expected), "{path} shows {expected}");
        }
    }
    for path in [
        format!("/assessments/{}/letter.pdf", records.assessment),
        format!("/plans/{}/record.pdf", records.plan),
        format!("/budgets/{}/statement.pdf", records.budget),
    ] {
        let pdf = world.get(&path, Some(&person)).await;
        assert_eq!(pdf.status, StatusCode::OK, "{path}");
        assert_eq!(pdf.headers["content-type"], "application/pdf");
        assert!(pdf.body.starts_with("%PDF-"), "{path}");
        assert!(
            pdf.body.contains("DejaVu") && pdf.body.contains("/FontFile2"),
            "{path} embeds its font"
        );
    }
    let (stranger, _) = world.session("practitioner-b").await;
    assert_eq!(
        world
            .get(&format!("/budgets/{}/print", records.budget), Some(&stranger))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
}

#[tokio::test]
async fn a_letter_of_not_eligible_gives_the_advice_and_where_to_get_help() {
    let world = World::new().await;
    let assessment = world.accepted_assessment(world.own_record, "practitioner").await;
    let practitioner = world.actor("practitioner").await;
    let advice = "The strength and balance class at the leisure centre lowers the risk of falls";
    let (decided, allocation) = world
        .app
        .decide_eligibility(
            &practitioner,
            assessment,
            support::findings_unable_in(1),
            &support::decision_notes(advice),
        )
        .await
        .unwrap();
    assert!(!decided.decision.eligible && allocation.is_none());
    let (person, _) = world.session("person").await;
    let letter = world.get(&format!("/assessments/{assessment}/letter"), Some(&person)).await;
    assert_eq!(letter.status, StatusCode::OK);
    for expected in [
        "You are not eligible for care and support from the council at the moment.",
        "We looked at your needs over The eight weeks before the visit",
        "What could help now",
        advice,
        "Tailorford Community Directory",
        "Local Government and Social Care Ombudsman",
    ] {
        assert!(letter.body.contains(expected), "the letter shows {expected}");
    }
}
