//! Two-step sign-in over HTTP, on SQLite and (when `POSTGRES_TEST_URL` names a server)
//! PostgreSQL: setting it up from Your account, the password then the code, a wrong code, a
//! replayed code refused, a recovery code good once, wrong codes throttled with Retry-After,
//! staff made to set it up when the council requires it, an administrator's reset, turning it
//! off, and the API's token needing the code.

mod support;

use axum::http::{header, StatusCode};
use support::{World, PASSWORD};
use tailor_app::SessionPolicy;
use tailor_domain::two_factor::{code_at, StaffTwoFactor};

fn form(pairs: &[(&str, &str)]) -> String {
    serde_urlencoded::to_string(pairs).unwrap()
}

fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

/// RFC 4648 base32, as the setup page shows the key (in groups, spaces ignored).
fn base32_decode(text: &str) -> Vec<u8> {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let (mut buffer, mut bits, mut out) = (0u32, 0, Vec::new());
    for character in text.bytes().filter(|byte| !byte.is_ascii_whitespace()) {
        let value = ALPHABET.iter().position(|letter| *letter == character).expect("a base32 letter") as u32;
        buffer = (buffer << 5) | value;
        bits += 5;
        if bits >= 8 {
            bits -= 8;
            out.push((buffer >> bits) as u8);
        }
    }
    out
}

fn between<'a>(text: &'a str, start: &str, end: &str) -> &'a str {
    let from = text.find(start).unwrap_or_else(|| panic!("{start} not in {text}")) + start.len();
    let length = text[from..].find(end).unwrap();
    &text[from..from + length]
}

fn session_cookie(reply: &support::Reply) -> String {
    let set = reply
        .headers
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .find(|value| value.starts_with("tailor_session="))
        .unwrap_or_else(|| panic!("no session cookie: {:?}", reply.headers));
    between(set, "tailor_session=", ";").to_owned()
}

fn csrf_in(page: &str) -> String {
    between(page, "name=\"csrf_token\" value=\"", "\"").to_owned()
}

/// A visitor types the email and password on the sign-in page; returns the reply (and its cookie).
async fn password_step(world: &World, local: &str) -> (support::Reply, String) {
    let page = world.get("/sign-in", None).await;
    let visitor = session_cookie(&page);
    let reply = world
        .post_form(
            "/sign-in",
            Some(&visitor),
            &form(&[
                ("csrf_token", &csrf_in(&page.body)),
                ("email", &format!("{local}@example.org")),
                ("password", PASSWORD),
            ]),
        )
        .await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
    let cookie = session_cookie(&reply);
    (reply, cookie)
}

/// The code page with a code typed in; returns the reply.
async fn code_step(world: &World, pending: &str, code: &str) -> support::Reply {
    let page = world.get("/sign-in/code", Some(pending)).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    world
        .post_form(
            "/sign-in/code",
            Some(pending),
            &form(&[("csrf_token", &csrf_in(&page.body)), ("code", code)]),
        )
        .await
}

/// Sets up two-step sign-in from Your account as a signed-in session would, reading the key
/// from the page; returns the secret and the recovery codes shown.
async fn enrol(world: &World, cookie: &str, csrf: &str) -> (Vec<u8>, Vec<String>) {
    let setup = world.get("/account/two-step", Some(cookie)).await;
    assert_eq!(setup.status, StatusCode::OK, "{}", setup.body);
    assert!(setup.body.contains("<svg role=\"img\""), "a QR code drawn on the server");
    assert!(setup.body.contains("otpauth://totp/"), "the setup link");
    let secret = base32_decode(between(&setup.body, "id=\"setup-key\"><code>", "</code>"));
    assert_eq!(secret.len(), 20);
    let right = code_at(&secret, now());
    let wrong = if right == "000000" { "111111" } else { "000000" };
    let refused = world
        .post_form("/account/two-step", Some(cookie), &form(&[("csrf_token", csrf), ("code", wrong)]))
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains("That code is not right"), "{}", refused.body);
    assert!(refused.body.contains("govuk-error-summary"));
    let done = world
        .post_form("/account/two-step", Some(cookie), &form(&[("csrf_token", csrf), ("code", &right)]))
        .await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    assert!(done.body.contains("Two-step sign-in is on"));
    let codes: Vec<String> = done
        .body
        .split("<li><code>")
        .skip(1)
        .map(|part| part.split("</code>").next().unwrap().to_owned())
        .collect();
    assert_eq!(codes.len(), 10, "ten recovery codes shown once");
    (secret, codes)
}

