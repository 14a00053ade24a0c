//! Broker impartiality: does a broker place clients' money with providers it
//! has an interest in more often than the market would lead us to expect?
//! A broker is flagged only on enough evidence; small samples say so.

use std::collections::{BTreeMap, HashMap, HashSet};

use serde::Serialize;

use super::{percent, plural};
use crate::domain::money::Money;
use crate::domain::statistics::{binomial_upper_tail, herfindahl_hirschman, median_f64};

/// When the evidence is enough to flag a broker.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Thresholds {
    /// Commissions a broker must have made before any verdict.
    pub min_commissions: u64,
    /// The one-sided p-value below which steering is flagged.
    pub max_p_value: f64,
}

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds {
            min_commissions: 10,
            max_p_value: 0.01,
        }
    }
}

/// A commission in the period that counts (not declined or cancelled), not
/// brokerage itself. `broker_id` is the broker who made it, if one did.
#[derive(Debug, Clone)]
pub struct PlacedCommission {
    pub broker_id: Option<i64>,
    pub seller_id: i64,
    pub category: String,
    /// The holder's home district, when known.
    pub district: Option<String>,
    pub value: Money,
}

/// What the store knows of one broker.
#[derive(Debug, Clone)]
pub struct BrokerFacts {
    pub id: i64,
    pub name: String,
    pub clients: i64,
    /// The budgets of the plans the broker may act on.
    pub client_budgets: Money,
    /// Brokerage the broker sold to those plans in the period.
    pub fees: Money,
    /// Sellers the broker declared an interest in, and the broker itself.
    pub interests: HashSet<i64>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct BrokerRow {
    pub broker_id: i64,
    pub name: String,
    pub clients: i64,
    pub commissions: u64,
    pub value: Money,
    pub affiliated_commissions: u64,
    pub affiliated_value: Money,
    /// Percentages with one decimal; null when there is nothing to compare.
    pub affiliated_share: Option<String>,
    pub expected_share: Option<String>,
    /// The chance of placing this many commissions or more with the broker's
    /// own interests if it chose as the market does (one-sided binomial test).
    pub p_value: Option<f64>,
    pub hhi: Option<u32>,
    pub market_hhi: Option<u32>,
    pub fees: Money,
    pub fee_share_of_budgets: Option<String>,
    pub median_broker_fee_share: Option<String>,
    /// `enough` or `not_enough` evidence for a verdict.
    pub evidence: &'static str,
    pub flagged: bool,
    pub reasons: Vec<String>,
    pub summary: String,
}

/// Value by seller for a set of commissions.
fn by_seller<'a>(commissions: impl Iterator<Item = &'a PlacedCommission>) -> Vec<i64> {
    let mut values: HashMap<i64, i64> = HashMap::new();
    for c in commissions {
        *values.entry(c.seller_id).or_default() += c.value.pence();
    }
    values.into_values().collect()
}

/// A category, with a district or (None) across districts.
type Cell = (String, Option<String>);

/// Value in one cell, in all and by seller.
#[derive(Default)]
struct Values {
    total: i64,
    by_seller: HashMap<i64, i64>,
}

/// Value by cell over every commission, and over each broker's own, tallied
/// once: the market without a broker is the first less the second.
struct Market {
    all: HashMap<Cell, Values>,
    by_broker: HashMap<i64, HashMap<Cell, Values>>,
}

impl Market {
    fn of(commissions: &[PlacedCommission]) -> Market {
        let mut market = Market {
            all: HashMap::new(),
            by_broker: HashMap::new(),
        };
        for c in commissions {
            let mut cells = vec![(c.category.clone(), None)];
            if c.district.is_some() {
                cells.push((c.category.clone(), c.district.clone()));
            }
            for cell in cells {
                let tally = |values: &mut Values| {
                    values.total += c.value.pence();
                    *values.by_seller.entry(c.seller_id).or_default() += c.value.pence();
                };
                if let Some(broker) = c.broker_id {
                    tally(
                        market
                            .by_broker
                            .entry(broker)
                            .or_default()
                            .entry(cell.clone())
                            .or_default(),
                    );
                }
                tally(market.all.entry(cell).or_default());
            }
        }
        market
    }

