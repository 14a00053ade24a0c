//! Light-touch risk signals: patterns a person at the council should look at.
//! They flag, never block: each explains itself in words, and each has a key
//! that stays the same between readings so a review sticks to it.

use std::collections::{BTreeMap, HashMap};

use chrono::{Duration, NaiveDateTime};
use serde::Serialize;

use super::plural;
use crate::domain::money::Money;
use crate::domain::statistics::median_f64;

/// A burst: at least this many new clients, and this many times the usual rate.
pub const BURST_MINIMUM: usize = 5;
pub const BURST_FACTOR: f64 = 3.0;
/// The usual rate is read over this many days before the period.
pub const USUAL_RATE_DAYS: i64 = 180;
/// New accounts whose first purchase is from one provider, within a week.
pub const NEW_ACCOUNTS_MINIMUM: usize = 5;
pub const NEW_ACCOUNTS_WINDOW_DAYS: i64 = 7;
/// Broker fees this many times the median broker's share of budgets.
pub const FEE_FACTOR: f64 = 3.0;
/// Fees that rise with budgets: clients needed, and the rank correlation.
pub const FEE_SCALE_CLIENTS: usize = 5;
pub const FEE_SCALE_CORRELATION: f64 = 0.8;

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Signal {
    /// `client_burst`, `invoice_above_commission`, `family_assistant`,
    /// `broker_fees_high`, `broker_fees_scale` or `new_accounts_burst`.
    pub kind: &'static str,
    /// Stable across readings: what the signal is about.
    pub key: String,
    /// The account the signal is about.
    pub subject_id: i64,
    pub subject_name: String,
    pub explanation: String,
}

/// A seller's first commission from a holder.
#[derive(Debug, Clone)]
pub struct FirstPurchase {
    pub seller_id: i64,
    pub seller_name: String,
    pub holder_id: i64,
    pub at: NaiveDateTime,
    /// When the holder's account was made, and whether this seller was the
    /// first the holder ever bought from.
    pub holder_created_at: NaiveDateTime,
    pub holders_first_seller: bool,
}

/// New clients in the period far above the seller's usual rate.
pub fn client_bursts(
    purchases: &[FirstPurchase],
    start: NaiveDateTime,
    end: NaiveDateTime,
) -> Vec<Signal> {
    let days = (end - start).num_days().max(1) as f64;
    let since = start - Duration::days(USUAL_RATE_DAYS);
    let mut by_seller: BTreeMap<i64, (&str, usize, usize)> = BTreeMap::new();
    for p in purchases {
        let entry = by_seller
            .entry(p.seller_id)
            .or_insert((&p.seller_name, 0, 0));
        if p.at >= start && p.at < end {
            entry.1 += 1;
        } else if p.at >= since && p.at < start {
            entry.2 += 1;
        }
    }
    by_seller
        .into_iter()
        .filter_map(|(seller, (name, new, before))| {
            let usual = before as f64 * days / USUAL_RATE_DAYS as f64;
            (new >= BURST_MINIMUM && new as f64 >= BURST_FACTOR * usual.max(1.0)).then(|| Signal {
                kind: "client_burst",
                key: format!("client_burst:{seller}:{}", start.date()),
                subject_id: seller,
                subject_name: name.to_owned(),
                explanation: format!(
                    "{name} gained {} in {} days; over the {USUAL_RATE_DAYS} days before, its usual rate was {:.1} in that time.",
                    plural(new as i64, "new client", "new clients"),
                    days as i64,
                    usual
                ),
            })
        })
        .collect()
}

/// Many new accounts within a week whose first purchase is from one seller.
pub fn new_account_bursts(
    purchases: &[FirstPurchase],
    start: NaiveDateTime,
    end: NaiveDateTime,
) -> Vec<Signal> {
    let mut by_seller: BTreeMap<i64, (&str, Vec<NaiveDateTime>)> = BTreeMap::new();
    for p in purchases.iter().filter(|p| {
        p.holders_first_seller && p.holder_created_at >= start && p.holder_created_at < end
    }) {
        by_seller
            .entry(p.seller_id)
            .or_insert((&p.seller_name, Vec::new()))
            .1
            .push(p.holder_created_at);
    }
    let window = Duration::days(NEW_ACCOUNTS_WINDOW_DAYS);
    by_seller
        .into_iter()
        .filter_map(|(seller, (name, mut created))| {
            created.sort();
            // The busiest week: for each account, how many were made in the 7 days from it.
            let (most, from) = created
                .iter()
                .enumerate()
                .map(|(i, at)| (created[i..].iter().take_while(|c| **c < *at + window).count(), *at))
                .max_by_key(|(count, at)| (*count, std::cmp::Reverse(*at)))?;
            (most >= NEW_ACCOUNTS_MINIMUM).then(|| Signal {
                kind: "new_accounts_burst",
                key: format!("new_accounts_burst:{seller}:{}", from.date()),
                subject_id: seller,
                subject_name: name.to_owned(),
                explanation: format!(
                    "{most} budget holder accounts made within {NEW_ACCOUNTS_WINDOW_DAYS} days from {} each bought first from {name}.",
                    from.format("%-d %B %Y")
                ),
            })
        })
        .collect()
}

