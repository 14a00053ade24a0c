//! `GET /search`: listings by words and filters, with facet counts.

use actix_web::{web, HttpRequest, HttpResponse};

use super::responses::Invalid;
use crate::domain::search::SearchParams;
use crate::error::AppError;
use crate::services::search::{self, SearchResponse};
use crate::web::problem::ApiError;
use crate::web::state::AppState;

/// Reads the query string, where filters may repeat (`?language=ur&language=pa`).
pub fn params(req: &HttpRequest) -> Result<SearchParams, AppError> {
    serde_html_form::from_str(req.query_string())
        .map_err(|e| AppError::Malformed(format!("The query string is not valid: {e}")))
}

#[utoipa::path(
    get,
    path = "/api/v1/search",
    operation_id = "search_search",
    tag = "search",
    params(SearchParams),
    responses(
        (status = 200, description = "Matching live listings with facet counts", body = SearchResponse),
        Invalid
    )
)]
pub async fn search(
    state: web::Data<AppState>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let params = params(&req)?;
    let response = search::search(
        state.search.as_ref(),
        state.places,
        &state.search_events,
        &params,
    )
    .await?;
    Ok(HttpResponse::Ok().json(response))
}
