//! `/commissions`: the seller's answer, cancelling, completing, and deliveries.

use actix_web::{web, HttpResponse};
use chrono::Utc;
use serde::Deserialize;

use super::{ListPage, PageQuery};
use crate::domain::commissions::status_after;
use crate::error::AppError;
use crate::services::commissions::{self, DeliveryInput};
use crate::startup::AppState;
use crate::web::auth::ApiAccount;
use crate::web::problem::ApiError;

pub async fn list(
    state: web::Data<AppState>,
    caller: ApiAccount,
    query: web::Query<PageQuery>,
) -> Result<HttpResponse, ApiError> {
    let paging = query.paging()?;
    let (items, total) = state
        .db
        .run(move |conn| commissions::list(conn, &caller.account, paging.offset(), paging.per_page))
        .await?;
    Ok(HttpResponse::Ok().json(ListPage {
        items,
        total,
        page: paging.page,
        per_page: paging.per_page,
    }))
}

pub async fn show(
    state: web::Data<AppState>,
    caller: ApiAccount,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let view = state
        .db
        .run(move |conn| commissions::get(conn, &caller.account, id))
        .await?;
    Ok(HttpResponse::Ok().json(view))
}

/// An optional reason, for declining or cancelling.
#[derive(Debug, Default, Deserialize)]
pub struct ReasonBody {
    reason: Option<String>,
}

/// `POST /commissions/{id}/{action}`: accept, decline, cancel or complete.
/// Declining and cancelling may give a reason.
pub async fn act(
    state: web::Data<AppState>,
    caller: ApiAccount,
    path: web::Path<(i64, String)>,
    body: Option<web::Json<ReasonBody>>,
) -> Result<HttpResponse, ApiError> {
    let (id, action) = path.into_inner();
    let to = status_after(&action).ok_or(AppError::NotFound)?;
    let reason = body.and_then(|b| b.into_inner().reason);
    let view = state
        .db
        .run(move |conn| commissions::transition(conn, &caller.account, id, to, reason, Utc::now()))
        .await?;
    Ok(HttpResponse::Ok().json(view))
}

pub async fn deliver(
    state: web::Data<AppState>,
    caller: ApiAccount,
    id: web::Path<i64>,
    body: web::Json<DeliveryInput>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let view = state
        .db
        .run(move |conn| {
            commissions::record_delivery(conn, &caller.account, id, body.into_inner(), Utc::now())
        })
        .await?;
    Ok(HttpResponse::Created().json(view))
}
