//! The cost engine: what support costs over a period, fees included. Listings
//! use it for their worked example; commissions and offers use it for the
//! figure that is committed against a budget.
//!
//! Rules:
//! - The base cost is unit price × quantity per week × weeks, where weeks are
//!   the days of the period divided by seven (pro rata by day).
//! - A fee with an amount is charged once (`one_off`), for each visit
//!   (`visit`: amount × visits per week × weeks), or over time (`week`,
//!   `month`: 12 a year, `year`: by days / 365).
//! - A percentage fee is a share of the base cost, except `budget`, which is a
//!   share of the personal budget for the part of a year the period covers.
//! - Every figure is exact until it is rounded, half away from zero, to pence.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::money::{Money, MoneyError, Percent};
use super::vocab::{FeeKind, FeePer};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(untagged)]
pub enum FeeCharge {
    Amount(Money),
    Percent(Percent),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fee {
    pub kind: FeeKind,
    pub label: String,
    pub charge: FeeCharge,
    pub per: FeePer,
}

impl Fee {
    /// "£40.00 once", "7.5% of the personal budget".
    pub fn describe(&self) -> String {
        match &self.charge {
            FeeCharge::Amount(amount) => {
                format!("{} {}", amount.display_gbp(), vocab_label(self.per))
            }
            FeeCharge::Percent(percent) => match self.per {
                FeePer::Budget | FeePer::CommissionValue => {
                    format!("{percent}% {}", vocab_label(self.per))
                }
                _ => format!("{percent}% of the cost of the support"),
            },
        }
    }
}

fn vocab_label(per: FeePer) -> &'static str {
    use super::vocab::Vocabulary;
    per.label()
}

/// What to price: a rate, how much of it a week, for how many days.
#[derive(Debug, Clone)]
pub struct CostRequest<'a> {
    pub unit_price: Money,
    pub quantity_per_week: Decimal,
    /// The length of the period in days, both ends included.
    pub days: i64,
    pub visits_per_week: Option<Decimal>,
    /// Support on particular days only (bank holidays): how many such days the
    /// period holds. The quantity is then per occasion, and each occasion is one visit.
    pub occasions: Option<i64>,
    /// The personal budget for a year, for fees charged as a share of it.
    pub annual_budget: Option<Money>,
    pub fees: &'a [Fee],
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CostError {
    #[error("visits_per_week is needed because this charges a fee per visit")]
    VisitsNeeded,
    #[error("the personal budget is needed because a fee is a share of it")]
    BudgetNeeded,
    #[error("the period must be at least one day")]
    NoDays,
    #[error("the cost is larger than Bespoke can handle")]
    TooLarge,
}

