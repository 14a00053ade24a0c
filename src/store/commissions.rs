//! Commissions, their deliveries, and the replayable answers of idempotent requests.

use crate::domain::ids::{AccountId, CommissionId, ListingId, PlanId, PortionId};
use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::codes::{Code, Json};
use super::locks::PlanLock;
use super::schema::{commissions, deliveries, idempotency_keys, plans};
use super::{DbConnection, StoreError};
use crate::domain::pricing::Cost;
use crate::domain::vocab::{
    ActingAs, AffiliationNature, Band, Category, CommissionStatus, QuantityPer, Unit,
};
use crate::on_backend;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = commissions)]
pub struct CommissionRow {
    #[diesel(skip_insertion)]
    pub id: CommissionId,
    pub plan_id: PlanId,
    pub portion_id: PortionId,
    pub listing_id: ListingId,
    pub seller_id: AccountId,
    pub requested_by: AccountId,
    pub acting_as: ActingAs,
    pub status: CommissionStatus,
    pub listing_title: String,
    pub category: Category,
    pub unit: Unit,
    pub band: Option<Band>,
    pub quantity_centi: i64,
    pub per: QuantityPer,
    pub visits_per_week_centi: Option<i64>,
    pub start_date: NaiveDate,
    pub end_date: NaiveDate,
    pub outcome_id: Option<i64>,
    pub unit_price_pence: i64,
    pub weekly_pence: i64,
    pub fees_pence: i64,
    pub total_pence: i64,
    pub cost: Json<Cost>,
    /// The listings a broker considered besides this one.
    pub alternatives: Json<Vec<String>>,
    pub note: String,
    pub reason: Option<String>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    /// The tailored offer this commission was accepted from, if any.
    pub offer_id: Option<i64>,
    /// The broker's declared interest in the seller when a broker commissioned.
    pub broker_affiliation: Option<AffiliationNature>,
}

/// Writes a new commission on the locked plan.
pub fn insert(
    conn: &mut DbConnection,
    lock: &PlanLock,
    row: &CommissionRow,
) -> Result<CommissionId, StoreError> {
    lock.covers(row.plan_id)?;
    Ok(on_backend!(conn, |c| diesel::insert_into(
        commissions::table
    )
    .values(row)
    .returning(commissions::id)
    .get_result(c))?)
}

pub fn find(
    conn: &mut DbConnection,
    id: CommissionId,
) -> Result<Option<CommissionRow>, StoreError> {
    Ok(commissions::table
        .find(id)
        .select(CommissionRow::as_select())
        .first(conn)
        .optional()?)
}

pub fn of_plan(conn: &mut DbConnection, plan_id: PlanId) -> Result<Vec<CommissionRow>, StoreError> {
    Ok(commissions::table
        .filter(commissions::plan_id.eq(plan_id))
        .order(commissions::id)
        .select(CommissionRow::as_select())
        .load(conn)?)
}

/// Moves a commission of the locked plan from `from` to `to`; false when it
/// was no longer `from` (compare-and-set, see `locks`).
pub fn move_status(
    conn: &mut DbConnection,
    lock: &PlanLock,
    id: CommissionId,
    (from, to): (CommissionStatus, CommissionStatus),
    reason: Option<&str>,
    now: NaiveDateTime,
) -> Result<bool, StoreError> {
    let changed = diesel::update(
        commissions::table
            .find(id)
            .filter(commissions::plan_id.eq(lock.plan_id()))
            .filter(commissions::status.eq(from)),
    )
    .set((
        commissions::status.eq(to),
        commissions::reason.eq(reason),
        commissions::updated_at.eq(now),
    ))
    .execute(conn)?;
    Ok(changed == 1)
}

