//! The outcomes report: ratings of the council's budget holders, by how
//! their budgets are held and the kinds of support they bought.

use std::collections::HashMap;

use serde::Serialize;

use super::{to_csv, Period};
use crate::domain::market::outcomes::{
    outcome_rows, Distribution, OutcomeRow, PersonGroups, RatingFacts, SMALLEST_GROUP,
};
use crate::error::AppError;
use crate::services::access::Account;
use crate::store::market::outcomes as store;
use crate::store::DbConnection;

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct OutcomesReport {
    pub council: String,
    pub period: Period,
    pub smallest_group: usize,
    pub items: Vec<OutcomeRow>,
}

pub fn outcomes(
    conn: &mut DbConnection,
    account: &Account,
    period: Period,
) -> Result<OutcomesReport, AppError> {
    let council = account.commissioners_council()?;
    let ratings: Vec<RatingFacts> = store::ratings_before(conn, &council, period.end())?
        .into_iter()
        .map(|(holder_id, stage, domain, rating, rated_at)| RatingFacts {
            holder_id,
            stage,
            domain,
            rating,
            rated_at,
        })
        .collect();
    let mut groups: HashMap<i64, PersonGroups> = HashMap::new();
    for (holder, mode) in store::portion_modes(conn, &council)? {
        groups.entry(holder).or_default().modes.insert(mode);
    }
    for (holder, category) in store::commissioned_categories(conn, &council)? {
        groups
            .entry(holder)
            .or_default()
            .categories
            .insert(category);
    }
    Ok(OutcomesReport {
        items: outcome_rows(&ratings, &groups, period.start(), period.end()),
        council,
        period,
        smallest_group: SMALLEST_GROUP,
    })
}

pub fn outcomes_csv(report: &OutcomesReport) -> Result<String, AppError> {
    let dist = |d: &Option<Distribution>| -> Vec<String> {
        match d {
            Some(d) => std::iter::once(d.people.to_string())
                .chain(std::iter::once(d.mean.clone()))
                .chain(d.counts.iter().map(|c| c.to_string()))
                .collect(),
            None => vec![String::new(); 7],
        }
    };
    to_csv(
        &[
            "group_by",
            "group",
            "domain",
            "start_people",
            "start_mean",
            "start_1",
            "start_2",
            "start_3",
            "start_4",
            "start_5",
            "review_people",
            "review_mean",
            "review_1",
            "review_2",
            "review_3",
            "review_4",
            "review_5",
            "change_people",
            "mean_change",
            "improved",
            "unchanged",
            "worse",
            "suppressed",
        ],
        report.items.iter().map(|r| {
            let mut record = vec![r.group_by.to_owned(), r.group.clone(), r.domain.clone()];
            record.extend(dist(&r.at_start));
            record.extend(dist(&r.at_review));
            match &r.change {
                Some(c) => record.extend([
                    c.people.to_string(),
                    c.mean_change.clone(),
                    c.improved.to_string(),
                    c.unchanged.to_string(),
                    c.worse.to_string(),
                ]),
                None => record.extend(vec![String::new(); 5]),
            }
            record.push(r.suppressed.to_string());
            record
        }),
    )
}
