//! Fee levels: how listed prices spread by category and unit (and by
//! district where there are enough listings), which stand out by Tukey's
//! fences, how many sit below the council's reference rate, and the trend.

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;
use serde::Serialize;

use super::{category_label, plural};
use crate::domain::money::Money;
use crate::domain::statistics::Spread;

/// A district gets its own row from this many listings.
pub const DISTRICT_MINIMUM: usize = 5;

/// A live listing's main price, with the council's districts it serves.
#[derive(Debug, Clone)]
pub struct ListingPrice {
    pub listing_id: i64,
    pub title: String,
    pub category: String,
    pub unit: String,
    pub districts: Vec<String>,
    pub price: Money,
}

/// A listing's price as it stood from a moment on.
#[derive(Debug, Clone)]
pub struct PriceChange {
    pub listing_id: i64,
    pub on: NaiveDate,
    pub unit: String,
    pub price: Option<Money>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Outlier {
    pub listing_id: i64,
    pub title: String,
    pub price: Money,
    /// `high` above the upper fence, `low` below the lower one.
    pub side: &'static str,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct TrendPoint {
    /// `YYYY-MM`.
    pub month: String,
    /// Listings priced in this unit at the month's end (or the period's end).
    pub n: usize,
    pub median: Option<Money>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct FeeRow {
    pub category: String,
    pub category_label: &'static str,
    pub unit: String,
    /// Null for the whole council; a district code for its own row.
    pub district: Option<String>,
    pub n: usize,
    pub min: Money,
    pub p25: Money,
    pub median: Money,
    pub p75: Money,
    pub max: Money,
    pub lower_fence: Money,
    pub upper_fence: Money,
    pub outliers: Vec<Outlier>,
    pub reference_rate: Option<Money>,
    pub below_reference: usize,
    /// Month by month, for the whole-council rows only.
    pub trend: Vec<TrendPoint>,
    pub sentence: Option<String>,
}

fn row(
    category: &str,
    unit: &str,
    district: Option<&str>,
    listings: &[&ListingPrice],
    reference: Option<Money>,
) -> Option<FeeRow> {
    let prices: Vec<Money> = listings.iter().map(|l| l.price).collect();
    let spread = Spread::of(&prices)?;
    let mut outliers: Vec<Outlier> = listings
        .iter()
        .filter(|l| spread.is_outlier(l.price))
        .map(|l| Outlier {
            listing_id: l.listing_id,
            title: l.title.clone(),
            price: l.price,
            side: if l.price > spread.median {
                "high"
            } else {
                "low"
            },
        })
        .collect();
    outliers.sort_by(|a, b| b.price.cmp(&a.price).then(a.listing_id.cmp(&b.listing_id)));
    Some(FeeRow {
        category: category.to_owned(),
        category_label: category_label(category),
        unit: unit.to_owned(),
        district: district.map(str::to_owned),
        n: spread.n,
        min: spread.min,
        p25: spread.p25,
        median: spread.median,
        p75: spread.p75,
        max: spread.max,
        lower_fence: spread.lower_fence,
        upper_fence: spread.upper_fence,
        outliers,
        reference_rate: reference,
        below_reference: reference.map_or(0, |r| prices.iter().filter(|p| **p < r).count()),
        trend: Vec::new(),
        sentence: None,
    })
}

/// Each listing's unit and price on a day.
type PricesOn<'a> = HashMap<i64, (&'a str, Money)>;

/// The price each listing had at the end of `day`, in its unit then.
fn prices_on(history: &[PriceChange], day: NaiveDate) -> PricesOn<'_> {
    let mut at: HashMap<i64, (&str, Money)> = HashMap::new();
    // History is oldest first, so later changes overwrite earlier ones.
    for change in history.iter().filter(|c| c.on <= day) {
        match change.price {
            Some(price) => at.insert(change.listing_id, (change.unit.as_str(), price)),
            None => at.remove(&change.listing_id),
        };
    }
    at
}

/// Fee rows: one per (category, unit) for the council, then one per district
/// with at least [`DISTRICT_MINIMUM`] listings. `history` is oldest first;
/// `month_ends` are the days the trend is read on.
pub fn fee_rows(
    listings: &[ListingPrice],
    history: &[PriceChange],
    references: &HashMap<(String, String), Money>,
    month_ends: &[NaiveDate],
) -> Vec<FeeRow> {
    let mut groups: BTreeMap<(&str, &str), Vec<&ListingPrice>> = BTreeMap::new();
    for listing in listings {
        groups
            .entry((listing.category.as_str(), listing.unit.as_str()))
            .or_default()
            .push(listing);
    }
    let snapshots: Vec<(NaiveDate, PricesOn)> = month_ends
        .iter()
        .map(|day| (*day, prices_on(history, *day)))
        .collect();
    let mut rows = Vec::new();
    for ((category, unit), members) in groups {
        let reference = references
            .get(&(category.to_owned(), unit.to_owned()))
            .copied();
        let Some(mut whole) = row(category, unit, None, &members, reference) else {
            continue;
        };
        whole.trend = snapshots
            .iter()
            .map(|(day, prices)| {
                let mut then: Vec<Money> = members
                    .iter()
                    .filter_map(|l| prices.get(&l.listing_id))
                    .filter(|(u, _)| *u == unit)
                    .map(|(_, p)| *p)
                    .collect();
                TrendPoint {
                    month: day.format("%Y-%m").to_string(),
                    n: then.len(),
                    median: super::median(&mut then),
                }
            })
            .collect();
        whole.sentence = Some(sentence(&whole));
        rows.push(whole);
        let mut by_district: BTreeMap<&str, Vec<&ListingPrice>> = BTreeMap::new();
        for listing in &members {
            for district in &listing.districts {
                by_district.entry(district).or_default().push(listing);
            }
        }
        rows.extend(
            by_district
                .into_iter()
                .filter(|(_, l)| l.len() >= DISTRICT_MINIMUM)
                .filter_map(|(district, l)| row(category, unit, Some(district), &l, reference)),
        );
    }
    rows
}

