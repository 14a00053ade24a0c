//! Listings with their areas, rates and fees, and the history of their prices.

use crate::domain::ids::{AccountId, ListingId};
use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::codes::Json;
use super::schema::{listing_areas, listing_fees, listing_price_changes, listing_rates, listings};
use super::{DbConnection, StoreError};
use crate::domain::listings::{ListingContent, Rate};
use crate::domain::money::{Money, Percent};
use crate::domain::pricing::{Fee, FeeCharge};
use crate::domain::vocab::{
    Band, Category, Employment, FeeKind, FeePer, ListingStatus, Unit, Vocabulary,
};
use crate::on_backend;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = listings)]
pub struct ListingRow {
    pub id: ListingId,
    pub owner_id: AccountId,
    pub title: String,
    pub description: String,
    pub category: Category,
    pub price_pence: Option<i64>,
    pub unit: Unit,
    pub postcode: String,
    pub district: String,
    pub employment: Option<Employment>,
    pub accepting_clients: bool,
    pub status: ListingStatus,
    pub availability: Json<Vec<Band>>,
    pub languages: Json<Vec<String>>,
    pub tags: Json<Vec<String>>,
    pub cqc_location_id: Option<String>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// A listing as stored: its content and what only the store knows.
#[derive(Debug, Clone)]
pub struct StoredListing {
    pub id: ListingId,
    pub owner_id: AccountId,
    pub content: ListingContent,
    pub cqc_location_id: Option<String>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

fn corrupt(what: &str, value: &str) -> StoreError {
    StoreError::Corrupt(format!("unknown {what} {value:?} in the database"))
}

#[derive(Insertable, AsChangeset)]
#[diesel(table_name = listings)]
#[diesel(treat_none_as_null = true)]
struct ListingColumns<'a> {
    title: &'a str,
    description: &'a str,
    category: Category,
    price_pence: Option<i64>,
    unit: Unit,
    postcode: &'a str,
    district: &'a str,
    employment: Option<Employment>,
    accepting_clients: bool,
    status: ListingStatus,
    availability: Json<Vec<Band>>,
    languages: Json<Vec<String>>,
    tags: Json<Vec<String>>,
    updated_at: NaiveDateTime,
}

fn columns(content: &ListingContent, now: NaiveDateTime) -> ListingColumns<'_> {
    ListingColumns {
        title: &content.title,
        description: &content.description,
        category: content.category,
        price_pence: content.price.map(Money::pence),
        unit: content.unit,
        postcode: &content.postcode,
        district: &content.district,
        employment: content.employment,
        accepting_clients: content.accepting_clients,
        status: content.status,
        availability: Json(content.availability.clone()),
        languages: Json(content.languages.clone()),
        tags: Json(content.tags.clone()),
        updated_at: now,
    }
}

/// Inserts a listing with everything that hangs off it; returns its id.
pub fn insert(
    conn: &mut DbConnection,
    owner_id: AccountId,
    content: &ListingContent,
    cqc_location_id: Option<&str>,
    now: NaiveDateTime,
) -> Result<ListingId, StoreError> {
    let values = (
        columns(content, now),
        listings::owner_id.eq(owner_id),
        listings::cqc_location_id.eq(cqc_location_id),
        listings::created_at.eq(now),
    );
    let id: ListingId = on_backend!(conn, |c| diesel::insert_into(listings::table)
        .values(&values)
        .returning(listings::id)
        .get_result(c))?;
    write_children(conn, id, content)?;
    record_price(conn, id, content, now)?;
    super::search::enqueue(conn, &[id], now)?;
    Ok(id)
}

