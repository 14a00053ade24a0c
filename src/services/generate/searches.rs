//! Generated searches, as the search page records them: most name an area
//! and a kind of support, and find what the generated listings offer there,
//! so a district with no supply shows up as searches that found nothing.

use crate::domain::ids::ListingId;
use std::collections::HashMap;

use chrono::{DateTime, Utc};
use rand::rngs::StdRng;
use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};
use strum::IntoEnumIterator;

use super::{market_districts, moment_in_history, stage_seed};
use crate::domain::places::Places;
use crate::domain::vocab::{Category, Vocabulary};
use crate::error::AppError;
use crate::store::search::{self as search_store, NewSearchEvent};
use crate::store::{bulk, write_transaction, DbConnection};

const EVENTS_PER_CHUNK: usize = 5_000;
const PHRASES: &[&str] = &[
    "",
    "personal assistant",
    "dementia care",
    "someone to help me get out",
    "evening support",
    "swimming",
    "urdu speaking carer",
    "day centre",
    "respite weekend",
    "night sitter",
];

/// Adds `count` recorded searches over the last two years. Answers how many.
pub fn searches(
    conn: &mut DbConnection,
    places: &Places,
    count: usize,
    seed: u64,
    now: DateTime<Utc>,
    mut progress: impl FnMut(usize),
) -> Result<usize, AppError> {
    let mut rng = StdRng::seed_from_u64(stage_seed(seed, 3));
    let districts = market_districts(places);
    let categories: Vec<Category> = Category::iter().collect();
    // What a search for a kind of support in a district finds.
    let listings = bulk::priced_listings(conn)?;
    let category_of: HashMap<ListingId, &str> =
        listings.iter().map(|l| (l.id, l.category.code())).collect();
    let mut supply: HashMap<(String, String), i64> = HashMap::new();
    let mut in_district: HashMap<String, i64> = HashMap::new();
    for (listing, district) in bulk::all_listing_areas(conn)? {
        if let Some(category) = category_of.get(&listing) {
            *supply
                .entry((district.clone(), (*category).to_owned()))
                .or_default() += 1;
            *in_district.entry(district).or_default() += 1;
        }
    }

    let mut made = 0;
    while made < count {
        let in_chunk = EVENTS_PER_CHUNK.min(count - made);
        let events: Vec<NewSearchEvent> = (0..in_chunk)
            .map(|_| {
                let (district, council) = districts.choose(&mut rng).expect("districts").clone();
                let category = rng
                    .random_bool(0.7)
                    .then(|| *categories.choose(&mut rng).expect("categories"));
                let found = match category {
                    Some(c) => supply
                        .get(&(district.clone(), c.code().to_owned()))
                        .copied()
                        .unwrap_or(0),
                    None => in_district.get(&district).copied().unwrap_or(0),
                };
                // Words narrow a search further, sometimes to nothing.
                let query = *PHRASES.choose(&mut rng).expect("phrases");
                let found = if query.is_empty() || found == 0 {
                    found
                } else {
                    rng.random_range(0..=found)
                };
                NewSearchEvent {
                    searched_at: moment_in_history(&mut rng, now),
                    query: query.to_owned(),
                    filters: serde_json::json!({
                        "category": category.map(|c| c.code()),
                        "area": district,
                    })
                    .to_string(),
                    category: category.map(|c| c.code().to_owned()),
                    district: Some(district),
                    council_code: Some(council.to_owned()),
                    result_count: found,
                    engine: "generated".to_owned(),
                }
            })
            .collect();
        write_transaction(conn, |conn| search_store::record_events(conn, &events))?;
        made += in_chunk;
        progress(made);
    }
    Ok(made)
}
