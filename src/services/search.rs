//! Search: keeping the engine in step with the database through the outbox,
//! answering searches, and recording them for the council.

use crate::domain::ids::{AccountId, ListingId};
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use serde::Serialize;
use tokio::sync::mpsc;

use crate::domain::money::Money;
use crate::domain::places::Places;
use crate::domain::search::{SearchParams, SearchRequest};
use crate::domain::vocab::{language_name, Band, ListingStatus, Unit, Vocabulary};
use crate::error::AppError;
use crate::search::{
    distance_km, EngineQuery, Geo, IndexChanges, ListingDocument, SearchBackend, SearchError,
};
use crate::services::listings::seller_kind;
use crate::store::accounts::AccountRow;
use crate::store::listings::{self as listing_store, StoredListing};
use crate::store::search::{self as store, NewSearchEvent, OutboxRow};
use crate::store::{accounts as account_store, Db, DbConnection, StoreError};

/// The most outbox jobs applied in one go.
const BATCH: i64 = 500;
/// How often the worker looks for new jobs when it has none: changes are
/// searchable well within a second.
const IDLE_POLL: Duration = Duration::from_millis(100);

/// The document indexed for a listing, or None when it should not be found.
/// `owners` keeps accounts already read, since a batch holds many listings of one seller.
fn document(
    conn: &mut DbConnection,
    places: &Places,
    owners: &mut HashMap<AccountId, AccountRow>,
    listing: &StoredListing,
) -> Result<Option<ListingDocument>, AppError> {
    let content = &listing.content;
    let Some(price) = content
        .price
        .filter(|_| content.status == ListingStatus::Published)
    else {
        return Ok(None);
    };
    let owner = match owners.get(&listing.owner_id) {
        Some(owner) => owner.clone(),
        None => {
            let owner = account_store::find(conn, listing.owner_id)?.ok_or(AppError::NotFound)?;
            owners.insert(owner.id, owner.clone());
            owner
        }
    };
    let kind = seller_kind(owner.role).ok_or_else(|| {
        AppError::Internal(format!(
            "listing {} belongs to account {}, which is not a seller",
            listing.id, owner.id
        ))
    })?;
    let geo = places
        .district(&content.district)
        .map(|d| Geo {
            lat: d.latitude,
            lng: d.longitude,
        })
        .ok_or_else(|| {
            AppError::Internal(format!(
                "listing {} has unknown district {}",
                listing.id, content.district
            ))
        })?;
    Ok(Some(ListingDocument {
        id: listing.id,
        title: content.title.clone(),
        description: content.description.clone(),
        category: content.category.code().into(),
        category_label: content.category.label().into(),
        tags: content.tags.clone(),
        provider_id: owner.id,
        provider_name: owner.name,
        kind: kind.code().into(),
        employment: content.employment.map(|e| e.code().to_owned()),
        district: content.district.clone(),
        areas: content.areas.clone(),
        availability: content
            .availability
            .iter()
            .map(|b| b.code().to_owned())
            .collect(),
        languages: content.languages.clone(),
        language_names: content
            .languages
            .iter()
            .filter_map(|c| language_name(c))
            .map(str::to_owned)
            .collect(),
        accepting_clients: content.accepting_clients,
        price_pence: price.pence(),
        unit: content.unit,
        geo,
    }))
}

/// What one batch of outbox jobs asks of the engine.
fn changes_for(
    conn: &mut DbConnection,
    places: &Places,
    rows: &[OutboxRow],
) -> Result<IndexChanges, AppError> {
    let clear = rows.first().is_some_and(|r| r.listing_id.is_none());
    let mut ids: Vec<ListingId> = rows.iter().filter_map(|r| r.listing_id).collect();
    ids.sort_unstable();
    ids.dedup();
    let found: HashMap<ListingId, StoredListing> = listing_store::find_many(conn, &ids)?
        .into_iter()
        .map(|l| (l.id, l))
        .collect();
    let mut changes = IndexChanges {
        clear,
        ..Default::default()
    };
    let mut owners = HashMap::new();
    for id in ids {
        match found
            .get(&id)
            .map(|l| document(conn, places, &mut owners, l))
            .transpose()?
            .flatten()
        {
            Some(doc) => changes.upserts.push(doc),
            None => changes.deletes.push(id),
        }
    }
    Ok(changes)
}