    /// (value with the interests, all value) in a cell, leaving out the broker's own.
    fn without(&self, broker_id: i64, interests: &HashSet<i64>, cell: &Cell) -> Option<(i64, i64)> {
        let all = self.all.get(cell)?;
        let own = self
            .by_broker
            .get(&broker_id)
            .and_then(|cells| cells.get(cell));
        let seller = |values: Option<&Values>, s: &i64| {
            values
                .and_then(|v| v.by_seller.get(s))
                .copied()
                .unwrap_or(0)
        };
        let total = all.total - own.map_or(0, |o| o.total);
        let tied = interests
            .iter()
            .map(|s| seller(Some(all), s) - seller(own, s))
            .sum();
        (total > 0).then_some((tied, total))
    }

    /// The interests' share of the market without the broker in the
    /// commission's category and district, or its category alone where the
    /// district has no such commissions.
    fn expected(
        &self,
        broker_id: i64,
        interests: &HashSet<i64>,
        commission: &PlacedCommission,
    ) -> Option<f64> {
        let in_district = commission.district.as_ref().and_then(|_| {
            self.without(
                broker_id,
                interests,
                &(commission.category.clone(), commission.district.clone()),
            )
        });
        let (tied, total) = in_district
            .or_else(|| self.without(broker_id, interests, &(commission.category.clone(), None)))?;
        Some(tied as f64 / total as f64)
    }
}

fn p_value_words(p: f64) -> String {
    if p < 0.0001 {
        "less than 1 in 10,000".into()
    } else {
        format!("about 1 in {:.0}", (1.0 / p).round())
    }
}

