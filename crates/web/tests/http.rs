//! HTTP behaviour a person or API client relies on: sign-in, refusals and their audit events,
//! bad input that changes nothing, the API and the service endpoints.
//!
//! Long because each test drives the whole router through one shared `World` set-up; the
//! newer areas (accounts, challenges, worklists, records) have files of their own.

mod support;

use axum::http::StatusCode;
use support::{World, PASSWORD};

/// A fresh anonymous session from the sign-in page: (cookie value, CSRF token).
async fn sign_in_page(world: &World) -> (String, String) {
    let reply = world.get("/sign-in", None).await;
    assert_eq!(reply.status, StatusCode::OK);
    let cookie = reply.headers.get("set-cookie").unwrap().to_str().unwrap().to_owned();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax") && cookie.contains("Secure"),
        "{cookie}"
    );
    let value = cookie.split(';').next().unwrap().trim_start_matches("tailor_session=").to_owned();
    let token = reply
        .body
        .split("name=\"csrf_token\" value=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_owned();
    (value, token)
}

fn form(pairs: &[(&str, &str)]) -> String {
    serde_urlencoded::to_string(pairs).unwrap()
}

#[tokio::test]
async fn signing_in_rotates_the_session_and_lands_on_the_roles_home() {
    let world = World::new().await;
    let (anonymous, token) = sign_in_page(&world).await;
    let reply = world
        .post_form(
            "/sign-in",
            Some(&anonymous),
            &form(&[
                ("csrf_token", &token),
                ("email", "Practitioner@Example.org"),
                ("password", PASSWORD),
            ]),
        )
        .await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER);
    assert_eq!(reply.location(), "/home");
    let new_cookie = reply
        .headers
        .get("set-cookie")
        .unwrap()
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .trim_start_matches("tailor_session=")
        .to_owned();
    assert_ne!(new_cookie, anonymous, "the session id changes at sign-in");
    assert_eq!(
        world.get("/home", Some(&anonymous)).await.location(),
        "/sign-in",
        "the old id no longer works"
    );
    let home = world.get("/home", Some(&new_cookie)).await;
    assert_eq!(home.status, StatusCode::OK);
    assert!(home.body.contains("Your caseload"));
}

#[tokio::test]
async fn a_wrong_password_is_refused_and_audited() {
    let world = World::new().await;
    let (anonymous, token) = sign_in_page(&world).await;
    let reply = world
        .post_form(
            "/sign-in",
            Some(&anonymous),
            &form(&[
                ("csrf_token", &token),
                ("email", "practitioner@example.org"),
                ("password", "wrong password here"),
            ]),
        )
        .await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(reply.body.contains("govuk-error-summary"));
    assert!(reply.body.contains("Enter a correct email address and password"));
    assert!(reply.body.contains("<title>Error: Sign in"));
    assert!(world.audit_actions(None).await.contains(&"sign_in_failed".to_owned()));
}

#[tokio::test]
async fn repeated_failures_throttle_sign_in_even_with_the_right_password() {
    let world = World::new().await;
    for _ in 0..5 {
        assert!(world
            .app
            .sign_in("finance@example.org", "wrong password here", "test client", None)
            .await
            .is_err());
    }
    let throttled = world.app.sign_in("finance@example.org", PASSWORD, "test client", None).await;
    assert!(matches!(throttled, Err(tailor_app::AppError::Throttled { .. })));
    assert!(world.audit_actions(None).await.contains(&"sign_in_throttled".to_owned()));
    // Other accounts are not affected.
    assert!(world
        .app
        .sign_in("analyst@example.org", PASSWORD, "test client", None)
        .await
        .is_ok());
}

