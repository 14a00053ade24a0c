//! What the council's market reports read: one module per report; the
//! council's own reference rates here.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::council_reference_rates;

pub mod brokers;
pub mod fees;
pub mod gaps;
pub mod outcomes;
pub mod risks;
use super::{DbConnection, StoreError};
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
