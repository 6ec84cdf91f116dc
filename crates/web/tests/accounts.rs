//! Accounts over HTTP: password change (and the first password that must be changed), reset by a
//! one-time link, API tokens listed and revoked, signing out everywhere, a person stopping a
//! helper, account links confirmed by a second person, and who reads a person's audit trail.

mod support;

use axum::http::StatusCode;
use support::{World, PASSWORD};
use tailor_app::people::DelegationInput;
use tailor_domain::access::DelegationScope;

const NEW_PASSWORD: &str = "pebble lantern orchard violin";

fn form(pairs: &[(&str, &str)]) -> String {
    serde_urlencoded::to_string(pairs).unwrap()
}

#[tokio::test]
async fn changing_a_password_needs_the_current_one_refuses_weak_ones_and_ends_everything_else() {
    let world = World::new().await;
    let (cookie, csrf) = world.session("practitioner").await;
    let (other_cookie, _) = world.session("practitioner").await;
    let token = world.token("practitioner").await;

    let wrong = world
        .post_form(
            "/account/password",
            Some(&cookie),
            &form(&[
                ("csrf_token", &csrf),
                ("current_password", "not my password at all"),
                ("new_password", NEW_PASSWORD),
                ("confirm_password", NEW_PASSWORD),
            ]),
        )
        .await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(wrong.body.contains("Your current password is not right"), "{}", wrong.body);

    let weak = world
        .post_form(
            "/account/password",
            Some(&cookie),
            &form(&[
                ("csrf_token", &csrf),
                ("current_password", PASSWORD),
                ("new_password", "            "),
                ("confirm_password", "            "),
            ]),
        )
        .await;
    assert_eq!(weak.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(weak.body.contains("too easy to guess"), "{}", weak.body);

    let changed = world
        .post_form(
            "/account/password",
            Some(&cookie),
            &form(&[
                ("csrf_token", &csrf),
                ("current_password", PASSWORD),
                ("new_password", NEW_PASSWORD),
                ("confirm_password", NEW_PASSWORD),
            ]),
        )
        .await;
    assert_eq!(changed.status, StatusCode::SEE_OTHER, "{}", changed.body);
    assert_eq!(world.get("/home", Some(&cookie)).await.status, StatusCode::OK, "this session stays");
    assert_eq!(
        world.get("/home", Some(&other_cookie)).await.location(),
        "/sign-in",
        "every other session ended"
    );
    assert_eq!(
        world.api("GET", "/api/v1/me", Some(&token), None).await.status,
        StatusCode::UNAUTHORIZED,
        "API tokens were revoked"
    );
    assert!(world
        .app
        .sign_in("practitioner@example.org", NEW_PASSWORD, "test client", None)
        .await
        .is_ok());
    let actions = world.audit_actions(None).await;
    assert!(actions.contains(&"password_change_refused".to_owned()));
    assert!(actions.contains(&"password_changed".to_owned()));
}

#[tokio::test]
async fn a_first_password_from_an_administrator_must_be_changed_before_anything_else() {
    let world = World::new().await;
    let admin = world.actor("admin").await;
    let input = tailor_domain::users::NewUserInput {
        email: "new.worker@example.org".into(),
        display_name: "New Worker".into(),
        role: "practitioner".into(),
        team_id: world.team_a.to_string(),
        password: PASSWORD.into(),
        ..Default::default()
    };
    world.app.create_user(&admin, &input).await.unwrap();
    let (cookie, session) = world
        .app
        .sign_in("new.worker@example.org", PASSWORD, "test client", None)
        .await
        .unwrap();
    assert!(session.must_change_password);
    for path in ["/home", "/people", "/account"] {
        assert_eq!(
            world.get(path, Some(&cookie)).await.location(),
            "/account/password",
            "{path} waits for the password change"
        );
    }
    let page = world.get("/account/password", Some(&cookie)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("someone else chose for you"));
    let refused = world
        .api(
            "POST",
            "/api/v1/tokens",
            None,
            Some(serde_json::json!({ "email": "new.worker@example.org", "password": PASSWORD })),
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert_eq!(refused.json()["code"], "password_change_due");

    let changed = world
        .post_form(
            "/account/password",
            Some(&cookie),
            &form(&[
                ("csrf_token", &session.record.csrf_token),
                ("current_password", PASSWORD),
                ("new_password", NEW_PASSWORD),
                ("confirm_password", NEW_PASSWORD),
            ]),
        )
        .await;
    assert_eq!(changed.status, StatusCode::SEE_OTHER, "{}", changed.body);
    assert_eq!(world.get("/home", Some(&cookie)).await.status, StatusCode::OK);
}

#[tokio::test]
async fn tokens_are_listed_and_revoked_on_the_page_and_the_api() {
    let world = World::new().await;
    let first = world.token("finance").await;
    let second = world.token("finance").await;
    let listed = world.api("GET", "/api/v1/tokens", Some(&first), None).await;
    assert_eq!(listed.status, StatusCode::OK);
    let tokens = listed.json();
    assert_eq!(tokens.as_array().unwrap().len(), 2);
    assert!(!listed.body.contains(&first), "a token is never shown again");
    let target = tokens[0]["id"].as_str().unwrap().to_owned();

    let revoked = world.api("DELETE", &format!("/api/v1/tokens/{target}"), Some(&first), None).await;
    assert_eq!(revoked.status, StatusCode::NO_CONTENT, "{}", revoked.body);
    let statuses = [
        world.api("GET", "/api/v1/me", Some(&first), None).await.status,
        world.api("GET", "/api/v1/me", Some(&second), None).await.status,
    ];
    assert_eq!(
        statuses.iter().filter(|status| **status == StatusCode::UNAUTHORIZED).count(),
        1,
        "exactly the revoked token stops working: {statuses:?}"
    );
    let working = if statuses[0] == StatusCode::OK { &first } else { &second };
    let again = world.api("DELETE", &format!("/api/v1/tokens/{target}"), Some(working), None).await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    let someone_elses = world.token("analyst").await;
    assert_eq!(
        world
            .api("DELETE", &format!("/api/v1/tokens/{target}"), Some(&someone_elses), None)
            .await
            .status,
        StatusCode::NOT_FOUND,
        "no one revokes another account's token"
    );

    let (cookie, csrf) = world.session("finance").await;
    let page = world.get("/account", Some(&cookie)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Withdrawn on"));
    assert!(page.body.contains("Working"));
    let remaining = world.app.my_api_tokens(&world.actor("finance").await).await.unwrap();
    let live = remaining.iter().find(|token| token.revoked_at.is_none()).unwrap().id;
    let withdrawn = world
        .post_form(
            &format!("/account/tokens/{live}/revoke"),
            Some(&cookie),
            &form(&[("csrf_token", &csrf)]),
        )
        .await;
    assert_eq!(withdrawn.location(), "/account?changed=token");
    assert_eq!(
        world.api("GET", "/api/v1/me", Some(working), None).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert!(
        world
            .audit_actions(None)
            .await
            .iter()
            .filter(|action| *action == "api_token_revoked")
            .count()
            >= 2
    );
}

#[tokio::test]
async fn signing_out_everywhere_ends_every_session_and_token() {
    let world = World::new().await;
    let (cookie, csrf) = world.session("manager").await;
    let (elsewhere, _) = world.session("manager").await;
    let token = world.token("manager").await;
    let reply = world
        .post_form("/account/sign-out-everywhere", Some(&cookie), &form(&[("csrf_token", &csrf)]))
        .await;
    assert_eq!(reply.location(), "/sign-in?signed_out=1");
    for session in [&cookie, &elsewhere] {
        assert_eq!(world.get("/home", Some(session)).await.location(), "/sign-in");
    }
    assert_eq!(
        world.api("GET", "/api/v1/me", Some(&token), None).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert!(world.audit_actions(None).await.contains(&"signed_out_everywhere".to_owned()));
}

#[tokio::test]
async fn an_administrators_reset_link_sets_a_password_once() {
    let world = World::new().await;
    let (admin_cookie, admin_csrf) = world.session("admin").await;
    let (analyst_cookie, _) = world.session("analyst").await;
    let analyst = world.actor("analyst").await;
    let issued = world
        .post_form(
            &format!("/admin/users/{}/password-reset", analyst.user_id),
            Some(&admin_cookie),
            &form(&[("csrf_token", &admin_csrf)]),
        )
        .await;
    assert_eq!(issued.status, StatusCode::OK, "{}", issued.body);
    let start = issued.body.find("/reset-password/").unwrap();
    let path: String = issued.body[start..].chars().take_while(|c| *c != '<').collect();

    let page = world.get(&path, None).await;
    assert_eq!(page.status, StatusCode::OK);
    let cookie = page
        .headers
        .get_all(axum::http::header::SET_COOKIE)
        .iter()
        .find_map(|value| {
            let text = value.to_str().ok()?;
            text.strip_prefix("tailor_session=")
                .map(|rest| rest.split(';').next().unwrap().to_owned())
        })
        .expect("the reset page gives a visitor a form token");
    let start = page.body.find("name=\"csrf_token\" value=\"").unwrap() + "name=\"csrf_token\" value=\"".len();
    let csrf: String = page.body[start..].chars().take_while(|c| *c != '"').collect();

    let mismatch = world
        .post_form(
            &path,
            Some(&cookie),
            &form(&[
                ("csrf_token", &csrf),
                ("new_password", NEW_PASSWORD),
                ("confirm_password", "something else entirely"),
            ]),
        )
        .await;
    assert_eq!(mismatch.status, StatusCode::UNPROCESSABLE_ENTITY);
    let set = world
        .post_form(
            &path,
            Some(&cookie),
            &form(&[
                ("csrf_token", &csrf),
                ("new_password", NEW_PASSWORD),
                ("confirm_password", NEW_PASSWORD),
            ]),
        )
        .await;
    assert_eq!(set.location(), "/sign-in?password_reset=1", "{}", set.body);
    assert_eq!(
        world.get("/home", Some(&analyst_cookie)).await.location(),
        "/sign-in",
        "the old session ended"
    );
    assert!(world
        .app
        .sign_in("analyst@example.org", NEW_PASSWORD, "test client", None)
        .await
        .is_ok());
    let used = world
        .post_form(
            &path,
            Some(&cookie),
            &form(&[
                ("csrf_token", &csrf),
                ("new_password", "another fine long passphrase"),
                ("confirm_password", "another fine long passphrase"),
            ]),
        )
        .await;
    assert_eq!(used.status, StatusCode::NOT_FOUND, "a link works once");
    assert!(used.body.contains("no longer works"));
    let actions = world.audit_actions(None).await;
    assert!(actions.contains(&"password_reset_issued".to_owned()));
    assert!(actions.contains(&"password_reset".to_owned()));
}

#[tokio::test]
async fn a_person_changes_a_helpers_access_then_stops_it_and_the_helper_is_refused_at_once() {
    let world = World::new().await;
    let person = world.actor("person").await;
    let grant = DelegationInput {
        helper_email: "helper@example.org".into(),
        scopes: vec![
            DelegationScope::ViewDetails.as_str().into(),
            DelegationScope::ViewDocuments.as_str().into(),
        ],
        expires_on: String::new(),
    };
    let delegation = world.app.grant_delegation(&person, world.own_record, &grant).await.unwrap();
    let (helper_cookie, _) = world.session("helper").await;
    let record = format!("/people/{}", world.own_record);
    assert_eq!(world.get(&record, Some(&helper_cookie)).await.status, StatusCode::OK);

    let (cookie, csrf) = world.session("person").await;
    let own_page = world.get(&record, Some(&cookie)).await;
    let manage = format!("/people/{}/delegations/{}", world.own_record, delegation.id);
    assert!(own_page.body.contains(&manage), "the person's page links to each helper");
    let page = world.get(&manage, Some(&cookie)).await;
    assert_eq!(page.status, StatusCode::OK);
    let nothing = world
        .post_form(&manage, Some(&cookie), &form(&[("csrf_token", &csrf), ("version", "1")]))
        .await;
    assert_eq!(nothing.status, StatusCode::UNPROCESSABLE_ENTITY);
    let changed = world
        .post_form(
            &manage,
            Some(&cookie),
            &form(&[("csrf_token", &csrf), ("version", "1"), ("scopes", "view_details")]),
        )
        .await;
    assert_eq!(changed.location(), record);
    let stale = world
        .post_form(
            &format!("{manage}/withdraw"),
            Some(&cookie),
            &form(&[("csrf_token", &csrf), ("version", "1")]),
        )
        .await;
    assert_eq!(stale.status, StatusCode::CONFLICT, "a stale page changes nothing");

    let stopped = world
        .post_form(
            &format!("{manage}/withdraw"),
            Some(&cookie),
            &form(&[("csrf_token", &csrf), ("version", "2")]),
        )
        .await;
    assert_eq!(stopped.location(), record);
    assert_eq!(
        world.get(&record, Some(&helper_cookie)).await.status,
        StatusCode::FORBIDDEN,
        "the helper is refused at once, in the session they already had"
    );
    let actions = world.audit_actions(Some(world.own_record)).await;
    assert!(actions.contains(&"delegation_changed".to_owned()));
    assert!(actions.contains(&"delegation_withdrawn".to_owned()));
}

#[tokio::test]
async fn an_account_link_waits_for_a_second_person_and_the_picker_is_audited() {
    let world = World::new().await;
    let (cookie, csrf) = world.session("admin").await;
    let found = world
        .post_form(
            "/admin/users",
            Some(&cookie),
            &form(&[
                ("csrf_token", &csrf),
                ("display_name", "Olive Owner"),
                ("email", "olive@example.org"),
                ("role", "person"),
                ("password", PASSWORD),
                ("person_search", "Olive"),
                ("action", "find_person"),
            ]),
        )
        .await;
    assert_eq!(found.status, StatusCode::OK, "{}", found.body);
    assert!(found.body.contains("Olive Owner, born 4 November 1948"), "{}", found.body);
    assert!(found.body.contains(&world.own_record.to_string()));
    assert!(world.audit_actions(None).await.contains(&"person_picker_searched".to_owned()));

    let created = world
        .post_form(
            "/admin/users",
            Some(&cookie),
            &form(&[
                ("csrf_token", &csrf),
                ("display_name", "Olive Owner"),
                ("email", "olive@example.org"),
                ("role", "person"),
                ("password", PASSWORD),
                ("person_search", "Olive"),
                ("person_id", &world.own_record.to_string()),
            ]),
        )
        .await;
    assert_eq!(created.location(), "/admin/account-links", "{}", created.body);
    let (account, _) = world.store.find_user_by_email("olive@example.org").await.unwrap().unwrap();
    assert_eq!(account.person_id, None, "the link does not work until confirmed");

    let waiting = world.get("/admin/account-links", Some(&cookie)).await;
    assert!(waiting.body.contains("someone else must confirm it"));
    let links = world.app.pending_account_links(&world.actor("admin").await).await.unwrap();
    let link = &links[0].link;
    let by_requester = world
        .post_form(
            &format!("/admin/account-links/{}", link.id),
            Some(&cookie),
            &form(&[("csrf_token", &csrf), ("version", "1"), ("decision", "confirm")]),
        )
        .await;
    assert_eq!(by_requester.status, StatusCode::FORBIDDEN, "one administrator cannot do it alone");

    let (manager_cookie, manager_csrf) = world.session("manager").await;
    let listed = world.get("/admin/account-links", Some(&manager_cookie)).await;
    assert!(listed.body.contains("Olive Owner"), "the person's team manager sees it");
    let confirmed = world
        .post_form(
            &format!("/admin/account-links/{}", link.id),
            Some(&manager_cookie),
            &form(&[("csrf_token", &manager_csrf), ("version", "1"), ("decision", "confirm")]),
        )
        .await;
    assert_eq!(confirmed.location(), "/admin/account-links");
    let (account, _) = world.store.find_user_by_email("olive@example.org").await.unwrap().unwrap();
    assert_eq!(account.person_id, Some(world.own_record));
    let actions = world.audit_actions(Some(world.own_record)).await;
    assert!(actions.contains(&"account_link_requested".to_owned()));
    assert!(actions.contains(&"account_link_confirmed".to_owned()));
}

#[tokio::test]
async fn only_the_caldicott_guardian_reads_a_persons_audit_trail() {
    let world = World::new().await;
    let trail = format!("/admin/audit/people/{}", world.own_record);
    let (admin, _) = world.session("admin").await;
    assert_eq!(world.get(&trail, Some(&admin)).await.status, StatusCode::FORBIDDEN);
    assert_eq!(world.get("/admin/audit", Some(&admin)).await.status, StatusCode::OK);
    let (guardian, _) = world.session("caldicott").await;
    let page = world.get(&trail, Some(&guardian)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Olive Owner"));
    let token = world.token("caldicott").await;
    assert_eq!(
        world
            .api("GET", &format!("/api/v1/people/{}/audit", world.own_record), Some(&token), None)
            .await
            .status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn a_throttled_sign_in_says_when_to_try_again() {
    let world = World::new().await;
    let mut last = None;
    for _ in 0..8 {
        let reply = world
            .api(
                "POST",
                "/api/v1/tokens",
                None,
                Some(serde_json::json!({ "email": "person@example.org", "password": "wrong password here" })),
            )
            .await;
        if reply.status == StatusCode::TOO_MANY_REQUESTS {
            last = Some(reply);
            break;
        }
    }
    let throttled = last.expect("the API throttles repeated wrong passwords");
    // The throttle's remaining delay in whole seconds (exact figures: tests/retry_after.rs).
    let seconds: i64 = throttled.headers.get("retry-after").unwrap().to_str().unwrap().parse().unwrap();
    let longest = tailor_app::SessionPolicy::default().longest_sign_in_delay.num_seconds();
    assert!((1..=longest).contains(&seconds), "{seconds}");
}

/// How many session rows exist: every row is "expired" against a time far in the future, so
/// this removes and counts them all.
async fn session_rows(world: &World) -> u64 {
    let far = chrono::Utc::now() + chrono::Duration::days(3650);
    world.store.delete_expired_sessions(far, far).await.unwrap()
}

#[tokio::test]
async fn visiting_the_sign_in_page_writes_no_session_row_and_its_form_still_works() {
    let world = World::new().await;
    for _ in 0..3 {
        assert_eq!(world.get("/sign-in", None).await.status, StatusCode::OK);
    }
    assert_eq!(session_rows(&world).await, 0, "anonymous visits leave nothing in the database");

    let page = world.get("/sign-in", None).await;
    let cookie = page.headers.get("set-cookie").unwrap().to_str().unwrap().to_owned();
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax") && cookie.contains("Secure"));
    let value = cookie.split(';').next().unwrap().trim_start_matches("tailor_session=").to_owned();
    let start = page.body.find("name=\"csrf_token\" value=\"").unwrap() + "name=\"csrf_token\" value=\"".len();
    let csrf: String = page.body[start..].chars().take_while(|c| *c != '"').collect();
    let forged = world
        .post_form(
            "/sign-in",
            Some(&value),
            &form(&[
                ("csrf_token", "0".repeat(64).as_str()),
                ("email", "person@example.org"),
                ("password", PASSWORD),
            ]),
        )
        .await;
    assert_eq!(
        forged.status,
        StatusCode::FORBIDDEN,
        "a token not signed for this cookie is refused"
    );
    let other_cookie = format!("form.{}", "a".repeat(64));
    let planted = world
        .post_form(
            "/sign-in",
            Some(&other_cookie),
            &form(&[("csrf_token", &csrf), ("email", "person@example.org"), ("password", PASSWORD)]),
        )
        .await;
    assert_eq!(planted.status, StatusCode::FORBIDDEN, "a token only works with its own cookie");
    let signed_in = world
        .post_form(
            "/sign-in",
            Some(&value),
            &form(&[("csrf_token", &csrf), ("email", "person@example.org"), ("password", PASSWORD)]),
        )
        .await;
    assert_eq!(signed_in.location(), "/my", "{}", signed_in.body);
    assert_eq!(session_rows(&world).await, 1, "the first row is written at sign-in");
}

#[tokio::test]
async fn with_secure_cookies_the_session_cookie_has_the_host_prefix() {
    use tower::ServiceExt;
    let world = World::new().await;
    let config = tailor_web::WebConfig {
        cookie_host_prefix: true,
        ..Default::default()
    };
    let router = tailor_web::router(tailor_web::AppState::new(world.app.clone(), config));
    let request = axum::http::Request::get("/sign-in").body(axum::body::Body::empty()).unwrap();
    let response = router.clone().oneshot(request).await.unwrap();
    let cookie = response.headers().get("set-cookie").unwrap().to_str().unwrap().to_owned();
    assert!(cookie.starts_with("__Host-tailor_session=form."), "{cookie}");
    assert!(cookie.contains("Secure") && cookie.contains("Path=/") && !cookie.contains("Domain"));

    let (session, _) = world.session("practitioner").await;
    let with_plain_name = axum::http::Request::get("/home")
        .header("cookie", format!("tailor_session={session}"))
        .body(axum::body::Body::empty())
        .unwrap();
    let response = router.clone().oneshot(with_plain_name).await.unwrap();
    assert_eq!(
        response.headers().get("location").unwrap(),
        "/sign-in",
        "a cookie without the prefix is not read"
    );
    let with_prefix = axum::http::Request::get("/home")
        .header("cookie", format!("__Host-tailor_session={session}"))
        .body(axum::body::Body::empty())
        .unwrap();
    assert_eq!(router.oneshot(with_prefix).await.unwrap().status(), StatusCode::OK);
}