fn sentence(row: &FeeRow) -> String {
    let mut text = format!(
        "{} per {}: half of {} charge between {} and {}, median {}",
        row.category_label,
        row.unit,
        plural(row.n as i64, "listing", "listings"),
        row.p25.display_gbp(),
        row.p75.display_gbp(),
        row.median.display_gbp()
    );
    if let Some(reference) = row.reference_rate {
        text.push_str(&format!(
            "; {} below your reference rate of {}",
            plural(row.below_reference as i64, "is", "are"),
            reference.display_gbp()
        ));
    }
    let high = row.outliers.iter().filter(|o| o.side == "high").count();
    let low = row.outliers.len() - high;
    if high > 0 {
        text.push_str(&format!(
            "; {} unusually high (above {})",
            plural(high as i64, "is", "are"),
            row.upper_fence.display_gbp()
        ));
    }
    if low > 0 {
        text.push_str(&format!(
            "; {} unusually low (below {})",
            plural(low as i64, "is", "are"),
            row.lower_fence.display_gbp()
        ));
    }
    text.push('.');
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn listing(id: i64, price: &str, districts: &[&str]) -> ListingPrice {
        ListingPrice {
            listing_id: id,
            title: format!("Listing {id}"),
            category: "personal_care".into(),
            unit: "hour".into(),
            districts: districts.iter().map(|d| d.to_string()).collect(),
            price: Money::parse(price).unwrap(),
        }
    }

    fn day(m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, m, d).unwrap()
    }

    #[test]
    fn a_hand_worked_market() {
        // Six hourly prices: 18, 20, 21, 22, 25, 60 (the last far above the rest).
        let listings = vec![
            listing(1, "18.00", &["M14"]),
            listing(2, "20.00", &["M14"]),
            listing(3, "21.00", &["M14", "M20"]),
            listing(4, "22.00", &["M14"]),
            listing(5, "25.00", &["M14"]),
            listing(6, "60.00", &["M20"]),
        ];
        let references = HashMap::from([(
            ("personal_care".to_string(), "hour".to_string()),
            Money::parse("20.50").unwrap(),
        )]);
        let history = vec![
            PriceChange {
                listing_id: 1,
                on: day(9, 1),
                unit: "hour".into(),
                price: Some(Money::parse("16.00").unwrap()),
            },
            PriceChange {
                listing_id: 2,
                on: day(9, 1),
                unit: "hour".into(),
                price: Some(Money::parse("20.00").unwrap()),
            },
            PriceChange {
                listing_id: 1,
                on: day(10, 15),
                unit: "hour".into(),
                price: Some(Money::parse("18.00").unwrap()),
            },
        ];
        let rows = fee_rows(&listings, &history, &references, &[day(9, 30), day(10, 31)]);
        // The council row, and M14 with five listings; M20 has two.
        assert_eq!(rows.len(), 2);
        let all = &rows[0];
        assert_eq!(all.district, None);
        // Positions (n − 1)q = 1.25, 2.5, 3.75 over 18, 20, 21, 22, 25, 60:
        // Q1 20 + 0.25 × 1 = 20.25; median 21.50; Q3 22 + 0.75 × 3 = 24.25.
        assert_eq!(
            (
                all.n,
                all.min.to_string(),
                all.p25.to_string(),
                all.median.to_string()
            ),
            (6, "18.00".into(), "20.25".into(), "21.50".into())
        );
        assert_eq!(
            (all.p75.to_string(), all.max.to_string()),
            ("24.25".into(), "60.00".into())
        );
        // IQR 4.00: fences 14.25 and 30.25; only 60.00 is outside.
        assert_eq!(all.upper_fence.to_string(), "30.25");
        assert_eq!(all.outliers.len(), 1);
        assert_eq!(
            (all.outliers[0].listing_id, all.outliers[0].side),
            (6, "high")
        );
        // 18.00 and 20.00 are below 20.50.
        assert_eq!(all.below_reference, 2);
        // September: 16 and 20 → 18.00; October: 18 and 20 → 19.00.
        let trend: Vec<(String, usize, String)> = all
            .trend
            .iter()
            .map(|t| (t.month.clone(), t.n, t.median.unwrap().to_string()))
            .collect();
        assert_eq!(
            trend,
            vec![
                ("2026-09".to_string(), 2, "18.00".to_string()),
                ("2026-10".to_string(), 2, "19.00".to_string())
            ]
        );
        assert_eq!(
            all.sentence.as_deref(),
            Some("Personal care at home per hour: half of 6 listings charge between £20.25 and £24.25, median £21.50; 2 are below your reference rate of £20.50; 1 is unusually high (above £30.25).")
        );
        let m14 = &rows[1];
        assert_eq!(m14.district.as_deref(), Some("M14"));
        assert_eq!((m14.n, m14.median.to_string()), (5, "21.00".into()));
        assert!(m14.trend.is_empty());
    }
}
