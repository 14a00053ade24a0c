//! `/plans`: support plans, their representatives, and commissioning against them.

use crate::domain::ids::{AccountId, PlanId};
use actix_web::{web, HttpRequest, HttpResponse};
use chrono::Utc;
use serde::Deserialize;
use serde_json::Value;

use super::responses::{Forbidden, Invalid};
use super::{created_response, idempotent_body, whole_list, WholeList};
use crate::domain::commissions::CommissionInput;
use crate::domain::plans::{NewPlanInput, PlanAction, PlanContentInput};
use crate::services::commissions;
use crate::services::commissions::CommissionView;
use crate::services::plans;
use crate::services::plans::{EventView, PlanView};
use crate::web::auth::ApiAccount;
use crate::web::problem::ApiError;
use crate::web::state::AppState;

#[utoipa::path(
    get,
    path = "/api/v1/plans",
    operation_id = "plans_list",
    tag = "plans",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The plans you may see", body = WholeList<PlanView>)
    )
)]
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

#[utoipa::path(
    post,
    path = "/api/v1/plans",
    operation_id = "plans_create",
    tag = "plans",
    security(("bearer" = [])),
    responses(
        (status = 201, description = "The new plan", body = PlanView),
        Forbidden,
        Invalid
    )
)]
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

#[utoipa::path(
    get,
    path = "/api/v1/plans/{id}",
    operation_id = "plans_show",
    tag = "plans",
    params(("id" = i64, Path, description = "The plan")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The plan, with figures from the ledger", body = PlanView)
    )
)]
pub async fn show(
    state: web::Data<AppState>,
    caller: ApiAccount,
    id: web::Path<PlanId>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let plan = state
        .db
        .run(move |conn| plans::get(conn, &caller.account, id))
        .await?;
    Ok(HttpResponse::Ok().json(plan))
}

#[utoipa::path(
    patch,
    path = "/api/v1/plans/{id}",
    operation_id = "plans_update",
    tag = "plans",
    params(("id" = i64, Path, description = "The plan")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The plan, changed", body = PlanView),
        Forbidden,
        (status = 409, description = "The plan is no longer a draft (`plan-not-editable`)"),
        Invalid
    )
)]
pub async fn update(
    state: web::Data<AppState>,
    caller: ApiAccount,
    id: web::Path<PlanId>,
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
#[utoipa::path(
    post,
    path = "/api/v1/plans/{id}/moves",
    operation_id = "plans_move_money",
    tag = "plans",
    params(("id" = i64, Path, description = "The plan")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The plan, with the money moved", body = PlanView),
        Forbidden,
        (status = 409, description = "The plan is not approved"),
        Invalid
    )
)]
pub async fn move_money(
    state: web::Data<AppState>,
    caller: ApiAccount,
    id: web::Path<PlanId>,
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
#[utoipa::path(
    post,
    path = "/api/v1/plans/{id}/{action}",
    operation_id = "plans_act",
    tag = "plans",
    params(("id" = i64, Path, description = "The plan"), ("action" = PlanAction, Path, description = "What to do to the plan")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The plan in its new status", body = PlanView),
        Forbidden,
        (status = 409, description = "The plan's status does not allow this"),
        Invalid
    )
)]
pub async fn act(
    state: web::Data<AppState>,
    caller: ApiAccount,
    path: web::Path<(PlanId, PlanAction)>,
) -> Result<HttpResponse, ApiError> {
    let (id, action) = path.into_inner();
    let to = action.status_after();
    let plan = state
        .db
        .run(move |conn| plans::transition(conn, &caller.account, id, to, Utc::now()))
        .await?;
    Ok(HttpResponse::Ok().json(plan))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct RepresentativeBody {
    account_id: Option<AccountId>,
}

#[utoipa::path(
    post,
    path = "/api/v1/plans/{id}/representatives",
    operation_id = "plans_add_representative",
    tag = "plans",
    params(("id" = i64, Path, description = "The plan")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The plan, with the representative", body = PlanView),
        Forbidden,
        Invalid
    )
)]
pub async fn add_representative(
    state: web::Data<AppState>,
    caller: ApiAccount,
    id: web::Path<PlanId>,
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

#[utoipa::path(
    delete,
    path = "/api/v1/plans/{id}/representatives/{account_id}",
    operation_id = "plans_remove_representative",
    tag = "plans",
    params(("id" = i64, Path, description = "The plan"), ("account_id" = i64, Path, description = "The representative")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The plan, without the representative", body = PlanView),
        Forbidden
    )
)]
pub async fn remove_representative(
    state: web::Data<AppState>,
    caller: ApiAccount,
    path: web::Path<(PlanId, AccountId)>,
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

#[utoipa::path(
    post,
    path = "/api/v1/plans/{id}/commissions",
    operation_id = "plans_commission",
    tag = "commissions",
    request_body = CommissionInput, params(("id" = i64, Path, description = "The plan"), ("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe: the same key with the same body answers the first answer again, with `Idempotent-Replayed: true`; with a different body, 409 `idempotency-key-reused`")),
    security(("bearer" = [])),
    responses(
        (status = 201, description = "The commission, with the money committed", body = CommissionView, headers(("Idempotent-Replayed" = String, description = "`true` when this is the first answer to an earlier request with the same Idempotency-Key"))), 
        Forbidden,
        (status = 409, description = "The plan is not approved, the listing is unavailable, the budget would be exceeded (`budget-exceeded`, with `available` and `requested`), or the Idempotency-Key was used before with a different body"),
        Invalid
    )
)]
pub async fn commission(
    state: web::Data<AppState>,
    caller: ApiAccount,
    req: HttpRequest,
    id: web::Path<PlanId>,
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
#[utoipa::path(
    get,
    path = "/api/v1/plans/{id}/events",
    operation_id = "plans_history",
    tag = "plans",
    params(("id" = i64, Path, description = "The plan")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Who did what to the plan, newest first", body = WholeList<EventView>)
    )
)]
pub async fn history(
    state: web::Data<AppState>,
    caller: ApiAccount,
    id: web::Path<PlanId>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let items = state
        .db
        .run(move |conn| plans::history(conn, &caller.account, id))
        .await?;
    Ok(whole_list(HttpResponse::Ok(), items))
}
