//! The OpenAPI 3.1 document, generated from the handlers' `#[utoipa::path]`
//! annotations and the types they read and answer, and served at
//! `GET /api/v1/openapi.json`.
//!
//! Handlers name their own answers and the refusals particular to them. The
//! answers every operation can give (a request that cannot be read, a missing
//! or wrong sign-in, an unknown id, a body too large or not JSON, a moment of
//! unavailability) are added here once, and every refusal is problem+json.

use std::sync::OnceLock;

use actix_web::HttpResponse;
use serde_json::{json, Map, Value};
use utoipa::OpenApi;

use super::{
    accounts, assessments, brokers, commissions, health, listings, market, openreferral, places,
    plans, requests, search,
};
use crate::domain::commissions::CommissionAction;
use crate::domain::plans::PlanAction;
use crate::web::problem::{Problem, PROBLEM_JSON};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Bespoke API",
        description = "The marketplace for self-directed social care: accounts, listings, \
                       search, care and support plans, commissions, requests and offers, \
                       brokers, and the market reports councils read. Money, percentages \
                       and quantities are strings with exact decimals. Refusals are RFC 9457 \
                       problem details (application/problem+json).",
        license(name = "AGPL-3.0-or-later", identifier = "AGPL-3.0-or-later")
    ),
    paths(
        openapi_json,
        accounts::register,
        accounts::sign_in,
        accounts::sign_out,
        accounts::me,
        accounts::update_me,
        places::lookup,
        places::councils,
        listings::list,
        listings::create,
        listings::show,
        listings::update,
        listings::withdraw,
        listings::price_history,
        listings::my_profile,
        listings::save_my_profile,
        requests::alerts,
        requests::save_alerts,
        listings::seller,
        listings::pa_cost_tool,
        listings::vocabularies,
        search::search,
        assessments::show_assessment,
        assessments::save_assessment,
        assessments::show_allocation,
        assessments::save_allocation,
        market::reference_rates,
        market::save_reference_rates,
        market::request_evidence,
        market::gaps,
        market::fees,
        market::brokers,
        market::outcomes,
        market::risks,
        market::review_risk,
        market::record_agreement,
        plans::list,
        plans::create,
        plans::show,
        plans::update,
        plans::add_representative,
        plans::remove_representative,
        plans::commission,
        assessments::ratings,
        assessments::rate,
        brokers::grant,
        plans::history,
        brokers::revoke,
        brokers::clients,
        brokers::affiliations,
        brokers::declare,
        plans::move_money,
        plans::act,
        requests::list,
        requests::create,
        requests::show,
        requests::withdraw,
        requests::offers_of_request,
        requests::make_offer,
        requests::my_offers,
        requests::show_offer,
        requests::revise_offer,
        requests::withdraw_offer,
        requests::accept_offer,
        commissions::list,
        commissions::show,
        commissions::invoices,
        commissions::deliver,
        commissions::act,
        openreferral::services,
        openreferral::service,
        health::healthz,
    ),
    components(schemas(Problem, PlanAction, CommissionAction)),
    tags(
        (name = "accounts", description = "Registering, signing in and your own account"),
        (name = "places", description = "Postcodes, districts and councils"),
        (name = "listings", description = "What sellers offer, and their public profiles"),
        (name = "search", description = "Finding listings"),
        (name = "plans", description = "Care and support plans and their budgets"),
        (name = "assessments", description = "Self-assessment, allocation and outcome ratings"),
        (name = "commissions", description = "Buying support against a plan"),
        (name = "requests", description = "Asking for support, and sellers' offers"),
        (name = "brokers", description = "Support brokers, their clients and their ties"),
        (name = "market", description = "The council's view of its market"),
        (name = "open-data", description = "The directory as Open Referral UK open data"),
        (name = "operations", description = "Health and this document"),
    )
)]
struct ApiDoc;

/// The document as served: generated once, then shared.
pub fn document() -> &'static Value {
    static DOCUMENT: OnceLock<Value> = OnceLock::new();
    DOCUMENT.get_or_init(|| {
        let mut document =
            serde_json::to_value(ApiDoc::openapi()).expect("the OpenAPI document serialises");
        add_conventions(&mut document);
        document
    })
}

/// This document.
#[utoipa::path(
    get,
    path = "/api/v1/openapi.json",
    operation_id = "openapi_openapi_json",
    tag = "operations",
    responses((status = 200, description = "The OpenAPI 3.1 document of this API", body = Object))
)]
pub async fn openapi_json() -> HttpResponse {
    HttpResponse::Ok().json(document())
}

const METHODS: [&str; 5] = ["get", "put", "post", "delete", "patch"];

/// Adds the bearer scheme and the answers every operation shares, and makes
/// every refusal problem+json.
fn add_conventions(document: &mut Value) {
    let components = document["components"]
        .as_object_mut()
        .expect("the document has components");
    components.insert(
        "securitySchemes".into(),
        json!({"bearer": {
            "type": "http",
            "scheme": "bearer",
            "bearerFormat": "JWT",
            "description": "The `token` from `POST /api/v1/sessions`."
        }}),
    );
    let Some(paths) = document["paths"].as_object_mut() else {
        return;
    };
    for (path, item) in paths.iter_mut() {
        for method in METHODS {
            if let Some(operation) = item.get_mut(method).and_then(Value::as_object_mut) {
                add_shared_answers(path, operation);
            }
        }
    }
}

fn add_shared_answers(path: &str, operation: &mut Map<String, Value>) {
    let signs_in = operation
        .get("security")
        .and_then(Value::as_array)
        .is_some_and(|requirements| requirements.iter().any(|r| r.get("bearer").is_some()));
    let has_body = operation.contains_key("requestBody");
    let responses = operation
        .entry("responses")
        .or_insert_with(|| json!({}))
        .as_object_mut()
        .expect("responses is an object");
    let mut shared = vec![(
        "400",
        "The request could not be read: a body that is not JSON, a value of the wrong type, \
         or a malformed query string or header",
    )];
    if signs_in {
        shared.push((
            "401",
            "Not signed in, or the token has expired or been signed out",
        ));
    }
    if path.contains('{') {
        shared.push((
            "404",
            "There is nothing with that id, or it is not yours to see",
        ));
    }
    if has_body {
        shared.push(("413", "The body is larger than Bespoke accepts"));
        shared.push(("415", "The body is not sent as application/json"));
    }
    shared.push((
        "503",
        "Temporarily unavailable: the database or the search engine cannot be reached",
    ));
    for (status, description) in shared {
        responses
            .entry(status)
            .or_insert_with(|| json!({"description": description}));
    }
    for (status, response) in responses.iter_mut() {
        if !status.starts_with('4') && !status.starts_with('5') {
            continue;
        }
        let response = response.as_object_mut().expect("a response is an object");
        response.entry("content").or_insert_with(
            || json!({PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}}),
        );
        let header = match status.as_str() {
            "401" => Some(("WWW-Authenticate", "Always `Bearer`")),
            "429" => Some(("Retry-After", "Seconds to wait before trying again")),
            _ => None,
        };
        if let Some((name, description)) = header {
            response.entry("headers").or_insert_with(
                || json!({name: {"description": description, "schema": {"type": "string"}}}),
            );
        }
    }
}
