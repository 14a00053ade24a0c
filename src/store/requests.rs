//! Support requests, the offers sellers make on them, sellers' alert
//! settings and councils' reference rates.

use std::collections::{BTreeSet, HashMap};

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::schema::{
    council_reference_rates, listing_areas, listings, offers, request_alerts,
    support_request_areas, support_requests,
};
use super::{DbConnection, StoreError};
use crate::domain::vocab::{OfferStatus, RequestStatus, Vocabulary};
use crate::on_backend;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = support_requests)]
pub struct RequestRow {
    #[diesel(skip_insertion)]
    pub id: i64,
    pub plan_id: i64,
    pub council_code: String,
    pub requested_by: i64,
    pub acting_as: String,
    pub status: String,
    pub category: String,
    pub unit: String,
    pub quantity_centi: i64,
    pub per: String,
    pub start_date: NaiveDate,
    pub end_date: NaiveDate,
    pub outcome_id: Option<i64>,
    pub outcome_domain: Option<String>,
    pub availability: String,
    pub languages: String,
    pub max_price_pence: Option<i64>,
    pub details: String,
    pub expires_on: NaiveDate,
    pub first_offer_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl RequestRow {
    /// The status as people see it: an open request past its last day has expired.
    pub fn status_on(&self, today: NaiveDate) -> Result<RequestStatus, StoreError> {
        let status = RequestStatus::parse_code(&self.status)
            .map_err(|_| StoreError::Corrupt(format!("request status {:?}", self.status)))?;
        Ok(match status {
            RequestStatus::Open if today > self.expires_on => RequestStatus::Expired,
            other => other,
        })
    }
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = offers)]
pub struct OfferRow {
    #[diesel(skip_insertion)]
    pub id: i64,
    pub request_id: i64,
    pub seller_id: i64,
    pub listing_id: i64,
    pub status: String,
    pub unit: String,
    pub price_pence: i64,
    pub rates: String,
    pub fees: String,
    pub visits_per_week_centi: Option<i64>,
    pub start_date: NaiveDate,
    pub schedule: String,
    pub message: String,
    pub valid_until: Option<NaiveDate>,
    pub weekly_pence: i64,
    pub total_pence: i64,
    pub cost: String,
    pub commission_id: Option<i64>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl OfferRow {
    pub fn status(&self) -> Result<OfferStatus, StoreError> {
        OfferStatus::parse_code(&self.status)
            .map_err(|_| StoreError::Corrupt(format!("offer status {:?}", self.status)))
    }
}

pub fn insert_request(
    conn: &mut DbConnection,
    row: &RequestRow,
    areas: &[String],
) -> Result<i64, StoreError> {
    let id: i64 = on_backend!(conn, |c| diesel::insert_into(support_requests::table)
        .values(row)
        .returning(support_requests::id)
        .get_result(c))?;
    let rows: Vec<_> = areas
        .iter()
        .map(|d| {
            (
                support_request_areas::request_id.eq(id),
                support_request_areas::district.eq(d),
            )
        })
        .collect();
    // Multi-row inserts are written per backend: the shared dialect lacks them.
    on_backend!(conn, |c| diesel::insert_into(support_request_areas::table)
        .values(&rows)
        .execute(c))?;
    Ok(id)
}

pub fn find_request(conn: &mut DbConnection, id: i64) -> Result<Option<RequestRow>, StoreError> {
    Ok(support_requests::table
        .find(id)
        .select(RequestRow::as_select())
        .first(conn)
        .optional()?)
}

pub fn find_requests(conn: &mut DbConnection, ids: &[i64]) -> Result<Vec<RequestRow>, StoreError> {
    let mut rows = Vec::new();
    for chunk in ids.chunks(500) {
        rows.extend(
            support_requests::table
                .filter(support_requests::id.eq_any(chunk))
                .select(RequestRow::as_select())
                .load(conn)?,
        );
    }
    rows.sort_by_key(|r| std::cmp::Reverse(r.id));
    Ok(rows)
}

/// The districts of each request, in the order they were given.
pub fn areas_of(
    conn: &mut DbConnection,
    ids: &[i64],
) -> Result<HashMap<i64, Vec<String>>, StoreError> {
    let mut areas: HashMap<i64, Vec<String>> = HashMap::new();
    for chunk in ids.chunks(500) {
        let rows: Vec<(i64, String)> = support_request_areas::table
            .filter(support_request_areas::request_id.eq_any(chunk))
            .order((
                support_request_areas::request_id,
                support_request_areas::district,
            ))
            .select((
                support_request_areas::request_id,
                support_request_areas::district,
            ))
            .load(conn)?;
        for (id, district) in rows {
            areas.entry(id).or_default().push(district);
        }
    }
    Ok(areas)
}

/// Requests on these plans, newest first.
pub fn of_plans(conn: &mut DbConnection, plan_ids: &[i64]) -> Result<Vec<RequestRow>, StoreError> {
    let mut rows = Vec::new();
    for chunk in plan_ids.chunks(500) {
        rows.extend(
            support_requests::table
                .filter(support_requests::plan_id.eq_any(chunk))
                .select(RequestRow::as_select())
                .load(conn)?,
        );
    }
    rows.sort_by_key(|r| std::cmp::Reverse(r.id));
    Ok(rows)
}

/// What a seller's live listings serve: (category, district) pairs.
pub fn served_by(
    conn: &mut DbConnection,
    seller_id: i64,
) -> Result<BTreeSet<(String, String)>, StoreError> {
    let pairs: Vec<(String, String)> = listings::table
        .inner_join(listing_areas::table.on(listing_areas::listing_id.eq(listings::id)))
        .filter(listings::owner_id.eq(seller_id))
        .filter(listings::status.eq("published"))
        .select((listings::category, listing_areas::district))
        .distinct()
        .load(conn)?;
    Ok(pairs.into_iter().collect())
}

/// Open requests, still taking offers on `today`, that fit what a seller
/// serves; with `since`, only those posted after it. Newest first.
pub fn open_matching(
    conn: &mut DbConnection,
    served: &BTreeSet<(String, String)>,
    today: NaiveDate,
    since: Option<NaiveDateTime>,
) -> Result<Vec<i64>, StoreError> {
    if served.is_empty() {
        return Ok(Vec::new());
    }
    let categories: BTreeSet<&String> = served.iter().map(|(c, _)| c).collect();
    let districts: BTreeSet<&String> = served.iter().map(|(_, d)| d).collect();
    let mut query = support_requests::table
        .inner_join(support_request_areas::table)
        .filter(support_requests::status.eq(RequestStatus::Open.code()))
        .filter(support_requests::expires_on.ge(today))
        .filter(support_requests::category.eq_any(categories.into_iter().cloned()))
        .filter(support_request_areas::district.eq_any(districts.into_iter().cloned()))
        .select((
            support_requests::id,
            support_requests::category,
            support_request_areas::district,
        ))
        .into_boxed();
    if let Some(since) = since {
        query = query.filter(support_requests::created_at.gt(since));
    }
    let candidates: Vec<(i64, String, String)> = query.load(conn)?;
    let mut ids: Vec<i64> = candidates
        .into_iter()
        .filter(|(_, category, district)| served.contains(&(category.clone(), district.clone())))
        .map(|(id, _, _)| id)
        .collect();
    ids.sort_unstable_by(|a, b| b.cmp(a));
    ids.dedup();
    Ok(ids)
}

/// Sellers with a live listing in this category serving any of these districts.
pub fn sellers_serving(
    conn: &mut DbConnection,
    category: &str,
    districts: &[String],
) -> Result<Vec<i64>, StoreError> {
    Ok(listings::table
        .inner_join(listing_areas::table.on(listing_areas::listing_id.eq(listings::id)))
        .filter(listings::category.eq(category))
        .filter(listings::status.eq("published"))
        .filter(listing_areas::district.eq_any(districts))
        .select(listings::owner_id)
        .distinct()
        .load(conn)?)
}

/// A seller's live listing that fits a request, preferring one that takes new clients.
pub fn matching_listing(
    conn: &mut DbConnection,
    seller_id: i64,
    category: &str,
    districts: &[String],
) -> Result<Option<i64>, StoreError> {
    Ok(listings::table
        .inner_join(listing_areas::table.on(listing_areas::listing_id.eq(listings::id)))
        .filter(listings::owner_id.eq(seller_id))
        .filter(listings::category.eq(category))
        .filter(listings::status.eq("published"))
        .filter(listing_areas::district.eq_any(districts))
        .order((listings::accepting_clients.desc(), listings::id))
        .select(listings::id)
        .first(conn)
        .optional()?)
}

/// Moves a request from one status to another, only if it is still in the
/// first: false when someone else moved it first.
pub fn move_request(
    conn: &mut DbConnection,
    id: i64,
    from: RequestStatus,
    to: RequestStatus,
    now: NaiveDateTime,
) -> Result<bool, StoreError> {
    let changed = diesel::update(
        support_requests::table
            .filter(support_requests::id.eq(id))
            .filter(support_requests::status.eq(from.code())),
    )
    .set((
        support_requests::status.eq(to.code()),
        support_requests::updated_at.eq(now),
    ))
    .execute(conn)?;
    Ok(changed == 1)
}

/// Marks open requests past their last day as expired; returns them.
pub fn expire_due(
    conn: &mut DbConnection,
    today: NaiveDate,
    now: NaiveDateTime,
) -> Result<Vec<RequestRow>, StoreError> {
    let due: Vec<RequestRow> = support_requests::table
        .filter(support_requests::status.eq(RequestStatus::Open.code()))
        .filter(support_requests::expires_on.lt(today))
        .select(RequestRow::as_select())
        .load(conn)?;
    for row in &due {
        move_request(
            conn,
            row.id,
            RequestStatus::Open,
            RequestStatus::Expired,
            now,
        )?;
    }
    Ok(due)
}

pub fn note_first_offer(
    conn: &mut DbConnection,
    request_id: i64,
    now: NaiveDateTime,
) -> Result<(), StoreError> {
    diesel::update(
        support_requests::table
            .filter(support_requests::id.eq(request_id))
            .filter(support_requests::first_offer_at.is_null()),
    )
    .set(support_requests::first_offer_at.eq(now))
    .execute(conn)?;
    Ok(())
}

pub fn insert_offer(conn: &mut DbConnection, row: &OfferRow) -> Result<i64, StoreError> {
    Ok(on_backend!(conn, |c| diesel::insert_into(offers::table)
        .values(row)
        .returning(offers::id)
        .get_result(c))?)
}

pub fn find_offer(conn: &mut DbConnection, id: i64) -> Result<Option<OfferRow>, StoreError> {
    Ok(offers::table
        .find(id)
        .select(OfferRow::as_select())
        .first(conn)
        .optional()?)
}

pub fn offers_of_request(
    conn: &mut DbConnection,
    request_id: i64,
) -> Result<Vec<OfferRow>, StoreError> {
    Ok(offers::table
        .filter(offers::request_id.eq(request_id))
        .order(offers::id)
        .select(OfferRow::as_select())
        .load(conn)?)
}

pub fn offers_of_seller(
    conn: &mut DbConnection,
    seller_id: i64,
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
            .filter(offers::status.eq_any([OfferStatus::Open.code(), OfferStatus::Accepted.code()]))
            .select(offers::request_id)
            .load(conn)?;
        for id in rows {
            *counts.entry(id).or_insert(0) += 1;
        }
    }
    Ok(counts)
}

