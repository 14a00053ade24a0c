//! Support requests at their limits: withdrawn and expired requests, bad
//! requests and offers refused with reasons, what reaches the council, and a
//! broker asking only for a client who consented. The market they share is
//! built in `requests_api`.

use crate::requests_api::{day, market};

use actix_web::http::{Method, StatusCode};
use chrono::{Duration, Utc};
use serde_json::{json, Value};

#[actix_web::test]
async fn a_withdrawn_or_expired_request_takes_no_more_offers() {
    let m = market("5000.00").await;
    let request_id = m.post_request().await;
    let offer = m.happy_offer(&m.fatima.1, request_id).await;
    // Sellers cannot withdraw the holder's request.
    m.app
        .post(
            &format!("/api/v1/requests/{request_id}/withdraw"),
            Some(&m.fatima.1),
            json!({}),
        )
        .await
        .problem(403);
    let withdrawn = m
        .app
        .post(
            &format!("/api/v1/requests/{request_id}/withdraw"),
            Some(&m.holder),
            json!({}),
        )
        .await;
    assert_eq!(withdrawn.status, StatusCode::OK, "{}", withdrawn.text);
    assert_eq!(withdrawn.json()["status"], "withdrawn");
    let offer = m
        .app
        .get(
            &format!("/api/v1/offers/{}", offer["id"]),
            Some(&m.fatima.1),
        )
        .await
        .json();
    assert_eq!(offer["status"], "declined");
    assert_eq!(m.mail_to(m.fatima.0, "offer_declined").len(), 1);
    let late = m
        .offer(
            &m.care_co.1,
            request_id,
            json!({"price": {"amount": "15.00"}, "message": "Hello"}),
        )
        .await;
    assert_eq!(
        late.problem(409)["type"],
        "https://bespoke.example/problems/request-closed"
    );

    // A request past its last day shows as expired and takes no offers.
    let second = m.post_request().await;
    diesel::RunQueryDsl::execute(
        diesel::sql_query(format!(
            "UPDATE support_requests SET expires_on = '{}' WHERE id = {second}",
            day(-1)
        )),
        &mut *m.app.db(),
    )
    .unwrap();
    let expired = m
        .app
        .get(&format!("/api/v1/requests/{second}"), Some(&m.holder))
        .await
        .json();
    assert_eq!(expired["status"], "expired");
    m.offer(
        &m.care_co.1,
        second,
        json!({"price": {"amount": "15.00"}, "message": "Hello"}),
    )
    .await
    .problem(409);
    // Expired requests are not listed to sellers.
    let listed = m
        .app
        .get("/api/v1/requests", Some(&m.care_co.1))
        .await
        .json();
    assert_eq!(listed["total"], 0, "{listed}");
}

#[actix_web::test]
async fn bad_requests_and_offers_are_refused_with_reasons() {
    let m = market("5000.00").await;
    let bad = m
        .app
        .post(
            "/api/v1/requests",
            Some(&m.holder),
            json!({"plan_id": m.plan_id, "category": "unicorns", "areas": ["ZZ99"],
                   "quantity": "500", "start_date": day(7), "end_date": day(1)}),
        )
        .await;
    let errors = bad.problem(422)["errors"].clone();
    for field in ["category", "areas[0]", "quantity", "end_date"] {
        assert!(errors.get(field).is_some(), "{field}: {errors}");
    }
    // Sellers do not post requests; strangers do not see plans.
    let mut body = m.request_body();
    m.app
        .post("/api/v1/requests", Some(&m.fatima.1), body.clone())
        .await
        .problem(404);
    body["outcome_id"] = json!(999_999);
    let wrong_outcome = m.app.post("/api/v1/requests", Some(&m.holder), body).await;
    assert!(wrong_outcome.problem(422)["errors"]["outcome_id"].is_array());
    m.app
        .post("/api/v1/requests", None, m.request_body())
        .await
        .problem(401);

    let request_id = m.post_request().await;
    let bad_offer = m
        .offer(
            &m.fatima.1,
            request_id,
            json!({"price": {"amount": "abc", "unit": "night"}, "start_date": day(100)}),
        )
        .await;
    let errors = bad_offer.problem(422)["errors"].clone();
    for field in ["price.amount", "price.unit", "start_date", "message"] {
        assert!(errors.get(field).is_some(), "{field}: {errors}");
    }
    // The holder cannot answer their own request.
    m.offer(
        &m.holder,
        request_id,
        json!({"price": {"amount": "15.00"}, "message": "Me"}),
    )
    .await
    .problem(403);
}

