//! Support requests and tailored offers through the API: a holder asks,
//! matching sellers (and only they) see what the request shares, two sellers
//! offer, the holder compares and accepts one into a commission, the other is
//! declined, and everyone is told.

use crate::common;
use bespoke::domain::ids::AccountId;

use actix_web::http::{Method, StatusCode};
use chrono::{Duration, Utc};
use common::TestApp;
use serde_json::{json, Value};

pub(crate) struct Market {
    pub(crate) app: TestApp,
    pub(crate) holder: String,
    pub(crate) officer: String,
    pub(crate) plan_id: i64,
    pub(crate) outcome_id: i64,
    /// A personal assistant serving M14 and M15, told of requests at once.
    pub(crate) fatima: (i64, String),
    /// A provider serving M14, on the default daily digest.
    pub(crate) care_co: (i64, String),
    /// A seller whose listings do not fit: the wrong district, or the wrong category.
    pub(crate) elsewhere: (i64, String),
}

pub(crate) fn day(from_today: i64) -> String {
    (Utc::now().date_naive() + Duration::days(from_today)).to_string()
}

pub(crate) async fn listing(
    app: &TestApp,
    token: &str,
    category: &str,
    areas: Value,
    postcode: &str,
) {
    let reply = app
        .post(
            "/api/v1/listings",
            Some(token),
            json!({"title": "Support in the evenings", "category": category,
                   "price": {"amount": "15.00", "unit": "hour"},
                   "postcode": postcode, "areas": areas}),
        )
        .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text);
}

/// An approved plan with £`budget` as a direct payment and £1000 council-managed.
pub(crate) async fn market(budget: &str) -> Market {
    let app = TestApp::spawn().await;
    let (holder_id, holder) = app.account("amina@example.org", "budget_holder").await;
    let me = app
        .send(
            Method::PATCH,
            "/api/v1/me",
            Some(&holder),
            Some(json!({"name": "Amina Khan", "postcode": "M14 5AB"})),
        )
        .await;
    assert_eq!(me.status, StatusCode::OK, "{}", me.text);
    let (_, officer) = app.commissioner("officer@council.example").await;
    let plan = app
        .approved_plan(
            (holder_id, &holder),
            &officer,
            json!([{"mode": "direct_payment", "amount": budget},
                   {"mode": "council_managed", "amount": "1000.00"}]),
        )
        .await;
    let plan_id = plan["id"].as_i64().unwrap();
    let outcome_id = plan["outcomes"][0]["id"].as_i64().unwrap();

    let fatima = app
        .account("fatima@example.org", "personal_assistant")
        .await;
    listing(
        &app,
        &fatima.1,
        "personal_assistant",
        json!(["M15"]),
        "M14 5AB",
    )
    .await;
    let alerts = app
        .send(
            Method::PUT,
            "/api/v1/sellers/me/request-alerts",
            Some(&fatima.1),
            Some(json!({"frequency": "immediate"})),
        )
        .await;
    assert_eq!(alerts.status, StatusCode::OK, "{}", alerts.text);
    let care_co = app.account("care@example.org", "provider").await;
    listing(&app, &care_co.1, "personal_assistant", json!([]), "M14 6XY").await;
    let elsewhere = app.account("far@example.org", "provider").await;
    listing(
        &app,
        &elsewhere.1,
        "personal_assistant",
        json!([]),
        "LS1 4AP",
    )
    .await;
    listing(&app, &elsewhere.1, "home_help", json!([]), "M14 7ZZ").await;
    Market {
        app,
        holder,
        officer,
        plan_id,
        outcome_id,
        fatima,
        care_co,
        elsewhere,
    }
}

impl Market {
    pub(crate) fn request_body(&self) -> Value {
        json!({"plan_id": self.plan_id, "category": "personal_assistant", "areas": ["M14"],
               "availability": ["weekday_evening"], "quantity": "10", "per": "week",
               "start_date": day(7), "end_date": day(34), "outcome_id": self.outcome_id,
               "languages": ["ur"], "max_price": "16.00",
               "details": "Evening support after work; Urdu spoken at home."})
    }

