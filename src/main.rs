//! The `bespoke` command: the server and the operator's tasks.

use std::io::{BufRead, IsTerminal};
use std::process::ExitCode;

use anyhow::Context;
use bespoke::config::Config;
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
    /// Operator tasks.
    Admin {
        #[command(subcommand)]
        task: AdminTask,
    },
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
        Command::Migrate => {
            startup::open_database(&config)?;
            println!(
                "The {} database is up to date.",
                config.database.backend_name()
            );
            Ok(())
        }
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
    let (state, _seeded_now) = startup::prepare(config)?;
    if demo_on {
        for line in demo::sign_in_lines() {
            println!("{line}");
        }
        println!(
            "Open http://{} and pick a demo role to look around.",
            state.config.bind
        );
    }
    actix_web::rt::System::new()
        .block_on(startup::serve(state))
        .context("the web server stopped")
}
