//! The ledger: append-only money movements, and the running balance each
//! portion keeps of them. `post` needs the plan's lock (see `locks`).

use crate::domain::ids::{AccountId, CommissionId, PlanId, PortionId};
use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDateTime;
use diesel::dsl::sql;
use diesel::prelude::*;
use diesel::sql_types::BigInt;

use super::locks::PlanLock;
use super::schema::ledger_entries;
use super::{plans, DbConnection, StoreError};
use crate::domain::ledger::{Balance, BalanceError, EntryKind};
use crate::domain::money::Money;

/// What an entry is about.
#[derive(Debug, Clone, Copy)]
pub struct EntryRef {
    pub plan_id: PlanId,
    pub portion_id: PortionId,
    pub commission_id: Option<CommissionId>,
    pub actor_id: Option<AccountId>,
}

#[derive(Debug, thiserror::Error)]
pub enum PostError {
    #[error(transparent)]
    Refused(#[from] BalanceError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<diesel::result::Error> for PostError {
    fn from(e: diesel::result::Error) -> Self {
        Self::Store(e.into())
    }
}

/// Writes one entry and moves the portion's balance with it, or refuses it
/// (leaving nothing written) when the balance rules forbid it.
pub fn post(
    conn: &mut DbConnection,
    lock: &PlanLock,
    entry: EntryRef,
    kind: EntryKind,
    amount: Money,
    note: &str,
    now: NaiveDateTime,
) -> Result<Balance, PostError> {
    lock.covers(entry.plan_id)?;
    let portion = plans::portion(conn, entry.portion_id)?
        .filter(|p| p.plan_id == entry.plan_id)
        .ok_or(StoreError::Query(diesel::result::Error::NotFound))?;
    let current = Balance {
        budget: Money::from_pence(portion.budget_pence),
        committed: Money::from_pence(portion.committed_pence),
        spent: Money::from_pence(portion.spent_pence),
    };
    let next = current.apply(kind, amount)?;
    diesel::insert_into(ledger_entries::table)
        .values((
            ledger_entries::plan_id.eq(entry.plan_id),
            ledger_entries::portion_id.eq(entry.portion_id),
            ledger_entries::commission_id.eq(entry.commission_id),
            ledger_entries::kind.eq(kind.code()),
            ledger_entries::amount_pence.eq(amount.pence()),
            ledger_entries::at.eq(now),
            ledger_entries::actor_id.eq(entry.actor_id),
            ledger_entries::note.eq(note),
        ))
        .execute(conn)?;
    plans::set_portion_balance(
        conn,
        lock,
        entry.portion_id,
        next.budget.pence(),
        next.committed.pence(),
        next.spent.pence(),
    )?;
    Ok(next)
}

fn kind_of(code: &str) -> Result<EntryKind, StoreError> {
    code.parse()
        .map_err(|_| StoreError::Corrupt(format!("ledger entry kind {code:?}")))
}

/// Each portion's balance worked out from the ledger alone.
pub fn balances_of_plan(
    conn: &mut DbConnection,
    plan_id: PlanId,
) -> Result<BTreeMap<PortionId, Balance>, StoreError> {
    // Summed here rather than in SQL: SUM's type differs between the two databases,
    // and a plan has hundreds of entries, not millions.
    let rows: Vec<(PortionId, String, i64)> = ledger_entries::table
        .filter(ledger_entries::plan_id.eq(plan_id))
        .select((
            ledger_entries::portion_id,
            ledger_entries::kind,
            ledger_entries::amount_pence,
        ))
        .load(conn)?;
    let mut balances: BTreeMap<PortionId, Balance> = BTreeMap::new();
    for (portion_id, kind, total) in rows {
        let balance = balances.entry(portion_id).or_default();
        let pence = |m: Money| m.pence();
        match kind_of(&kind)? {
            EntryKind::Adjust => balance.budget = Money::from_pence(pence(balance.budget) + total),
            EntryKind::Commit => {
                balance.committed = Money::from_pence(pence(balance.committed) + total)
            }
            EntryKind::Release => {
                balance.committed = Money::from_pence(pence(balance.committed) - total)
            }
            EntryKind::Spend => {
                balance.committed = Money::from_pence(pence(balance.committed) - total);
                balance.spent = Money::from_pence(pence(balance.spent) + total);
            }
        }
    }
    Ok(balances)
}

/// Every commission's (held, spent) from the ledger in one pass, for
/// checking them all: held is commitments less releases and spending.
pub fn commission_movements(
    conn: &mut DbConnection,
) -> Result<HashMap<CommissionId, (i64, i64)>, StoreError> {
    movements_of(conn, None)
}

/// (held, spent) of these commissions, in one query for every 500 of them
/// however many there are: what a page of commissions shows.
pub fn commission_figures(
    conn: &mut DbConnection,
    ids: &[CommissionId],
) -> Result<HashMap<CommissionId, (Money, Money)>, StoreError> {
    let mut figures = HashMap::new();
    for chunk in ids.chunks(500) {
        for (id, (held, spent)) in movements_of(conn, Some(chunk))? {
            figures.insert(id, (Money::from_pence(held), Money::from_pence(spent)));
        }
    }
    Ok(figures)
}

/// (held, spent) by commission, of all commissions or of these.
fn movements_of(
    conn: &mut DbConnection,
    ids: Option<&[CommissionId]>,
) -> Result<HashMap<CommissionId, (i64, i64)>, StoreError> {
    // SUM of a BIGINT is NUMERIC on PostgreSQL and INTEGER on SQLite: cast to agree.
    macro_rules! sums_by_commission_and_kind {
        ($entries:expr) => {
            $entries
                .group_by((ledger_entries::commission_id, ledger_entries::kind))
                .select((
                    ledger_entries::commission_id,
                    ledger_entries::kind,
                    sql::<BigInt>("CAST(SUM(ledger_entries.amount_pence) AS BIGINT)"),
                ))
                .load(conn)?
        };
    }
    let rows: Vec<(Option<CommissionId>, String, i64)> = match ids {
        None => sums_by_commission_and_kind!(
            ledger_entries::table.filter(ledger_entries::commission_id.is_not_null())
        ),
        Some(ids) => sums_by_commission_and_kind!(
            ledger_entries::table.filter(ledger_entries::commission_id.eq_any(ids))
        ),
    };
    let mut movements: HashMap<CommissionId, (i64, i64)> = HashMap::new();
    for (commission, kind, total) in rows {
        let Some(commission) = commission else {
            continue;
        };
        let entry = movements.entry(commission).or_default();
        match kind_of(&kind)? {
            EntryKind::Commit => entry.0 += total,
            EntryKind::Release => entry.0 -= total,
            EntryKind::Spend => {
                entry.0 -= total;
                entry.1 += total;
            }
            EntryKind::Adjust => {}
        }
    }
    Ok(movements)
}

/// What a commission still holds committed: its commitments less what was
/// released or spent.
pub fn commission_commitment(
    conn: &mut DbConnection,
    commission_id: CommissionId,
) -> Result<Money, StoreError> {
    let held = movements_of(conn, Some(&[commission_id]))?
        .get(&commission_id)
        .map_or(0, |(held, _)| *held);
    Ok(Money::from_pence(held))
}
