//! The storage conformance suite on SQLite: runs in every `cargo test`, no services needed.

use tailor_store::Store;
use tailor_store_sqlite::SqliteStore;

#[tokio::test]
async fn sqlite_passes_the_conformance_suite() {
    let directory = tempfile::tempdir().unwrap();
    let counter = std::sync::atomic::AtomicUsize::new(0);
    tailor_store::conformance::run_all(|| {
        let path = directory
            .path()
            .join(format!("check-{}.db", counter.fetch_add(1, std::sync::atomic::Ordering::SeqCst)));
        async move {
            let store = SqliteStore::connect(&format!("sqlite:{}", path.display())).await.unwrap();
            Box::new(store.with_audit_key(tailor_store::conformance::audit_key())) as Box<dyn Store>
        }
    })
    .await;
}

#[tokio::test]
async fn an_in_memory_database_works_too() {
    let store = SqliteStore::connect("sqlite::memory:").await.unwrap();
    assert!(store.is_empty().await.unwrap());
}
