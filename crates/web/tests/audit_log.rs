//! HTTP tests for the administrator's audit log: plain-English rows with names looked up from
//! ids, filters by person, account, kind and dates, paging, and the CSV download.

mod support;

use axum::http::StatusCode;
use support::World;

#[tokio::test]
async fn the_log_reads_as_sentences_and_filters_by_person_account_kind_and_date() {
    let world = World::new().await;
    let (worker, _) = world.session("practitioner").await;
    // The practitioner opens Olive Owner's record: a read the log must show by name.
    assert_eq!(
        world.get(&format!("/people/{}", world.own_record), Some(&worker)).await.status,
        StatusCode::OK
    );
    let (admin, _) = world.session("admin").await;
    let everything = world.get("/admin/audit", Some(&admin)).await;
    assert_eq!(everything.status, StatusCode::OK);
    assert!(
        everything.body.contains("practitioner user viewed Olive Owner&#39;s record"),
        "{}",
        everything.body
    );
    let stored = world.audit_actions(Some(world.own_record)).await;
    assert!(
        stored.iter().filter(|action| *action == "person_viewed").count() >= 2,
        "naming Olive on the log is itself a read"
    );

    let by_person = world.get(&format!("/admin/audit?person={}", world.own_record), Some(&admin)).await;
    assert!(by_person.body.contains("Showing events about <strong>Olive Owner</strong>"));
    assert!(!by_person.body.contains("Harold Helped"), "only Olive's events");

    let by_account = world
        .get("/admin/audit?account=practitioner%40example.org&kind=person_viewed", Some(&admin))
        .await;
    assert_eq!(by_account.status, StatusCode::OK);
    assert!(by_account.body.contains("practitioner user viewed Olive Owner&#39;s record"));
    assert!(!by_account.body.contains("admin user viewed"), "only the practitioner's events");

    let unknown = world.get("/admin/audit?account=nobody%40example.org", Some(&admin)).await;
    assert_eq!(unknown.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(unknown.body.contains("There is no account with that email address"));

    let backwards = world.get("/admin/audit?from=2%2F5%2F2026&to=1%2F5%2F2026", Some(&admin)).await;
    assert!(backwards.body.contains("The last day must be the same as or after the first day"));
    let long_ago = world.get("/admin/audit?from=1%2F1%2F2001&to=31%2F12%2F2001", Some(&admin)).await;
    assert!(long_ago.body.contains("No events match."));

    let csv = world
        .get(&format!("/admin/audit.csv?person={}", world.own_record), Some(&admin))
        .await;
    assert_eq!(csv.status, StatusCode::OK);
    assert!(csv.headers["content-type"].to_str().unwrap().starts_with("text/csv"));
    assert!(csv.headers["content-disposition"].to_str().unwrap().contains("attachment"));
    assert!(csv.body.starts_with("number,when,who,what,person,kind,details\r\n"));
    assert!(csv.body.contains("practitioner user viewed Olive Owner's record"), "{}", csv.body);

    let (practitioner, _) = world.session("practitioner").await;
    assert_eq!(world.get("/admin/audit", Some(&practitioner)).await.status, StatusCode::FORBIDDEN);
    assert_eq!(
        world.get("/admin/audit.csv", Some(&practitioner)).await.status,
        StatusCode::FORBIDDEN
    );
}

#[tokio::test]
async fn the_log_pages_by_sequence() {
    let world = World::new().await;
    let (worker, _) = world.session("practitioner").await;
    for _ in 0..55 {
        world.get(&format!("/people/{}", world.own_record), Some(&worker)).await;
    }
    let (admin, _) = world.session("admin").await;
    let first = world.get("/admin/audit", Some(&admin)).await;
    let older = first
        .body
        .split("href=\"")
        .find_map(|part| part.strip_prefix("/admin/audit?before="))
        .and_then(|rest| rest.split('"').next())
        .expect("a link to older events");
    let second = world.get(&format!("/admin/audit?before={older}"), Some(&admin)).await;
    assert_eq!(second.status, StatusCode::OK);
    assert!(second.body.contains("Newest events"));
    let first_events: Vec<&str> = first.body.matches("<br><span class=\"govuk-body-s\">Event ").collect();
    assert_eq!(first_events.len(), 50);
    assert!(
        !second.body.contains(&format!("Event {older}<")),
        "the page starts below the last one shown"
    );
}
