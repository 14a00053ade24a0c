//! What the outcomes report reads: ratings on the council's plans, and for
//! each holder how their budget is held and what kinds of support they bought.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::store::schema::{commissions, outcome_ratings, plan_portions, plans};
use crate::store::{DbConnection, StoreError};

/// (holder, stage, domain, rating, rated_at) for ratings before `end`.
pub type RatingFacts = (i64, String, String, i32, NaiveDateTime);

pub fn ratings_before(
    conn: &mut DbConnection,
    council: &str,
    end: NaiveDateTime,
) -> Result<Vec<RatingFacts>, StoreError> {
    Ok(outcome_ratings::table
        .inner_join(plans::table.on(plans::id.eq(outcome_ratings::plan_id)))
        .filter(plans::council_code.eq(council))
        .filter(outcome_ratings::rated_at.lt(end))
        .select((
            plans::holder_id,
            outcome_ratings::stage,
            outcome_ratings::domain,
            outcome_ratings::rating,
            outcome_ratings::rated_at,
        ))
        .load(conn)?)
}

/// (holder, mode) for every portion of the council's approved or ended plans.
pub fn portion_modes(
    conn: &mut DbConnection,
    council: &str,
) -> Result<Vec<(i64, String)>, StoreError> {
    Ok(plan_portions::table
        .inner_join(plans::table.on(plans::id.eq(plan_portions::plan_id)))
        .filter(plans::council_code.eq(council))
        .filter(plans::status.eq_any(["approved", "ended"]))
        .select((plans::holder_id, plan_portions::mode))
        .distinct()
        .load(conn)?)
}

/// (holder, category) for commissions that count on the council's plans.
pub fn commissioned_categories(
    conn: &mut DbConnection,
    council: &str,
) -> Result<Vec<(i64, String)>, StoreError> {
    Ok(commissions::table
        .inner_join(plans::table.on(plans::id.eq(commissions::plan_id)))
        .filter(plans::council_code.eq(council))
        .filter(commissions::status.ne_all(["declined", "cancelled"]))
        .select((plans::holder_id, commissions::category))
        .distinct()
        .load(conn)?)
}
