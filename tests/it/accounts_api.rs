//! Registration, sign-in, sessions and `/me` through the JSON API.

use crate::common;

use actix_web::http::StatusCode;
use common::{count_rows, TestApp, PASSWORD};
use diesel::prelude::*;
use serde_json::json;

#[actix_web::test]
async fn a_budget_holder_registers_signs_in_and_signs_out() {
    let app = TestApp::spawn().await;
    let reply = app
        .post(
            "/api/v1/accounts",
            None,
            json!({"email": " Amina@Example.org ", "password": PASSWORD, "name": "Amina Khan",
                   "role": "budget_holder", "council": "E08000003", "postcode": "m14 5ab"}),
        )
        .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text);
    let account = reply.json();
    assert_eq!(account["email"], "amina@example.org");
    assert_eq!(account["role"], "budget_holder");
    assert_eq!(account["council"], "E08000003");
    assert_eq!(account["postcode"], "M14 5AB");
    assert!(account.get("password_hash").is_none());

    // The password is kept only as an Argon2id hash.
    use bespoke::store::schema::accounts::dsl::*;
    let stored: String = accounts
        .filter(email.eq("amina@example.org"))
        .select(password_hash)
        .first::<Option<String>>(&mut *app.db())
        .unwrap()
        .unwrap();
    assert!(stored.starts_with("$argon2id$") && !stored.contains(PASSWORD));

    let signed_in = app
        .post(
            "/api/v1/sessions",
            None,
            json!({"email": "AMINA@example.org", "password": PASSWORD}),
        )
        .await;
    assert_eq!(signed_in.status, StatusCode::OK);
    let body = signed_in.json();
    assert!(body["expires_at"].as_str().unwrap().ends_with('Z'));
    assert_eq!(body["account"]["email"], "amina@example.org");
    let token = body["token"].as_str().unwrap();

    let me = app.get("/api/v1/me", Some(token)).await;
    assert_eq!(me.status, StatusCode::OK);
    assert_eq!(me.json()["id"], account["id"]);
    assert_eq!(me.json()["postcode"], "M14 5AB");

    let out = app
        .send(
            actix_web::http::Method::DELETE,
            "/api/v1/sessions/current",
            Some(token),
            None,
        )
        .await;
    assert_eq!(out.status, StatusCode::NO_CONTENT);
    let after = app.get("/api/v1/me", Some(token)).await;
    after.problem(401);
    assert_eq!(after.header("www-authenticate").as_deref(), Some("Bearer"));
}

#[actix_web::test]
async fn registration_checks_every_field_and_names_each_problem() {
    let app = TestApp::spawn().await;
    let reply = app
        .post(
            "/api/v1/accounts",
            None,
            json!({"email": "not-an-email", "password": "short", "role": "wizard", "postcode": "nonsense"}),
        )
        .await;
    let problem = reply.problem(422);
    let errors = &problem["errors"];
    for field in ["email", "password", "name", "role", "postcode"] {
        assert!(errors[field].is_array(), "{field} missing from {errors}");
    }

    // Common and personal passwords are refused even when long enough.
    for weak in ["password1234", "qwertyuiopasdfgh", "amina khan 2024"] {
        let reply = app
            .post(
                "/api/v1/accounts",
                None,
                json!({"email": "a@example.org", "password": weak, "name": "Amina Khan", "role": "provider"}),
            )
            .await;
        assert!(
            reply.problem(422)["errors"]["password"].is_array(),
            "{weak} was accepted"
        );
    }
    assert_eq!(count_rows(&mut app.db(), "accounts"), 0);
}

#[actix_web::test]
async fn operator_roles_cannot_be_self_registered() {
    let app = TestApp::spawn().await;
    for role in ["commissioner", "admin"] {
        let reply = app
            .post(
                "/api/v1/accounts",
                None,
                json!({"email": "c@example.org", "password": PASSWORD, "name": "C", "role": role, "council": "E08000003"}),
            )
            .await;
        let problem = reply.problem(422);
        assert!(problem["errors"]["role"][0]
            .as_str()
            .unwrap()
            .contains("budget_holder"));
    }
}

#[actix_web::test]
async fn a_budget_holder_needs_a_council_which_a_postcode_can_supply() {
    let app = TestApp::spawn().await;
    let base = json!({"password": PASSWORD, "name": "Holder", "role": "budget_holder"});

    let mut neither = base.clone();
    neither["email"] = json!("one@example.org");
    app.post("/api/v1/accounts", None, neither)
        .await
        .problem(422);

    let mut unknown = base.clone();
    unknown["email"] = json!("two@example.org");
    unknown["council"] = json!("E99999999");
    let problem = app
        .post("/api/v1/accounts", None, unknown)
        .await
        .problem(422);
    assert!(problem["errors"]["council"].is_array());

    let mut by_postcode = base.clone();
    by_postcode["email"] = json!("three@example.org");
    by_postcode["postcode"] = json!("CT1 1AA");
    let reply = app.post("/api/v1/accounts", None, by_postcode).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text);
    assert_eq!(
        reply.json()["council"],
        "E10000016",
        "Canterbury's social care council is Kent"
    );
}

