//! Challenges through the JSON API, and a challenge handed to another owner: the person raises
//! one in their own name, staff record one on the person's behalf (marked so), a team manager
//! sees their queue with its filters, hands a challenge to another manager (never to the
//! decision maker, from the version they read), the page shows the earlier owner and why, and
//! the new owner answers. Wrong accounts get 403, stale versions 409, bad input 422 with fields.

mod support;

use axum::http::StatusCode;
use serde_json::json;
use support::{World, PASSWORD};
use tailor_domain::access::Role;
use tailor_domain::users::NewUser;

#[tokio::test]
async fn challenges_through_the_api_on_sqlite() {
    challenges_are_raised_handed_on_and_answered_through_the_api(&World::new().await).await;
}

#[tokio::test]
async fn challenges_through_the_api_on_postgres() {
    let Ok(server_url) = std::env::var("POSTGRES_TEST_URL") else {
        eprintln!("POSTGRES_TEST_URL is not set: skipping the PostgreSQL challenge API checks");
        return;
    };
    challenges_are_raised_handed_on_and_answered_through_the_api(&World::on_postgres(&server_url).await).await;
    support::drop_postgres_test_databases(&server_url).await;
}

async fn add_manager(world: &World, local: &str, team: tailor_domain::TeamId) -> String {
    let user = world
        .app
        .create_user_unchecked(
            None,
            NewUser {
                email: format!("{local}@example.org"),
                display_name: format!("{local} user"),
                role: Role::TeamManager,
                team_id: Some(team),
                person_id: None,
                organisation_id: None,
                password: PASSWORD.into(),
            },
        )
        .await
        .unwrap();
    user.id.to_string()
}

fn fields(reply: &support::Reply) -> Vec<String> {
    reply.json()["errors"]
        .as_array()
        .map(|errors| {
            errors
                .iter()
                .map(|error| error["field"].as_str().unwrap_or_default().to_owned())
                .collect()
        })
        .unwrap_or_default()
}

