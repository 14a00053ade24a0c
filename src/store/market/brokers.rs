//! What the broker report reads: the commissions that count on the council's
//! plans, who holds consent on which plans, and brokers' declared interests.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::store::schema::{
    accounts, broker_affiliations, commissions, plan_brokers, plan_portions, plans,
};
use crate::store::{DbConnection, StoreError};

/// A commission that counts, with its holder's district.
#[derive(Debug, Clone, Queryable)]
pub struct CountedCommission {
    pub id: i64,
    pub plan_id: i64,
    pub seller_id: i64,
    pub requested_by: i64,
    pub acting_as: String,
    pub category: String,
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

/// (plan, budget) for the given plans: the sum of their portions.
pub fn budgets(conn: &mut DbConnection, plan_ids: &[i64]) -> Result<Vec<(i64, i64)>, StoreError> {
    let mut rows = Vec::new();
    for chunk in plan_ids.chunks(500) {
        rows.extend(
            plan_portions::table
                .filter(plan_portions::plan_id.eq_any(chunk))
                .select((plan_portions::plan_id, plan_portions::budget_pence))
                .load::<(i64, i64)>(conn)?,
        );
    }
    Ok(rows)
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

/// (id, name, role, postcode, created_at) of these accounts.
pub type AccountFacts = (i64, String, String, Option<String>, NaiveDateTime);

pub fn accounts_facts(
    conn: &mut DbConnection,
    ids: &[i64],
) -> Result<Vec<AccountFacts>, StoreError> {
    let mut rows = Vec::new();
    for chunk in ids.chunks(500) {
        rows.extend(
            accounts::table
                .filter(accounts::id.eq_any(chunk))
                .select((
                    accounts::id,
                    accounts::name,
                    accounts::role,
                    accounts::postcode,
                    accounts::created_at,
                ))
                .load::<AccountFacts>(conn)?,
        );
    }
    Ok(rows)
}
