//! Changing the audit key: `tailor audit rotate-key` records the change sealed with the old key,
//! the whole log then verifies given both keys (and a checkpoint made before the change), and
//! nothing may write with the retired key any more.

use std::path::Path;
use std::process::{Command, Output};

const OLD_KEY: &str = "old-audit-key-for-the-key-change-test-0000";
const NEW_KEY: &str = "new-audit-key-for-the-key-change-test-1111";

fn tailor(arguments: &[&str], audit_key: &str) -> Output {
    Command::new(env!("CARGO_BIN_EXE_tailor"))
        .args(arguments)
        .env("TAILOR_AUDIT_KEY", audit_key)
        .output()
        .unwrap()
}

fn succeeds(output: Output) -> String {
    assert!(
        output.status.success(),
        "expected success: {}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn fails(output: Output) -> String {
    assert!(
        !output.status.success(),
        "expected a refusal: {}",
        String::from_utf8_lossy(&output.stdout)
    );
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn write_key(directory: &Path, name: &str, key: &str) -> String {
    let path = directory.join(name);
    std::fs::write(&path, format!("{key}\n")).unwrap();
    path.display().to_string()
}

#[test]
fn the_log_verifies_across_a_change_of_key_and_the_old_key_can_no_longer_write() {
    let directory = tempfile::tempdir().unwrap();
    let database = format!("sqlite:{}", directory.path().join("council.db").display());
    let old_file = write_key(directory.path(), "old.key", OLD_KEY);
    let new_file = write_key(directory.path(), "new.key", NEW_KEY);
    let before = directory.path().join("before.json").display().to_string();

    succeeds(tailor(
        &["demo", "--no-serve", "--people", "5", "--database-url", &database],
        OLD_KEY,
    ));
    succeeds(tailor(
        &["audit", "checkpoint", "--database-url", &database, "--out", &before],
        OLD_KEY,
    ));

    let rotated = succeeds(tailor(
        &["audit", "rotate-key", "--database-url", &database, "--new-key-file", &new_file],
        OLD_KEY,
    ));
    assert!(rotated.contains("records the change of audit key"), "{rotated}");

    // The new key writes from now on: a job run appends events sealed with it.
    succeeds(tailor(&["jobs", "run", "--database-url", &database], NEW_KEY));

    let verified = succeeds(tailor(
        &[
            "audit",
            "verify",
            "--database-url",
            &database,
            "--previous-key-file",
            &old_file,
            "--checkpoint",
            &before,
        ],
        NEW_KEY,
    ));
    assert!(verified.contains("The audit log is intact"), "{verified}");

    // Without the old key the events it sealed cannot be vouched for; without the new key,
    // neither can the events after the change.
    let without_old = fails(tailor(&["audit", "verify", "--database-url", &database], NEW_KEY));
    assert!(without_old.contains("has been changed"), "{without_old}");
    let without_new = fails(tailor(&["audit", "verify", "--database-url", &database], OLD_KEY));
    assert!(without_new.contains("a key that was not given"), "{without_new}");

    // An instance still holding the retired key refuses to start writing.
    let stale = fails(tailor(&["jobs", "run", "--database-url", &database], OLD_KEY));
    assert!(stale.contains("not the key that seals"), "{stale}");

    // A second change to the key already in force is refused and writes nothing.
    let same = fails(tailor(
        &[
            "audit",
            "rotate-key",
            "--database-url",
            &database,
            "--new-key-file",
            &new_file,
            "--previous-key-file",
            &old_file,
        ],
        NEW_KEY,
    ));
    assert!(same.contains("already in force"), "{same}");
}
