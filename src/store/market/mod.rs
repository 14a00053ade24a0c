//! What the council's market reports read: one module per report; the
//! council's own reference rates here.

use crate::domain::ids::AccountId;
use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::{accounts, commissions, council_reference_rates, plans};

pub mod brokers;
pub mod fees;
pub mod gaps;
pub mod outcomes;
pub mod risks;
use super::{DbConnection, StoreError};
use crate::domain::vocab::{ActingAs, Category};
use crate::on_backend;

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
    updated_by: AccountId,
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

/// A commission that counts, with its holder's district.
#[derive(Debug, Clone, Queryable)]
pub struct CountedCommission {
    pub id: i64,
    pub plan_id: i64,
    pub seller_id: i64,
    pub requested_by: i64,
    pub acting_as: ActingAs,
    pub category: Category,
    pub total_pence: i64,
    pub created_at: NaiveDateTime,
    pub holder_id: i64,
    pub district: Option<String>,
}

/// Commissions made in `[start, end)` on the council's plans, not declined or cancelled.
pub fn counted_commissions(
    conn: &mut DbConnection,
    council: &str,
    start: NaiveDateTime,
    end: NaiveDateTime,
) -> Result<Vec<CountedCommission>, StoreError> {
    Ok(commissions::table
        .inner_join(plans::table.on(plans::id.eq(commissions::plan_id)))
        .inner_join(accounts::table.on(accounts::id.eq(plans::holder_id)))
        .filter(plans::council_code.eq(council))
        .filter(commissions::created_at.ge(start))
        .filter(commissions::created_at.lt(end))
        .filter(commissions::status.ne_all(["declined", "cancelled"]))
        .select((
            commissions::id,
            commissions::plan_id,
            commissions::seller_id,
            commissions::requested_by,
            commissions::acting_as,
            commissions::category,
            commissions::total_pence,
            commissions::created_at,
            plans::holder_id,
            accounts::district,
        ))
        .load(conn)?)
}
