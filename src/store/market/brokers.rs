//! What the broker report reads: who holds consent on which plans, and
//! brokers' declared interests.

use diesel::prelude::*;

use crate::store::schema::{broker_affiliations, plan_brokers, plans};
use crate::store::{DbConnection, StoreError};

/// (broker, plan, holder) for every consent on the council's plans.
pub fn consents(
    conn: &mut DbConnection,
    council: &str,
) -> Result<Vec<(i64, i64, i64)>, StoreError> {
    Ok(plan_brokers::table
        .inner_join(plans::table.on(plans::id.eq(plan_brokers::plan_id)))
        .filter(plans::council_code.eq(council))
        .select((plan_brokers::broker_id, plans::id, plans::holder_id))
        .load(conn)?)
}

/// (broker, provider) declared interests of these brokers.
pub fn interests(conn: &mut DbConnection, brokers: &[i64]) -> Result<Vec<(i64, i64)>, StoreError> {
    let mut rows = Vec::new();
    for chunk in brokers.chunks(500) {
        rows.extend(
            broker_affiliations::table
                .filter(broker_affiliations::broker_id.eq_any(chunk))
                .select((
                    broker_affiliations::broker_id,
                    broker_affiliations::provider_id,
                ))
                .load::<(i64, i64)>(conn)?,
        );
    }
    Ok(rows)
}