#[actix_web::test]
async fn unanswered_requests_and_offers_above_reference_rates_reach_the_council() {
    let m = market("5000.00").await;
    let rates = m
        .app
        .send(
            Method::PUT,
            "/api/v1/council/reference-rates",
            Some(&m.officer),
            Some(json!({"rates": [{"category": "personal_assistant", "unit": "hour", "amount": "14.00"}]})),
        )
        .await;
    assert_eq!(rates.status, StatusCode::OK, "{}", rates.text);
    assert_eq!(rates.json()["rates"][0]["amount"], "14.00");
    let bad = m
        .app
        .send(
            Method::PUT,
            "/api/v1/council/reference-rates",
            Some(&m.officer),
            Some(json!({"rates": [{"category": "cake", "unit": "hour", "amount": "-1"}]})),
        )
        .await;
    let errors = bad.problem(422)["errors"].clone();
    assert!(errors.get("rates[0].category").is_some(), "{errors}");
    assert!(errors.get("rates[0].amount").is_some(), "{errors}");
    m.app
        .send(
            Method::PUT,
            "/api/v1/council/reference-rates",
            Some(&m.holder),
            Some(json!({"rates": []})),
        )
        .await
        .problem(403);

    // One request posted ten days ago that nobody answered…
    let old = m.post_request().await;
    diesel::RunQueryDsl::execute(
        diesel::sql_query(format!(
            "UPDATE support_requests SET created_at = '{}' WHERE id = {old}",
            (Utc::now() - Duration::days(10))
                .naive_utc()
                .format("%Y-%m-%d %H:%M:%S")
        )),
        &mut *m.app.db(),
    )
    .unwrap();
    // …and a fresh one with an hourly offer above the reference rate and a weekly one.
    let fresh = m.post_request().await;
    let offered = m
        .offer(
            &m.fatima.1,
            fresh,
            json!({"price": {"amount": "15.00"}, "message": "Hello"}),
        )
        .await;
    assert_eq!(offered.status, StatusCode::CREATED, "{}", offered.text);
    m.offer(
        &m.care_co.1,
        fresh,
        json!({"price": {"amount": "140.00", "unit": "week"}, "message": "Hello"}),
    )
    .await;

    let evidence = m
        .app
        .get("/api/v1/council/request-evidence", Some(&m.officer))
        .await;
    assert_eq!(evidence.status, StatusCode::OK, "{}", evidence.text);
    let evidence = evidence.json();
    let row = &evidence["items"][0];
    assert_eq!(row["category"], "personal_assistant");
    assert_eq!(row["district"], "M14");
    assert_eq!(row["requests"], 2);
    assert_eq!(row["unanswered"], 1);
    assert_eq!(row["offers"], 2);
    assert_eq!(row["reference_rate"], "14.00");
    assert_eq!(row["offers_above_reference"], 1);
    assert_eq!(row["median_offer"], "15.00");
    let finding = evidence["findings"][0].as_str().unwrap();
    assert!(
        finding
            .contains("1 of 2 requests for personal assistant in M14 had no offer within 7 days"),
        "{finding}"
    );
    let csv = m
        .app
        .get(
            "/api/v1/council/request-evidence?format=csv",
            Some(&m.officer),
        )
        .await;
    assert!(csv.content_type().starts_with("text/csv"));
    let lines: Vec<&str> = csv.text.lines().collect();
    assert!(lines[0].starts_with("category,category_label,district,requests,unanswered"));
    assert_eq!(
        lines[1],
        "personal_assistant,Personal assistant,M14,2,1,2,14.00,hour,1,15.00"
    );
    // A period before anything was posted is empty; a nonsense period is refused.
    let empty = m
        .app
        .get(
            "/api/v1/council/request-evidence?from=2020-01-01&to=2020-01-31",
            Some(&m.officer),
        )
        .await
        .json();
    assert_eq!(empty["items"], json!([]));
    m.app
        .get(
            "/api/v1/council/request-evidence?from=2020-02-01&to=2020-01-01",
            Some(&m.officer),
        )
        .await
        .problem(422);
    m.app
        .get("/api/v1/council/request-evidence", Some(&m.fatima.1))
        .await
        .problem(403);
}

