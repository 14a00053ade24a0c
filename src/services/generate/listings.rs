//! Generated sellers and their published listings.

use crate::domain::ids::AccountId;
use chrono::{DateTime, Utc};
use rand::rngs::StdRng;
use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};
use strum::IntoEnumIterator;

use crate::domain::accounts::Role;
use crate::domain::listings::ListingContent;
use crate::domain::money::Money;
use crate::domain::places::Places;
use crate::domain::vocab::{
    Band, Category, Employment, ListingStatus, Unit, Vocabulary, LANGUAGES,
};
use crate::error::AppError;
use crate::store::accounts::{self as account_store, NewAccount};
use crate::store::{listings as listing_store, write_transaction, DbConnection};

use super::MARKET_COUNCILS;

const WORDS: &[&str] = &[
    "friendly",
    "reliable",
    "local",
    "experienced",
    "dementia",
    "autism",
    "learning",
    "disability",
    "community",
    "garden",
    "cooking",
    "swimming",
    "music",
    "art",
    "driver",
    "medication",
    "mobility",
    "wellbeing",
    "outings",
];
const LISTINGS_PER_SELLER: usize = 8;
const CHUNK: usize = 1_000;

fn unit_and_price(rng: &mut StdRng, category: Category) -> (Unit, i64) {
    match category {
        Category::ResidentialCare | Category::NursingCare => {
            (Unit::Week, rng.random_range(70_000..140_000))
        }
        Category::ShortBreaks | Category::NightSupport => {
            (Unit::Night, rng.random_range(10_000..20_000))
        }
        Category::DayOpportunities => (Unit::Day, rng.random_range(4_000..8_000)),
        Category::CommunityActivity | Category::Learning | Category::CarersSupport => {
            (Unit::Session, rng.random_range(800..4_000))
        }
        Category::Transport | Category::Equipment | Category::Meals => {
            (Unit::Item, rng.random_range(500..30_000))
        }
        Category::PersonalAssistant => (Unit::Hour, rng.random_range(1_225..1_800)),
        _ => (Unit::Hour, rng.random_range(1_500..3_500)),
    }
}

/// Adds `count` published listings from generated sellers. Returns how many were made.
pub fn listings(
    conn: &mut DbConnection,
    places: &Places,
    count: usize,
    seed: u64,
    now: DateTime<Utc>,
    mut progress: impl FnMut(usize),
) -> Result<usize, AppError> {
    let mut rng = StdRng::seed_from_u64(seed);
    let districts: Vec<String> = MARKET_COUNCILS
        .iter()
        .flat_map(|c| places.districts_of(c))
        .map(|d| d.code.clone())
        .collect();
    let provider_categories: Vec<Category> = Category::iter()
        .filter(|c| *c != Category::PersonalAssistant)
        .collect();
    let bands: Vec<Band> = Band::iter().collect();
    let mut made = 0;
    while made < count {
        let in_chunk = CHUNK.min(count - made);
        write_transaction(conn, |conn| {
            let mut seller = (AccountId(0), Role::Provider, String::new());
            for i in 0..in_chunk {
                if i % LISTINGS_PER_SELLER == 0 {
                    let n = seed * 10_000_000 + (made + i) as u64;
                    let role = if rng.random_bool(0.3) {
                        Role::PersonalAssistant
                    } else {
                        Role::Provider
                    };
                    let district = districts.choose(&mut rng).expect("districts").clone();
                    let row = account_store::insert(
                        conn,
                        &NewAccount {
                            email: None,
                            name: &format!("Generated seller {n}"),
                            role,
                            password_hash: None,
                            council_code: None,
                            postcode: Some(&district),
                            district: Some(&district),
                            created_at: now.naive_utc(),
                        },
                    )?
                    .ok_or_else(|| {
                        AppError::Internal("an account without email cannot clash".into())
                    })?;
                    seller = (row.id, role, district);
                }
                let category = if seller.1 == Role::PersonalAssistant {
                    Category::PersonalAssistant
                } else {
                    *provider_categories.choose(&mut rng).expect("categories")
                };
                let (unit, pence) = unit_and_price(&mut rng, category);
                let words: Vec<&str> = (0..10)
                    .map(|_| *WORDS.choose(&mut rng).expect("words"))
                    .collect();
                let mut areas = vec![seller.2.clone()];
                for _ in 0..rng.random_range(1..7) {
                    let area = districts.choose(&mut rng).expect("districts").clone();
                    if !areas.contains(&area) {
                        areas.push(area);
                    }
                }
                let mut languages = vec!["en".to_owned()];
                if rng.random_bool(0.3) {
                    let (code, _) = LANGUAGES.choose(&mut rng).expect("languages");
                    if *code != "en" {
                        languages.push((*code).to_owned());
                    }
                }
                let content = ListingContent {
                    title: format!("{} {}", words[0], category.label().to_lowercase()),
                    description: words.join(" "),
                    category,
                    price: Some(Money::from_pence(pence / 5 * 5)),
                    unit,
                    rates: Vec::new(),
                    fees: Vec::new(),
                    postcode: seller.2.clone(),
                    district: seller.2.clone(),
                    areas,
                    availability: bands
                        .iter()
                        .copied()
                        .filter(|_| rng.random_bool(0.4))
                        .collect(),
                    languages,
                    tags: vec![words[1].to_owned()],
                    employment: (category == Category::PersonalAssistant)
                        .then_some(Employment::SelfEmployed),
                    accepting_clients: rng.random_bool(0.85),
                    status: ListingStatus::Published,
                };
                listing_store::insert(conn, seller.0, &content, None, now.naive_utc())?;
            }
            Ok::<_, AppError>(())
        })?;
        made += in_chunk;
        progress(made);
    }
    Ok(made)
}
