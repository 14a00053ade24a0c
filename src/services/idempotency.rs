//! Creating things at most once: a POST with an `Idempotency-Key` stores its
//! first answer in the same transaction as what it created, and a repeat with
//! the same key and body gets that answer back instead of creating again.

use crate::domain::ids::AccountId;
use chrono::NaiveDateTime;
use serde::Serialize;

use crate::error::AppError;
use crate::store::commissions::{self as store, StoredAnswer};
use crate::store::{write_transaction, DbConnection};

/// An `Idempotency-Key` with what the request said, to tell repeats from reuse.
pub struct Idempotency {
    pub key: String,
    pub fingerprint: String,
}

/// Something created now, or the first answer to a repeated request.
pub enum Created<T> {
    New(Box<T>),
    Replayed(String),
}

fn replay(
    conn: &mut DbConnection,
    account_id: AccountId,
    idempotency: Option<&Idempotency>,
) -> Result<Option<String>, AppError> {
    let Some(idem) = idempotency else {
        return Ok(None);
    };
    match store::stored_answer(conn, account_id, &idem.key)? {
        Some(answer) if answer.request == idem.fingerprint => Ok(Some(answer.body)),
        Some(_) => Err(AppError::conflict(
            "idempotency-key-reused",
            "This Idempotency-Key was already used for a different request.",
        )),
        None => Ok(None),
    }
}

/// Runs `work` in one write transaction unless the key was seen before, and
/// stores its answer under the key.
pub fn create_once<T: Serialize>(
    conn: &mut DbConnection,
    account_id: AccountId,
    idempotency: Option<&Idempotency>,
    now: NaiveDateTime,
    work: impl FnOnce(&mut DbConnection) -> Result<T, AppError>,
) -> Result<Created<T>, AppError> {
    let outcome = write_transaction(conn, |conn| {
        if let Some(body) = replay(conn, account_id, idempotency)? {
            return Ok(Created::Replayed(body));
        }
        let created = work(conn)?;
        if let Some(idem) = idempotency {
            let answer = StoredAnswer {
                request: idem.fingerprint.clone(),
                status: 201,
                body: serde_json::to_string(&created).expect("answers serialise"),
            };
            store::store_answer(conn, account_id, &idem.key, &answer, now)?;
        }
        Ok(Created::New(Box::new(created)))
    });
    match outcome {
        // Two requests with one key raced on PostgreSQL: the loser waited for the
        // winner's lock, then failed (a duplicate key, a budget now spent, an
        // offer now accepted); it replays the winner's answer.
        Err(_) if idempotency.is_some() => match replay(conn, account_id, idempotency)? {
            Some(body) => Ok(Created::Replayed(body)),
            None => outcome,
        },
        other => other,
    }
}
