//! Meilisearch, for councils that run it. The settings in
//! `search-config/listings.json` are sent to the server as they are; the
//! index is made and configured on first use, so Bespoke starts even while
//! Meilisearch is down and catches up through the outbox once it is back.

use std::time::Duration;

use async_trait::async_trait;
use meilisearch_sdk::client::Client;
use meilisearch_sdk::errors::{Error as MeiliError, ErrorCode};
use meilisearch_sdk::search::{MatchingStrategies, Selectors};
use meilisearch_sdk::task_info::TaskInfo;
use meilisearch_sdk::tasks::Task;
use tokio::sync::OnceCell;

use super::{
    EngineQuery, EngineResults, IndexChanges, ListingDocument, SearchBackend, SearchError, FACETS,
};
use crate::domain::search::{Sort, CONFIG_JSON};
use crate::domain::vocab::Vocabulary;

const TASK_TIMEOUT: Duration = Duration::from_secs(60);
const TASK_POLL: Duration = Duration::from_millis(50);

pub struct MeiliEngine {
    client: Client,
    http: reqwest::Client,
    url: String,
    api_key: Option<String>,
    index_uid: String,
    prepared: OnceCell<()>,
}

fn unavailable(e: impl std::fmt::Display) -> SearchError {
    SearchError::Unavailable(e.to_string())
}

fn from_meili(e: MeiliError) -> SearchError {
    match e {
        MeiliError::Meilisearch(e) => SearchError::Index(e.to_string()),
        other => unavailable(other),
    }
}

/// Filter values come from vocabularies and districts, but are quoted and escaped all the same.
fn quoted(value: &str) -> String {
    format!("\"{}\"", value.replace('\\', "\\\\").replace('"', "\\\""))
}

fn any_of(field: &str, values: &[String]) -> String {
    let list: Vec<String> = values.iter().map(|v| quoted(v)).collect();
    format!("{field} IN [{}]", list.join(", "))
}

/// The filter expression for a search, in Meilisearch's filter syntax.
pub fn filter_expression(query: &EngineQuery) -> String {
    let request = query.request;
    let mut parts = Vec::new();
    if let Some(category) = request.category {
        parts.push(format!("category = {}", quoted(category.code())));
    }
    if let Some(area) = &request.area {
        parts.push(format!("areas = {}", quoted(area)));
    }
    if !request.availability.is_empty() {
        let bands: Vec<String> = request
            .availability
            .iter()
            .map(|b| b.code().to_owned())
            .collect();
        parts.push(any_of("availability", &bands));
    }
    if !request.languages.is_empty() {
        parts.push(any_of("languages", &request.languages));
    }
    if let Some(max) = request.max_price {
        parts.push(format!("price_pence <= {}", max.pence()));
    }
    if let Some(kind) = request.kind {
        parts.push(format!("kind = {}", quoted(kind.code())));
    }
    if let Some(employment) = request.employment {
        parts.push(format!("employment = {}", quoted(employment.code())));
    }
    if let Some(accepting) = request.accepting {
        parts.push(format!("accepting_clients = {accepting}"));
    }
    parts.join(" AND ")
}

