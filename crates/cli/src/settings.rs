//! Settings, layered: built-in defaults, then an optional TOML file, then `TAILOR_...`
//! environment variables, then command-line flags. Secrets are never printed.

use figment::providers::{Env, Format, Serialized, Toml};
use figment::Figment;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    /// sqlite:PATH or postgres://... (may hold a password: print it only through `redact`).
    pub database_url: String,
    pub bind: String,
    /// Mark cookies Secure. Browsers accept them from http://localhost, so this stays on for the demo.
    pub secure_cookies: bool,
    /// Overrides the name in the council file (kept for settings files written before it).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub council_name: Option<String>,
    /// The council's contact details (config/council.toml's format). Without one, the demo
    /// council's built-in details are used.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub council_file: Option<std::path::PathBuf>,
    pub session_idle_minutes: i64,
    pub session_absolute_hours: i64,
    /// `text` for people, `json` for log collectors.
    pub log_format: String,
    /// Behind a reverse proxy: take the client's address from the last X-Forwarded-For entry.
    pub trust_forwarded_for: bool,
    /// The audit key itself (usually from TAILOR_AUDIT_KEY). Never printed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub audit_key: Option<String>,
    /// A file holding the audit key, readable only by Tailor's user.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub audit_key_file: Option<std::path::PathBuf>,
    /// Files holding audit keys replaced by `tailor audit rotate-key`: the admin's audit page and
    /// `tailor audit verify` check the events sealed before each change with them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub audit_previous_key_files: Vec<std::path::PathBuf>,
    /// The bearer token a metrics collector sends to read /metrics; without one /metrics is off.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub metrics_token: Option<String>,
    /// Send Strict-Transport-Security: only when Tailor is reached over HTTPS alone.
    pub strict_transport_security: bool,
    /// Name the session cookie `__Host-tailor_session` while cookies are secure, so only this
    /// host, over HTTPS, can set it. Browsers count http://localhost and 127.0.0.1 as secure,
    /// so the demo keeps it on; turn it off only where browsers reach Tailor over plain HTTP.
    pub cookie_host_prefix: bool,
    /// `required`: staff must use two-step sign-in (codes from an authenticator app); `optional`:
    /// they may choose to, as people and helpers always may. Unset: required for `serve`,
    /// optional for `demo`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub two_factor_for_staff: Option<tailor_domain::two_factor::StaffTwoFactor>,
    /// The address people reach Tailor at (`https://care.council.example`), used to build the
    /// links Tailor gives out, such as password reset links, never a request's Host header.
    /// Without it, only a loopback bind (the demo) gives links their address.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub public_url: Option<String>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            database_url: "sqlite:tailor.db".into(),
            bind: "127.0.0.1:8080".into(),
            secure_cookies: true,
            council_name: None,
            council_file: None,
            session_idle_minutes: 30,
            session_absolute_hours: 12,
            log_format: "text".into(),
            trust_forwarded_for: false,
            audit_key: None,
            audit_key_file: None,
            audit_previous_key_files: Vec::new(),
            metrics_token: None,
            strict_transport_security: false,
            cookie_host_prefix: true,
            two_factor_for_staff: None,
            public_url: None,
        }
    }
}

/// The settings that may come from `TAILOR_<NAME>` environment variables.
const KNOWN_SETTINGS: [&str; 17] = [
    "two_factor_for_staff",
    "public_url",
    "audit_previous_key_files",
    "cookie_host_prefix",
    "council_file",
    "metrics_token",
    "strict_transport_security",
    "database_url",
    "bind",
    "secure_cookies",
    "council_name",
    "session_idle_minutes",
    "session_absolute_hours",
    "log_format",
    "audit_key",
    "audit_key_file",
    "trust_forwarded_for",
];

/// `TAILOR_` variables that are not settings, probably typos; the caller warns about them.
/// TAILOR_CONFIG and TAILOR_DEMO_PASSWORD are read by the command line itself.
pub fn unknown_environment_settings() -> Vec<String> {
    std::env::vars()
        .filter_map(|(key, _)| key.strip_prefix("TAILOR_").map(str::to_lowercase))
        .filter(|key| !KNOWN_SETTINGS.contains(&key.as_str()) && key != "config" && key != "demo_password" && !key.starts_with("test_"))
        .collect()
}

/// Values given as command-line flags; `None` leaves the lower layers' value.
#[derive(Default, Serialize)]
pub struct Overrides {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bind: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub database_url: Option<String>,
}

impl Settings {
    pub fn load(file: Option<&std::path::Path>, flags: Overrides) -> anyhow::Result<Settings> {
        let mut figment = Figment::from(Serialized::defaults(Settings::default()));
        if let Some(path) = file {
            if !path.exists() {
                anyhow::bail!("the settings file {} does not exist", path.display());
            }
            figment = figment.merge(Toml::file(path));
        }
        let environment = Env::prefixed("TAILOR_").only(&KNOWN_SETTINGS);
        let settings: Settings = figment.merge(environment).merge(Serialized::defaults(flags)).extract()?;
        if settings.session_idle_minutes <= 0 || settings.session_absolute_hours <= 0 {
            anyhow::bail!("session_idle_minutes and session_absolute_hours must be more than zero");
        }
        let mut settings = settings;
        settings.public_url = match settings.public_url.as_deref().map(str::trim).filter(|url| !url.is_empty()) {
            Some(url) => Some(checked_public_url(url)?),
            None => None,
        };
        Ok(settings)
    }
}

