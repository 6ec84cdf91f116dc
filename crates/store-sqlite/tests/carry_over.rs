//! The first storey kept steps 1 to 3 as JSON documents in `case_records`. Opening such a
//! database moves them into their tables, keeping their ids, and empties the old table.

use tailor_domain::challenges::ChallengeSubject;
use tailor_domain::plans::{PlanStatus, Verdict};
use tailor_domain::ChallengeId;
use tailor_store::conformance::now;
use tailor_store::conformance::steps::*;
use tailor_store::{StepStore, Store};
use tailor_store_sqlite::SqliteStore;

/// A record as the first storey wrote it: the fields added since (versions, decision ids, the
/// budget's financial assessment) are absent.
fn first_storey_json<T: serde::Serialize>(record: &T) -> String {
    let mut value = serde_json::to_value(record).unwrap();
    if let Some(object) = value.as_object_mut() {
        object.remove("version");
        object.remove("financial_assessment_id");
        // Plan lines had whole `units`, and no kind of support, need or start date.
        if let Some(lines) = object
            .get_mut("content")
            .and_then(|content| content.get_mut("lines"))
            .and_then(|found| found.as_array_mut())
        {
            for line in lines {
                let line = line.as_object_mut().unwrap();
                let hundredths = line.remove("quantity").and_then(|found| found.as_i64()).unwrap();
                line.insert("units".into(), serde_json::json!(hundredths / 100));
                for later in ["support", "meets", "reablement_start"] {
                    line.remove(later);
                }
            }
        }
        if let Some(content) = object.get_mut("content").and_then(|found| found.as_object_mut()) {
            content.remove("advice");
        }
        if let Some(decisions) = object.get_mut("decisions").and_then(|found| found.as_array_mut()) {
            for decision in decisions {
                decision.as_object_mut().unwrap().remove("id");
            }
        }
    }
    value.to_string()
}

#[tokio::test]
async fn records_kept_as_json_move_into_their_tables_when_the_database_is_opened() {
    let directory = tempfile::tempdir().unwrap();
    let url = format!("sqlite:{}", directory.path().join("first-storey.db").display());
    let store = SqliteStore::connect(&url).await.unwrap();
    let fixture = fixture(&store).await;
    let person_id = fixture.person.id;
    let mut accepted = assessment(person_id);
    accepted.status = tailor_domain::assessments::AssessmentStatus::Accepted;
    let decided = eligibility(person_id, accepted.id, &fixture.worker);
    let indicative = allocation(person_id, accepted.id, &fixture.worker);
    let money = financial(person_id, &fixture.worker);
    let mut agreed = plan(person_id, indicative.id, PlanStatus::Agreed);
    agreed.decisions.push(decision(&fixture.worker, Verdict::Agreed));
    let issued = budget(&agreed, &money, &fixture.worker);
    // A budget challenge as the first storey kept it: no kind, owner or outcome, and a member
    // of staff who recorded it for the person named only in the name.
    let challenge_id = ChallengeId::generate();
    let challenge = serde_json::json!({
        "id": challenge_id,
        "person_id": person_id,
        "budget_id": issued.id,
        "reason": "Not enough for nights",
        "raised_by": fixture.worker.id,
        "raised_by_name": "Sam Okoro, recorded on the person's behalf",
        "raised_at": now(),
        "response": null,
    });
    let rows = [
        ("challenge", challenge_id.0, challenge.to_string(), "open"),
        ("budget", issued.id.0, first_storey_json(&issued), "agreed"),
        ("plan", agreed.id.0, first_storey_json(&agreed), "agreed"),
        ("financial_assessment", money.id.0, first_storey_json(&money), "recorded"),
        ("allocation", indicative.id.0, first_storey_json(&indicative), "indicative"),
        ("eligibility", decided.id.0, first_storey_json(&decided), "eligible"),
        ("assessment", accepted.id.0, first_storey_json(&accepted), "accepted"),
    ];
    for (kind, id, body, status) in &rows {
        sqlx::query(
            "insert into case_records (id, kind, person_id, status, body, created_at, updated_at) values ($1, $2, $3, $4, $5, $6, $6)",
        )
        .bind(id)
        .bind(kind)
        .bind(person_id.0)
        .bind(status)
        .bind(body)
        .bind(now())
        .execute(&store.writer)
        .await
        .unwrap();
    }
    drop(store);

    let reopened = SqliteStore::connect(&url).await.unwrap();
    let left: i64 = sqlx::query_scalar("select count(*) from case_records")
        .fetch_one(&reopened.reader)
        .await
        .unwrap();
    assert_eq!(left, 0, "the old table is emptied");
    assert_eq!(reopened.get_assessment(accepted.id).await.unwrap().answers, accepted.answers);
    assert_eq!(reopened.list_eligibility(person_id).await.unwrap()[0].id, decided.id);
    assert_eq!(reopened.get_allocation(indicative.id).await.unwrap().result, indicative.result);
    assert_eq!(reopened.get_financial_assessment(money.id).await.unwrap(), money);
    let carried = reopened.get_plan(agreed.id).await.unwrap();
    assert_eq!(
        (carried.status, carried.content.lines.len(), carried.decisions.len()),
        (PlanStatus::Agreed, 2, 1)
    );
    // 6.5 hours was written as a whole 6 in the first storey's JSON: it becomes 6.00 exactly.
    assert_eq!(carried.content.lines[0].quantity.hundredths(), 600);
    assert_eq!(carried.content.lines[1].quantity.hundredths(), 100);
    assert_eq!(carried.content.money_manager, agreed.content.money_manager);
    let carried_budget = reopened.get_budget(issued.id).await.unwrap();
    assert_eq!(carried_budget.annual_council_amount, issued.annual_council_amount);
    assert_eq!(carried_budget.financial_assessment_id, None, "the first storey did not keep it");
    let carried_challenge = reopened.get_challenge(challenge_id).await.unwrap();
    assert_eq!(carried_challenge.reason, "Not enough for nights");
    assert_eq!(carried_challenge.subject, ChallengeSubject::Budget(issued.id));
    assert_eq!(carried_challenge.raised_by_name, "Sam Okoro");
    assert_eq!(carried_challenge.recorded_by_staff.map(|staff| staff.id), Some(fixture.worker.id));
    assert!(reopened.is_empty().await.is_ok());
}
