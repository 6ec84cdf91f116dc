//! `tailor`: one binary for everything an operator does. It reads configuration, picks the
//! storage adapter from the database URL, and hands over to the web or app layer.

mod audit_key;
mod backup;
mod charging;
mod ras;
mod settings;

use anyhow::{bail, Context};
use audit_key::KeyUse;
use clap::{Args, Parser, Subcommand};
use settings::{Overrides, Settings};
use std::io::BufRead;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use tailor_app::clock::SystemClock;
use tailor_app::demo::DemoOptions;
use tailor_app::{App, SessionPolicy};
use tailor_domain::access::Role;
use tailor_domain::audit::{AuditCheckpoint, AuditKey};
use tailor_domain::users::NewUser;
use tailor_store::Store;

#[derive(Parser)]
#[command(name = "tailor", version, about = "Tailor: self-directed support for adult social care")]
struct Cli {
    /// A TOML file of settings (see docs/configuration.md). Also TAILOR_CONFIG.
    #[arg(long, global = true, env = "TAILOR_CONFIG")]
    config: Option<std::path::PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Args, Clone, Default)]
struct ServerArgs {
    /// Address to listen on, like 127.0.0.1:8080 (port 0 picks a free port and prints it).
    #[arg(long)]
    bind: Option<String>,
    /// sqlite:PATH (the default is sqlite:tailor.db) or postgres://USER@HOST/DATABASE.
    #[arg(long)]
    database_url: Option<String>,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the web pages and the JSON API.
    Serve(ServerArgs),
    /// Apply any database migrations not yet applied, then exit.
    Migrate {
        #[arg(long)]
        database_url: Option<String>,
    },
    /// Build the demo council on an empty database (if it is empty), then serve it.
    Demo {
        #[command(flatten)]
        server: ServerArgs,
        /// How many people the demo council has.
        #[arg(long, default_value_t = 200)]
        people: u32,
        /// The same seed always builds the same people.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// The password of every demo account.
        #[arg(long, default_value = "tailor-demo-password", env = "TAILOR_DEMO_PASSWORD")]
        demo_password: String,
        /// Build the demo council, then exit instead of serving it.
        #[arg(long)]
        no_serve: bool,
    },
    /// Accounts.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// The audit log.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// Write a copy of the whole database to a new file (SQLite: VACUUM INTO; PostgreSQL: pg_dump).
    Backup {
        #[arg(long)]
        database_url: Option<String>,
        #[arg(long)]
        out: std::path::PathBuf,
    },
    /// Restore a backup into a new, empty database (SQLite: a new file; PostgreSQL: pg_restore).
    Restore {
        #[arg(long)]
        from: std::path::PathBuf,
        #[arg(long)]
        database_url: String,
    },
    /// Work that runs later (session clean-up; payment runs and letters as they arrive).
    Jobs {
        #[command(subcommand)]
        command: JobsCommand,
    },
    /// The Resource Allocation System: work out or calibrate indicative budgets from model files.
    Ras {
        #[command(subcommand)]
        command: RasCommand,
    },
    /// Charging for care at home: work out a weekly charge from a rates table and a means file.
    Charging {
        #[command(subcommand)]
        command: ChargingCommand,
    },
}

#[derive(Subcommand)]
enum ChargingCommand {
    /// Print the weekly charge and every line of its working, as JSON.
    Calculate {
        /// A charging rates table (docs/charging.md). Give it more than once to let the
        /// assessment date choose the table in force, as for recalculating an earlier year.
        #[arg(long, required = true)]
        rates: Vec<std::path::PathBuf>,
        /// A means file: the person's circumstances and services (docs/charging.md), TOML or JSON.
        #[arg(long)]
        means: std::path::PathBuf,
        /// How many weeks make a year: "52 weeks", "52 weeks and 1 day" or "365.25 days".
        /// Without it, the `year_rule` of `--council-file`, else 52 weeks.
        #[arg(long)]
        year_rule: Option<String>,
        /// A council file (config/council.toml) whose `year_rule` to use.
        #[arg(long, env = "TAILOR_COUNCIL_FILE")]
        council_file: Option<std::path::PathBuf>,
    },
}

#[derive(Subcommand)]
enum JobsCommand {
    /// Enqueue the recurring jobs, run every job that is due, then exit (for cron).
    Run {
        #[arg(long)]
        database_url: Option<String>,
    },
}

