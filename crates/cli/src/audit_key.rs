//! Where the audit key comes from. It seals every audit event and signs checkpoints, so it must
//! live outside the database: in TAILOR_AUDIT_KEY, in the file `audit_key_file` names, or, for a
//! SQLite database only, in a key file beside it that Tailor makes on first start.
//!
//! PostgreSQL has no such default: a key generated on one instance's disk would differ from the
//! next instance's, and each would seal events the others cannot check. There, a command that
//! writes events refuses to start until a key is configured.

use crate::settings::Settings;
use anyhow::{bail, Context};
use rand::RngCore;
use std::path::{Path, PathBuf};
use tailor_domain::audit::AuditKey;

/// What the command does with the audit log: a command that appends events needs a key (and may
/// make one beside a SQLite database); one that only checks uses whatever key there is.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum KeyUse {
    Write,
    Check,
}

/// The file of a SQLite database URL; `None` for an in-memory database or a PostgreSQL URL.
pub fn sqlite_path(database_url: &str) -> Option<PathBuf> {
    let rest = database_url.strip_prefix("sqlite:")?;
    let rest = rest.strip_prefix("//").unwrap_or(rest);
    let path = rest.split('?').next().unwrap_or_default();
    if path.is_empty() || path == ":memory:" || database_url.contains("mode=memory") {
        return None;
    }
    Some(PathBuf::from(path))
}

/// The key file kept beside a SQLite database file: `tailor.db` has `tailor.db.audit-key`.
pub fn beside_database(database_url: &str) -> Option<PathBuf> {
    sqlite_path(database_url).map(|path| PathBuf::from(format!("{}.audit-key", path.display())))
}

/// The key, and the key file when it was made just now (so that the caller can take it back if
/// the database turns out to have been sealed with another key).
pub fn load(settings: &Settings, purpose: KeyUse) -> anyhow::Result<(Option<AuditKey>, Option<PathBuf>)> {
    let made = match beside_database(&settings.database_url) {
        Some(path) if purpose == KeyUse::Write && settings.audit_key.is_none() && settings.audit_key_file.is_none() && !path.exists() => {
            Some(path)
        }
        _ => None,
    };
    Ok((find(settings, purpose)?, made))
}

fn find(settings: &Settings, purpose: KeyUse) -> anyhow::Result<Option<AuditKey>> {
    if let Some(text) = &settings.audit_key {
        return AuditKey::from_text(text)
            .map(Some)
            .map_err(|problem| anyhow::anyhow!("TAILOR_AUDIT_KEY: {problem}"));
    }
    if let Some(path) = &settings.audit_key_file {
        return read_key_file(path).map(Some);
    }
    let is_sqlite = settings.database_url.starts_with("sqlite:");
    match (beside_database(&settings.database_url), purpose) {
        (Some(path), _) if path.exists() => read_key_file(&path).map(Some),
        (Some(path), KeyUse::Write) => {
            let key = make_key_file(&path)?;
            tracing::warn!(
                path = %path.display(),
                "no audit key was configured, so one was made beside the database; keep a copy somewhere safe, away from the database's backups"
            );
            Ok(Some(key))
        }
        // An in-memory database lasts as long as the process, and so may its key.
        (None, KeyUse::Write) if is_sqlite => Ok(Some(AuditKey::from_text(&new_key_text()).expect("64 hex digits"))),
        (None, KeyUse::Write) => bail!(
            "no audit key is configured: on PostgreSQL, set TAILOR_AUDIT_KEY (at least 32 characters, such as the output of `openssl rand -hex 32`) or audit_key_file, the same on every instance (docs/audit.md)"
        ),
        (_, KeyUse::Check) => Ok(None),
    }
}

pub fn read_key_file(path: &Path) -> anyhow::Result<AuditKey> {
    let text = std::fs::read_to_string(path).with_context(|| format!("could not read the audit key file {}", path.display()))?;
    AuditKey::from_text(&text).map_err(|problem| anyhow::anyhow!("the audit key file {}: {problem}", path.display()))
}

fn new_key_text() -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    hex::encode(bytes)
}

/// Writes a new key readable by its owner only; `create_new` so that two processes starting at
/// once cannot each write a different key.
fn make_key_file(path: &Path) -> anyhow::Result<AuditKey> {
    use std::io::Write;
    let text = new_key_text();
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    match options.open(path) {
        Ok(mut file) => {
            file.write_all(format!("{text}\n").as_bytes())
                .and_then(|()| file.sync_all())
                .with_context(|| format!("could not write the audit key file {}", path.display()))?;
            Ok(AuditKey::from_text(&text).expect("64 hex digits"))
        }
        Err(error) if error.kind() == std::io::ErrorKind::AlreadyExists => read_key_file(path),
        Err(error) => Err(error).with_context(|| format!("could not make the audit key file {}", path.display())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_key_file_sits_beside_a_sqlite_file_only() {
        assert_eq!(beside_database("sqlite:tailor.db"), Some(PathBuf::from("tailor.db.audit-key")));
        assert_eq!(
            beside_database("sqlite:///var/lib/tailor/t.db?mode=rwc"),
            Some(PathBuf::from("/var/lib/tailor/t.db.audit-key"))
        );
        assert_eq!(beside_database("sqlite::memory:"), None);
        assert_eq!(beside_database("postgres://tailor@db/tailor"), None);
    }

    #[test]
    fn a_sqlite_database_gets_a_key_file_once_and_postgres_must_be_given_one() {
        let directory = tempfile::tempdir().unwrap();
        let database = directory.path().join("t.db");
        let settings = Settings {
            database_url: format!("sqlite:{}", database.display()),
            ..Settings::default()
        };
        assert!(load(&settings, KeyUse::Check).unwrap().0.is_none(), "checking never makes a key");
        let (made, made_file) = load(&settings, KeyUse::Write).unwrap();
        let made = made.unwrap();
        assert!(made_file.is_some());
        let (again, again_file) = load(&settings, KeyUse::Check).unwrap();
        let again = again.unwrap();
        assert!(again_file.is_none());
        let event = tailor_domain::audit::NewAuditEvent::new(chrono::Utc::now(), None, "test", tailor_domain::audit::AuditAction::SignedIn);
        assert_eq!(event.keyed_chain_hash(&made, 1, "x"), event.keyed_chain_hash(&again, 1, "x"));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(directory.path().join("t.db.audit-key"))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        let postgres = Settings {
            database_url: "postgres://tailor@127.0.0.1/tailor".into(),
            ..Settings::default()
        };
        let refused = load(&postgres, KeyUse::Write).unwrap_err().to_string();
        assert!(refused.contains("TAILOR_AUDIT_KEY"), "{refused}");
        let given = Settings {
            audit_key: Some("k".repeat(40)),
            ..postgres
        };
        assert!(load(&given, KeyUse::Write).unwrap().0.is_some());
    }
}
