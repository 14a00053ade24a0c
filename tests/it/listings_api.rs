//! Publishing, changing and withdrawing offers through the API.

use crate::common;

use actix_web::http::{Method, StatusCode};
use common::{count_rows, TestApp};
use serde_json::{json, Value};

fn evening_pa() -> Value {
    json!({"title": "Evening personal assistant", "description": "Tea, medication reminders, bedtime.",
           "category": "personal_assistant",
           "price": {"amount": "14.50", "unit": "hour"},
           "rates": [{"band": "weekend", "amount": "16.00"}],
           "fees": [{"kind": "setup", "label": "Introduction fee", "amount": "40.00", "per": "one_off"}],
           "postcode": "M14 5AB", "areas": ["M14", "M15", "M16"],
           "availability": ["weekday_evening", "weekend"], "languages": ["en", "ur"], "tags": ["driver"],
           "employment": "self_employed", "status": "published"})
}

#[actix_web::test]
async fn a_personal_assistant_publishes_the_contract_example() {
    let app = TestApp::spawn().await;
    let (pa_id, token) = app.account("pa@example.org", "personal_assistant").await;
    let reply = app
        .post("/api/v1/listings", Some(&token), evening_pa())
        .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text);
    let listing = reply.json();
    assert_eq!(listing["provider"]["id"], pa_id);
    assert_eq!(listing["price"], json!({"amount": "14.50", "unit": "hour"}));
    assert_eq!(listing["rates"][0]["amount"], "16.00");
    assert_eq!(
        listing["fees"][0],
        json!({"kind": "setup", "label": "Introduction fee", "amount": "40.00",
        "per": "one_off", "description": "£40.00 once"})
    );
    assert_eq!(listing["areas"], json!(["M14", "M15", "M16"]));
    assert_eq!(listing["languages"], json!(["en", "ur"]));
    assert_eq!(listing["status"], "published");
    assert_eq!(listing["accepting_clients"], true);
    // 6 hours × £14.50 × 52 weeks + £40 = £4,564.00
    assert_eq!(listing["example"]["total"], "4564.00");
    assert_eq!(listing["example"]["weekly"], "87.00");
    assert!(
        listing["true_cost"].is_null(),
        "self-employed: no employer costs"
    );

    let id = listing["id"].as_i64().unwrap();
    let public = app.get(&format!("/api/v1/listings/{id}"), None).await;
    assert_eq!(public.status, StatusCode::OK);
    assert_eq!(public.json()["title"], "Evening personal assistant");
    let mut db = app.db();
    assert_eq!(count_rows(&mut db, "listing_areas"), 3);
    assert_eq!(count_rows(&mut db, "listing_price_changes"), 1);
}

#[actix_web::test]
async fn only_sellers_publish() {
    let app = TestApp::spawn().await;
    let (_, holder) = app.account("holder@example.org", "budget_holder").await;
    app.post("/api/v1/listings", Some(&holder), evening_pa())
        .await
        .problem(403);
    app.post("/api/v1/listings", None, evening_pa())
        .await
        .problem(401);
    assert_eq!(count_rows(&mut app.db(), "listings"), 0);
}

#[actix_web::test]
async fn invalid_offers_name_every_field_and_store_nothing() {
    let app = TestApp::spawn().await;
    let (_, token) = app.account("provider@example.org", "provider").await;
    let bad = json!({"title": "", "category": "magic", "price": {"amount": "14.5", "unit": "fortnight"},
                     "rates": [{"band": "weekend", "amount": "-3.00"}],
                     "fees": [{"kind": "setup", "amount": "10.00", "percent": "5", "per": "one_off"}],
                     "postcode": "nowhere", "languages": ["xx"], "employment": "self_employed"});
    let problem = app
        .post("/api/v1/listings", Some(&token), bad)
        .await
        .problem(422);
    for field in [
        "title",
        "category",
        "price.amount",
        "price.unit",
        "rates[0].amount",
        "fees[0].amount",
        "postcode",
        "languages[0]",
        "employment",
    ] {
        assert!(
            problem["errors"][field].is_array(),
            "{field}: {}",
            problem["errors"]
        );
    }
    // Money must be a string: a number is the wrong JSON type.
    let mut number = evening_pa();
    number["price"]["amount"] = json!(14.5);
    app.post("/api/v1/listings", Some(&token), number)
        .await
        .problem(400);
    assert_eq!(count_rows(&mut app.db(), "listings"), 0);
}

