//! `/self-assessment`, `/council/allocation` and `/plans/{id}/outcome-ratings`:
//! budgets up front, and how life is going.

use crate::domain::ids::{AccountId, PlanId};
use actix_web::{web, HttpResponse};
use chrono::Utc;
use serde::Deserialize;

use super::responses::{Forbidden, Invalid};
use super::Items;
use crate::domain::allocation::Allocation;
use crate::services::assessments::{
    self, AllocationView, AssessmentInput, AssessmentView, RatingView, RatingsInput,
};
use crate::web::auth::ApiAccount;
use crate::web::problem::ApiError;
use crate::web::state::AppState;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct HolderQuery {
    holder_id: Option<AccountId>,
}

#[utoipa::path(
    get,
    path = "/api/v1/self-assessment",
    operation_id = "assessments_show_assessment",
    tag = "assessments",
    security(("bearer" = [])),
    responses(
        (status = 404, description = "`holder_id` names nobody whose assessment you may see"),
        (status = 200, description = "The questions, the answers so far and the indicative budget", body = AssessmentView),
        Forbidden
    )
)]
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

#[utoipa::path(
    put,
    path = "/api/v1/self-assessment",
    operation_id = "assessments_save_assessment",
    tag = "assessments",
    security(("bearer" = [])),
    responses(
        (status = 404, description = "`holder_id` names nobody whose assessment you may see"),
        (status = 200, description = "The self-assessment, saved", body = AssessmentView),
        Forbidden,
        Invalid
    )
)]
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

#[utoipa::path(
    get,
    path = "/api/v1/council/allocation",
    operation_id = "assessments_show_allocation",
    tag = "assessments",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The council's resource allocation system", body = AllocationView),
        Forbidden
    )
)]
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

#[utoipa::path(
    put,
    path = "/api/v1/council/allocation",
    operation_id = "assessments_save_allocation",
    tag = "assessments",
    request_body = Allocation,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The council's resource allocation system, replaced", body = AllocationView),
        Forbidden,
        Invalid
    )
)]
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

#[utoipa::path(
    get,
    path = "/api/v1/plans/{id}/outcome-ratings",
    operation_id = "assessments_ratings",
    tag = "assessments",
    params(("id" = i64, Path, description = "The plan")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Every outcome rating of the plan", body = Items<RatingView>)
    )
)]
pub async fn ratings(
    state: web::Data<AppState>,
    caller: ApiAccount,
    id: web::Path<PlanId>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let items = state
        .db
        .run(move |conn| assessments::ratings(conn, &caller.account, id))
        .await?;
    Ok(HttpResponse::Ok().json(Items { items }))
}

#[utoipa::path(
    post,
    path = "/api/v1/plans/{id}/outcome-ratings",
    operation_id = "assessments_rate",
    tag = "assessments",
    params(("id" = i64, Path, description = "The plan")),
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Saved; every outcome rating of the plan", body = Items<RatingView>),
        Forbidden,
        Invalid
    )
)]
pub async fn rate(
    state: web::Data<AppState>,
    caller: ApiAccount,
    id: web::Path<PlanId>,
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
    Ok(HttpResponse::Created().json(Items { items }))
}
