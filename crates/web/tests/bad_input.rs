//! Input refused the same way on both databases (issue 9: on PostgreSQL 17 of 31 bad inputs gave
//! 500, while SQLite stored the NUL bytes). Every input here must be answered 4xx with a clear
//! message, and change nothing, on SQLite and, when `POSTGRES_TEST_URL` names a server, PostgreSQL.

mod support;

use axum::http::StatusCode;
use serde_json::json;
use support::World;

fn person_body(given: &str, date_of_birth: &str) -> serde_json::Value {
    json!({
        "given_name": given,
        "family_name": "Okafor",
        "date_of_birth": date_of_birth,
        "address": { "line_1": "1 Mill Lane", "town": "Tailorford", "postcode": "TF1 1AA" },
        "contact_preference": "letter",
        "communication_needs": "",
        "consent_status": "not_asked",
        "consent_limitations": ""
    })
}

/// What is sent, how, where, with what body; the status expected and words the message must hold.
struct Case {
    what: &'static str,
    method: &'static str,
    path: String,
    body: Option<serde_json::Value>,
    expected: StatusCode,
    words: &'static str,
}

fn case(
    what: &'static str,
    method: &'static str,
    path: impl Into<String>,
    body: Option<serde_json::Value>,
    expected: StatusCode,
    words: &'static str,
) -> Case {
    Case {
        what,
        method,
        path: path.into(),
        body,
        expected,
        words,
    }
}

async fn bad_inputs_are_refused(world: &World) {
    let token = world.token("practitioner").await;
    let person = world.own_record;
    let people_before = world
        .audit_actions(None)
        .await
        .iter()
        .filter(|action| *action == "person_created")
        .count();
    let cases = vec![
        case(
            "NUL in a first name",
            "POST",
            "/api/v1/people",
            Some(person_body("Ada\u{0}", "1948-11-04")),
            StatusCode::UNPROCESSABLE_ENTITY,
            "control characters",
        ),
        case(
            "escape code in a first name",
            "POST",
            "/api/v1/people",
            Some(person_body("Ada\u{1b}[2J", "1948-11-04")),
            StatusCode::UNPROCESSABLE_ENTITY,
            "control characters",
        ),
        case(
            "a date of birth in year -4714",
            "POST",
            "/api/v1/people",
            Some(person_body("Ada", "-4714-11-24")),
            StatusCode::UNPROCESSABLE_ENTITY,
            "real date",
        ),
        case(
            "a date of birth in year 99999",
            "POST",
            "/api/v1/people",
            Some(person_body("Ada", "99999-01-01")),
            StatusCode::UNPROCESSABLE_ENTITY,
            "real date",
        ),
        case(
            "NUL in a case note",
            "POST",
            format!("/api/v1/people/{person}/notes"),
            Some(json!({ "kind": "visit", "text": "Visited\u{0}", "occurred_on": "" })),
            StatusCode::UNPROCESSABLE_ENTITY,
            "control characters",
        ),
        case(
            "a case note in year -4714",
            "POST",
            format!("/api/v1/people/{person}/notes"),
            Some(json!({ "kind": "visit", "text": "Visited", "occurred_on": "-4714-11-24" })),
            StatusCode::UNPROCESSABLE_ENTITY,
            "real date",
        ),
        case(
            "NUL in a search",
            "GET",
            "/api/v1/people?q=Ok%00a",
            None,
            StatusCode::UNPROCESSABLE_ENTITY,
            "control characters",
        ),
        case(
            "the largest page number",
            "GET",
            "/api/v1/people?page=9223372036854775807",
            None,
            StatusCode::UNPROCESSABLE_ENTITY,
            "page number",
        ),
        case(
            "a negative page number",
            "GET",
            "/api/v1/caseload?page=-1",
            None,
            StatusCode::UNPROCESSABLE_ENTITY,
            "page number",
        ),
        case(
            "a page number past i64",
            "GET",
            "/api/v1/people?page=99999999999999999999",
            None,
            StatusCode::BAD_REQUEST,
            "query string",
        ),
        case(
            "a page that is not a number",
            "GET",
            "/api/v1/caseload?page=two",
            None,
            StatusCode::BAD_REQUEST,
            "query string",
        ),
    ];
    for Case {
        what,
        method,
        path,
        body,
        expected,
        words,
    } in cases
    {
        let reply = world.api(method, &path, Some(&token), body).await;
        assert_eq!(reply.status, expected, "{what}: {}", reply.body);
        let error = reply.json();
        assert!(error["code"].is_string(), "{what}: the API's error shape: {}", reply.body);
        let text = error.to_string();
        assert!(text.contains(words), "{what}: {text}");
    }
    // A date-like search outside the range is read as a name, not sent to the database as a date.
    let search = world.api("GET", "/api/v1/people?q=-4714-11-24", Some(&token), None).await;
    assert_eq!(search.status, StatusCode::OK, "{}", search.body);

    // The sign-in email with a NUL, on the page and for a token.
    let token_reply = world
        .api(
            "POST",
            "/api/v1/tokens",
            None,
            Some(json!({ "email": "practitioner@example.org\u{0}", "password": "a long test password" })),
        )
        .await;
    assert_eq!(token_reply.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", token_reply.body);
    assert!(token_reply.body.contains("control characters"));

    // Pages: the same refusals, as pages.
    let (cookie, _) = world.session("practitioner").await;
    for path in [
        "/people?q=Ok%00a",
        "/people?page=9223372036854775807",
        "/home?page=9223372036854775807",
    ] {
        let reply = world.get(path, Some(&cookie)).await;
        assert!(reply.status.is_client_error(), "{path}: {}", reply.status);
    }
    let people_after = world
        .audit_actions(None)
        .await
        .iter()
        .filter(|action| *action == "person_created")
        .count();
    assert_eq!(people_before, people_after, "nothing was created");
}

#[tokio::test]
async fn bad_inputs_are_refused_on_sqlite() {
    bad_inputs_are_refused(&World::new().await).await;
}

#[tokio::test]
async fn bad_inputs_are_refused_on_postgres() {
    let Ok(server_url) = std::env::var("POSTGRES_TEST_URL") else {
        eprintln!("POSTGRES_TEST_URL is not set: skipping the PostgreSQL bad-input checks");
        return;
    };
    bad_inputs_are_refused(&World::on_postgres(&server_url).await).await;
    support::drop_postgres_test_databases(&server_url).await;
}
