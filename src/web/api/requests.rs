//! `/requests` and `/offers`: support requests, the tailored offers sellers
//! make on them, accepting one, and how sellers hear of new requests.

use crate::domain::ids::ListingId;
use actix_web::{web, HttpRequest, HttpResponse};
use chrono::Utc;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::responses::{Forbidden, Invalid, KeyReusedOrState};
use super::{created_response, idempotent_body, whole_list, ListPage, PageQuery, WholeList};
use crate::domain::requests::{OfferInput, RequestInput};
use crate::domain::vocab::AlertFrequency;
use crate::services::offers::{Accepted, OfferView};
use crate::services::requests::RequestView;
use crate::services::{offers, requests};
use crate::web::auth::ApiAccount;
use crate::web::problem::ApiError;
use crate::web::state::AppState;

#[utoipa::path(
    get,
    path = "/api/v1/requests",
    operation_id = "requests_list",
    tag = "requests",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The requests you may see", body = ListPage<RequestView>),
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
        .run(move |conn| {
            requests::list(
                conn,
                &caller.account,
                Utc::now().date_naive(),
                paging.offset(),
                paging.per_page,
            )
        })
        .await?;
    Ok(HttpResponse::Ok().json(ListPage {
        items,
        total,
        page: paging.page,
        per_page: paging.per_page,
    }))
}

#[utoipa::path(
    post,
    path = "/api/v1/requests",
    operation_id = "requests_create",
    tag = "requests",
    request_body = RequestInput, params(("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe: the same key with the same body answers the first answer again, with `Idempotent-Replayed: true`; with a different body, 409 `idempotency-key-reused`")),
    security(("bearer" = [])),
    responses(
        (status = 404, description = "`plan_id` names no plan you may act on"),
        (status = 201, description = "The new request", body = RequestView, headers(("Idempotent-Replayed" = String, description = "`true` when this is the first answer to an earlier request with the same Idempotency-Key"))), KeyReusedOrState,
        Forbidden,
        Invalid
    )
)]
pub async fn create(
    state: web::Data<AppState>,
    caller: ApiAccount,
    req: HttpRequest,
    body: web::Json<Value>,
) -> Result<HttpResponse, ApiError> {
    let (input, idempotency) = idempotent_body::<RequestInput>(&req, body.into_inner())?;
    let created = state
        .db
        .run(move |conn| requests::create(conn, &caller.account, input, idempotency, Utc::now()))
        .await?;
    Ok(created_response(created))
}

#[utoipa::path(
    get,
    path = "/api/v1/requests/{id}",
    operation_id = "requests_show",
    tag = "requests",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The request, or what it shares with you as a seller", body = RequestView)
    )
)]
pub async fn show(
    state: web::Data<AppState>,
    caller: ApiAccount,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let view = state
        .db
        .run(move |conn| requests::get(conn, &caller.account, id, Utc::now().date_naive()))
        .await?;
    Ok(HttpResponse::Ok().json(view))
}

#[utoipa::path(
    post,
    path = "/api/v1/requests/{id}/withdraw",
    operation_id = "requests_withdraw",
    tag = "requests",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The request, withdrawn", body = RequestView),
        Forbidden,
        (status = 409, description = "The request is no longer open (`request-closed`)")
    )
)]
pub async fn withdraw(
    state: web::Data<AppState>,
    caller: ApiAccount,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let view = state
        .db
        .run(move |conn| requests::withdraw(conn, &caller.account, id, Utc::now()))
        .await?;
    Ok(HttpResponse::Ok().json(view))
}

#[utoipa::path(
    get,
    path = "/api/v1/requests/{id}/offers",
    operation_id = "requests_offers_of_request",
    tag = "requests",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The offers on the request", body = WholeList<OfferView>)
    )
)]
pub async fn offers_of_request(
    state: web::Data<AppState>,
    caller: ApiAccount,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let items = state
        .db
        .run(move |conn| offers::of_request(conn, &caller.account, id, Utc::now().date_naive()))
        .await?;
    Ok(whole_list(HttpResponse::Ok(), items))
}

#[utoipa::path(
    post,
    path = "/api/v1/requests/{id}/offers",
    operation_id = "requests_make_offer",
    tag = "requests",
    request_body = OfferInput, params(("id" = i64, Path, description = "The request"), ("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe: the same key with the same body answers the first answer again, with `Idempotent-Replayed: true`; with a different body, 409 `idempotency-key-reused`")),
    security(("bearer" = [])),
    responses(
        (status = 201, description = "The new offer, priced", body = OfferView, headers(("Idempotent-Replayed" = String, description = "`true` when this is the first answer to an earlier request with the same Idempotency-Key"))), KeyReusedOrState,
        Forbidden,
        Invalid
    )
)]
pub async fn make_offer(
    state: web::Data<AppState>,
    caller: ApiAccount,
    req: HttpRequest,
    id: web::Path<i64>,
    body: web::Json<Value>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let (input, idempotency) = idempotent_body::<OfferInput>(&req, body.into_inner())?;
    let created = state
        .db
        .run(move |conn| offers::make(conn, &caller.account, id, input, idempotency, Utc::now()))
        .await?;
    Ok(created_response(created))
}

/// `GET /offers`: the caller's own offers, newest first.
#[utoipa::path(
    get,
    path = "/api/v1/offers",
    operation_id = "requests_my_offers",
    tag = "requests",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Your offers, newest first", body = WholeList<OfferView>)
    )
)]
pub async fn my_offers(
    state: web::Data<AppState>,
    caller: ApiAccount,
) -> Result<HttpResponse, ApiError> {
    let items = state
        .db
        .run(move |conn| offers::of_seller(conn, &caller.account, Utc::now().date_naive()))
        .await?;
    Ok(whole_list(HttpResponse::Ok(), items))
}

