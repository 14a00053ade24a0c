//! `bespoke ledger verify`: recomputes every plan from its ledger and reports
//! where a stored figure disagrees or a rule is broken.

use crate::domain::commissions::holds_commitment;
use crate::domain::ledger::Balance;
use crate::domain::money::Money;
use crate::error::AppError;
use crate::store::commissions as commission_store;
use crate::store::ledger::{self, PostError};
use crate::store::plans as plan_store;
use crate::store::DbConnection;

#[derive(Debug, Default)]
pub struct Report {
    pub plans: usize,
    pub portions: usize,
    pub commissions: usize,
    pub problems: Vec<String>,
}

pub fn verify(conn: &mut DbConnection) -> Result<Report, AppError> {
    let mut report = Report::default();
    for plan_id in plan_store::all_ids(conn)? {
        report.plans += 1;
        let from_ledger = ledger::balances_of_plan(conn, plan_id)?;
        for portion in plan_store::portions(conn, plan_id)? {
            report.portions += 1;
            let kept = Balance {
                budget: Money::from_pence(portion.budget_pence),
                committed: Money::from_pence(portion.committed_pence),
                spent: Money::from_pence(portion.spent_pence),
            };
            let computed = from_ledger.get(&portion.id).copied().unwrap_or_default();
            if kept != computed {
                report.problems.push(format!(
                    "plan {plan_id}, portion {}: the balance says budget {} committed {} spent {}, the ledger gives budget {} committed {} spent {}",
                    portion.id, kept.budget, kept.committed, kept.spent,
                    computed.budget, computed.committed, computed.spent
                ));
            }
            if computed.committed.is_negative()
                || computed.spent.is_negative()
                || computed.available().is_negative()
            {
                report.problems.push(format!(
                    "plan {plan_id}, portion {}: the ledger is overspent or negative (budget {}, committed {}, spent {})",
                    portion.id, computed.budget, computed.committed, computed.spent
                ));
            }
        }
    }
    let movements = ledger::commission_movements(conn)?;
    for (id, status, total_pence) in commission_store::ids_all(conn)? {
        report.commissions += 1;
        let status = match status {
            Ok(status) => status,
            Err(_) => {
                report
                    .problems
                    .push(format!("commission {id}: unknown status {status:?}"));
                continue;
            }
        };
        let (held, spent) = movements.get(&id).copied().unwrap_or_default();
        let (held, spent) = (Money::from_pence(held), Money::from_pence(spent));
        let expected = if holds_commitment(status) {
            total_pence - spent.pence()
        } else {
            0
        };
        if held.pence() != expected {
            report.problems.push(format!(
                "commission {id}: holds {held} in the ledger but should hold {}",
                Money::from_pence(expected)
            ));
        }
        if spent.pence() > total_pence {
            report.problems.push(format!(
                "commission {id}: {spent} spent, more than its cost {}",
                Money::from_pence(total_pence)
            ));
        }
    }
    Ok(report)
}

/// How a refused or failed ledger post reaches people.
pub fn post_failed(error: PostError) -> AppError {
    match error {
        PostError::Refused(crate::domain::ledger::BalanceError::Exceeded {
            available,
            requested,
        }) => AppError::BudgetExceeded {
            available,
            requested,
        },
        PostError::Refused(other) => AppError::conflict("ledger-refused", other.to_string()),
        PostError::Store(e) => e.into(),
    }
}