#[actix_web::test]
async fn price_changes_are_kept_as_history() {
    let app = TestApp::spawn().await;
    let (_, token) = app.account("pa@example.org", "personal_assistant").await;
    let id = app
        .post("/api/v1/listings", Some(&token), evening_pa())
        .await
        .json()["id"]
        .as_i64()
        .unwrap();
    let path = format!("/api/v1/listings/{id}");
    let patch = |body| app.send(Method::PATCH, &path, Some(&token), Some(body));

    let reply = patch(json!({"price": {"amount": "15.25"}})).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    assert_eq!(
        reply.json()["price"],
        json!({"amount": "15.25", "unit": "hour"})
    );
    assert_eq!(
        reply.json()["rates"][0]["amount"],
        "16.00",
        "what is left out stays"
    );
    patch(json!({"title": "Evening PA, Fallowfield"})).await;
    patch(json!({"fees": []})).await;

    let history = app.get(&format!("{path}/price-history"), None).await.json();
    let prices: Vec<&str> = history["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["price"]["amount"].as_str().unwrap())
        .collect();
    assert_eq!(
        prices,
        ["14.50", "15.25", "15.25"],
        "a title change is not a price change; dropping a fee is"
    );
    assert_eq!(history["items"][2]["fees"], json!([]));
}

#[actix_web::test]
async fn other_peoples_listings_cannot_be_changed() {
    let app = TestApp::spawn().await;
    let (_, owner) = app.account("owner@example.org", "personal_assistant").await;
    let (_, other) = app.account("other@example.org", "personal_assistant").await;
    let id = app
        .post("/api/v1/listings", Some(&owner), evening_pa())
        .await
        .json()["id"]
        .as_i64()
        .unwrap();
    let path = format!("/api/v1/listings/{id}");
    app.send(
        Method::PATCH,
        &path,
        Some(&other),
        Some(json!({"title": "Mine now"})),
    )
    .await
    .problem(404);
    app.send(Method::DELETE, &path, Some(&other), None)
        .await
        .problem(404);
    app.send(
        Method::PATCH,
        "/api/v1/listings/999999",
        Some(&owner),
        Some(json!({})),
    )
    .await
    .problem(404);
    app.get("/api/v1/listings/999999", None).await.problem(404);
    app.get("/api/v1/listings/not-a-number", None)
        .await
        .problem(404);
    assert_eq!(
        app.get(&path, None).await.json()["title"],
        "Evening personal assistant"
    );
}

#[actix_web::test]
async fn withdrawn_listings_stay_readable_and_final() {
    let app = TestApp::spawn().await;
    let (owner_id, token) = app.account("pa@example.org", "personal_assistant").await;
    let id = app
        .post("/api/v1/listings", Some(&token), evening_pa())
        .await
        .json()["id"]
        .as_i64()
        .unwrap();
    let path = format!("/api/v1/listings/{id}");

    let withdrawn = app.send(Method::DELETE, &path, Some(&token), None).await;
    assert_eq!(withdrawn.status, StatusCode::OK);
    assert_eq!(withdrawn.json()["status"], "withdrawn");
    assert_eq!(app.get(&path, None).await.json()["status"], "withdrawn");
    let problem = app
        .send(
            Method::PATCH,
            &path,
            Some(&token),
            Some(json!({"status": "published"})),
        )
        .await
        .problem(409);
    assert!(problem["detail"].as_str().unwrap().contains("withdrawn"));

    let live = app
        .get(&format!("/api/v1/listings?owner={owner_id}"), None)
        .await
        .json();
    assert_eq!(live["total"], 0);
    let mine = app
        .get("/api/v1/listings?owner=me", Some(&token))
        .await
        .json();
    assert_eq!(mine["total"], 1);
    assert_eq!(mine["items"][0]["status"], "withdrawn");
}

#[actix_web::test]
async fn drafts_are_private_and_statuses_move_sensibly() {
    let app = TestApp::spawn().await;
    let (_, token) = app.account("provider@example.org", "provider").await;
    let mut draft = evening_pa();
    draft["status"] = json!("draft");
    draft["category"] = json!("home_help");
    draft.as_object_mut().unwrap().remove("employment");
    draft["price"] = json!({"unit": "hour"});
    let reply = app.post("/api/v1/listings", Some(&token), draft).await;
    assert_eq!(
        reply.status,
        StatusCode::CREATED,
        "a draft may wait for its price: {}",
        reply.text
    );
    let id = reply.json()["id"].as_i64().unwrap();
    let path = format!("/api/v1/listings/{id}");
    app.get(&path, None).await.problem(404);
    assert_eq!(app.get(&path, Some(&token)).await.status, StatusCode::OK);

    // Publishing needs a price.
    let problem = app
        .send(
            Method::PATCH,
            &path,
            Some(&token),
            Some(json!({"status": "published"})),
        )
        .await
        .problem(422);
    assert!(problem["errors"]["price.amount"].is_array());
    let published = app
        .send(
            Method::PATCH,
            &path,
            Some(&token),
            Some(json!({"status": "published", "price": {"amount": "19.00"}})),
        )
        .await;
    assert_eq!(published.json()["status"], "published");
    assert_eq!(app.get(&path, None).await.status, StatusCode::OK);
    app.send(
        Method::PATCH,
        &path,
        Some(&token),
        Some(json!({"status": "draft"})),
    )
    .await
    .problem(409);
    let paused = app
        .send(
            Method::PATCH,
            &path,
            Some(&token),
            Some(json!({"status": "paused"})),
        )
        .await;
    assert_eq!(paused.json()["status"], "paused");
}

#[actix_web::test]
async fn an_employed_assistant_shows_the_true_cost() {
    let app = TestApp::spawn().await;
    let (_, token) = app.account("pa@example.org", "personal_assistant").await;
    let mut offer = evening_pa();
    offer["employment"] = json!("employed_by_holder");
    offer["price"] = json!({"amount": "13.50", "unit": "hour"});
    offer["fees"] = json!([]);
    let listing = app
        .post("/api/v1/listings", Some(&token), offer)
        .await
        .json();
    let true_cost = &listing["true_cost"];
    let names: Vec<&str> = true_cost["components"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "employer_national_insurance",
            "holiday_pay",
            "pension",
            "employers_liability_insurance"
        ]
    );
    let hourly: f64 = true_cost["hourly_total"].as_str().unwrap().parse().unwrap();
    assert!(hourly > 13.50 + 1.0, "{hourly}");
    assert_eq!(
        listing["example"]["total"], true_cost["annual_total"],
        "the headline cost is the employer's"
    );
}

