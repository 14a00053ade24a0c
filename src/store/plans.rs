//! Plans with their portions, outcomes, planned support, representatives and
//! history.

use crate::domain::ids::{AccountId, PlanId, PortionId};
use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::locks::PlanLock;
use super::schema::{
    plan_brokers, plan_events, plan_outcomes, plan_portions, plan_representatives, planned_support,
    plans,
};
use super::{DbConnection, StoreError};
use crate::domain::plans::{NewPlan, Outcome, PlannedSupport};
use crate::domain::vocab::{
    ActingAs, Category, FundingStream, OutcomeDomain, PlanStatus, PortionMode, QuantityPer,
};
use crate::on_backend;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = plans)]
pub struct PlanRow {
    pub id: PlanId,
    pub holder_id: AccountId,
    pub council_code: String,
    pub status: PlanStatus,
    pub period_start: NaiveDate,
    pub period_end: NaiveDate,
    pub revision: i32,
    pub created_by: AccountId,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = plan_portions)]
pub struct PortionRow {
    pub id: PortionId,
    pub plan_id: PlanId,
    pub position: i32,
    pub mode: PortionMode,
    pub funding_stream: FundingStream,
    pub provider_id: Option<AccountId>,
    pub budget_pence: i64,
    pub committed_pence: i64,
    pub spent_pence: i64,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = plan_outcomes)]
pub struct OutcomeRow {
    pub id: i64,
    pub plan_id: PlanId,
    pub position: i32,
    pub title: String,
    pub domain: OutcomeDomain,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = planned_support)]
pub struct PlannedRow {
    pub id: i64,
    pub plan_id: PlanId,
    pub position: i32,
    pub category: Category,
    pub quantity_centi: Option<i64>,
    pub per: QuantityPer,
    pub amount_pence: Option<i64>,
    pub outcome_id: Option<i64>,
    pub portion_id: Option<PortionId>,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = plan_events)]
pub struct EventRow {
    pub id: i64,
    pub plan_id: PlanId,
    pub at: NaiveDateTime,
    pub actor_id: AccountId,
    pub acting_as: ActingAs,
    pub action: String,
    pub detail: String,
}

/// Inserts a plan and its (still empty) portions; returns the plan id and the portion ids in order.
pub fn insert(
    conn: &mut DbConnection,
    plan: &NewPlan,
    council_code: &str,
    created_by: AccountId,
    now: NaiveDateTime,
) -> Result<(PlanId, Vec<PortionId>), StoreError> {
    let values = (
        plans::holder_id.eq(plan.holder_id),
        plans::council_code.eq(council_code),
        plans::status.eq(PlanStatus::Draft),
        plans::period_start.eq(plan.period_start),
        plans::period_end.eq(plan.period_end),
        plans::created_by.eq(created_by),
        plans::created_at.eq(now),
        plans::updated_at.eq(now),
    );
    let id: PlanId = on_backend!(conn, |c| diesel::insert_into(plans::table)
        .values(&values)
        .returning(plans::id)
        .get_result(c))?;
    let mut portion_ids = Vec::new();
    for (position, portion) in plan.portions.iter().enumerate() {
        let values = (
            plan_portions::plan_id.eq(id),
            plan_portions::position.eq(position as i32),
            plan_portions::mode.eq(portion.mode),
            plan_portions::funding_stream.eq(portion.funding_stream),
            plan_portions::provider_id.eq(portion.provider_id),
            plan_portions::budget_pence.eq(0),
        );
        let portion_id: PortionId =
            on_backend!(conn, |c| diesel::insert_into(plan_portions::table)
                .values(&values)
                .returning(plan_portions::id)
                .get_result(c))?;
        portion_ids.push(portion_id);
    }
    Ok((id, portion_ids))
}

pub fn find(conn: &mut DbConnection, id: PlanId) -> Result<Option<PlanRow>, StoreError> {
    Ok(plans::table
        .find(id)
        .select(PlanRow::as_select())
        .first(conn)
        .optional()?)
}

pub fn portions(conn: &mut DbConnection, plan_id: PlanId) -> Result<Vec<PortionRow>, StoreError> {
    Ok(plan_portions::table
        .filter(plan_portions::plan_id.eq(plan_id))
        .order(plan_portions::position)
        .select(PortionRow::as_select())
        .load(conn)?)
}

/// One portion; read under the plan's lock before its balance changes.
pub fn portion(conn: &mut DbConnection, id: PortionId) -> Result<Option<PortionRow>, StoreError> {
    Ok(plan_portions::table
        .find(id)
        .select(PortionRow::as_select())
        .first(conn)
        .optional()?)
}

pub fn set_portion_balance(
    conn: &mut DbConnection,
    _lock: &PlanLock,
    id: PortionId,
    budget_pence: i64,
    committed_pence: i64,
    spent_pence: i64,
) -> Result<(), StoreError> {
    diesel::update(plan_portions::table.find(id))
        .set((
            plan_portions::budget_pence.eq(budget_pence),
            plan_portions::committed_pence.eq(committed_pence),
            plan_portions::spent_pence.eq(spent_pence),
        ))
        .execute(conn)?;
    Ok(())
}