/// Replaces a listing's content; a change of price, rates or fees is added to its history.
pub fn update(
    conn: &mut DbConnection,
    id: ListingId,
    content: &ListingContent,
    now: NaiveDateTime,
) -> Result<(), StoreError> {
    let before = find(conn, id)?.ok_or(StoreError::Query(diesel::result::Error::NotFound))?;
    diesel::update(listings::table.find(id))
        .set(columns(content, now))
        .execute(conn)?;
    diesel::delete(listing_areas::table.filter(listing_areas::listing_id.eq(id))).execute(conn)?;
    diesel::delete(listing_rates::table.filter(listing_rates::listing_id.eq(id))).execute(conn)?;
    diesel::delete(listing_fees::table.filter(listing_fees::listing_id.eq(id))).execute(conn)?;
    write_children(conn, id, content)?;
    let prices_changed = before.content.price != content.price
        || before.content.unit != content.unit
        || before.content.rates != content.rates
        || before.content.fees != content.fees;
    if prices_changed {
        record_price(conn, id, content, now)?;
    }
    super::search::enqueue(conn, &[id], now)?;
    Ok(())
}

pub fn set_status(
    conn: &mut DbConnection,
    id: ListingId,
    status: ListingStatus,
    now: NaiveDateTime,
) -> Result<(), StoreError> {
    diesel::update(listings::table.find(id))
        .set((listings::status.eq(status), listings::updated_at.eq(now)))
        .execute(conn)?;
    super::search::enqueue(conn, &[id], now)?;
    Ok(())
}

pub fn count(conn: &mut DbConnection) -> Result<i64, StoreError> {
    Ok(listings::table.count().get_result(conn)?)
}

/// Loads the listings with these ids, in id order.
pub fn find_many(
    conn: &mut DbConnection,
    ids: &[ListingId],
) -> Result<Vec<StoredListing>, StoreError> {
    let mut rows = Vec::new();
    for chunk in ids.chunks(500) {
        rows.extend(
            listings::table
                .filter(listings::id.eq_any(chunk))
                .order(listings::id)
                .select(ListingRow::as_select())
                .load(conn)?,
        );
    }
    assemble(conn, rows)
}

/// The ids of an owner's listings, for refreshing them when the owner's name changes.
pub fn ids_of_owner(
    conn: &mut DbConnection,
    owner_id: AccountId,
) -> Result<Vec<ListingId>, StoreError> {
    Ok(listings::table
        .filter(listings::owner_id.eq(owner_id))
        .select(listings::id)
        .load(conn)?)
}