/// Applies the next batch of due jobs. Returns how many jobs it finished.
pub async fn apply_outbox_batch(
    db: &Db,
    engine: &dyn SearchBackend,
    places: &'static Places,
) -> Result<usize, AppError> {
    let (rows, changes) = db
        .run(move |conn| {
            let mut rows = store::due(conn, Utc::now().naive_utc(), BATCH)?;
            // A rebuild marker starts a batch of its own, so nothing queued before it is lost.
            if let Some(cut) = rows.iter().skip(1).position(|r| r.listing_id.is_none()) {
                rows.truncate(cut + 1);
            }
            let changes = changes_for(conn, places, &rows)?;
            Ok::<_, AppError>((rows, changes))
        })
        .await?;
    if rows.is_empty() {
        return Ok(0);
    }
    match engine.apply(changes).await {
        Ok(()) => {
            let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
            let done = ids.len();
            db.run(move |conn| store::done(conn, &ids)).await?;
            Ok(done)
        }
        Err(e) => {
            let message = e.to_string();
            tracing::warn!(error = %message, jobs = rows.len(), "search index update failed; will retry");
            let recorded = message.clone();
            db.run(move |conn| store::retry_later(conn, &rows, &recorded, Utc::now().naive_utc()))
                .await?;
            Err(AppError::Unavailable(message))
        }
    }
}

/// Applies outbox jobs until none are due. For commands and tests.
pub async fn drain_outbox(
    db: &Db,
    engine: &dyn SearchBackend,
    places: &'static Places,
) -> Result<usize, AppError> {
    let mut total = 0;
    loop {
        match apply_outbox_batch(db, engine, places).await? {
            0 => return Ok(total),
            n => total += n,
        }
    }
}

/// The lease on applying the search outbox: one instance at a time does it,
/// so changes reach a shared Meilisearch index in the order they were made.
const OUTBOX_LEASE: &str = "search_outbox";
const OUTBOX_LEASE_SECS: i64 = 60;

/// Whether this instance holds (or has just taken) the outbox lease.
pub async fn hold_outbox_lease(db: &Db, instance: &str) -> bool {
    let me = instance.to_owned();
    db.run(move |conn| {
        crate::store::instances::claim_lease(
            conn,
            OUTBOX_LEASE,
            &me,
            Utc::now().naive_utc(),
            chrono::Duration::seconds(OUTBOX_LEASE_SECS),
        )
    })
    .await
    .unwrap_or_else(|e| {
        tracing::warn!(error = %e, "could not take the search outbox lease");
        false
    })
}

/// The worker that keeps the engine in step. `ready` is set once the
/// outbox has been emptied for the first time after start-up. With several
/// instances, the one holding the outbox lease applies it; the others wait.
pub async fn run_outbox_worker(
    db: Db,
    engine: Arc<dyn SearchBackend>,
    places: &'static Places,
    ready: Arc<AtomicBool>,
    instance: String,
) {
    // Renewed when half of it has passed, so holding it costs a write every 30 s.
    let renew_within = Duration::from_secs(OUTBOX_LEASE_SECS as u64 / 2);
    let mut held_until: Option<tokio::time::Instant> = None;
    loop {
        let now = tokio::time::Instant::now();
        if held_until.is_none_or(|until| until < now + renew_within) {
            held_until = hold_outbox_lease(&db, &instance)
                .await
                .then(|| now + Duration::from_secs(OUTBOX_LEASE_SECS as u64));
        }
        let outcome = if held_until.is_some() {
            apply_outbox_batch(&db, engine.as_ref(), places).await
        } else {
            Ok(0)
        };
        match outcome {
            Ok(0) => {
                if !ready.load(Ordering::Acquire) {
                    let pending = db
                        .run(|conn| store::pending(conn).map_err(AppError::from))
                        .await;
                    if matches!(pending, Ok(0)) {
                        if let Err(e) = engine.compact().await {
                            tracing::warn!(error = %e, "could not compact the search index");
                        }
                        ready.store(true, Ordering::Release);
                        tracing::info!(engine = engine.name(), "search index is up to date");
                    }
                }
                tokio::time::sleep(IDLE_POLL).await;
            }
            Ok(_) => {}
            // The failed jobs wait for their next attempt; look again shortly.
            Err(_) => tokio::time::sleep(Duration::from_millis(500)).await,
        }
    }
}

/// A search as recorded: anonymous, with what was asked and how much was found.
pub type SearchEventSender = mpsc::Sender<NewSearchEvent>;

