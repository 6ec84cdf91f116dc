//! `tailor jobs run` as cron would run it: the recurring jobs are enqueued once per slot and run.

use std::process::Command;

fn tailor(arguments: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_tailor")).args(arguments).output().unwrap()
}

#[test]
fn jobs_run_enqueues_the_recurring_jobs_once_and_runs_them() {
    let directory = tempfile::tempdir().unwrap();
    let url = format!("sqlite:{}", directory.path().join("jobs.db").display());
    let first = tailor(&["jobs", "run", "--database-url", &url]);
    assert!(first.status.success(), "{}", String::from_utf8_lossy(&first.stderr));
    assert_eq!(String::from_utf8_lossy(&first.stdout).trim(), "Ran 1 due job(s).");
    // The same slot's job is done already, so a second run straight after finds nothing due
    // (unless the clock crossed into the next slot in between, when it runs that slot's one).
    let second = tailor(&["jobs", "run", "--database-url", &url]);
    assert!(second.status.success(), "{}", String::from_utf8_lossy(&second.stderr));
    let said = String::from_utf8_lossy(&second.stdout);
    assert!(said.trim() == "Ran 0 due job(s)." || said.trim() == "Ran 1 due job(s).", "{said}");
}
