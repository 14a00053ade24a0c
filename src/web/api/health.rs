//! `GET /healthz`: 200 only once start-up is complete and the database answers.

use std::sync::atomic::Ordering;

use actix_web::{web, HttpResponse};
use diesel::connection::SimpleConnection;
use serde_json::json;

use crate::startup::AppState;
use crate::store::StoreError;

pub async fn healthz(state: web::Data<AppState>) -> HttpResponse {
    if !state.ready.load(Ordering::Acquire) {
        return HttpResponse::ServiceUnavailable().json(json!({"status": "starting"}));
    }
    let database = state
        .db
        .run(|conn| conn.batch_execute("SELECT 1").map_err(StoreError::from))
        .await;
    let search = state.search.health().await;
    match (database, search) {
        (Ok(()), Ok(())) => {
            HttpResponse::Ok().json(json!({"status": "ok", "search": state.search.name()}))
        }
        (database, search) => {
            if let Err(e) = &database {
                tracing::warn!(error = %e, "health check: database unavailable");
            }
            if let Err(e) = &search {
                tracing::warn!(error = %e, "health check: search engine unavailable");
            }
            HttpResponse::ServiceUnavailable().json(json!({
                "status": "unavailable",
                "database": if database.is_ok() { "ok" } else { "unreachable" },
                "search": if search.is_ok() { "ok" } else { "unreachable" },
            }))
        }
    }
}