async fn challenges_are_raised_handed_on_and_answered_through_the_api(world: &World) {
    let records = world.agreed_budget(world.own_record, "practitioner").await;
    let second_manager = add_manager(world, "second-manager", world.team_a).await;
    add_manager(world, "other-team-manager", world.team_b).await;
    let practitioner_id = world.actor("practitioner").await.user_id.to_string();
    let person = world.token("person").await;
    let practitioner = world.token("practitioner").await;
    let manager = world.token("manager").await;
    let second = world.token("second-manager").await;
    let other_team = world.token("other-team-manager").await;
    let helper = world.token("helper").await;
    let budget = records.budget.to_string();

    // Raising: 422 with the fields to correct; the helper without the person's leave, and staff
    // writing as the person, are refused.
    let blank = world
        .api(
            "POST",
            "/api/v1/challenges",
            Some(&person),
            Some(json!({ "kind": "budget", "decision_id": budget, "reason": " " })),
        )
        .await;
    assert_eq!(blank.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", blank.body);
    assert_eq!(fields(&blank), ["reason"]);
    let unknown = world
        .api(
            "POST",
            "/api/v1/challenges",
            Some(&person),
            Some(json!({ "kind": "haircut", "decision_id": budget, "reason": "x" })),
        )
        .await;
    assert_eq!(
        (unknown.status, fields(&unknown)),
        (StatusCode::UNPROCESSABLE_ENTITY, vec!["kind".to_owned()])
    );
    let no_id = world
        .api(
            "POST",
            "/api/v1/challenges",
            Some(&person),
            Some(json!({ "kind": "budget", "reason": "x" })),
        )
        .await;
    assert_eq!(fields(&no_id), ["decision_id"]);
    let reason = json!({ "kind": "budget", "decision_id": budget, "reason": "Not enough for help at night" });
    for (token, what) in [(&helper, "a helper without leave"), (&practitioner, "staff as the person")] {
        let refused = world.api("POST", "/api/v1/challenges", Some(token), Some(reason.clone())).await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN, "{what}: {}", refused.body);
    }
    let raised = world.api("POST", "/api/v1/challenges", Some(&person), Some(reason.clone())).await;
    assert_eq!(raised.status, StatusCode::CREATED, "{}", raised.body);
    let challenge = raised.json();
    assert_eq!(challenge["kind"], "budget");
    assert_eq!(challenge["status"], "open");
    assert_eq!(challenge["owner"]["name"], "manager user", "the only manager who did not decide");
    assert_eq!(challenge["decision_maker_id"], practitioner_id.as_str());
    assert!(challenge["recorded_by_staff"].is_null());
    let id = challenge["id"].as_str().unwrap().to_owned();

    let on_behalf = world
        .api(
            "POST",
            "/api/v1/challenges",
            Some(&practitioner),
            Some(json!({ "kind": "budget", "decision_id": budget, "reason": "Olive told me by phone", "on_behalf": true })),
        )
        .await;
    assert_eq!(on_behalf.status, StatusCode::CREATED, "{}", on_behalf.body);
    assert_eq!(on_behalf.json()["recorded_by_staff"]["id"], practitioner_id.as_str());

    // The manager's queue, with its filters; people and practitioners have no queue.
    let queue = world.api("GET", "/api/v1/challenges", Some(&manager), None).await;
    assert_eq!(queue.status, StatusCode::OK, "{}", queue.body);
    assert_eq!(queue.json().as_array().unwrap().len(), 2);
    let recorded = world.api("GET", "/api/v1/challenges?on_behalf=true", Some(&manager), None).await;
    assert_eq!(recorded.json().as_array().unwrap().len(), 1);
    let charges = world.api("GET", "/api/v1/challenges?kind=charge", Some(&manager), None).await;
    assert!(charges.json().as_array().unwrap().is_empty());
    let overdue = world.api("GET", "/api/v1/challenges?overdue=true", Some(&manager), None).await;
    assert!(overdue.json().as_array().unwrap().is_empty(), "none is past its date yet");
    let bad_kind = world.api("GET", "/api/v1/challenges?kind=haircut", Some(&manager), None).await;
    assert_eq!(
        (bad_kind.status, fields(&bad_kind)),
        (StatusCode::UNPROCESSABLE_ENTITY, vec!["kind".to_owned()])
    );
    assert_eq!(
        world.api("GET", "/api/v1/challenges", Some(&person), None).await.status,
        StatusCode::FORBIDDEN
    );

    // One challenge: the person reads theirs; another team's manager cannot.
    let path = format!("/api/v1/challenges/{id}");
    let seen = world.api("GET", &path, Some(&person), None).await;
    assert_eq!(seen.status, StatusCode::OK, "{}", seen.body);
    assert_eq!(seen.json()["may_reassign"], false);
    assert_eq!(world.api("GET", &path, Some(&other_team), None).await.status, StatusCode::FORBIDDEN);
    let detail = world.api("GET", &path, Some(&manager), None).await.json();
    assert_eq!(
        (detail["may_answer"].clone(), detail["may_reassign"].clone()),
        (json!(true), json!(true))
    );
    let choices: Vec<_> = detail["owner_choices"]
        .as_array()
        .unwrap()
        .iter()
        .map(|choice| choice["id"].clone())
        .collect();
    assert_eq!(
        choices,
        [json!(second_manager)],
        "the other manager only: never the decision maker or the owner"
    );
    assert_eq!(detail["decision"]["decision_maker"]["id"], practitioner_id.as_str());

    // Handing it on: only a manager for the person; never to the decision maker; from the
    // version read.
    let owner = format!("{path}/owner");
    let to_second = json!({ "owner_id": second_manager, "reason": "Away until after the answer date", "version": 1 });
    for token in [&practitioner, &other_team, &person] {
        let refused = world.api("POST", &owner, Some(token), Some(to_second.clone())).await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.body);
    }
    let empty = world.api("POST", &owner, Some(&manager), Some(json!({}))).await;
    assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(fields(&empty), ["owner_id", "reason"]);
    let to_decider = world
        .api(
            "POST",
            &owner,
            Some(&manager),
            Some(json!({ "owner_id": practitioner_id, "reason": "x", "version": 1 })),
        )
        .await;
    assert_eq!(to_decider.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(to_decider.body.contains("made the decision cannot answer"), "{}", to_decider.body);
    let stale = world
        .api(
            "POST",
            &owner,
            Some(&manager),
            Some(json!({ "owner_id": second_manager, "reason": "x", "version": 7 })),
        )
        .await;
    assert_eq!(
        (stale.status, stale.json()["code"].clone()),
        (StatusCode::CONFLICT, json!("conflict"))
    );
    let handed = world.api("POST", &owner, Some(&manager), Some(to_second.clone())).await;
    assert_eq!(handed.status, StatusCode::OK, "{}", handed.body);
    assert_eq!(
        (handed.json()["owner"]["id"].clone(), handed.json()["version"].clone()),
        (json!(second_manager), json!(2))
    );
    let again = world.api("POST", &owner, Some(&manager), Some(to_second)).await;
    assert_eq!(again.status, StatusCode::CONFLICT, "the same version a second time: {}", again.body);
    let history = world.api("GET", &path, Some(&manager), None).await.json();
    let kept = &history["reassignments"][0];
    assert_eq!(kept["from"]["name"], "manager user");
    assert_eq!(kept["to"]["name"], "second-manager user");
    assert_eq!(kept["by"]["name"], "manager user");
    assert_eq!(kept["reason"], "Away until after the answer date");
    assert!(world
        .audit_actions(Some(world.own_record))
        .await
        .contains(&"challenge_reassigned".to_owned()));

    // The page shows the earlier owner and why; the hand-on form is for managers only.
    let (manager_cookie, manager_csrf) = world.session("manager").await;
    let page = world.get(&format!("/challenges/{id}"), Some(&manager_cookie)).await;
    assert!(
        page.body.contains("Earlier owners") && page.body.contains("manager user handed it on to second-manager user"),
        "{}",
        page.body
    );
    assert!(page.body.contains("Away until after the answer date"));
    assert!(page.body.contains("Hand this challenge to someone else"));
    let (practitioner_cookie, _) = world.session("practitioner").await;
    let their_page = world.get(&format!("/challenges/{id}"), Some(&practitioner_cookie)).await;
    assert!(their_page.body.contains("Earlier owners") && !their_page.body.contains("Hand this challenge"));
    let form_path = format!("/challenges/{id}/owner");
    let unfinished = world
        .post_form(&form_path, Some(&manager_cookie), &format!("csrf_token={manager_csrf}&version=2"))
        .await;
    assert_eq!(unfinished.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(unfinished.body.contains("govuk-error-summary") && unfinished.body.contains("Select who should answer"));
    let stale_form = world
        .post_form(
            &form_path,
            Some(&manager_cookie),
            &format!(
                "csrf_token={manager_csrf}&version=1&owner_id={}&reason=Back+from+leave",
                world.actor("manager").await.user_id
            ),
        )
        .await;
    assert_eq!(stale_form.status, StatusCode::CONFLICT);

    // Answering: only the owner now; from the version read; an outcome is required.
    let answer = format!("{path}/answer");
    let upheld = json!({ "outcome": "upheld", "reasons": "Night-time help was missed; the budget rises", "version": 2 });
    let not_owner = world.api("POST", &answer, Some(&manager), Some(upheld.clone())).await;
    assert_eq!(not_owner.status, StatusCode::FORBIDDEN, "the earlier owner no longer answers it");
    let no_outcome = world
        .api(
            "POST",
            &answer,
            Some(&second),
            Some(json!({ "reasons": "Looked again", "version": 2 })),
        )
        .await;
    assert_eq!(
        (no_outcome.status, fields(&no_outcome)),
        (StatusCode::UNPROCESSABLE_ENTITY, vec!["outcome".to_owned()])
    );
    let stale_answer = world
        .api(
            "POST",
            &answer,
            Some(&second),
            Some(json!({ "outcome": "upheld", "reasons": "x", "version": 1 })),
        )
        .await;
    assert_eq!(stale_answer.status, StatusCode::CONFLICT);
    let answered = world.api("POST", &answer, Some(&second), Some(upheld)).await;
    assert_eq!(answered.status, StatusCode::OK, "{}", answered.body);
    assert_eq!(answered.json()["status"], "answered");
    assert_eq!(answered.json()["answer"]["outcome"], "upheld");
    let late = world
        .api(
            "POST",
            &owner,
            Some(&manager),
            Some(json!({ "owner_id": second_manager, "reason": "x" })),
        )
        .await;
    assert_eq!(
        late.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "an answered challenge is not handed on"
    );
    let person_reads = world.api("GET", &path, Some(&person), None).await.json();
    assert_eq!(
        person_reads["challenge"]["answer"]["reasons"],
        "Night-time help was missed; the budget rises"
    );
}