/// Whose commissions a list shows.
pub enum Scope<'a> {
    /// Commissions on these plans (a holder's, a representative's, a broker's clients').
    Plans(&'a [PlanId]),
    /// Commissions a seller is asked to fulfil.
    Seller(AccountId),
    /// Commissions on plans of a council.
    Council(&'a str),
}

pub fn list(
    conn: &mut DbConnection,
    scope: Scope,
    offset: i64,
    limit: i64,
) -> Result<(Vec<CommissionRow>, i64), StoreError> {
    let query = || {
        let mut query = commissions::table.into_boxed();
        query = match &scope {
            Scope::Plans(ids) => query.filter(commissions::plan_id.eq_any(ids.to_vec())),
            Scope::Seller(id) => query.filter(commissions::seller_id.eq(*id)),
            Scope::Council(code) => query.filter(
                commissions::plan_id.eq_any(
                    plans::table
                        .filter(plans::council_code.eq(code.to_string()))
                        .select(plans::id),
                ),
            ),
        };
        query
    };
    let total: i64 = query().count().get_result(conn)?;
    let rows = query()
        .order(commissions::id.desc())
        .offset(offset)
        .limit(limit)
        .select(CommissionRow::as_select())
        .load(conn)?;
    Ok((rows, total))
}

/// A commission's id, status (or the unknown code stored) and total.
pub type CommissionTotal = (CommissionId, Result<CommissionStatus, String>, i64);

/// Every commission's id, status and total, for checking the ledger. A
/// status this program does not know is handed back as it was stored, for
/// the check to report rather than stop at.
pub fn ids_all(conn: &mut DbConnection) -> Result<Vec<CommissionTotal>, StoreError> {
    let rows: Vec<(CommissionId, String, i64)> = commissions::table
        .order(commissions::id)
        .select((
            commissions::id,
            commissions::status,
            commissions::total_pence,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(id, status, total)| {
            (
                id,
                CommissionStatus::from_code(&status).ok_or(status),
                total,
            )
        })
        .collect())
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = deliveries)]
pub struct DeliveryRow {
    pub id: i64,
    pub commission_id: CommissionId,
    pub period_start: NaiveDate,
    pub period_end: NaiveDate,
    pub quantity_centi: i64,
    pub amount_pence: i64,
    pub recorded_by: AccountId,
    pub recorded_at: NaiveDateTime,
}

pub struct NewDelivery {
    pub commission_id: CommissionId,
    pub period_start: NaiveDate,
    pub period_end: NaiveDate,
    pub quantity_centi: i64,
    pub amount_pence: i64,
    pub recorded_by: AccountId,
}

/// Records support delivered on a commission of the locked plan.
pub fn insert_delivery(
    conn: &mut DbConnection,
    _lock: &PlanLock,
    delivery: &NewDelivery,
    now: NaiveDateTime,
) -> Result<i64, StoreError> {
    let values = (
        deliveries::commission_id.eq(delivery.commission_id),
        deliveries::period_start.eq(delivery.period_start),
        deliveries::period_end.eq(delivery.period_end),
        deliveries::quantity_centi.eq(delivery.quantity_centi),
        deliveries::amount_pence.eq(delivery.amount_pence),
        deliveries::recorded_by.eq(delivery.recorded_by),
        deliveries::recorded_at.eq(now),
    );
    Ok(on_backend!(conn, |c| diesel::insert_into(
        deliveries::table
    )
    .values(&values)
    .returning(deliveries::id)
    .get_result(c))?)
}

pub fn deliveries_of(
    conn: &mut DbConnection,
    commission_id: CommissionId,
) -> Result<Vec<DeliveryRow>, StoreError> {
    Ok(deliveries::table
        .filter(deliveries::commission_id.eq(commission_id))
        .order(deliveries::id)
        .select(DeliveryRow::as_select())
        .load(conn)?)
}

/// A stored answer to a request that carried an `Idempotency-Key`.
#[derive(Debug, Clone, Queryable)]
pub struct StoredAnswer {
    pub request: String,
    pub status: i32,
    pub body: String,
}

pub fn stored_answer(
    conn: &mut DbConnection,
    account_id: AccountId,
    key: &str,
) -> Result<Option<StoredAnswer>, StoreError> {
    Ok(idempotency_keys::table
        .find((account_id, key))
        .select((
            idempotency_keys::request,
            idempotency_keys::status,
            idempotency_keys::body,
        ))
        .first(conn)
        .optional()?)
}

pub fn store_answer(
    conn: &mut DbConnection,
    account_id: AccountId,
    key: &str,
    answer: &StoredAnswer,
    now: NaiveDateTime,
) -> Result<(), StoreError> {
    diesel::insert_into(idempotency_keys::table)
        .values((
            idempotency_keys::account_id.eq(account_id),
            idempotency_keys::key.eq(key),
            idempotency_keys::request.eq(&answer.request),
            idempotency_keys::status.eq(answer.status),
            idempotency_keys::body.eq(&answer.body),
            idempotency_keys::created_at.eq(now),
        ))
        .execute(conn)?;
    Ok(())
}
