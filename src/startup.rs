//! Start-up: configuration → database → migrations → reference data →
//! signing secret → demo data, then the HTTP server. Tests use the same path.

use std::io::Write;
use std::path::Path;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;

use anyhow::Context;
use base64::Engine;
use chrono::Utc;
use rand::RngCore;

use crate::config::Config;
use crate::domain::places::Places;
use crate::domain::search::SearchSettings;
use crate::domain::tokens::TokenKeys;
use crate::search::embedded::EmbeddedEngine;
use crate::search::meili::MeiliEngine;
use crate::search::SearchBackend;
use crate::services::demo;
use crate::services::instances::{self};
use crate::services::search::{run_event_writer, run_outbox_worker};
use crate::store::search::NewSearchEvent;
use crate::store::{councils, Db};
pub use crate::web::state::AppState;

/// Searches waiting to be recorded; more than this and new ones are dropped.
const SEARCH_EVENT_BUFFER: usize = 10_000;

/// The engine the configuration names: Meilisearch when `MEILI_URL` is set,
/// otherwise the embedded index in the data directory. Only the server opens
/// the embedded index for writing.
pub fn open_search(config: &Config, writable: bool) -> anyhow::Result<Arc<dyn SearchBackend>> {
    Ok(open_search_engine(config, writable)?.0)
}

/// The engine, and whether it starts empty and must be filled from the database.
fn open_search_engine(
    config: &Config,
    writable: bool,
) -> anyhow::Result<(Arc<dyn SearchBackend>, bool)> {
    let settings = SearchSettings::load().map_err(|e| anyhow::anyhow!(e))?;
    Ok(match &config.meili_url {
        Some(url) => (
            Arc::new(MeiliEngine::new(
                url.as_str(),
                config.meili_api_key.as_deref(),
                &config.search_index,
            )?),
            false,
        ),
        None => {
            let engine = EmbeddedEngine::open(&config.data_dir.join("index"), settings, writable)
                .context("cannot open the search index (is another Bespoke server using this data directory?)")?;
            let fresh = engine.is_fresh();
            (Arc::new(engine), fresh)
        }
    })
}

/// Background tasks of a running server; they stop when this is dropped.
pub struct Background {
    tasks: Vec<tokio::task::JoinHandle<()>>,
}

impl Drop for Background {
    fn drop(&mut self) {
        for task in &self.tasks {
            task.abort();
        }
    }
}

/// Starts the search outbox worker, the search-event writer, the mail worker
/// and the request digests on the current runtime.
pub fn start_background(
    state: &AppState,
    events: tokio::sync::mpsc::Receiver<NewSearchEvent>,
) -> Background {
    let worker = tokio::spawn(run_outbox_worker(
        state.db.clone(),
        state.search.clone(),
        state.places,
        state.ready.clone(),
        state.instance.id.clone(),
    ));
    let writer = tokio::spawn(run_event_writer(state.db.clone(), events));
    let delivery = crate::services::mail::Delivery::from_config(&state.config)
        .expect("SMTP_URL was checked when the configuration was read");
    let mailer = tokio::spawn(crate::services::mail::run_mail_worker(
        state.db.clone(),
        delivery,
        state.config.mail_from.clone(),
        state.config.mail_lease_secs,
    ));
    // Digests go out once a day per seller; checking hourly keeps them near that.
    let digests = tokio::spawn(crate::services::requests::run_digest_worker(
        state.db.clone(),
        std::time::Duration::from_secs(3600),
    ));
    let heartbeat = tokio::spawn(instances::run_heartbeat(
        state.db.clone(),
        state.instance.id.clone(),
    ));
    Background {
        tasks: vec![worker, writer, mailer, digests, heartbeat],
    }
}

/// Opens the database and applies pending migrations. Every command that
/// opens it first makes the data directory private.
pub fn open_database(config: &Config) -> anyhow::Result<Db> {
    keep_private(config)?;
    let db = Db::connect(config.database.clone(), config.db_pool_size).with_context(|| {
        format!(
            "cannot open the {} database",
            config.database.backend_name()
        )
    })?;
    let applied = db.run_migrations().context("cannot migrate the database")?;
    if applied > 0 {
        tracing::info!(applied, "applied database migrations");
    }
    Ok(db)
}

/// What start-up hands to the server.
pub struct Prepared {
    pub state: AppState,
    /// For `start_background`.
    pub search_events: tokio::sync::mpsc::Receiver<NewSearchEvent>,
    /// Whether demo data was seeded just now.
    pub seeded: bool,
}

