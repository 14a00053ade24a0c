//! What the fee report reads: live listings' main prices where they serve the
//! council's districts, and their price history.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::domain::vocab::{Category, ListingStatus, Unit};
use crate::store::schema::{listing_areas, listing_price_changes, listings};
use crate::store::{DbConnection, StoreError};

/// A published, priced listing and one district of the council it serves.
#[derive(Debug, Clone, Queryable)]
pub struct ListingInDistrict {
    pub id: i64,
    pub title: String,
    pub category: Category,
    pub unit: Unit,
    pub price_pence: i64,
    pub district: String,
}

pub fn live_prices(
    conn: &mut DbConnection,
    districts: &[String],
    category: Option<Category>,
    unit: Option<Unit>,
) -> Result<Vec<ListingInDistrict>, StoreError> {
    let mut query = listing_areas::table
        .inner_join(listings::table)
        .filter(listing_areas::district.eq_any(districts))
        .filter(listings::status.eq(ListingStatus::Published))
        .filter(listings::price_pence.is_not_null())
        .into_boxed();
    if let Some(category) = category {
        query = query.filter(listings::category.eq(category));
    }
    if let Some(unit) = unit {
        query = query.filter(listings::unit.eq(unit));
    }
    let rows: Vec<(i64, String, Category, Unit, Option<i64>, String)> = query
        .select((
            listings::id,
            listings::title,
            listings::category,
            listings::unit,
            listings::price_pence,
            listing_areas::district,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .filter_map(|(id, title, category, unit, price, district)| {
            Some(ListingInDistrict {
                id,
                title,
                category,
                unit,
                price_pence: price?,
                district,
            })
        })
        .collect())
}

/// (listing, when, unit, price).
pub type PriceChangeFacts = (i64, NaiveDateTime, String, Option<i64>);

/// Changes before `end` to listings serving the districts, oldest first.
pub fn price_history(
    conn: &mut DbConnection,
    districts: &[String],
    end: NaiveDateTime,
) -> Result<Vec<PriceChangeFacts>, StoreError> {
    let serving = listing_areas::table
        .filter(listing_areas::district.eq_any(districts))
        .select(listing_areas::listing_id);
    Ok(listing_price_changes::table
        .filter(listing_price_changes::listing_id.eq_any(serving))
        .filter(listing_price_changes::changed_at.lt(end))
        .order((listing_price_changes::changed_at, listing_price_changes::id))
        .select((
            listing_price_changes::listing_id,
            listing_price_changes::changed_at,
            listing_price_changes::unit,
            listing_price_changes::price_pence,
        ))
        .load(conn)?)
}