pub fn outcomes(conn: &mut DbConnection, plan_id: PlanId) -> Result<Vec<OutcomeRow>, StoreError> {
    Ok(plan_outcomes::table
        .filter(plan_outcomes::plan_id.eq(plan_id))
        .order(plan_outcomes::position)
        .select(OutcomeRow::as_select())
        .load(conn)?)
}

pub fn planned(conn: &mut DbConnection, plan_id: PlanId) -> Result<Vec<PlannedRow>, StoreError> {
    Ok(planned_support::table
        .filter(planned_support::plan_id.eq(plan_id))
        .order(planned_support::position)
        .select(PlannedRow::as_select())
        .load(conn)?)
}

/// Replaces the outcomes: those with an id are updated, new ones added, the
/// rest removed. Returns the ids in the given order.
pub fn replace_outcomes(
    conn: &mut DbConnection,
    lock: &PlanLock,
    outcomes: &[Outcome],
) -> Result<Vec<i64>, StoreError> {
    let plan_id = lock.plan_id();
    let kept: Vec<i64> = outcomes.iter().filter_map(|o| o.id).collect();
    diesel::delete(
        plan_outcomes::table
            .filter(plan_outcomes::plan_id.eq(plan_id))
            .filter(plan_outcomes::id.ne_all(&kept)),
    )
    .execute(conn)?;
    let mut ids = Vec::new();
    for (position, outcome) in outcomes.iter().enumerate() {
        let values = (
            plan_outcomes::position.eq(position as i32),
            plan_outcomes::title.eq(&outcome.title),
            plan_outcomes::domain.eq(outcome.domain),
        );
        match outcome.id {
            Some(id) => {
                diesel::update(
                    plan_outcomes::table
                        .find(id)
                        .filter(plan_outcomes::plan_id.eq(plan_id)),
                )
                .set(values)
                .execute(conn)?;
                ids.push(id);
            }
            None => {
                let id: i64 = on_backend!(conn, |c| diesel::insert_into(plan_outcomes::table)
                    .values((plan_outcomes::plan_id.eq(plan_id), values))
                    .returning(plan_outcomes::id)
                    .get_result(c))?;
                ids.push(id);
            }
        }
    }
    Ok(ids)
}

