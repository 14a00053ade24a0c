//! The ledger's rules: what each kind of entry does to a portion's balance,
//! and what a balance must never become.

use serde::Serialize;
use strum::{EnumString, IntoStaticStr};

use super::money::Money;

/// Every money movement is one of these, written once and never changed.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, EnumString, IntoStaticStr, Serialize, utoipa::ToSchema,
)]
#[strum(serialize_all = "snake_case")]
#[serde(rename_all = "snake_case")]
pub enum EntryKind {
    /// The portion's budget changes by the (signed) amount.
    Adjust,
    /// Money is promised to a commission.
    Commit,
    /// A promise is withdrawn (declined, cancelled, or completed for less).
    Release,
    /// Promised money is paid: it moves from committed to spent.
    Spend,
}

impl EntryKind {
    pub fn code(self) -> &'static str {
        self.into()
    }
}

/// A portion's figures: its budget, what is promised, what is paid.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, utoipa::ToSchema)]
pub struct Balance {
    pub budget: Money,
    pub committed: Money,
    pub spent: Money,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum BalanceError {
    #[error("that needs {requested} but {available} is available")]
    Exceeded { available: Money, requested: Money },
    #[error("the figures would go below zero")]
    Negative,
}

impl Balance {
    pub fn available(&self) -> Money {
        Money::from_pence(self.budget.pence() - self.committed.pence() - self.spent.pence())
    }

    /// The balance after an entry, or why the entry may not be written.
    pub fn apply(self, kind: EntryKind, amount: Money) -> Result<Balance, BalanceError> {
        let pence = amount.pence();
        let mut next = self;
        match kind {
            EntryKind::Adjust => next.budget = Money::from_pence(self.budget.pence() + pence),
            EntryKind::Commit => {
                if pence > self.available().pence() {
                    return Err(BalanceError::Exceeded {
                        available: self.available(),
                        requested: amount,
                    });
                }
                next.committed = Money::from_pence(self.committed.pence() + pence);
            }
            EntryKind::Release => {
                next.committed = Money::from_pence(self.committed.pence() - pence)
            }
            EntryKind::Spend => {
                next.committed = Money::from_pence(self.committed.pence() - pence);
                next.spent = Money::from_pence(self.spent.pence() + pence);
            }
        }
        if next.committed.is_negative() || next.spent.is_negative() || next.budget.is_negative() {
            return Err(BalanceError::Negative);
        }
        if next.available().is_negative() {
            return Err(BalanceError::Exceeded {
                available: self.available(),
                requested: amount,
            });
        }
        Ok(next)
    }

    pub fn plus(self, other: Balance) -> Balance {
        Balance {
            budget: Money::from_pence(self.budget.pence() + other.budget.pence()),
            committed: Money::from_pence(self.committed.pence() + other.committed.pence()),
            spent: Money::from_pence(self.spent.pence() + other.spent.pence()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pounds(p: i64) -> Money {
        Money::from_pence(p * 100)
    }

    #[test]
    fn a_portion_can_never_promise_more_than_it_holds() {
        let start = Balance::default()
            .apply(EntryKind::Adjust, pounds(100))
            .unwrap();
        let committed = start.apply(EntryKind::Commit, pounds(60)).unwrap();
        assert_eq!(committed.available(), pounds(40));
        assert_eq!(
            committed.apply(EntryKind::Commit, pounds(41)),
            Err(BalanceError::Exceeded {
                available: pounds(40),
                requested: pounds(41)
            })
        );
        let paid = committed.apply(EntryKind::Spend, pounds(50)).unwrap();
        assert_eq!((paid.committed, paid.spent), (pounds(10), pounds(50)));
        assert_eq!(
            paid.apply(EntryKind::Release, pounds(11)),
            Err(BalanceError::Negative)
        );
        // A budget cannot be cut below what is already promised and paid.
        assert!(paid
            .apply(EntryKind::Adjust, Money::from_pence(-4_100))
            .is_err());
        assert!(paid.apply(EntryKind::Adjust, pounds(-40)).is_ok());
    }
}
