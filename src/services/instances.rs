//! Running several Bespoke instances on one database (docs/deployment.md).
//!
//! Each server holds an exclusive lock on its data directory, so a second
//! server on the same directory refuses to start. Each records itself in the
//! `instances` table and keeps a heartbeat there; at start-up it compares
//! itself with the others it sees alive and refuses what would go wrong:
//! a different signing secret (sign-ins from one would fail on the other),
//! or search that cannot be shared (embedded indexes, or different
//! Meilisearch indexes).

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::Path;
use std::time::Duration;

use anyhow::Context;
use chrono::{NaiveDateTime, Utc};

use crate::config::Config;
use crate::store::instances::{self as store, InstanceRow};
use crate::store::{Db, DbConnection, StoreError};

/// How often a running instance says it is alive.
const HEARTBEAT: Duration = Duration::from_secs(10);
/// An instance not heard from for this long is taken to have stopped.
const STALE_SECS: i64 = 30;

/// This process's claim on its data directory, held for as long as it runs.
#[derive(Debug)]
pub struct Instance {
    /// The data directory's id, kept in `DATA_DIR/instance-id`.
    pub id: String,
    _lock: File,
}

fn private_file(path: &Path) -> std::io::Result<File> {
    let mut options = OpenOptions::new();
    options.read(true).write(true).create(true).truncate(false);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path)
}

/// Takes the data directory for this server, or says plainly that another
/// server is using it.
pub fn claim_data_dir(data_dir: &Path) -> anyhow::Result<Instance> {
    let path = data_dir.join("instance.lock");
    let lock = private_file(&path).with_context(|| format!("cannot open {}", path.display()))?;
    match lock.try_lock() {
        Ok(()) => {}
        Err(std::fs::TryLockError::WouldBlock) => anyhow::bail!(
            "another Bespoke server is using the data directory {}: give each instance a \
             BESPOKE_DATA_DIR of its own",
            data_dir.display()
        ),
        Err(std::fs::TryLockError::Error(e)) => {
            return Err(e).with_context(|| format!("cannot lock {}", path.display()))
        }
    }
    let id_path = data_dir.join("instance-id");
    let id = match std::fs::read_to_string(&id_path) {
        Ok(text) if !text.trim().is_empty() => text.trim().to_owned(),
        _ => {
            let id = uuid::Uuid::new_v4().simple().to_string();
            let mut file = private_file(&id_path)
                .with_context(|| format!("cannot create {}", id_path.display()))?;
            file.set_len(0)?;
            file.write_all(id.as_bytes())?;
            file.sync_all()?;
            id
        }
    };
    Ok(Instance { id, _lock: lock })
}

/// How an instance searches, as instances compare it.
pub fn search_of(config: &Config) -> String {
    match &config.meili_url {
        Some(url) => format!("meilisearch {url} {}", config.search_index),
        None => "embedded".to_owned(),
    }
}

/// What is wrong with running `me` beside `other`, in words for the operator.
pub fn conflict(me: &InstanceRow, other: &InstanceRow, shared_embedded_ok: bool) -> Option<String> {
    let who = format!(
        "another Bespoke instance ({} {}, started {} UTC) is running on this database",
        other.host,
        other.bind,
        other.started_at.format("%Y-%m-%d %H:%M:%S")
    );
    if me.secret_fingerprint != other.secret_fingerprint {
        return Some(format!(
            "{who} with a different signing secret, so sign-ins made on one would fail on the \
             other: give every instance the same BESPOKE_JWT_SECRET"
        ));
    }
    let embedded = me.search == "embedded" || other.search == "embedded";
    if embedded && !shared_embedded_ok {
        return Some(format!(
            "{who}, and the embedded search index belongs to one instance: set MEILI_URL (and the \
             same BESPOKE_SEARCH_INDEX) on every instance"
        ));
    }
    if !embedded && me.search != other.search {
        return Some(format!(
            "{who} searching {}, but this one searches {}: give every instance the same \
             MEILI_URL and BESPOKE_SEARCH_INDEX",
            other.search, me.search
        ));
    }
    None
}

/// The host this process runs on, as instances name each other.
fn host() -> String {
    hostname::get()
        .map(|h| h.to_string_lossy().into_owned())
        .unwrap_or_else(|_| "unknown host".into())
}