#[tokio::test]
async fn a_throttled_sign_in_page_answers_429_and_the_owner_elsewhere_still_signs_in() {
    let world = World::new().await;
    let (attacker, token) = sign_in_page(&world).await;
    let guess = form(&[
        ("csrf_token", &token),
        ("email", "finance@example.org"),
        ("password", "wrong password here"),
    ]);
    for _ in 0..5 {
        let reply = world.post_form_from("/sign-in", Some(&attacker), &guess, "203.0.113.9").await;
        assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    }
    let throttled = world.post_form_from("/sign-in", Some(&attacker), &guess, "203.0.113.9").await;
    assert_eq!(throttled.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(throttled.body.contains("too many times"), "a clear message on the form");
    let (owner, owner_token) = sign_in_page(&world).await;
    let right = form(&[
        ("csrf_token", &owner_token),
        ("email", "finance@example.org"),
        ("password", PASSWORD),
    ]);
    let signed_in = world.post_form_from("/sign-in", Some(&owner), &right, "198.51.100.4").await;
    assert_eq!(
        signed_in.status,
        StatusCode::SEE_OTHER,
        "the owner, from another address, is not locked out"
    );
}

#[tokio::test]
async fn twenty_simultaneous_wrong_passwords_are_all_counted_and_only_five_are_checked() {
    let world = World::new().await;
    let attempts = (0..20).map(|_| world.app.sign_in("finance@example.org", "wrong password here", "203.0.113.9", None));
    let results = futures::future::join_all(attempts).await;
    let checked = results
        .iter()
        .filter(|result| matches!(result, Err(tailor_app::AppError::WrongCredentials)))
        .count();
    let throttled = results
        .iter()
        .filter(|result| matches!(result, Err(tailor_app::AppError::Throttled { .. })))
        .count();
    assert_eq!((checked, throttled), (5, 15));
    let actions = world.audit_actions(None).await;
    assert_eq!(actions.iter().filter(|action| *action == "sign_in_failed").count(), 5);
    assert_eq!(actions.iter().filter(|action| *action == "sign_in_throttled").count(), 15);
    assert!(
        matches!(
            world.app.sign_in("finance@example.org", PASSWORD, "203.0.113.9", None).await,
            Err(tailor_app::AppError::Throttled { .. })
        ),
        "the right password from the attacker's address waits too"
    );
    assert!(world
        .app
        .sign_in("finance@example.org", PASSWORD, "198.51.100.4", None)
        .await
        .is_ok());
}

#[tokio::test]
async fn a_wrong_password_for_an_api_token_is_401_invalid_credentials() {
    let world = World::new().await;
    let reply = world
        .api(
            "POST",
            "/api/v1/tokens",
            None,
            Some(serde_json::json!({ "email": "finance@example.org", "password": "wrong password here" })),
        )
        .await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    let body: serde_json::Value = serde_json::from_str(&reply.body).unwrap();
    assert_eq!(body["code"], "invalid_credentials");
    let unknown = world
        .api(
            "POST",
            "/api/v1/tokens",
            None,
            Some(serde_json::json!({ "email": "nobody@example.org", "password": "wrong password here" })),
        )
        .await;
    assert_eq!(unknown.status, StatusCode::UNAUTHORIZED, "an unknown email looks the same");
}

#[tokio::test]
async fn a_forged_csrf_token_is_refused_audited_and_changes_nothing() {
    let world = World::new().await;
    let (cookie, _) = world.session("practitioner").await;
    let before = world.store.list_notes(world.own_record, 100).await.unwrap().len();
    let reply = world
        .post_form(
            &format!("/people/{}/notes", world.own_record),
            Some(&cookie),
            &form(&[("csrf_token", "forged"), ("text", "Injected note")]),
        )
        .await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
    assert!(reply.body.contains("This form could not be sent"));
    assert_eq!(world.store.list_notes(world.own_record, 100).await.unwrap().len(), before);
    assert!(world.audit_actions(None).await.contains(&"csrf_rejected".to_owned()));
}

#[tokio::test]
async fn a_form_posted_from_another_site_is_refused() {
    let world = World::new().await;
    let (cookie, token) = world.session("practitioner").await;
    let request = axum::http::Request::post(format!("/people/{}/notes", world.own_record))
        .header("content-type", "application/x-www-form-urlencoded")
        .header("cookie", format!("tailor_session={cookie}"))
        .header("sec-fetch-site", "cross-site")
        .body(axum::body::Body::from(form(&[("csrf_token", &token), ("text", "From elsewhere")])))
        .unwrap();
    let refusals_before = count(&world.audit_actions(None).await, "access_refused");
    assert_eq!(world.send(request).await.status, StatusCode::FORBIDDEN);
    assert_eq!(
        count(&world.audit_actions(None).await, "access_refused"),
        refusals_before + 1,
        "the cross-site refusal is audited"
    );
}

fn count(actions: &[String], action: &str) -> usize {
    actions.iter().filter(|found| *found == action).count()
}

#[tokio::test]
async fn a_forged_csrf_token_is_audited_even_before_signing_in() {
    let world = World::new().await;
    let (anonymous, _) = sign_in_page(&world).await;
    let before = count(&world.audit_actions(None).await, "csrf_rejected");
    let reply = world
        .post_form(
            "/sign-in",
            Some(&anonymous),
            &form(&[
                ("csrf_token", "forged"),
                ("email", "practitioner@example.org"),
                ("password", PASSWORD),
            ]),
        )
        .await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
    assert_eq!(count(&world.audit_actions(None).await, "csrf_rejected"), before + 1);
}

#[tokio::test]
async fn an_unknown_or_expired_api_token_is_refused_and_audited() {
    let world = World::new().await;
    let before = count(&world.audit_actions(None).await, "access_refused");
    let reply = world.api("GET", "/api/v1/me", Some("not-a-real-token"), None).await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    assert_eq!(reply.json()["code"], "unauthenticated");
    assert_eq!(
        count(&world.audit_actions(None).await, "access_refused"),
        before + 1,
        "a bad token is audited"
    );
    let stored = world
        .store
        .list_audit(&tailor_store::AuditQuery {
            person_id: None,
            action: Some(tailor_domain::audit::AuditAction::AccessRefused),
            limit: 1,
        })
        .await
        .unwrap();
    let details = stored[0].event.details.to_string();
    assert!(details.contains("/api/v1/me"), "{details}");
    assert!(!details.contains("not-a-real-token"), "the token itself is never written down");

    // A token that was real but has run out is refused and audited the same way.
    let (user, _) = world.store.find_user_by_email("analyst@example.org").await.unwrap().unwrap();
    let issued = chrono::Utc::now() - chrono::Duration::days(60);
    world
        .store
        .insert_api_token(
            &tailor_store::ApiTokenRecord {
                token_hash: tailor_app::auth::secret_hash("an-expired-token"),
                user_id: user.id,
                created_at: issued,
                expires_at: issued + chrono::Duration::days(30),
            },
            &tailor_domain::audit::NewAuditEvent::new(
                issued,
                Some(user.id),
                "analyst user",
                tailor_domain::audit::AuditAction::ApiTokenCreated,
            ),
        )
        .await
        .unwrap();
    let expired = world.api("GET", "/api/v1/me", Some("an-expired-token"), None).await;
    assert_eq!(expired.status, StatusCode::UNAUTHORIZED);
    assert_eq!(count(&world.audit_actions(None).await, "access_refused"), before + 2);
}

#[tokio::test]
async fn a_refused_form_never_echoes_the_persons_name() {
    let world = World::new().await;
    let (cookie, token) = world.session("practitioner").await;
    // Stella is in team B; the practitioner is in team A. Bad input must not get a form back.
    let reply = world
        .post_form(
            &format!("/people/{}/money-holders", world.stranger),
            Some(&cookie),
            &form(&[("csrf_token", &token), ("organisation_id", "not an organisation")]),
        )
        .await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
    assert!(!reply.body.contains("Stella"), "{}", reply.body);
    let reply = world
        .post_form(
            &format!("/people/{}/delegations", world.stranger),
            Some(&cookie),
            &form(&[("csrf_token", &token), ("helper_email", ""), ("expires_on", "never")]),
        )
        .await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
    assert!(!reply.body.contains("Stella"), "{}", reply.body);
    assert_eq!(
        world.audit_actions(Some(world.stranger)).await.first().map(String::as_str),
        Some("access_refused")
    );
}

#[tokio::test]
async fn each_configuration_version_listed_opens() {
    let world = World::new().await;
    let (admin, _) = world.session("admin").await;
    let page = world.get("/admin/configuration", Some(&admin)).await;
    assert_eq!(page.status, StatusCode::OK);
    let links: Vec<&str> = page
        .body
        .split("href=\"")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .filter(|link| link.starts_with("/admin/configuration/"))
        .collect();
    assert!(!links.is_empty(), "the page lists the configuration loaded at start-up");
    for link in links {
        let version = world.get(link, Some(&admin)).await;
        assert_eq!(version.status, StatusCode::OK, "{link}");
        assert!(version.body.contains("version"), "{link}");
    }
}

#[tokio::test]
async fn a_helper_reaching_for_someone_who_did_not_delegate_is_refused_and_audited() {
    let world = World::new().await;
    let (cookie, _) = world.session("helper").await;
    let allowed = world.get(&format!("/people/{}", world.helped), Some(&cookie)).await;
    assert_eq!(allowed.status, StatusCode::OK);
    assert!(allowed.body.contains("Harold Helped"));
    assert!(!allowed.body.contains("Case notes"), "the delegation covers details only");
    let refused = world.get(&format!("/people/{}", world.own_record), Some(&cookie)).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert!(!refused.body.contains("Olive"), "a refusal shows nothing of the person");
    assert_eq!(
        world.audit_actions(Some(world.own_record)).await.first().map(String::as_str),
        Some("access_refused")
    );
    // Nor can the helper add to the record of the person who did delegate, beyond the scope.
    let form_page = world.get(&format!("/people/{}/notes/new", world.helped), Some(&cookie)).await;
    assert_eq!(form_page.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn a_provider_reaching_for_a_person_it_does_not_serve_is_refused_and_audited() {
    let world = World::new().await;
    let token = world.token("provider").await;
    let served = world
        .api("GET", &format!("/api/v1/people/{}", world.provider_client), Some(&token), None)
        .await;
    assert_eq!(served.status, StatusCode::OK);
    assert_eq!(served.json()["details"]["given_name"], "Percy");
    assert!(served.json()["notes"].is_null(), "providers see contact details, not case notes");
    let refused = world
        .api("GET", &format!("/api/v1/people/{}", world.stranger), Some(&token), None)
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert_eq!(refused.json()["code"], "forbidden");
    assert_eq!(
        world.audit_actions(Some(world.stranger)).await.first().map(String::as_str),
        Some("access_refused")
    );
}

#[tokio::test]
async fn every_read_of_a_record_is_logged_and_the_caldicott_guardian_sees_who_looked() {
    let world = World::new().await;
    let (practitioner, _) = world.session("practitioner").await;
    assert_eq!(
        world
            .get(&format!("/people/{}", world.own_record), Some(&practitioner))
            .await
            .status,
        StatusCode::OK
    );
    let (guardian, _) = world.session("caldicott").await;
    let page = world
        .get(&format!("/admin/audit/people/{}", world.own_record), Some(&guardian))
        .await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Who looked at Olive Owner"));
    assert!(page.body.contains("Looked at the record"));
    assert!(page.body.contains("practitioner user"));
    let (admin, _) = world.session("admin").await;
    let log = world.get("/admin/audit", Some(&admin)).await;
    assert!(log.body.contains("none has been changed"));
}

#[tokio::test]
async fn a_wrong_nhs_number_and_an_empty_name_are_explained_and_nothing_is_created() {
    let world = World::new().await;
    let (cookie, token) = world.session("practitioner").await;
    let before = world.store.count_people(&tailor_store::PeopleFilter::Everyone).await.unwrap();
    let reply = world
        .post_form(
            "/people",
            Some(&cookie),
            &form(&[
                ("csrf_token", &token),
                ("given_name", ""),
                ("family_name", "Okafor"),
                ("date_of_birth_day", "4"),
                ("date_of_birth_month", "11"),
                ("date_of_birth_year", "1948"),
                ("nhs_number", "943 476 5918"),
                ("address_line_1", "1 Mill Lane"),
                ("town", "Tailorford"),
                ("postcode", "TF1 1AA"),
                ("contact_preference", "letter"),
            ]),
        )
        .await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(reply.body.contains("There is a problem"));
    assert!(reply.body.contains("href=\"#given_name\">Enter their first name"));
    assert!(reply.body.contains("href=\"#nhs_number\">Enter a valid NHS number"));
    assert!(reply.body.contains("value=\"Okafor\""), "what was typed is kept");
    assert_eq!(
        world.store.count_people(&tailor_store::PeopleFilter::Everyone).await.unwrap(),
        before
    );
}

#[tokio::test]
async fn a_ten_megabyte_field_gets_a_clear_message_and_changes_nothing() {
    let world = World::new().await;
    let (cookie, token) = world.session("practitioner").await;
    let huge = "x".repeat(10 * 1024 * 1024);
    let before = world.store.list_notes(world.own_record, 100).await.unwrap().len();
    let reply = world
        .post_form(
            &format!("/people/{}/notes", world.own_record),
            Some(&cookie),
            &form(&[("csrf_token", &token), ("text", &huge)]),
        )
        .await;
    assert_eq!(reply.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(reply.body.contains("What you sent is too large"));
    assert_eq!(world.store.list_notes(world.own_record, 100).await.unwrap().len(), before);
    let api = world
        .api(
            "POST",
            &format!("/api/v1/people/{}/notes", world.own_record),
            Some(&world.token("practitioner").await),
            Some(serde_json::json!({ "text": huge })),
        )
        .await;
    assert_eq!(api.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(api.json()["code"], "payload_too_large");
}

#[tokio::test]
async fn a_practitioner_adds_a_case_note_and_it_is_audited() {
    let world = World::new().await;
    let (cookie, token) = world.session("practitioner").await;
    let reply = world
        .post_form(
            &format!("/people/{}/notes", world.own_record),
            Some(&cookie),
            &form(&[("csrf_token", &token), ("kind", "visit"), ("text", "Visited at home.")]),
        )
        .await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER);
    let page = world.get(&format!("/people/{}", world.own_record), Some(&cookie)).await;
    assert!(page.body.contains("Visited at home."));
    assert!(world
        .audit_actions(Some(world.own_record))
        .await
        .contains(&"case_note_added".to_owned()));
}

#[tokio::test]
async fn documents_upload_and_download_with_their_type_checked() {
    let world = World::new().await;
    let (cookie, token) = world.session("practitioner").await;
    let path = format!("/people/{}/documents", world.own_record);
    let refused = world
        .post_multipart(
            &path,
            Some(&cookie),
            &[("csrf_token", &token), ("title", "Script")],
            Some(("run.exe", b"MZ")),
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains("The file must be a PDF"));
    // A web page saved with a PDF's name is refused by its content, and nothing is stored.
    let disguised = world
        .post_multipart(
            &path,
            Some(&cookie),
            &[("csrf_token", &token), ("title", "Letter")],
            Some(("letter.pdf", b"<html><script>alert(1)</script></html>")),
        )
        .await;
    assert_eq!(disguised.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(disguised.body.contains("not a real .pdf file"), "{}", disguised.body);
    assert!(world.store.list_documents(world.own_record).await.unwrap().is_empty());
    let stored = world
        .post_multipart(
            &path,
            Some(&cookie),
            &[("csrf_token", &token), ("title", "Assessment letter")],
            Some(("letter.txt", b"Dear Olive")),
        )
        .await;
    assert_eq!(stored.status, StatusCode::SEE_OTHER);
    let documents = world.store.list_documents(world.own_record).await.unwrap();
    assert_eq!(documents.len(), 1);
    let download = world
        .get(
            &format!("/people/{}/documents/{}", world.own_record, documents[0].id),
            Some(&cookie),
        )
        .await;
    assert_eq!(download.body, "Dear Olive");
    assert_eq!(download.headers.get("content-type").unwrap(), "text/plain");
    assert!(download
        .headers
        .get("content-disposition")
        .unwrap()
        .to_str()
        .unwrap()
        .starts_with("attachment"));
}

#[tokio::test]
async fn the_api_issues_tokens_and_answers_with_stable_error_codes() {
    let world = World::new().await;
    let wrong = world
        .api(
            "POST",
            "/api/v1/tokens",
            None,
            Some(serde_json::json!({ "email": "practitioner@example.org", "password": "nope nope nope" })),
        )
        .await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    assert_eq!(wrong.json()["code"], "invalid_credentials");
    let issued = world
        .api(
            "POST",
            "/api/v1/tokens",
            None,
            Some(serde_json::json!({ "email": "practitioner@example.org", "password": PASSWORD })),
        )
        .await;
    assert_eq!(issued.status, StatusCode::CREATED);
    let token = issued.json()["token"].as_str().unwrap().to_owned();
    let me = world.api("GET", "/api/v1/me", Some(&token), None).await;
    assert_eq!(me.json()["role"], "practitioner");
    let bad_token = world.api("GET", "/api/v1/me", Some("not-a-token"), None).await;
    assert_eq!(bad_token.status, StatusCode::UNAUTHORIZED);
    assert_eq!(bad_token.json()["code"], "unauthenticated");

    let created = world
        .api(
            "POST",
            "/api/v1/people",
            Some(&token),
            Some(serde_json::json!({
                "given_name": "Ada", "family_name": "Okafor", "date_of_birth": "1948-11-04", "nhs_number": "943 476 5919",
                "address": { "line_1": "12 Mill Lane", "town": "Tailorford", "postcode": "tf1 2ab" }, "contact_preference": "letter"
            })),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    assert_eq!(created.json()["details"]["address"]["postcode"], "TF1 2AB");
    let invalid = world
        .api(
            "POST",
            "/api/v1/people",
            Some(&token),
            Some(serde_json::json!({ "given_name": "", "family_name": "X", "date_of_birth": "1948-02-30", "nhs_number": "9434765918" })),
        )
        .await;
    assert_eq!(invalid.status, StatusCode::UNPROCESSABLE_ENTITY);
    let fields: Vec<String> = invalid.json()["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|error| error["field"].as_str().unwrap().to_owned())
        .collect();
    assert!(
        fields.contains(&"given_name".to_owned())
            && fields.contains(&"nhs_number".to_owned())
            && fields.contains(&"date_of_birth".to_owned())
    );
    let not_json = world
        .send(
            axum::http::Request::post("/api/v1/people")
                .header("authorization", format!("Bearer {token}"))
                .header("content-type", "application/json")
                .body(axum::body::Body::from("{oops"))
                .unwrap(),
        )
        .await;
    assert_eq!(not_json.status, StatusCode::BAD_REQUEST);
    assert_eq!(not_json.json()["code"], "bad_request");
    let search = world.api("GET", "/api/v1/people?q=okafor", Some(&token), None).await;
    assert_eq!(search.json()["people"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn the_openapi_document_describes_every_api_route() {
    let world = World::new().await;
    let reply = world.get("/api/v1/openapi.json", None).await;
    assert_eq!(reply.status, StatusCode::OK);
    let document = reply.json();
    assert!(document["openapi"].as_str().unwrap().starts_with("3."));
    for spec in tailor_web::routes::table()
        .iter()
        .filter(|spec| spec.path.starts_with("/api/v1/") && spec.path != "/api/v1/openapi.json")
    {
        let method = spec.method.as_str().to_lowercase();
        assert!(
            document["paths"][spec.path][&method].is_object(),
            "{method} {} is missing from the OpenAPI document",
            spec.path
        );
    }
}

#[tokio::test]
async fn health_metrics_and_assets_are_served() {
    let world = World::new().await;
    assert_eq!(world.get("/healthz", None).await.body, "ok");
    world.get("/sign-in", None).await;
    assert_eq!(
        world.get("/metrics", None).await.status,
        StatusCode::NOT_FOUND,
        "no token, no metrics"
    );
    let metrics = world
        .send(
            axum::http::Request::get("/metrics")
                .header("authorization", format!("Bearer {}", support::METRICS_TOKEN))
                .body(axum::body::Body::empty())
                .unwrap(),
        )
        .await;
    assert!(
        metrics
            .body
            .contains(r#"tailor_http_requests_total{route="/sign-in",method="GET",status="2xx"} 1"#),
        "each route is counted under its own label: {}",
        metrics.body
    );
    assert!(metrics
        .body
        .contains(r#"tailor_http_request_duration_seconds_count{route="/healthz",method="GET"} 1"#));
    let css = world.get("/static/govuk-frontend.min.css", None).await;
    assert_eq!(css.status, StatusCode::OK);
    assert_eq!(css.headers.get("content-type").unwrap(), "text/css");
    assert_eq!(
        css.headers.get("cache-control").unwrap(),
        "public, max-age=86400",
        "assets may be cached"
    );
    assert_eq!(
        world.get("/assets/fonts/bold-b542beb274-v2.woff2", None).await.status,
        StatusCode::OK
    );
    let page = world.get("/sign-in", None).await;
    assert!(page.headers.get("content-security-policy").is_some());
    assert_eq!(
        page.headers.get("cache-control").unwrap(),
        "no-store",
        "personal pages are never cached"
    );
    assert_eq!(page.headers.get("x-frame-options").unwrap(), "DENY");
    assert_eq!(
        page.headers.get("strict-transport-security").unwrap(),
        "max-age=31536000; includeSubDomains",
        "on where the service is reached over HTTPS alone"
    );
    assert_eq!(page.headers.get("x-content-type-options").unwrap(), "nosniff");
    assert_eq!(world.get("/no/such/page", None).await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_person_completes_a_self_assessment_through_the_api_and_gets_a_pdf_record() {
    let world = World::new().await;
    let token = world.token("person").await;
    let started = world
        .api(
            "POST",
            &format!("/api/v1/people/{}/assessments", world.own_record),
            Some(&token),
            Some(serde_json::json!({})),
        )
        .await;
    assert_eq!(started.status, StatusCode::CREATED, "{}", started.body);
    let assessment_id = started.json()["id"].as_str().unwrap().to_owned();
    let opened = world
        .api("GET", &format!("/api/v1/assessments/{assessment_id}"), Some(&token), None)
        .await
        .json();
    let mut questions = Vec::new();
    for section in opened["questionnaire"]["sections"].as_array().unwrap() {
        for question in section["questions"].as_array().unwrap() {
            questions.push((
                question["id"].as_str().unwrap().to_owned(),
                question["answers"][1]["id"].as_str().unwrap().to_owned(),
            ));
        }
    }
    let early = world
        .api("POST", &format!("/api/v1/assessments/{assessment_id}/submit"), Some(&token), None)
        .await;
    assert_eq!(
        early.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "an incomplete assessment cannot be sent"
    );
    let wrong = world
        .api(
            "PUT",
            &format!("/api/v1/assessments/{assessment_id}/answers/nutrition"),
            Some(&token),
            Some(serde_json::json!({ "answer": "lots" })),
        )
        .await;
    assert_eq!(wrong.json()["code"], "invalid");
    for (question, answer) in &questions {
        let reply = world
            .api(
                "PUT",
                &format!("/api/v1/assessments/{assessment_id}/answers/{question}"),
                Some(&token),
                Some(serde_json::json!({ "answer": answer })),
            )
            .await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    }
    let submitted = world
        .api("POST", &format!("/api/v1/assessments/{assessment_id}/submit"), Some(&token), None)
        .await;
    assert_eq!(submitted.json()["status"], "submitted");
    let planning = world
        .api("GET", &format!("/api/v1/people/{}/planning", world.own_record), Some(&token), None)
        .await
        .json();
    assert_eq!(planning["steps"][0], "Waiting for the council");

    let (cookie, _) = world.session("person").await;
    let pdf = world.get(&format!("/assessments/{assessment_id}/record.pdf"), Some(&cookie)).await;
    assert_eq!(pdf.status, StatusCode::OK);
    assert_eq!(pdf.headers.get("content-type").unwrap(), "application/pdf");
    assert!(pdf.body.starts_with("%PDF"));
    // Someone with no relationship to the person cannot open it.
    let (stranger, _) = world.session("analyst").await;
    assert_eq!(
        world.get(&format!("/assessments/{assessment_id}"), Some(&stranger)).await.status,
        StatusCode::FORBIDDEN
    );
    let (other_team, _) = world.session("practitioner-b").await;
    assert_eq!(
        world.get(&format!("/assessments/{assessment_id}"), Some(&other_team)).await.status,
        StatusCode::FORBIDDEN
    );
    // The practitioner's work queue names whose assessment waits to be checked.
    let (practitioner, _) = world.session("practitioner").await;
    let home = world.get("/home", Some(&practitioner)).await;
    assert_eq!(home.status, StatusCode::OK);
    let queue = home.body.split("Self-assessments to check").nth(1).unwrap_or_default();
    assert!(queue.contains("Olive Owner"), "{}", home.body);
    let other_home = world.get("/home", Some(&other_team)).await;
    assert!(!other_home.body.contains("Olive Owner"), "another team's queue does not show her");
}

#[tokio::test]
async fn a_provider_holding_the_money_sees_the_plan_it_delivers_and_nothing_else_of_steps_1_to_3() {
    let world = World::new().await;
    let records = world.agreed_budget(world.provider_client, "practitioner-b").await;
    let token = world.token("provider").await;
    let (cookie, _) = world.session("provider").await;
    let before = world.audit_actions(Some(world.provider_client)).await.len();
    for path in [
        format!("/api/v1/people/{}/planning", world.provider_client),
        format!("/api/v1/allocations/{}", records.allocation),
        format!("/api/v1/budgets/{}", records.budget),
        format!("/api/v1/assessments/{}", records.assessment),
    ] {
        let refused = world.api("GET", &path, Some(&token), None).await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN, "{path}: {}", refused.body);
        assert!(!refused.body.contains("Percy"), "{path}: a refusal shows nothing of the person");
    }
    for path in [
        format!("/allocations/{}", records.allocation),
        format!("/budgets/{}", records.budget),
        format!("/assessments/{}", records.assessment),
        format!("/people/{}/financial-assessment", world.provider_client),
    ] {
        let refused = world.get(&path, Some(&cookie)).await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN, "{path}");
    }
    let actions = world.audit_actions(Some(world.provider_client)).await;
    let refusals = actions[..actions.len() - before]
        .iter()
        .filter(|action| *action == "access_refused")
        .count();
    assert_eq!(refusals, 8, "every refusal is audited");
    let plan = world
        .api("GET", &format!("/api/v1/plans/{}", records.plan), Some(&token), None)
        .await;
    assert_eq!(
        plan.status,
        StatusCode::OK,
        "an individual service fund's provider sees the plan it delivers: {}",
        plan.body
    );
}

#[tokio::test]
async fn a_helper_without_the_money_scope_never_sees_budgets_or_the_financial_assessment() {
    let world = World::new().await;
    let records = world.agreed_budget(world.provider_client, "practitioner-b").await;
    let worker = world.actor("practitioner-b").await;
    let plan_only = tailor_app::people::DelegationInput {
        helper_email: "helper@example.org".into(),
        scopes: vec![tailor_domain::access::DelegationScope::ActOnAssessmentAndPlan.as_str().into()],
        expires_on: String::new(),
    };
    world
        .app
        .grant_delegation(&worker, world.provider_client, &plan_only)
        .await
        .unwrap();
    let token = world.token("helper").await;
    let planning = world
        .api(
            "GET",
            &format!("/api/v1/people/{}/planning", world.provider_client),
            Some(&token),
            None,
        )
        .await;
    assert_eq!(planning.status, StatusCode::OK, "{}", planning.body);
    let body = planning.json();
    assert!(
        body["budgets"].as_array().is_none_or(|budgets| budgets.is_empty()),
        "the overview leaves out budgets: {body}"
    );
    assert!(body["financial_assessment"].is_null(), "and the financial assessment: {body}");
    let budget = world
        .api("GET", &format!("/api/v1/budgets/{}", records.budget), Some(&token), None)
        .await;
    assert_eq!(budget.status, StatusCode::FORBIDDEN);
    let (cookie, _) = world.session("helper").await;
    for path in [
        format!("/budgets/{}", records.budget),
        format!("/people/{}/financial-assessment", world.provider_client),
    ] {
        assert_eq!(world.get(&path, Some(&cookie)).await.status, StatusCode::FORBIDDEN, "{path}");
        assert_eq!(
            world.audit_actions(Some(world.provider_client)).await.first().map(String::as_str),
            Some("access_refused"),
            "{path}: the refusal is audited"
        );
    }
    let plan = world.get(&format!("/plans/{}", records.plan), Some(&cookie)).await;
    assert_eq!(plan.status, StatusCode::OK, "the plan scope opens the plan");
}

#[tokio::test]
async fn simultaneous_decisions_on_one_plan_agree_it_once() {
    let world = World::new().await;
    let (_, _, _, plan) = world.submitted_plan(world.provider_client, "practitioner-b").await;
    let token = world.token("practitioner-b").await;
    let path = format!("/api/v1/plans/{plan}/decision");
    let replies =
        futures::future::join_all((0..8).map(|_| world.api("POST", &path, Some(&token), Some(serde_json::json!({ "verdict": "agreed" })))))
            .await;
    let statuses: Vec<StatusCode> = replies.iter().map(|reply| reply.status).collect();
    assert_eq!(statuses.iter().filter(|status| status.is_success()).count(), 1, "{statuses:?}");
    // The others either found the plan already decided, or lost the race to write: never a 500.
    assert!(
        statuses
            .iter()
            .all(|status| status.is_success() || *status == StatusCode::CONFLICT || *status == StatusCode::UNPROCESSABLE_ENTITY),
        "{statuses:?}"
    );
    let worker = world.actor("practitioner-b").await;
    let overview = world.app.planning_overview(&worker, world.provider_client).await.unwrap();
    assert_eq!(overview.budgets.len(), 1, "one plan, one budget");
}

#[tokio::test]
async fn administrators_see_scheduled_work_and_how_it_went() {
    let world = World::new().await;
    world.app.schedule_recurring_jobs().await.unwrap();
    assert_eq!(world.app.run_due_jobs("http-test-worker").await.unwrap(), 1);
    let (cookie, _) = world.session("admin").await;
    let page = world.get("/admin/jobs", Some(&cookie)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Remove expired sign-in sessions"), "{}", page.body);
    assert!(page.body.contains("Done"));
    let (practitioner, _) = world.session("practitioner").await;
    assert_eq!(world.get("/admin/jobs", Some(&practitioner)).await.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn an_eligibility_decision_needs_every_outcome_answered_and_a_check_before_it_is_recorded() {
    let world = World::new().await;
    let assessment = world.accepted_assessment(world.provider_client, "practitioner-b").await;
    let (cookie, csrf) = world.session("practitioner-b").await;
    let path = format!("/assessments/{assessment}/eligibility");
    let form = world.get(&path, Some(&cookie)).await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(!form.body.contains(" checked"), "no finding is chosen for the practitioner");

    let partial = format!(
        "csrf_token={csrf}&needs_condition_met=yes&significant_impact=yes&wellbeing_reasons=At+risk&outcome_maintaining_personal_hygiene=needs_assistance"
    );
    let refused = world.post_form(&path, Some(&cookie), &partial).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused.body.contains("Select a finding for: Managing and maintaining nutrition"),
        "{}",
        refused.body
    );
    assert!(
        refused.body.contains("href=\"#outcome_managing_and_maintaining_nutrition\""),
        "each error links to its outcome"
    );

    let mut complete = format!(
        "csrf_token={csrf}&needs_condition_met=yes&significant_impact=yes&wellbeing_reasons=At+risk&needs_fluctuate=no&fluctuation_period=Eight+weeks"
    );
    for (index, (code, _)) in tailor_domain::eligibility::outcomes(tailor_domain::eligibility::AssessmentKind::Adult)
        .iter()
        .enumerate()
    {
        let finding = if index < 2 { "needs_assistance" } else { "able" };
        complete.push_str(&format!("&outcome_{code}={finding}"));
    }
    let check = world.post_form(&path, Some(&cookie), &complete).await;
    assert_eq!(check.status, StatusCode::OK);
    assert!(check.body.contains("Check the eligibility decision before you record it"));
    assert!(check.body.contains("The decision: eligible for care and support"));
    let worker = world.actor("practitioner-b").await;
    let overview = world.app.planning_overview(&worker, world.provider_client).await.unwrap();
    assert!(overview.eligibility.is_empty(), "nothing is recorded before the check");

    let recorded = world.post_form(&path, Some(&cookie), &format!("{complete}&confirm=yes")).await;
    assert_eq!(recorded.status, StatusCode::SEE_OTHER, "{}", recorded.body);
    let overview = world.app.planning_overview(&worker, world.provider_client).await.unwrap();
    assert_eq!(overview.eligibility.len(), 1);
    assert!(overview.eligibility[0].decision.eligible);
}

#[tokio::test]
async fn the_self_assessment_journey_guides_and_confirms() {
    let world = World::new().await;
    let (cookie, csrf) = world.session("person").await;
    let start = world
        .get(&format!("/people/{}/assessments/start", world.own_record), Some(&cookie))
        .await;
    assert_eq!(start.status, StatusCode::OK);
    assert!(start.body.contains("Start now") && start.body.contains("Before you start"));
    let started = world
        .post_form(
            &format!("/people/{}/assessments", world.own_record),
            Some(&cookie),
            &format!("csrf_token={csrf}&kind=adult"),
        )
        .await;
    let first = started.location().to_owned();
    assert!(first.contains("/questions/"), "{first}");
    let question = world.get(&first, Some(&cookie)).await;
    assert!(
        question.body.contains(&format!(
            "href=\"/people/{}/assessments/start\" class=\"govuk-back-link\"",
            world.own_record
        )),
        "the first question's Back goes to the start page"
    );
    let home = world.get("/my", Some(&cookie)).await;
    assert!(
        home.body.contains("Carry on with your self-assessment"),
        "the home page says what to do"
    );
    let assessment_id = first.split('/').nth(2).unwrap().to_owned();
    let carry_on = world.get(&format!("/assessments/{assessment_id}/continue"), Some(&cookie)).await;
    assert_eq!(carry_on.location(), first, "Carry on goes to the first question without an answer");
    // From the check page, Continue returns to the check page.
    let changed = world
        .post_form(&first, Some(&cookie), &format!("csrf_token={csrf}&answer=none&from=check"))
        .await;
    assert!(changed.status.is_redirection(), "{}", changed.body);
    assert_eq!(changed.location(), format!("/assessments/{assessment_id}/check"));
    let from_check = world.get(&format!("{first}?from=check"), Some(&cookie)).await;
    assert!(from_check
        .body
        .contains(&format!("href=\"/assessments/{assessment_id}/check\" class=\"govuk-back-link\"")));
    assert!(from_check.body.contains("name=\"from\" value=\"check\""));
}

#[tokio::test]
async fn a_possible_duplicate_person_is_shown_before_a_record_is_added() {
    let world = World::new().await;
    let (cookie, csrf) = world.session("practitioner").await;
    let form = |extra: &str| {
        format!("csrf_token={csrf}&given_name=Olive&family_name=O%27wner&date_of_birth_day=4&date_of_birth_month=11&date_of_birth_year=1948&address_line_1=2+Mill+Lane&town=Tailorford&postcode=TF1+1AB&contact_preference=letter{extra}")
    };
    let asked = world.post_form("/people", Some(&cookie), &form("")).await;
    assert_eq!(asked.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        asked.body.contains("There may already be a record for this person"),
        "{}",
        asked.body
    );
    assert!(asked.body.contains("Olive Owner") && asked.body.contains("4 November 1948"));
    assert!(
        asked.body.contains(&format!("href=\"/people/{}\"", world.own_record)),
        "a record in the worker's team opens"
    );
    let before = world.audit_actions(Some(world.own_record)).await;
    assert_eq!(
        before.first().map(String::as_str),
        Some("person_viewed"),
        "showing the match is a logged look"
    );
    let added = world
        .post_form(
            "/people",
            Some(&cookie),
            &form("&duplicate_reason=A+different+Olive%3A+her+daughter-in-law"),
        )
        .await;
    assert_eq!(added.status, StatusCode::SEE_OTHER, "{}", added.body);
    // Someone born on another day is added at once.
    let other = form("").replace("date_of_birth_day=4", "date_of_birth_day=5");
    assert_eq!(
        world.post_form("/people", Some(&cookie), &other).await.status,
        StatusCode::SEE_OTHER
    );
}

#[tokio::test]
async fn the_financial_assessment_form_names_each_mistake_by_its_line_then_saves_the_itemised_lines() {
    let world = World::new().await;
    let (cookie, token) = world.session("practitioner").await;
    let path = format!("/people/{}/financial-assessment", world.own_record);
    let page = world.get(&path, Some(&cookie)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Income line 1") && page.body.contains("What shows it is spent"));
    let typed = |weekly: &'static str, capital: &'static str, evidence: &'static str| {
        form(&[
            ("csrf_token", &token),
            ("declined", "no"),
            ("household", "single"),
            ("income_source", "state_pension"),
            ("income_weekly", weekly),
            ("income_source", "personal_independence_payment_mobility"),
            ("income_weekly", "77.05"),
            ("capital", capital),
            ("expenditure_description", "Extra heating"),
            ("expenditure_weekly", "12.50"),
            ("expenditure_evidence", evidence),
        ])
    };
    let reply = world.post_form(&path, Some(&cookie), &typed("lots", "", "")).await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(reply.body.contains("There is a problem"));
    for field in ["income_weekly_1", "capital", "expenditure_evidence_1"] {
        assert!(
            reply.body.contains(&format!("href=\"#{field}\"")),
            "{field} is in the error summary"
        );
        assert!(reply.body.contains(&format!("id=\"{field}\"")), "{field} is on the page to link to");
    }
    assert!(reply.body.contains("value=\"77.05\""), "what was typed is kept");
    assert!(world.store.list_financial_assessments(world.own_record).await.unwrap().is_empty());

    let reply = world
        .post_form(&path, Some(&cookie), &typed("230.25", "1000", "Gas bills, seen"))
        .await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
    let saved = world.store.list_financial_assessments(world.own_record).await.unwrap();
    let circumstances = &saved[0].circumstances;
    assert_eq!(circumstances.income.len(), 2);
    assert_eq!(circumstances.disability_related_expenditure[0].evidence, "Gas bills, seen");
    // The date of birth comes from the record (4 November 1948), not from the form.
    assert_eq!(circumstances.date_of_birth, chrono::NaiveDate::from_ymd_opt(1948, 11, 4));
    assert!(saved[0].contribution.working.iter().any(|line| line.label.contains("not counted")));
}