#[actix_web::test]
async fn the_pa_cost_tool_matches_hand_worked_figures() {
    let app = TestApp::spawn().await;
    let reply = app
        .get(
            "/api/v1/tools/pa-cost?hourly_pay=13.50&hours_per_week=20&tax_year=2025-26",
            None,
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    let cost = reply.json();
    assert_eq!(cost["tax_year"], "2025-26");
    assert_eq!(cost["hourly_pay"], "13.50");
    assert_eq!(cost["annual_total"], "16169.47");
    assert_eq!(cost["hourly_total"], "15.55");
    assert_eq!(cost["weekly_total"], "310.95");
    assert_eq!(
        cost["components"][1],
        json!({"name": "holiday_pay", "label": "Holiday pay", "annual": "1694.63", "hourly": "1.63"})
    );
    assert!(cost["assumptions"].as_array().unwrap().len() >= 5);

    let without = app
        .get("/api/v1/tools/pa-cost?hourly_pay=13.50&hours_per_week=20&tax_year=2025-26&employment_allowance=false", None)
        .await
        .json();
    assert_eq!(without["hourly_total"], "17.10");

    let next_year = app.get("/api/v1/tools/pa-cost?hourly_pay=12.71&hours_per_week=8&tax_year=2026-27&employment_allowance=false", None).await.json();
    assert_eq!(next_year["annual_total"], "6214.37");

    let problem = app
        .get(
            "/api/v1/tools/pa-cost?hourly_pay=abc&hours_per_week=0&tax_year=1999-00",
            None,
        )
        .await
        .problem(422);
    for field in ["hourly_pay", "hours_per_week", "tax_year"] {
        assert!(problem["errors"][field].is_array(), "{field}");
    }
}

#[actix_web::test]
async fn sellers_keep_a_public_profile() {
    let app = TestApp::spawn().await;
    let (provider_id, provider) = app.account("agency@example.org", "provider").await;
    let (pa_id, pa) = app.account("pa@example.org", "personal_assistant").await;
    let (holder_id, holder) = app.account("holder@example.org", "budget_holder").await;

    let saved = app
        .send(Method::PUT, "/api/v1/sellers/me", Some(&provider), Some(json!({
            "description": "Home care across south Manchester.", "address": "1 Wilmslow Road", "postcode": "M14 5AB",
            "phone": "0161 234 5678", "website": "https://agency.example.org", "cqc_provider_id": "1-101669323",
            "holds_isf": true})))
        .await;
    assert_eq!(saved.status, StatusCode::OK, "{}", saved.text);
    let mut listing = evening_pa();
    listing["category"] = json!("personal_care");
    listing.as_object_mut().unwrap().remove("employment");
    app.post("/api/v1/listings", Some(&provider), listing.clone())
        .await;
    listing["status"] = json!("paused");
    app.post("/api/v1/listings", Some(&provider), listing).await;

    let public = app
        .get(&format!("/api/v1/sellers/{provider_id}"), None)
        .await
        .json();
    assert_eq!(public["kind"], "provider");
    assert_eq!(public["holds_isf"], true);
    assert_eq!(public["cqc_provider_id"], "1-101669323");
    assert_eq!(public["live_listings"], 1, "paused listings are not live");

    let refused = app
        .send(
            Method::PUT,
            "/api/v1/sellers/me",
            Some(&pa),
            Some(json!({"cqc_provider_id": "1-101669323", "skills": ["Cooking"]})),
        )
        .await
        .problem(422);
    assert!(refused["errors"]["cqc_provider_id"].is_array());
    let pa_profile = app
        .send(Method::PUT, "/api/v1/sellers/me", Some(&pa), Some(json!({"skills": ["Cooking", "Hoisting"], "dbs_checked_on": "2025-09-30", "languages": ["ur"]})))
        .await
        .json();
    assert_eq!(pa_profile["skills"], json!(["Cooking", "Hoisting"]));
    assert_eq!(
        app.get(&format!("/api/v1/sellers/{pa_id}"), None)
            .await
            .json()["dbs_checked_on"],
        "2025-09-30"
    );

    app.send(
        Method::PUT,
        "/api/v1/sellers/me",
        Some(&holder),
        Some(json!({})),
    )
    .await
    .problem(403);
    app.get(&format!("/api/v1/sellers/{holder_id}"), None)
        .await
        .problem(404);
}

#[actix_web::test]
async fn listing_lists_are_paginated_and_need_an_owner() {
    let app = TestApp::spawn().await;
    let (_, token) = app.account("pa@example.org", "personal_assistant").await;
    for _ in 0..3 {
        app.post("/api/v1/listings", Some(&token), evening_pa())
            .await;
    }
    let page = app
        .get("/api/v1/listings?owner=me&per_page=2&page=2", Some(&token))
        .await
        .json();
    assert_eq!(page["total"], 3);
    assert_eq!(page["items"].as_array().unwrap().len(), 1);
    app.get("/api/v1/listings", None).await.problem(422);
    app.get("/api/v1/listings?owner=me", None)
        .await
        .problem(401);
    let vocab = app.get("/api/v1/vocabularies", None).await.json();
    assert_eq!(vocab["categories"].as_array().unwrap().len(), 21);
}