/// Writes recorded searches in batches, off the request path. Losing the last
/// second of them in a crash is acceptable: they are statistics.
pub async fn run_event_writer(db: Db, mut events: mpsc::Receiver<NewSearchEvent>) {
    let mut batch = Vec::new();
    loop {
        let first = events.recv().await;
        let Some(first) = first else { return };
        batch.push(first);
        let deadline = tokio::time::sleep(Duration::from_secs(1));
        tokio::pin!(deadline);
        while batch.len() < 500 {
            tokio::select! {
                next = events.recv() => match next {
                    Some(event) => batch.push(event),
                    None => break,
                },
                _ = &mut deadline => break,
            }
        }
        let to_write = std::mem::take(&mut batch);
        let count = to_write.len();
        if let Err(e) = db
            .run(move |conn| store::record_events(conn, &to_write))
            .await
        {
            tracing::warn!(error = %e, count, "could not record searches");
        }
    }
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = SearchPrice)]
pub struct PriceView {
    pub amount: Money,
    pub unit: Unit,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ProviderView {
    pub id: AccountId,
    pub name: String,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SearchItem {
    pub id: ListingId,
    pub title: String,
    pub category: String,
    pub category_label: String,
    pub price: PriceView,
    pub provider: ProviderView,
    pub areas: Vec<String>,
    pub availability: Vec<String>,
    pub languages: Vec<String>,
    pub accepting_clients: bool,
    pub distance_km: Option<f64>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SearchResponse {
    pub items: Vec<SearchItem>,
    pub total: usize,
    pub page: u32,
    pub per_page: u32,
    pub facets: std::collections::BTreeMap<String, std::collections::BTreeMap<String, u64>>,
    pub engine: &'static str,
    /// What the search was understood to mean, so people can see and change it.
    #[serde(skip)]
    pub understood: SearchRequest,
}

/// Where distances are measured from: the centre of the searched district.
pub fn origin(request: &SearchRequest, places: &Places) -> Option<Geo> {
    request
        .area
        .as_deref()
        .and_then(|a| places.district(a))
        .map(|d| Geo {
            lat: d.latitude,
            lng: d.longitude,
        })
}

/// Runs a search and records it. Never widens the search by itself.
pub async fn search(
    engine: &dyn SearchBackend,
    places: &'static Places,
    events: &SearchEventSender,
    params: &SearchParams,
) -> Result<SearchResponse, AppError> {
    let request = crate::domain::search::check(params, places).map_err(AppError::Validation)?;
    let origin = origin(&request, places);
    let results = engine
        .search(EngineQuery {
            request: &request,
            origin,
        })
        .await
        .map_err(|e| match e {
            SearchError::Unavailable(_) => AppError::Unavailable(
                "Search is not available at the moment. Please try again in a few minutes.".into(),
            ),
            SearchError::Index(detail) => AppError::Internal(detail),
        })?;

    let event = NewSearchEvent {
        searched_at: Utc::now().naive_utc(),
        query: request.raw_text.clone(),
        filters: serde_json::json!({
            "category": request.category.map(|c| c.code()),
            "area": request.area,
            "availability": request.availability.iter().map(|b: &Band| b.code()).collect::<Vec<_>>(),
            "language": request.languages,
            "max_price": request.max_price.map(|m| m.to_string()),
            "kind": request.kind.map(|k| k.code()),
            "employment": request.employment.map(|e| e.code()),
            "accepting": request.accepting,
        })
        .to_string(),
        category: request.category.map(|c| c.code().to_owned()),
        district: request.area.clone(),
        council_code: request
            .area
            .as_deref()
            .and_then(|a| places.district(a))
            .and_then(|d| d.council_code.clone()),
        result_count: results.total as i64,
        engine: engine.name().to_owned(),
    };
    // A full buffer means the database is far behind: drop the record rather than slow searches.
    let _ = events.try_send(event);

    let items = results
        .hits
        .into_iter()
        .map(|doc| SearchItem {
            distance_km: origin.map(|o| (distance_km(o, doc.geo) * 10.0).round() / 10.0),
            id: doc.id,
            title: doc.title,
            category: doc.category,
            category_label: doc.category_label,
            price: PriceView {
                amount: Money::from_pence(doc.price_pence),
                unit: doc.unit,
            },
            provider: ProviderView {
                id: doc.provider_id,
                name: doc.provider_name,
            },
            areas: doc.areas,
            availability: doc.availability,
            languages: doc.languages,
            accepting_clients: doc.accepting_clients,
        })
        .collect();
    Ok(SearchResponse {
        items,
        total: results.total,
        page: request.page,
        per_page: request.per_page,
        facets: results.facets,
        engine: engine.name(),
        understood: request,
    })
}

/// Queues every listing of an account again (its name, shown in results, changed).
pub fn reindex_owner(conn: &mut DbConnection, owner_id: AccountId) -> Result<(), StoreError> {
    let ids = listing_store::ids_of_owner(conn, owner_id)?;
    store::enqueue(conn, &ids, Utc::now().naive_utc())
}