#[actix_web::test]
async fn a_broker_asks_for_support_only_for_a_client_who_consented() {
    let m = market("5000.00").await;
    let (broker_id, broker) = m.app.account("broker@example.org", "broker").await;
    let without = m
        .app
        .post("/api/v1/requests", Some(&broker), m.request_body())
        .await;
    without.problem(404);

    // Consent recorded as the holder's grant does (the brokers' pages and API come next).
    diesel::RunQueryDsl::execute(
        diesel::sql_query(format!(
            "INSERT INTO plan_brokers (plan_id, broker_id, granted_at) VALUES ({}, {broker_id}, '{}')",
            m.plan_id,
            Utc::now().naive_utc().format("%Y-%m-%d %H:%M:%S")
        )),
        &mut *m.app.db(),
    )
    .unwrap();
    let posted = m
        .app
        .post("/api/v1/requests", Some(&broker), m.request_body())
        .await;
    assert_eq!(posted.status, StatusCode::CREATED, "{}", posted.text);
    assert_eq!(posted.json()["acting_as"], "broker");
    assert_eq!(posted.json()["requested_by"], broker_id);
    let request_id = posted.json()["id"].as_i64().unwrap();
    let listed = m.app.get("/api/v1/requests", Some(&broker)).await.json();
    assert_eq!(listed["items"][0]["plan_id"], m.plan_id);
    // The holder sees who asked on their behalf.
    let seen = m
        .app
        .get(&format!("/api/v1/requests/{request_id}"), Some(&m.holder))
        .await
        .json();
    assert_eq!(seen["acting_as"], "broker");
    let offer = m.happy_offer(&m.fatima.1, request_id).await;
    // Both the holder and the broker hear of the offer.
    assert_eq!(m.mail_to(broker_id, "offer_received").len(), 1);

    // The broker cannot answer their own client's request from a listing of their own.
    let own = m
        .app
        .post(
            "/api/v1/listings",
            Some(&broker),
            json!({"title": "Evening support", "category": "personal_assistant",
                   "price": {"amount": "15.00", "unit": "hour"}, "postcode": "M14 5AB"}),
        )
        .await;
    if own.status == StatusCode::CREATED {
        let selling = m
            .offer(
                &broker,
                request_id,
                json!({"price": {"amount": "15.00"}, "message": "Me!"}),
            )
            .await;
        let problem = selling.problem(403);
        assert!(
            problem["detail"].as_str().unwrap().contains("council"),
            "{problem}"
        );
    }

    // Tied to Fatima, the broker names the alternatives before accepting her offer.
    let declared = m
        .app
        .post(
            "/api/v1/broker/affiliations",
            Some(&broker),
            json!({"provider_id": m.fatima.0, "nature": "family"}),
        )
        .await;
    assert_eq!(declared.status, StatusCode::CREATED, "{}", declared.text);
    let accept = |body: Value| {
        let app = &m.app;
        let path = format!("/api/v1/offers/{}/accept", offer["id"]);
        let broker = broker.clone();
        async move { app.post(&path, Some(&broker), body).await }
    };
    let bare = accept(json!({"portion": "direct_payment"})).await;
    assert!(bare.problem(422)["errors"]["alternatives_considered"].is_array());
    let care_listing: i64 = {
        use bespoke::store::schema::listings::dsl::*;
        use diesel::prelude::*;
        listings
            .filter(owner_id.eq(m.care_co.0))
            .select(id)
            .first(&mut *m.app.db())
            .unwrap()
    };
    // Made-up, repeated, or the tied seller's own listing: each is named.
    let offered_listing = offer["listing_id"].as_i64().unwrap();
    let wrong = accept(json!({"portion": "direct_payment",
                              "alternatives_considered": [999_999, offered_listing]}))
    .await;
    let errors = wrong.problem(422)["errors"].clone();
    assert!(errors["alternatives_considered[0]"].is_array(), "{errors}");
    assert!(errors["alternatives_considered[1]"].is_array(), "{errors}");
    let twice = accept(json!({"portion": "direct_payment",
                              "alternatives_considered": [care_listing, care_listing]}))
    .await;
    assert!(twice.problem(422)["errors"]["alternatives_considered[1]"].is_array());
    let accepted = accept(json!({"portion": "direct_payment",
                                 "alternatives_considered": [care_listing]}))
    .await;
    assert_eq!(accepted.status, StatusCode::CREATED, "{}", accepted.text);
    let commission = &accepted.json()["commission"];
    assert_eq!(commission["brokered_by"], broker_id);
    assert_eq!(commission["broker_affiliation"], "family");
    // The holder sees what was considered, by name, and is told by message.
    let seen = m
        .app
        .get(
            &format!("/api/v1/commissions/{}", commission["id"]),
            Some(&m.holder),
        )
        .await
        .json();
    let considered = seen["alternatives_considered"].as_array().unwrap();
    assert!(
        considered[0]
            .as_str()
            .unwrap()
            .contains(&format!("listing {care_listing}")),
        "{seen}"
    );
}
