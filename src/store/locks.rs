//! **The money rule**: how money and statuses stay exact when many people,
//! and several Bespoke instances, act on one plan at once.
//!
//! 1. Every use case that reads money or a status and then writes runs in one
//!    [`write_transaction`](super::write_transaction) and takes **its plan's
//!    lock before its first read**: [`lock_plan`], or [`lock_plan_of`] when it
//!    starts from a commission, an offer or a request. Everything that holds
//!    money — portions and their balances, the ledger, commissions, deliveries,
//!    planned support, offers accepted into commissions — belongs to exactly
//!    one plan, so one lock per plan orders every such change, while different
//!    people's plans never wait for each other.
//! 2. The store functions that move money or change a money status take the
//!    [`PlanLock`] as an argument (`ledger::post`, `commissions::insert`,
//!    `commissions::move_status`, `plans::move_status`, the planned-support
//!    writers): a new money path that forgets the lock does not compile, and
//!    one that passes another plan's lock is refused at run time.
//! 3. Every status change is also compare-and-set (`UPDATE … WHERE status =
//!    <the status read>`): a change that finds the status moved answers 409
//!    instead of writing, so even a path outside the lock cannot resurrect a
//!    closed commission.
//!
//! On PostgreSQL the lock is `SELECT … FOR NO KEY UPDATE` on the plan's row,
//! held until the transaction ends; `NO KEY` because rows that refer to the
//! plan (commissions, ledger entries) take key-share locks on it, which must not
//! wait for the money lock. On SQLite the write transaction already holds the
//! database's single write lock from its first statement (`BEGIN IMMEDIATE`),
//! so the lock only reads the row. A transaction locks one plan; a use case
//! that ever needs two must lock them in ascending id order.

use crate::domain::ids::{CommissionId, PlanId};
use diesel::connection::{AnsiTransactionManager, TransactionManager};
use diesel::prelude::*;

use super::schema::{commissions, offers, plans, support_requests};
use super::{DbConnection, StoreError};
use crate::on_backend;

/// Proof that this transaction holds a plan's money lock. Only [`lock_plan`]
/// makes one, and only inside a transaction.
#[derive(Debug)]
pub struct PlanLock {
    plan_id: PlanId,
}

impl PlanLock {
    pub fn plan_id(&self) -> PlanId {
        self.plan_id
    }

    /// Refuses a write about another plan than the one locked.
    pub fn covers(&self, plan_id: PlanId) -> Result<(), StoreError> {
        if plan_id == self.plan_id {
            Ok(())
        } else {
            Err(StoreError::Unlocked(format!(
                "plan {plan_id} written under the lock of plan {}",
                self.plan_id
            )))
        }
    }
}

/// What a use case starts from, to find the plan whose lock it needs.
#[derive(Debug, Clone, Copy)]
pub enum Subject {
    Commission(CommissionId),
    Offer(i64),
    Request(i64),
}

fn in_transaction(conn: &mut DbConnection) -> bool {
    on_backend!(conn, |c| matches!(
        AnsiTransactionManager::transaction_manager_status_mut(c).transaction_depth(),
        Ok(Some(_))
    ))
}

/// Takes the plan's money lock until the transaction ends. `None` when there
/// is no such plan. Refused outside a transaction, where it would end at once.
pub fn lock_plan(conn: &mut DbConnection, plan_id: PlanId) -> Result<Option<PlanLock>, StoreError> {
    if !in_transaction(conn) {
        return Err(StoreError::Unlocked(format!(
            "the lock of plan {plan_id} was asked for outside a transaction"
        )));
    }
    let query = plans::table.find(plan_id).select(plans::id);
    let found: Option<PlanId> = match conn {
        DbConnection::Pg(c) => query.for_no_key_update().first(c).optional()?,
        DbConnection::Sqlite(c) => query.first(c).optional()?,
    };
    Ok(found.map(|plan_id| PlanLock { plan_id }))
}

/// Locks the plan a commission, offer or request belongs to. The link to the
/// plan never changes, so reading it before the lock is safe; everything
/// else must be read again after.
pub fn lock_plan_of(
    conn: &mut DbConnection,
    subject: Subject,
) -> Result<Option<PlanLock>, StoreError> {
    let plan_id: Option<PlanId> = match subject {
        Subject::Commission(id) => commissions::table
            .find(id)
            .select(commissions::plan_id)
            .first(conn)
            .optional()?,
        Subject::Request(id) => support_requests::table
            .find(id)
            .select(support_requests::plan_id)
            .first(conn)
            .optional()?,
        Subject::Offer(id) => offers::table
            .inner_join(support_requests::table)
            .filter(offers::id.eq(id))
            .select(support_requests::plan_id)
            .first(conn)
            .optional()?,
    };
    match plan_id {
        Some(plan_id) => lock_plan(conn, plan_id),
        None => Ok(None),
    }
}
