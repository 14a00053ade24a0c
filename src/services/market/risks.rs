//! Risk signals on the council's plans, and the commissioner's reviews of them.

use crate::domain::ids::{AccountId, PlanId};
use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Duration, NaiveDateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{to_csv, Period};
use crate::domain::accounts::Role;
use crate::domain::market::risks::{
    self, BrokerFee, FirstPurchase, InvoiceFacts, Pairing, Signal, USUAL_RATE_DAYS,
};
use crate::domain::money::Money;
use crate::domain::vocab::{Category, Vocabulary};
use crate::error::{AppError, FieldErrors};
use crate::services::access::Account;
use crate::store::accounts as account_store;
use crate::store::market as market_store;
use crate::store::market::risks::{self as store, FlagRow, SeenSignal};
use crate::store::plans as plan_store;
use crate::store::{write_transaction, DbConnection};

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RiskItem {
    pub id: i64,
    pub kind: String,
    pub kind_label: &'static str,
    pub subject_id: i64,
    pub subject_name: String,
    pub explanation: String,
    pub first_seen_at: DateTime<Utc>,
    pub reviewed: bool,
    pub reviewed_at: Option<DateTime<Utc>>,
    pub reviewed_by: Option<i64>,
    pub review_note: Option<String>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RisksReport {
    pub council: String,
    pub period: Period,
    /// Not yet reviewed first, then newest first.
    pub items: Vec<RiskItem>,
}

pub fn kind_label(kind: &str) -> &'static str {
    match kind {
        "client_burst" => "A burst of new clients",
        "new_accounts_burst" => "Many new accounts buying first from one provider",
        "invoice_above_commission" => "An invoice above what was commissioned",
        "family_assistant" => "A personal assistant who may be family",
        "broker_fees_high" => "Broker fees far above other brokers'",
        "broker_fees_scale" => "Broker fees that grow with the budget",
        _ => "Other signal",
    }
}

fn item(flag: FlagRow, names: &HashMap<i64, String>) -> RiskItem {
    RiskItem {
        id: flag.id,
        kind_label: kind_label(&flag.kind),
        subject_name: names.get(&flag.subject_id).cloned().unwrap_or_default(),
        kind: flag.kind,
        subject_id: flag.subject_id,
        explanation: flag.explanation,
        first_seen_at: flag.first_seen_at.and_utc(),
        reviewed: flag.reviewed_at.is_some(),
        reviewed_at: flag.reviewed_at.map(|t| t.and_utc()),
        reviewed_by: flag.reviewed_by,
        review_note: flag.review_note,
    }
}

