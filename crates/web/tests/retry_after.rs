//! A throttled sign-in says how long is really left: `Retry-After` is the throttle's remaining
//! delay in whole seconds, rounded up, at least 1, on the API's token call and on the sign-in
//! page alike. The clock is fixed and moved by hand, so the figures are exact.

mod support;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use http_body_util::BodyExt;
use std::sync::Arc;
use support::{World, PASSWORD};
use tailor_app::clock::{Clock, FixedClock};
use tailor_app::{App, SessionPolicy};
use tailor_web::{router, AppState, WebConfig};
use tower::ServiceExt;

const ATTACKER: &str = "203.0.113.9";

struct Answer {
    status: StatusCode,
    retry_after: Option<u64>,
    body: String,
}

async fn send(router: &axum::Router, request: Request<Body>) -> Answer {
    let peer: std::net::SocketAddr = format!("{ATTACKER}:50000").parse().unwrap();
    let mut request = request;
    request.extensions_mut().insert(axum::extract::ConnectInfo(peer));
    let response = router.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let retry_after = response
        .headers()
        .get(header::RETRY_AFTER)
        .map(|value| value.to_str().unwrap().parse().unwrap());
    let body = String::from_utf8_lossy(&response.into_body().collect().await.unwrap().to_bytes()).into_owned();
    Answer { status, retry_after, body }
}

async fn token_attempt(router: &axum::Router, password: &str) -> Answer {
    let body = serde_json::json!({ "email": "finance@example.org", "password": password }).to_string();
    let request = Request::post("/api/v1/tokens")
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(body))
        .unwrap();
    send(router, request).await
}

#[tokio::test]
async fn retry_after_is_the_throttles_remaining_delay_on_sqlite() {
    retry_after_is_the_throttles_remaining_delay(&World::new().await).await;
}

#[tokio::test]
async fn retry_after_is_the_throttles_remaining_delay_on_postgres() {
    let Ok(server_url) = std::env::var("POSTGRES_TEST_URL") else {
        eprintln!("POSTGRES_TEST_URL is not set: skipping the PostgreSQL Retry-After checks");
        return;
    };
    retry_after_is_the_throttles_remaining_delay(&World::on_postgres(&server_url).await).await;
    support::drop_postgres_test_databases(&server_url).await;
}

async fn retry_after_is_the_throttles_remaining_delay(world: &World) {
    let clock = Arc::new(FixedClock::new(chrono::Utc::now()));
    let app = App::new(world.store.clone(), clock.clone(), SessionPolicy::default());
    let state = AppState::new(app, WebConfig::default());
    state.ready.store(true, std::sync::atomic::Ordering::Release);
    let router = router(state);
    // What the throttle itself holds for this pair, as the seconds a client should wait.
    let expected = || async {
        let until = world.store.sign_in_blocked_until("finance@example.org", ATTACKER).await.unwrap();
        tailor_app::auth::seconds_to_wait(until, clock.now())
    };

    // Five free attempts; the fifth makes the next wait 1 second.
    for _ in 0..5 {
        assert_eq!(token_attempt(&router, "wrong password here").await.status, StatusCode::UNAUTHORIZED);
    }
    let first = token_attempt(&router, PASSWORD).await;
    assert_eq!(first.status, StatusCode::TOO_MANY_REQUESTS, "{}", first.body);
    assert_eq!(first.retry_after, Some(1));
    assert_eq!(first.retry_after, Some(expected().await));

    // Each counted attempt doubles the delay: 2 seconds, then 4.
    clock.advance(chrono::Duration::seconds(1));
    assert_eq!(token_attempt(&router, "wrong password here").await.status, StatusCode::UNAUTHORIZED);
    clock.advance(chrono::Duration::seconds(2));
    assert_eq!(token_attempt(&router, "wrong password here").await.status, StatusCode::UNAUTHORIZED);
    let longer = token_attempt(&router, PASSWORD).await;
    assert_eq!(longer.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(longer.retry_after, Some(4), "{}", longer.body);
    assert_eq!(longer.retry_after, Some(expected().await));
    assert!(longer.body.contains("wait 4 seconds"), "{}", longer.body);

    // Part of a second left is a whole second: 2.5 seconds left is 3. The page says the same.
    clock.advance(chrono::Duration::milliseconds(1_500));
    let sign_in_page = router
        .clone()
        .oneshot(Request::get("/sign-in").body(Body::empty()).unwrap())
        .await
        .unwrap();
    let cookie = sign_in_page
        .headers()
        .get(header::SET_COOKIE)
        .unwrap()
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    let page_body = String::from_utf8_lossy(&sign_in_page.into_body().collect().await.unwrap().to_bytes()).into_owned();
    let csrf = page_body
        .split("name=\"csrf_token\" value=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_owned();
    let form = serde_urlencoded::to_string([
        ("csrf_token", csrf.as_str()),
        ("email", "finance@example.org"),
        ("password", PASSWORD),
    ])
    .unwrap();
    let request = Request::post("/sign-in")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::COOKIE, cookie);
    let on_the_page = send(&router, request.body(Body::from(form)).unwrap()).await;
    assert_eq!(on_the_page.status, StatusCode::TOO_MANY_REQUESTS, "{}", on_the_page.body);
    assert_eq!(on_the_page.retry_after, Some(3));
    assert_eq!(on_the_page.retry_after, Some(expected().await));
    assert!(on_the_page.body.contains("Wait 3 seconds, then try again"), "{}", on_the_page.body);

    // Once the delay has passed the right password works again from here.
    clock.advance(chrono::Duration::seconds(3));
    assert_eq!(token_attempt(&router, PASSWORD).await.status, StatusCode::CREATED);
}
