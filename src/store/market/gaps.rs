//! What the gaps report counts: searches, live listings, budget holders,
//! commissions by the holder's district, and planned support not yet bought.

use chrono::NaiveDateTime;
use diesel::dsl::count_star;
use diesel::prelude::*;

use crate::store::schema::{
    accounts, commissions, listing_areas, listings, planned_support, plans, search_events,
};
use crate::store::{DbConnection, StoreError};

/// (category, district, count).
pub type CategoryDistrictCount = (Option<String>, Option<String>, i64);
/// (category, district, status, count).
pub type CommissionCount = (String, Option<String>, String, i64);

/// (category, district, searches) for searches in the council's districts,
/// all of them or only those that found nothing.
pub fn search_counts(
    conn: &mut DbConnection,
    council: &str,
    start: NaiveDateTime,
    end: NaiveDateTime,
    zero_only: bool,
) -> Result<Vec<CategoryDistrictCount>, StoreError> {
    let most_results = if zero_only { 0 } else { i64::MAX };
    Ok(search_events::table
        .filter(search_events::council_code.eq(council))
        .filter(search_events::searched_at.ge(start))
        .filter(search_events::searched_at.lt(end))
        .filter(search_events::district.is_not_null())
        .filter(search_events::result_count.le(most_results))
        .group_by((search_events::category, search_events::district))
        .select((
            search_events::category,
            search_events::district,
            count_star(),
        ))
        .load(conn)?)
}

/// (category, district, listings) for published listings serving the districts.
pub fn live_listing_counts(
    conn: &mut DbConnection,
    districts: &[String],
) -> Result<Vec<(String, String, i64)>, StoreError> {
    Ok(listing_areas::table
        .inner_join(listings::table)
        .filter(listing_areas::district.eq_any(districts))
        .filter(listings::status.eq("published"))
        .group_by((listings::category, listing_areas::district))
        .select((listings::category, listing_areas::district, count_star()))
        .load(conn)?)
}

/// (district, budget holders) for the council's budget holders with a home district.
pub fn holders_by_district(
    conn: &mut DbConnection,
    council: &str,
) -> Result<Vec<(Option<String>, i64)>, StoreError> {
    Ok(accounts::table
        .filter(accounts::council_code.eq(council))
        .filter(accounts::role.eq("budget_holder"))
        .filter(accounts::district.is_not_null())
        .group_by(accounts::district)
        .select((accounts::district, count_star()))
        .load(conn)?)
}

/// (category, holder's district, status, commissions) for commissions made in
/// `[start, end)` on the council's plans, at or before `made_by`, with one of
/// these statuses.
pub fn commission_counts(
    conn: &mut DbConnection,
    council: &str,
    (start, end): (NaiveDateTime, NaiveDateTime),
    made_by: NaiveDateTime,
    statuses: &[&str],
) -> Result<Vec<CommissionCount>, StoreError> {
    Ok(commissions::table
        .inner_join(plans::table.on(plans::id.eq(commissions::plan_id)))
        .inner_join(accounts::table.on(accounts::id.eq(plans::holder_id)))
        .filter(plans::council_code.eq(council))
        .filter(commissions::created_at.ge(start))
        .filter(commissions::created_at.lt(end))
        .filter(commissions::created_at.le(made_by))
        .filter(commissions::status.eq_any(statuses))
        .group_by((
            commissions::category,
            accounts::district,
            commissions::status,
        ))
        .select((
            commissions::category,
            accounts::district,
            commissions::status,
            count_star(),
        ))
        .load(conn)?)
}

/// A plan approved for a period overlapping the report's, with its holder's district.
#[derive(Debug, Clone, Queryable)]
pub struct ActivePlan {
    pub id: i64,
    pub district: Option<String>,
}

pub fn approved_plans_overlapping(
    conn: &mut DbConnection,
    council: &str,
    from: chrono::NaiveDate,
    to: chrono::NaiveDate,
) -> Result<Vec<ActivePlan>, StoreError> {
    Ok(plans::table
        .inner_join(accounts::table.on(accounts::id.eq(plans::holder_id)))
        .filter(plans::council_code.eq(council))
        .filter(plans::status.eq("approved"))
        .filter(plans::period_start.le(to))
        .filter(plans::period_end.ge(from))
        .select((plans::id, accounts::district))
        .load(conn)?)
}

/// (plan, category, amount) of planned lines with an amount on the council's
/// approved plans.
pub fn planned_amounts(
    conn: &mut DbConnection,
    council: &str,
) -> Result<Vec<(i64, String, Option<i64>)>, StoreError> {
    Ok(planned_support::table
        .inner_join(plans::table.on(plans::id.eq(planned_support::plan_id)))
        .filter(plans::council_code.eq(council))
        .filter(plans::status.eq("approved"))
        .filter(planned_support::amount_pence.is_not_null())
        .select((
            planned_support::plan_id,
            planned_support::category,
            planned_support::amount_pence,
        ))
        .load(conn)?)
}

/// (plan, category, total) of commissions that count (not declined or
/// cancelled) on the council's approved plans.
pub fn committed_amounts(
    conn: &mut DbConnection,
    council: &str,
) -> Result<Vec<(i64, String, i64)>, StoreError> {
    Ok(commissions::table
        .inner_join(plans::table.on(plans::id.eq(commissions::plan_id)))
        .filter(plans::council_code.eq(council))
        .filter(plans::status.eq("approved"))
        .filter(commissions::status.ne_all(["declined", "cancelled"]))
        .select((
            commissions::plan_id,
            commissions::category,
            commissions::total_pence,
        ))
        .load(conn)?)
}
