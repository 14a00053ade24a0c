//! `GET /places?postcode=` resolves a postcode or district; `GET /councils` lists councils.

use actix_web::{web, HttpResponse};
use serde::Deserialize;

use super::responses::Invalid;
use super::{ListPage, PageQuery};
use crate::domain::places::Council;
use crate::services::places::{resolve, CouncilView, PlaceView};
use crate::web::problem::ApiError;
use crate::web::state::AppState;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct LookupQuery {
    postcode: Option<String>,
}

#[utoipa::path(
    get,
    path = "/api/v1/places",
    operation_id = "places_lookup",
    tag = "places",
    responses(
        (status = 200, description = "The district, its position and its council", body = PlaceView),
        Invalid
    )
)]
pub async fn lookup(
    state: web::Data<AppState>,
    query: web::Query<LookupQuery>,
) -> Result<HttpResponse, ApiError> {
    let postcode = query.postcode.as_deref().unwrap_or_default();
    Ok(HttpResponse::Ok().json(resolve(state.places, postcode)?))
}

#[utoipa::path(
    get,
    path = "/api/v1/councils",
    operation_id = "places_councils",
    tag = "places",
    responses(
        (status = 200, description = "Councils responsible for adult social care", body = ListPage<CouncilView>),
        Invalid
    )
)]
pub async fn councils(
    state: web::Data<AppState>,
    query: web::Query<PageQuery>,
) -> Result<HttpResponse, ApiError> {
    let paging = query.paging()?;
    let all: Vec<&Council> = state.places.councils().collect();
    let items = all
        .iter()
        .skip(paging.offset() as usize)
        .take(paging.per_page as usize)
        .map(|c| CouncilView::from(*c))
        .collect();
    Ok(HttpResponse::Ok().json(ListPage {
        items,
        total: all.len() as i64,
        page: paging.page,
        per_page: paging.per_page,
    }))
}
