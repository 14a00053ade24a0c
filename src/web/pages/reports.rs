//! The commissioner's market reports: gaps, fee levels, broker impartiality,
//! outcomes and risk signals. Each page has a chart, its table, and a link to
//! the same figures as CSV from the report's API twin.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use askama::Template;
use chrono::Utc;

use super::charts::BarChart;
use super::{field, redirect, render, Chrome, Fields, PageError};
use crate::domain::vocab::{Category, Unit, Vocabulary};
use crate::error::{AppError, FieldErrors};
use crate::services::market::brokers::BrokersReport;
use crate::services::market::fees::FeesReport;
use crate::services::market::gaps::GapsReport;
use crate::services::market::outcomes::OutcomesReport;
use crate::services::market::risks::{ReviewInput, RisksReport};
use crate::services::market::{self, Period};
use crate::web::api::market::{FeesQuery, ReportQuery};
use crate::web::auth::Visitor;
use crate::web::csrf::ProtectedForm;
use crate::web::state::AppState;

/// How many bars a chart shows; the table has every row.
const CHART_BARS: usize = 12;

/// `?from=…&to=…` for links to the same period.
fn period_query(period: &Period) -> String {
    format!("from={}&to={}", period.from, period.to)
}

#[derive(Template)]
#[template(path = "market/gaps.html")]
struct GapsPage {
    chrome: Chrome,
    report: GapsReport,
    chart: BarChart,
    query: String,
}

pub async fn gaps(
    state: web::Data<AppState>,
    visitor: Visitor,
    query: web::Query<ReportQuery>,
) -> Result<HttpResponse, PageError> {
    let account = visitor.signed_in()?.clone();
    let period = query.period()?;
    let places = state.places;
    let report = state
        .db
        .run(move |conn| market::gaps::gaps(conn, places, &account, period, Utc::now()))
        .await?;
    let mut ranked: Vec<_> = report.items.iter().filter(|r| r.unmet() > 0).collect();
    ranked.sort_by_key(|r| std::cmp::Reverse(r.unmet()));
    let chart = BarChart::new(
        "Unmet demand: searches that found nothing, and requests turned down or left waiting",
        ranked
            .iter()
            .take(CHART_BARS)
            .map(|r| {
                (
                    format!("{} in {}", r.category_label, r.district),
                    r.unmet() as f64,
                    r.unmet().to_string(),
                    r.live_listings == 0,
                )
            })
            .collect(),
    );
    render(
        &GapsPage {
            chrome: Chrome::for_visitor(&visitor),
            query: period_query(&report.period),
            report,
            chart,
        },
        StatusCode::OK,
    )
}

#[derive(Template)]
#[template(path = "market/fees.html")]
struct FeesPage {
    chrome: Chrome,
    report: FeesReport,
    chart: BarChart,
    query: String,
    categories: Vec<Category>,
    units: Vec<Unit>,
}

pub async fn fees(
    state: web::Data<AppState>,
    visitor: Visitor,
    query: web::Query<FeesQuery>,
) -> Result<HttpResponse, PageError> {
    let account = visitor.signed_in()?.clone();
    let period = query.report.period()?;
    let (category, unit) = market::fees::filters(query.category.as_deref(), query.unit.as_deref())?;
    let places = state.places;
    let report = state
        .db
        .run(move |conn| market::fees::fees(conn, places, &account, period, category, unit))
        .await?;
    let chart = BarChart::new(
        "Median listed price by kind of support and unit",
        report
            .items
            .iter()
            .filter(|r| r.district.is_none())
            .take(CHART_BARS)
            .map(|r| {
                (
                    format!("{} (per {})", r.category_label, r.unit),
                    r.median.pence() as f64,
                    format!("{} (n = {})", r.median.display_gbp(), r.n),
                    r.reference_rate.is_some_and(|rate| r.median > rate),
                )
            })
            .collect(),
    );
    let mut link = period_query(&report.period);
    if let Some(c) = &report.category {
        link.push_str(&format!("&category={c}"));
    }
    if let Some(u) = &report.unit {
        link.push_str(&format!("&unit={u}"));
    }
    render(
        &FeesPage {
            chrome: Chrome::for_visitor(&visitor),
            query: link,
            report,
            chart,
            categories: Category::all(),
            units: Unit::all(),
        },
        StatusCode::OK,
    )
}

#[derive(Template)]
#[template(path = "market/brokers.html")]
struct BrokersPage {
    chrome: Chrome,
    report: BrokersReport,
    chart: BarChart,
    query: String,
}

