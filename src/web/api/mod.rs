//! The JSON API under `/api/v1`: thin handlers that parse, call a service on
//! the blocking pool and answer JSON or problem+json.

pub mod accounts;
pub mod assessments;
pub mod brokers;
pub mod commissions;
pub mod health;
pub mod listings;
pub mod market;
pub mod openapi;
pub mod openreferral;
pub mod places;
pub mod plans;
pub mod requests;
pub mod responses;
pub mod search;

use actix_web::http::Method;
use actix_web::{web, FromRequest, Handler, HttpRequest, HttpResponse, Responder, Route};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::error::{AppError, FieldErrors};
use crate::services::idempotency::{Created, Idempotency};

/// One operation of the API: its method, its path and its handler.
pub struct Operation {
    pub method: Method,
    pub path: &'static str,
    route: Route,
}

fn op<F, Args>(method: Method, path: &'static str, handler: F) -> Operation
where
    F: Handler<Args>,
    Args: FromRequest + 'static,
    F::Output: Responder + 'static,
{
    Operation {
        route: web::route().method(method.clone()).to(handler),
        method,
        path,
    }
}

/// Every operation under `/api/v1`, in the order the router tries them. The
/// OpenAPI document's tests check it documents exactly these.
pub fn operations() -> Vec<Operation> {
    use Method as M;
    vec![
        op(M::GET, "/openapi.json", openapi::openapi_json),
        op(M::POST, "/accounts", accounts::register),
        op(M::POST, "/sessions", accounts::sign_in),
        op(M::DELETE, "/sessions/current", accounts::sign_out),
        op(M::GET, "/me", accounts::me),
        op(M::PATCH, "/me", accounts::update_me),
        op(M::GET, "/places", places::lookup),
        op(M::GET, "/councils", places::councils),
        op(M::GET, "/listings", listings::list),
        op(M::POST, "/listings", listings::create),
        op(M::GET, "/listings/{id}", listings::show),
        op(M::PATCH, "/listings/{id}", listings::update),
        op(M::DELETE, "/listings/{id}", listings::withdraw),
        op(
            M::GET,
            "/listings/{id}/price-history",
            listings::price_history,
        ),
        op(M::GET, "/sellers/me", listings::my_profile),
        op(M::PUT, "/sellers/me", listings::save_my_profile),
        op(M::GET, "/sellers/me/request-alerts", requests::alerts),
        op(M::PUT, "/sellers/me/request-alerts", requests::save_alerts),
        op(M::GET, "/sellers/{id}", listings::seller),
        op(M::GET, "/tools/pa-cost", listings::pa_cost_tool),
        op(M::GET, "/vocabularies", listings::vocabularies),
        op(M::GET, "/search", search::search),
        op(M::GET, "/self-assessment", assessments::show_assessment),
        op(M::PUT, "/self-assessment", assessments::save_assessment),
        op(M::GET, "/council/allocation", assessments::show_allocation),
        op(M::PUT, "/council/allocation", assessments::save_allocation),
        op(M::GET, "/council/reference-rates", market::reference_rates),
        op(
            M::PUT,
            "/council/reference-rates",
            market::save_reference_rates,
        ),
        op(
            M::GET,
            "/council/request-evidence",
            market::request_evidence,
        ),
        op(M::GET, "/council/gaps", market::gaps),
        op(M::GET, "/council/fees", market::fees),
        op(M::GET, "/council/brokers", market::brokers),
        op(M::GET, "/council/outcomes", market::outcomes),
        op(M::GET, "/council/risks", market::risks),
        op(M::POST, "/council/risks/{id}/review", market::review_risk),
        op(M::POST, "/council/agreements", market::record_agreement),
        op(M::GET, "/plans", plans::list),
        op(M::POST, "/plans", plans::create),
        op(M::GET, "/plans/{id}", plans::show),
        op(M::PATCH, "/plans/{id}", plans::update),
        op(
            M::POST,
            "/plans/{id}/representatives",
            plans::add_representative,
        ),
        op(
            M::DELETE,
            "/plans/{id}/representatives/{account_id}",
            plans::remove_representative,
        ),
        op(M::POST, "/plans/{id}/commissions", plans::commission),
        op(M::GET, "/plans/{id}/outcome-ratings", assessments::ratings),
        op(M::POST, "/plans/{id}/outcome-ratings", assessments::rate),
        op(M::POST, "/plans/{id}/brokers", brokers::grant),
        op(M::GET, "/plans/{id}/events", plans::history),
        op(
            M::DELETE,
            "/plans/{id}/brokers/{broker_id}",
            brokers::revoke,
        ),
        op(M::GET, "/broker/clients", brokers::clients),
        op(M::GET, "/broker/affiliations", brokers::affiliations),
        op(M::POST, "/broker/affiliations", brokers::declare),
        op(M::POST, "/plans/{id}/moves", plans::move_money),
        // After the named sub-resources: submit, approve, revise, end.
        op(M::POST, "/plans/{id}/{action}", plans::act),
        op(M::GET, "/requests", requests::list),
        op(M::POST, "/requests", requests::create),
        op(M::GET, "/requests/{id}", requests::show),
        op(M::POST, "/requests/{id}/withdraw", requests::withdraw),
        op(M::GET, "/requests/{id}/offers", requests::offers_of_request),
        op(M::POST, "/requests/{id}/offers", requests::make_offer),
        op(M::GET, "/offers", requests::my_offers),
        op(M::GET, "/offers/{id}", requests::show_offer),
        op(M::PATCH, "/offers/{id}", requests::revise_offer),
        op(M::DELETE, "/offers/{id}", requests::withdraw_offer),
        op(M::POST, "/offers/{id}/accept", requests::accept_offer),
        op(M::GET, "/commissions", commissions::list),
        op(M::GET, "/commissions/{id}", commissions::show),
        op(M::GET, "/commissions/{id}/invoices", commissions::invoices),
        op(
            M::POST,
            "/commissions/{id}/deliveries",
            commissions::deliver,
        ),
        // After deliveries: accept, decline, cancel, complete.
        op(M::POST, "/commissions/{id}/{action}", commissions::act),
    ]
}

pub fn routes(cfg: &mut web::ServiceConfig) {
    register(cfg, operations());
}

/// Registers operations as resources, one per path in first-seen order, so a
/// wrong method answers 405 rather than 404.
pub fn register(cfg: &mut web::ServiceConfig, operations: Vec<Operation>) {
    let mut resources: Vec<(&'static str, Vec<Route>)> = Vec::new();
    for operation in operations {
        match resources
            .iter_mut()
            .find(|(path, _)| *path == operation.path)
        {
            Some((_, routes)) => routes.push(operation.route),
            None => resources.push((operation.path, vec![operation.route])),
        }
    }
    for (path, routes) in resources {
        cfg.service(
            routes
                .into_iter()
                .fold(web::resource(path), |resource, route| resource.route(route)),
        );
    }
}

/// `?page=1&per_page=20` as the contract gives it.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
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

/// One page of a longer list.
#[derive(Debug, Serialize, utoipa::ToSchema)]
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

/// A list that is never paged.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct WholeList<T> {
    pub items: Vec<T>,
    pub total: usize,
}

/// A list answered whole: `{"items": [...], "total": n}`.
pub fn whole_list<T: Serialize>(
    mut response: actix_web::HttpResponseBuilder,
    items: Vec<T>,
) -> HttpResponse {
    let total = items.len();
    response.json(WholeList { items, total })
}

/// A list with nothing more to say than its items.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Items<T> {
    pub items: Vec<T>,
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
