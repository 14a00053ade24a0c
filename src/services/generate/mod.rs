//! Synthetic markets for measuring Bespoke at scale: `bespoke generate`.
//! Deterministic for a given seed and starting database. Accounts made here
//! have no email or password, so nobody can sign in as them.

mod commissions;
mod listings;
mod plans;
mod searches;

use chrono::{DateTime, Duration, NaiveDateTime, Utc};
use rand::Rng;

pub use listings::listings;
pub use plans::{people_and_money, PeopleAndMoney};
pub use searches::searches;

use crate::domain::places::Places;

/// Greater Manchester: the councils a generated market spreads over.
pub const MARKET_COUNCILS: &[&str] = &[
    "E08000001",
    "E08000002",
    "E08000003",
    "E08000004",
    "E08000005",
    "E08000006",
    "E08000007",
    "E08000008",
    "E08000009",
    "E08000010",
];

/// How far back generated activity reaches: two years.
pub const HISTORY_DAYS: i64 = 730;

/// The market's districts, each with its council, in a fixed order.
pub fn market_districts(places: &Places) -> Vec<(String, &'static str)> {
    MARKET_COUNCILS
        .iter()
        .flat_map(|council| {
            places
                .districts_of(council)
                .into_iter()
                .map(move |d| (d.code.clone(), *council))
        })
        .collect()
}

/// A moment in the last two years, later moments a little likelier (the
/// market grows), as the reports' default last-30-days period would see it.
fn moment_in_history(rng: &mut impl Rng, now: DateTime<Utc>) -> NaiveDateTime {
    let seconds = HISTORY_DAYS * 86_400;
    // The larger of two draws leans towards the present.
    let back = rng
        .random_range(0..seconds)
        .min(rng.random_range(0..seconds));
    (now - Duration::seconds(back)).naive_utc()
}

/// Per-stage seeds, so adding a stage does not change the others.
fn stage_seed(seed: u64, stage: u64) -> u64 {
    seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ stage
}