/// Records this instance, then refuses to go on (and withdraws it) if another
/// instance alive on the database cannot run beside it. Registering first
/// means two instances starting at the same moment still see each other. A
/// row can outlive an instance that was killed by up to 30 s, so only an
/// instance heard from after this one started is refused: start-up waits up to
/// a heartbeat and a little more to tell.
pub fn register(
    conn: &mut DbConnection,
    config: &Config,
    id: &str,
    secret_fingerprint: String,
    now: NaiveDateTime,
) -> anyhow::Result<()> {
    let me = InstanceRow {
        id: id.to_owned(),
        host: host(),
        bind: config.bind.to_string(),
        search: search_of(config),
        secret_fingerprint,
        started_at: now,
        last_seen: now,
    };
    let stale = now - chrono::Duration::seconds(STALE_SECS);
    if let Some(twin) = store::find(conn, id)?.filter(|row| row.last_seen >= stale) {
        if twin.host != me.host {
            anyhow::bail!(
                "an instance on {} uses the same instance id: this data directory was                  copied from it. Give this instance an empty BESPOKE_DATA_DIR, or delete                  {} here",
                twin.host,
                config.data_dir.join("instance-id").display()
            );
        }
    }
    store::register(conn, &me)?;
    let refusal = |others: &[InstanceRow]| {
        others
            .iter()
            .find_map(|other| conflict(&me, other, config.test_shared_embedded_index))
    };
    let listed = store::others_seen_since(conn, id, stale)?;
    if refusal(&listed).is_some() {
        let deadline = std::time::Instant::now() + HEARTBEAT + Duration::from_secs(5);
        loop {
            let alive = store::others_seen_since(conn, id, now)?;
            if let Some(problem) = refusal(&alive) {
                store::deregister(conn, id)?;
                anyhow::bail!("{problem}");
            }
            if std::time::Instant::now() >= deadline {
                tracing::warn!(
                    "an instance that stopped without saying so is still listed; it has not \
                     been heard from since this one started, so start-up goes on"
                );
                break;
            }
            std::thread::sleep(Duration::from_millis(500));
        }
    }
    if !listed.is_empty() {
        tracing::info!(
            others = listed.len(),
            "other instances are running on this database"
        );
    }
    Ok(())
}

/// Keeps this instance's row fresh for as long as the server runs.
pub async fn run_heartbeat(db: Db, id: String) {
    let mut beats = tokio::time::interval(HEARTBEAT);
    loop {
        beats.tick().await;
        let me = id.clone();
        let beat = db
            .run(move |conn| store::heartbeat(conn, &me, Utc::now().naive_utc()))
            .await;
        if let Err(e) = beat {
            tracing::warn!(error = %e, "could not record this instance's heartbeat");
        }
    }
}

/// Removes this instance's row, and gives up its leases, when it stops cleanly.
pub fn deregister(db: &Db, id: &str) -> Result<(), StoreError> {
    let mut conn = db.get()?;
    store::release_leases_of(&mut conn, id)?;
    store::deregister(&mut conn, id)
}

/// Whether the database answers a trivial query, for the health check.
pub fn database_answers(conn: &mut DbConnection) -> Result<(), StoreError> {
    store::ping(conn)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(search: &str, secret: &str) -> InstanceRow {
        let at = chrono::NaiveDate::from_ymd_opt(2026, 12, 2)
            .unwrap()
            .and_hms_opt(9, 0, 0)
            .unwrap();
        InstanceRow {
            id: "a".into(),
            host: "web-1".into(),
            bind: "0.0.0.0:8080".into(),
            search: search.into(),
            secret_fingerprint: secret.into(),
            started_at: at,
            last_seen: at,
        }
    }

    #[test]
    fn instances_must_share_the_secret_and_the_search_engine() {
        let meili = "meilisearch http://search:7700/ listings";
        assert_eq!(conflict(&row(meili, "s"), &row(meili, "s"), false), None);
        let secret = conflict(&row(meili, "s"), &row(meili, "t"), false).unwrap();
        assert!(secret.contains("BESPOKE_JWT_SECRET"), "{secret}");
        let embedded = conflict(&row("embedded", "s"), &row(meili, "s"), false).unwrap();
        assert!(embedded.contains("MEILI_URL"), "{embedded}");
        assert!(conflict(&row("embedded", "s"), &row("embedded", "s"), false).is_some());
        assert_eq!(
            conflict(&row("embedded", "s"), &row("embedded", "s"), true),
            None
        );
        let other_index = "meilisearch http://search:7700/ other";
        let index = conflict(&row(meili, "s"), &row(other_index, "s"), false).unwrap();
        assert!(index.contains("BESPOKE_SEARCH_INDEX"), "{index}");
    }
}
