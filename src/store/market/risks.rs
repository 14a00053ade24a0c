//! What the risk signals read, and the flags a commissioner reviews.

use crate::domain::ids::AccountId;
use chrono::NaiveDateTime;
use diesel::dsl::min;
use diesel::prelude::*;

use crate::domain::vocab::Unit;
use crate::on_backend;
use crate::store::schema::{commissions, deliveries, family_agreements, plans, risk_flags};
use crate::store::{DbConnection, StoreError};

/// (seller, holder, first commission) for every pair on the council's plans,
/// counting commissions that were not declined or cancelled.
pub fn first_purchases(
    conn: &mut DbConnection,
    council: &str,
) -> Result<Vec<(i64, i64, Option<NaiveDateTime>)>, StoreError> {
    Ok(commissions::table
        .inner_join(plans::table.on(plans::id.eq(commissions::plan_id)))
        .filter(plans::council_code.eq(council))
        .filter(commissions::status.ne_all(["declined", "cancelled"]))
        .group_by((commissions::seller_id, plans::holder_id))
        .select((
            commissions::seller_id,
            plans::holder_id,
            min(commissions::created_at),
        ))
        .load(conn)?)
}

/// An invoice recorded in the period with its commission's terms.
#[derive(Debug, Clone, Queryable)]
pub struct InvoiceRow {
    pub delivery_id: i64,
    pub commission_id: i64,
    pub seller_id: i64,
    pub quantity_centi: i64,
    pub amount_pence: i64,
    pub unit_price_pence: i64,
    pub unit: Unit,
    pub fees_pence: i64,
}

pub fn invoices(
    conn: &mut DbConnection,
    council: &str,
    start: NaiveDateTime,
    end: NaiveDateTime,
) -> Result<Vec<InvoiceRow>, StoreError> {
    Ok(deliveries::table
        .inner_join(commissions::table.on(commissions::id.eq(deliveries::commission_id)))
        .inner_join(plans::table.on(plans::id.eq(commissions::plan_id)))
        .filter(plans::council_code.eq(council))
        .filter(deliveries::recorded_at.ge(start))
        .filter(deliveries::recorded_at.lt(end))
        .select((
            deliveries::id,
            commissions::id,
            commissions::seller_id,
            deliveries::quantity_centi,
            deliveries::amount_pence,
            commissions::unit_price_pence,
            commissions::unit,
            commissions::fees_pence,
        ))
        .load(conn)?)
}

/// (holder, seller) pairs the council agreed to.
pub fn agreements(conn: &mut DbConnection, council: &str) -> Result<Vec<(i64, i64)>, StoreError> {
    Ok(family_agreements::table
        .filter(family_agreements::council_code.eq(council))
        .select((family_agreements::holder_id, family_agreements::seller_id))
        .load(conn)?)
}

/// Whether the council has recorded its agreement to this holder buying from this seller.
pub fn agreed(
    conn: &mut DbConnection,
    holder_id: AccountId,
    seller_id: AccountId,
) -> Result<bool, StoreError> {
    Ok(diesel::select(diesel::dsl::exists(
        family_agreements::table
            .filter(family_agreements::holder_id.eq(holder_id))
            .filter(family_agreements::seller_id.eq(seller_id)),
    ))
    .get_result(conn)?)
}

pub fn record_agreement(
    conn: &mut DbConnection,
    council: &str,
    holder_id: AccountId,
    seller_id: AccountId,
    recorded_by: AccountId,
    note: &str,
    now: NaiveDateTime,
) -> Result<(), StoreError> {
    let values = (
        family_agreements::council_code.eq(council),
        family_agreements::holder_id.eq(holder_id),
        family_agreements::seller_id.eq(seller_id),
        family_agreements::recorded_by.eq(recorded_by),
        family_agreements::recorded_at.eq(now),
        family_agreements::note.eq(note),
    );
    on_backend!(conn, |c| diesel::insert_into(family_agreements::table)
        .values(values)
        .on_conflict((family_agreements::holder_id, family_agreements::seller_id))
        .do_nothing()
        .execute(c))?;
    Ok(())
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = risk_flags)]
pub struct FlagRow {
    pub id: i64,
    pub council_code: String,
    pub signal_key: String,
    pub kind: String,
    pub subject_id: i64,
    pub explanation: String,
    pub first_seen_at: NaiveDateTime,
    pub last_seen_at: NaiveDateTime,
    pub reviewed_by: Option<i64>,
    pub reviewed_at: Option<NaiveDateTime>,
    pub review_note: Option<String>,
}

/// A signal as seen now.
pub struct SeenSignal<'a> {
    pub key: &'a str,
    pub kind: &'a str,
    pub subject_id: i64,
    pub explanation: &'a str,
}

/// Records each signal (new ones get an id; known ones their latest
/// explanation) and returns their flags in the same order.
pub fn remember(
    conn: &mut DbConnection,
    council: &str,
    signals: &[SeenSignal<'_>],
    now: NaiveDateTime,
) -> Result<Vec<FlagRow>, StoreError> {
    let mut flags = Vec::with_capacity(signals.len());
    for s in signals {
        let existing = risk_flags::table
            .filter(risk_flags::council_code.eq(council))
            .filter(risk_flags::signal_key.eq(s.key))
            .select(FlagRow::as_select())
            .first(conn)
            .optional()?;
        let flag = match existing {
            Some(flag) => {
                diesel::update(risk_flags::table.find(flag.id))
                    .set((
                        risk_flags::explanation.eq(s.explanation),
                        risk_flags::last_seen_at.eq(now),
                    ))
                    .execute(conn)?;
                FlagRow {
                    explanation: s.explanation.to_owned(),
                    last_seen_at: now,
                    ..flag
                }
            }
            None => {
                let values = (
                    risk_flags::council_code.eq(council),
                    risk_flags::signal_key.eq(s.key),
                    risk_flags::kind.eq(s.kind),
                    risk_flags::subject_id.eq(s.subject_id),
                    risk_flags::explanation.eq(s.explanation),
                    risk_flags::first_seen_at.eq(now),
                    risk_flags::last_seen_at.eq(now),
                );
                on_backend!(conn, |c| diesel::insert_into(risk_flags::table)
                    .values(values)
                    .returning(FlagRow::as_returning())
                    .get_result(c))?
            }
        };
        flags.push(flag);
    }
    Ok(flags)
}

pub fn find(
    conn: &mut DbConnection,
    council: &str,
    id: i64,
) -> Result<Option<FlagRow>, StoreError> {
    Ok(risk_flags::table
        .filter(risk_flags::council_code.eq(council))
        .filter(risk_flags::id.eq(id))
        .select(FlagRow::as_select())
        .first(conn)
        .optional()?)
}

pub fn review(
    conn: &mut DbConnection,
    id: i64,
    reviewer: AccountId,
    note: &str,
    now: NaiveDateTime,
) -> Result<(), StoreError> {
    diesel::update(risk_flags::table.find(id))
        .set((
            risk_flags::reviewed_by.eq(reviewer),
            risk_flags::reviewed_at.eq(now),
            risk_flags::review_note.eq(note),
        ))
        .execute(conn)?;
    Ok(())
}
