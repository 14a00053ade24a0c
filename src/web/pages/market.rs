//! The council's market pages: evidence from support requests, and the
//! council's own reference rates.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use askama::Template;
use chrono::Utc;

use super::{field, redirect, render, Chrome, Fields, PageError};
use crate::domain::vocab::{Category, Unit, Vocabulary};
use crate::error::{AppError, FieldErrors};
use crate::services::market::{self, RequestEvidence};
use crate::web::api::market::ReportQuery;
use crate::web::auth::Visitor;
use crate::web::csrf::ProtectedForm;
use crate::web::state::AppState;

#[derive(Template)]
#[template(path = "market/requests.html")]
struct EvidencePage {
    chrome: Chrome,
    evidence: RequestEvidence,
}

pub async fn request_evidence(
    state: web::Data<AppState>,
    visitor: Visitor,
    query: web::Query<ReportQuery>,
) -> Result<HttpResponse, PageError> {
    let account = visitor.signed_in()?.clone();
    let period = query.period()?;
    let evidence = state
        .db
        .run(move |conn| market::request_evidence(conn, &account, period, Utc::now()))
        .await?;
    render(
        &EvidencePage {
            chrome: Chrome::for_visitor(&visitor),
            evidence,
        },
        StatusCode::OK,
    )
}

/// Blank rows the form offers for new rates.
const NEW_ROWS: usize = 3;

#[derive(Template)]
#[template(path = "market/reference_rates.html")]
struct RatesPage {
    chrome: Chrome,
    rows: Vec<(String, String, String)>,
    categories: Vec<Category>,
    units: Vec<Unit>,
    errors: FieldErrors,
    saved: bool,
}

async fn rates_page(
    state: &AppState,
    visitor: &Visitor,
    rows: Option<Vec<(String, String, String)>>,
    errors: FieldErrors,
    saved: bool,
) -> Result<RatesPage, PageError> {
    let account = visitor.signed_in()?.clone();
    let rates = state
        .db
        .run(move |conn| market::reference_rates(conn, &account))
        .await?;
    let rows = rows.unwrap_or_else(|| {
        rates
            .rates
            .iter()
            .map(|r| (r.category.clone(), r.unit.clone(), r.amount.to_string()))
            .chain(std::iter::repeat_n(Default::default(), NEW_ROWS))
            .collect()
    });
    Ok(RatesPage {
        chrome: Chrome::for_visitor(visitor),
        rows,
        categories: Category::all(),
        units: Unit::all(),
        errors,
        saved,
    })
}

#[derive(serde::Deserialize)]
pub struct SavedQuery {
    done: Option<String>,
}

pub async fn reference_rates(
    state: web::Data<AppState>,
    visitor: Visitor,
    query: web::Query<SavedQuery>,
) -> Result<HttpResponse, PageError> {
    let saved = query.done.is_some();
    let page = rates_page(&state, &visitor, None, FieldErrors::new(), saved).await?;
    render(&page, StatusCode::OK)
}

/// Saves the rows that have an amount; a row left blank removes that rate.
pub async fn save_reference_rates(
    state: web::Data<AppState>,
    visitor: Visitor,
    form: ProtectedForm<Fields>,
) -> Result<HttpResponse, PageError> {
    let account = visitor.signed_in()?.clone();
    let fields = form.0;
    let rows: Vec<(String, String, String)> = (0..100)
        .take_while(|i| fields.contains_key(&format!("category_{i}")))
        .map(|i| {
            let get = |name: &str| field(&fields, &format!("{name}_{i}")).unwrap_or_default();
            (get("category"), get("unit"), get("amount"))
        })
        .collect();
    let body = serde_json::json!({"rates": rows
        .iter()
        .filter(|(_, _, amount)| !amount.is_empty())
        .map(|(category, unit, amount)| serde_json::json!({"category": category, "unit": unit, "amount": amount}))
        .collect::<Vec<_>>()});
    let outcome = state
        .db
        .run(
            move |conn| match market::set_reference_rates(conn, &account, body, Utc::now()) {
                Ok(_) => Ok(None),
                Err(AppError::Validation(errors)) => Ok(Some(errors)),
                Err(other) => Err(other),
            },
        )
        .await?;
    match outcome {
        None => Ok(redirect("/council/reference-rates?done=saved")),
        Some(errors) => {
            let page = rates_page(&state, &visitor, Some(rows), errors, false).await?;
            render(&page, StatusCode::UNPROCESSABLE_ENTITY)
        }
    }
}

#[derive(Template)]
#[template(path = "market/index.html")]
struct ReportsIndex {
    chrome: Chrome,
}

/// Every market report, with a line on what each answers.
pub async fn reports_index(visitor: Visitor) -> Result<HttpResponse, PageError> {
    let account = visitor.signed_in()?;
    account.commissioners_council()?;
    render(
        &ReportsIndex {
            chrome: Chrome::for_visitor(&visitor),
        },
        StatusCode::OK,
    )
}