/// Prepares everything the server needs. Blocking: call before serving.
pub fn prepare(config: Config) -> anyhow::Result<Prepared> {
    std::fs::create_dir_all(&config.data_dir).with_context(|| {
        format!(
            "cannot create the data directory {}",
            config.data_dir.display()
        )
    })?;
    let instance = instances::claim_data_dir(&config.data_dir)?;
    let db = open_database(&config)?;
    let places = Places::get();
    let mut conn = db.get()?;
    councils::sync(&mut conn, places.councils()).context("cannot load the councils")?;
    crate::store::settings::set(
        &mut conn,
        crate::services::mail::PUBLIC_URL_SETTING,
        config.public_url.as_str(),
    )?;

    let secret = match &config.jwt_secret {
        Some(secret) => secret.clone(),
        None => load_or_create_secret(&config.data_dir)?,
    };
    let keys = TokenKeys::new(&secret, chrono::Duration::hours(config.session_hours));
    instances::register(
        &mut conn,
        &config,
        &instance.id,
        keys.fingerprint(),
        Utc::now().naive_utc(),
    )?;

    let seeded = if config.demo {
        tracing::warn!(
            "the demo is on: anyone who can open this address can sign in without a password; \
             it runs only on the embedded database at a loopback address"
        );
        demo::seed(&mut conn, places, Utc::now())
            .map_err(|e| anyhow::anyhow!("cannot seed the demo data: {e}"))?
    } else {
        let retired = demo::retire(&mut conn, Utc::now())
            .map_err(|e| anyhow::anyhow!("cannot close the demo accounts: {e}"))?;
        if retired > 0 {
            tracing::warn!(
                retired,
                "the demo is off: the demo accounts seeded earlier can no longer sign in"
            );
        }
        false
    };
    drop(conn);

    let (search, fresh) = open_search_engine(&config, true)?;
    // An empty index is filled from the database, unless the outbox already holds every listing
    // (a first start, where seeding or generating just queued them).
    if fresh {
        let mut conn = db.get()?;
        if crate::store::listings::count(&mut conn)? > crate::store::search::pending(&mut conn)? {
            crate::store::search::enqueue_rebuild(&mut conn, chrono::Utc::now().naive_utc())?;
        }
    }
    warn_if_the_calendar_runs_out(Utc::now().date_naive());
    let (search_events, receiver) = tokio::sync::mpsc::channel(SEARCH_EVENT_BUFFER);
    let state = AppState {
        db,
        config: Arc::new(config),
        keys: Arc::new(keys),
        places,
        search,
        search_events,
        ready: Arc::new(AtomicBool::new(false)),
        instance: Arc::new(instance),
    };
    Ok(Prepared {
        state,
        search_events: receiver,
        seeded,
    })
}

/// New files are made readable by this user alone (umask 077): everything
/// Bespoke writes is personal data or a secret. Set first thing by every
/// command; [`keep_private`] sets it again for tests and embedders.
pub fn private_umask() {
    // SAFETY: umask only sets this process's mask for new files; it touches
    // no memory.
    #[cfg(unix)]
    unsafe {
        libc::umask(0o077);
    }
}

/// Everything in the data directory is personal data or a secret: only the
/// user Bespoke runs as may read it. New files are made so (the process's
/// umask). What an older version left readable is closed up: the directory
/// itself (700, so nothing below it can be reached by others) and what lies
/// directly in it (the database, its WAL, the secret, the mail and index
/// directories); the tree below is not walked, so start-up does not grow
/// with the mail kept.
fn keep_private(config: &Config) -> anyhow::Result<()> {
    private_umask();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        fn close_up(path: &Path) -> std::io::Result<()> {
            // The data directory itself may be a link to where the data lives.
            let mode = std::fs::metadata(path)?.permissions().mode();
            if mode & 0o077 != 0 {
                std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode & 0o700))?;
            }
            Ok(())
        }
        let mut paths = vec![config.data_dir.clone()];
        if let Ok(entries) = std::fs::read_dir(&config.data_dir) {
            for entry in entries.flatten() {
                // Links inside it are left alone.
                if entry.file_type().is_ok_and(|t| !t.is_symlink()) {
                    paths.push(entry.path());
                }
            }
        }
        if let crate::store::DatabaseTarget::Sqlite(db) = &config.database {
            for suffix in ["", "-wal", "-shm", "-journal"] {
                let mut name = db.clone().into_os_string();
                name.push(suffix);
                paths.push(name.into());
            }
        }
        for path in paths.iter().filter(|p| p.exists()) {
            close_up(path)
                .with_context(|| format!("cannot make {} private to this user", path.display()))?;
        }
    }
    Ok(())
}

/// Bank-holiday support ending after the last listed year is refused, so the
/// people running Bespoke hear of it a season ahead.
fn warn_if_the_calendar_runs_out(today: chrono::NaiveDate) {
    let calendar = crate::domain::calendar::BankHolidays::get();
    if calendar.runs_out_within(today, 90) {
        tracing::warn!(
            covers_until = %calendar.covers_until(),
            "the bank holiday calendar is running out: add the next year's dates from GOV.UK to \
             data/calendar/bank_holidays.toml and rebuild, or bank-holiday support past it is refused"
        );
    }
}

/// The signing secret kept in the data directory, created on first start
/// with permissions that only the owner can read.
fn load_or_create_secret(data_dir: &Path) -> anyhow::Result<Vec<u8>> {
    let path = data_dir.join("jwt-secret");
    if let Ok(existing) = std::fs::read_to_string(&path) {
        let secret = existing.trim().as_bytes().to_vec();
        anyhow::ensure!(
            secret.len() >= crate::domain::tokens::MIN_SECRET_BYTES,
            "the signing secret in {} is too short; delete it to have a new one made",
            path.display()
        );
        return Ok(secret);
    }
    let mut bytes = [0u8; 48];
    rand::rng().fill_bytes(&mut bytes);
    let secret = base64::engine::general_purpose::STANDARD.encode(bytes);
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    match options.open(&path) {
        Ok(mut file) => {
            file.write_all(secret.as_bytes())
                .and_then(|_| file.sync_all())
                .with_context(|| format!("cannot write {}", path.display()))?;
            Ok(secret.into_bytes())
        }
        // Another process made it first: use theirs.
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => load_or_create_secret(data_dir),
        Err(e) => Err(e).with_context(|| format!("cannot create {}", path.display())),
    }
}

pub async fn serve(state: AppState) -> std::io::Result<()> {
    let bind = state.config.bind;
    let server = actix_web::HttpServer::new(move || crate::web::app(state.clone()))
        .bind(bind)?
        .run();
    tracing::info!("Bespoke is listening on http://{bind}");
    server.await
}
