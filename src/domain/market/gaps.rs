//! Market gaps: where people look for support and cannot find it, ask and are
//! turned down, or have money planned that nothing has been bought with.

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;

use super::{category_label, percent, plural, Period};
use crate::domain::money::Money;

/// Counts the store gathered for one category in one district.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GapCounts {
    pub searches: i64,
    pub zero_result_searches: i64,
    pub live_listings: i64,
    pub commissions_requested: i64,
    pub commissions_declined: i64,
    pub commissions_unanswered: i64,
    pub support_requests: i64,
    pub support_requests_unanswered: i64,
    pub planned_not_commissioned: Money,
}

/// One category in one postcode district.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct GapRow {
    pub category: String,
    pub category_label: &'static str,
    pub district: String,
    pub searches: i64,
    pub zero_result_searches: i64,
    /// Percentage of searches that found nothing, one decimal; null without searches.
    pub zero_result_share: Option<String>,
    pub live_listings: i64,
    pub budget_holders: i64,
    /// Live listings per 1,000 budget holders living in the district, one decimal.
    pub listings_per_1000_holders: Option<String>,
    pub commissions_requested: i64,
    pub commissions_declined: i64,
    /// Still waiting for the seller's answer 7 days or more after being asked.
    pub commissions_unanswered: i64,
    pub support_requests: i64,
    pub support_requests_unanswered: i64,
    /// Planned support on approved plans not yet covered by commissions.
    pub planned_not_commissioned: Money,
    pub sentence: Option<String>,
}

impl GapRow {
    /// People asked and were not served.
    pub fn unmet(&self) -> i64 {
        self.zero_result_searches
            + self.commissions_declined
            + self.commissions_unanswered
            + self.support_requests_unanswered
    }

    /// Demand with no supply at all is the biggest gap; then unmet demand; then money waiting.
    fn rank(&self) -> (bool, i64, Money) {
        (
            self.live_listings == 0 && self.unmet() > 0,
            self.unmet(),
            self.planned_not_commissioned,
        )
    }
}

/// Rows for every (category, district) with anything to show, in code order,
/// each with its sentence when there is a gap to speak of.
pub fn gap_rows(
    counts: HashMap<(String, String), GapCounts>,
    holders_by_district: &HashMap<String, i64>,
    period: &Period,
) -> Vec<GapRow> {
    let ordered: BTreeMap<_, _> = counts.into_iter().collect();
    ordered
        .into_iter()
        .filter(|(_, c)| *c != GapCounts::default())
        .map(|((category, district), c)| {
            let holders = holders_by_district.get(&district).copied().unwrap_or(0);
            let mut row = GapRow {
                category_label: category_label(&category),
                zero_result_share: percent(c.zero_result_searches as f64, c.searches as f64),
                budget_holders: holders,
                listings_per_1000_holders: (holders > 0)
                    .then(|| format!("{:.1}", c.live_listings as f64 * 1_000.0 / holders as f64)),
                category,
                district,
                searches: c.searches,
                zero_result_searches: c.zero_result_searches,
                live_listings: c.live_listings,
                commissions_requested: c.commissions_requested,
                commissions_declined: c.commissions_declined,
                commissions_unanswered: c.commissions_unanswered,
                support_requests: c.support_requests,
                support_requests_unanswered: c.support_requests_unanswered,
                planned_not_commissioned: c.planned_not_commissioned,
                sentence: None,
            };
            row.sentence = sentence(&row, period);
            row
        })
        .collect()
}

/// The biggest gaps first, at most `limit`.
pub fn biggest(rows: &[GapRow], limit: usize) -> Vec<&GapRow> {
    let mut gaps: Vec<&GapRow> = rows.iter().filter(|r| r.sentence.is_some()).collect();
    gaps.sort_by_key(|r| std::cmp::Reverse(r.rank()));
    gaps.truncate(limit);
    gaps
}

