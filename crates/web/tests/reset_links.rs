//! A password reset link takes its address from the `public_url` setting, never from the
//! request: a forged Host or Origin header does not change where the owner's one-time link
//! points. Without the setting, the link is shown as its path with a note to set it.

mod support;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use http_body_util::BodyExt;
use support::World;
use tower::ServiceExt;

async fn issue_with_forged_headers(world: &World, public_url: Option<&str>) -> (StatusCode, String) {
    let config = tailor_web::WebConfig {
        public_url: public_url.map(str::to_owned),
        ..Default::default()
    };
    let state = tailor_web::AppState::new(world.app.clone(), config);
    state.ready.store(true, std::sync::atomic::Ordering::Release);
    let router = tailor_web::router(state);
    let (cookie, csrf) = world.session("admin").await;
    let analyst = world.actor("analyst").await;
    let request = Request::post(format!("/admin/users/{}/password-reset", analyst.user_id))
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::COOKIE, format!("tailor_session={cookie}"))
        .header(header::HOST, "evil.example")
        .header(header::ORIGIN, "https://evil.example")
        .header("x-forwarded-host", "evil.example")
        .body(Body::from(format!("csrf_token={csrf}")))
        .unwrap();
    let response = router.oneshot(request).await.unwrap();
    let status = response.status();
    let body = String::from_utf8_lossy(&response.into_body().collect().await.unwrap().to_bytes()).into_owned();
    (status, body)
}

fn shown_link(body: &str) -> String {
    let start = body.find("<code id=\"reset-link\">").unwrap() + "<code id=\"reset-link\">".len();
    body[start..].chars().take_while(|character| *character != '<').collect()
}

#[tokio::test]
async fn a_forged_host_does_not_change_the_reset_link() {
    let world = World::new().await;
    let (status, body) = issue_with_forged_headers(&world, Some("https://care.council.example")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let link = shown_link(&body);
    assert!(link.starts_with("https://care.council.example/reset-password/"), "{link}");
    assert!(!body.contains("evil.example"), "{body}");
}

#[tokio::test]
async fn without_a_public_url_the_link_is_its_path_and_never_the_requests_host() {
    let world = World::new().await;
    let (status, body) = issue_with_forged_headers(&world, None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let link = shown_link(&body);
    assert!(link.starts_with("/reset-password/"), "{link}");
    assert!(!body.contains("evil.example"));
    assert!(
        body.contains("set <code>public_url</code>"),
        "the administrator is told how to get whole links"
    );
    // The path works as a link on this service.
    assert_eq!(world.get(&link, None).await.status, StatusCode::OK);
}
