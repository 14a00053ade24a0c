//! `/requests` and `/offers`: support requests, the tailored offers sellers
//! make on them, accepting one, and how sellers hear of new requests.

use actix_web::{web, HttpRequest, HttpResponse};
use chrono::Utc;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{created_response, idempotent_body, whole_list, ListPage, PageQuery};
use crate::domain::requests::{OfferInput, RequestInput};
use crate::domain::vocab::AlertFrequency;
use crate::services::{offers, requests};
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

#[derive(Debug, Default, Deserialize)]
pub struct AcceptBody {
    portion: Option<Value>,
}

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
                idempotency,
                Utc::now(),
            )
        })
        .await?;
    Ok(created_response(created))
}

#[derive(Debug, Serialize, Deserialize)]
pub struct Alerts {
    frequency: String,
}

#[derive(Serialize)]
struct AlertsView {
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
