//! Search engines. One trait, two engines: the embedded one (tantivy, index
//! in the data directory) and Meilisearch. Both follow
//! `search-config/listings.json`; the rules about what a search means live
//! in `domain::search`, and keeping the index in step with the database is
//! the outbox worker's job (`services::search`).

pub mod embedded;
pub mod meili;
use crate::domain::ids::{AccountId, ListingId};
use std::collections::BTreeMap;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use crate::domain::search::{SearchRequest, Sort};
use crate::domain::vocab::Unit;

/// What is indexed for a published listing. Field names are Meilisearch's.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ListingDocument {
    pub id: ListingId,
    pub title: String,
    pub description: String,
    pub category: String,
    pub category_label: String,
    pub tags: Vec<String>,
    pub provider_id: AccountId,
    pub provider_name: String,
    pub kind: String,
    pub employment: Option<String>,
    pub district: String,
    pub areas: Vec<String>,
    pub availability: Vec<String>,
    pub languages: Vec<String>,
    pub language_names: Vec<String>,
    pub accepting_clients: bool,
    pub price_pence: i64,
    pub unit: Unit,
    #[serde(rename = "_geo")]
    pub geo: Geo,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Geo {
    pub lat: f64,
    pub lng: f64,
}

/// A search as an engine runs it: words, filters, order and page.
#[derive(Debug, Clone)]
pub struct EngineQuery<'a> {
    pub request: &'a SearchRequest,
    /// Where distances are measured from (the searched district's centre).
    pub origin: Option<Geo>,
}

impl EngineQuery<'_> {
    pub fn sort(&self) -> Sort {
        self.request.sort
    }
}

/// Facet names as the API shows them, and the document field each counts.
pub const FACETS: [(&str, &str); 3] = [
    ("category", "category"),
    ("availability", "availability"),
    ("language", "languages"),
];

#[derive(Debug, Clone, Default)]
pub struct EngineResults {
    pub hits: Vec<ListingDocument>,
    pub total: usize,
    /// Facet name → value → how many matching listings have it.
    pub facets: BTreeMap<String, BTreeMap<String, u64>>,
}

#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    #[error("the search engine is unavailable: {0}")]
    Unavailable(String),
    #[error("the search index failed: {0}")]
    Index(String),
}

/// A change to apply to an engine: listings to add or replace, listings to remove.
#[derive(Debug, Clone, Default)]
pub struct IndexChanges {
    pub upserts: Vec<ListingDocument>,
    pub deletes: Vec<ListingId>,
    /// Remove everything first (a rebuild).
    pub clear: bool,
}

#[async_trait]
pub trait SearchBackend: Send + Sync {
    /// "embedded" or "meilisearch", as the API reports it.
    fn name(&self) -> &'static str;

    /// Applies changes; when this returns, they are searchable.
    async fn apply(&self, changes: IndexChanges) -> Result<(), SearchError>;

    async fn search(&self, query: EngineQuery<'_>) -> Result<EngineResults, SearchError>;

    /// Whether the engine answers.
    async fn health(&self) -> Result<(), SearchError>;

    /// Tidies the index once a large batch of changes has gone in (after
    /// start-up catch-up or a rebuild), so searches touch fewer parts.
    async fn compact(&self) -> Result<(), SearchError> {
        Ok(())
    }
}

/// Great-circle distance in kilometres.
pub fn distance_km(a: Geo, b: Geo) -> f64 {
    crate::domain::places::haversine_km((a.lat, a.lng), (b.lat, b.lng))
}