/// An invoice, with what its commission allows for it.
#[derive(Debug, Clone)]
pub struct InvoiceFacts {
    pub delivery_id: i64,
    pub commission_id: i64,
    pub seller_id: i64,
    pub seller_name: String,
    /// Hundredths of a unit.
    pub quantity_centi: i64,
    pub amount: Money,
    pub unit_price: Money,
    pub unit: String,
    /// The commission's fees, all of which might fall in one invoice.
    pub fees: Money,
}

/// Invoices for more than the delivered quantity at the commissioned price
/// (plus every fee of the commission) would come to.
pub fn invoices_above_commission(invoices: &[InvoiceFacts]) -> Vec<Signal> {
    invoices
        .iter()
        .filter_map(|i| {
            let allowed = (i.unit_price.pence() as i128 * i.quantity_centi as i128 + 50) / 100
                + i.fees.pence() as i128;
            (i.amount.pence() as i128 > allowed).then(|| Signal {
                kind: "invoice_above_commission",
                key: format!("invoice_above_commission:{}", i.delivery_id),
                subject_id: i.seller_id,
                subject_name: i.seller_name.clone(),
                explanation: format!(
                    "{} invoiced {} on commission {} for {} {} at {} a {}, which comes to at most {} with its fees.",
                    i.seller_name,
                    i.amount.display_gbp(),
                    i.commission_id,
                    crate::domain::quantity::Quantity::from_hundredths(i.quantity_centi),
                    i.unit,
                    i.unit_price.display_gbp(),
                    i.unit,
                    Money::from_pence(allowed as i64).display_gbp()
                ),
            })
        })
        .collect()
}

/// A personal assistant a holder bought from, with both their names and addresses.
#[derive(Debug, Clone)]
pub struct Pairing {
    pub holder_id: i64,
    pub holder_name: String,
    pub holder_postcode: Option<String>,
    pub seller_id: i64,
    pub seller_name: String,
    pub seller_postcode: Option<String>,
    /// The council has recorded its agreement to this arrangement.
    pub agreed: bool,
}

fn surname(name: &str) -> Option<String> {
    name.split_whitespace().last().map(str::to_lowercase)
}

fn same_postcode(a: &Option<String>, b: &Option<String>) -> bool {
    let squash = |p: &str| p.replace(' ', "").to_uppercase();
    match (a, b) {
        (Some(a), Some(b)) => !a.trim().is_empty() && squash(a) == squash(b),
        _ => false,
    }
}

fn family_key(holder_id: i64, seller_id: i64) -> String {
    format!("family_assistant:{holder_id}:{seller_id}")
}

/// The (holder, personal assistant) a family-assistant signal's key names.
pub fn family_pair(key: &str) -> Option<(i64, i64)> {
    let mut parts = key.strip_prefix("family_assistant:")?.split(':');
    Some((parts.next()?.parse().ok()?, parts.next()?.parse().ok()?))
}

/// A personal assistant with the holder's surname and postcode, without the
/// council's recorded agreement.
pub fn family_assistants(pairings: &[Pairing]) -> Vec<Signal> {
    pairings
        .iter()
        .filter(|p| {
            !p.agreed
                && surname(&p.holder_name).is_some()
                && surname(&p.holder_name) == surname(&p.seller_name)
                && same_postcode(&p.holder_postcode, &p.seller_postcode)
        })
        .map(|p| Signal {
            kind: "family_assistant",
            key: family_key(p.holder_id, p.seller_id),
            subject_id: p.seller_id,
            subject_name: p.seller_name.clone(),
            explanation: format!(
                "Personal assistant {} has the same surname and postcode as {}, who employs them; the council has not recorded its agreement to employing a family member.",
                p.seller_name, p.holder_name
            ),
        })
        .collect()
}

/// A broker's fee on one client's plan.
#[derive(Debug, Clone)]
pub struct BrokerFee {
    pub broker_id: i64,
    pub broker_name: String,
    pub budget: Money,
    pub fee: Money,
}

