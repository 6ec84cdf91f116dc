//! Who may do what is decided in `access.rs` and nowhere else. This reads every crate's source
//! and fails if code elsewhere compares or matches on a role, which is how a second, diverging
//! access rule starts.

use std::path::{Path, PathBuf};

/// Files that may name roles in a comparison, and why.
const ALLOWED: &[(&str, &str)] = &[
    ("domain/src/access.rs", "the one place access is decided"),
    (
        "domain/src/users.rs",
        "checks a new account has what its role needs (a team, a person, an organisation)",
    ),
    ("app/src/demo.rs", "creates the demo council's accounts, one per role"),
];

fn rust_files(directory: &Path, found: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(directory).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, found);
        } else if path.extension().is_some_and(|extension| extension == "rs") {
            found.push(path);
        }
    }
}

/// Lines that compare or match on a role: a match arm, `==`/`!=`, or inside `matches!(...)`.
/// Unit tests at the foot of a file (after `#[cfg(test)]`) are not looked at.
fn role_decisions(source: &str) -> Vec<(usize, String)> {
    let mut found = Vec::new();
    let mut open_matches = 0i32;
    for (number, line) in source.lines().enumerate() {
        let code = line.split("//").next().unwrap_or_default();
        if code.trim_start().starts_with("#[cfg(test)]") {
            break;
        }
        let starts_matches = code.contains("matches!(");
        let names_role = code.contains("Role::");
        let compares = code.contains("=>") || code.contains("==") || code.contains("!=");
        if names_role && (compares || starts_matches || open_matches > 0) {
            found.push((number + 1, line.trim().to_owned()));
        }
        if starts_matches || open_matches > 0 {
            open_matches += code.matches('(').count() as i32 - code.matches(')').count() as i32;
            open_matches = open_matches.max(0);
        }
    }
    found
}

#[test]
fn no_code_outside_access_rs_decides_by_role() {
    let crates = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let mut files = Vec::new();
    for entry in std::fs::read_dir(crates).unwrap() {
        let source = entry.unwrap().path().join("src");
        if source.is_dir() {
            rust_files(&source, &mut files);
        }
    }
    assert!(files.len() > 20, "expected to find the crates' sources under {}", crates.display());
    let mut offences = Vec::new();
    for file in files {
        let relative = file.strip_prefix(crates).unwrap().to_string_lossy().replace('\\', "/");
        if ALLOWED.iter().any(|(allowed, _)| *allowed == relative) {
            continue;
        }
        let source = std::fs::read_to_string(&file).unwrap();
        for (line, text) in role_decisions(&source) {
            offences.push(format!("{relative}:{line}: {text}"));
        }
    }
    assert!(
        offences.is_empty(),
        "ask tailor_domain::access (a Permission, a Capability or a small function there) instead of matching on roles:\n{}",
        offences.join("\n")
    );
}

#[test]
fn the_scan_catches_each_way_of_deciding_by_role() {
    for decision in [
        "    Role::Person | Role::Helper => \"/my\",",
        "    if actor.role == Role::TeamManager {",
        "    let staff = actor.role != Role::Provider;",
        "    let worker = matches!(user.role, Role::Practitioner | Role::TeamManager);",
        "    let worker = matches!(\n        user.role,\n        Role::Practitioner\n    );",
    ] {
        assert!(!role_decisions(decision).is_empty(), "{decision}");
    }
    for fine in [
        "    let role = Role::parse(text);",
        "    roles: choices(Role::ALL.iter().map(|role| (role.as_str(), role.label())), &form.role),",
        "    if matches!(status, Status::Open) {\n    }\n    let role = Role::parse(text);",
        "#[cfg(test)]\nmod tests {\n    fn f() { assert!(role == Role::Person) }\n}",
    ] {
        assert!(role_decisions(fine).is_empty(), "{fine}");
    }
}