/// Every signal in the period, worked out from the council's plans.
fn signals(
    conn: &mut DbConnection,
    council: &str,
    start: NaiveDateTime,
    end: NaiveDateTime,
) -> Result<(Vec<Signal>, HashMap<i64, String>), AppError> {
    let pairs = store::first_purchases(conn, council)?;
    let mut holders_first: HashMap<i64, (NaiveDateTime, i64)> = HashMap::new();
    for (seller, holder, at) in &pairs {
        if let Some(at) = at {
            let first = holders_first.entry(*holder).or_insert((*at, *seller));
            if *at < first.0 {
                *first = (*at, *seller);
            }
        }
    }
    // Every (holder, seller) who dealt: the sellers who are personal assistants are kept below.
    let dealt: Vec<(i64, i64)> = pairs.iter().map(|(s, h, _)| (*h, *s)).collect();
    let since = start - Duration::days(USUAL_RATE_DAYS);
    let relevant: Vec<(i64, i64, NaiveDateTime)> = pairs
        .into_iter()
        .filter_map(|(s, h, at)| Some((s, h, at?)))
        .filter(|(_, _, at)| *at >= since && *at < end)
        .collect();
    let invoices = store::invoices(conn, council, start, end)?;
    let counted = market_store::counted_commissions(conn, council, start, end)?;
    let brokerage: Vec<_> = counted
        .iter()
        .filter(|c| c.category == Category::Brokerage)
        .collect();
    let mut ids: HashSet<i64> = HashSet::new();
    ids.extend(relevant.iter().flat_map(|(s, h, _)| [*s, *h]));
    ids.extend(dealt.iter().flat_map(|(h, s)| [*h, *s]));
    ids.extend(invoices.iter().map(|i| i.seller_id));
    ids.extend(brokerage.iter().map(|c| c.seller_id));
    let ids: Vec<i64> = ids.into_iter().collect();
    let facts: HashMap<i64, (String, Role, Option<String>, NaiveDateTime)> =
        account_store::summaries_of(conn, &ids)?
            .into_iter()
            .map(|(id, name, role, postcode, created)| (id, (name, role, postcode, created)))
            .collect();
    let name = |id: i64| facts.get(&id).map(|f| f.0.clone()).unwrap_or_default();
    let assistant_pairs: Vec<(i64, i64)> = dealt
        .into_iter()
        .filter(|(_, seller)| {
            facts
                .get(seller)
                .is_some_and(|f| f.1 == Role::PersonalAssistant)
        })
        .collect();

    let purchases: Vec<FirstPurchase> = relevant
        .iter()
        .filter_map(|(seller, holder, at)| {
            let holder_facts = facts.get(holder)?;
            Some(FirstPurchase {
                seller_id: *seller,
                seller_name: name(*seller),
                holder_id: *holder,
                at: *at,
                holder_created_at: holder_facts.3,
                holders_first_seller: holders_first.get(holder).is_some_and(|f| f.1 == *seller),
            })
        })
        .collect();
    let mut found = risks::client_bursts(&purchases, start, end);
    found.extend(risks::new_account_bursts(&purchases, start, end));
    found.extend(risks::invoices_above_commission(
        &invoices
            .iter()
            .map(|i| InvoiceFacts {
                delivery_id: i.delivery_id,
                commission_id: i.commission_id,
                seller_id: i.seller_id,
                seller_name: name(i.seller_id),
                quantity_centi: i.quantity_centi,
                amount: Money::from_pence(i.amount_pence),
                unit_price: Money::from_pence(i.unit_price_pence),
                unit: i.unit.code().to_owned(),
                fees: Money::from_pence(i.fees_pence),
            })
            .collect::<Vec<_>>(),
    ));
    let agreed: HashSet<(i64, i64)> = store::agreements(conn, council)?.into_iter().collect();
    found.extend(risks::family_assistants(
        &assistant_pairs
            .iter()
            .filter_map(|(holder, seller)| {
                let (h, s) = (facts.get(holder)?, facts.get(seller)?);
                Some(Pairing {
                    holder_id: *holder,
                    holder_name: h.0.clone(),
                    holder_postcode: h.2.clone(),
                    seller_id: *seller,
                    seller_name: s.0.clone(),
                    seller_postcode: s.2.clone(),
                    agreed: agreed.contains(&(*holder, *seller)),
                })
            })
            .collect::<Vec<_>>(),
    ));
    // A broker's fee on each plan, against that plan's budget.
    let mut fee_by_plan: HashMap<(i64, i64), i64> = HashMap::new();
    for c in brokerage
        .iter()
        .filter(|c| facts.get(&c.seller_id).is_some_and(|f| f.1 == Role::Broker))
    {
        *fee_by_plan.entry((c.seller_id, c.plan_id)).or_default() += c.total_pence;
    }
    let plan_ids: Vec<PlanId> = fee_by_plan.keys().map(|(_, p)| PlanId(*p)).collect();
    let mut budgets: HashMap<i64, i64> = HashMap::new();
    for (plan, pence) in plan_store::budgets_of(conn, &plan_ids)? {
        *budgets.entry(plan.get()).or_default() += pence;
    }
    let mut fees: Vec<BrokerFee> = fee_by_plan
        .into_iter()
        .map(|((broker, plan), fee)| BrokerFee {
            broker_id: broker,
            broker_name: name(broker),
            budget: Money::from_pence(budgets.get(&plan).copied().unwrap_or(0)),
            fee: Money::from_pence(fee),
        })
        .collect();
    fees.sort_by_key(|f| (f.broker_id, f.budget));
    found.extend(risks::broker_fees(&fees));
    let names = facts.into_iter().map(|(id, f)| (id, f.0)).collect();
    Ok((found, names))
}

