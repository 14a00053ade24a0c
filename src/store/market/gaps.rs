//! What the gaps report counts: searches, live listings, budget holders,
//! commissions by the holder's district, and planned support not yet bought.

use chrono::NaiveDateTime;
use diesel::dsl::{count_star, sql};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Timestamp};

use crate::domain::accounts::Role;
use crate::domain::vocab::{CommissionStatus, ListingStatus, PlanStatus};
use crate::store::schema::{
    accounts, commissions, listing_areas, listings, planned_support, plans, search_events,
};
use crate::store::{DbConnection, StoreError};

/// (category, district, count).
pub type SearchCount = (Option<String>, Option<String>, i64, i64);
/// (category, district, status, count).
pub type CommissionCount = (String, Option<String>, CommissionStatus, i64, i64);

/// (category, district, searches, searches that found nothing) for searches
/// in the council's districts, counted in one pass.
pub fn search_counts(
    conn: &mut DbConnection,
    council: &str,
    start: NaiveDateTime,
    end: NaiveDateTime,
) -> Result<Vec<SearchCount>, StoreError> {
    Ok(search_events::table
        .filter(search_events::council_code.eq(council))
        .filter(search_events::searched_at.ge(start))
        .filter(search_events::searched_at.lt(end))
        .filter(search_events::district.is_not_null())
        .group_by((search_events::category, search_events::district))
        .select((
            search_events::category,
            search_events::district,
            count_star(),
            sql::<BigInt>("CAST(SUM(CASE WHEN result_count = 0 THEN 1 ELSE 0 END) AS BIGINT)"),
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
        .filter(listings::status.eq(ListingStatus::Published))
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
        .filter(accounts::role.eq(Role::BudgetHolder))
        .filter(accounts::district.is_not_null())
        .group_by(accounts::district)
        .select((accounts::district, count_star()))
        .load(conn)?)
}

/// (category, holder's district, status, commissions, of those made at or
/// before `waiting_since`) for commissions made in `[start, end)` on the
/// council's plans.
pub fn commission_counts(
    conn: &mut DbConnection,
    council: &str,
    (start, end): (NaiveDateTime, NaiveDateTime),
    waiting_since: NaiveDateTime,
) -> Result<Vec<CommissionCount>, StoreError> {
    Ok(commissions::table
        .inner_join(plans::table.on(plans::id.eq(commissions::plan_id)))
        .inner_join(accounts::table.on(accounts::id.eq(plans::holder_id)))
        .filter(plans::council_code.eq(council))
        .filter(commissions::created_at.ge(start))
        .filter(commissions::created_at.lt(end))
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
            sql::<BigInt>("CAST(SUM(CASE WHEN commissions.created_at <= ")
                .bind::<Timestamp, _>(waiting_since)
                .sql(" THEN 1 ELSE 0 END) AS BIGINT)"),
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
        .filter(plans::status.eq(PlanStatus::Approved))
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
        .filter(plans::status.eq(PlanStatus::Approved))
        .filter(planned_support::amount_pence.is_not_null())
        .select((
            planned_support::plan_id,
            planned_support::category,
            planned_support::amount_pence,
        ))
        .load(conn)?)
}

/// (plan, category, total) of commissions that count (not declined or
/// cancelled) on the council's approved plans, added up in the database.
pub fn committed_amounts(
    conn: &mut DbConnection,
    council: &str,
) -> Result<Vec<(i64, String, i64)>, StoreError> {
    // SUM of a BIGINT is NUMERIC on PostgreSQL and INTEGER on SQLite: cast to agree.
    Ok(commissions::table
        .inner_join(plans::table.on(plans::id.eq(commissions::plan_id)))
        .filter(plans::council_code.eq(council))
        .filter(plans::status.eq(PlanStatus::Approved))
        .filter(commissions::status.ne_all(["declined", "cancelled"]))
        .group_by((commissions::plan_id, commissions::category))
        .select((
            commissions::plan_id,
            commissions::category,
            sql::<BigInt>("CAST(SUM(commissions.total_pence) AS BIGINT)"),
        ))
        .load(conn)?)
}
