//! CSV files an operator imports: the listings format and the CQC extract.
//! Each input is imported, as `bespoke import` does, into one SQLite
//! database seeded with the demo market (so rows can name real sellers).
//! A bad file or row must come back as a reason, never a panic or a failed
//! transaction.
#![no_main]

use std::sync::{Mutex, OnceLock};

use bespoke::config::Config;
use bespoke::domain::places::Places;
use bespoke::services::{demo, imports};
use bespoke::store::{councils, Db};
use chrono::Utc;
use libfuzzer_sys::fuzz_target;

fn database() -> &'static Mutex<(tempfile::TempDir, Db)> {
    static DATABASE: OnceLock<Mutex<(tempfile::TempDir, Db)>> = OnceLock::new();
    DATABASE.get_or_init(|| {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let path = dir.path().to_str().expect("a UTF-8 path").to_owned();
        let config = Config::from_lookup(|name| match name {
            "BESPOKE_DATA_DIR" => Some(path.clone()),
            "DATABASE_URL" => Some(format!("sqlite://{path}/fuzz.sqlite3")),
            "BESPOKE_DB_POOL_SIZE" => Some("1".to_owned()),
            _ => None,
        })
        .expect("the fuzzing configuration");
        let db = bespoke::startup::open_database(&config).expect("the database");
        let mut conn = db.get().expect("a connection");
        // As start-up does: councils first, then the demo market.
        councils::sync(&mut conn, Places::get().councils()).expect("the councils");
        demo::seed(&mut conn, Places::get(), Utc::now()).expect("the demo market");
        drop(conn);
        Mutex::new((dir, db))
    })
}

fuzz_target!(|data: &[u8]| {
    // The first byte chooses the format, as the command's flag would.
    let Some((&format, file)) = data.split_first() else {
        return;
    };
    let guard = database().lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    let mut conn = guard.1.get().expect("a connection");
    let places = Places::get();
    let result = if format % 2 == 0 {
        imports::import_listings(&mut conn, places, file, Utc::now())
    } else {
        imports::import_cqc(&mut conn, places, file, Utc::now())
    };
    match result {
        Ok(report) => assert!(report.skipped.iter().all(|(line, reason)| *line >= 1 && !reason.is_empty())),
        Err(imports::ImportError::NotReadable(reason)) => assert!(!reason.is_empty()),
        Err(imports::ImportError::Failed(error)) => panic!("the import failed instead of skipping: {error}"),
    }
});