/// Spearman's rank correlation (average ranks for ties).
fn rank_correlation(pairs: &[(f64, f64)]) -> Option<f64> {
    fn ranks(values: Vec<f64>) -> Vec<f64> {
        let mut order: Vec<usize> = (0..values.len()).collect();
        order.sort_by(|a, b| values[*a].total_cmp(&values[*b]));
        let mut ranks = vec![0.0; values.len()];
        let mut i = 0;
        while i < order.len() {
            let mut j = i;
            while j + 1 < order.len() && values[order[j + 1]] == values[order[i]] {
                j += 1;
            }
            for k in i..=j {
                ranks[order[k]] = (i + j) as f64 / 2.0 + 1.0;
            }
            i = j + 1;
        }
        ranks
    }
    let x = ranks(pairs.iter().map(|p| p.0).collect());
    let y = ranks(pairs.iter().map(|p| p.1).collect());
    let n = x.len() as f64;
    let (mx, my) = (x.iter().sum::<f64>() / n, y.iter().sum::<f64>() / n);
    let cov: f64 = x.iter().zip(&y).map(|(a, b)| (a - mx) * (b - my)).sum();
    let vx: f64 = x.iter().map(|a| (a - mx).powi(2)).sum();
    let vy: f64 = y.iter().map(|b| (b - my).powi(2)).sum();
    (vx > 0.0 && vy > 0.0).then(|| cov / (vx * vy).sqrt())
}

