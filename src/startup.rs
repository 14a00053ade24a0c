//! Start-up: configuration → database → migrations → reference data →
//! signing secret → demo data, then the HTTP server. Tests use the same path.

use std::io::Write;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use anyhow::Context;
use base64::Engine;
use chrono::Utc;
use rand::RngCore;

use crate::config::Config;
use crate::domain::places::Places;
use crate::domain::tokens::TokenKeys;
use crate::services::demo;
use crate::store::{councils, Db};

/// Everything a request handler may need, shared by all workers.
#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub config: Arc<Config>,
    pub keys: Arc<TokenKeys>,
    pub places: &'static Places,
    /// Set once start-up is complete; `/healthz` answers 503 until then.
    pub ready: Arc<AtomicBool>,
}

impl AppState {
    /// Whether the start page offers the demo sign-ins.
    pub fn demo_enabled(&self) -> bool {
        self.config.demo
    }
}

/// Opens the database and applies pending migrations.
pub fn open_database(config: &Config) -> anyhow::Result<Db> {
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

/// Prepares everything the server needs. Blocking: call before serving.
/// Returns the state and whether demo data was seeded just now.
pub fn prepare(config: Config) -> anyhow::Result<(AppState, bool)> {
    std::fs::create_dir_all(&config.data_dir).with_context(|| {
        format!(
            "cannot create the data directory {}",
            config.data_dir.display()
        )
    })?;
    let db = open_database(&config)?;
    let places = Places::get();
    let mut conn = db.get()?;
    councils::sync(&mut conn, places.councils()).context("cannot load the councils")?;

    let secret = match &config.jwt_secret {
        Some(secret) => secret.clone(),
        None => load_or_create_secret(&config.data_dir)?,
    };
    let keys = TokenKeys::new(&secret, chrono::Duration::hours(config.session_hours));

    let seeded = if config.demo {
        demo::seed(&mut conn, places, Utc::now())
            .map_err(|e| anyhow::anyhow!("cannot seed the demo data: {e}"))?
    } else {
        false
    };
    drop(conn);

    let state = AppState {
        db,
        config: Arc::new(config),
        keys: Arc::new(keys),
        places,
        ready: Arc::new(AtomicBool::new(false)),
    };
    state.ready.store(true, Ordering::Release);
    Ok((state, seeded))
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
