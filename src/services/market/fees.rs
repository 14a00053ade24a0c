//! The fee report: listed prices by category and unit across the council's
//! districts, against the council's reference rates, with the monthly trend.

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;

use super::{council_districts, money_cell, to_csv, Period};
use crate::domain::market::fees::{fee_rows, FeeRow, ListingPrice, PriceChange};
use crate::domain::money::Money;
use crate::domain::places::Places;
use crate::domain::vocab::{Category, Unit, Vocabulary};
use crate::error::{AppError, FieldErrors};
use crate::services::access::Account;
use crate::store::market::{self as market_store, fees as store};
use crate::store::DbConnection;

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct FeesReport {
    pub council: String,
    pub period: Period,
    pub category: Option<String>,
    pub unit: Option<String>,
    /// One sentence per category and unit.
    pub findings: Vec<String>,
    pub items: Vec<FeeRow>,
}

/// Checks the optional `category` and `unit` filters.
pub fn filters(
    category: Option<&str>,
    unit: Option<&str>,
) -> Result<(Option<Category>, Option<Unit>), AppError> {
    let mut errors = FieldErrors::new();
    let blank = |t: Option<&str>| {
        t.map(str::trim)
            .filter(|t| !t.is_empty())
            .map(str::to_owned)
    };
    let category = blank(category).and_then(|c| errors.check("category", Category::from_input(&c)));
    let unit = blank(unit).and_then(|u| errors.check("unit", Unit::from_input(&u)));
    errors.into_result()?;
    Ok((category, unit))
}

pub fn fees(
    conn: &mut DbConnection,
    places: &Places,
    account: &Account,
    period: Period,
    category: Option<Category>,
    unit: Option<Unit>,
) -> Result<FeesReport, AppError> {
    let council = account.commissioners_council()?;
    let districts = council_districts(places, &council);
    let mut listings: BTreeMap<i64, ListingPrice> = BTreeMap::new();
    for row in store::live_prices(conn, &districts, category, unit)? {
        listings
            .entry(row.id)
            .or_insert_with(|| ListingPrice {
                listing_id: row.id,
                title: row.title,
                category: row.category.code().to_owned(),
                unit: row.unit.code().to_owned(),
                districts: Vec::new(),
                price: Money::from_pence(row.price_pence),
            })
            .districts
            .push(row.district);
    }
    let history: Vec<PriceChange> = store::price_history(conn, &districts, period.end())?
        .into_iter()
        .filter(|(id, ..)| listings.contains_key(id))
        .map(|(listing_id, at, unit, price)| PriceChange {
            listing_id,
            on: at.date(),
            unit,
            price: price.map(Money::from_pence),
        })
        .collect();
    let references: HashMap<(String, String), Money> =
        market_store::reference_rates(conn, &council)?
            .into_iter()
            .map(|(c, u, p)| ((c, u), Money::from_pence(p)))
            .collect();
    let listings: Vec<ListingPrice> = listings.into_values().collect();
    let items = fee_rows(&listings, &history, &references, &period.month_ends());
    Ok(FeesReport {
        findings: items.iter().filter_map(|r| r.sentence.clone()).collect(),
        council,
        period,
        category: category.map(|c| c.code().to_owned()),
        unit: unit.map(|u| u.code().to_owned()),
        items,
    })
}

/// One record per row, then one per month of each council-wide row's trend
/// (`scope` tells them apart: `council`, `district` or `month`).
pub fn fees_csv(report: &FeesReport) -> Result<String, AppError> {
    let mut records = Vec::new();
    for r in &report.items {
        let outliers: Vec<String> = r
            .outliers
            .iter()
            .map(|o| format!("{} ({})", o.listing_id, o.price))
            .collect();
        records.push(vec![
            if r.district.is_some() {
                "district"
            } else {
                "council"
            }
            .to_owned(),
            r.category.clone(),
            r.unit.clone(),
            r.district.clone().unwrap_or_default(),
            String::new(),
            r.n.to_string(),
            r.min.to_string(),
            r.p25.to_string(),
            r.median.to_string(),
            r.p75.to_string(),
            r.max.to_string(),
            r.lower_fence.to_string(),
            r.upper_fence.to_string(),
            outliers.join("; "),
            money_cell(r.reference_rate),
            r.below_reference.to_string(),
        ]);
        for t in &r.trend {
            let mut record = vec![String::new(); 16];
            record[0] = "month".into();
            record[1] = r.category.clone();
            record[2] = r.unit.clone();
            record[4] = t.month.clone();
            record[5] = t.n.to_string();
            record[8] = money_cell(t.median);
            records.push(record);
        }
    }
    to_csv(
        &[
            "scope",
            "category",
            "unit",
            "district",
            "month",
            "n",
            "min",
            "p25",
            "median",
            "p75",
            "max",
            "lower_fence",
            "upper_fence",
            "outliers",
            "reference_rate",
            "below_reference",
        ],
        records,
    )
}