    pub(crate) async fn post_request(&self) -> i64 {
        let reply = self
            .app
            .post("/api/v1/requests", Some(&self.holder), self.request_body())
            .await;
        assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text);
        let body = reply.json();
        assert_eq!(body["status"], "open");
        assert_eq!(body["offers"], 0);
        assert_eq!(body["plan_id"], self.plan_id);
        body["id"].as_i64().unwrap()
    }

    pub(crate) async fn offer(&self, seller: &str, request_id: i64, body: Value) -> common::Reply {
        self.app
            .post(
                &format!("/api/v1/requests/{request_id}/offers"),
                Some(seller),
                body,
            )
            .await
    }

    /// A plain offer at £15.00 an hour; panics unless it is made.
    pub(crate) async fn happy_offer(&self, seller: &str, request_id: i64) -> Value {
        let reply = self
            .offer(
                seller,
                request_id,
                json!({"price": {"amount": "15.00"}, "message": "Happy to help."}),
            )
            .await;
        assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text);
        reply.json()
    }

    pub(crate) fn mail_to(
        &self,
        account_id: i64,
        kind: &str,
    ) -> Vec<bespoke::store::mail::MailRow> {
        bespoke::store::mail::recent(&mut self.app.db(), 1000)
            .unwrap()
            .into_iter()
            .filter(|m| m.to_account_id == Some(AccountId(account_id)) && m.kind == kind)
            .collect()
    }
}