#[derive(Subcommand)]
enum RasCommand {
    /// Print the indicative budget for one set of answers, as JSON, with its breakdown.
    Calculate {
        /// An allocation model file (docs/allocation-model.md).
        #[arg(long)]
        model: std::path::PathBuf,
        /// Answers by question id: a JSON object, or TOML `question = "answer"` lines.
        #[arg(long)]
        answers: std::path::PathBuf,
        /// The eligibility decision's findings, as JSON (docs/allocation-model.md): outcomes found
        /// unachievable score at least the model's least for them.
        #[arg(long)]
        findings: Option<std::path::PathBuf>,
        /// How many weeks make a year: "52 weeks", "52 weeks and 1 day" or "365.25 days".
        /// Without it, the `year_rule` of `--council-file`, else 52 weeks.
        #[arg(long)]
        year_rule: Option<String>,
        /// A council file (config/council.toml) whose `year_rule` to use.
        #[arg(long, env = "TAILOR_COUNCIL_FILE")]
        council_file: Option<std::path::PathBuf>,
    },
    /// Warn where someone eligible could get nothing from the model, or where help from a carer
    /// who cannot keep caring would reduce it. Prints the warnings as JSON; fails if there are any.
    Check {
        #[arg(long)]
        model: std::path::PathBuf,
    },
    /// Fit the model's money to a test group of known package costs and report how well it predicts.
    Calibrate {
        #[arg(long)]
        model: std::path::PathBuf,
        /// CSV: person,annual_cost_pence,QUESTION,... (docs/allocation-model.md).
        #[arg(long)]
        test_group: std::path::PathBuf,
    },
}

#[derive(Subcommand)]
enum UserCommand {
    /// Create an account. Reads the password from the first line of standard input.
    Create {
        #[arg(long)]
        database_url: Option<String>,
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
        /// person, helper, practitioner, team_manager, finance_officer, commissioner, provider, analyst or administrator.
        #[arg(long, default_value = "administrator")]
        role: String,
        /// The team's name, for practitioners and team managers (created if it does not exist).
        #[arg(long)]
        team: Option<String>,
    },
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Check that no audit event has been changed or removed (docs/audit.md).
    Verify {
        #[arg(long)]
        database_url: Option<String>,
        /// A checkpoint made earlier by `tailor audit checkpoint`: its head must still be there,
        /// unchanged, which finds events deleted from the end and a rebuilt chain.
        #[arg(long)]
        checkpoint: Option<std::path::PathBuf>,
        /// A file holding an audit key replaced by `tailor audit rotate-key`, to check the events
        /// sealed before the change. Give one for each earlier key.
        #[arg(long = "previous-key-file")]
        previous_key_files: Vec<std::path::PathBuf>,
    },
    /// Verify the chain, then write its head, signed with the audit key, to a file kept away
    /// from the database.
    Checkpoint {
        #[arg(long)]
        database_url: Option<String>,
        #[arg(long)]
        out: std::path::PathBuf,
        /// Earlier audit keys, as for `verify`.
        #[arg(long = "previous-key-file")]
        previous_key_files: Vec<std::path::PathBuf>,
    },
    /// Change the audit key: record the change, sealed with the key in force and naming the new
    /// key, after which every event is sealed with the new key. Stop every instance first, then
    /// start them with the new key (docs/audit.md).
    RotateKey {
        #[arg(long)]
        database_url: Option<String>,
        /// A file holding the new key (at least 32 characters, such as `openssl rand -hex 32`).
        #[arg(long)]
        new_key_file: std::path::PathBuf,
        /// Earlier audit keys, as for `verify`.
        #[arg(long = "previous-key-file")]
        previous_key_files: Vec<std::path::PathBuf>,
    },
}

/// Earlier audit keys from the settings and from a command's `--previous-key-file` flags.
fn previous_keys_with(settings: &Settings, flags: &[std::path::PathBuf]) -> anyhow::Result<Vec<Arc<AuditKey>>> {
    previous_keys(&[settings.audit_previous_key_files.as_slice(), flags].concat())
}

/// Earlier audit keys from their files.
fn previous_keys(files: &[std::path::PathBuf]) -> anyhow::Result<Vec<Arc<AuditKey>>> {
    files.iter().map(|path| audit_key::read_key_file(path).map(Arc::new)).collect()
}