impl From<MoneyError> for CostError {
    fn from(_: MoneyError) -> Self {
        CostError::TooLarge
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct FeeLine {
    pub kind: FeeKind,
    pub label: String,
    pub per: FeePer,
    /// What this fee adds over the whole period.
    pub total: Money,
    /// What it adds in a typical week (zero for one-off fees).
    pub weekly: Money,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Cost {
    pub unit_price: Money,
    /// The support itself, each week and over the period.
    pub base_weekly: Money,
    pub base_total: Money,
    pub fees: Vec<FeeLine>,
    pub fees_total: Money,
    /// A typical week, recurring fees included, one-off fees not.
    pub weekly: Money,
    /// Everything over the period.
    pub total: Money,
}

const DAYS_IN_WEEK: i64 = 7;
const DAYS_IN_YEAR: i64 = 365;
const WEEKS_IN_YEAR: i64 = 52;

pub fn cost(request: &CostRequest) -> Result<Cost, CostError> {
    if request.days < 1 {
        return Err(CostError::NoDays);
    }
    let days = Decimal::from(request.days);
    let weeks = days / Decimal::from(DAYS_IN_WEEK);
    let year_share = days / Decimal::from(DAYS_IN_YEAR);
    let price = request.unit_price.to_decimal();
    let (base_weekly_exact, base_total_exact) = match request.occasions {
        None => {
            let weekly = price * request.quantity_per_week;
            (weekly, weekly * weeks)
        }
        Some(occasions) => {
            let total = price * request.quantity_per_week * Decimal::from(occasions);
            (total / weeks, total)
        }
    };

    let mut fees = Vec::with_capacity(request.fees.len());
    let mut fees_total_exact = Decimal::ZERO;
    let mut fees_weekly_exact = Decimal::ZERO;
    for fee in request.fees {
        let (total, weekly) = match (&fee.charge, fee.per) {
            (FeeCharge::Percent(p), FeePer::Budget) => {
                let budget = request
                    .annual_budget
                    .ok_or(CostError::BudgetNeeded)?
                    .to_decimal();
                let share = budget * p.to_decimal() / Decimal::ONE_HUNDRED;
                (share * year_share, share / Decimal::from(WEEKS_IN_YEAR))
            }
            (FeeCharge::Percent(p), _) => {
                let share = p.to_decimal() / Decimal::ONE_HUNDRED;
                (base_total_exact * share, base_weekly_exact * share)
            }
            (FeeCharge::Amount(a), per) => {
                let amount = a.to_decimal();
                match per {
                    FeePer::OneOff => (amount, Decimal::ZERO),
                    FeePer::Visit => match request.occasions {
                        Some(occasions) => {
                            let total = amount * Decimal::from(occasions);
                            (total, total / weeks)
                        }
                        None => {
                            let visits = request.visits_per_week.ok_or(CostError::VisitsNeeded)?;
                            (amount * visits * weeks, amount * visits)
                        }
                    },
                    FeePer::Week => (amount * weeks, amount),
                    FeePer::Month => {
                        let monthly_per_year = amount * Decimal::from(12);
                        (
                            monthly_per_year * year_share,
                            monthly_per_year / Decimal::from(WEEKS_IN_YEAR),
                        )
                    }
                    FeePer::Year => (amount * year_share, amount / Decimal::from(WEEKS_IN_YEAR)),
                    // An amount "of the cost" or "of the budget" is simply charged once.
                    FeePer::CommissionValue | FeePer::Budget => (amount, Decimal::ZERO),
                }
            }
        };
        fees_total_exact += total;
        fees_weekly_exact += weekly;
        fees.push(FeeLine {
            kind: fee.kind,
            label: fee.label.clone(),
            per: fee.per,
            total: Money::from_decimal(total)?,
            weekly: Money::from_decimal(weekly)?,
        });
    }

    Ok(Cost {
        unit_price: request.unit_price,
        base_weekly: Money::from_decimal(base_weekly_exact)?,
        base_total: Money::from_decimal(base_total_exact)?,
        fees,
        fees_total: Money::from_decimal(fees_total_exact)?,
        weekly: Money::from_decimal(base_weekly_exact + fees_weekly_exact)?,
        total: Money::from_decimal(base_total_exact + fees_total_exact)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    fn money(text: &str) -> Money {
        Money::parse(text).unwrap()
    }

    fn fee(charge: FeeCharge, per: FeePer) -> Fee {
        Fee {
            kind: FeeKind::Other,
            label: "fee".into(),
            charge,
            per,
        }
    }

    fn request<'a>(fees: &'a [Fee]) -> CostRequest<'a> {
        CostRequest {
            unit_price: money("14.50"),
            quantity_per_week: dec!(6),
            days: 364,
            occasions: None,
            visits_per_week: Some(dec!(3)),
            annual_budget: Some(money("12000.00")),
            fees,
        }
    }

    #[test]
    fn six_hours_a_week_for_fifty_two_weeks() {
        let cost = cost(&request(&[])).unwrap();
        assert_eq!(cost.base_weekly, money("87.00"));
        assert_eq!(cost.base_total, money("4524.00"));
        assert_eq!(cost.total, money("4524.00"));
        assert_eq!(cost.weekly, money("87.00"));
    }

    #[test]
    fn a_part_week_is_pro_rata_by_day() {
        // 10 days = 1 3/7 weeks: 87.00 × 10 / 7 = 124.2857… → 124.29
        let mut r = request(&[]);
        r.days = 10;
        assert_eq!(cost(&r).unwrap().total, money("124.29"));
    }

    #[test]
    fn every_kind_of_fee_adds_what_it_says() {
        let fees = [
            fee(FeeCharge::Amount(money("40.00")), FeePer::OneOff),
            fee(FeeCharge::Amount(money("2.50")), FeePer::Visit),
            fee(FeeCharge::Amount(money("5.00")), FeePer::Week),
            fee(FeeCharge::Amount(money("26.00")), FeePer::Month),
            fee(FeeCharge::Amount(money("73.00")), FeePer::Year),
            fee(
                FeeCharge::Percent(Percent::parse("10").unwrap()),
                FeePer::CommissionValue,
            ),
            fee(
                FeeCharge::Percent(Percent::parse("7.5").unwrap()),
                FeePer::Budget,
            ),
        ];
        let cost = cost(&request(&fees)).unwrap();
        let totals: Vec<String> = cost.fees.iter().map(|f| f.total.to_string()).collect();
        // one-off 40; visits 2.50 × 3 × 52 = 390; weekly 5 × 52 = 260;
        // monthly 26 × 12 × 364/365 = 311.1452… → 311.15; yearly 73 × 364/365 = 72.80;
        // 10% of 4524 = 452.40; 7.5% of 12000 × 364/365 = 897.5342… → 897.53
        assert_eq!(
            totals,
            ["40.00", "390.00", "260.00", "311.15", "72.80", "452.40", "897.53"]
        );
        assert_eq!(cost.fees_total, money("2423.88"));
        assert_eq!(cost.total, money("6947.88"));
        // A typical week: 87 + 7.50 + 5 + 6.00 (26×12/52) + 1.40 (73/52) + 8.70 + 17.307… (900/52)
        assert_eq!(cost.weekly, money("132.91"));
    }

    #[test]
    fn missing_inputs_are_named() {
        let per_visit = [fee(FeeCharge::Amount(money("2.00")), FeePer::Visit)];
        let mut r = request(&per_visit);
        r.visits_per_week = None;
        assert_eq!(cost(&r), Err(CostError::VisitsNeeded));
        let share = [fee(
            FeeCharge::Percent(Percent::parse("5").unwrap()),
            FeePer::Budget,
        )];
        let mut r = request(&share);
        r.annual_budget = None;
        assert_eq!(cost(&r), Err(CostError::BudgetNeeded));
        let mut r = request(&[]);
        r.days = 0;
        assert_eq!(cost(&r), Err(CostError::NoDays));
    }

    #[test]
    fn fees_describe_themselves() {
        assert_eq!(
            fee(FeeCharge::Amount(money("40.00")), FeePer::OneOff).describe(),
            "£40.00 once"
        );
        assert_eq!(
            fee(
                FeeCharge::Percent(Percent::parse("7.5").unwrap()),
                FeePer::Budget
            )
            .describe(),
            "7.5% of the personal budget"
        );
    }
}
