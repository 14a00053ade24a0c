//! `/council/…` market figures: reference rates, the evidence support
//! requests give, and the market reports. `?format=csv` answers CSV with a
//! header row.

use actix_web::{web, HttpResponse};
use chrono::Utc;
use serde::Deserialize;

use super::responses::{Forbidden, Invalid};
use crate::error::AppError;
use crate::services::conflicts::{self, Agreement, AgreementInput};
use crate::services::market::brokers::BrokersReport;
use crate::services::market::fees::FeesReport;
use crate::services::market::gaps::GapsReport;
use crate::services::market::outcomes::OutcomesReport;
use crate::services::market::risks::{RiskItem, RisksReport};
use crate::services::market::{self, Period, ReferenceRates, ReferenceRatesInput, RequestEvidence};
use crate::web::auth::ApiAccount;
use crate::web::problem::ApiError;
use crate::web::state::AppState;

#[utoipa::path(
    get,
    path = "/api/v1/council/reference-rates",
    operation_id = "market_reference_rates",
    tag = "market",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The council's reference rates", body = ReferenceRates),
        Forbidden
    )
)]
pub async fn reference_rates(
    state: web::Data<AppState>,
    caller: ApiAccount,
) -> Result<HttpResponse, ApiError> {
    let rates = state
        .db
        .run(move |conn| market::reference_rates(conn, &caller.account))
        .await?;
    Ok(HttpResponse::Ok().json(rates))
}

#[utoipa::path(
    put,
    path = "/api/v1/council/reference-rates",
    operation_id = "market_save_reference_rates",
    tag = "market",
    request_body = ReferenceRatesInput,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The council's reference rates, replaced", body = ReferenceRates),
        Forbidden,
        Invalid
    )
)]
pub async fn save_reference_rates(
    state: web::Data<AppState>,
    caller: ApiAccount,
    body: web::Json<serde_json::Value>,
) -> Result<HttpResponse, ApiError> {
    let rates = state
        .db
        .run(move |conn| {
            market::set_reference_rates(conn, &caller.account, body.into_inner(), Utc::now())
        })
        .await?;
    Ok(HttpResponse::Ok().json(rates))
}

/// `?from=&to=&format=` as every council report takes them.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ReportQuery {
    pub from: Option<String>,
    pub to: Option<String>,
    pub format: Option<String>,
}

impl ReportQuery {
    pub fn period(&self) -> Result<Period, AppError> {
        Period::parse(
            self.from.as_deref(),
            self.to.as_deref(),
            Utc::now().date_naive(),
        )
        .map_err(AppError::Validation)
    }

    pub fn wants_csv(&self) -> Result<bool, AppError> {
        match self.format.as_deref() {
            None | Some("json") => Ok(false),
            Some("csv") => Ok(true),
            Some(_) => Err(AppError::field("format", "must be json or csv")),
        }
    }
}

#[utoipa::path(
    get,
    path = "/api/v1/council/request-evidence",
    operation_id = "market_request_evidence",
    tag = "market",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Support requests by category and district. CSV with `format=csv`", content((RequestEvidence = "application/json"), (String = "text/csv"))),
        Forbidden,
        Invalid
    )
)]
pub async fn request_evidence(
    state: web::Data<AppState>,
    caller: ApiAccount,
    query: web::Query<ReportQuery>,
) -> Result<HttpResponse, ApiError> {
    let period = query.period()?;
    let csv = query.wants_csv()?;
    let evidence = state
        .db
        .run(move |conn| market::request_evidence(conn, &caller.account, period, Utc::now()))
        .await?;
    report(evidence, csv, market::evidence_csv)
}

/// JSON, or CSV when `?format=csv` asked for it.
fn report<T: serde::Serialize>(
    report: T,
    csv: bool,
    to_csv: impl FnOnce(&T) -> Result<String, AppError>,
) -> Result<HttpResponse, ApiError> {
    if csv {
        return Ok(HttpResponse::Ok()
            .content_type("text/csv; charset=utf-8")
            .body(to_csv(&report)?));
    }
    Ok(HttpResponse::Ok().json(report))
}