async fn open_store(database_url: &str, key: Option<AuditKey>) -> anyhow::Result<Arc<dyn Store>> {
    if database_url.starts_with("postgres://") || database_url.starts_with("postgresql://") {
        let mut store = tailor_store_postgres::PostgresStore::connect(database_url)
            .await
            .with_context(|| format!("could not open {}", settings::redact(database_url)))?;
        if let Some(key) = key {
            store = store.with_audit_key(key);
        }
        Ok(Arc::new(store))
    } else if database_url.starts_with("sqlite:") {
        let mut store = tailor_store_sqlite::SqliteStore::connect(database_url)
            .await
            .with_context(|| format!("could not open {database_url}"))?;
        if let Some(key) = key {
            store = store.with_audit_key(key);
        }
        Ok(Arc::new(store))
    } else {
        bail!(
            "the database URL must start with sqlite: or postgres:// (got {})",
            settings::redact(database_url)
        )
    }
}

/// The app over the configured database, with the audit key the command needs: the store seals
/// events with it and the app checks the chain with it.
async fn open_app(settings: &Settings, purpose: KeyUse) -> anyhow::Result<App> {
    let (key, made_file) = audit_key::load(settings, purpose)?;
    let store = open_store(&settings.database_url, key.clone()).await?;
    if let Some(path) = made_file {
        // A new key beside a database whose events are already sealed (a restored backup, a
        // copied file) would start a second key in one chain: refuse, and take the new key back.
        let newest = store
            .list_audit(&tailor_store::AuditQuery {
                person_id: None,
                action: None,
                limit: 1,
            })
            .await
            .map_err(|error| anyhow::anyhow!("{error}"))?;
        if newest
            .first()
            .is_some_and(|event| event.hash_version == tailor_domain::audit::KEYED_HASH)
        {
            let _ = std::fs::remove_file(&path);
            bail!(
                "this database's audit events are sealed with a key, and its key file {} is missing: put the original key file there, or set TAILOR_AUDIT_KEY (docs/audit.md)",
                path.display()
            );
        }
    }
    let policy = SessionPolicy {
        idle_timeout: chrono::Duration::minutes(settings.session_idle_minutes),
        absolute_timeout: chrono::Duration::hours(settings.session_absolute_hours),
        two_factor_for_staff: settings.two_factor_for_staff.unwrap_or_default(),
        ..SessionPolicy::default()
    };
    if let (Some(key), KeyUse::Write) = (&key, purpose) {
        refuse_another_key(store.as_ref(), key).await?;
    }
    let app = App::new(store, Arc::new(SystemClock), policy)
        .with_previous_audit_keys(previous_keys(&settings.audit_previous_key_files)?)
        .with_year_rule(council_contact(settings)?.year_rule);
    Ok(match key {
        Some(key) => app.with_audit_key(Arc::new(key)),
        None => app,
    })
}

/// A writer with a key that cannot follow the newest event would break the chain at its first
/// event (a wrong key file, a key changed without `tailor audit rotate-key`, an instance still
/// holding the key just replaced): refuse to start instead.
async fn refuse_another_key(store: &dyn Store, key: &AuditKey) -> anyhow::Result<()> {
    let newest = store
        .list_audit(&tailor_store::AuditQuery {
            person_id: None,
            action: None,
            limit: 1,
        })
        .await
        .map_err(|error| anyhow::anyhow!("{error}"))?;
    match newest.first() {
        Some(event) if !event.may_be_followed_under(key) => bail!(
            "the audit key configured is not the key that seals this database's newest audit event ({}): use the key in force, or change keys with `tailor audit rotate-key` (docs/audit.md)",
            event.sequence
        ),
        _ => Ok(()),
    }
}

/// The year rule for a command that converts weekly and yearly amounts: the flag, else the
/// council file's `year_rule`, else 52 weeks.
pub(crate) fn year_rule_from(flag: Option<&str>, council_file: Option<&std::path::Path>) -> anyhow::Result<tailor_domain::money::YearRule> {
    use tailor_domain::money::YearRule;
    if let Some(text) = flag {
        return YearRule::try_from(text.to_owned()).map_err(|reason| anyhow::anyhow!("--{}", reason.replacen('_', "-", 1)));
    }
    match council_file {
        Some(path) => {
            let text = std::fs::read_to_string(path).with_context(|| format!("could not read the council file {}", path.display()))?;
            Ok(tailor_domain::council::CouncilContact::parse(&text)
                .map_err(|error| anyhow::anyhow!("the council file {} is not right: {error}", path.display()))?
                .year_rule)
        }
        None => Ok(YearRule::default()),
    }
}

