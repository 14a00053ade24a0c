//! Market evidence from support requests: where people asked and nobody
//! answered, and where offers came in above the council's reference rates.
//! Pure rules over facts the store has gathered.

use std::collections::{BTreeMap, HashMap};

use chrono::{Duration, NaiveDate, NaiveDateTime};
use serde::Serialize;

use crate::domain::money::Money;
use crate::domain::requests::UNANSWERED_AFTER_DAYS;
use crate::domain::vocab::{Category, Vocabulary};

/// What a request says for the evidence.
#[derive(Debug, Clone)]
pub struct RequestFacts {
    pub id: i64,
    pub category: String,
    pub unit: String,
    pub districts: Vec<String>,
    pub created_at: NaiveDateTime,
    pub first_offer_at: Option<NaiveDateTime>,
}

/// What an offer says for the evidence; withdrawn offers are left out.
#[derive(Debug, Clone)]
pub struct OfferFacts {
    pub request_id: i64,
    pub unit: String,
    pub price: Money,
}

/// One category in one postcode district.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct EvidenceRow {
    pub category: String,
    pub category_label: &'static str,
    pub district: String,
    pub requests: i64,
    /// Requests at least 7 days old that had no offer within 7 days.
    pub unanswered: i64,
    pub offers: i64,
    /// The council's reference rate for the category, in the unit the requests asked in.
    pub reference_rate: Option<Money>,
    pub reference_unit: Option<String>,
    pub offers_above_reference: i64,
    pub median_offer: Option<Money>,
}

/// A request with no offer within 7 days of being posted, judged at `now`.
pub fn unanswered(request: &RequestFacts, now: NaiveDateTime) -> bool {
    let window = Duration::days(UNANSWERED_AFTER_DAYS);
    let old_enough = request.created_at + window <= now;
    let answered_in_time = request
        .first_offer_at
        .is_some_and(|at| at <= request.created_at + window);
    old_enough && !answered_in_time
}

/// The median of some prices: the middle one, or the mean of the middle two
/// rounded half away from zero to a penny.
pub fn median(prices: &mut [Money]) -> Option<Money> {
    if prices.is_empty() {
        return None;
    }
    prices.sort();
    let mid = prices.len() / 2;
    Some(if prices.len() % 2 == 1 {
        prices[mid]
    } else {
        let sum = prices[mid - 1].pence() + prices[mid].pence();
        Money::from_pence((sum + sum.signum()) / 2)
    })
}

/// Evidence by category and district: a request counts in each district it names.
/// `references` maps (category, unit) to the council's reference rate.
pub fn request_evidence(
    requests: &[RequestFacts],
    offers: &[OfferFacts],
    references: &HashMap<(String, String), Money>,
    now: NaiveDateTime,
) -> Vec<EvidenceRow> {
    let mut offers_by_request: HashMap<i64, Vec<&OfferFacts>> = HashMap::new();
    for offer in offers {
        offers_by_request
            .entry(offer.request_id)
            .or_default()
            .push(offer);
    }
    let mut rows: BTreeMap<(String, String), (EvidenceRow, Vec<Money>)> = BTreeMap::new();
    for request in requests {
        let reference = references
            .get(&(request.category.clone(), request.unit.clone()))
            .copied();
        let its_offers = offers_by_request
            .get(&request.id)
            .map(Vec::as_slice)
            .unwrap_or_default();
        for district in &request.districts {
            let (row, prices) = rows
                .entry((request.category.clone(), district.clone()))
                .or_insert_with(|| {
                    (
                        EvidenceRow {
                            category: request.category.clone(),
                            category_label: Category::from_input(&request.category)
                                .map(|c| c.label())
                                .unwrap_or("Other support"),
                            district: district.clone(),
                            requests: 0,
                            unanswered: 0,
                            offers: 0,
                            reference_rate: reference,
                            reference_unit: reference.map(|_| request.unit.clone()),
                            offers_above_reference: 0,
                            median_offer: None,
                        },
                        Vec::new(),
                    )
                });
            row.requests += 1;
            if unanswered(request, now) {
                row.unanswered += 1;
            }
            for offer in its_offers {
                row.offers += 1;
                if offer.unit == request.unit {
                    prices.push(offer.price);
                    if reference.is_some_and(|r| offer.price > r) {
                        row.offers_above_reference += 1;
                    }
                }
            }
        }
    }
    rows.into_values()
        .map(|(mut row, mut prices)| {
            row.median_offer = median(&mut prices);
            row
        })
        .collect()
}

