//! A document too large to keep is answered on the same form, with the title typed kept.

mod support;

use axum::http::StatusCode;
use support::World;

#[tokio::test]
async fn a_too_large_upload_is_a_field_error_on_the_same_form_with_the_title_kept() {
    let world = World::new().await;
    let (cookie, csrf) = world.session("practitioner").await;
    let path = format!("/people/{}/documents", world.own_record);
    let before = world.store.list_documents(world.own_record).await.unwrap().len();
    for size in [6 * 1024 * 1024, 20 * 1024 * 1024] {
        let file = vec![b'a'; size];
        let reply = world
            .post_multipart(
                &path,
                Some(&cookie),
                &[("csrf_token", &csrf), ("title", "Letter from Dr Patel")],
                Some(("letter.txt", &file)),
            )
            .await;
        assert_eq!(reply.status, StatusCode::PAYLOAD_TOO_LARGE, "{size} bytes");
        assert!(reply.body.contains("govuk-error-summary"), "{size} bytes: {}", reply.body);
        assert!(reply.body.contains("The file must be smaller than 5MB"));
        assert!(reply.body.contains("value=\"Letter from Dr Patel\""), "the title is kept");
        assert!(reply.body.contains("enctype=\"multipart/form-data\""), "the same form");
    }
    // Past what Tailor reads at all, the upload is refused outright with a clear page.
    let huge = world
        .post_multipart(
            &path,
            Some(&cookie),
            &[("csrf_token", &csrf), ("title", "Letter")],
            Some(("letter.txt", &vec![b'a'; 40 * 1024 * 1024])),
        )
        .await;
    assert_eq!(huge.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(huge.body.contains("What you sent is too large"));
    let forged = world
        .post_multipart(
            &path,
            Some(&cookie),
            &[("csrf_token", "forged"), ("title", "Letter")],
            Some(("letter.txt", &vec![b'a'; 6 * 1024 * 1024])),
        )
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN, "the CSRF check still comes first");
    assert_eq!(world.store.list_documents(world.own_record).await.unwrap().len(), before);
    let small = world
        .post_multipart(
            &path,
            Some(&cookie),
            &[("csrf_token", &csrf), ("title", "Short letter")],
            Some(("letter.txt", b"Dear Olive")),
        )
        .await;
    assert_eq!(small.status, StatusCode::SEE_OTHER, "{}", small.body);
}
