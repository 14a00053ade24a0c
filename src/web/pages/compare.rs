//! Comparing listings side by side. The "Compare" boxes on the search
//! results send the chosen ids here together with the search itself, so the
//! page can lead back to the same results; no JavaScript is needed.

use crate::domain::ids::ListingId;
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use chrono::Utc;

use super::{render, Chrome, PageError};
use crate::domain::accounts::Role;
use crate::domain::vocab::Vocabulary;
use crate::services::listings::{self, ListingView};
use crate::web::auth::Visitor;
use crate::web::state::AppState;

/// Fewer than two is no comparison; more than four no longer fits a screen.
pub const MIN_COMPARED: usize = 2;
pub const MAX_COMPARED: usize = 4;

#[derive(Template)]
#[template(path = "listings/compare.html")]
struct ComparePage {
    chrome: Chrome,
    listings: Vec<ListingView>,
    problem: Option<String>,
    back: String,
    can_buy: bool,
}

/// The chosen listing ids, in the order chosen and without repeats, or what
/// is wrong with the choice in words a person can act on.
pub fn chosen_ids(pairs: &[(String, String)]) -> Result<Vec<ListingId>, String> {
    let mut ids = Vec::new();
    for (_, value) in pairs.iter().filter(|(name, _)| name == "compare") {
        let id = value
            .trim()
            .parse::<ListingId>()
            .ok()
            .filter(|id| id.get() > 0)
            .ok_or_else(|| {
                format!("“{value}” is not a listing. Go back and choose from the results.")
            })?;
        if !ids.contains(&id) {
            ids.push(id);
        }
    }
    if ids.len() < MIN_COMPARED {
        return Err(format!(
            "Choose at least {MIN_COMPARED} listings to compare: tick “Compare” beside each one."
        ));
    }
    if ids.len() > MAX_COMPARED {
        return Err(format!(
            "You can compare up to {MAX_COMPARED} listings at a time. You chose {}.",
            ids.len()
        ));
    }
    Ok(ids)
}

/// The search the comparison came from, without the choice itself.
fn back_to_results(pairs: &[(String, String)]) -> String {
    let rest: Vec<&(String, String)> = pairs.iter().filter(|(name, _)| name != "compare").collect();
    if rest.is_empty() {
        return "/search".to_owned();
    }
    format!(
        "/search?{}",
        serde_urlencoded::to_string(rest).unwrap_or_default()
    )
}

pub async fn compare(
    state: web::Data<AppState>,
    visitor: Visitor,
    req: HttpRequest,
) -> Result<HttpResponse, PageError> {
    let pairs: Vec<(String, String)> =
        serde_urlencoded::from_str(req.query_string()).unwrap_or_default();
    let back = back_to_results(&pairs);
    let can_buy = visitor
        .account
        .as_ref()
        .is_some_and(|a| matches!(a.role, Role::BudgetHolder | Role::Broker));
    let chrome = Chrome::for_visitor(&visitor);
    let ids = match chosen_ids(&pairs) {
        Ok(ids) => ids,
        Err(problem) => {
            let page = ComparePage {
                chrome,
                listings: Vec::new(),
                problem: Some(problem),
                back,
                can_buy,
            };
            return render(&page, StatusCode::BAD_REQUEST);
        }
    };
    let viewer = visitor.account.clone();
    let listings = state
        .db
        .run(move |conn| {
            ids.iter()
                .map(|id| listings::get(conn, viewer.as_ref(), *id, Utc::now()))
                .collect::<Result<Vec<_>, _>>()
        })
        .await?;
    render(
        &ComparePage {
            chrome,
            listings,
            problem: None,
            back,
            can_buy,
        },
        StatusCode::OK,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(items: &[(&str, &str)]) -> Vec<(String, String)> {
        items
            .iter()
            .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn two_to_four_distinct_listings_are_compared_in_the_order_chosen() {
        let chosen = pairs(&[
            ("q", "care"),
            ("compare", "7"),
            ("compare", "3"),
            ("compare", "7"),
        ]);
        assert_eq!(chosen_ids(&chosen), Ok(vec![ListingId(7), ListingId(3)]));
        assert!(chosen_ids(&pairs(&[("compare", "7")]))
            .unwrap_err()
            .contains("at least 2"));
        let five: Vec<_> = (1..=5)
            .map(|i| ("compare".to_owned(), i.to_string()))
            .collect();
        assert!(chosen_ids(&five).unwrap_err().contains("up to 4"));
        assert!(chosen_ids(&pairs(&[("compare", "1"), ("compare", "x")])).is_err());
        assert!(chosen_ids(&pairs(&[("compare", "1"), ("compare", "-2")])).is_err());
    }

    #[test]
    fn the_way_back_keeps_the_search_and_drops_the_choice() {
        let chosen = pairs(&[("q", "night care"), ("compare", "7"), ("area", "M14")]);
        assert_eq!(back_to_results(&chosen), "/search?q=night+care&area=M14");
        assert_eq!(back_to_results(&pairs(&[("compare", "1")])), "/search");
    }
}
