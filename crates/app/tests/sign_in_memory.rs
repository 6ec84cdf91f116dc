//! 64 simultaneous sign-ins with unknown emails (issue 9 measured 29 MB to 1.55 GB resident).
//! Each runs Argon2 over 19 MiB against the decoy hash; at most `PASSWORD_CHECKS_AT_ONCE` run at
//! once, on threads that keep their working memory, so the peak stays near that many times
//! 19 MiB whatever the number of sign-ins (measured: 50 MB for 4, 16 or 64). Its own test binary, so the process's
//! peak resident size is this test's alone. Linux only (it reads /proc/self/status).

use std::sync::Arc;
use tailor_app::clock::SystemClock;
use tailor_app::{App, AppError, SessionPolicy};
use tailor_store_sqlite::SqliteStore;

fn status_kilobytes(field: &str) -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|line| line.starts_with(field))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// As many as the issue measured.
const ATTEMPTS: usize = 64;
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sixty_four_simultaneous_unknown_sign_ins_stay_small() {
    let Some(before) = status_kilobytes("VmRSS:") else {
        eprintln!("no /proc/self/status: skipping the memory measurement");
        return;
    };
    let store = Arc::new(SqliteStore::connect("sqlite::memory:").await.unwrap());
    let app = App::new(store, Arc::new(SystemClock), SessionPolicy::default());
    let started = std::time::Instant::now();
    let attempts = (0..ATTEMPTS).map(|index| {
        let app = app.clone();
        tokio::spawn(async move {
            app.sign_in(
                &format!("nobody{index}@example.org"),
                "a guessed password",
                &format!("10.0.0.{index}"),
                None,
            )
            .await
        })
    });
    for attempt in futures_join(attempts).await {
        assert!(matches!(attempt, Err(AppError::WrongCredentials)), "{attempt:?}");
    }
    let peak = status_kilobytes("VmHWM:").unwrap();
    let after = status_kilobytes("VmRSS:").unwrap();
    eprintln!(
        "{ATTEMPTS} unknown-email sign-ins in {:.1?}: resident {} MB before, {} MB after, peak {} MB",
        started.elapsed(),
        before / 1024,
        after / 1024,
        peak / 1024
    );
    assert!(peak < 200 * 1024, "peak resident size {} MB is over 200 MB", peak / 1024);
}

async fn futures_join<T>(handles: impl Iterator<Item = tokio::task::JoinHandle<T>>) -> Vec<T> {
    let mut results = Vec::new();
    for handle in handles.collect::<Vec<_>>() {
        results.push(handle.await.unwrap());
    }
    results
}
