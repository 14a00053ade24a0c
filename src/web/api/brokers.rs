//! Brokers: consent on plans, declared interests, and the portfolio.

use crate::domain::ids::{AccountId, PlanId};
use actix_web::{web, HttpResponse};
use chrono::Utc;
use serde::Deserialize;

use super::responses::{Forbidden, Invalid};
use super::{whole_list, WholeList};
use crate::services::brokers::{self, AffiliationView, ClientView};
use crate::services::plans::PlanView;
use crate::web::auth::ApiAccount;
use crate::web::problem::ApiError;
use crate::web::state::AppState;

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct ConsentBody {
    broker_id: Option<AccountId>,
}

#[utoipa::path(
    post,
    path = "/api/v1/plans/{id}/brokers",
    operation_id = "brokers_grant",
    tag = "brokers",
    params(("id" = i64, Path, description = "The plan")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The plan, with the broker given access", body = PlanView),
        Forbidden,
        Invalid
    )
)]
pub async fn grant(
    state: web::Data<AppState>,
    caller: ApiAccount,
    id: web::Path<PlanId>,
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

#[utoipa::path(
    delete,
    path = "/api/v1/plans/{id}/brokers/{broker_id}",
    operation_id = "brokers_revoke",
    tag = "brokers",
    params(("id" = i64, Path, description = "The plan"), ("broker_id" = i64, Path, description = "The broker")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The plan, without the broker", body = PlanView),
        Forbidden
    )
)]
pub async fn revoke(
    state: web::Data<AppState>,
    caller: ApiAccount,
    path: web::Path<(PlanId, AccountId)>,
) -> Result<HttpResponse, ApiError> {
    let (id, broker_id) = path.into_inner();
    let plan = state
        .db
        .run(move |conn| brokers::revoke_consent(conn, &caller.account, id, broker_id, Utc::now()))
        .await?;
    Ok(HttpResponse::Ok().json(plan))
}

#[utoipa::path(
    get,
    path = "/api/v1/broker/clients",
    operation_id = "brokers_clients",
    tag = "brokers",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Your clients and their plans", body = WholeList<ClientView>),
        Forbidden
    )
)]
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

#[utoipa::path(
    get,
    path = "/api/v1/broker/affiliations",
    operation_id = "brokers_affiliations",
    tag = "brokers",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Your declared ties to sellers", body = WholeList<AffiliationView>),
        Forbidden
    )
)]
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

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct AffiliationBody {
    provider_id: Option<AccountId>,
    nature: Option<String>,
}

#[utoipa::path(
    post,
    path = "/api/v1/broker/affiliations",
    operation_id = "brokers_declare",
    tag = "brokers",
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Declared; all your ties to sellers", body = WholeList<AffiliationView>),
        Forbidden,
        Invalid
    )
)]
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
