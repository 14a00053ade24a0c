//! The offers sellers make on support requests.

use crate::domain::ids::{AccountId, CommissionId, ListingId};
use std::collections::HashMap;

use chrono::{NaiveDate, NaiveDateTime};

use diesel::prelude::*;

use super::codes::Json;
use super::schema::offers;
use super::{DbConnection, StoreError};
use crate::domain::listings::{FeeInput, RateInput};
use crate::domain::pricing::Cost;
use crate::domain::vocab::{OfferStatus, Unit};
use crate::on_backend;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = offers)]
pub struct OfferRow {
    #[diesel(skip_insertion)]
    pub id: i64,
    pub request_id: i64,
    pub seller_id: AccountId,
    pub listing_id: ListingId,
    pub status: OfferStatus,
    pub unit: Unit,
    pub price_pence: i64,
    /// The rates and fees as the seller sent them; checked again when read.
    pub rates: Json<Vec<RateInput>>,
    pub fees: Json<Vec<FeeInput>>,
    pub visits_per_week_centi: Option<i64>,
    pub start_date: NaiveDate,
    pub schedule: String,
    pub message: String,
    pub valid_until: Option<NaiveDate>,
    pub weekly_pence: i64,
    pub total_pence: i64,
    pub cost: Json<Cost>,
    pub commission_id: Option<CommissionId>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

pub fn insert(conn: &mut DbConnection, row: &OfferRow) -> Result<i64, StoreError> {
    Ok(on_backend!(conn, |c| diesel::insert_into(offers::table)
        .values(row)
        .returning(offers::id)
        .get_result(c))?)
}

pub fn find(conn: &mut DbConnection, id: i64) -> Result<Option<OfferRow>, StoreError> {
    Ok(offers::table
        .find(id)
        .select(OfferRow::as_select())
        .first(conn)
        .optional()?)
}

pub fn of_request(conn: &mut DbConnection, request_id: i64) -> Result<Vec<OfferRow>, StoreError> {
    Ok(offers::table
        .filter(offers::request_id.eq(request_id))
        .order(offers::id)
        .select(OfferRow::as_select())
        .load(conn)?)
}

pub fn of_seller(
    conn: &mut DbConnection,
    seller_id: AccountId,
) -> Result<Vec<OfferRow>, StoreError> {
    Ok(offers::table
        .filter(offers::seller_id.eq(seller_id))
        .order(offers::id.desc())
        .select(OfferRow::as_select())
        .load(conn)?)
}

/// How many offers each request has had that are still open or accepted.
pub fn live_offer_counts(
    conn: &mut DbConnection,
    request_ids: &[i64],
) -> Result<HashMap<i64, i64>, StoreError> {
    let mut counts = HashMap::new();
    for chunk in request_ids.chunks(500) {
        let rows: Vec<i64> = offers::table
            .filter(offers::request_id.eq_any(chunk))
            .filter(offers::status.eq_any([OfferStatus::Open, OfferStatus::Accepted]))
            .select(offers::request_id)
            .load(conn)?;
        for id in rows {
            *counts.entry(id).or_insert(0) += 1;
        }
    }
    Ok(counts)
}

/// Replaces an open offer's terms; false when it is no longer open.
pub fn revise(conn: &mut DbConnection, row: &OfferRow) -> Result<bool, StoreError> {
    let changed = diesel::update(
        offers::table
            .filter(offers::id.eq(row.id))
            .filter(offers::status.eq(OfferStatus::Open)),
    )
    .set((
        offers::listing_id.eq(row.listing_id),
        offers::unit.eq(&row.unit),
        offers::price_pence.eq(row.price_pence),
        offers::rates.eq(&row.rates),
        offers::fees.eq(&row.fees),
        offers::visits_per_week_centi.eq(row.visits_per_week_centi),
        offers::start_date.eq(row.start_date),
        offers::schedule.eq(&row.schedule),
        offers::message.eq(&row.message),
        offers::valid_until.eq(row.valid_until),
        offers::weekly_pence.eq(row.weekly_pence),
        offers::total_pence.eq(row.total_pence),
        offers::cost.eq(&row.cost),
        offers::updated_at.eq(row.updated_at),
    ))
    .execute(conn)?;
    Ok(changed == 1)
}

/// Moves an offer out of `open`; false when it was no longer open.
pub fn close(
    conn: &mut DbConnection,
    id: i64,
    to: OfferStatus,
    commission_id: Option<CommissionId>,
    now: NaiveDateTime,
) -> Result<bool, StoreError> {
    let changed = diesel::update(
        offers::table
            .filter(offers::id.eq(id))
            .filter(offers::status.eq(OfferStatus::Open)),
    )
    .set((
        offers::status.eq(to),
        offers::commission_id.eq(commission_id),
        offers::updated_at.eq(now),
    ))
    .execute(conn)?;
    Ok(changed == 1)
}

/// Every offer made on these requests.
pub fn of_requests(
    conn: &mut DbConnection,
    request_ids: &[i64],
) -> Result<Vec<OfferRow>, StoreError> {
    let mut rows = Vec::new();
    for chunk in request_ids.chunks(500) {
        rows.extend(
            offers::table
                .filter(offers::request_id.eq_any(chunk))
                .select(OfferRow::as_select())
                .load(conn)?,
        );
    }
    Ok(rows)
}