/// The rows worth a sentence, biggest gap first, in plain English.
pub fn sentences(rows: &[EvidenceRow], from: NaiveDate, to: NaiveDate) -> Vec<String> {
    let mut notable: Vec<&EvidenceRow> = rows
        .iter()
        .filter(|r| r.unanswered > 0 || r.offers_above_reference > 0)
        .collect();
    notable.sort_by_key(|r| (-r.unanswered, -r.offers_above_reference));
    notable
        .into_iter()
        .map(|r| {
            let what = r.category_label.to_lowercase();
            let mut parts = Vec::new();
            if r.unanswered > 0 {
                parts.push(format!(
                    "{} of {} request{} for {what} in {} had no offer within {UNANSWERED_AFTER_DAYS} days",
                    r.unanswered,
                    r.requests,
                    if r.requests == 1 { "" } else { "s" },
                    r.district
                ));
            }
            if r.offers_above_reference > 0 {
                let rate = r
                    .reference_rate
                    .map(|m| m.display_gbp())
                    .unwrap_or_default();
                parts.push(format!(
                    "{} offer{} for {what} in {} came in above your reference rate of {rate}",
                    r.offers_above_reference,
                    if r.offers_above_reference == 1 { "" } else { "s" },
                    r.district
                ));
            }
            format!(
                "Between {} and {}, {}.",
                from.format("%-d %B %Y"),
                to.format("%-d %B %Y"),
                parts.join("; ")
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(day: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(2027, 3, day)
            .unwrap()
            .and_hms_opt(12, 0, 0)
            .unwrap()
    }

    fn money(text: &str) -> Money {
        Money::parse(text).unwrap()
    }

    #[test]
    fn gaps_and_fees_are_counted_by_category_and_district() {
        let request = |id, districts: &[&str], created, first_offer: Option<u32>| RequestFacts {
            id,
            category: "night_support".into(),
            unit: "night".into(),
            districts: districts.iter().map(|d| d.to_string()).collect(),
            created_at: at(created),
            first_offer_at: first_offer.map(at),
        };
        let requests = [
            // No offer at all, three weeks old: unanswered in both districts.
            request(1, &["M14", "M15"], 1, None),
            // Answered on day 10, nine days after posting: too late, unanswered.
            request(2, &["M14"], 1, Some(10)),
            // Answered within a week.
            request(3, &["M14"], 2, Some(4)),
            // Only three days old: not yet counted as unanswered.
            request(4, &["M14"], 19, None),
        ];
        let offer = |request_id, unit: &str, price| OfferFacts {
            request_id,
            unit: unit.into(),
            price: money(price),
        };
        let offers = [
            offer(2, "night", "120.00"),
            offer(3, "night", "95.00"),
            offer(3, "night", "110.00"),
            // A weekly price is counted as an offer but not compared with a nightly rate.
            offer(3, "week", "600.00"),
        ];
        let references = HashMap::from([(
            ("night_support".to_owned(), "night".to_owned()),
            money("100.00"),
        )]);
        let rows = request_evidence(&requests, &offers, &references, at(22));
        assert_eq!(rows.len(), 2);
        let m14 = &rows[0];
        assert_eq!(m14.district, "M14");
        assert_eq!(
            (
                m14.requests,
                m14.unanswered,
                m14.offers,
                m14.offers_above_reference
            ),
            (4, 2, 4, 2)
        );
        assert_eq!(m14.median_offer, Some(money("110.00")));
        let m15 = &rows[1];
        assert_eq!((m15.requests, m15.unanswered, m15.offers), (1, 1, 0));
        let said = sentences(
            &rows,
            NaiveDate::from_ymd_opt(2027, 3, 1).unwrap(),
            NaiveDate::from_ymd_opt(2027, 3, 22).unwrap(),
        );
        assert_eq!(said[0], "Between 1 March 2027 and 22 March 2027, 2 of 4 requests for night support in M14 had no offer within 7 days; 2 offers for night support in M14 came in above your reference rate of £100.00.");
    }

    #[test]
    fn the_median_of_an_even_count_is_the_mean_of_the_middle_two() {
        let mut prices = [
            money("10.00"),
            money("10.01"),
            money("12.00"),
            money("9.00"),
        ];
        assert_eq!(median(&mut prices), Some(money("10.01")));
        assert_eq!(median(&mut []), None);
    }
}
