//! `/plans`: support plans, their representatives, and commissioning against them.

use actix_web::{web, HttpRequest, HttpResponse};
use chrono::Utc;
use serde::Deserialize;
use serde_json::Value;

use crate::domain::commissions::CommissionInput;
use crate::domain::plans::{status_after, NewPlanInput, PlanContentInput};
use crate::error::AppError;
use crate::services::commissions::{self, Created, Idempotency};
use crate::services::plans;
use crate::startup::AppState;
use crate::web::auth::ApiAccount;
use crate::web::problem::ApiError;

pub async fn list(
    state: web::Data<AppState>,
    caller: ApiAccount,
) -> Result<HttpResponse, ApiError> {
    let items = state
        .db
        .run(move |conn| plans::list(conn, &caller.account))
        .await?;
    let total = items.len();
    Ok(HttpResponse::Ok().json(serde_json::json!({"items": items, "total": total})))
}

pub async fn create(
    state: web::Data<AppState>,
    caller: ApiAccount,
    body: web::Json<NewPlanInput>,
) -> Result<HttpResponse, ApiError> {
    let plan = state
        .db
        .run(move |conn| plans::create(conn, &caller.account, body.into_inner(), Utc::now()))
        .await?;
    Ok(HttpResponse::Created().json(plan))
}

pub async fn show(
    state: web::Data<AppState>,
    caller: ApiAccount,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let plan = state
        .db
        .run(move |conn| plans::get(conn, &caller.account, id))
        .await?;
    Ok(HttpResponse::Ok().json(plan))
}

pub async fn update(
    state: web::Data<AppState>,
    caller: ApiAccount,
    id: web::Path<i64>,
    body: web::Json<PlanContentInput>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let plan = state
        .db
        .run(move |conn| {
            plans::update_content(conn, &caller.account, id, body.into_inner(), Utc::now())
        })
        .await?;
    Ok(HttpResponse::Ok().json(plan))
}

/// `POST /plans/{id}/moves`: money moved between planned lines of one portion.
pub async fn move_money(
    state: web::Data<AppState>,
    caller: ApiAccount,
    id: web::Path<i64>,
    body: web::Json<plans::MoveInput>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let plan = state
        .db
        .run(move |conn| {
            plans::move_money(conn, &caller.account, id, body.into_inner(), Utc::now())
        })
        .await?;
    Ok(HttpResponse::Ok().json(plan))
}

/// `POST /plans/{id}/{action}`: submit, approve, revise or end.
pub async fn act(
    state: web::Data<AppState>,
    caller: ApiAccount,
    path: web::Path<(i64, String)>,
) -> Result<HttpResponse, ApiError> {
    let (id, action) = path.into_inner();
    let to = status_after(&action).ok_or(AppError::NotFound)?;
    let plan = state
        .db
        .run(move |conn| plans::transition(conn, &caller.account, id, to, Utc::now()))
        .await?;
    Ok(HttpResponse::Ok().json(plan))
}

#[derive(Debug, Deserialize)]
pub struct RepresentativeBody {
    account_id: Option<i64>,
}

pub async fn add_representative(
    state: web::Data<AppState>,
    caller: ApiAccount,
    id: web::Path<i64>,
    body: web::Json<RepresentativeBody>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let plan = state
        .db
        .run(move |conn| {
            plans::add_representative(conn, &caller.account, id, body.account_id, Utc::now())
        })
        .await?;
    Ok(HttpResponse::Ok().json(plan))
}

pub async fn remove_representative(
    state: web::Data<AppState>,
    caller: ApiAccount,
    path: web::Path<(i64, i64)>,
) -> Result<HttpResponse, ApiError> {
    let (id, account_id) = path.into_inner();
    let plan = state
        .db
        .run(move |conn| {
            plans::remove_representative(conn, &caller.account, id, account_id, Utc::now())
        })
        .await?;
    Ok(HttpResponse::Ok().json(plan))
}

/// Reads an `Idempotency-Key` header: 1 to 255 visible ASCII characters.
pub fn idempotency_key(req: &HttpRequest) -> Result<Option<String>, AppError> {
    let Some(value) = req.headers().get("Idempotency-Key") else {
        return Ok(None);
    };
    let key = value.to_str().unwrap_or_default().trim();
    if key.is_empty() || key.len() > 255 || !key.chars().all(|c| c.is_ascii_graphic()) {
        return Err(AppError::Malformed(
            "The Idempotency-Key header must be 1 to 255 visible ASCII characters.".into(),
        ));
    }
    Ok(Some(key.to_owned()))
}

pub async fn commission(
    state: web::Data<AppState>,
    caller: ApiAccount,
    req: HttpRequest,
    id: web::Path<i64>,
    body: web::Json<Value>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let body = body.into_inner();
    let idempotency = idempotency_key(&req)?.map(|key| Idempotency {
        key,
        fingerprint: format!("POST {} {body}", req.path()),
    });
    let input: CommissionInput = serde_json::from_value(body)
        .map_err(|e| AppError::Malformed(format!("The request body is not valid: {e}")))?;
    let created = state
        .db
        .run(move |conn| {
            commissions::create(conn, &caller.account, id, input, idempotency, Utc::now())
        })
        .await?;
    Ok(match created {
        Created::New(view) => HttpResponse::Created().json(view),
        Created::Replayed(body) => HttpResponse::Created()
            .content_type("application/json")
            .insert_header(("Idempotent-Replayed", "true"))
            .body(body),
    })
}