#[actix_web::test]
async fn a_holder_compares_two_offers_and_accepts_one_into_a_commission() {
    let m = market("5000.00").await;
    let request_id = m.post_request().await;

    // Fatima asked to hear at once; Care Co waits for the daily digest.
    assert_eq!(m.mail_to(m.fatima.0, "request_posted").len(), 1);
    assert!(m.mail_to(m.care_co.0, "request_posted").is_empty());
    assert!(m.mail_to(m.elsewhere.0, "request_posted").is_empty());

    // Sellers whose listings fit see the request, and only what it shares.
    let seen = m.app.get("/api/v1/requests", Some(&m.fatima.1)).await;
    assert_eq!(seen.status, StatusCode::OK, "{}", seen.text);
    let items = seen.json()["items"].as_array().unwrap().clone();
    assert_eq!(items.len(), 1);
    let shared = &items[0];
    assert_eq!(shared["id"], request_id);
    assert_eq!(shared["areas"], json!(["M14"]));
    assert_eq!(shared["languages"], json!(["ur"]));
    assert_eq!(shared["outcome_domain"], "community_life");
    for private in ["plan_id", "outcome_id", "requested_by", "acting_as"] {
        assert!(shared.get(private).is_none(), "{private} shown to a seller");
    }
    let text = shared.to_string();
    for secret in ["Amina", "amina@example.org", "M14 5AB", "mosque", "sister"] {
        assert!(!text.contains(secret), "{secret} shown to a seller: {text}");
    }
    let one = m
        .app
        .get(
            &format!("/api/v1/requests/{request_id}"),
            Some(&m.care_co.1),
        )
        .await;
    assert_eq!(one.status, StatusCode::OK);
    assert!(one.json().get("plan_id").is_none());

    // A seller whose listings do not fit sees nothing of it.
    let none = m.app.get("/api/v1/requests", Some(&m.elsewhere.1)).await;
    assert_eq!(none.json()["total"], 0, "{}", none.text);
    let hidden = m
        .app
        .get(
            &format!("/api/v1/requests/{request_id}"),
            Some(&m.elsewhere.1),
        )
        .await;
    hidden.problem(404);
    let refused = m
        .offer(
            &m.elsewhere.1,
            request_id,
            json!({"price": {"amount": "9.00"}, "message": "Hello"}),
        )
        .await;
    refused.problem(404);

    // Two offers, priced with the cost engine over the request's four weeks.
    let fatima_offer = m
        .offer(
            &m.fatima.1,
            request_id,
            json!({"price": {"amount": "15.00", "unit": "hour"},
                   "fees": [{"kind": "setup", "label": "Introduction", "amount": "40.00", "per": "one_off"}],
                   "schedule": "Monday to Friday, 6pm to 8pm",
                   "message": "I live nearby and speak Urdu.", "valid_until": day(20)}),
        )
        .await;
    assert_eq!(
        fatima_offer.status,
        StatusCode::CREATED,
        "{}",
        fatima_offer.text
    );
    let fatima_offer = fatima_offer.json();
    assert_eq!(fatima_offer["status"], "open");
    assert_eq!(fatima_offer["cost"]["weekly"], "150.00");
    assert_eq!(fatima_offer["cost"]["total"], "640.00");
    let fatima_offer_id = fatima_offer["id"].as_i64().unwrap();
    let again = m
        .offer(
            &m.fatima.1,
            request_id,
            json!({"price": {"amount": "14.00"}, "message": "Again"}),
        )
        .await;
    assert_eq!(
        again.problem(409)["type"],
        "https://bespoke.example/problems/offer-exists"
    );

    let care_offer = m
        .offer(
            &m.care_co.1,
            request_id,
            json!({"price": {"amount": "140.00", "unit": "week"},
                   "message": "Our evening team can start on the day you asked."}),
        )
        .await;
    assert_eq!(
        care_offer.status,
        StatusCode::CREATED,
        "{}",
        care_offer.text
    );
    let care_offer = care_offer.json();
    assert_eq!(care_offer["cost"]["total"], "560.00");
    let care_offer_id = care_offer["id"].as_i64().unwrap();

    // The holder is told of each offer and compares them side by side.
    let holder_id = m.app.get("/api/v1/me", Some(&m.holder)).await.json()["id"]
        .as_i64()
        .unwrap();
    assert_eq!(m.mail_to(holder_id, "offer_received").len(), 2);
    let compared = m
        .app
        .get(
            &format!("/api/v1/requests/{request_id}/offers"),
            Some(&m.holder),
        )
        .await;
    assert_eq!(compared.status, StatusCode::OK, "{}", compared.text);
    let compared = compared.json();
    assert_eq!(compared["total"], 2);
    let first = &compared["items"][0];
    assert_eq!(first["seller"]["id"], m.fatima.0);
    assert_eq!(first["portions"][0]["available"], "5000.00");
    assert_eq!(first["portions"][0]["left_after"], "4360.00");
    assert_eq!(first["portions"][0]["fits"], true);
    let request = m
        .app
        .get(&format!("/api/v1/requests/{request_id}"), Some(&m.holder))
        .await
        .json();
    assert_eq!(request["offers"], 2);

    // Each seller sees only their own offer.
    let own = m
        .app
        .get(
            &format!("/api/v1/requests/{request_id}/offers"),
            Some(&m.care_co.1),
        )
        .await
        .json();
    assert_eq!(own["total"], 1);
    assert_eq!(own["items"][0]["id"], care_offer_id);
    m.app
        .get(
            &format!("/api/v1/offers/{fatima_offer_id}"),
            Some(&m.care_co.1),
        )
        .await
        .problem(404);

    // Fatima revises her price before it is accepted: 14 × 10 × 4 + 40.
    let revised = m
        .app
        .send(
            Method::PATCH,
            &format!("/api/v1/offers/{fatima_offer_id}"),
            Some(&m.fatima.1),
            Some(json!({"price": {"amount": "14.00"}})),
        )
        .await;
    assert_eq!(revised.status, StatusCode::OK, "{}", revised.text);
    assert_eq!(revised.json()["cost"]["total"], "600.00");
    assert_eq!(revised.json()["message"], "I live nearby and speak Urdu.");

    // Only the holder's side accepts.
    m.app
        .post(
            &format!("/api/v1/offers/{fatima_offer_id}/accept"),
            Some(&m.fatima.1),
            json!({"portion": "direct_payment"}),
        )
        .await
        .problem(403);
    let accepted = m
        .app
        .post(
            &format!("/api/v1/offers/{fatima_offer_id}/accept"),
            Some(&m.holder),
            json!({"portion": "direct_payment"}),
        )
        .await;
    assert_eq!(accepted.status, StatusCode::CREATED, "{}", accepted.text);
    let accepted = accepted.json();
    let commission = &accepted["commission"];
    assert_eq!(commission["status"], "accepted");
    assert_eq!(commission["cost"]["total"], "600.00");
    assert_eq!(commission["offer_id"], fatima_offer_id);
    assert_eq!(commission["seller_id"], m.fatima.0);

    let plan = m
        .app
        .get(&format!("/api/v1/plans/{}", m.plan_id), Some(&m.holder))
        .await
        .json();
    assert_eq!(plan["portions"][0]["committed"], "600.00");
    assert_eq!(plan["portions"][0]["available"], "4400.00");

    // The request is filled, the other offer declined, and both sellers told.
    let request = m
        .app
        .get(&format!("/api/v1/requests/{request_id}"), Some(&m.holder))
        .await
        .json();
    assert_eq!(request["status"], "filled");
    let declined = m
        .app
        .get(
            &format!("/api/v1/offers/{care_offer_id}"),
            Some(&m.care_co.1),
        )
        .await
        .json();
    assert_eq!(declined["status"], "declined");
    assert_eq!(m.mail_to(m.care_co.0, "offer_declined").len(), 1);
    assert_eq!(m.mail_to(m.fatima.0, "offer_accepted").len(), 1);
    m.app
        .post(
            &format!("/api/v1/offers/{care_offer_id}/accept"),
            Some(&m.holder),
            json!({"portion": "direct_payment"}),
        )
        .await
        .problem(409);
    m.app
        .send(
            Method::PATCH,
            &format!("/api/v1/offers/{fatima_offer_id}"),
            Some(&m.fatima.1),
            Some(json!({"price": {"amount": "20.00"}})),
        )
        .await
        .problem(409);
    // The seller finds the accepted commission in their list, already accepted.
    let theirs = m
        .app
        .get("/api/v1/commissions", Some(&m.fatima.1))
        .await
        .json();
    assert_eq!(theirs["items"][0]["status"], "accepted");
    m.app.verify_ledger();
}