/// Replaces an open offer's terms; false when it is no longer open.
pub fn revise_offer(conn: &mut DbConnection, row: &OfferRow) -> Result<bool, StoreError> {
    let changed = diesel::update(
        offers::table
            .filter(offers::id.eq(row.id))
            .filter(offers::status.eq(OfferStatus::Open.code())),
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
pub fn close_offer(
    conn: &mut DbConnection,
    id: i64,
    to: OfferStatus,
    commission_id: Option<i64>,
    now: NaiveDateTime,
) -> Result<bool, StoreError> {
    let changed = diesel::update(
        offers::table
            .filter(offers::id.eq(id))
            .filter(offers::status.eq(OfferStatus::Open.code())),
    )
    .set((
        offers::status.eq(to.code()),
        offers::commission_id.eq(commission_id),
        offers::updated_at.eq(now),
    ))
    .execute(conn)?;
    Ok(changed == 1)
}

/// How a seller wants to hear of requests, and how far their digest has reached.
pub fn alert_setting(
    conn: &mut DbConnection,
    account_id: i64,
) -> Result<Option<(String, Option<NaiveDateTime>)>, StoreError> {
    Ok(request_alerts::table
        .find(account_id)
        .select((request_alerts::frequency, request_alerts::digest_until))
        .first(conn)
        .optional()?)
}

pub fn alert_settings(
    conn: &mut DbConnection,
    account_ids: &[i64],
) -> Result<HashMap<i64, (String, Option<NaiveDateTime>)>, StoreError> {
    let mut settings = HashMap::new();
    for chunk in account_ids.chunks(500) {
        let rows: Vec<(i64, String, Option<NaiveDateTime>)> = request_alerts::table
            .filter(request_alerts::account_id.eq_any(chunk))
            .select((
                request_alerts::account_id,
                request_alerts::frequency,
                request_alerts::digest_until,
            ))
            .load(conn)?;
        settings.extend(rows.into_iter().map(|(id, f, d)| (id, (f, d))));
    }
    Ok(settings)
}

pub fn save_alert_frequency(
    conn: &mut DbConnection,
    account_id: i64,
    frequency: &str,
    now: NaiveDateTime,
) -> Result<(), StoreError> {
    let changed = diesel::update(request_alerts::table.find(account_id))
        .set((
            request_alerts::frequency.eq(frequency),
            request_alerts::updated_at.eq(now),
        ))
        .execute(conn)?;
    if changed == 0 {
        diesel::insert_into(request_alerts::table)
            .values((
                request_alerts::account_id.eq(account_id),
                request_alerts::frequency.eq(frequency),
                request_alerts::digest_until.eq(Some(now)),
                request_alerts::updated_at.eq(now),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// Records that a seller's digest has covered requests up to `until`.
pub fn digest_done(
    conn: &mut DbConnection,
    account_id: i64,
    frequency: &str,
    until: NaiveDateTime,
) -> Result<(), StoreError> {
    let changed = diesel::update(request_alerts::table.find(account_id))
        .set(request_alerts::digest_until.eq(Some(until)))
        .execute(conn)?;
    if changed == 0 {
        diesel::insert_into(request_alerts::table)
            .values((
                request_alerts::account_id.eq(account_id),
                request_alerts::frequency.eq(frequency),
                request_alerts::digest_until.eq(Some(until)),
                request_alerts::updated_at.eq(until),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// Every account with a live listing: the sellers a digest may go to.
pub fn live_sellers(conn: &mut DbConnection) -> Result<Vec<i64>, StoreError> {
    Ok(listings::table
        .filter(listings::status.eq("published"))
        .select(listings::owner_id)
        .distinct()
        .load(conn)?)
}

/// A council's reference rates: (category, unit) → pence.
pub fn reference_rates(
    conn: &mut DbConnection,
    council_code: &str,
) -> Result<Vec<(String, String, i64)>, StoreError> {
    Ok(council_reference_rates::table
        .filter(council_reference_rates::council_code.eq(council_code))
        .order((
            council_reference_rates::category,
            council_reference_rates::unit,
        ))
        .select((
            council_reference_rates::category,
            council_reference_rates::unit,
            council_reference_rates::amount_pence,
        ))
        .load(conn)?)
}

pub fn replace_reference_rates(
    conn: &mut DbConnection,
    council_code: &str,
    rates: &[(String, String, i64)],
    updated_by: i64,
    now: NaiveDateTime,
) -> Result<(), StoreError> {
    diesel::delete(
        council_reference_rates::table
            .filter(council_reference_rates::council_code.eq(council_code)),
    )
    .execute(conn)?;
    let rows: Vec<_> = rates
        .iter()
        .map(|(category, unit, pence)| {
            (
                council_reference_rates::council_code.eq(council_code),
                council_reference_rates::category.eq(category),
                council_reference_rates::unit.eq(unit),
                council_reference_rates::amount_pence.eq(pence),
                council_reference_rates::updated_by.eq(updated_by),
                council_reference_rates::updated_at.eq(now),
            )
        })
        .collect();
    if !rows.is_empty() {
        on_backend!(conn, |c| diesel::insert_into(
            council_reference_rates::table
        )
        .values(&rows)
        .execute(c))?;
    }
    Ok(())
}

/// Requests of a council's residents posted in a period, with their areas
/// and offers, for the council's evidence of gaps and fee levels.
pub fn of_council_between(
    conn: &mut DbConnection,
    council_code: &str,
    from: NaiveDateTime,
    to: NaiveDateTime,
) -> Result<Vec<RequestRow>, StoreError> {
    Ok(support_requests::table
        .filter(support_requests::council_code.eq(council_code))
        .filter(support_requests::created_at.ge(from))
        .filter(support_requests::created_at.lt(to))
        .select(RequestRow::as_select())
        .load(conn)?)
}

/// Every offer made on these requests.
pub fn offers_of_requests(
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