/// The council's contact details: its file when one is set, else the demo council's.
fn council_contact(settings: &Settings) -> anyhow::Result<tailor_domain::council::CouncilContact> {
    let mut council = match &settings.council_file {
        Some(path) => {
            let text = std::fs::read_to_string(path).with_context(|| format!("could not read the council file {}", path.display()))?;
            tailor_domain::council::CouncilContact::parse(&text)
                .map_err(|error| anyhow::anyhow!("the council file {} is not right: {error}", path.display()))?
        }
        None => tailor_domain::council::CouncilContact::demo(),
    };
    if let Some(name) = &settings.council_name {
        council.name = name.clone();
    }
    Ok(council)
}

async fn serve(app: App, settings: &Settings, before_ready: impl std::future::Future<Output = anyhow::Result<()>>) -> anyhow::Result<()> {
    let listener = tokio::net::TcpListener::bind(&settings.bind)
        .await
        .with_context(|| format!("could not listen on {}", settings.bind))?;
    let address = listener.local_addr()?;
    let public_url = crate::settings::link_base(settings.public_url.as_deref(), address);
    if public_url.is_none() {
        tracing::warn!("public_url is not set, so reset links show only their path: set it to the address people reach Tailor at");
    }
    let config = tailor_web::WebConfig {
        secure_cookies: settings.secure_cookies,
        council: council_contact(settings)?,
        trust_forwarded_for: settings.trust_forwarded_for,
        metrics_token: settings.metrics_token.clone(),
        strict_transport_security: settings.strict_transport_security,
        cookie_host_prefix: settings.cookie_host_prefix,
        public_url,
    };
    let state = tailor_web::AppState::new(app.clone(), config);
    let router = tailor_web::router(state.clone());
    before_ready.await?;
    app.ensure_default_configuration()
        .await
        .map_err(|error| anyhow::anyhow!("could not load the default configuration: {error}"))?;
    state.ready.store(true, Ordering::Release);
    // Printed on its own line so scripts (and the browser tests) can find the port.
    println!("Tailor is listening on http://{address}");
    let worker = app.clone();
    let worker_name = format!("{}-{}", address, std::process::id());
    tokio::spawn(async move {
        let mut every = tokio::time::interval(std::time::Duration::from_secs(30));
        loop {
            every.tick().await;
            if let Err(error) = worker.schedule_recurring_jobs().await {
                tracing::warn!(%error, "could not schedule recurring jobs");
            }
            if let Err(error) = worker.run_due_jobs(&worker_name).await {
                tracing::warn!(%error, "the job worker stopped for now");
            }
        }
    });
    // With the peer's address, which the sign-in throttle counts attempts by.
    axum::serve(listener, router.into_make_service_with_connect_info::<std::net::SocketAddr>())
        .with_graceful_shutdown(async {
            tokio::signal::ctrl_c().await.ok();
        })
        .await?;
    Ok(())
}

