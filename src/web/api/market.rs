//! `/council/…` market figures: reference rates and the evidence support
//! requests give. `?format=csv` answers CSV with a header row.

use actix_web::{web, HttpResponse};
use chrono::Utc;
use serde::Deserialize;

use crate::error::AppError;
use crate::services::market::{self, Period};
use crate::startup::AppState;
use crate::web::auth::ApiAccount;
use crate::web::problem::ApiError;

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
#[derive(Debug, Deserialize)]
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
    }

    pub fn wants_csv(&self) -> Result<bool, AppError> {
        match self.format.as_deref() {
            None | Some("json") => Ok(false),
            Some("csv") => Ok(true),
            Some(_) => Err(AppError::field("format", "must be json or csv")),
        }
    }
}

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
    if csv {
        return Ok(HttpResponse::Ok()
            .content_type("text/csv; charset=utf-8")
            .body(market::evidence_csv(&evidence)?));
    }
    Ok(HttpResponse::Ok().json(evidence))
}