#[actix_web::test]
async fn an_email_can_hold_only_one_account() {
    let app = TestApp::spawn().await;
    app.register("same@example.org", "provider").await;
    let reply = app
        .post(
            "/api/v1/accounts",
            None,
            json!({"email": "SAME@example.org", "password": PASSWORD, "name": "Other", "role": "broker"}),
        )
        .await;
    let problem = reply.problem(409);
    assert!(problem["type"].as_str().unwrap().ends_with("/email-taken"));
    assert_eq!(count_rows(&mut app.db(), "accounts"), 1);
}

#[actix_web::test]
async fn wrong_credentials_are_refused_alike() {
    let app = TestApp::spawn().await;
    app.register("pa@example.org", "personal_assistant").await;
    let wrong_password = app
        .post(
            "/api/v1/sessions",
            None,
            json!({"email": "pa@example.org", "password": "not the password"}),
        )
        .await
        .problem(401);
    let unknown_email = app
        .post(
            "/api/v1/sessions",
            None,
            json!({"email": "nobody@example.org", "password": PASSWORD}),
        )
        .await
        .problem(401);
    assert_eq!(wrong_password["detail"], unknown_email["detail"]);
    let missing = app
        .post("/api/v1/sessions", None, json!({}))
        .await
        .problem(422);
    assert!(missing["errors"]["email"].is_array() && missing["errors"]["password"].is_array());
}

#[actix_web::test]
async fn repeated_failures_slow_that_email_from_that_address_only() {
    let app = TestApp::spawn().await;
    app.register("target@example.org", "provider").await;
    app.register("bystander@example.org", "provider").await;
    for attempt in 1..=3 {
        let reply = app
            .post(
                "/api/v1/sessions",
                None,
                json!({"email": "target@example.org", "password": "guess number one"}),
            )
            .await;
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "attempt {attempt}");
    }
    // The next attempt straight away waits, even with the right password
    // (tests/security.rs shows the person elsewhere is not held back).
    let waiting = app
        .post(
            "/api/v1/sessions",
            None,
            json!({"email": "target@example.org", "password": PASSWORD}),
        )
        .await;
    let problem = waiting.problem(429);
    let retry_after: u64 = waiting.header("retry-after").unwrap().parse().unwrap();
    assert_eq!(retry_after, 1);
    assert_eq!(problem["retry_after"], retry_after);
    // Other accounts are not affected.
    app.sign_in("bystander@example.org", PASSWORD).await;
    // After the wait, the right password works.
    actix_web::rt::time::sleep(std::time::Duration::from_millis(1100)).await;
    app.sign_in("target@example.org", PASSWORD).await;
}

#[actix_web::test]
async fn tokens_that_are_forged_or_garbled_are_refused() {
    let app = TestApp::spawn().await;
    let (_, token) = app.account("someone@example.org", "broker").await;
    let mut forged = token.clone();
    forged.truncate(token.len() - 2);
    forged.push_str("xx");
    for bad in [forged.as_str(), "garbage", "a.b.c", ""] {
        app.get("/api/v1/me", Some(bad)).await.problem(401);
    }
    let reply = app
        .server
        .get("/api/v1/me")
        .insert_header(("Authorization", format!("Basic {token}")))
        .send()
        .await
        .unwrap();
    assert_eq!(reply.status(), StatusCode::UNAUTHORIZED);
    // The real token still works.
    assert_eq!(
        app.get("/api/v1/me", Some(&token)).await.status,
        StatusCode::OK
    );
}

#[actix_web::test]
async fn the_holder_changes_name_and_postcode() {
    let app = TestApp::spawn().await;
    let (_, token) = app.account("holder@example.org", "budget_holder").await;
    let patch = |body| {
        app.send(
            actix_web::http::Method::PATCH,
            "/api/v1/me",
            Some(&token),
            Some(body),
        )
    };

    let reply = patch(json!({"postcode": "M20 2RN", "name": "  Grace   Okafor "})).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    assert_eq!(reply.json()["postcode"], "M20 2RN");
    assert_eq!(reply.json()["district"], "M20");
    assert_eq!(reply.json()["name"], "Grace Okafor");

    // Leaving a field out keeps it; null removes the postcode.
    let reply = patch(json!({"name": "Grace"})).await;
    assert_eq!(reply.json()["postcode"], "M20 2RN");
    let reply = patch(json!({"postcode": null})).await;
    assert!(reply.json()["postcode"].is_null());
    assert_eq!(reply.json()["name"], "Grace");

    patch(json!({"postcode": "ZZ99 9ZZ"})).await.problem(422);
    patch(json!({"name": ""})).await.problem(422);
    patch(json!({"postcode": 14})).await.problem(400);

    use bespoke::store::schema::accounts::dsl::*;
    let stored: (String, Option<String>) = accounts
        .filter(email.eq("holder@example.org"))
        .select((name, postcode))
        .first(&mut *app.db())
        .unwrap();
    assert_eq!(stored, ("Grace".to_owned(), None));
}
