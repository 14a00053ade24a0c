//! The `bespoke` command: the server and the operator's tasks.

use std::io::{BufRead, IsTerminal};
use std::process::ExitCode;

use anyhow::Context;
use bespoke::config::Config;
use bespoke::services::generate::PeopleAndMoney;
use bespoke::services::{accounts, demo};
use bespoke::startup;
use chrono::Utc;
use clap::{Parser, Subcommand};
use tracing_subscriber::fmt::format::FmtSpan;
use tracing_subscriber::EnvFilter;

#[derive(Parser)]
#[command(
    name = "bespoke",
    version,
    about = "An open marketplace for self-directed social care"
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Run the web server (the default).
    Serve,
    /// Apply pending database migrations and exit.
    Migrate,
    /// Seed the demo marketplace into this database, for test and training
    /// databases: its accounts share the published demo password until a
    /// server starts on it with the demo off, which retires them. The
    /// passwordless demo sign-in stays off unless the server allows it.
    SeedDemo,
    /// Rebuild the search index from the database. While the server runs it
    /// does the work, and this shows its progress.
    Reindex,
    /// Make a synthetic market for measuring Bespoke at scale (deterministic for a seed).
    /// The defaults make the full-size market in docs/benchmarks.md; pass
    /// `--holders 0 --searches 0` for listings alone.
    Generate {
        /// How many published listings to add.
        #[arg(long, default_value_t = 50_000)]
        listings: usize,
        /// How many budget holders, each with an approved plan.
        #[arg(long, default_value_t = 30_000)]
        holders: usize,
        /// How many support brokers, some tied to providers [default: 150, none without holders].
        #[arg(long)]
        brokers: Option<usize>,
        /// How many commissions, spread over the holders' plans [default: 1000000, none without holders].
        #[arg(long)]
        commissions: Option<usize>,
        /// How many recorded searches.
        #[arg(long, default_value_t = 1_000_000)]
        searches: usize,
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
    /// Import sellers and listings from a file.
    Import {
        #[command(subcommand)]
        source: ImportSource,
    },
    /// Check the money: recompute every plan from the ledger.
    Ledger {
        #[command(subcommand)]
        task: LedgerTask,
    },
    /// Operator tasks.
    Admin {
        #[command(subcommand)]
        task: AdminTask,
    },
}

#[derive(Subcommand)]
enum ImportSource {
    /// The CQC "care directory with filters" CSV: providers and their
    /// locations, as draft listings. Safe to run again on a newer file.
    Cqc { file: std::path::PathBuf },
    /// Listings for sellers who already have accounts (columns in docs/imports.md).
    Listings { file: std::path::PathBuf },
}

#[derive(Subcommand)]
enum LedgerTask {
    /// Recompute every plan and commission from the ledger and report any
    /// mismatch; exits non-zero when there is one.
    Verify,
}

#[derive(Subcommand)]
enum AdminTask {
    /// Create an account of any role, such as a council commissioner. The
    /// password is read from standard input (which may be a pipe).
    CreateAccount {
        #[arg(long)]
        role: String,
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
        /// The council's GSS code, required for commissioners (e.g. E08000003).
        #[arg(long)]
        council: Option<String>,
        #[arg(long)]
        postcode: Option<String>,
    },
}

/// Logs go to standard error: readable text, or one JSON object a line with
/// `BESPOKE_LOG_FORMAT=json`. Each request's lines carry its request id, and a
/// closing line gives its status and how long it took.
fn init_logging() -> Result<(), String> {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_span_events(FmtSpan::CLOSE);
    match std::env::var("BESPOKE_LOG_FORMAT").as_deref() {
        Ok("json") => builder.json().init(),
        Ok("text") | Err(_) => builder.with_ansi(std::io::stderr().is_terminal()).init(),
        Ok(_) => return Err("BESPOKE_LOG_FORMAT: must be text or json".into()),
    }
    Ok(())
}

