//! The storage conformance suite on PostgreSQL. It runs when `POSTGRES_TEST_URL` names a server
//! (`.ci/run` sets it); each check gets a database of its own, created and dropped here. With
//! `CI=true` and no server named, it fails rather than skip.

use sqlx::Connection;
use tailor_store::Store;
use tailor_store_postgres::PostgresStore;

#[tokio::test]
async fn postgres_passes_the_conformance_suite() {
    let Ok(server_url) = std::env::var("POSTGRES_TEST_URL") else {
        // On a developer's machine PostgreSQL may not be there; in CI a missing server must not
        // pass as a green run that checked nothing.
        assert!(
            !running_in_ci(),
            "CI=true but POSTGRES_TEST_URL is not set: the PostgreSQL conformance suite cannot run"
        );
        eprintln!("POSTGRES_TEST_URL is not set: skipping the PostgreSQL conformance suite");
        return;
    };
    let created = std::sync::Mutex::new(Vec::new());
    tailor_store::conformance::run_all(|| {
        let name = format!("tailor_conformance_{}", uuid::Uuid::new_v4().simple());
        created.lock().unwrap().push(name.clone());
        let server_url = server_url.clone();
        async move {
            let mut admin = sqlx::PgConnection::connect(&server_url)
                .await
                .expect("connect to POSTGRES_TEST_URL");
            sqlx::query(&format!("create database {name}")).execute(&mut admin).await.unwrap();
            let url = database_url(&server_url, &name);
            let store = PostgresStore::connect(&url).await.unwrap();
            Box::new(store.with_audit_key(tailor_store::conformance::audit_key())) as Box<dyn Store>
        }
    })
    .await;
    let mut admin = sqlx::PgConnection::connect(&server_url).await.unwrap();
    for name in created.into_inner().unwrap() {
        sqlx::query(&format!("drop database if exists {name} with (force)"))
            .execute(&mut admin)
            .await
            .unwrap();
    }
}

fn running_in_ci() -> bool {
    std::env::var("CI").is_ok_and(|value| value.eq_ignore_ascii_case("true") || value == "1")
}

/// The same server URL with another database name in its path.
fn database_url(server_url: &str, database: &str) -> String {
    let (base, query) = match server_url.split_once('?') {
        Some((base, query)) => (base, format!("?{query}")),
        None => (server_url, String::new()),
    };
    let authority_end = base.find("://").map(|scheme| scheme + 3).unwrap_or(0);
    let path_start = base[authority_end..]
        .find('/')
        .map(|slash| slash + authority_end)
        .unwrap_or(base.len());
    format!("{}/{database}{query}", &base[..path_start])
}