/// One row per broker, in name order.
pub fn broker_rows(
    brokers: &[BrokerFacts],
    commissions: &[PlacedCommission],
    thresholds: Thresholds,
) -> Vec<BrokerRow> {
    let market_hhi = herfindahl_hirschman(by_seller(commissions.iter()));
    let fee_shares: HashMap<i64, f64> = brokers
        .iter()
        .filter(|b| b.client_budgets.pence() > 0)
        .map(|b| {
            (
                b.id,
                b.fees.pence() as f64 / b.client_budgets.pence() as f64,
            )
        })
        .collect();
    let median_fee_share = median_f64(&mut fee_shares.values().copied().collect::<Vec<_>>());
    let market = Market::of(commissions);
    let mut own_by_broker: HashMap<i64, Vec<&PlacedCommission>> = HashMap::new();
    for c in commissions {
        if let Some(broker) = c.broker_id {
            own_by_broker.entry(broker).or_default().push(c);
        }
    }
    let mut ordered: BTreeMap<(String, i64), &BrokerFacts> = BTreeMap::new();
    for b in brokers {
        ordered.insert((b.name.clone(), b.id), b);
    }
    ordered
        .into_values()
        .map(|broker| {
            let own = own_by_broker.remove(&broker.id).unwrap_or_default();
            let tied = |c: &PlacedCommission| broker.interests.contains(&c.seller_id);
            let value: i64 = own.iter().map(|c| c.value.pence()).sum();
            let affiliated_value: i64 = own.iter().filter(|c| tied(c)).map(|c| c.value.pence()).sum();
            // The test uses the commissions the market can say something about.
            let tested: Vec<(&PlacedCommission, f64)> = own
                .iter()
                .filter_map(|c| market.expected(broker.id, &broker.interests, c).map(|p| (*c, p)))
                .collect();
            let tested_value: i64 = tested.iter().map(|(c, _)| c.value.pence()).sum();
            let expected_value: f64 = tested
                .iter()
                .map(|(c, p)| c.value.pence() as f64 * p)
                .sum();
            let n = tested.len() as u64;
            let k = tested.iter().filter(|(c, _)| tied(c)).count() as u64;
            let mean_p = tested.iter().map(|(_, p)| p).sum::<f64>() / n.max(1) as f64;
            let p_value = (n > 0).then(|| binomial_upper_tail(n, k, mean_p));
            let tested_tied_value: i64 = tested
                .iter()
                .filter(|(c, _)| tied(c))
                .map(|(c, _)| c.value.pence())
                .sum();
            let observed = (tested_value > 0).then(|| tested_tied_value as f64 / tested_value as f64);
            let expected = (tested_value > 0).then(|| expected_value / tested_value as f64);
            let enough = n >= thresholds.min_commissions;
            let steering = enough
                && p_value.is_some_and(|p| p < thresholds.max_p_value)
                && observed > expected;
            let mut reasons = Vec::new();
            if steering {
                reasons.push(format!(
                    "Placed {} of {} ({}%) of the commissioned support it could be compared on with providers it has an interest in, where the market would lead us to expect {}%.",
                    Money::from_pence(tested_tied_value).display_gbp(),
                    Money::from_pence(tested_value).display_gbp(),
                    percent(observed.unwrap_or(0.0), 1.0).unwrap_or_default(),
                    percent(expected.unwrap_or(0.0), 1.0).unwrap_or_default(),
                ));
                reasons.push(format!(
                    "{} of {} went to those providers; the chance of that many or more by luck is {}.",
                    k,
                    plural(n as i64, "commission", "commissions"),
                    p_value_words(p_value.unwrap_or(1.0))
                ));
            }
            let summary = if !enough {
                format!(
                    "Not enough data: {} to compare ({} needed before any verdict).",
                    plural(n as i64, "commission", "commissions"),
                    thresholds.min_commissions
                )
            } else if steering {
                "Flagged: places clients with its own interests far more than the market does."
                    .into()
            } else {
                format!(
                    "No sign of steering in {}.",
                    plural(n as i64, "commission", "commissions")
                )
            };
            BrokerRow {
                broker_id: broker.id,
                name: broker.name.clone(),
                clients: broker.clients,
                commissions: own.len() as u64,
                value: Money::from_pence(value),
                affiliated_commissions: own.iter().filter(|c| tied(c)).count() as u64,
                affiliated_value: Money::from_pence(affiliated_value),
                affiliated_share: observed.and_then(|o| percent(o, 1.0)),
                expected_share: expected.and_then(|e| percent(e, 1.0)),
                p_value,
                hhi: herfindahl_hirschman(by_seller(own.iter().copied())),
                market_hhi,
                fees: broker.fees,
                fee_share_of_budgets: fee_shares.get(&broker.id).and_then(|s| percent(*s, 1.0)),
                median_broker_fee_share: median_fee_share.and_then(|s| percent(s, 1.0)),
                evidence: if enough { "enough" } else { "not_enough" },
                flagged: steering,
                reasons,
                summary,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn placed(broker: Option<i64>, seller: i64, district: &str, pounds: i64) -> PlacedCommission {
        PlacedCommission {
            broker_id: broker,
            seller_id: seller,
            category: "personal_care".into(),
            district: Some(district.into()),
            value: Money::from_pence(pounds * 100),
        }
    }

    fn broker(id: i64, name: &str, interests: &[i64]) -> BrokerFacts {
        BrokerFacts {
            id,
            name: name.into(),
            clients: 12,
            client_budgets: Money::from_pence(12 * 1_000_000),
            fees: Money::from_pence(0),
            interests: interests.iter().copied().collect(),
        }
    }

    /// Sellers 1–5 share the market equally outside the brokers. Broker 100
    /// owns seller 1 and sends 11 of 12 clients there; broker 200 is tied to
    /// seller 2 and spreads 12 commissions evenly.
    fn market() -> Vec<PlacedCommission> {
        let mut all = Vec::new();
        for seller in 1..=5 {
            for _ in 0..4 {
                all.push(placed(None, seller, "M14", 100));
            }
        }
        for i in 0..12 {
            all.push(placed(Some(100), if i == 0 { 3 } else { 1 }, "M14", 100));
        }
        for i in 0..12 {
            all.push(placed(Some(200), 1 + (i % 5), "M14", 100));
        }
        all
    }

    #[test]
    fn a_broker_who_steers_is_flagged_and_one_who_does_not_is_not() {
        let brokers = [
            broker(100, "Able Brokers", &[1]),
            broker(200, "Fair Brokers", &[2]),
        ];
        let rows = broker_rows(&brokers, &market(), Thresholds::default());
        let steer = &rows[0];
        assert_eq!(steer.broker_id, 100);
        assert_eq!((steer.commissions, steer.affiliated_commissions), (12, 11));
        assert_eq!(steer.affiliated_share.as_deref(), Some("91.7"));
        // Without broker 100, seller 1 has 4 + 3 (from broker 200: i = 0, 5, 10) of 32 commissions.
        assert_eq!(steer.expected_share.as_deref(), Some("21.9"));
        let p = steer.p_value.unwrap();
        let q: f64 = 7.0 / 32.0;
        let by_hand = 12.0 * q.powi(11) * (1.0 - q) + q.powi(12);
        assert!((p - by_hand).abs() < 1e-12, "{p} vs {by_hand}");
        assert!(steer.flagged);
        assert_eq!(steer.reasons.len(), 2);
        assert!(
            steer.reasons[0].starts_with("Placed £1,100.00 of £1,200.00 (91.7%)"),
            "{}",
            steer.reasons[0]
        );
        // 11 of 12 with seller 1 and 1 with seller 3: (91.67² + 8.33²) → 8,472.
        assert_eq!(steer.hhi, Some(8_472));

        let fair = &rows[1];
        assert_eq!(fair.broker_id, 200);
        // Seller 2 gets i = 1, 6, 11: 3 of 12.
        assert_eq!(fair.affiliated_commissions, 3);
        assert_eq!(fair.affiliated_share.as_deref(), Some("25.0"));
        // Without broker 200, seller 2 has 4 of 32.
        assert_eq!(fair.expected_share.as_deref(), Some("12.5"));
        assert!(fair.p_value.unwrap() > 0.01);
        assert!(!fair.flagged);
        assert!(fair.reasons.is_empty());
        assert_eq!(fair.evidence, "enough");
        assert_eq!(fair.summary, "No sign of steering in 12 commissions.");
    }

    #[test]
    fn a_small_sample_is_not_a_verdict() {
        let mut commissions: Vec<PlacedCommission> =
            (1..=5).map(|s| placed(None, s, "M14", 100)).collect();
        for _ in 0..4 {
            commissions.push(placed(Some(100), 1, "M14", 100));
        }
        let rows = broker_rows(
            &[broker(100, "Able", &[1])],
            &commissions,
            Thresholds::default(),
        );
        assert_eq!(rows[0].affiliated_share.as_deref(), Some("100.0"));
        assert!(!rows[0].flagged);
        assert_eq!(rows[0].evidence, "not_enough");
        assert_eq!(
            rows[0].summary,
            "Not enough data: 4 commissions to compare (10 needed before any verdict)."
        );
    }

    #[test]
    fn the_category_stands_in_where_the_district_has_no_market() {
        let mut commissions = vec![placed(None, 1, "M1", 300), placed(None, 2, "M1", 100)];
        commissions.push(placed(Some(100), 1, "M99", 50));
        let rows = broker_rows(
            &[broker(100, "Able", &[1])],
            &commissions,
            Thresholds::default(),
        );
        assert_eq!(rows[0].expected_share.as_deref(), Some("75.0"));
    }

    #[test]
    fn fees_compare_with_the_median_broker() {
        let mut a = broker(1, "A", &[]);
        a.fees = Money::from_pence(60_000); // 5 % of £12,000
        a.client_budgets = Money::from_pence(1_200_000);
        let mut b = broker(2, "B", &[]);
        b.fees = Money::from_pence(12_000); // 1 %
        b.client_budgets = Money::from_pence(1_200_000);
        let mut c = broker(3, "C", &[]);
        c.fees = Money::from_pence(24_000); // 2 %
        c.client_budgets = Money::from_pence(1_200_000);
        let rows = broker_rows(&[a, b, c], &[], Thresholds::default());
        assert_eq!(rows[0].fee_share_of_budgets.as_deref(), Some("5.0"));
        assert_eq!(rows[0].median_broker_fee_share.as_deref(), Some("2.0"));
    }
}
