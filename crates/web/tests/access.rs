//! The access matrix: every route in the route table, tried by a visitor who is not signed in
//! and by every role, must answer as its rule says. A route added without a rule does not
//! compile; a rule that is not enforced fails here.

mod support;

use axum::http::StatusCode;
use support::World;
use tailor_domain::access::Role;
use tailor_web::routes::{table, AccessRule};

fn role_account(role: Role) -> &'static str {
    match role {
        Role::Person => "person",
        Role::Helper => "helper",
        Role::Practitioner => "practitioner",
        Role::TeamManager => "manager",
        Role::FinanceOfficer => "finance",
        Role::Commissioner => "commissioner",
        Role::Provider => "provider",
        Role::Analyst => "analyst",
        Role::Administrator => "admin",
        Role::CaldicottGuardian => "caldicott",
    }
}

/// A concrete path for a route pattern, with ids that exist nowhere (so no handler changes data).
fn concrete(path: &str) -> String {
    path.replace("{id}", "0190b1a4-0000-7000-8000-000000000000")
        .replace("{document_id}", "0190b1a4-0000-7000-8000-000000000001")
        .replace("{delegation_id}", "0190b1a4-0000-7000-8000-000000000002")
        .replace("{question}", "nutrition")
        .replace("{kind}", "questionnaire")
        .replace("{config_id}", "adult")
        .replace("{version}", "1")
        .replace("{*path}", "no-such-file.css")
}

#[tokio::test]
async fn every_route_has_a_rule_and_the_rule_is_enforced_for_every_role() {
    let world = World::new().await;
    let routes = table();
    assert!(routes.len() > 40, "the table should hold every route");
    let mut sessions = Vec::new();
    for role in Role::ALL {
        let (cookie, _) = world.session(role_account(role)).await;
        let token = world.token(role_account(role)).await;
        sessions.push((role, cookie, token));
    }
    for spec in &routes {
        let path = concrete(spec.path);
        let is_api = spec.path.starts_with("/api/");
        let method = spec.method.as_str();
        // Not signed in.
        let reply = if is_api {
            world.api(method, &path, None, Some(serde_json::json!({}))).await
        } else if method == "GET" {
            world.get(&path, None).await
        } else {
            world.post_form(&path, None, "").await
        };
        match spec.rule {
            AccessRule::Public => assert!(
                reply.status != StatusCode::UNAUTHORIZED && reply.location() != "/sign-in" || spec.path == "/",
                "{method} {} is public",
                spec.path
            ),
            _ if is_api => assert_eq!(
                reply.status,
                StatusCode::UNAUTHORIZED,
                "{method} {} must ask for a token",
                spec.path
            ),
            _ => assert_eq!(reply.location(), "/sign-in", "{method} {} must send visitors to sign in", spec.path),
        }
        // Each role.
        for (role, cookie, token) in &sessions {
            let reply = if is_api {
                let body = valid_body(spec.path, *role).unwrap_or_else(|| serde_json::json!({}));
                world.api(method, &path, Some(token), Some(body)).await
            } else if method == "GET" {
                world.get(&path, Some(cookie)).await
            } else if spec.path.ends_with("/documents") {
                world.post_multipart(&path, Some(cookie), &[("title", "A letter")], None).await
            } else {
                world.post_form(&path, Some(cookie), "").await
            };
            let allowed_by_rule = match spec.rule {
                AccessRule::Public | AccessRule::SignedIn => true,
                AccessRule::Permission(permission) => role.allows(permission),
            };
            let status = reply.status;
            if !allowed_by_rule {
                assert_eq!(status, StatusCode::FORBIDDEN, "{role:?} must be refused {method} {}", spec.path);
            } else if method == "POST" && !is_api {
                // Past the rule, a form without the session's CSRF token is refused.
                assert_eq!(
                    status,
                    StatusCode::FORBIDDEN,
                    "{method} {} without a CSRF token, as {role:?}",
                    spec.path
                );
                assert!(
                    reply.body.contains("This form could not be sent"),
                    "{method} {} as {role:?}",
                    spec.path
                );
            } else if spec.path == "/metrics" {
                // Metrics answer only a collector holding the metrics token, whoever is signed in.
                assert_eq!(status, StatusCode::NOT_FOUND, "{role:?} on /metrics without the token");
            } else if spec.path.contains('{') && !spec.path.starts_with("/admin/configuration/")
                || (method == "POST" && spec.path == "/api/v1/challenges")
            {
                // Past the rule, the handler looked for a record that exists nowhere (a challenge
                // names its decision in the body). (The
                // configuration version in `concrete` is real: it is loaded at start-up.)
                assert_eq!(
                    status,
                    StatusCode::NOT_FOUND,
                    "{role:?} on {method} {} should get past the rule to a 404: {}",
                    spec.path,
                    reply.body
                );
            } else {
                assert!(
                    status.is_success() || status.is_redirection(),
                    "{role:?} may {method} {}, but it answered {}: {}",
                    spec.path,
                    status,
                    reply.body
                );
            }
        }
    }
}