fn main() -> ExitCode {
    // Every command may create files in the data directory: only this user reads them.
    startup::private_umask();
    if let Err(message) = init_logging() {
        eprintln!("bespoke: {message}");
        return ExitCode::FAILURE;
    }
    let cli = Cli::parse();
    match run(cli.command.unwrap_or(Command::Serve)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("bespoke: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(command: Command) -> anyhow::Result<()> {
    let config = Config::from_env().context("configuration")?;
    match command {
        Command::Serve => serve(config),
        Command::SeedDemo => {
            let db = startup::open_database(&config)?;
            let mut conn = db.get()?;
            let places = bespoke::domain::places::Places::get();
            bespoke::store::councils::sync(&mut conn, places.councils())?;
            let seeded = demo::seed(&mut conn, places, Utc::now())
                .map_err(|e| anyhow::anyhow!("cannot seed the demo data: {e}"))?;
            println!(
                "{}",
                if seeded {
                    "The demo marketplace is seeded."
                } else {
                    "The demo marketplace was already seeded."
                }
            );
            Ok(())
        }
        Command::Migrate => {
            startup::open_database(&config)?;
            println!(
                "The {} database is up to date.",
                config.database.backend_name()
            );
            Ok(())
        }
        Command::Import { source } => import(&config, source),
        Command::Reindex => reindex(&config),
        Command::Ledger {
            task: LedgerTask::Verify,
        } => verify_ledger(&config),
        Command::Generate {
            listings,
            holders,
            brokers,
            commissions,
            searches,
            seed,
        } => generate(
            &config,
            GenerateSize {
                listings,
                people: PeopleAndMoney {
                    holders,
                    brokers: brokers.unwrap_or(if holders > 0 { 150 } else { 0 }),
                    commissions: commissions.unwrap_or(if holders > 0 { 1_000_000 } else { 0 }),
                },
                searches,
            },
            seed,
        ),
        Command::Admin {
            task:
                AdminTask::CreateAccount {
                    role,
                    email,
                    name,
                    council,
                    postcode,
                },
        } => {
            let db = startup::open_database(&config)?;
            let places = bespoke::domain::places::Places::get();
            let mut conn = db.get()?;
            bespoke::store::councils::sync(&mut conn, places.councils())?;
            let password = read_password()?;
            let input = accounts::Registration {
                email: Some(email),
                password: Some(password),
                name: Some(name),
                role: Some(role),
                council,
                postcode,
            };
            match accounts::create_by_operator(&mut conn, places, input, Utc::now()) {
                Ok(account) => {
                    println!(
                        "Created {} account {} for {}.",
                        account.role,
                        account.id,
                        account.email.as_deref().unwrap_or_default()
                    );
                    Ok(())
                }
                Err(bespoke::error::AppError::Validation(errors)) => {
                    let problems: Vec<String> = errors
                        .iter()
                        .map(|(field, messages)| format!("{field} {}", messages.join("; ")))
                        .collect();
                    anyhow::bail!("the account was not created: {}", problems.join(". "))
                }
                Err(other) => anyhow::bail!("the account was not created: {other}"),
            }
        }
    }
}

/// Prints each skipped row, then `created: N, updated: N, skipped: N`. Fails
/// only when the file cannot be read as what it should be.
fn import(config: &Config, source: ImportSource) -> anyhow::Result<()> {
    use bespoke::services::imports::{import_cqc, import_listings, ImportError};
    let db = startup::open_database(config)?;
    let places = bespoke::domain::places::Places::get();
    let mut conn = db.get()?;
    bespoke::store::councils::sync(&mut conn, places.councils())?;
    let (path, cqc) = match &source {
        ImportSource::Cqc { file } => (file, true),
        ImportSource::Listings { file } => (file, false),
    };
    let file =
        std::fs::File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
    let outcome = if cqc {
        import_cqc(&mut conn, places, file, Utc::now())
    } else {
        import_listings(&mut conn, places, file, Utc::now())
    };
    let report = match outcome {
        Ok(report) => report,
        Err(ImportError::NotReadable(reason)) => anyhow::bail!("{}: {reason}", path.display()),
        Err(ImportError::Failed(e)) => anyhow::bail!("the import was not saved: {e}"),
    };
    for (line, reason) in &report.skipped {
        println!("line {line}: skipped: {reason}");
    }
    println!("{}", report.summary());
    Ok(())
}

struct GenerateSize {
    listings: usize,
    people: PeopleAndMoney,
    searches: usize,
}

fn generate(config: &Config, size: GenerateSize, seed: u64) -> anyhow::Result<()> {
    use bespoke::services::generate;

    if (size.people.commissions > 0 || size.people.brokers > 0) && size.people.holders == 0 {
        anyhow::bail!(
            "brokers and commissions need budget holders: give --holders more than 0, or leave out --brokers and --commissions"
        );
    }
    let db = startup::open_database(config)?;
    let places = bespoke::domain::places::Places::get();
    let mut conn = db.get()?;
    bespoke::store::councils::sync(&mut conn, places.councils())?;
    let now = Utc::now();
    let started = std::time::Instant::now();
    let bar = |total: usize, message: &'static str| {
        let bar = indicatif::ProgressBar::new(total as u64).with_style(
            indicatif::ProgressStyle::with_template("{msg} [{bar:40}] {pos}/{len} ({eta} left)")
                .expect("a valid template")
                .progress_chars("=> "),
        );
        bar.set_message(message);
        bar
    };
    let failed = |e: bespoke::error::AppError| anyhow::anyhow!("{e}");

    let progress = bar(size.listings, "Listings");
    let listings = generate::listings(&mut conn, places, size.listings, seed, now, |n| {
        progress.set_position(n as u64)
    })
    .map_err(failed)?;
    progress.finish();
    let mut commissions = 0;
    if size.people.holders > 0 {
        let progress = bar(size.people.commissions, "Holders, plans and commissions");
        commissions = generate::people_and_money(&mut conn, places, size.people, seed, now, |n| {
            progress.set_position(n as u64)
        })
        .map_err(failed)?;
        progress.finish();
    }
    let progress = bar(size.searches, "Searches");
    let searches = generate::searches(&mut conn, places, size.searches, seed, now, |n| {
        progress.set_position(n as u64)
    })
    .map_err(failed)?;
    progress.finish();
    let progress =
        indicatif::ProgressBar::new_spinner().with_message("Updating the database's statistics");
    progress.enable_steady_tick(std::time::Duration::from_millis(200));
    bespoke::store::bulk::analyze(&mut conn)?;
    progress.finish();
    println!(
        "Generated {listings} listings, {} budget holders with approved plans, {} brokers, {commissions} commissions and {searches} searches (seed {seed}) in {:.0} s.",
        size.people.holders,
        size.people.brokers,
        started.elapsed().as_secs_f64()
    );
    println!(
        "Listings reach search through the outbox: run `bespoke reindex` or start the server."
    );
    Ok(())
}

fn reindex(config: &Config) -> anyhow::Result<()> {
    use bespoke::services::search::{apply_outbox_batch, hold_outbox_lease};
    use bespoke::store::search as outbox;
    use indicatif::{ProgressBar, ProgressStyle};

    let db = startup::open_database(config)?;
    let places = bespoke::domain::places::Places::get();
    let queued = outbox::enqueue_rebuild(&mut *db.get()?, Utc::now().naive_utc())?;
    let progress = ProgressBar::new(queued as u64 + 1).with_style(
        ProgressStyle::with_template("{msg} [{bar:40}] {pos}/{len} ({eta} left)")
            .expect("a valid template")
            .progress_chars("=> "),
    );
    progress.set_message("Rebuilding the search index");
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    // Whoever holds the search outbox's lease applies it. A running server
    // holds it, and then does the work while this shows the progress; when
    // none does (or one stopped and its lease ran out), this command takes
    // the lease and applies the outbox itself.
    let holder = format!("reindex-{}", std::process::id());
    let engine = runtime.block_on(async {
        let mut engine = None;
        loop {
            let pending = db
                .run(|conn| outbox::pending(conn).map_err(bespoke::error::AppError::from))
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            progress.set_position((queued as u64 + 1).saturating_sub(pending as u64));
            if pending == 0 {
                break;
            }
            if hold_outbox_lease(&db, &holder).await {
                if engine.is_none() {
                    engine = startup::open_search(config, true).ok();
                }
                if let Some(engine) = &engine {
                    apply_outbox_batch(&db, engine.as_ref(), places)
                        .await
                        .map_err(|e| anyhow::anyhow!("{e}"))?;
                    continue;
                }
                // The engine is a server's: leave it the lease.
                bespoke::store::instances::release_leases_of(&mut *db.get()?, &holder)?;
            }
            tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        }
        if let Some(engine) = &engine {
            engine.compact().await?;
        }
        Ok::<_, anyhow::Error>(engine)
    })?;
    bespoke::store::instances::release_leases_of(&mut *db.get()?, &holder)?;
    progress.finish_with_message("Search index rebuilt");
    println!(
        "Reindexed {queued} listings ({} engine).",
        engine.as_ref().map_or("the server's", |e| e.name())
    );
    Ok(())
}

fn verify_ledger(config: &Config) -> anyhow::Result<()> {
    let db = startup::open_database(config)?;
    let report =
        bespoke::services::ledger::verify(&mut *db.get()?).map_err(|e| anyhow::anyhow!("{e}"))?;
    for problem in &report.problems {
        println!("MISMATCH {problem}");
    }
    println!(
        "Checked {} plans, {} portions and {} commissions: {} problems.",
        report.plans,
        report.portions,
        report.commissions,
        report.problems.len()
    );
    if report.problems.is_empty() {
        Ok(())
    } else {
        anyhow::bail!("the ledger does not match the stored figures")
    }
}

fn read_password() -> anyhow::Result<String> {
    if std::io::stdin().is_terminal() {
        return rpassword::prompt_password("Password for the new account: ")
            .context("cannot read the password");
    }
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .context("cannot read the password from standard input")?;
    Ok(line.trim_end_matches(['\r', '\n']).to_owned())
}

fn serve(config: Config) -> anyhow::Result<()> {
    let demo_on = config.demo;
    let prepared = startup::prepare(config)?;
    let state = prepared.state;
    if demo_on {
        for line in demo::sign_in_lines() {
            println!("{line}");
        }
        println!(
            "Open http://{} and pick a demo role to look around.",
            state.config.bind
        );
    }
    let events = prepared.search_events;
    let (db, instance) = (state.db.clone(), state.instance.id.clone());
    let served = actix_web::rt::System::new()
        .block_on(async move {
            let _background = startup::start_background(&state, events);
            startup::serve(state).await
        })
        .context("the web server stopped");
    if let Err(e) = bespoke::services::instances::deregister(&db, &instance) {
        tracing::warn!(error = %e, "could not record that this instance stopped");
    }
    served
}
