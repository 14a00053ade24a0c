//! `/commissions`: the seller's answer, cancelling, completing, and deliveries.

use crate::domain::ids::CommissionId;
use actix_web::{web, HttpResponse};
use chrono::Utc;
use serde::Deserialize;

use super::responses::{Forbidden, Invalid};
use super::{Items, ListPage, PageQuery};
use crate::domain::commissions::CommissionAction;
use crate::services::commissions::{self, CommissionView, DeliveryInput, InvoiceView};
use crate::web::auth::ApiAccount;
use crate::web::problem::ApiError;
use crate::web::state::AppState;

#[utoipa::path(
    get,
    path = "/api/v1/commissions",
    operation_id = "commissions_list",
    tag = "commissions",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The commissions you may see", body = ListPage<CommissionView>),
        Invalid
    )
)]
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

#[utoipa::path(
    get,
    path = "/api/v1/commissions/{id}",
    operation_id = "commissions_show",
    tag = "commissions",
    params(("id" = i64, Path, description = "The commission")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The commission", body = CommissionView)
    )
)]
pub async fn show(
    state: web::Data<AppState>,
    caller: ApiAccount,
    id: web::Path<CommissionId>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let view = state
        .db
        .run(move |conn| commissions::get(conn, &caller.account, id))
        .await?;
    Ok(HttpResponse::Ok().json(view))
}

/// An optional reason, for declining or cancelling.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct ReasonBody {
    reason: Option<String>,
}

/// `POST /commissions/{id}/{action}`: accept, decline, cancel or complete.
/// Declining and cancelling may give a reason.
#[utoipa::path(
    post,
    path = "/api/v1/commissions/{id}/{action}",
    operation_id = "commissions_act",
    tag = "commissions",
    request_body(content = Option<ReasonBody>, description = "For decline and cancel: why"), params(("id" = i64, Path, description = "The commission"), ("action" = CommissionAction, Path, description = "What to do to the commission")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The commission in its new status", body = CommissionView),
        Forbidden,
        (status = 409, description = "The commission's status does not allow this"),
        Invalid
    )
)]
pub async fn act(
    state: web::Data<AppState>,
    caller: ApiAccount,
    path: web::Path<(CommissionId, CommissionAction)>,
    body: Option<web::Json<ReasonBody>>,
) -> Result<HttpResponse, ApiError> {
    let (id, action) = path.into_inner();
    let to = action.status_after();
    let reason = body.and_then(|b| b.into_inner().reason);
    let view = state
        .db
        .run(move |conn| commissions::transition(conn, &caller.account, id, to, reason, Utc::now()))
        .await?;
    Ok(HttpResponse::Ok().json(view))
}

#[utoipa::path(
    get,
    path = "/api/v1/commissions/{id}/invoices",
    operation_id = "commissions_invoices",
    tag = "commissions",
    params(("id" = i64, Path, description = "The commission")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Every invoice the seller recorded on the commission, oldest first", body = Items<InvoiceView>)
    )
)]
pub async fn invoices(
    state: web::Data<AppState>,
    caller: ApiAccount,
    id: web::Path<CommissionId>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let items = state
        .db
        .run(move |conn| commissions::invoices(conn, &caller.account, id))
        .await?;
    Ok(HttpResponse::Ok().json(Items { items }))
}

#[utoipa::path(
    post,
    path = "/api/v1/commissions/{id}/deliveries",
    operation_id = "commissions_deliver",
    tag = "commissions",
    params(("id" = i64, Path, description = "The commission")),
    security(("bearer" = [])),
    responses(
        (status = 201, description = "The commission, with the delivery recorded and paid", body = CommissionView),
        Forbidden,
        (status = 409, description = "More than the commission still holds (`invoice-exceeds-commission`), or the commission is not active"),
        Invalid
    )
)]
pub async fn deliver(
    state: web::Data<AppState>,
    caller: ApiAccount,
    id: web::Path<CommissionId>,
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