impl MeiliEngine {
    pub fn new(url: &str, api_key: Option<&str>, index_uid: &str) -> Result<Self, SearchError> {
        // HTTPS to Meilisearch uses the same crypto backend as everything else;
        // installing it twice is harmless, so the error is ignored.
        let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
        let client = Client::new(url.trim_end_matches('/'), api_key).map_err(unavailable)?;
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(30))
            .build()
            .map_err(unavailable)?;
        Ok(Self {
            client,
            http,
            url: url.trim_end_matches('/').to_owned(),
            api_key: api_key.map(str::to_owned),
            index_uid: index_uid.to_owned(),
            prepared: OnceCell::new(),
        })
    }

    async fn wait(&self, task: TaskInfo) -> Result<(), SearchError> {
        let task = task
            .wait_for_completion(&self.client, Some(TASK_POLL), Some(TASK_TIMEOUT))
            .await
            .map_err(from_meili)?;
        match task {
            Task::Failed { content } => Err(SearchError::Index(content.error.to_string())),
            _ => Ok(()),
        }
    }

    /// Makes the index if it is missing and applies the settings file as it is.
    async fn prepare(&self) -> Result<(), SearchError> {
        self.prepared
            .get_or_try_init(|| async {
                let created = self
                    .client
                    .create_index(&self.index_uid, Some("id"))
                    .await
                    .map_err(from_meili)?;
                let outcome = created
                    .wait_for_completion(&self.client, Some(TASK_POLL), Some(TASK_TIMEOUT))
                    .await
                    .map_err(from_meili)?;
                if let Task::Failed { content } = outcome {
                    if content.error.error_code != ErrorCode::IndexAlreadyExists {
                        return Err(SearchError::Index(content.error.to_string()));
                    }
                }
                let mut request = self
                    .http
                    .patch(format!("{}/indexes/{}/settings", self.url, self.index_uid))
                    .header("Content-Type", "application/json")
                    .body(CONFIG_JSON);
                if let Some(key) = &self.api_key {
                    request = request.bearer_auth(key);
                }
                let response = request.send().await.map_err(unavailable)?;
                let status = response.status();
                let body = response.text().await.map_err(unavailable)?;
                if !status.is_success() {
                    return Err(SearchError::Index(format!(
                        "the settings were refused ({status}): {body}"
                    )));
                }
                let task: TaskInfo =
                    serde_json::from_str(&body).map_err(|e| SearchError::Index(e.to_string()))?;
                self.wait(task).await
            })
            .await
            .map(|_| ())
    }

    /// Removes the index: for tests that each make their own.
    pub async fn delete_index(&self) -> Result<(), SearchError> {
        let task = self
            .client
            .index(&self.index_uid)
            .delete()
            .await
            .map_err(from_meili)?;
        self.wait(task).await
    }
}

#[async_trait]
impl SearchBackend for MeiliEngine {
    fn name(&self) -> &'static str {
        "meilisearch"
    }

    async fn apply(&self, changes: IndexChanges) -> Result<(), SearchError> {
        self.prepare().await?;
        let index = self.client.index(&self.index_uid);
        if changes.clear {
            let task = index.delete_all_documents().await.map_err(from_meili)?;
            self.wait(task).await?;
        }
        if !changes.deletes.is_empty() {
            let task = index
                .delete_documents(&changes.deletes)
                .await
                .map_err(from_meili)?;
            self.wait(task).await?;
        }
        if !changes.upserts.is_empty() {
            let task = index
                .add_or_replace(&changes.upserts, Some("id"))
                .await
                .map_err(from_meili)?;
            self.wait(task).await?;
        }
        Ok(())
    }

    async fn search(&self, query: EngineQuery<'_>) -> Result<EngineResults, SearchError> {
        self.prepare().await?;
        let index = self.client.index(&self.index_uid);
        let filter = filter_expression(&query);
        let geo_sort;
        let sort: &[&str] = match (query.sort(), query.origin) {
            (Sort::Price, _) => &["price_pence:asc", "id:asc"],
            (Sort::Distance, Some(origin)) => {
                geo_sort = [format!("_geoPoint({}, {}):asc", origin.lat, origin.lng)];
                &[geo_sort[0].as_str()]
            }
            _ => &[],
        };
        let facet_fields: Vec<&str> = FACETS.iter().map(|(_, field)| *field).collect();
        let mut search = index.search();
        search
            .with_query(&query.request.text)
            .with_facets(Selectors::Some(&facet_fields))
            .with_page(query.request.page as usize)
            .with_hits_per_page(query.request.per_page as usize)
            .with_matching_strategy(MatchingStrategies::ALL);
        if !filter.is_empty() {
            search.with_filter(&filter);
        }
        if !sort.is_empty() {
            search.with_sort(sort);
        }
        let results = search
            .execute::<ListingDocument>()
            .await
            .map_err(from_meili)?;
        let mut facets = std::collections::BTreeMap::new();
        let distribution = results.facet_distribution.unwrap_or_default();
        for (name, field) in FACETS {
            let counts = distribution
                .get(field)
                .map(|values| values.iter().map(|(k, v)| (k.clone(), *v as u64)).collect())
                .unwrap_or_default();
            facets.insert(name.to_owned(), counts);
        }
        Ok(EngineResults {
            total: results
                .total_hits
                .or(results.estimated_total_hits)
                .unwrap_or(results.hits.len()),
            hits: results.hits.into_iter().map(|hit| hit.result).collect(),
            facets,
        })
    }

    async fn health(&self) -> Result<(), SearchError> {
        self.client.health().await.map(|_| ()).map_err(from_meili)
    }
}
