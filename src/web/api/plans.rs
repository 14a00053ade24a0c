//! `/plans`: support plans, their representatives, and commissioning against them.

use actix_web::{web, HttpRequest, HttpResponse};
use chrono::Utc;
use serde::Deserialize;
use serde_json::Value;

use super::{created_response, idempotent_body, whole_list};
use crate::domain::commissions::CommissionInput;
use crate::domain::plans::{status_after, NewPlanInput, PlanContentInput};
use crate::error::AppError;
use crate::services::commissions;
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
    Ok(whole_list(HttpResponse::Ok(), items))
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

pub async fn commission(
    state: web::Data<AppState>,
    caller: ApiAccount,
    req: HttpRequest,
    id: web::Path<i64>,
    body: web::Json<Value>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let (input, idempotency) = idempotent_body::<CommissionInput>(&req, body.into_inner())?;
    let created = state
        .db
        .run(move |conn| {
            commissions::create(conn, &caller.account, id, input, idempotency, Utc::now())
        })
        .await?;
    Ok(created_response(created))
}

/// `GET /plans/{id}/events`: who did what to the plan, newest first.
pub async fn history(
    state: web::Data<AppState>,
    caller: ApiAccount,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let items = state
        .db
        .run(move |conn| plans::history(conn, &caller.account, id))
        .await?;
    Ok(whole_list(HttpResponse::Ok(), items))
}