#[utoipa::path(
    get,
    path = "/api/v1/offers/{id}",
    operation_id = "requests_show_offer",
    tag = "requests",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The offer", body = OfferView)
    )
)]
pub async fn show_offer(
    state: web::Data<AppState>,
    caller: ApiAccount,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let view = state
        .db
        .run(move |conn| offers::get(conn, &caller.account, id, Utc::now().date_naive()))
        .await?;
    Ok(HttpResponse::Ok().json(view))
}

#[utoipa::path(
    patch,
    path = "/api/v1/offers/{id}",
    operation_id = "requests_revise_offer",
    tag = "requests",
    security(("bearer" = [])),
    responses(
        (status = 403, description = "Only the seller who made the offer may change it"),
        (status = 200, description = "The offer, priced again", body = OfferView),
        (status = 409, description = "The offer is no longer open (`offer-state`)"),
        Invalid
    )
)]
pub async fn revise_offer(
    state: web::Data<AppState>,
    caller: ApiAccount,
    id: web::Path<i64>,
    body: web::Json<OfferInput>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let view = state
        .db
        .run(move |conn| offers::revise(conn, &caller.account, id, body.into_inner(), Utc::now()))
        .await?;
    Ok(HttpResponse::Ok().json(view))
}

#[utoipa::path(
    delete,
    path = "/api/v1/offers/{id}",
    operation_id = "requests_withdraw_offer",
    tag = "requests",
    security(("bearer" = [])),
    responses(
        (status = 403, description = "Only the seller who made the offer may withdraw it"),
        (status = 200, description = "The offer, withdrawn", body = OfferView),
        (status = 409, description = "The offer is no longer open (`offer-state`)")
    )
)]
pub async fn withdraw_offer(
    state: web::Data<AppState>,
    caller: ApiAccount,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let view = state
        .db
        .run(move |conn| offers::withdraw(conn, &caller.account, id, Utc::now()))
        .await?;
    Ok(HttpResponse::Ok().json(view))
}

#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct AcceptBody {
    portion: Option<Value>,
    /// Ids of other live listings considered: needed when a broker buys
    /// from a seller they have declared an interest in.
    alternatives_considered: Option<Vec<ListingId>>,
}

#[utoipa::path(
    post,
    path = "/api/v1/offers/{id}/accept",
    operation_id = "requests_accept_offer",
    tag = "requests",
    request_body(content = Option<AcceptBody>, description = "Which portion of the plan pays, when more than one could; a broker tied to the seller names the alternatives considered"), params(("id" = i64, Path, description = "The offer"), ("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe: the same key with the same body answers the first answer again, with `Idempotent-Replayed: true`; with a different body, 409 `idempotency-key-reused`")),
    security(("bearer" = [])),
    responses(
        (status = 201, description = "The commission made from the offer, and the offer", body = Accepted, headers(("Idempotent-Replayed" = String, description = "`true` when this is the first answer to an earlier request with the same Idempotency-Key"))), KeyReusedOrState,
        Forbidden,
        Invalid
    )
)]
pub async fn accept_offer(
    state: web::Data<AppState>,
    caller: ApiAccount,
    req: HttpRequest,
    id: web::Path<i64>,
    body: Option<web::Json<Value>>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let body = body.map(|b| b.into_inner()).unwrap_or(Value::Null);
    let body = if body.is_null() {
        serde_json::json!({})
    } else {
        body
    };
    let (input, idempotency) = idempotent_body::<AcceptBody>(&req, body)?;
    let created = state
        .db
        .run(move |conn| {
            offers::accept(
                conn,
                &caller.account,
                id,
                input.portion,
                &input.alternatives_considered.unwrap_or_default(),
                idempotency,
                Utc::now(),
            )
        })
        .await?;
    Ok(created_response(created))
}

#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Alerts {
    frequency: String,
}

/// How a seller hears of new requests that fit them.
#[derive(Serialize, utoipa::ToSchema)]
pub struct AlertsView {
    frequency: AlertFrequency,
    label: &'static str,
}

fn alerts_view(frequency: AlertFrequency) -> AlertsView {
    use crate::domain::vocab::Vocabulary;
    AlertsView {
        frequency,
        label: frequency.label(),
    }
}

/// `GET /sellers/me/request-alerts`: how the seller hears of new requests.
#[utoipa::path(
    get,
    path = "/api/v1/sellers/me/request-alerts",
    operation_id = "requests_alerts",
    tag = "requests",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "How you hear of new requests", body = AlertsView),
        Forbidden
    )
)]
pub async fn alerts(
    state: web::Data<AppState>,
    caller: ApiAccount,
) -> Result<HttpResponse, ApiError> {
    let frequency = state
        .db
        .run(move |conn| requests::alert_frequency(conn, &caller.account))
        .await?;
    Ok(HttpResponse::Ok().json(alerts_view(frequency)))
}

#[utoipa::path(
    put,
    path = "/api/v1/sellers/me/request-alerts",
    operation_id = "requests_save_alerts",
    tag = "requests",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "How you hear of new requests, changed", body = AlertsView),
        Forbidden,
        Invalid
    )
)]
pub async fn save_alerts(
    state: web::Data<AppState>,
    caller: ApiAccount,
    body: web::Json<Alerts>,
) -> Result<HttpResponse, ApiError> {
    let frequency = state
        .db
        .run(move |conn| {
            requests::set_alert_frequency(conn, &caller.account, &body.frequency, Utc::now())
        })
        .await?;
    Ok(HttpResponse::Ok().json(alerts_view(frequency)))
}
