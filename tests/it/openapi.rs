//! The OpenAPI document: served, complete (exactly the operations the router
//! serves), and strict enough that a wrong answer is caught. Every other API
//! test checks its answers against it too (`common::conformance`).

use crate::common;

use std::collections::BTreeSet;

use actix_web::http::{Method, StatusCode};
use common::{conformance, Reply, TestApp};
use serde_json::{json, Value};

fn served_operations() -> BTreeSet<(String, String)> {
    let api = bespoke::web::api::operations()
        .into_iter()
        .map(|op| (op.method.to_string(), format!("/api/v1{}", op.path)));
    let open_data = bespoke::web::api::openreferral::operations()
        .into_iter()
        .map(|op| (op.method.to_string(), format!("/openreferral{}", op.path)));
    api.chain(open_data)
        .chain([("GET".to_owned(), "/healthz".to_owned())])
        .collect()
}

fn documented_operations(document: &Value) -> BTreeSet<(String, String)> {
    let mut found = BTreeSet::new();
    for (path, item) in document["paths"].as_object().unwrap() {
        for (method, _) in item.as_object().unwrap() {
            if ["get", "put", "post", "delete", "patch"].contains(&method.as_str()) {
                found.insert((method.to_uppercase(), path.clone()));
            }
        }
    }
    found
}

#[actix_web::test]
async fn the_document_is_served_and_names_exactly_the_operations_served() {
    let app = TestApp::spawn().await;
    let reply = app.get("/api/v1/openapi.json", None).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert!(reply.content_type().starts_with("application/json"));
    let document = reply.json();
    assert!(document["openapi"].as_str().unwrap().starts_with("3.1"));
    assert_eq!(&document, bespoke::web::api::openapi::document());

    let served = served_operations();
    let documented = documented_operations(&document);
    let undocumented: Vec<_> = served.difference(&documented).collect();
    let not_served: Vec<_> = documented.difference(&served).collect();
    assert!(
        undocumented.is_empty(),
        "served but not documented: {undocumented:?}"
    );
    assert!(
        not_served.is_empty(),
        "documented but not served: {not_served:?}"
    );
    assert!(served.len() >= 70, "{} operations", served.len());
}

#[actix_web::test]
async fn every_operation_is_described_the_same_way() {
    let document = bespoke::web::api::openapi::document();
    let mut ids = BTreeSet::new();
    for (path, item) in document["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            let name = format!("{method} {path}");
            let id = operation["operationId"].as_str().expect(&name);
            assert!(ids.insert(id.to_owned()), "{name}: operationId {id} twice");
            assert!(operation["tags"][0].is_string(), "{name} has no tag");
            let responses = operation["responses"].as_object().unwrap();
            assert!(
                responses.keys().any(|s| s.starts_with('2')),
                "{name} documents no success"
            );
            for (status, response) in responses {
                if status.starts_with('4') {
                    assert_eq!(
                        response["content"]["application/problem+json"]["schema"]["$ref"],
                        "#/components/schemas/Problem",
                        "{name} {status} is not a problem"
                    );
                }
            }
            let signs_in = operation["security"]
                .as_array()
                .is_some_and(|r| r.iter().any(|r| r.get("bearer").is_some()));
            if signs_in {
                assert!(responses.contains_key("401"), "{name} has no 401");
                assert_eq!(
                    responses["401"]["headers"]["WWW-Authenticate"]["schema"]["type"],
                    "string"
                );
            }
            if path.contains('{') {
                assert!(responses.contains_key("404"), "{name} has no 404");
            }
            // Every `{name}` in the path is a documented path parameter.
            for segment in path.split('/').filter(|s| s.starts_with('{')) {
                let wanted = segment.trim_matches(|c| c == '{' || c == '}');
                let documented = operation["parameters"]
                    .as_array()
                    .and_then(|ps| ps.iter().find(|p| p["in"] == "path" && p["name"] == wanted));
                let Some(parameter) = documented else {
                    panic!("{name}: path parameter {wanted} is not documented");
                };
                // Ids in /api/v1 paths are plain integers (docs/api.md); Open
                // Referral's service ids are UUIDs.
                if path.starts_with("/api/v1/") && (wanted == "id" || wanted.ends_with("_id")) {
                    assert_eq!(parameter["schema"]["type"], "integer", "{name}: {wanted}");
                }
            }
        }
    }
    assert_eq!(
        document["components"]["securitySchemes"]["bearer"]["scheme"],
        "bearer"
    );
    // Money is an exact string, never a JSON number.
    assert_eq!(document["components"]["schemas"]["Money"]["type"], "string");
}

fn reply(status: u16, content_type: &str, body: Value) -> Reply {
    let mut headers = actix_web::http::header::HeaderMap::new();
    headers.insert(
        actix_web::http::header::CONTENT_TYPE,
        content_type.parse().unwrap(),
    );
    Reply {
        status: StatusCode::from_u16(status).unwrap(),
        headers,
        text: body.to_string(),
    }
}

fn refuses(method: Method, path: &str, reply: Reply) -> String {
    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        conformance::check(&method, path, &reply)
    }));
    let error = outcome.expect_err("the check should refuse this answer");
    error.downcast_ref::<String>().cloned().unwrap_or_default()
}

#[actix_web::test]
async fn the_check_refuses_answers_the_document_does_not_allow() {
    let app = TestApp::spawn().await;
    let me = app.register("check@example.org", "budget_holder").await;
    let token = app.sign_in("check@example.org", common::PASSWORD).await;
    let real = app.get("/api/v1/me", Some(&token)).await;
    assert_eq!(real.json()["id"], me);

    // An id as a string, where the document says an integer.
    let mut wrong = real.json();
    wrong["id"] = json!("seventy");
    let message = refuses(
        Method::GET,
        "/api/v1/me",
        reply(200, "application/json", wrong),
    );
    assert!(message.contains("does not match"), "{message}");

    // A status the operation does not list.
    let message = refuses(
        Method::GET,
        "/api/v1/me",
        reply(418, "application/json", json!({})),
    );
    assert!(message.contains("does not list"), "{message}");

    // A refusal that is not problem+json.
    let message = refuses(
        Method::GET,
        "/api/v1/listings/5",
        reply(404, "text/html", json!("<p>no</p>")),
    );
    assert!(message.contains("the document lists"), "{message}");

    // The most specific template wins: `/plans/{id}/moves`, not `{action}`.
    assert_eq!(
        conformance::template_for(
            bespoke::web::api::openapi::document(),
            "/api/v1/plans/3/moves?x=1"
        )
        .as_deref(),
        Some("/api/v1/plans/{id}/moves")
    );
}
