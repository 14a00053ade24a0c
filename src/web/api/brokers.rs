//! Brokers: consent on plans, declared interests, and the portfolio.

use actix_web::{web, HttpResponse};
use chrono::Utc;
use serde::Deserialize;

use super::whole_list;
use crate::services::brokers;
use crate::startup::AppState;
use crate::web::auth::ApiAccount;
use crate::web::problem::ApiError;

#[derive(Debug, Deserialize)]
pub struct ConsentBody {
    broker_id: Option<i64>,
}

pub async fn grant(
    state: web::Data<AppState>,
    caller: ApiAccount,
    id: web::Path<i64>,
    body: web::Json<ConsentBody>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let plan = state
        .db
        .run(move |conn| {
            brokers::grant_consent(conn, &caller.account, id, body.broker_id, Utc::now())
        })
        .await?;
    Ok(HttpResponse::Ok().json(plan))
}

pub async fn revoke(
    state: web::Data<AppState>,
    caller: ApiAccount,
    path: web::Path<(i64, i64)>,
) -> Result<HttpResponse, ApiError> {
    let (id, broker_id) = path.into_inner();
    let plan = state
        .db
        .run(move |conn| brokers::revoke_consent(conn, &caller.account, id, broker_id, Utc::now()))
        .await?;
    Ok(HttpResponse::Ok().json(plan))
}

pub async fn clients(
    state: web::Data<AppState>,
    caller: ApiAccount,
) -> Result<HttpResponse, ApiError> {
    let items = state
        .db
        .run(move |conn| brokers::portfolio(conn, &caller.account, Utc::now().date_naive()))
        .await?;
    Ok(whole_list(HttpResponse::Ok(), items))
}

pub async fn affiliations(
    state: web::Data<AppState>,
    caller: ApiAccount,
) -> Result<HttpResponse, ApiError> {
    let items = state
        .db
        .run(move |conn| brokers::affiliations(conn, &caller.account))
        .await?;
    Ok(whole_list(HttpResponse::Ok(), items))
}

#[derive(Debug, Deserialize)]
pub struct AffiliationBody {
    provider_id: Option<i64>,
    nature: Option<String>,
}

pub async fn declare(
    state: web::Data<AppState>,
    caller: ApiAccount,
    body: web::Json<AffiliationBody>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    let items = state
        .db
        .run(move |conn| {
            brokers::declare(
                conn,
                &caller.account,
                body.provider_id,
                body.nature.as_deref(),
                Utc::now(),
            )
        })
        .await?;
    Ok(whole_list(HttpResponse::Created(), items))
}