#[actix_web::test]
async fn an_offer_the_portion_cannot_pay_for_is_refused_and_everything_stays_open() {
    let m = market("500.00").await;
    let request_id = m.post_request().await;
    let offer = m.happy_offer(&m.fatima.1, request_id).await;
    let offer_id = offer["id"].as_i64().unwrap();
    let refused = m
        .app
        .post(
            &format!("/api/v1/offers/{offer_id}/accept"),
            Some(&m.holder),
            json!({"portion": "direct_payment"}),
        )
        .await;
    let problem = refused.problem(409);
    assert_eq!(
        problem["type"],
        "https://bespoke.example/problems/budget-exceeded"
    );
    assert_eq!(problem["available"], "500.00");
    assert_eq!(problem["requested"], "600.00");
    let request = m
        .app
        .get(&format!("/api/v1/requests/{request_id}"), Some(&m.holder))
        .await
        .json();
    assert_eq!(request["status"], "open");
    let offer = m
        .app
        .get(&format!("/api/v1/offers/{offer_id}"), Some(&m.holder))
        .await
        .json();
    assert_eq!(offer["status"], "open");
    assert_eq!(offer["portions"][0]["fits"], false);
    // Without a portion the answer says which field is missing.
    let missing = m
        .app
        .post(
            &format!("/api/v1/offers/{offer_id}/accept"),
            Some(&m.holder),
            json!({}),
        )
        .await;
    assert!(missing.problem(422)["errors"]["portion"].is_array());
    m.app.verify_ledger();
}

#[actix_web::test]
async fn two_offers_accepted_at_once_fill_the_request_once() {
    let m = market("5000.00").await;
    let request_id = m.post_request().await;
    let mut offer_ids = Vec::new();
    for seller in [&m.fatima.1, &m.care_co.1] {
        let offer = m
            .offer(
                seller,
                request_id,
                json!({"price": {"amount": "15.00"}, "message": "Happy to help."}),
            )
            .await;
        assert_eq!(offer.status, StatusCode::CREATED, "{}", offer.text);
        offer_ids.push(offer.json()["id"].as_i64().unwrap());
    }
    let paths: Vec<String> = offer_ids
        .iter()
        .map(|id| format!("/api/v1/offers/{id}/accept"))
        .collect();
    let accepts = paths.iter().map(|path| {
        m.app
            .post(path, Some(&m.holder), json!({"portion": "direct_payment"}))
    });
    let replies = futures_util::future::join_all(accepts).await;
    let statuses: Vec<u16> = replies.iter().map(|r| r.status.as_u16()).collect();
    assert_eq!(
        statuses.iter().filter(|s| **s == 201).count(),
        1,
        "{statuses:?}"
    );
    assert_eq!(
        statuses.iter().filter(|s| **s == 409).count(),
        1,
        "{statuses:?}"
    );
    let plan = m
        .app
        .get(&format!("/api/v1/plans/{}", m.plan_id), Some(&m.holder))
        .await
        .json();
    assert_eq!(plan["portions"][0]["committed"], "600.00");
    m.app.verify_ledger();
}

#[actix_web::test]
async fn sellers_on_the_daily_digest_hear_of_new_requests_once() {
    let m = market("5000.00").await;
    let request_id = m.post_request().await;
    let later = Utc::now() + Duration::hours(25);
    let sent = bespoke::services::requests::send_digests(&mut m.app.db(), later).unwrap();
    assert!(sent >= 1);
    let digests = m.mail_to(m.care_co.0, "request_digest");
    assert_eq!(digests.len(), 1);
    assert!(
        digests[0]
            .text_body
            .contains(&format!("request {request_id}")),
        "{}",
        digests[0].text_body
    );
    // Fatima heard at once and gets no digest; the unmatched seller gets none.
    assert!(m.mail_to(m.fatima.0, "request_digest").is_empty());
    assert!(m.mail_to(m.elsewhere.0, "request_digest").is_empty());
    // Nothing new: no second digest, even a day later.
    bespoke::services::requests::send_digests(&mut m.app.db(), later).unwrap();
    bespoke::services::requests::send_digests(&mut m.app.db(), later + Duration::hours(25))
        .unwrap();
    assert_eq!(m.mail_to(m.care_co.0, "request_digest").len(), 1);
}
