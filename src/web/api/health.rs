//! `GET /healthz`: 200 only once start-up is complete and the database answers.

use std::sync::atomic::Ordering;

use actix_web::{web, HttpResponse};
use serde::Serialize;

use crate::web::state::AppState;

/// Whether the service is up: `ok`, `starting` or `unavailable`.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Health {
    status: &'static str,
    /// `ok` or `unreachable`; given when unavailable.
    #[serde(skip_serializing_if = "Option::is_none")]
    database: Option<&'static str>,
    /// The engine's name when all is well (`embedded` or `meilisearch`);
    /// `ok` or `unreachable` when unavailable.
    #[serde(skip_serializing_if = "Option::is_none")]
    search: Option<&'static str>,
}

#[utoipa::path(
    get,
    path = "/healthz",
    operation_id = "health_healthz",
    tag = "operations",
    responses(
        (status = 200, description = "Started, and the database and search engine answer", body = Health),
        (status = 503, description = "Starting, or the database or search engine cannot be reached", body = Health)
    )
)]
pub async fn healthz(state: web::Data<AppState>) -> HttpResponse {
    if !state.ready.load(Ordering::Acquire) {
        return HttpResponse::ServiceUnavailable().json(Health {
            status: "starting",
            database: None,
            search: None,
        });
    }
    let database = state
        .db
        .run(crate::services::instances::database_answers)
        .await;
    let search = state.search.health().await;
    match (database, search) {
        (Ok(()), Ok(())) => HttpResponse::Ok().json(Health {
            status: "ok",
            database: None,
            search: Some(state.search.name()),
        }),
        (database, search) => {
            if let Err(e) = &database {
                tracing::warn!(error = %e, "health check: database unavailable");
            }
            if let Err(e) = &search {
                tracing::warn!(error = %e, "health check: search engine unavailable");
            }
            let reachable = |ok: bool| if ok { "ok" } else { "unreachable" };
            HttpResponse::ServiceUnavailable().json(Health {
                status: "unavailable",
                database: Some(reachable(database.is_ok())),
                search: Some(reachable(search.is_ok())),
            })
        }
    }
}