fn sentence(row: &GapRow, period: &Period) -> Option<String> {
    let what = row.category_label.to_lowercase();
    let place = &row.district;
    let mut parts = Vec::new();
    if row.zero_result_searches > 0 {
        let searches = plural(row.zero_result_searches, "search", "searches");
        parts.push(if row.category == super::ANY_CATEGORY {
            format!("{searches} in {place} found nothing {}", period.in_words())
        } else {
            format!(
                "{searches} for {what} in {place} found nothing {}",
                period.in_words()
            )
        });
    }
    let refused = row.commissions_declined + row.commissions_unanswered;
    if refused > 0 {
        parts.push(format!(
            "{} for {what} from people in {place} {} declined or unanswered after 7 days",
            plural(refused, "commission request", "commission requests"),
            if refused == 1 { "was" } else { "were" }
        ));
    }
    if row.support_requests_unanswered > 0 {
        parts.push(format!(
            "{} for {what} in {place} had no offer within 7 days",
            plural(
                row.support_requests_unanswered,
                "support request",
                "support requests"
            ),
        ));
    }
    if parts.is_empty() && row.planned_not_commissioned.pence() == 0 {
        return None;
    }
    if parts.is_empty() {
        return Some(format!(
            "{} of {what} planned for people in {place} is not yet commissioned.",
            row.planned_not_commissioned.display_gbp()
        ));
    }
    if row.category != super::ANY_CATEGORY && row.unmet() > 0 {
        parts.push(match row.live_listings {
            0 => format!("no live listing serves {place}"),
            n => format!(
                "{} {place}",
                plural(n, "live listing serves", "live listings serve")
            ),
        });
    }
    let mut text = parts.join("; ");
    if row.planned_not_commissioned.pence() > 0 {
        text.push_str(&format!(
            "; {} of planned {what} is not yet commissioned",
            row.planned_not_commissioned.display_gbp()
        ));
    }
    let mut chars = text.chars();
    let first = chars
        .next()
        .map(|c| c.to_uppercase().to_string())
        .unwrap_or_default();
    Some(format!("{first}{}.", chars.as_str()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn october() -> Period {
        Period {
            from: NaiveDate::from_ymd_opt(2026, 10, 1).unwrap(),
            to: NaiveDate::from_ymd_opt(2026, 10, 31).unwrap(),
        }
    }

    fn key(category: &str, district: &str) -> (String, String) {
        (category.into(), district.into())
    }

    #[test]
    fn the_issue_example_reads_as_written() {
        let mut counts = HashMap::new();
        counts.insert(
            key("night_support", "M14"),
            GapCounts {
                searches: 14,
                zero_result_searches: 14,
                ..Default::default()
            },
        );
        let holders = HashMap::from([("M14".to_string(), 250)]);
        let rows = gap_rows(counts, &holders, &october());
        assert_eq!(
            rows[0].sentence.as_deref(),
            Some("14 searches for night support in M14 found nothing in October 2026; no live listing serves M14.")
        );
        assert_eq!(rows[0].zero_result_share.as_deref(), Some("100.0"));
        assert_eq!(rows[0].listings_per_1000_holders.as_deref(), Some("0.0"));
    }

    #[test]
    fn gaps_rank_no_supply_first_then_unmet_demand_then_money() {
        let mut counts = HashMap::new();
        // Supply exists but 6 searches found nothing (filters too narrow).
        counts.insert(
            key("personal_care", "M1"),
            GapCounts {
                searches: 10,
                zero_result_searches: 6,
                live_listings: 3,
                ..Default::default()
            },
        );
        // No supply; one declined request.
        counts.insert(
            key("night_support", "M20"),
            GapCounts {
                commissions_requested: 1,
                commissions_declined: 1,
                ..Default::default()
            },
        );
        // Only money waiting.
        counts.insert(
            key("day_opportunities", "M8"),
            GapCounts {
                live_listings: 2,
                planned_not_commissioned: Money::from_pence(120_000),
                ..Default::default()
            },
        );
        // Searches that all found something: not a gap.
        counts.insert(
            key("meals", "M8"),
            GapCounts {
                searches: 5,
                live_listings: 4,
                ..Default::default()
            },
        );
        let holders = HashMap::from([("M1".to_string(), 2_000), ("M8".to_string(), 400)]);
        let rows = gap_rows(counts, &holders, &october());
        assert_eq!(rows.len(), 4);
        let order: Vec<&str> = biggest(&rows, 10)
            .iter()
            .map(|r| r.district.as_str())
            .collect();
        assert_eq!(order, ["M20", "M1", "M8"]);
        let m1 = rows.iter().find(|r| r.district == "M1").unwrap();
        assert_eq!(m1.zero_result_share.as_deref(), Some("60.0"));
        // 3 listings for 2,000 holders = 1.5 per 1,000.
        assert_eq!(m1.listings_per_1000_holders.as_deref(), Some("1.5"));
        assert_eq!(
            m1.sentence.as_deref(),
            Some("6 searches for personal care at home in M1 found nothing in October 2026; 3 live listings serve M1.")
        );
        let m20 = rows.iter().find(|r| r.district == "M20").unwrap();
        assert_eq!(m20.listings_per_1000_holders, None);
        assert_eq!(
            m20.sentence.as_deref(),
            Some("1 commission request for night support from people in M20 was declined or unanswered after 7 days; no live listing serves M20.")
        );
        let m8 = rows
            .iter()
            .find(|r| r.category == "day_opportunities")
            .unwrap();
        assert_eq!(
            m8.sentence.as_deref(),
            Some(
                "£1,200.00 of day opportunities planned for people in M8 is not yet commissioned."
            )
        );
        assert!(rows
            .iter()
            .find(|r| r.category == "meals")
            .unwrap()
            .sentence
            .is_none());
    }
}
