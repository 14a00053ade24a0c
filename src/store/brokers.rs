//! Brokers: the consent holders give them on plans, and their declared
//! interests in providers.

use crate::domain::ids::{AccountId, PlanId};
use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::{broker_affiliations, listing_areas, listings, plan_brokers};
use super::{DbConnection, StoreError};
use crate::domain::accounts::Role;
use crate::domain::vocab::{AffiliationNature, Category, ListingStatus};

/// Records a holder's consent; false when the broker already had it.
pub fn grant(
    conn: &mut DbConnection,
    plan_id: PlanId,
    broker_id: AccountId,
    now: NaiveDateTime,
) -> Result<bool, StoreError> {
    let existing: i64 = plan_brokers::table
        .filter(plan_brokers::plan_id.eq(plan_id))
        .filter(plan_brokers::broker_id.eq(broker_id))
        .count()
        .get_result(conn)?;
    if existing > 0 {
        return Ok(false);
    }
    diesel::insert_into(plan_brokers::table)
        .values((
            plan_brokers::plan_id.eq(plan_id),
            plan_brokers::broker_id.eq(broker_id),
            plan_brokers::granted_at.eq(now),
        ))
        .execute(conn)?;
    Ok(true)
}

/// Withdraws consent; false when the broker did not have it.
pub fn revoke(
    conn: &mut DbConnection,
    plan_id: PlanId,
    broker_id: AccountId,
) -> Result<bool, StoreError> {
    let removed = diesel::delete(
        plan_brokers::table
            .filter(plan_brokers::plan_id.eq(plan_id))
            .filter(plan_brokers::broker_id.eq(broker_id)),
    )
    .execute(conn)?;
    Ok(removed > 0)
}

/// The plans a broker has consent on.
pub fn client_plans(
    conn: &mut DbConnection,
    broker_id: AccountId,
) -> Result<Vec<PlanId>, StoreError> {
    Ok(plan_brokers::table
        .filter(plan_brokers::broker_id.eq(broker_id))
        .order(plan_brokers::plan_id)
        .select(plan_brokers::plan_id)
        .load(conn)?)
}

/// Declares (or re-declares) an interest in a provider.
pub fn declare(
    conn: &mut DbConnection,
    broker_id: AccountId,
    provider_id: AccountId,
    nature: AffiliationNature,
    now: NaiveDateTime,
) -> Result<(), StoreError> {
    let changed = diesel::update(broker_affiliations::table.find((broker_id, provider_id)))
        .set((
            broker_affiliations::nature.eq(nature),
            broker_affiliations::declared_at.eq(now),
        ))
        .execute(conn)?;
    if changed == 0 {
        diesel::insert_into(broker_affiliations::table)
            .values((
                broker_affiliations::broker_id.eq(broker_id),
                broker_affiliations::provider_id.eq(provider_id),
                broker_affiliations::nature.eq(nature),
                broker_affiliations::declared_at.eq(now),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// A broker's declared interests: (provider, nature, declared at).
pub fn affiliations(
    conn: &mut DbConnection,
    broker_id: AccountId,
) -> Result<Vec<(AccountId, AffiliationNature, NaiveDateTime)>, StoreError> {
    Ok(broker_affiliations::table
        .filter(broker_affiliations::broker_id.eq(broker_id))
        .order(broker_affiliations::provider_id)
        .select((
            broker_affiliations::provider_id,
            broker_affiliations::nature,
            broker_affiliations::declared_at,
        ))
        .load(conn)?)
}

pub fn affiliation(
    conn: &mut DbConnection,
    broker_id: AccountId,
    provider_id: AccountId,
) -> Result<Option<AffiliationNature>, StoreError> {
    Ok(broker_affiliations::table
        .find((broker_id, provider_id))
        .select(broker_affiliations::nature)
        .first(conn)
        .optional()?)
}

/// How many other sellers have a live listing in this category serving any
/// of these districts: the alternatives the market offers.
pub fn other_sellers_serving(
    conn: &mut DbConnection,
    category: Category,
    districts: &[String],
    excluding: &[AccountId],
) -> Result<i64, StoreError> {
    let sellers: Vec<AccountId> = listings::table
        .inner_join(listing_areas::table.on(listing_areas::listing_id.eq(listings::id)))
        .filter(listings::category.eq(category))
        .filter(listings::status.eq(ListingStatus::Published))
        .filter(listing_areas::district.eq_any(districts))
        .filter(listings::owner_id.ne_all(excluding))
        .select(listings::owner_id)
        .distinct()
        .load(conn)?;
    Ok(sellers.len() as i64)
}

/// Every broker account by name, for the holder choosing one.
pub fn all_brokers(conn: &mut DbConnection) -> Result<Vec<(AccountId, String)>, StoreError> {
    use super::schema::accounts;
    Ok(accounts::table
        .filter(accounts::role.eq(Role::Broker))
        .order((accounts::name, accounts::id))
        .select((accounts::id, accounts::name))
        .limit(500)
        .load(conn)?)
}
