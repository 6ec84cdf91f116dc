//! `tailor backup` and `tailor restore`: a copy of the whole database that restores, with its
//! audit chain, into an empty database.
//!
//! SQLite: `VACUUM INTO` writes a consistent single-file copy while Tailor keeps running, and a
//! restore copies that file to the new database's path. PostgreSQL: `pg_dump --format=custom`
//! and `pg_restore`, which must be on PATH (they come with the PostgreSQL client). The audit key
//! is not in a backup, by design (docs/audit.md): keep it apart, and give it to the restored
//! database's `tailor audit verify`.

use crate::audit_key::sqlite_path;
use crate::settings::redact;
use anyhow::{bail, Context};
use std::path::Path;
use std::process::Command;

fn is_postgres(url: &str) -> bool {
    url.starts_with("postgres://") || url.starts_with("postgresql://")
}

pub async fn backup(database_url: &str, out: &Path) -> anyhow::Result<()> {
    if out.exists() {
        bail!("{} already exists: give a new file for the backup", out.display());
    }
    if is_postgres(database_url) {
        let output = tool("pg_dump")?
            .args(["--format=custom", "--no-owner", "--no-privileges", "--file"])
            .arg(out)
            .arg(database_url)
            .output()
            .context("could not run pg_dump")?;
        if !output.status.success() {
            bail!("pg_dump failed: {}", String::from_utf8_lossy(&output.stderr).trim());
        }
        return Ok(());
    }
    if sqlite_path(database_url).is_none() {
        bail!(
            "only a SQLite file or a PostgreSQL database can be backed up (got {})",
            redact(database_url)
        );
    }
    let store = tailor_store_sqlite::SqliteStore::connect(database_url)
        .await
        .with_context(|| format!("could not open {database_url}"))?;
    tailor_store_sqlite::backup_into(&store, out).await?;
    Ok(())
}

pub async fn restore(from: &Path, database_url: &str) -> anyhow::Result<()> {
    if !from.is_file() {
        bail!("there is no backup file at {}", from.display());
    }
    if is_postgres(database_url) {
        refuse_unless_empty_postgres(database_url)?;
        let output = tool("pg_restore")?
            .args([
                "--no-owner",
                "--no-privileges",
                "--exit-on-error",
                "--single-transaction",
                "--dbname",
            ])
            .arg(database_url)
            .arg(from)
            .output()
            .context("could not run pg_restore")?;
        if !output.status.success() {
            bail!("pg_restore failed: {}", String::from_utf8_lossy(&output.stderr).trim());
        }
        return Ok(());
    }
    let Some(path) = sqlite_path(database_url) else {
        bail!(
            "a backup can only be restored into a SQLite file or a PostgreSQL database (got {})",
            redact(database_url)
        );
    };
    // A restore never overwrites: what is there might be the only copy of something.
    if path.exists() && std::fs::metadata(&path).map(|metadata| metadata.len() > 0).unwrap_or(true) {
        bail!("{} already exists: restore into a new, empty database", path.display());
    }
    std::fs::copy(from, &path).with_context(|| format!("could not copy {} to {}", from.display(), path.display()))?;
    Ok(())
}

/// A PostgreSQL client tool, or a clear message when it is not installed.
fn tool(name: &str) -> anyhow::Result<Command> {
    let found = std::env::var_os("PATH")
        .map(|paths| std::env::split_paths(&paths).any(|directory| directory.join(name).is_file()))
        .unwrap_or(false);
    if !found {
        bail!("{name} is not on PATH: install the PostgreSQL client tools (the same major version as the server, or newer) to back up and restore PostgreSQL");
    }
    Ok(Command::new(name))
}

/// pg_restore into a database that already has tables would mix two councils' records.
fn refuse_unless_empty_postgres(database_url: &str) -> anyhow::Result<()> {
    let output = tool("psql")?
        .args(["--no-psqlrc", "--tuples-only", "--no-align", "--command"])
        .arg("select count(*) from information_schema.tables where table_schema = 'public'")
        .arg(database_url)
        .output()
        .context("could not run psql")?;
    if !output.status.success() {
        bail!(
            "could not look into {}: {}",
            redact(database_url),
            String::from_utf8_lossy(&output.stderr).trim()
        );
    }
    let tables = String::from_utf8_lossy(&output.stdout).trim().to_owned();
    if tables != "0" {
        bail!(
            "{} already has {tables} table(s): restore into a new, empty database",
            redact(database_url)
        );
    }
    Ok(())
}
