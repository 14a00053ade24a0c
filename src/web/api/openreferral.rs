//! `/openreferral/services`: the directory as Open Referral UK open data.
//! Public, no key; any site may read it (`Access-Control-Allow-Origin: *`).

use actix_web::{web, HttpResponse};
use chrono::Utc;

use super::responses::Invalid;
use super::PageQuery;
use crate::services::openreferral;
use crate::web::problem::ApiError;
use crate::web::state::AppState;

/// The profile's pages are larger than the API's usual 20.
const DEFAULT_SIZE: i64 = 50;

/// Every operation under `/openreferral`.
pub fn operations() -> Vec<super::Operation> {
    use actix_web::http::Method;
    vec![
        super::op(Method::GET, "/services", services),
        super::op(Method::GET, "/services/{id}", service),
    ]
}

pub fn routes(cfg: &mut web::ServiceConfig) {
    super::register(cfg, operations());
}

#[utoipa::path(
    get,
    path = "/openreferral/services",
    operation_id = "openreferral_services",
    tag = "open-data",
    responses(
        (status = 200, description = "A page of services in the Open Referral UK profile", body = Object),
        Invalid
    )
)]
pub async fn services(
    state: web::Data<AppState>,
    query: web::Query<PageQuery>,
) -> Result<HttpResponse, ApiError> {
    let paging = PageQuery {
        page: query.page,
        per_page: query.per_page.or(Some(DEFAULT_SIZE)),
    }
    .paging()?;
    let public_url = state.config.public_url.clone();
    let page = state
        .db
        .run(move |conn| {
            openreferral::services_page(conn, &public_url, paging.page, paging.per_page, Utc::now())
        })
        .await?;
    Ok(HttpResponse::Ok().json(page))
}

#[utoipa::path(
    get,
    path = "/openreferral/services/{id}",
    operation_id = "openreferral_service",
    tag = "open-data",
    params(("id" = String, Path, description = "The service's id, a UUID")),
    responses(
        (status = 200, description = "One service in the Open Referral UK profile, in full", body = Object)
    )
)]
pub async fn service(
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let public_url = state.config.public_url.clone();
    let service = state
        .db
        .run(move |conn| openreferral::service(conn, &public_url, &id, Utc::now()))
        .await?;
    Ok(HttpResponse::Ok().json(service))
}
