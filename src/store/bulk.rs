//! Bulk writes and reads for `bespoke generate`: many rows per statement,
//! so a synthetic market of a million commissions takes minutes, not hours.
//! Nothing the running product does goes through here.

use crate::domain::ids::{AccountId, CommissionId, ListingId, PlanId, PortionId};
use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::commissions::{CommissionRow, NewDelivery};
use super::schema::{
    commissions, deliveries, ledger_entries, listing_areas, listings, outcome_ratings,
    plan_brokers, plan_portions,
};
use super::{DbConnection, StoreError};
use crate::domain::vocab::{Category, ListingStatus, Unit};
use crate::on_backend;

/// Rows per statement: SQLite allows 32,766 bound values, and a commission has 30.
const ROWS_PER_STATEMENT: usize = 500;

/// A published, priced listing as the generator picks from it.
#[derive(Debug, Clone, Queryable)]
pub struct PricedListing {
    pub id: ListingId,
    pub owner_id: AccountId,
    pub title: String,
    pub category: Category,
    pub unit: Unit,
    pub price_pence: i64,
}

pub fn priced_listings(conn: &mut DbConnection) -> Result<Vec<PricedListing>, StoreError> {
    Ok(listings::table
        .filter(listings::status.eq(ListingStatus::Published))
        .filter(listings::accepting_clients.eq(true))
        .filter(listings::price_pence.is_not_null())
        .order(listings::id)
        .select((
            listings::id,
            listings::owner_id,
            listings::title,
            listings::category,
            listings::unit,
            listings::price_pence.assume_not_null(),
        ))
        .load(conn)?)
}

/// Every (listing, district it serves).
pub fn all_listing_areas(conn: &mut DbConnection) -> Result<Vec<(ListingId, String)>, StoreError> {
    Ok(listing_areas::table
        .order((listing_areas::listing_id, listing_areas::district))
        .select((listing_areas::listing_id, listing_areas::district))
        .load(conn)?)
}

/// Inserts commissions and answers their ids in the same order.
pub fn insert_commissions(
    conn: &mut DbConnection,
    rows: &[CommissionRow],
) -> Result<Vec<CommissionId>, StoreError> {
    let mut ids = Vec::with_capacity(rows.len());
    for chunk in rows.chunks(ROWS_PER_STATEMENT) {
        let made: Vec<CommissionId> =
            on_backend!(conn, |c| diesel::insert_into(commissions::table)
                .values(chunk)
                .returning(commissions::id)
                .get_results(c))?;
        ids.extend(made);
    }
    Ok(ids)
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = ledger_entries)]
#[diesel(treat_none_as_null = true)]
pub struct NewLedgerEntry {
    pub plan_id: PlanId,
    pub portion_id: PortionId,
    pub commission_id: Option<CommissionId>,
    pub kind: &'static str,
    pub amount_pence: i64,
    pub at: NaiveDateTime,
    pub actor_id: Option<AccountId>,
    pub note: &'static str,
}

pub fn insert_ledger_entries(
    conn: &mut DbConnection,
    rows: &[NewLedgerEntry],
) -> Result<(), StoreError> {
    for chunk in rows.chunks(ROWS_PER_STATEMENT) {
        on_backend!(conn, |c| diesel::insert_into(ledger_entries::table)
            .values(chunk)
            .execute(c))?;
    }
    Ok(())
}

/// Deliveries with the moment each was recorded.
pub fn insert_deliveries(
    conn: &mut DbConnection,
    rows: &[(NewDelivery, NaiveDateTime)],
) -> Result<(), StoreError> {
    let values: Vec<_> = rows
        .iter()
        .map(|(d, at)| {
            (
                deliveries::commission_id.eq(d.commission_id),
                deliveries::period_start.eq(d.period_start),
                deliveries::period_end.eq(d.period_end),
                deliveries::quantity_centi.eq(d.quantity_centi),
                deliveries::amount_pence.eq(d.amount_pence),
                deliveries::recorded_by.eq(d.recorded_by),
                deliveries::recorded_at.eq(*at),
            )
        })
        .collect();
    for chunk in values.chunks(ROWS_PER_STATEMENT) {
        on_backend!(conn, |c| diesel::insert_into(deliveries::table)
            .values(chunk)
            .execute(c))?;
    }
    Ok(())
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = outcome_ratings)]
pub struct NewOutcomeRating {
    pub plan_id: PlanId,
    pub stage: &'static str,
    pub domain: &'static str,
    pub rating: i32,
    pub rated_by: AccountId,
    pub acting_as: &'static str,
    pub rated_at: NaiveDateTime,
}

pub fn insert_ratings(
    conn: &mut DbConnection,
    rows: &[NewOutcomeRating],
) -> Result<(), StoreError> {
    for chunk in rows.chunks(ROWS_PER_STATEMENT) {
        on_backend!(conn, |c| diesel::insert_into(outcome_ratings::table)
            .values(chunk)
            .execute(c))?;
    }
    Ok(())
}

/// Brokers' access to plans: (plan, broker, granted at).
pub fn insert_plan_brokers(
    conn: &mut DbConnection,
    rows: &[(PlanId, AccountId, NaiveDateTime)],
) -> Result<(), StoreError> {
    let values: Vec<_> = rows
        .iter()
        .map(|(plan, broker, at)| {
            (
                plan_brokers::plan_id.eq(*plan),
                plan_brokers::broker_id.eq(*broker),
                plan_brokers::granted_at.eq(*at),
            )
        })
        .collect();
    for chunk in values.chunks(ROWS_PER_STATEMENT) {
        on_backend!(conn, |c| diesel::insert_into(plan_brokers::table)
            .values(chunk)
            .execute(c))?;
    }
    Ok(())
}

/// Brings the planner's statistics up to date after a bulk load (and, on
/// PostgreSQL, the visibility map, so reports can read indexes alone).
pub fn analyze(conn: &mut DbConnection) -> Result<(), StoreError> {
    let statement = match conn {
        DbConnection::Pg(_) => "VACUUM ANALYZE",
        DbConnection::Sqlite(_) => "ANALYZE",
    };
    diesel::sql_query(statement).execute(conn)?;
    Ok(())
}

/// Sets generated portions' balances to what their generated ledger says.
/// The generator writes a synthetic market before any server runs on it, so
/// it takes no plan locks (see `locks`).
pub fn set_portion_balances(
    conn: &mut DbConnection,
    balances: &[(PortionId, i64, i64, i64)],
) -> Result<(), StoreError> {
    for (portion, budget, committed, spent) in balances {
        diesel::update(plan_portions::table.find(portion))
            .set((
                plan_portions::budget_pence.eq(budget),
                plan_portions::committed_pence.eq(committed),
                plan_portions::spent_pence.eq(spent),
            ))
            .execute(conn)?;
    }
    Ok(())
}
