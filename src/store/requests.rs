//! Support requests, who they match, and how sellers want to hear of them.

use crate::domain::ids::{AccountId, ListingId, PlanId};
use std::collections::{BTreeSet, HashMap};

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::codes::Json;
use super::schema::{
    listing_areas, listings, request_alerts, support_request_areas, support_requests,
};
use super::{DbConnection, StoreError};
use crate::domain::vocab::{
    ActingAs, AlertFrequency, Band, Category, ListingStatus, OutcomeDomain, QuantityPer,
    RequestStatus, Unit,
};
use crate::on_backend;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = support_requests)]
pub struct RequestRow {
    #[diesel(skip_insertion)]
    pub id: i64,
    pub plan_id: PlanId,
    pub council_code: String,
    pub requested_by: AccountId,
    pub acting_as: ActingAs,
    pub status: RequestStatus,
    pub category: Category,
    pub unit: Unit,
    pub quantity_centi: i64,
    pub per: QuantityPer,
    pub start_date: NaiveDate,
    pub end_date: NaiveDate,
    pub outcome_id: Option<i64>,
    pub outcome_domain: Option<OutcomeDomain>,
    pub availability: Json<Vec<Band>>,
    pub languages: Json<Vec<String>>,
    pub max_price_pence: Option<i64>,
    pub details: String,
    pub expires_on: NaiveDate,
    pub first_offer_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl RequestRow {
    /// The status as people see it: an open request past its last day has expired.
    pub fn status_on(&self, today: NaiveDate) -> RequestStatus {
        match self.status {
            RequestStatus::Open if today > self.expires_on => RequestStatus::Expired,
            other => other,
        }
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
pub fn of_plans(
    conn: &mut DbConnection,
    plan_ids: &[PlanId],
) -> Result<Vec<RequestRow>, StoreError> {
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
    seller_id: AccountId,
) -> Result<BTreeSet<(String, String)>, StoreError> {
    let pairs: Vec<(String, String)> = listings::table
        .inner_join(listing_areas::table.on(listing_areas::listing_id.eq(listings::id)))
        .filter(listings::owner_id.eq(seller_id))
        .filter(listings::status.eq(ListingStatus::Published))
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
        .filter(support_requests::status.eq(RequestStatus::Open))
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
    category: Category,
    districts: &[String],
) -> Result<Vec<AccountId>, StoreError> {
    Ok(listings::table
        .inner_join(listing_areas::table.on(listing_areas::listing_id.eq(listings::id)))
        .filter(listings::category.eq(category))
        .filter(listings::status.eq(ListingStatus::Published))
        .filter(listing_areas::district.eq_any(districts))
        .select(listings::owner_id)
        .distinct()
        .load(conn)?)
}

/// A seller's live listing that fits a request, preferring one that takes new clients.
pub fn matching_listing(
    conn: &mut DbConnection,
    seller_id: AccountId,
    category: Category,
    districts: &[String],
) -> Result<Option<ListingId>, StoreError> {
    Ok(listings::table
        .inner_join(listing_areas::table.on(listing_areas::listing_id.eq(listings::id)))
        .filter(listings::owner_id.eq(seller_id))
        .filter(listings::category.eq(category))
        .filter(listings::status.eq(ListingStatus::Published))
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
            .filter(support_requests::status.eq(from)),
    )
    .set((
        support_requests::status.eq(to),
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
    // In id order, so instances expiring at once lock rows in the same order.
    let due: Vec<RequestRow> = support_requests::table
        .filter(support_requests::status.eq(RequestStatus::Open))
        .filter(support_requests::expires_on.lt(today))
        .order(support_requests::id)
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

/// How a seller wants to hear of requests, and how far their digest has reached.
pub fn alert_setting(
    conn: &mut DbConnection,
    account_id: AccountId,
) -> Result<Option<(AlertFrequency, Option<NaiveDateTime>)>, StoreError> {
    Ok(request_alerts::table
        .find(account_id)
        .select((request_alerts::frequency, request_alerts::digest_until))
        .first(conn)
        .optional()?)
}

pub fn alert_settings(
    conn: &mut DbConnection,
    account_ids: &[AccountId],
) -> Result<HashMap<AccountId, (AlertFrequency, Option<NaiveDateTime>)>, StoreError> {
    let mut settings = HashMap::new();
    for chunk in account_ids.chunks(500) {
        let rows: Vec<(AccountId, AlertFrequency, Option<NaiveDateTime>)> = request_alerts::table
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
    account_id: AccountId,
    frequency: AlertFrequency,
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

/// Claims a seller's digest: records that it covers requests up to `until`,
/// if the last digest still ends at `previous` (none yet when `None`). False
/// when another instance has just claimed it, so each digest goes once.
pub fn claim_digest(
    conn: &mut DbConnection,
    account_id: AccountId,
    frequency: AlertFrequency,
    previous: Option<NaiveDateTime>,
    until: NaiveDateTime,
) -> Result<bool, StoreError> {
    let row = request_alerts::table.find(account_id);
    let changed = match previous {
        Some(previous) => diesel::update(row.filter(request_alerts::digest_until.eq(previous)))
            .set(request_alerts::digest_until.eq(Some(until)))
            .execute(conn)?,
        None => diesel::update(row.filter(request_alerts::digest_until.is_null()))
            .set(request_alerts::digest_until.eq(Some(until)))
            .execute(conn)?,
    };
    if changed == 1 || previous.is_some() {
        return Ok(changed == 1);
    }
    let inserted = on_backend!(conn, |c| diesel::insert_into(request_alerts::table)
        .values((
            request_alerts::account_id.eq(account_id),
            request_alerts::frequency.eq(frequency),
            request_alerts::digest_until.eq(Some(until)),
            request_alerts::updated_at.eq(until),
        ))
        .on_conflict_do_nothing()
        .execute(c))?;
    Ok(inserted == 1)
}

/// Every account with a live listing: the sellers a digest may go to.
pub fn live_sellers(conn: &mut DbConnection) -> Result<Vec<AccountId>, StoreError> {
    Ok(listings::table
        .filter(listings::status.eq(ListingStatus::Published))
        .select(listings::owner_id)
        .distinct()
        .load(conn)?)
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