#[utoipa::path(
    get,
    path = "/api/v1/council/gaps",
    operation_id = "market_gaps",
    tag = "market",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Where supply is missing. CSV with `format=csv`", content((GapsReport = "application/json"), (String = "text/csv"))),
        Forbidden,
        Invalid
    )
)]
pub async fn gaps(
    state: web::Data<AppState>,
    caller: ApiAccount,
    query: web::Query<ReportQuery>,
) -> Result<HttpResponse, ApiError> {
    let (period, csv) = (query.period()?, query.wants_csv()?);
    let places = state.places;
    let found = state
        .db
        .run(move |conn| market::gaps::gaps(conn, places, &caller.account, period, Utc::now()))
        .await?;
    report(found, csv, market::gaps::gaps_csv)
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct FeesQuery {
    /// Documented as `ReportQuery`'s own parameters.
    #[serde(flatten)]
    #[param(ignore)]
    pub report: ReportQuery,
    pub category: Option<String>,
    pub unit: Option<String>,
}

#[utoipa::path(
    get,
    path = "/api/v1/council/fees",
    operation_id = "market_fees",
    tag = "market",
    params(ReportQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "What prices look like. CSV with `format=csv`", content((FeesReport = "application/json"), (String = "text/csv"))),
        Forbidden,
        Invalid
    )
)]
pub async fn fees(
    state: web::Data<AppState>,
    caller: ApiAccount,
    query: web::Query<FeesQuery>,
) -> Result<HttpResponse, ApiError> {
    let (period, csv) = (query.report.period()?, query.report.wants_csv()?);
    let (category, unit) = market::fees::filters(query.category.as_deref(), query.unit.as_deref())?;
    let places = state.places;
    let found = state
        .db
        .run(move |conn| market::fees::fees(conn, places, &caller.account, period, category, unit))
        .await?;
    report(found, csv, market::fees::fees_csv)
}

#[utoipa::path(
    get,
    path = "/api/v1/council/brokers",
    operation_id = "market_brokers",
    tag = "market",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Whether brokers steer clients to sellers they are tied to. CSV with `format=csv`", content((BrokersReport = "application/json"), (String = "text/csv"))),
        Forbidden,
        Invalid
    )
)]
pub async fn brokers(
    state: web::Data<AppState>,
    caller: ApiAccount,
    query: web::Query<ReportQuery>,
) -> Result<HttpResponse, ApiError> {
    let (period, csv) = (query.period()?, query.wants_csv()?);
    let thresholds = state.config.broker_thresholds;
    let found = state
        .db
        .run(move |conn| market::brokers::brokers(conn, &caller.account, period, thresholds))
        .await?;
    report(found, csv, market::brokers::brokers_csv)
}

#[utoipa::path(
    get,
    path = "/api/v1/council/outcomes",
    operation_id = "market_outcomes",
    tag = "market",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Whether people's lives improve. CSV with `format=csv`", content((OutcomesReport = "application/json"), (String = "text/csv"))),
        Forbidden,
        Invalid
    )
)]
pub async fn outcomes(
    state: web::Data<AppState>,
    caller: ApiAccount,
    query: web::Query<ReportQuery>,
) -> Result<HttpResponse, ApiError> {
    let (period, csv) = (query.period()?, query.wants_csv()?);
    let found = state
        .db
        .run(move |conn| market::outcomes::outcomes(conn, &caller.account, period))
        .await?;
    report(found, csv, market::outcomes::outcomes_csv)
}

#[utoipa::path(
    get,
    path = "/api/v1/council/risks",
    operation_id = "market_risks",
    tag = "market",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Signals for the council to review. CSV with `format=csv`", content((RisksReport = "application/json"), (String = "text/csv"))),
        Forbidden,
        Invalid
    )
)]
pub async fn risks(
    state: web::Data<AppState>,
    caller: ApiAccount,
    query: web::Query<ReportQuery>,
) -> Result<HttpResponse, ApiError> {
    let (period, csv) = (query.period()?, query.wants_csv()?);
    let found = state
        .db
        .run(move |conn| market::risks::risks(conn, &caller.account, period, Utc::now()))
        .await?;
    report(found, csv, market::risks::risks_csv)
}

#[utoipa::path(
    post,
    path = "/api/v1/council/risks/{id}/review",
    operation_id = "market_review_risk",
    tag = "market",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The signal, reviewed", body = RiskItem),
        Forbidden,
        Invalid
    )
)]
pub async fn review_risk(
    state: web::Data<AppState>,
    caller: ApiAccount,
    path: web::Path<i64>,
    body: web::Json<market::risks::ReviewInput>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let reviewed = state
        .db
        .run(move |conn| {
            market::risks::review(conn, &caller.account, id, body.into_inner(), Utc::now())
        })
        .await?;
    Ok(HttpResponse::Ok().json(reviewed))
}

#[utoipa::path(
    post,
    path = "/api/v1/council/agreements",
    operation_id = "market_record_agreement",
    tag = "market",
    request_body = AgreementInput,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "The council's agreement, recorded: this holder may buy from this seller although the seller acts for them", body = Agreement),
        Forbidden,
        Invalid
    )
)]
pub async fn record_agreement(
    state: web::Data<AppState>,
    caller: ApiAccount,
    body: web::Json<AgreementInput>,
) -> Result<HttpResponse, ApiError> {
    let recorded = state
        .db
        .run(move |conn| {
            conflicts::record_agreement(conn, &caller.account, body.into_inner(), Utc::now())
        })
        .await?;
    Ok(HttpResponse::Created().json(recorded))
}