pub async fn brokers(
    state: web::Data<AppState>,
    visitor: Visitor,
    query: web::Query<ReportQuery>,
) -> Result<HttpResponse, PageError> {
    let account = visitor.signed_in()?.clone();
    let period = query.period()?;
    let thresholds = state.config.broker_thresholds;
    let report = state
        .db
        .run(move |conn| market::brokers::brokers(conn, &account, period, thresholds))
        .await?;
    let chart = BarChart::new(
        "Share of each broker's placements with providers it has an interest in",
        report
            .items
            .iter()
            .filter(|r| r.affiliated_share.is_some())
            .take(CHART_BARS)
            .map(|r| {
                let share = r.affiliated_share.clone().unwrap_or_default();
                (
                    r.name.clone(),
                    share.parse().unwrap_or(0.0),
                    format!(
                        "{share}% (market: {}%)",
                        r.expected_share.clone().unwrap_or_default()
                    ),
                    r.flagged,
                )
            })
            .collect(),
    );
    render(
        &BrokersPage {
            chrome: Chrome::for_visitor(&visitor),
            query: period_query(&report.period),
            report,
            chart,
        },
        StatusCode::OK,
    )
}

#[derive(Template)]
#[template(path = "market/outcomes.html")]
struct OutcomesPage {
    chrome: Chrome,
    report: OutcomesReport,
    chart: BarChart,
    query: String,
}

pub async fn outcomes(
    state: web::Data<AppState>,
    visitor: Visitor,
    query: web::Query<ReportQuery>,
) -> Result<HttpResponse, PageError> {
    let account = visitor.signed_in()?.clone();
    let period = query.period()?;
    let report = state
        .db
        .run(move |conn| market::outcomes::outcomes(conn, &account, period))
        .await?;
    let chart = BarChart::new(
        "Mean change since the start, everyone, by area of life (−4 to +4)",
        report
            .items
            .iter()
            .filter(|r| r.group_by == "all")
            .filter_map(|r| {
                let change = r.change.as_ref()?;
                let value: f64 = change.mean_change.parse().unwrap_or(0.0);
                // Bars start at −4 so that falls and rises are both visible.
                Some((
                    r.domain_label.to_owned(),
                    value + 4.0,
                    format!("{} ({} people)", change.mean_change, change.people),
                    value < 0.0,
                ))
            })
            .collect(),
    );
    render(
        &OutcomesPage {
            chrome: Chrome::for_visitor(&visitor),
            query: period_query(&report.period),
            report,
            chart,
        },
        StatusCode::OK,
    )
}

#[derive(Template)]
#[template(path = "market/risks.html")]
struct RisksPage {
    chrome: Chrome,
    report: RisksReport,
    chart: BarChart,
    query: String,
    errors: FieldErrors,
    reviewed: bool,
}

#[derive(serde::Deserialize)]
pub struct RisksQuery {
    #[serde(flatten)]
    report: ReportQuery,
    done: Option<String>,
}

async fn risks_page(
    state: &AppState,
    visitor: &Visitor,
    query: &ReportQuery,
    errors: FieldErrors,
    reviewed: bool,
) -> Result<RisksPage, PageError> {
    let account = visitor.signed_in()?.clone();
    let period = query.period()?;
    let report = state
        .db
        .run(move |conn| market::risks::risks(conn, &account, period, Utc::now()))
        .await?;
    let mut kinds: Vec<(String, f64, String, bool)> = Vec::new();
    for item in &report.items {
        match kinds.iter_mut().find(|k| k.0 == item.kind_label) {
            Some(k) => k.1 += 1.0,
            None => kinds.push((item.kind_label.to_owned(), 1.0, String::new(), false)),
        }
    }
    for k in &mut kinds {
        k.2 = format!("{}", k.1);
    }
    Ok(RisksPage {
        chrome: Chrome::for_visitor(visitor),
        query: period_query(&report.period),
        chart: BarChart::new("Signals by kind", kinds),
        report,
        errors,
        reviewed,
    })
}

pub async fn risks(
    state: web::Data<AppState>,
    visitor: Visitor,
    query: web::Query<RisksQuery>,
) -> Result<HttpResponse, PageError> {
    let page = risks_page(
        &state,
        &visitor,
        &query.report,
        FieldErrors::new(),
        query.done.is_some(),
    )
    .await?;
    render(&page, StatusCode::OK)
}

/// Marks a signal reviewed with the commissioner's note.
pub async fn review_risk(
    state: web::Data<AppState>,
    visitor: Visitor,
    path: web::Path<i64>,
    form: ProtectedForm<Fields>,
) -> Result<HttpResponse, PageError> {
    let account = visitor.signed_in()?.clone();
    let id = path.into_inner();
    let fields = form.0;
    let input = ReviewInput {
        note: field(&fields, "note"),
        agreed: Some(field(&fields, "agreed").is_some()),
    };
    let outcome = state
        .db
        .run(
            move |conn| match market::risks::review(conn, &account, id, input, Utc::now()) {
                Ok(_) => Ok(None),
                Err(AppError::Validation(errors)) => Ok(Some(errors)),
                Err(other) => Err(other),
            },
        )
        .await?;
    match outcome {
        None => Ok(redirect(&format!("/council/risks?done=reviewed#risk-{id}"))),
        Some(errors) => {
            let page = risks_page(&state, &visitor, &ReportQuery::default(), errors, false).await?;
            render(&page, StatusCode::UNPROCESSABLE_ENTITY)
        }
    }
}
