//! `/self-assessment`, `/council/allocation` and `/plans/{id}/outcome-ratings`:
//! budgets up front, and how life is going.

use actix_web::{web, HttpResponse};
use chrono::Utc;
use serde::Deserialize;

use crate::services::assessments::{self, AssessmentInput, RatingsInput};
use crate::startup::AppState;
use crate::web::auth::ApiAccount;
use crate::web::problem::ApiError;

#[derive(Debug, Deserialize)]
pub struct HolderQuery {
    holder_id: Option<i64>,
}

pub async fn show_assessment(
    state: web::Data<AppState>,
    caller: ApiAccount,
    query: web::Query<HolderQuery>,
) -> Result<HttpResponse, ApiError> {
    let holder_id = query.holder_id;
    let view = state
        .db
        .run(move |conn| assessments::get_assessment(conn, &caller.account, holder_id))
        .await?;
    Ok(HttpResponse::Ok().json(view))
}

pub async fn save_assessment(
    state: web::Data<AppState>,
    caller: ApiAccount,
    body: web::Json<AssessmentInput>,
) -> Result<HttpResponse, ApiError> {
    let view = state
        .db
        .run(move |conn| {
            assessments::put_assessment(conn, &caller.account, body.into_inner(), Utc::now())
        })
        .await?;
    Ok(HttpResponse::Ok().json(view))
}

pub async fn show_allocation(
    state: web::Data<AppState>,
    caller: ApiAccount,
) -> Result<HttpResponse, ApiError> {
    let view = state
        .db
        .run(move |conn| assessments::get_allocation(conn, &caller.account))
        .await?;
    Ok(HttpResponse::Ok().json(view))
}

pub async fn save_allocation(
    state: web::Data<AppState>,
    caller: ApiAccount,
    body: web::Json<serde_json::Value>,
) -> Result<HttpResponse, ApiError> {
    let view = state
        .db
        .run(move |conn| {
            assessments::put_allocation(conn, &caller.account, body.into_inner(), Utc::now())
        })
        .await?;
    Ok(HttpResponse::Ok().json(view))
}

pub async fn ratings(
    state: web::Data<AppState>,
    caller: ApiAccount,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let items = state
        .db
        .run(move |conn| assessments::ratings(conn, &caller.account, id))
        .await?;
    Ok(HttpResponse::Ok().json(serde_json::json!({ "items": items })))
}

pub async fn rate(
    state: web::Data<AppState>,
    caller: ApiAccount,
    id: web::Path<i64>,
    body: web::Json<RatingsInput>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let items = state
        .db
        .run(move |conn| {
            assessments::rate(
                conn,
                &caller.account,
                id,
                body.into_inner(),
                Utc::now().naive_utc(),
            )
        })
        .await?;
    Ok(HttpResponse::Created().json(serde_json::json!({ "items": items })))
}
