//! Bad input to any `/api/` path gets a clear problem+json 4xx, never a 500 or HTML.

use crate::common;

use actix_web::http::{Method, StatusCode};
use common::TestApp;
use serde_json::json;

#[actix_web::test]
async fn malformed_bodies_are_400_problems() {
    let app = TestApp::spawn().await;
    let not_json = app
        .send_raw(
            Method::POST,
            "/api/v1/accounts",
            "application/json",
            b"{not json".to_vec(),
        )
        .await;
    assert!(not_json.problem(400)["detail"]
        .as_str()
        .unwrap()
        .contains("not valid JSON"));

    let wrong_type = app
        .post(
            "/api/v1/accounts",
            None,
            json!({"email": ["a"], "password": 5}),
        )
        .await;
    wrong_type.problem(400);

    let array = app.post("/api/v1/sessions", None, json!([1, 2, 3])).await;
    array.problem(400);
}

#[actix_web::test]
async fn wrong_media_type_and_oversized_bodies_are_refused() {
    let app = TestApp::spawn().await;
    app.send_raw(
        Method::POST,
        "/api/v1/accounts",
        "text/plain",
        b"{}".to_vec(),
    )
    .await
    .problem(415);
    let huge = format!("{{\"name\": \"{}\"}}", "x".repeat(300 * 1024));
    app.send_raw(
        Method::POST,
        "/api/v1/accounts",
        "application/json",
        huge.into_bytes(),
    )
    .await
    .problem(413);
}

#[actix_web::test]
async fn unknown_paths_and_methods_are_problems() {
    let app = TestApp::spawn().await;
    app.get("/api/v1/no-such-thing", None).await.problem(404);
    app.get("/api/v1/accounts/12/nothing", None)
        .await
        .problem(404);
    app.send(Method::PUT, "/api/v1/me", None, Some(json!({})))
        .await
        .problem(405);
    app.get("/api/v1/sessions", None).await.problem(405);
}

#[actix_web::test]
async fn bad_query_strings_are_problems() {
    let app = TestApp::spawn().await;
    app.get("/api/v1/councils?page=abc", None)
        .await
        .problem(400);
    let problem = app
        .get("/api/v1/councils?per_page=101", None)
        .await
        .problem(422);
    assert!(problem["errors"]["per_page"].is_array());
    app.get("/api/v1/councils?page=0", None).await.problem(422);
}

#[actix_web::test]
async fn protected_endpoints_want_a_token() {
    let app = TestApp::spawn().await;
    app.get("/api/v1/me", None).await.problem(401);
    app.send(
        Method::PATCH,
        "/api/v1/me",
        None,
        Some(json!({"name": "x"})),
    )
    .await
    .problem(401);
    app.send(Method::DELETE, "/api/v1/sessions/current", None, None)
        .await
        .problem(401);
}

#[actix_web::test]
async fn health_reports_ready() {
    let app = TestApp::spawn().await;
    let reply = app.get("/healthz", None).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.json()["status"], "ok");
    assert!(reply.json()["search"].is_string());
}
