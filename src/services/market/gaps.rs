//! The gaps report: searches that found nothing, supply per budget holder,
//! commissions turned down or left waiting, and money planned but unspent.

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};
use serde::Serialize;

use super::{council_districts, money_cell, request_evidence, to_csv, Period};
use crate::domain::market::gaps::{biggest, gap_rows, GapCounts, GapRow};
use crate::domain::market::ANY_CATEGORY;
use crate::domain::money::Money;
use crate::domain::places::Places;
use crate::domain::requests::UNANSWERED_AFTER_DAYS;
use crate::domain::vocab::CommissionStatus;
use crate::error::AppError;
use crate::services::access::Account;
use crate::store::market::gaps as store;
use crate::store::DbConnection;

/// How many of the biggest gaps the report puts in sentences.
const BIGGEST: usize = 10;

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct GapsReport {
    pub council: String,
    pub period: Period,
    /// The biggest gaps, each in a sentence, biggest first.
    pub findings: Vec<String>,
    pub items: Vec<GapRow>,
}

/// The counts for one (category, district); searches without a category go under "any".
fn cell(
    counts: &mut HashMap<(String, String), GapCounts>,
    category: Option<String>,
    district: String,
) -> &mut GapCounts {
    counts
        .entry((
            category.unwrap_or_else(|| ANY_CATEGORY.to_owned()),
            district,
        ))
        .or_default()
}

pub fn gaps(
    conn: &mut DbConnection,
    places: &Places,
    account: &Account,
    period: Period,
    now: DateTime<Utc>,
) -> Result<GapsReport, AppError> {
    let council = account.commissioners_council()?;
    let districts = council_districts(places, &council);
    let (start, end) = (period.start(), period.end());
    let mut counts: HashMap<(String, String), GapCounts> = HashMap::new();
    for (category, district, searches, found_nothing) in
        store::search_counts(conn, &council, start, end)?
    {
        let Some(district) = district else { continue };
        let c = cell(&mut counts, category, district);
        c.searches += searches;
        c.zero_result_searches += found_nothing;
    }
    for (category, district, n) in store::live_listing_counts(conn, &districts)? {
        cell(&mut counts, Some(category), district).live_listings += n;
    }
    let waiting_since = now.naive_utc() - Duration::days(UNANSWERED_AFTER_DAYS);
    for (category, district, status, n, older) in
        store::commission_counts(conn, &council, (start, end), waiting_since)?
    {
        let Some(district) = district else { continue };
        let c = cell(&mut counts, Some(category), district);
        c.commissions_requested += n;
        if status == CommissionStatus::Declined {
            c.commissions_declined += n;
        } else if status == CommissionStatus::Requested {
            c.commissions_unanswered += older;
        }
    }
    for row in request_evidence(conn, account, period, now)?.items {
        let c = cell(&mut counts, Some(row.category), row.district);
        c.support_requests += row.requests;
        c.support_requests_unanswered += row.unanswered;
    }
    // Planned money not yet commissioned, per plan and category, by the holder's district.
    let plans: HashMap<i64, Option<String>> =
        store::approved_plans_overlapping(conn, &council, period.from, period.to)?
            .into_iter()
            .map(|p| (p.id, p.district))
            .collect();
    let mut planned: HashMap<(i64, String), i64> = HashMap::new();
    for (plan, category, amount) in store::planned_amounts(conn, &council)? {
        if plans.contains_key(&plan) {
            *planned.entry((plan, category)).or_default() += amount.unwrap_or(0);
        }
    }
    for (plan, category, total) in store::committed_amounts(conn, &council)? {
        if let Some(left) = planned.get_mut(&(plan, category)) {
            *left -= total;
        }
    }
    for ((plan, category), left) in planned {
        if let (true, Some(Some(district))) = (left > 0, plans.get(&plan)) {
            let c = cell(&mut counts, Some(category), district.clone());
            c.planned_not_commissioned =
                Money::from_pence(c.planned_not_commissioned.pence() + left);
        }
    }
    // Only the council's own districts: a search or a holder elsewhere is another council's.
    counts.retain(|(_, district), _| districts.contains(district));
    let holders: HashMap<String, i64> = store::holders_by_district(conn, &council)?
        .into_iter()
        .filter_map(|(d, n)| Some((d?, n)))
        .collect();
    let items = gap_rows(counts, &holders, &period);
    Ok(GapsReport {
        findings: biggest(&items, BIGGEST)
            .into_iter()
            .filter_map(|r| r.sentence.clone())
            .collect(),
        council,
        period,
        items,
    })
}

pub fn gaps_csv(report: &GapsReport) -> Result<String, AppError> {
    to_csv(
        &[
            "category",
            "category_label",
            "district",
            "searches",
            "zero_result_searches",
            "zero_result_share",
            "live_listings",
            "budget_holders",
            "listings_per_1000_holders",
            "commissions_requested",
            "commissions_declined",
            "commissions_unanswered",
            "support_requests",
            "support_requests_unanswered",
            "planned_not_commissioned",
        ],
        report.items.iter().map(|r| {
            vec![
                r.category.clone(),
                r.category_label.to_owned(),
                r.district.clone(),
                r.searches.to_string(),
                r.zero_result_searches.to_string(),
                r.zero_result_share.clone().unwrap_or_default(),
                r.live_listings.to_string(),
                r.budget_holders.to_string(),
                r.listings_per_1000_holders.clone().unwrap_or_default(),
                r.commissions_requested.to_string(),
                r.commissions_declined.to_string(),
                r.commissions_unanswered.to_string(),
                r.support_requests.to_string(),
                r.support_requests_unanswered.to_string(),
                money_cell(Some(r.planned_not_commissioned)),
            ]
        }),
    )
}
