//! In-process search over 50,000 generated listings with the embedded engine:
//! index build time, memory, and latency of text + filter + distance queries.
//!
//!     cargo bench --bench search
//!
//! Besides criterion's own report, it prints p50 and p99 over 2,000 runs of
//! each query (criterion reports means and medians, not tail latency).

use bespoke::domain::ids::{AccountId, ListingId};
use std::time::{Duration, Instant};

use bespoke::domain::places::Places;
use bespoke::domain::search::{check, SearchParams, SearchSettings};
use bespoke::domain::vocab::{Band, Category, Vocabulary, LANGUAGES};
use bespoke::search::embedded::EmbeddedEngine;
use bespoke::search::{EngineQuery, Geo, IndexChanges, ListingDocument};
// The councils a generated market spreads over, so that areas and distances are realistic.
use bespoke::services::generate::MARKET_COUNCILS;
use criterion::{criterion_group, criterion_main, Criterion};
use rand::rngs::StdRng;
use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};
use strum::IntoEnumIterator;

const LISTINGS: usize = 50_000;
const WORDS: &[&str] = &[
    "friendly",
    "reliable",
    "local",
    "experienced",
    "support",
    "care",
    "home",
    "evening",
    "weekend",
    "help",
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
    "respite",
    "companionship",
    "shopping",
    "cleaning",
    "medication",
    "mobility",
    "wellbeing",
];

fn generate() -> Vec<ListingDocument> {
    let places = Places::get();
    let districts: Vec<_> = MARKET_COUNCILS
        .iter()
        .flat_map(|c| places.districts_of(c))
        .collect();
    let categories: Vec<Category> = Category::iter().collect();
    let bands: Vec<Band> = Band::iter().collect();
    let mut rng = StdRng::seed_from_u64(50_000);
    (0..LISTINGS)
        .map(|i| {
            let district = districts.choose(&mut rng).expect("districts");
            let category = *categories.choose(&mut rng).expect("categories");
            let words: Vec<&str> = (0..12)
                .map(|_| *WORDS.choose(&mut rng).expect("words"))
                .collect();
            let areas: Vec<String> = std::iter::once(district.code.clone())
                .chain(
                    (0..rng.random_range(1..8))
                        .map(|_| districts.choose(&mut rng).expect("districts").code.clone()),
                )
                .collect();
            let mut languages = vec!["en".to_owned()];
            if rng.random_bool(0.3) {
                languages.push(LANGUAGES.choose(&mut rng).expect("languages").0.to_owned());
            }
            ListingDocument {
                id: ListingId(i as i64 + 1),
                title: format!(
                    "{} {} {}",
                    words[0],
                    category.label().to_lowercase(),
                    words[1]
                ),
                description: words.join(" "),
                category: category.code().into(),
                category_label: category.label().into(),
                tags: vec![words[2].into()],
                provider_id: AccountId((i / 8) as i64 + 1),
                provider_name: format!("Provider {}", i / 8),
                kind: if category == Category::PersonalAssistant {
                    "personal_assistant"
                } else {
                    "provider"
                }
                .into(),
                employment: None,
                district: district.code.clone(),
                areas,
                availability: bands
                    .iter()
                    .filter(|_| rng.random_bool(0.4))
                    .map(|b| b.code().to_owned())
                    .collect(),
                language_names: languages
                    .iter()
                    .filter_map(|c| bespoke::domain::vocab::language_name(c))
                    .map(str::to_owned)
                    .collect(),
                languages,
                accepting_clients: rng.random_bool(0.85),
                price_pence: rng.random_range(800..40_000),
                unit: bespoke::domain::vocab::Unit::Hour,
                geo: Geo {
                    lat: district.latitude,
                    lng: district.longitude,
                },
            }
        })
        .collect()
}

fn resident_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines().find(|l| l.starts_with("VmRSS:")).map(|l| {
                l.split_whitespace()
                    .nth(1)
                    .unwrap_or("0")
                    .parse()
                    .unwrap_or(0)
            })
        })
        .unwrap_or(0)
}

const QUERIES: &[(&str, &str)] = &[
    (
        "text + area + distance",
        "q=personal+assistant&area=M14&sort=distance",
    ),
    (
        "text + category + band",
        "q=dementia+care&category=personal_care&availability=weekday_evening&area=M20",
    ),
    ("typos + area", "q=persnal+asistant+evenings&area=M1"),
    (
        "sentence",
        "q=a+carer+for+weekends+near+M14+who+speaks+Urdu",
    ),
    (
        "filters only + price",
        "category=day_opportunities&area=M8&max_price=60.00&sort=price",
    ),
    ("broad text", "q=care"),
];

fn search_benchmarks(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let documents = generate();
    let before = resident_kib();
    let engine = EmbeddedEngine::open(dir.path(), SearchSettings::load().expect("settings"), true)
        .expect("an index");
    let started = Instant::now();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    use bespoke::search::SearchBackend;
    for chunk in documents.chunks(5_000) {
        runtime
            .block_on(engine.apply(IndexChanges {
                upserts: chunk.to_vec(),
                ..Default::default()
            }))
            .expect("indexed");
    }
    // As the server does once it has caught up at start-up.
    runtime.block_on(engine.compact()).expect("compacted");
    println!(
        "index build: {} listings in {:.2?}; resident memory grew by {} MiB",
        engine.document_count(),
        started.elapsed(),
        resident_kib().saturating_sub(before) / 1024
    );

    let places = Places::get();
    let mut group = c.benchmark_group("search_50k");
    group
        .measurement_time(Duration::from_secs(3))
        .sample_size(50);
    for (name, query) in QUERIES {
        let params: SearchParams = serde_html_form::from_str(query).expect("a query string");
        let request = check(&params, places).expect("a valid search");
        let origin = bespoke::services::search::origin(&request, places);
        let run = || {
            engine
                .search_blocking(&EngineQuery {
                    request: &request,
                    origin,
                })
                .expect("results")
        };
        let total = run().total;
        let mut times: Vec<Duration> = (0..2_000)
            .map(|_| {
                let start = Instant::now();
                std::hint::black_box(run());
                start.elapsed()
            })
            .collect();
        times.sort();
        println!(
            "{name:<24} {total:>6} matches   p50 {:>8.3?}   p99 {:>8.3?}",
            times[times.len() / 2],
            times[times.len() * 99 / 100]
        );
        group.bench_function(*name, |b| b.iter(run));
    }
    group.finish();
}

criterion_group!(benches, search_benchmarks);
criterion_main!(benches);