/// The public address as links use it: `http://` or `https://`, a host, no path, query or
/// spaces; a trailing `/` is dropped.
fn checked_public_url(url: &str) -> anyhow::Result<String> {
    let trimmed = url.trim_end_matches('/');
    let host = trimmed
        .strip_prefix("https://")
        .or_else(|| trimmed.strip_prefix("http://"))
        .unwrap_or_default();
    if host.is_empty() || host.contains(['/', '?', '#', '@', ' ']) || host.chars().any(char::is_control) {
        anyhow::bail!("public_url must be the address people reach Tailor at, such as https://care.council.example (no path)");
    }
    Ok(trimmed.to_owned())
}

/// Where the links Tailor gives out point: the `public_url` setting, else, only when Tailor
/// listens on a loopback address (the demo, a developer's machine), that address. Otherwise
/// none: a request's Host header is never trusted for it, since anyone can forge one.
pub fn link_base(public_url: Option<&str>, listening_on: std::net::SocketAddr) -> Option<String> {
    match public_url {
        Some(url) => Some(url.to_owned()),
        None if listening_on.ip().is_loopback() => Some(format!("http://{listening_on}")),
        None => None,
    }
}

/// A database URL with any password replaced, fit for logs and messages.
pub fn redact(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    match rest.split_once('@') {
        Some((credentials, host)) => match credentials.split_once(':') {
            Some((user, _)) => format!("{scheme}://{user}:***@{host}"),
            None => url.to_owned(),
        },
        None => url.to_owned(),
    }
}

pub fn init_logging(settings: &Settings) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn,tower_http=warn"));
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr);
    if settings.log_format == "json" {
        builder.json().init();
    } else {
        builder.init();
    }
    for unknown in unknown_environment_settings() {
        tracing::warn!(
            "TAILOR_{} is not a Tailor setting and is ignored (see docs/configuration.md)",
            unknown.to_uppercase()
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_use_the_public_url_else_only_a_loopback_address() {
        let loopback: std::net::SocketAddr = "127.0.0.1:8080".parse().unwrap();
        let everywhere: std::net::SocketAddr = "0.0.0.0:8080".parse().unwrap();
        assert_eq!(
            link_base(Some("https://care.council.example"), everywhere).as_deref(),
            Some("https://care.council.example")
        );
        assert_eq!(link_base(None, loopback).as_deref(), Some("http://127.0.0.1:8080"));
        assert_eq!(link_base(None, "[::1]:9000".parse().unwrap()).as_deref(), Some("http://[::1]:9000"));
        assert_eq!(link_base(None, everywhere), None, "never a guess from a request");
        assert_eq!(
            checked_public_url("https://care.council.example/").unwrap(),
            "https://care.council.example"
        );
        for wrong in [
            "care.council.example",
            "https://",
            "https://care.council.example/tailor",
            "ftp://x",
            "https://a b",
        ] {
            assert!(checked_public_url(wrong).is_err(), "{wrong}");
        }
    }

    #[test]
    fn passwords_are_redacted_from_urls() {
        assert_eq!(
            redact("postgres://tailor:secret@db.example/tailor"),
            "postgres://tailor:***@db.example/tailor"
        );
        assert_eq!(redact("postgres://tailor@db.example/tailor"), "postgres://tailor@db.example/tailor");
        assert_eq!(redact("sqlite:tailor.db"), "sqlite:tailor.db");
    }

    #[test]
    fn flags_beat_the_file_which_beats_defaults() {
        let directory = tempfile::tempdir().unwrap();
        let path = directory.path().join("tailor.toml");
        std::fs::write(&path, "bind = \"0.0.0.0:9000\"\ncouncil_name = \"Testshire\"\n").unwrap();
        let settings = Settings::load(
            Some(&path),
            Overrides {
                bind: Some("127.0.0.1:1".into()),
                database_url: None,
            },
        )
        .unwrap();
        assert_eq!(settings.bind, "127.0.0.1:1");
        assert_eq!(settings.council_name.as_deref(), Some("Testshire"));
        assert_eq!(settings.database_url, "sqlite:tailor.db");
    }

    #[test]
    fn two_factor_for_staff_reads_required_or_optional_and_nothing_else() {
        let directory = tempfile::tempdir().unwrap();
        let path = directory.path().join("tailor.toml");
        assert_eq!(Settings::load(None, Overrides::default()).unwrap().two_factor_for_staff, None);
        std::fs::write(&path, "two_factor_for_staff = \"optional\"\n").unwrap();
        assert_eq!(
            Settings::load(Some(&path), Overrides::default()).unwrap().two_factor_for_staff,
            Some(tailor_domain::two_factor::StaffTwoFactor::Optional)
        );
        std::fs::write(&path, "two_factor_for_staff = \"required\"\n").unwrap();
        assert_eq!(
            Settings::load(Some(&path), Overrides::default()).unwrap().two_factor_for_staff,
            Some(tailor_domain::two_factor::StaffTwoFactor::Required)
        );
        std::fs::write(&path, "two_factor_for_staff = \"sometimes\"\n").unwrap();
        assert!(Settings::load(Some(&path), Overrides::default()).is_err());
    }

    #[test]
    fn a_typo_in_the_file_is_refused() {
        let directory = tempfile::tempdir().unwrap();
        let path = directory.path().join("tailor.toml");
        std::fs::write(&path, "bnid = \"0.0.0.0:9000\"\n").unwrap();
        assert!(Settings::load(Some(&path), Overrides::default()).is_err());
    }
}
