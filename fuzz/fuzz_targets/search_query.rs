//! Search query strings, as `/search` and `/api/v1/search` receive them:
//! parsed, checked, then run by the embedded engine over a small index.
//! Anything the check lets through must be answerable: an engine error here
//! would be a 500 for the person searching.
#![no_main]

use std::sync::OnceLock;

use bespoke::domain::places::Places;
use bespoke::domain::search::{check, SearchParams, SearchSettings};
use bespoke::search::embedded::EmbeddedEngine;
use bespoke::search::{EngineQuery, Geo, IndexChanges, ListingDocument};
use libfuzzer_sys::fuzz_target;

fn document(id: i64, title: &str, category: &str, district: &str, languages: &[&str]) -> ListingDocument {
    ListingDocument {
        id,
        title: title.to_owned(),
        description: format!("{title}, in and around {district}."),
        category: category.to_owned(),
        category_label: category.replace('_', " "),
        tags: vec!["wheelchair".to_owned()],
        provider_id: id,
        provider_name: format!("Seller {id}"),
        kind: "personal_assistant".to_owned(),
        employment: Some("self_employed".to_owned()),
        district: district.to_owned(),
        areas: vec![district.to_owned()],
        availability: vec!["weekday_evening".to_owned(), "weekend".to_owned()],
        languages: languages.iter().map(|l| (*l).to_owned()).collect(),
        language_names: Vec::new(),
        accepting_clients: id % 2 == 0,
        price_pence: 1200 + id * 150,
        unit: "hour".to_owned(),
        geo: Geo { lat: 53.45 + id as f64 / 100.0, lng: -2.22 },
    }
}

fn engine() -> &'static EmbeddedEngine {
    static ENGINE: OnceLock<(tempfile::TempDir, EmbeddedEngine)> = OnceLock::new();
    &ENGINE
        .get_or_init(|| {
            let dir = tempfile::tempdir().expect("a temporary directory");
            let settings = SearchSettings::load().expect("the search settings");
            let engine = EmbeddedEngine::open(dir.path(), settings, true).expect("an index");
            let upserts = vec![
                document(1, "Evening personal assistant", "personal_assistant", "M14", &["en", "ur"]),
                document(2, "Day centre with art and gardening", "day_opportunities", "M13", &["en"]),
                document(3, "Overnight respite", "short_breaks", "M20", &["en", "pl"]),
                document(4, "Home care visits", "personal_care", "M8", &["en", "so"]),
            ];
            engine
                .apply_blocking(IndexChanges { upserts, ..Default::default() })
                .expect("the documents are indexed");
            (dir, engine)
        })
        .1
}

fuzz_target!(|query: &str| {
    let Ok(params) = serde_html_form::from_str::<SearchParams>(query) else {
        return; // answered 400 before any of Bespoke's own code runs
    };
    let places = Places::get();
    let Ok(request) = check(&params, places) else {
        return; // answered 422, naming each parameter
    };
    let origin = bespoke::services::search::origin(&request, places);
    let results = engine()
        .search_blocking(&EngineQuery { request: &request, origin })
        .unwrap_or_else(|e| panic!("{query:?} was accepted but the engine failed: {e:?}"));
    assert!(results.hits.len() <= results.total);
});