/// Errors are printed as one plain sentence (with its causes), and the exit code is 1.
fn main() -> std::process::ExitCode {
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("Error: could not start: {error}");
            return std::process::ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run()) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("Error: {error:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

async fn run() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let overrides = |server: Option<&ServerArgs>, database_url: Option<&String>| Overrides {
        bind: server.and_then(|args| args.bind.clone()),
        database_url: database_url.cloned().or_else(|| server.and_then(|args| args.database_url.clone())),
    };
    let loaded = |overrides: Overrides| Settings::load(cli.config.as_deref(), overrides);
    match &cli.command {
        Command::Serve(server) => {
            let settings = loaded(overrides(Some(server), None))?;
            settings::init_logging(&settings);
            tracing::info!(database = %settings::redact(&settings.database_url), "starting");
            let app = open_app(&settings, KeyUse::Write).await?;
            serve(app, &settings, async { Ok(()) }).await
        }
        Command::Migrate { database_url } => {
            let settings = loaded(overrides(None, database_url.as_ref()))?;
            settings::init_logging(&settings);
            open_store(&settings.database_url, None).await?;
            println!("Migrations applied to {}", settings::redact(&settings.database_url));
            Ok(())
        }
        Command::Demo {
            server,
            people,
            seed,
            demo_password,
            no_serve,
        } => {
            let mut settings = loaded(overrides(Some(server), None))?;
            // A visitor signs in as staff with only the printed password; one account shows
            // two-step sign-in, and anyone may turn it on for themselves.
            settings
                .two_factor_for_staff
                .get_or_insert(tailor_domain::two_factor::StaffTwoFactor::Optional);
            settings::init_logging(&settings);
            let app = open_app(&settings, KeyUse::Write).await?;
            let options = DemoOptions {
                people: *people,
                seed: *seed,
                password: demo_password.clone(),
            };
            let build = async {
                if app.has_no_accounts().await.map_err(|error| anyhow::anyhow!("{error}"))? {
                    let started = std::time::Instant::now();
                    let summary = app.build_demo_council(&options).await.map_err(|error| anyhow::anyhow!("{error}"))?;
                    println!(
                        "Built the demo council of Tailorford: {} people in {:.1?}.",
                        summary.people,
                        started.elapsed()
                    );
                } else {
                    println!("The database already has data, so it is served as it is.");
                }
                println!("Demo accounts (password: {demo_password}):");
                for local in tailor_app::demo::DEMO_ACCOUNTS {
                    println!("  {local}@{}", tailor_app::demo::DEMO_DOMAIN);
                }
                println!(
                    "{}@{} also signs in with two steps: add the key {} to an authenticator app (or generate codes from it) and enter its code after the password.",
                    tailor_app::demo::DEMO_TWO_FACTOR_ACCOUNT,
                    tailor_app::demo::DEMO_DOMAIN,
                    tailor_domain::two_factor::grouped(tailor_app::demo::DEMO_TWO_FACTOR_SECRET)
                );
                Ok(())
            };
            if *no_serve {
                build.await
            } else {
                serve(app.clone(), &settings, build).await
            }
        }
        Command::User {
            command:
                UserCommand::Create {
                    database_url,
                    email,
                    name,
                    role,
                    team,
                },
        } => {
            let settings = loaded(overrides(None, database_url.as_ref()))?;
            settings::init_logging(&settings);
            let app = open_app(&settings, KeyUse::Write).await?;
            let role = Role::parse(role).with_context(|| format!("unknown role {role}"))?;
            let team_id = match team {
                Some(team_name) => Some(
                    app.team_named_unchecked(team_name)
                        .await
                        .map_err(|error| anyhow::anyhow!("{error}"))?
                        .id,
                ),
                None => None,
            };
            let mut password = String::new();
            std::io::stdin().lock().read_line(&mut password)?;
            let password = password.trim_end_matches(['\r', '\n']).to_owned();
            let mut errors = tailor_domain::validation::ValidationErrors::default();
            let email = tailor_domain::users::normalise_email(&mut errors, "email", email);
            tailor_domain::users::check_new_password(&mut errors, "password", &password);
            if !errors.is_empty() {
                bail!("{errors}");
            }
            let user = app
                .create_user_unchecked(
                    None,
                    NewUser {
                        email,
                        display_name: name.clone(),
                        role,
                        team_id,
                        person_id: None,
                        organisation_id: None,
                        password,
                    },
                )
                .await
                .map_err(|error| anyhow::anyhow!("{error}"))?;
            println!("Created {} ({}) with id {}", user.email, role.label(), user.id);
            Ok(())
        }
        Command::Ras { command } => ras::run(command),
        Command::Charging { command } => charging::run(command),
        Command::Backup { database_url, out } => {
            let settings = loaded(overrides(None, database_url.as_ref()))?;
            settings::init_logging(&settings);
            backup::backup(&settings.database_url, out).await?;
            println!("Backed up {} to {}.", settings::redact(&settings.database_url), out.display());
            Ok(())
        }
        Command::Restore { from, database_url } => {
            let settings = loaded(overrides(None, Some(database_url)))?;
            settings::init_logging(&settings);
            backup::restore(from, &settings.database_url).await?;
            // Opening it applies any migrations newer than the backup.
            open_store(&settings.database_url, None).await?;
            println!(
                "Restored {} into {}. Check it with tailor audit verify (with the audit key of the database it came from).",
                from.display(),
                settings::redact(&settings.database_url)
            );
            Ok(())
        }
        Command::Jobs {
            command: JobsCommand::Run { database_url },
        } => {
            let settings = loaded(overrides(None, database_url.as_ref()))?;
            settings::init_logging(&settings);
            let app = open_app(&settings, KeyUse::Write).await?;
            app.schedule_recurring_jobs().await.map_err(|error| anyhow::anyhow!("{error}"))?;
            let worker = format!("tailor-jobs-run-{}", std::process::id());
            let ran = app.run_due_jobs(&worker).await.map_err(|error| anyhow::anyhow!("{error}"))?;
            println!("Ran {ran} due job(s).");
            Ok(())
        }
        Command::Audit {
            command:
                AuditCommand::Verify {
                    database_url,
                    checkpoint,
                    previous_key_files,
                },
        } => {
            let settings = loaded(overrides(None, database_url.as_ref()))?;
            settings::init_logging(&settings);
            let app = open_app(&settings, KeyUse::Check)
                .await?
                .with_previous_audit_keys(previous_keys_with(&settings, previous_key_files)?);
            let checkpoint = match checkpoint {
                Some(path) => {
                    let text =
                        std::fs::read_to_string(path).with_context(|| format!("could not read the checkpoint {}", path.display()))?;
                    let parsed: AuditCheckpoint =
                        serde_json::from_str(&text).with_context(|| format!("{} is not a Tailor audit checkpoint", path.display()))?;
                    Some(parsed)
                }
                None => None,
            };
            match app
                .verify_audit_chain(checkpoint.as_ref())
                .await
                .map_err(|error| anyhow::anyhow!("{error}"))?
            {
                Ok(report) => {
                    let against = match &checkpoint {
                        Some(checkpoint) => format!(", and event {} still matches the checkpoint", checkpoint.sequence),
                        None => String::from(" (give --checkpoint to know that none was removed from the end)"),
                    };
                    println!("The audit log is intact: {} events checked{against}.", report.checked);
                    Ok(())
                }
                Err(problem) => bail!("the audit log has been changed: {problem}"),
            }
        }
        Command::Audit {
            command:
                AuditCommand::Checkpoint {
                    database_url,
                    out,
                    previous_key_files,
                },
        } => {
            let settings = loaded(overrides(None, database_url.as_ref()))?;
            settings::init_logging(&settings);
            let app = open_app(&settings, KeyUse::Check)
                .await?
                .with_previous_audit_keys(previous_keys_with(&settings, previous_key_files)?);
            let checkpoint = match app.audit_checkpoint().await.map_err(|error| anyhow::anyhow!("{error}"))? {
                Ok(checkpoint) => checkpoint,
                Err(problem) => bail!("no checkpoint was written: {problem}"),
            };
            let json = serde_json::to_string_pretty(&checkpoint)?;
            // Written beside and renamed, so a reader never sees half a checkpoint.
            let partial = out.with_extension("partial");
            std::fs::write(&partial, format!("{json}\n")).with_context(|| format!("could not write {}", partial.display()))?;
            std::fs::rename(&partial, out).with_context(|| format!("could not write {}", out.display()))?;
            println!(
                "Checkpoint of event {} written to {}. Keep it away from the database.",
                checkpoint.sequence,
                out.display()
            );
            Ok(())
        }
        Command::Audit {
            command:
                AuditCommand::RotateKey {
                    database_url,
                    new_key_file,
                    previous_key_files,
                },
        } => {
            let settings = loaded(overrides(None, database_url.as_ref()))?;
            settings::init_logging(&settings);
            let new_key = audit_key::read_key_file(new_key_file)?;
            let app = open_app(&settings, KeyUse::Check)
                .await?
                .with_previous_audit_keys(previous_keys_with(&settings, previous_key_files)?);
            match app.rotate_audit_key(&new_key).await.map_err(|error| anyhow::anyhow!("{error}"))? {
                Ok(sequence) => {
                    println!(
                        "Event {sequence} records the change of audit key. Start Tailor with the new key ({}) from now on, and keep the old key with the checkpoints made under it: `tailor audit verify --previous-key-file OLD` checks the whole log.",
                        new_key_file.display()
                    );
                    Ok(())
                }
                Err(problem) => bail!("the audit key was not changed: {problem}"),
            }
        }
    }
}
