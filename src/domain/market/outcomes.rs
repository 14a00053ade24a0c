//! Outcomes: how people rate the areas of their lives at the start of a plan
//! and at reviews, by how their budget is held and the kinds of support they
//! bought. Groups of fewer than five people are suppressed.

use std::collections::{BTreeSet, HashMap};

use chrono::NaiveDateTime;
use serde::Serialize;

use super::category_label;
use crate::domain::vocab::{OutcomeDomain, PortionMode, Vocabulary};

/// Fewer people than this and a figure is not shown.
pub const SMALLEST_GROUP: usize = 5;

#[derive(Debug, Clone)]
pub struct RatingFacts {
    pub holder_id: i64,
    pub stage: String,
    pub domain: String,
    pub rating: i32,
    pub rated_at: NaiveDateTime,
}

/// How a person's budget is held and what was bought with it.
#[derive(Debug, Clone, Default)]
pub struct PersonGroups {
    pub modes: BTreeSet<String>,
    pub categories: BTreeSet<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Distribution {
    pub people: usize,
    /// How many rated 1, 2, 3, 4 and 5.
    pub counts: [usize; 5],
    /// One decimal.
    pub mean: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Change {
    pub people: usize,
    /// The mean of (latest review − first start rating), one decimal, signed.
    pub mean_change: String,
    pub improved: usize,
    pub unchanged: usize,
    pub worse: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct OutcomeRow {
    /// `all`, `budget_held` (by portion mode) or `support` (by category bought).
    pub group_by: &'static str,
    pub group: String,
    pub group_label: &'static str,
    pub domain: String,
    pub domain_label: &'static str,
    /// Start ratings given in the period; null when fewer than five people.
    pub at_start: Option<Distribution>,
    /// Each person's latest review rating in the period.
    pub at_review: Option<Distribution>,
    /// People reviewed in the period who also rated at the start.
    pub change: Option<Change>,
    /// True when any part was held back to protect privacy.
    pub suppressed: bool,
}

fn distribution(ratings: &[i32]) -> Option<Distribution> {
    if ratings.len() < SMALLEST_GROUP {
        return None;
    }
    let mut counts = [0; 5];
    for r in ratings {
        counts[(*r as usize).clamp(1, 5) - 1] += 1;
    }
    let sum: i32 = ratings.iter().sum();
    Some(Distribution {
        people: ratings.len(),
        counts,
        mean: format!("{:.1}", sum as f64 / ratings.len() as f64),
    })
}

fn change(pairs: &[(i32, i32)]) -> Option<Change> {
    if pairs.len() < SMALLEST_GROUP {
        return None;
    }
    let delta: i32 = pairs.iter().map(|(start, review)| review - start).sum();
    Some(Change {
        people: pairs.len(),
        mean_change: format!("{:+.1}", delta as f64 / pairs.len() as f64),
        improved: pairs.iter().filter(|(s, r)| r > s).count(),
        unchanged: pairs.iter().filter(|(s, r)| r == s).count(),
        worse: pairs.iter().filter(|(s, r)| r < s).count(),
    })
}

/// Per person and domain: the start rating given in the period (the latest),
/// the first start rating ever (the baseline) and the latest review in the period.
#[derive(Default)]
struct PersonDomain {
    start_in_period: Option<(NaiveDateTime, i32)>,
    baseline: Option<(NaiveDateTime, i32)>,
    review_in_period: Option<(NaiveDateTime, i32)>,
}

/// `ratings` are every rating given up to the period's end;
/// `[start, end)` is the period.
pub fn outcome_rows(
    ratings: &[RatingFacts],
    groups: &HashMap<i64, PersonGroups>,
    start: NaiveDateTime,
    end: NaiveDateTime,
) -> Vec<OutcomeRow> {
    let mut people: HashMap<(i64, &str), PersonDomain> = HashMap::new();
    for r in ratings.iter().filter(|r| r.rated_at < end) {
        let entry = people.entry((r.holder_id, r.domain.as_str())).or_default();
        let this = (r.rated_at, r.rating);
        let in_period = r.rated_at >= start;
        let later =
            |slot: &Option<(NaiveDateTime, i32)>| slot.is_none_or(|(at, _)| at <= r.rated_at);
        if r.stage == "start" {
            if entry.baseline.is_none_or(|(at, _)| r.rated_at < at) {
                entry.baseline = Some(this);
            }
            if in_period && later(&entry.start_in_period) {
                entry.start_in_period = Some(this);
            }
        } else if in_period && later(&entry.review_in_period) {
            entry.review_in_period = Some(this);
        }
    }
    let no_groups = PersonGroups::default();
    let domains = OutcomeDomain::all();
    // Each group once, numbered: (order of its kind, kind, group); and per
    // group and domain (by number) the ratings of its people, if any.
    type Figures = (Vec<i32>, Vec<i32>, Vec<(i32, i32)>);
    let mut keys: Vec<(u8, &'static str, &str)> = Vec::new();
    let mut numbers: HashMap<(u8, &'static str, &str), usize> = HashMap::new();
    let mut figures: Vec<Vec<Option<Figures>>> = Vec::new();
    let mut groups_of: HashMap<i64, Vec<usize>> = HashMap::new();
    for ((holder, domain), facts) in &people {
        let Some(d) = domains.iter().position(|x| x.code() == *domain) else {
            continue;
        };
        let memberships = groups_of.entry(*holder).or_insert_with(|| {
            let person = groups.get(holder).unwrap_or(&no_groups);
            std::iter::once((0, "all", "all"))
                .chain(person.modes.iter().map(|m| (1, "budget_held", m.as_str())))
                .chain(person.categories.iter().map(|c| (2, "support", c.as_str())))
                .map(|key| {
                    *numbers.entry(key).or_insert_with(|| {
                        keys.push(key);
                        figures.push(vec![None; domains.len()]);
                        keys.len() - 1
                    })
                })
                .collect()
        });
        for &group in memberships.iter() {
            let cell = figures[group][d].get_or_insert_with(Figures::default);
            if let Some((_, r)) = facts.start_in_period {
                cell.0.push(r);
            }
            if let Some((_, r)) = facts.review_in_period {
                cell.1.push(r);
                if let Some((_, s)) = facts.baseline {
                    cell.2.push((s, r));
                }
            }
        }
    }
    let mut order: Vec<usize> = (0..keys.len()).collect();
    order.sort_by_key(|&i| keys[i]);
    let mut rows = Vec::new();
    for i in order {
        let (_, group_by, group) = keys[i];
        let group_label = match group_by {
            "all" => "Everyone",
            "budget_held" => PortionMode::from_input(group)
                .map(|m| m.label())
                .unwrap_or("Other"),
            _ => category_label(group),
        };
        for (domain, cell) in domains.iter().zip(&figures[i]) {
            let Some((starts, reviews, pairs)) = cell else {
                continue;
            };
            let (at_start, at_review, change) =
                (distribution(starts), distribution(reviews), change(pairs));
            let suppressed = (at_start.is_none() && !starts.is_empty())
                || (at_review.is_none() && !reviews.is_empty())
                || (change.is_none() && !pairs.is_empty());
            rows.push(OutcomeRow {
                group_by,
                group: group.to_owned(),
                group_label,
                domain: domain.code().to_owned(),
                domain_label: domain.label(),
                at_start,
                at_review,
                change,
                suppressed,
            });
        }
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn at(month: u32, day: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(2026, month, day)
            .unwrap()
            .and_hms_opt(10, 0, 0)
            .unwrap()
    }

    fn rating(holder: i64, stage: &str, rating: i32, when: NaiveDateTime) -> RatingFacts {
        RatingFacts {
            holder_id: holder,
            stage: stage.into(),
            domain: "quality_of_life".into(),
            rating,
            rated_at: when,
        }
    }

    #[test]
    fn change_is_latest_review_against_first_start_and_small_groups_are_hidden() {
        let mut ratings = Vec::new();
        // Six people started in May at 2, 2, 3, 3, 3, 4 and were reviewed in
        // October at 4, 3, 3, 4, 2, 4 (person 1 reviewed twice: 3 then 4).
        let starts = [2, 2, 3, 3, 3, 4];
        let reviews = [4, 3, 3, 4, 2, 4];
        for holder in 0..6 {
            ratings.push(rating(holder, "start", starts[holder as usize], at(5, 1)));
            ratings.push(rating(
                holder,
                "review",
                reviews[holder as usize],
                at(10, 20),
            ));
        }
        ratings.insert(0, rating(0, "review", 3, at(10, 2)));
        // A review after the period is ignored.
        ratings.push(rating(5, "review", 1, at(11, 2)));
        let mut groups = HashMap::new();
        for holder in 0..6 {
            let mut g = PersonGroups::default();
            g.modes.insert(
                if holder < 5 {
                    "direct_payment"
                } else {
                    "council_managed"
                }
                .into(),
            );
            groups.insert(holder, g);
        }
        let rows = outcome_rows(&ratings, &groups, at(10, 1), at(11, 1));
        let everyone = rows.iter().find(|r| r.group_by == "all").unwrap();
        assert_eq!(everyone.at_start, None, "no start ratings in October");
        let review = everyone.at_review.as_ref().unwrap();
        assert_eq!(review.counts, [0, 1, 2, 3, 0]);
        assert_eq!(review.mean, "3.3");
        let change = everyone.change.as_ref().unwrap();
        // Deltas +2, +1, 0, +1, −1, 0 → mean 0.5.
        assert_eq!(
            (
                change.people,
                change.mean_change.as_str(),
                change.improved,
                change.unchanged,
                change.worse
            ),
            (6, "+0.5", 3, 2, 1)
        );
        let direct = rows.iter().find(|r| r.group == "direct_payment").unwrap();
        assert_eq!(direct.at_review.as_ref().unwrap().people, 5);
        let council = rows.iter().find(|r| r.group == "council_managed").unwrap();
        assert_eq!(
            (council.at_review.clone(), council.change.clone()),
            (None, None)
        );
        assert!(council.suppressed);
        assert_eq!(council.group_label, "Council-managed");
    }
}
