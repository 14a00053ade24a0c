//! `/openreferral/services`: the directory as Open Referral UK open data.
//! Public, no key; any site may read it (`Access-Control-Allow-Origin: *`).

use actix_web::{web, HttpResponse};
use chrono::Utc;

use super::PageQuery;
use crate::services::openreferral;
use crate::startup::AppState;
use crate::web::problem::ApiError;

/// The profile's pages are larger than the API's usual 20.
const DEFAULT_SIZE: i64 = 50;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/services").route(web::get().to(services)))
        .service(web::resource("/services/{id}").route(web::get().to(service)));
}

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