/// Brokers whose fees, as a share of their clients' budgets, are far above
/// the median broker's, or rise with the size of the budget.
pub fn broker_fees(fees: &[BrokerFee]) -> Vec<Signal> {
    let mut by_broker: BTreeMap<i64, (&str, Vec<&BrokerFee>)> = BTreeMap::new();
    for f in fees {
        by_broker
            .entry(f.broker_id)
            .or_insert((&f.broker_name, Vec::new()))
            .1
            .push(f);
    }
    let shares: HashMap<i64, f64> = by_broker
        .iter()
        .filter_map(|(id, (_, list))| {
            let budgets: i64 = list.iter().map(|f| f.budget.pence()).sum();
            let paid: i64 = list.iter().map(|f| f.fee.pence()).sum();
            (budgets > 0).then(|| (*id, paid as f64 / budgets as f64))
        })
        .collect();
    let median = median_f64(&mut shares.values().copied().collect::<Vec<_>>());
    let mut signals = Vec::new();
    for (id, (name, list)) in &by_broker {
        if let (Some(share), Some(median)) = (shares.get(id), median) {
            if shares.len() >= 3 && median > 0.0 && *share >= FEE_FACTOR * median {
                signals.push(Signal {
                    kind: "broker_fees_high",
                    key: format!("broker_fees_high:{id}"),
                    subject_id: *id,
                    subject_name: (*name).to_owned(),
                    explanation: format!(
                        "{name}'s fees come to {:.1}% of its clients' budgets; the median broker's come to {:.1}%.",
                        100.0 * share,
                        100.0 * median
                    ),
                });
            }
        }
        let charged: Vec<(f64, f64)> = list
            .iter()
            .filter(|f| f.fee.pence() > 0)
            .map(|f| {
                (
                    f.budget.pence() as f64,
                    f.fee.pence() as f64 / f.budget.pence().max(1) as f64,
                )
            })
            .collect();
        if charged.len() >= FEE_SCALE_CLIENTS {
            if let Some(rho) = rank_correlation(&charged) {
                if rho >= FEE_SCALE_CORRELATION {
                    signals.push(Signal {
                        kind: "broker_fees_scale",
                        key: format!("broker_fees_scale:{id}"),
                        subject_id: *id,
                        subject_name: (*name).to_owned(),
                        explanation: format!(
                            "{name} charges a larger share of the budget the larger the budget is, across {} clients (rank correlation {rho:.2}).",
                            charged.len()
                        ),
                    });
                }
            }
        }
    }
    signals
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn at(month: u32, day: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(2026, month, day)
            .unwrap()
            .and_hms_opt(9, 0, 0)
            .unwrap()
    }

    fn purchase(seller: i64, holder: i64, when: NaiveDateTime) -> FirstPurchase {
        FirstPurchase {
            seller_id: seller,
            seller_name: format!("Seller {seller}"),
            holder_id: holder,
            at: when,
            holder_created_at: when - Duration::days(1),
            holders_first_seller: true,
        }
    }

    #[test]
    fn a_burst_of_new_clients_against_the_usual_rate() {
        let mut purchases = Vec::new();
        // Seller 1: 6 new clients in October, 6 over the 180 days before (1 a month).
        for i in 0..6 {
            purchases.push(purchase(1, i, at(10, 2 + i as u32)));
            purchases.push(purchase(1, 100 + i, at(4 + i as u32, 10)));
        }
        // Seller 2: 6 new clients in October, but 36 before (6 a month): its usual pace.
        for i in 0..6 {
            purchases.push(purchase(2, 200 + i, at(10, 2 + i as u32)));
        }
        for i in 0..36 {
            purchases.push(purchase(
                2,
                300 + i,
                at(5 + (i % 5) as u32, 1 + i as u32 % 28),
            ));
        }
        let signals = client_bursts(&purchases, at(10, 1), at(11, 1));
        assert_eq!(signals.len(), 1);
        assert_eq!(signals[0].subject_id, 1);
        assert_eq!(
            signals[0].explanation,
            "Seller 1 gained 6 new clients in 31 days; over the 180 days before, its usual rate was 1.0 in that time."
        );
    }

    #[test]
    fn new_accounts_bunched_in_a_week() {
        let mut purchases: Vec<FirstPurchase> = (0..5)
            .map(|i| purchase(7, i, at(10, 3 + i as u32)))
            .collect();
        // Spread over a month: not a burst.
        purchases.extend((0..5).map(|i| purchase(8, 10 + i, at(10, 1 + 6 * i as u32))));
        let signals = new_account_bursts(&purchases, at(10, 1), at(11, 1));
        assert_eq!(signals.len(), 1);
        assert_eq!(signals[0].subject_id, 7);
        assert!(signals[0]
            .explanation
            .starts_with("5 budget holder accounts made within 7 days from 2 October 2026"));
    }

    #[test]
    fn invoices_judged_against_quantity_price_and_fees() {
        let invoice = |amount: i64| InvoiceFacts {
            delivery_id: amount,
            commission_id: 9,
            seller_id: 3,
            seller_name: "Care Co".into(),
            quantity_centi: 1_050,
            amount: Money::from_pence(amount),
            unit_price: Money::from_pence(1_500),
            unit: "hour".into(),
            fees: Money::from_pence(2_000),
        };
        // 10.5 hours × £15.00 = £157.50, plus £20.00 fees = £177.50.
        let signals = invoices_above_commission(&[invoice(17_750), invoice(17_751)]);
        assert_eq!(signals.len(), 1);
        assert_eq!(signals[0].key, "invoice_above_commission:17751");
        assert!(
            signals[0].explanation.contains("comes to at most £177.50"),
            "{}",
            signals[0].explanation
        );
    }

    #[test]
    fn a_family_assistant_without_agreement() {
        let pairing = |seller_name: &str, postcode: &str, agreed: bool| Pairing {
            holder_id: 1,
            holder_name: "Amina Khan".into(),
            holder_postcode: Some("M14 5AB".into()),
            seller_id: 2,
            seller_name: seller_name.into(),
            seller_postcode: Some(postcode.into()),
            agreed,
        };
        assert_eq!(
            family_assistants(&[pairing("Yusuf Khan", "m145ab", false)]).len(),
            1
        );
        assert!(family_assistants(&[pairing("Yusuf Khan", "M14 5AB", true)]).is_empty());
        assert!(family_assistants(&[pairing("Yusuf Khan", "M14 6ZZ", false)]).is_empty());
        let key = &family_assistants(&[pairing("Yusuf Khan", "m145ab", false)])[0].key;
        assert_eq!(family_pair(key), Some((1, 2)));
        assert_eq!(family_pair("client_burst:1:2"), None);
        assert!(family_assistants(&[pairing("Yusuf Ali", "M14 5AB", false)]).is_empty());
    }

    #[test]
    fn broker_fees_above_peers_and_rising_with_budgets() {
        let fee = |broker: i64, budget: i64, fee: i64| BrokerFee {
            broker_id: broker,
            broker_name: format!("Broker {broker}"),
            budget: Money::from_pence(budget * 100),
            fee: Money::from_pence(fee * 100),
        };
        let mut fees = vec![
            fee(1, 10_000, 100),
            fee(2, 10_000, 150),
            fee(3, 10_000, 120),
            // Broker 4: about 12 % overall, and the share rises with the budget.
        ];
        for (i, budget) in [5_000, 8_000, 12_000, 20_000, 40_000].iter().enumerate() {
            fees.push(fee(4, *budget, budget * (6 + 2 * i as i64) / 100));
        }
        let signals = broker_fees(&fees);
        let kinds: Vec<(&str, i64)> = signals.iter().map(|s| (s.kind, s.subject_id)).collect();
        assert_eq!(kinds, [("broker_fees_high", 4), ("broker_fees_scale", 4)]);
        assert!(signals[1].explanation.contains("rank correlation 1.00"));
    }
}