fn write_children(
    conn: &mut DbConnection,
    id: ListingId,
    content: &ListingContent,
) -> Result<(), StoreError> {
    let areas: Vec<_> = content
        .areas
        .iter()
        .map(|d| {
            (
                listing_areas::listing_id.eq(id),
                listing_areas::district.eq(d),
            )
        })
        .collect();
    // Multi-row inserts are written per backend: the shared dialect lacks them.
    on_backend!(conn, |c| diesel::insert_into(listing_areas::table)
        .values(&areas)
        .execute(c))?;
    let rates: Vec<_> = content
        .rates
        .iter()
        .map(|r| {
            (
                listing_rates::listing_id.eq(id),
                listing_rates::band.eq(r.band),
                listing_rates::amount_pence.eq(r.amount.pence()),
            )
        })
        .collect();
    if !rates.is_empty() {
        on_backend!(conn, |c| diesel::insert_into(listing_rates::table)
            .values(&rates)
            .execute(c))?;
    }
    for (position, fee) in content.fees.iter().enumerate() {
        let (amount, percent) = match &fee.charge {
            FeeCharge::Amount(a) => (Some(a.pence()), None),
            FeeCharge::Percent(p) => (None, Some(p.to_stored())),
        };
        diesel::insert_into(listing_fees::table)
            .values((
                listing_fees::listing_id.eq(id),
                listing_fees::position.eq(position as i32),
                listing_fees::kind.eq(fee.kind),
                listing_fees::label.eq(&fee.label),
                listing_fees::amount_pence.eq(amount),
                listing_fees::percent_units.eq(percent),
                listing_fees::per.eq(fee.per),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// A rate as it stood at one moment of a listing's price history.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
#[schema(as = PriceHistoryRate)]
pub struct RateSnapshot {
    pub band: String,
    #[schema(value_type = Money)]
    pub amount: String,
}

/// A fee as it stood at one moment of a listing's price history.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
#[schema(as = PriceHistoryFee)]
pub struct FeeSnapshot {
    pub kind: String,
    pub label: String,
    #[schema(value_type = Option<Money>)]
    pub amount: Option<String>,
    #[schema(value_type = Option<Percent>)]
    pub percent: Option<String>,
    pub per: String,
}

fn record_price(
    conn: &mut DbConnection,
    id: ListingId,
    content: &ListingContent,
    now: NaiveDateTime,
) -> Result<(), StoreError> {
    let rates: Vec<RateSnapshot> = content
        .rates
        .iter()
        .map(|r| RateSnapshot {
            band: r.band.code().into(),
            amount: r.amount.to_string(),
        })
        .collect();
    let fees: Vec<FeeSnapshot> = content
        .fees
        .iter()
        .map(|f| FeeSnapshot {
            kind: f.kind.code().into(),
            label: f.label.clone(),
            amount: match &f.charge {
                FeeCharge::Amount(a) => Some(a.to_string()),
                FeeCharge::Percent(_) => None,
            },
            percent: match &f.charge {
                FeeCharge::Percent(p) => Some(p.to_string()),
                FeeCharge::Amount(_) => None,
            },
            per: f.per.code().into(),
        })
        .collect();
    diesel::insert_into(listing_price_changes::table)
        .values((
            listing_price_changes::listing_id.eq(id),
            listing_price_changes::changed_at.eq(now),
            listing_price_changes::price_pence.eq(content.price.map(Money::pence)),
            listing_price_changes::unit.eq(content.unit),
            listing_price_changes::rates.eq(Json(rates)),
            listing_price_changes::fees.eq(Json(fees)),
        ))
        .execute(conn)?;
    Ok(())
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = listing_price_changes)]
pub struct PriceChangeRow {
    pub changed_at: NaiveDateTime,
    pub price_pence: Option<i64>,
    pub unit: Unit,
    pub rates: Json<Vec<RateSnapshot>>,
    pub fees: Json<Vec<FeeSnapshot>>,
}

pub fn price_history(
    conn: &mut DbConnection,
    id: ListingId,
) -> Result<Vec<PriceChangeRow>, StoreError> {
    Ok(listing_price_changes::table
        .filter(listing_price_changes::listing_id.eq(id))
        .order((
            listing_price_changes::changed_at.asc(),
            listing_price_changes::id.asc(),
        ))
        .select(PriceChangeRow::as_select())
        .load(conn)?)
}

pub fn find(conn: &mut DbConnection, id: ListingId) -> Result<Option<StoredListing>, StoreError> {
    let row = listings::table
        .find(id)
        .select(ListingRow::as_select())
        .first(conn)
        .optional()?;
    Ok(assemble(conn, row.into_iter().collect())?.pop())
}

pub fn find_by_cqc_location(
    conn: &mut DbConnection,
    location_id: &str,
) -> Result<Option<StoredListing>, StoreError> {
    let row = listings::table
        .filter(listings::cqc_location_id.eq(location_id))
        .select(ListingRow::as_select())
        .first(conn)
        .optional()?;
    Ok(assemble(conn, row.into_iter().collect())?.pop())
}

/// A page of one owner's listings with the given statuses, newest first, and how many there are.
pub fn of_owner(
    conn: &mut DbConnection,
    owner_id: AccountId,
    statuses: &[ListingStatus],
    offset: i64,
    limit: i64,
) -> Result<(Vec<StoredListing>, i64), StoreError> {
    let total = listings::table
        .filter(listings::owner_id.eq(owner_id))
        .filter(listings::status.eq_any(statuses))
        .count()
        .get_result(conn)?;
    let rows = listings::table
        .filter(listings::owner_id.eq(owner_id))
        .filter(listings::status.eq_any(statuses))
        .order((listings::updated_at.desc(), listings::id.desc()))
        .offset(offset)
        .limit(limit)
        .select(ListingRow::as_select())
        .load(conn)?;
    Ok((assemble(conn, rows)?, total))
}

/// A page of all published listings in id order (stable for open data), and how many there are.
pub fn published_page(
    conn: &mut DbConnection,
    offset: i64,
    limit: i64,
) -> Result<(Vec<StoredListing>, i64), StoreError> {
    let published = ListingStatus::Published;
    let total = listings::table
        .filter(listings::status.eq(published))
        .count()
        .get_result(conn)?;
    let rows = listings::table
        .filter(listings::status.eq(published))
        .order(listings::id)
        .offset(offset)
        .limit(limit)
        .select(ListingRow::as_select())
        .load(conn)?;
    Ok((assemble(conn, rows)?, total))
}

/// Loads areas, rates and fees for many listings at once, keeping the rows' order.
pub fn assemble(
    conn: &mut DbConnection,
    rows: Vec<ListingRow>,
) -> Result<Vec<StoredListing>, StoreError> {
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<ListingId> = rows.iter().map(|r| r.id).collect();
    let mut areas: HashMap<ListingId, Vec<String>> = HashMap::new();
    for (id, district) in listing_areas::table
        .filter(listing_areas::listing_id.eq_any(&ids))
        .select((listing_areas::listing_id, listing_areas::district))
        .order((listing_areas::listing_id, listing_areas::district))
        .load::<(ListingId, String)>(conn)?
    {
        areas.entry(id).or_default().push(district);
    }
    let mut rates: HashMap<ListingId, Vec<Rate>> = HashMap::new();
    for (id, band, amount) in listing_rates::table
        .filter(listing_rates::listing_id.eq_any(&ids))
        .select((
            listing_rates::listing_id,
            listing_rates::band,
            listing_rates::amount_pence,
        ))
        .load::<(ListingId, Band, i64)>(conn)?
    {
        rates.entry(id).or_default().push(Rate {
            band,
            amount: Money::from_pence(amount),
        });
    }
    let mut fees: HashMap<ListingId, Vec<Fee>> = HashMap::new();
    type FeeTuple = (ListingId, FeeKind, String, Option<i64>, Option<i64>, FeePer);
    for (id, kind, label, amount, percent, per) in listing_fees::table
        .filter(listing_fees::listing_id.eq_any(&ids))
        .order((listing_fees::listing_id, listing_fees::position))
        .select((
            listing_fees::listing_id,
            listing_fees::kind,
            listing_fees::label,
            listing_fees::amount_pence,
            listing_fees::percent_units,
            listing_fees::per,
        ))
        .load::<FeeTuple>(conn)?
    {
        let charge = match (amount, percent) {
            (Some(a), _) => FeeCharge::Amount(Money::from_pence(a)),
            (None, Some(p)) => FeeCharge::Percent(Percent::from_stored(p)),
            (None, None) => return Err(corrupt("fee", &label)),
        };
        fees.entry(id).or_default().push(Fee {
            kind,
            label,
            charge,
            per,
        });
    }

    rows.into_iter()
        .map(|row| {
            let mut row_rates = rates.remove(&row.id).unwrap_or_default();
            row_rates.sort_by_key(|r| r.band);
            Ok(StoredListing {
                id: row.id,
                owner_id: row.owner_id,
                content: ListingContent {
                    title: row.title,
                    description: row.description,
                    category: row.category,
                    price: row.price_pence.map(Money::from_pence),
                    unit: row.unit,
                    rates: row_rates,
                    fees: fees.remove(&row.id).unwrap_or_default(),
                    postcode: row.postcode,
                    district: row.district,
                    areas: areas.remove(&row.id).unwrap_or_default(),
                    availability: row.availability.0,
                    languages: row.languages.0,
                    tags: row.tags.0,
                    employment: row.employment,
                    accepting_clients: row.accepting_clients,
                    status: row.status,
                },
                cqc_location_id: row.cqc_location_id,
                created_at: row.created_at,
                updated_at: row.updated_at,
            })
        })
        .collect()
}