async fn audit_text(world: &World) -> String {
    world
        .store
        .list_audit(&tailor_store::AuditQuery {
            person_id: None,
            action: None,
            limit: 10_000,
        })
        .await
        .unwrap()
        .iter()
        .map(|event| serde_json::to_string(&event.event).unwrap())
        .collect::<Vec<_>>()
        .join("\n")
}

async fn the_password_then_the_code(world: &World) {
    let (cookie, csrf) = world.session("practitioner").await;
    assert!(world.get("/account", Some(&cookie)).await.body.contains("Set up two-step sign-in"));
    let (secret, recovery) = enrol(world, &cookie, &csrf).await;
    assert!(world.get("/account", Some(&cookie)).await.body.contains("10 unused recovery codes"));

    // The password alone does not sign in.
    let (reply, pending) = password_step(world, "practitioner").await;
    assert_eq!(reply.location(), "/sign-in/code");
    assert_eq!(world.get("/home", Some(&pending)).await.location(), "/sign-in", "not signed in yet");
    let wrong = code_step(world, &pending, "12345x").await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(wrong.body.contains("That code is not right"), "{}", wrong.body);
    // The code that switched it on was this step's, so the next step's code signs in.
    let code = code_at(&secret, now() + 30);
    let signed_in = code_step(world, &pending, &code).await;
    assert_eq!(signed_in.status, StatusCode::SEE_OTHER, "{}", signed_in.body);
    assert_eq!(signed_in.location(), "/home");
    let session = session_cookie(&signed_in);
    assert_eq!(world.get("/home", Some(&session)).await.status, StatusCode::OK);
    assert_ne!(session, pending, "a new session id at sign-in");
    assert_eq!(world.get("/sign-in/code", Some(&pending)).await.location(), "/sign-in?timed_out=1");

    // The same code again is refused, even with the right password.
    let (_, again) = password_step(world, "practitioner").await;
    let replayed = code_step(world, &again, &code).await;
    assert_eq!(replayed.status, StatusCode::UNPROCESSABLE_ENTITY, "a code works once");
    // A recovery code works, once.
    let recovered = code_step(world, &again, &recovery[0].to_lowercase()).await;
    assert_eq!(recovered.status, StatusCode::SEE_OTHER, "{}", recovered.body);
    let (_, third) = password_step(world, "practitioner").await;
    assert_eq!(
        code_step(world, &third, &recovery[0]).await.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "a recovery code works once"
    );

    // The API asks for the code too.
    let body = |code: Option<&str>| {
        let mut body = serde_json::json!({ "email": "practitioner@example.org", "password": PASSWORD });
        if let Some(code) = code {
            body["one_time_code"] = code.into();
        }
        body
    };
    let missing = world.api("POST", "/api/v1/tokens", None, Some(body(None))).await;
    assert_eq!(missing.status, StatusCode::UNAUTHORIZED);
    assert_eq!(missing.json()["code"], "invalid_credentials");
    let wrong = world.api("POST", "/api/v1/tokens", None, Some(body(Some(&recovery[0])))).await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED, "a used recovery code");
    let made = world.api("POST", "/api/v1/tokens", None, Some(body(Some(&recovery[1])))).await;
    assert_eq!(made.status, StatusCode::CREATED, "{}", made.body);

    // New recovery codes need the password again, and the old ones stop working.
    let no_password = world
        .post_form("/account/two-step/recovery-codes", Some(&cookie), &form(&[("csrf_token", &csrf)]))
        .await;
    assert_eq!(no_password.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(no_password.body.contains("Enter your current password"), "{}", no_password.body);
    let wrong_password = world
        .post_form(
            "/account/two-step/recovery-codes",
            Some(&cookie),
            &form(&[("csrf_token", &csrf), ("codes_password", "not the password at all")]),
        )
        .await;
    assert_eq!(wrong_password.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(wrong_password.body.contains("Your current password is not right"));
    let renewed = world
        .post_form(
            "/account/two-step/recovery-codes",
            Some(&cookie),
            &form(&[("csrf_token", &csrf), ("codes_password", PASSWORD)]),
        )
        .await;
    assert_eq!(renewed.status, StatusCode::OK, "{}", renewed.body);
    assert_eq!(renewed.body.matches("<li><code>").count(), 10, "ten new codes");
    let (_, fourth) = password_step(world, "practitioner").await;
    assert_eq!(
        code_step(world, &fourth, &recovery[2]).await.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "an old recovery code stops working"
    );

    let audit = audit_text(world).await;
    for action in [
        "recovery_codes_regenerated",
        "two_factor_enrolled",
        "sign_in_code_awaited",
        "two_factor_code_wrong",
        "recovery_code_used",
    ] {
        assert!(audit.contains(action), "{action} is audited");
    }
    let key = tailor_domain::two_factor::base32(&secret);
    assert!(!audit.contains(&key), "the secret is never in the audit log");
    assert!(!audit.contains(&code), "nor a code");
    for recovery_code in &recovery {
        assert!(!audit.contains(recovery_code.as_str()), "nor a recovery code");
    }
}

async fn wrong_codes_are_throttled(world: &World) {
    let (cookie, csrf) = world.session("manager").await;
    let (secret, _) = enrol(world, &cookie, &csrf).await;
    let (_, pending) = password_step(world, "manager").await;
    let right = code_at(&secret, now() + 30);
    let wrong = if right == "999999" { "888888" } else { "999999" };
    let mut throttled = None;
    for _ in 0..10 {
        let reply = code_step(world, &pending, wrong).await;
        if reply.status == StatusCode::TOO_MANY_REQUESTS {
            throttled = Some(reply);
            break;
        }
        assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    }
    let throttled = throttled.expect("wrong codes count towards the sign-in throttle");
    assert!(throttled.headers.contains_key(header::RETRY_AFTER), "{:?}", throttled.headers);
    assert!(throttled.body.contains("too many times"));
    assert_eq!(
        code_step(world, &pending, &right).await.status,
        StatusCode::TOO_MANY_REQUESTS,
        "while throttled even the right code waits"
    );
}

async fn an_administrator_resets_and_an_owner_turns_off(world: &World) {
    let (cookie, csrf) = world.session("finance").await;
    let (secret, _) = enrol(world, &cookie, &csrf).await;
    let finance = world.actor("finance").await;

    // Turning it off needs the password and a code.
    let wrong_password = world
        .post_form(
            "/account/two-step/turn-off",
            Some(&cookie),
            &form(&[
                ("csrf_token", &csrf),
                ("password", "not my password"),
                ("code", &code_at(&secret, now() + 30)),
            ]),
        )
        .await;
    assert_eq!(wrong_password.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(wrong_password.body.contains("Your current password is not right"));
    let off = world
        .post_form(
            "/account/two-step/turn-off",
            Some(&cookie),
            &form(&[
                ("csrf_token", &csrf),
                ("password", PASSWORD),
                ("code", &code_at(&secret, now() + 30)),
            ]),
        )
        .await;
    assert_eq!(off.status, StatusCode::SEE_OTHER, "{}", off.body);
    assert!(!world.app.two_factor_status(&finance).await.unwrap().enrolled);
    let (reply, _) = password_step(world, "finance").await;
    assert_eq!(reply.location(), "/home", "the password alone signs in again");

    // Set up again, then reset by an administrator: every session of the account ends.
    let (cookie, csrf) = world.session("finance").await;
    enrol(world, &cookie, &csrf).await;
    let (admin, admin_csrf) = world.session("admin").await;
    let reset = world
        .post_form(
            &format!("/admin/users/{}/two-step-reset", finance.user_id),
            Some(&admin),
            &form(&[("csrf_token", &admin_csrf)]),
        )
        .await;
    assert_eq!(reset.status, StatusCode::OK, "{}", reset.body);
    assert!(reset.body.contains("Two-step sign-in reset"));
    assert_eq!(world.get("/home", Some(&cookie)).await.location(), "/sign-in");
    assert!(!world.app.two_factor_status(&finance).await.unwrap().enrolled);
    let again = world
        .post_form(
            &format!("/admin/users/{}/two-step-reset", finance.user_id),
            Some(&admin),
            &form(&[("csrf_token", &admin_csrf)]),
        )
        .await;
    assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY, "nothing to reset");
    let audit = audit_text(world).await;
    assert!(audit.contains("two_factor_removed") && audit.contains("two_factor_reset"));
}

async fn staff_must_set_it_up_when_the_council_requires_it(world: &World) {
    let (cookie, csrf) = world.session("practitioner").await;
    assert_eq!(world.get("/home", Some(&cookie)).await.location(), "/account/two-step");
    assert_eq!(world.get("/people", Some(&cookie)).await.location(), "/account/two-step");
    let setup = world.get("/account/two-step", Some(&cookie)).await;
    assert!(setup.body.contains("Your council requires two-step sign-in"), "{}", setup.body);
    let token = world
        .api(
            "POST",
            "/api/v1/tokens",
            None,
            Some(serde_json::json!({ "email": "practitioner@example.org", "password": PASSWORD })),
        )
        .await;
    assert_eq!(token.status, StatusCode::FORBIDDEN);
    assert_eq!(token.json()["code"], "two_factor_setup_due");
    // People and helpers are not made to.
    let (person, _) = world.session("person").await;
    assert_eq!(world.get("/my", Some(&person)).await.status, StatusCode::OK);

    let (secret, _) = enrol(world, &cookie, &csrf).await;
    assert_eq!(world.get("/home", Some(&cookie)).await.status, StatusCode::OK, "set up: on to work");
    let refused = world
        .post_form(
            "/account/two-step/turn-off",
            Some(&cookie),
            &form(&[
                ("csrf_token", &csrf),
                ("password", PASSWORD),
                ("code", &code_at(&secret, now() + 30)),
            ]),
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains("cannot be turned off"));

    // After an administrator's reset (a lost phone), the next sign-in sets it up again.
    let admin = world.actor("admin").await;
    let practitioner = world.actor("practitioner").await;
    world.app.reset_two_factor(&admin, practitioner.user_id).await.unwrap();
    let (reply, fresh) = password_step(world, "practitioner").await;
    assert_eq!(reply.location(), "/account/two-step");
    assert_eq!(world.get("/home", Some(&fresh)).await.location(), "/account/two-step");
}

fn required() -> SessionPolicy {
    SessionPolicy {
        two_factor_for_staff: StaffTwoFactor::Required,
        ..SessionPolicy::default()
    }
}

#[tokio::test]
async fn two_step_sign_in_on_sqlite() {
    the_password_then_the_code(&World::new().await).await;
    wrong_codes_are_throttled(&World::new().await).await;
    an_administrator_resets_and_an_owner_turns_off(&World::new().await).await;
    staff_must_set_it_up_when_the_council_requires_it(&World::with_policy(required()).await).await;
}

#[tokio::test]
async fn two_step_sign_in_on_postgres() {
    let Ok(server_url) = std::env::var("POSTGRES_TEST_URL") else {
        eprintln!("POSTGRES_TEST_URL is not set: skipping the PostgreSQL two-step sign-in checks");
        return;
    };
    the_password_then_the_code(&World::on_postgres(&server_url).await).await;
    wrong_codes_are_throttled(&World::on_postgres(&server_url).await).await;
    an_administrator_resets_and_an_owner_turns_off(&World::on_postgres(&server_url).await).await;
    staff_must_set_it_up_when_the_council_requires_it(&World::on_postgres_with_policy(&server_url, required()).await).await;
    support::drop_postgres_test_databases(&server_url).await;
}