pub fn replace_planned(
    conn: &mut DbConnection,
    lock: &PlanLock,
    lines: &[PlannedSupport],
) -> Result<(), StoreError> {
    let plan_id = lock.plan_id();
    diesel::delete(planned_support::table.filter(planned_support::plan_id.eq(plan_id)))
        .execute(conn)?;
    for (position, line) in lines.iter().enumerate() {
        diesel::insert_into(planned_support::table)
            .values((
                planned_support::plan_id.eq(plan_id),
                planned_support::position.eq(position as i32),
                planned_support::category.eq(line.category),
                planned_support::quantity_centi.eq(line.quantity.map(|q| q.hundredths())),
                planned_support::per.eq(line.per),
                planned_support::amount_pence.eq(line.amount.map(|a| a.pence())),
                planned_support::outcome_id.eq(line.outcome_id),
                planned_support::portion_id.eq(line.portion_id),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// Moves the locked plan from `from` to `to`; false when it was no longer
/// `from` (compare-and-set, see `locks`).
pub fn move_status(
    conn: &mut DbConnection,
    lock: &PlanLock,
    from: PlanStatus,
    to: PlanStatus,
    now: NaiveDateTime,
) -> Result<bool, StoreError> {
    let approved = i32::from(to == PlanStatus::Approved);
    let changed = diesel::update(
        plans::table
            .find(lock.plan_id())
            .filter(plans::status.eq(from)),
    )
    .set((
        plans::status.eq(to),
        plans::revision.eq(plans::revision + approved),
        plans::updated_at.eq(now),
    ))
    .execute(conn)?;
    Ok(changed == 1)
}

pub fn touch(conn: &mut DbConnection, id: PlanId, now: NaiveDateTime) -> Result<(), StoreError> {
    diesel::update(plans::table.find(id))
        .set(plans::updated_at.eq(now))
        .execute(conn)?;
    Ok(())
}

pub fn record_event(
    conn: &mut DbConnection,
    plan_id: PlanId,
    actor_id: AccountId,
    acting_as: ActingAs,
    action: &str,
    detail: &str,
    now: NaiveDateTime,
) -> Result<(), StoreError> {
    diesel::insert_into(plan_events::table)
        .values((
            plan_events::plan_id.eq(plan_id),
            plan_events::at.eq(now),
            plan_events::actor_id.eq(actor_id),
            plan_events::acting_as.eq(acting_as),
            plan_events::action.eq(action),
            plan_events::detail.eq(detail),
        ))
        .execute(conn)?;
    Ok(())
}

pub fn events(conn: &mut DbConnection, plan_id: PlanId) -> Result<Vec<EventRow>, StoreError> {
    Ok(plan_events::table
        .filter(plan_events::plan_id.eq(plan_id))
        .order(plan_events::id)
        .select(EventRow::as_select())
        .load(conn)?)
}

pub fn representatives(
    conn: &mut DbConnection,
    plan_id: PlanId,
) -> Result<Vec<AccountId>, StoreError> {
    Ok(plan_representatives::table
        .filter(plan_representatives::plan_id.eq(plan_id))
        .order(plan_representatives::account_id)
        .select(plan_representatives::account_id)
        .load(conn)?)
}

pub fn add_representative(
    conn: &mut DbConnection,
    plan_id: PlanId,
    account_id: AccountId,
    nominated_by: AccountId,
    now: NaiveDateTime,
) -> Result<bool, StoreError> {
    if representatives(conn, plan_id)?.contains(&account_id) {
        return Ok(false);
    }
    diesel::insert_into(plan_representatives::table)
        .values((
            plan_representatives::plan_id.eq(plan_id),
            plan_representatives::account_id.eq(account_id),
            plan_representatives::nominated_by.eq(nominated_by),
            plan_representatives::nominated_at.eq(now),
        ))
        .execute(conn)?;
    Ok(true)
}

pub fn remove_representative(
    conn: &mut DbConnection,
    plan_id: PlanId,
    account_id: AccountId,
) -> Result<bool, StoreError> {
    let removed = diesel::delete(
        plan_representatives::table
            .filter(plan_representatives::plan_id.eq(plan_id))
            .filter(plan_representatives::account_id.eq(account_id)),
    )
    .execute(conn)?;
    Ok(removed > 0)
}

pub fn brokers(conn: &mut DbConnection, plan_id: PlanId) -> Result<Vec<AccountId>, StoreError> {
    Ok(plan_brokers::table
        .filter(plan_brokers::plan_id.eq(plan_id))
        .select(plan_brokers::broker_id)
        .load(conn)?)
}

/// The plans an account holds, represents, brokers, or (for a commissioner) whose council it serves.
pub fn ids_for_holder_side(
    conn: &mut DbConnection,
    account_id: AccountId,
) -> Result<Vec<PlanId>, StoreError> {
    let mut ids: Vec<PlanId> = plans::table
        .filter(plans::holder_id.eq(account_id))
        .select(plans::id)
        .load(conn)?;
    ids.extend(
        plan_representatives::table
            .filter(plan_representatives::account_id.eq(account_id))
            .select(plan_representatives::plan_id)
            .load::<PlanId>(conn)?,
    );
    ids.extend(
        plan_brokers::table
            .filter(plan_brokers::broker_id.eq(account_id))
            .select(plan_brokers::plan_id)
            .load::<PlanId>(conn)?,
    );
    ids.sort_unstable();
    ids.dedup();
    Ok(ids)
}

pub fn ids_of_council(
    conn: &mut DbConnection,
    council_code: &str,
) -> Result<Vec<PlanId>, StoreError> {
    Ok(plans::table
        .filter(plans::council_code.eq(council_code))
        .order(plans::id)
        .select(plans::id)
        .load(conn)?)
}

pub fn all_ids(conn: &mut DbConnection) -> Result<Vec<PlanId>, StoreError> {
    Ok(plans::table.order(plans::id).select(plans::id).load(conn)?)
}

/// Every plan of one budget holder.
pub fn ids_of_holder(
    conn: &mut DbConnection,
    holder_id: AccountId,
) -> Result<Vec<PlanId>, StoreError> {
    Ok(plans::table
        .filter(plans::holder_id.eq(holder_id))
        .order(plans::id)
        .select(plans::id)
        .load(conn)?)
}

/// Sets what a planned support line is expected to cost.
pub fn set_planned_amount(
    conn: &mut DbConnection,
    lock: &PlanLock,
    line_id: i64,
    amount_pence: i64,
) -> Result<(), StoreError> {
    diesel::update(
        planned_support::table
            .find(line_id)
            .filter(planned_support::plan_id.eq(lock.plan_id())),
    )
    .set(planned_support::amount_pence.eq(Some(amount_pence)))
    .execute(conn)?;
    Ok(())
}

/// (plan, budget) for the given plans: the sum of their portions.
pub fn budgets_of(
    conn: &mut DbConnection,
    plan_ids: &[PlanId],
) -> Result<Vec<(PlanId, i64)>, StoreError> {
    let mut rows = Vec::new();
    for chunk in plan_ids.chunks(500) {
        rows.extend(
            plan_portions::table
                .filter(plan_portions::plan_id.eq_any(chunk))
                .select((plan_portions::plan_id, plan_portions::budget_pence))
                .load::<(PlanId, i64)>(conn)?,
        );
    }
    Ok(rows)
}
