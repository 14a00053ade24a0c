//! The JSON API under `/api/v1`: thin handlers that parse, call a service on
//! the blocking pool and answer JSON or problem+json.

pub mod accounts;
pub mod assessments;
pub mod brokers;
pub mod commissions;
pub mod health;
pub mod listings;
pub mod market;
pub mod openreferral;
pub mod places;
pub mod plans;
pub mod requests;
pub mod search;

use actix_web::{web, HttpRequest, HttpResponse};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::error::{AppError, FieldErrors};
use crate::services::idempotency::{Created, Idempotency};

pub fn routes(cfg: &mut web::ServiceConfig) {
    // Each path is one resource, so a wrong method answers 405, not 404.
    cfg.service(web::resource("/accounts").route(web::post().to(accounts::register)))
        .service(web::resource("/sessions").route(web::post().to(accounts::sign_in)))
        .service(web::resource("/sessions/current").route(web::delete().to(accounts::sign_out)))
        .service(
            web::resource("/me")
                .route(web::get().to(accounts::me))
                .route(web::patch().to(accounts::update_me)),
        )
        .service(web::resource("/places").route(web::get().to(places::lookup)))
        .service(web::resource("/councils").route(web::get().to(places::councils)))
        .service(
            web::resource("/listings")
                .route(web::get().to(listings::list))
                .route(web::post().to(listings::create)),
        )
        .service(
            web::resource("/listings/{id}")
                .route(web::get().to(listings::show))
                .route(web::patch().to(listings::update))
                .route(web::delete().to(listings::withdraw)),
        )
        .service(
            web::resource("/listings/{id}/price-history")
                .route(web::get().to(listings::price_history)),
        )
        .service(
            web::resource("/sellers/me")
                .route(web::get().to(listings::my_profile))
                .route(web::put().to(listings::save_my_profile)),
        )
        .service(
            web::resource("/sellers/me/request-alerts")
                .route(web::get().to(requests::alerts))
                .route(web::put().to(requests::save_alerts)),
        )
        .service(web::resource("/sellers/{id}").route(web::get().to(listings::seller)))
        .service(web::resource("/tools/pa-cost").route(web::get().to(listings::pa_cost_tool)))
        .service(web::resource("/vocabularies").route(web::get().to(listings::vocabularies)))
        .service(web::resource("/search").route(web::get().to(search::search)))
        .service(
            web::resource("/self-assessment")
                .route(web::get().to(assessments::show_assessment))
                .route(web::put().to(assessments::save_assessment)),
        )
        .service(
            web::resource("/council/allocation")
                .route(web::get().to(assessments::show_allocation))
                .route(web::put().to(assessments::save_allocation)),
        )
        .service(
            web::resource("/council/reference-rates")
                .route(web::get().to(market::reference_rates))
                .route(web::put().to(market::save_reference_rates)),
        )
        .service(
            web::resource("/council/request-evidence")
                .route(web::get().to(market::request_evidence)),
        )
        .service(web::resource("/council/gaps").route(web::get().to(market::gaps)))
        .service(web::resource("/council/fees").route(web::get().to(market::fees)))
        .service(web::resource("/council/brokers").route(web::get().to(market::brokers)))
        .service(web::resource("/council/outcomes").route(web::get().to(market::outcomes)))
        .service(web::resource("/council/risks").route(web::get().to(market::risks)))
        .service(
            web::resource("/council/risks/{id}/review").route(web::post().to(market::review_risk)),
        )
        .service(
            web::resource("/plans")
                .route(web::get().to(plans::list))
                .route(web::post().to(plans::create)),
        )
        .service(
            web::resource("/plans/{id}")
                .route(web::get().to(plans::show))
                .route(web::patch().to(plans::update)),
        )
        .service(
            web::resource("/plans/{id}/representatives")
                .route(web::post().to(plans::add_representative)),
        )
        .service(
            web::resource("/plans/{id}/representatives/{account_id}")
                .route(web::delete().to(plans::remove_representative)),
        )
        .service(web::resource("/plans/{id}/commissions").route(web::post().to(plans::commission)))
        .service(
            web::resource("/plans/{id}/outcome-ratings")
                .route(web::get().to(assessments::ratings))
                .route(web::post().to(assessments::rate)),
        )
        .service(web::resource("/plans/{id}/brokers").route(web::post().to(brokers::grant)))
        .service(web::resource("/plans/{id}/events").route(web::get().to(plans::history)))
        .service(
            web::resource("/plans/{id}/brokers/{broker_id}")
                .route(web::delete().to(brokers::revoke)),
        )
        .service(web::resource("/broker/clients").route(web::get().to(brokers::clients)))
        .service(
            web::resource("/broker/affiliations")
                .route(web::get().to(brokers::affiliations))
                .route(web::post().to(brokers::declare)),
        )
        .service(web::resource("/plans/{id}/moves").route(web::post().to(plans::move_money)))
        // After the named sub-resources: submit, approve, revise, end.
        .service(web::resource("/plans/{id}/{action}").route(web::post().to(plans::act)))
        .service(
            web::resource("/requests")
                .route(web::get().to(requests::list))
                .route(web::post().to(requests::create)),
        )
        .service(web::resource("/requests/{id}").route(web::get().to(requests::show)))
        .service(web::resource("/requests/{id}/withdraw").route(web::post().to(requests::withdraw)))
        .service(
            web::resource("/requests/{id}/offers")
                .route(web::get().to(requests::offers_of_request))
                .route(web::post().to(requests::make_offer)),
        )
        .service(web::resource("/offers").route(web::get().to(requests::my_offers)))
        .service(
            web::resource("/offers/{id}")
                .route(web::get().to(requests::show_offer))
                .route(web::patch().to(requests::revise_offer))
                .route(web::delete().to(requests::withdraw_offer)),
        )
        .service(web::resource("/offers/{id}/accept").route(web::post().to(requests::accept_offer)))
        .service(web::resource("/commissions").route(web::get().to(commissions::list)))
        .service(web::resource("/commissions/{id}").route(web::get().to(commissions::show)))
        .service(
            web::resource("/commissions/{id}/deliveries")
                .route(web::post().to(commissions::deliver)),
        )
        // After deliveries: accept, decline, cancel, complete.
        .service(
            web::resource("/commissions/{id}/{action}").route(web::post().to(commissions::act)),
        );
}

