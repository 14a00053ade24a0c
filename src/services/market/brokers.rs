//! The broker impartiality report for the council's plans.

use crate::domain::ids::PlanId;
use std::collections::{HashMap, HashSet};

use serde::Serialize;

use super::{money_cell, to_csv, Period};
use crate::domain::accounts::Role;
use crate::domain::market::brokers::{
    broker_rows, BrokerFacts, BrokerRow, PlacedCommission, Thresholds,
};
use crate::domain::money::Money;
use crate::domain::vocab::{ActingAs, Category, Vocabulary};
use crate::error::AppError;
use crate::services::access::Account;
use crate::store::accounts as account_store;
use crate::store::market::{self as market_store, brokers as store};
use crate::store::plans as plan_store;
use crate::store::DbConnection;

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct BrokersReport {
    pub council: String,
    pub period: Period,
    pub min_commissions: u64,
    pub max_p_value: f64,
    /// Flagged brokers first, each with its reasons.
    pub findings: Vec<String>,
    pub items: Vec<BrokerRow>,
}

pub fn brokers(
    conn: &mut DbConnection,
    account: &Account,
    period: Period,
    thresholds: Thresholds,
) -> Result<BrokersReport, AppError> {
    let council = account.commissioners_council()?;
    let counted = market_store::counted_commissions(conn, &council, period.start(), period.end())?;
    let consents = store::consents(conn, &council)?;
    let mut broker_ids: HashSet<i64> = consents.iter().map(|(b, _, _)| *b).collect();
    broker_ids.extend(
        counted
            .iter()
            .filter(|c| c.acting_as == ActingAs::Broker)
            .map(|c| c.requested_by),
    );
    let mut ids: Vec<i64> = broker_ids.iter().copied().collect();
    ids.sort();
    let names: HashMap<i64, String> = account_store::summaries_of(conn, &ids)?
        .into_iter()
        .filter(|(_, _, role, _, _)| *role == Role::Broker)
        .map(|(id, name, ..)| (id, name))
        .collect();
    let plan_ids: Vec<PlanId> = consents.iter().map(|(_, p, _)| PlanId(*p)).collect();
    let mut budgets: HashMap<i64, i64> = HashMap::new();
    for (plan, pence) in plan_store::budgets_of(conn, &plan_ids)? {
        *budgets.entry(plan.get()).or_default() += pence;
    }
    let mut interests: HashMap<i64, HashSet<i64>> =
        ids.iter().map(|b| (*b, HashSet::from([*b]))).collect();
    for (broker, provider) in store::interests(conn, &ids)? {
        interests.entry(broker).or_default().insert(provider);
    }
    // Each broker's consented plans and clients, and brokerage fees by (seller, plan), read once.
    let mut consented: HashMap<i64, (HashSet<i64>, HashSet<i64>)> = HashMap::new();
    for (broker, plan, holder) in &consents {
        let entry = consented.entry(*broker).or_default();
        entry.0.insert(*plan);
        entry.1.insert(*holder);
    }
    let brokerage = Category::Brokerage;
    let mut fees_by_plan: HashMap<(i64, i64), i64> = HashMap::new();
    for c in counted.iter().filter(|c| c.category == brokerage) {
        *fees_by_plan.entry((c.seller_id, c.plan_id)).or_default() += c.total_pence;
    }
    let no_consents = (HashSet::new(), HashSet::new());
    let facts: Vec<BrokerFacts> = names
        .iter()
        .map(|(id, name)| {
            let (plans, clients) = consented.get(id).unwrap_or(&no_consents);
            let sum_over_plans = |values: &dyn Fn(i64) -> Option<i64>| -> i64 {
                plans.iter().filter_map(|p| values(*p)).sum()
            };
            BrokerFacts {
                id: *id,
                name: name.clone(),
                clients: clients.len() as i64,
                client_budgets: Money::from_pence(sum_over_plans(&|p| budgets.get(&p).copied())),
                fees: Money::from_pence(sum_over_plans(&|p| fees_by_plan.get(&(*id, p)).copied())),
                interests: interests.remove(id).unwrap_or_default(),
            }
        })
        .collect();
    let placed: Vec<PlacedCommission> = counted
        .iter()
        .filter(|c| c.category != brokerage)
        .map(|c| PlacedCommission {
            broker_id: (c.acting_as == ActingAs::Broker).then_some(c.requested_by),
            seller_id: c.seller_id,
            category: c.category.code().to_owned(),
            district: c.district.clone(),
            value: Money::from_pence(c.total_pence),
        })
        .collect();
    let items = broker_rows(&facts, &placed, thresholds);
    let findings = items
        .iter()
        .filter(|r| r.flagged)
        .map(|r| format!("{}: {}", r.name, r.reasons.join(" ")))
        .collect();
    Ok(BrokersReport {
        council,
        period,
        min_commissions: thresholds.min_commissions,
        max_p_value: thresholds.max_p_value,
        findings,
        items,
    })
}

pub fn brokers_csv(report: &BrokersReport) -> Result<String, AppError> {
    let opt = |v: &Option<String>| v.clone().unwrap_or_default();
    to_csv(
        &[
            "broker_id",
            "name",
            "clients",
            "commissions",
            "value",
            "affiliated_commissions",
            "affiliated_value",
            "affiliated_share",
            "expected_share",
            "p_value",
            "hhi",
            "market_hhi",
            "fees",
            "fee_share_of_budgets",
            "median_broker_fee_share",
            "evidence",
            "flagged",
            "reasons",
        ],
        report.items.iter().map(|r| {
            vec![
                r.broker_id.to_string(),
                r.name.clone(),
                r.clients.to_string(),
                r.commissions.to_string(),
                r.value.to_string(),
                r.affiliated_commissions.to_string(),
                r.affiliated_value.to_string(),
                opt(&r.affiliated_share),
                opt(&r.expected_share),
                r.p_value.map(|p| format!("{p:.6}")).unwrap_or_default(),
                r.hhi.map(|h| h.to_string()).unwrap_or_default(),
                r.market_hhi.map(|h| h.to_string()).unwrap_or_default(),
                money_cell(Some(r.fees)),
                opt(&r.fee_share_of_budgets),
                opt(&r.median_broker_fee_share),
                r.evidence.to_owned(),
                r.flagged.to_string(),
                r.reasons.join(" "),
            ]
        }),
    )
}