pub fn risks(
    conn: &mut DbConnection,
    account: &Account,
    period: Period,
    now: DateTime<Utc>,
) -> Result<RisksReport, AppError> {
    let council = account.commissioners_council()?;
    let (found, names) = signals(conn, &council, period.start(), period.end())?;
    let seen: Vec<SeenSignal> = found
        .iter()
        .map(|s| SeenSignal {
            key: &s.key,
            kind: s.kind,
            subject_id: s.subject_id,
            explanation: &s.explanation,
        })
        .collect();
    let flags = write_transaction(conn, |conn| {
        store::remember(conn, &council, &seen, now.naive_utc())
    })?;
    let mut items: Vec<RiskItem> = flags.into_iter().map(|f| item(f, &names)).collect();
    items.sort_by(|a, b| {
        a.reviewed
            .cmp(&b.reviewed)
            .then(b.first_seen_at.cmp(&a.first_seen_at))
            .then(b.id.cmp(&a.id))
    });
    Ok(RisksReport {
        council,
        period,
        items,
    })
}

#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct ReviewInput {
    pub note: Option<String>,
    /// On a family-assistant signal: record the council's agreement too.
    pub agreed: Option<bool>,
}

/// A commissioner marks a signal reviewed with a note.
pub fn review(
    conn: &mut DbConnection,
    account: &Account,
    id: i64,
    input: ReviewInput,
    now: DateTime<Utc>,
) -> Result<RiskItem, AppError> {
    let council = account.commissioners_council()?;
    let mut errors = FieldErrors::new();
    let note = errors
        .required(
            "note",
            input
                .note
                .as_deref()
                .map(str::trim)
                .filter(|n| !n.is_empty()),
        )
        .map(str::to_owned);
    if note.as_ref().is_some_and(|n| n.chars().count() > 2_000) {
        errors.add("note", "must be at most 2,000 characters");
    }
    let flag = write_transaction(conn, |conn| {
        let flag = store::find(conn, &council, id)?.ok_or(AppError::NotFound)?;
        let agreed = input.agreed.unwrap_or(false);
        if agreed && flag.kind != "family_assistant" {
            errors.add(
                "agreed",
                "applies only to a personal assistant who may be family",
            );
        }
        std::mem::take(&mut errors).into_result()?;
        let note = note.clone().expect("checked");
        if let Some((holder, seller)) = risks::family_pair(&flag.signal_key).filter(|_| agreed) {
            store::record_agreement(
                conn,
                &council,
                AccountId(holder),
                AccountId(seller),
                account.id,
                &note,
                now.naive_utc(),
            )?;
        }
        store::review(conn, id, account.id, &note, now.naive_utc())?;
        store::find(conn, &council, id)?.ok_or(AppError::NotFound)
    })?;
    let names: HashMap<i64, String> = account_store::summaries_of(conn, &[flag.subject_id])?
        .into_iter()
        .map(|(id, name, ..)| (id, name))
        .collect();
    Ok(item(flag, &names))
}

pub fn risks_csv(report: &RisksReport) -> Result<String, AppError> {
    to_csv(
        &[
            "id",
            "kind",
            "subject_id",
            "subject_name",
            "explanation",
            "first_seen_at",
            "reviewed",
            "reviewed_at",
            "review_note",
        ],
        report.items.iter().map(|r| {
            vec![
                r.id.to_string(),
                r.kind.clone(),
                r.subject_id.to_string(),
                r.subject_name.clone(),
                r.explanation.clone(),
                r.first_seen_at.to_rfc3339(),
                r.reviewed.to_string(),
                r.reviewed_at.map(|t| t.to_rfc3339()).unwrap_or_default(),
                r.review_note.clone().unwrap_or_default(),
            ]
        }),
    )
}