/// `?page=1&per_page=20` as the contract gives it.
#[derive(Debug, Deserialize)]
pub struct PageQuery {
    pub page: Option<i64>,
    pub per_page: Option<i64>,
}

pub const MAX_PER_PAGE: i64 = 100;

#[derive(Debug, Clone, Copy)]
pub struct Paging {
    pub page: i64,
    pub per_page: i64,
}

impl Paging {
    pub fn offset(self) -> i64 {
        (self.page - 1) * self.per_page
    }
}

impl PageQuery {
    pub fn paging(&self) -> Result<Paging, AppError> {
        let mut errors = FieldErrors::new();
        let page = self.page.unwrap_or(1);
        let per_page = self.per_page.unwrap_or(20);
        if !(1..=1_000_000).contains(&page) {
            errors.add("page", "must be a whole number from 1");
        }
        if !(1..=MAX_PER_PAGE).contains(&per_page) {
            errors.add("per_page", format!("must be from 1 to {MAX_PER_PAGE}"));
        }
        errors.into_result()?;
        Ok(Paging { page, per_page })
    }
}

#[derive(Debug, Serialize)]
pub struct ListPage<T> {
    pub items: Vec<T>,
    pub total: i64,
    pub page: i64,
    pub per_page: i64,
}

/// Reads an `Idempotency-Key` header: 1 to 255 visible ASCII characters.
pub fn idempotency_key(req: &HttpRequest) -> Result<Option<String>, AppError> {
    let Some(value) = req.headers().get("Idempotency-Key") else {
        return Ok(None);
    };
    let key = value.to_str().unwrap_or_default().trim();
    if key.is_empty() || key.len() > 255 || !key.chars().all(|c| c.is_ascii_graphic()) {
        return Err(AppError::Malformed(
            "The Idempotency-Key header must be 1 to 255 visible ASCII characters.".into(),
        ));
    }
    Ok(Some(key.to_owned()))
}

/// The body of a creating POST, and its idempotency key with what the
/// request said, so a repeat is told from a reuse of the key.
pub fn idempotent_body<T: DeserializeOwned>(
    req: &HttpRequest,
    body: Value,
) -> Result<(T, Option<Idempotency>), AppError> {
    let idempotency = idempotency_key(req)?.map(|key| Idempotency {
        key,
        fingerprint: format!("{} {} {body}", req.method(), req.path()),
    });
    let input = serde_json::from_value(body)
        .map_err(|e| AppError::Malformed(format!("The request body is not valid: {e}")))?;
    Ok((input, idempotency))
}

/// A list that is never paged: `{"items": [...], "total": n}`.
pub fn whole_list<T: Serialize>(
    mut response: actix_web::HttpResponseBuilder,
    items: Vec<T>,
) -> HttpResponse {
    let total = items.len();
    response.json(serde_json::json!({"items": items, "total": total}))
}

/// 201 with what was created, or with the first answer to a repeated request.
pub fn created_response<T: Serialize>(created: Created<T>) -> HttpResponse {
    match created {
        Created::New(value) => HttpResponse::Created().json(value),
        Created::Replayed(body) => HttpResponse::Created()
            .content_type("application/json")
            .insert_header(("Idempotent-Replayed", "true"))
            .body(body),
    }
}
