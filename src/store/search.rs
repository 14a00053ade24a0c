//! The search outbox and the record of searches.

use crate::domain::ids::ListingId;
use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;

use super::schema::{listings, search_events, search_outbox};
use super::{DbConnection, StoreError};
use crate::on_backend;

/// Queues listings for the search engine. Call inside the transaction that changed them.
pub fn enqueue(
    conn: &mut DbConnection,
    listing_ids: &[ListingId],
    now: NaiveDateTime,
) -> Result<(), StoreError> {
    let rows: Vec<_> = listing_ids
        .iter()
        .map(|id| {
            (
                search_outbox::listing_id.eq(Some(*id)),
                search_outbox::queued_at.eq(now),
                search_outbox::next_attempt_at.eq(now),
            )
        })
        .collect();
    for chunk in rows.chunks(500) {
        on_backend!(conn, |c| diesel::insert_into(search_outbox::table)
            .values(chunk)
            .execute(c))?;
    }
    Ok(())
}

/// Queues a rebuild: empty the index, then every listing. Returns how many listings were queued.
pub fn enqueue_rebuild(conn: &mut DbConnection, now: NaiveDateTime) -> Result<usize, StoreError> {
    conn.transaction(|conn| {
        diesel::insert_into(search_outbox::table)
            .values((
                search_outbox::listing_id.eq(None::<ListingId>),
                search_outbox::queued_at.eq(now),
                search_outbox::next_attempt_at.eq(now),
            ))
            .execute(conn)?;
        let ids: Vec<ListingId> = listings::table
            .select(listings::id)
            .order(listings::id)
            .load(conn)?;
        enqueue(conn, &ids, now)?;
        Ok(ids.len())
    })
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = search_outbox)]
pub struct OutboxRow {
    pub id: i64,
    pub listing_id: Option<ListingId>,
    pub attempts: i32,
}

/// The oldest jobs that are due, in the order they were queued.
pub fn due(
    conn: &mut DbConnection,
    now: NaiveDateTime,
    limit: i64,
) -> Result<Vec<OutboxRow>, StoreError> {
    Ok(search_outbox::table
        .filter(search_outbox::next_attempt_at.le(now))
        .order(search_outbox::id)
        .limit(limit)
        .select(OutboxRow::as_select())
        .load(conn)?)
}

pub fn done(conn: &mut DbConnection, ids: &[i64]) -> Result<(), StoreError> {
    for chunk in ids.chunks(500) {
        diesel::delete(search_outbox::table.filter(search_outbox::id.eq_any(chunk)))
            .execute(conn)?;
    }
    Ok(())
}

/// Puts jobs back with a later attempt time: half a second, doubling, at most a minute.
pub fn retry_later(
    conn: &mut DbConnection,
    rows: &[OutboxRow],
    error: &str,
    now: NaiveDateTime,
) -> Result<(), StoreError> {
    conn.transaction(|conn| {
        for row in rows {
            let attempts = row.attempts.saturating_add(1);
            let delay_ms = (500_i64 << attempts.min(7)).min(60_000);
            diesel::update(search_outbox::table.find(row.id))
                .set((
                    search_outbox::attempts.eq(attempts),
                    search_outbox::next_attempt_at.eq(now + Duration::milliseconds(delay_ms)),
                    search_outbox::last_error.eq(error),
                ))
                .execute(conn)?;
        }
        Ok(())
    })
}

pub fn pending(conn: &mut DbConnection) -> Result<i64, StoreError> {
    Ok(search_outbox::table.count().get_result(conn)?)
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = search_events)]
pub struct NewSearchEvent {
    pub searched_at: NaiveDateTime,
    pub query: String,
    pub filters: String,
    pub category: Option<String>,
    pub district: Option<String>,
    pub council_code: Option<String>,
    pub result_count: i64,
    pub engine: String,
}

pub fn record_events(conn: &mut DbConnection, events: &[NewSearchEvent]) -> Result<(), StoreError> {
    for chunk in events.chunks(200) {
        on_backend!(conn, |c| diesel::insert_into(search_events::table)
            .values(chunk)
            .execute(c))?;
    }
    Ok(())
}