/// A body that succeeds for the API writes without ids in their path, so that an allowed role's
/// request must succeed rather than merely not be refused.
fn valid_body(path: &str, role: Role) -> Option<serde_json::Value> {
    match path {
        "/api/v1/tokens" => Some(serde_json::json!({
            "email": format!("{}@example.org", role_account(role)),
            "password": support::PASSWORD,
        })),
        "/api/v1/people" => Some(serde_json::json!({
            "given_name": "Matrix",
            "family_name": format!("Person {}", role_account(role)),
            "date_of_birth": "1950-02-03",
            "address": { "line_1": "2 Mill Lane", "town": "Tailorford", "postcode": "TF1 1AB" },
            "contact_preference": "letter",
            "communication_needs": "",
            "consent_status": "not_asked",
            "consent_limitations": "",
        })),
        "/api/v1/users" => Some(serde_json::json!({
            "email": format!("matrix-{}@example.org", role_account(role)),
            "display_name": "Matrix Analyst",
            "role": "analyst",
            "team_id": "",
            "person_id": "",
            "organisation_id": "",
            "password": support::PASSWORD,
        })),
        "/api/v1/challenges" => Some(serde_json::json!({
            "kind": "budget",
            "decision_id": uuid::Uuid::nil().to_string(),
            "reason": "Not enough for help at night",
        })),
        _ => None,
    }
}

/// Pages about one person, opened by someone whose role and relationship allow them: each must
/// answer with the page, not merely not refuse.
#[tokio::test]
async fn allowed_roles_open_the_pages_of_records_they_may_see() {
    let world = World::new().await;
    let person_pages = [
        "",
        "/edit",
        "/notes/new",
        "/relationships/new",
        "/warnings/new",
        "/documents/new",
        "/money-holders/new",
    ];
    let mut expectations: Vec<(&str, String, StatusCode)> = Vec::new();
    for page in person_pages {
        expectations.push(("practitioner", format!("/people/{}{page}", world.own_record), StatusCode::OK));
        expectations.push(("manager", format!("/people/{}{page}", world.helped), StatusCode::OK));
    }
    expectations.extend([
        ("manager", format!("/people/{}/allocation", world.helped), StatusCode::OK),
        (
            "practitioner",
            format!("/people/{}/allocation", world.own_record),
            StatusCode::FORBIDDEN,
        ),
        ("person", format!("/people/{}", world.own_record), StatusCode::OK),
        ("person", format!("/people/{}/delegations/new", world.own_record), StatusCode::OK),
        ("person", format!("/people/{}/notes/new", world.own_record), StatusCode::FORBIDDEN),
        ("helper", format!("/people/{}", world.helped), StatusCode::OK),
        ("helper", format!("/people/{}/delegations/new", world.helped), StatusCode::FORBIDDEN),
        ("provider", format!("/people/{}", world.provider_client), StatusCode::OK),
        ("finance", format!("/people/{}", world.stranger), StatusCode::OK),
        // Only the Caldicott guardian reads a person's audit trail, which names them.
        ("caldicott", format!("/admin/audit/people/{}", world.own_record), StatusCode::OK),
        ("admin", format!("/admin/audit/people/{}", world.own_record), StatusCode::FORBIDDEN),
        (
            "person",
            format!("/people/{}/delegations/0190b1a4-0000-7000-8000-000000000002", world.own_record),
            StatusCode::NOT_FOUND,
        ),
        (
            "helper",
            format!("/people/{}/delegations/0190b1a4-0000-7000-8000-000000000002", world.helped),
            StatusCode::FORBIDDEN,
        ),
    ]);
    for (account, path, expected) in expectations {
        let (cookie, _) = world.session(account).await;
        let reply = world.get(&path, Some(&cookie)).await;
        assert_eq!(reply.status, expected, "{account} on {path}: {}", reply.body);
    }
    let token = world.token("caldicott").await;
    let audit = world
        .api("GET", &format!("/api/v1/people/{}/audit", world.own_record), Some(&token), None)
        .await;
    assert_eq!(audit.status, StatusCode::OK);
}

#[tokio::test]
async fn relationships_decide_who_opens_which_record() {
    let world = World::new().await;
    let expectations = [
        ("practitioner", world.own_record, true),
        ("practitioner", world.stranger, false),
        ("manager", world.helped, true),
        ("manager", world.stranger, false),
        ("finance", world.stranger, true),
        ("person", world.own_record, true),
        ("person", world.helped, false),
        ("helper", world.helped, true),
        ("helper", world.own_record, false),
        ("provider", world.provider_client, true),
        ("provider", world.stranger, false),
        ("commissioner", world.own_record, false),
        ("analyst", world.own_record, false),
        ("admin", world.own_record, false),
    ];
    for (account, person, may_open) in expectations {
        let (cookie, _) = world.session(account).await;
        let reply = world.get(&format!("/people/{person}"), Some(&cookie)).await;
        if may_open {
            assert_eq!(reply.status, StatusCode::OK, "{account} should open {person}");
        } else {
            assert_eq!(reply.status, StatusCode::FORBIDDEN, "{account} must not open {person}");
        }
    }
}
