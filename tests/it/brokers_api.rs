//! Brokers through the API: consent given and taken back by the holder and
//! enforced on every broker-facing call, the portfolio, declared interests,
//! and the alternatives a tied broker must record before buying.

use crate::common;
use bespoke::domain::ids::AccountId;

use actix_web::http::{Method, StatusCode};
use chrono::{Duration, Utc};
use common::TestApp;
use serde_json::{json, Value};

fn day(from_today: i64) -> String {
    (Utc::now().date_naive() + Duration::days(from_today)).to_string()
}

struct Setup {
    app: TestApp,
    holder: (i64, String),
    broker: (i64, String),
    plan_id: i64,
}

async fn listing(app: &TestApp, token: &str, category: &str) -> i64 {
    let reply = app
        .post(
            "/api/v1/listings",
            Some(token),
            json!({"title": "Support in Moss Side", "category": category,
                   "price": {"amount": "15.00", "unit": "hour"}, "postcode": "M14 5AB"}),
        )
        .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text);
    reply.json()["id"].as_i64().unwrap()
}

async fn setup() -> Setup {
    let app = TestApp::spawn().await;
    let holder = app.account("amina@example.org", "budget_holder").await;
    let broker = app.account("broker@example.org", "broker").await;
    let (_, officer) = app.commissioner("officer@council.example").await;
    let plan = app
        .approved_plan(
            (holder.0, &holder.1),
            &officer,
            json!([{"mode": "direct_payment", "amount": "5000.00"}]),
        )
        .await;
    let plan_id = plan["id"].as_i64().unwrap();
    Setup {
        app,
        holder,
        broker,
        plan_id,
    }
}

impl Setup {
    async fn grant(&self) -> common::Reply {
        self.app
            .post(
                &format!("/api/v1/plans/{}/brokers", self.plan_id),
                Some(&self.holder.1),
                json!({"broker_id": self.broker.0}),
            )
            .await
    }

    fn order(&self, listing_id: i64, alternatives: Value) -> Value {
        json!({"listing_id": listing_id, "portion": "direct_payment", "quantity": "2",
               "start_date": day(7), "end_date": day(34), "alternatives_considered": alternatives})
    }

    /// Every broker-facing call on the plan, and the status it answered.
    async fn broker_calls(&self, listing_id: i64) -> Vec<(String, u16)> {
        let plan = format!("/api/v1/plans/{}", self.plan_id);
        let token = Some(self.broker.1.as_str());
        let mut answers = Vec::new();
        let get = self.app.get(&plan, token).await;
        answers.push((format!("GET {plan}"), get.status.as_u16()));
        let ratings = self
            .app
            .get(&format!("{plan}/outcome-ratings"), token)
            .await;
        answers.push(("GET outcome-ratings".into(), ratings.status.as_u16()));
        let assessment = self
            .app
            .get(
                &format!("/api/v1/self-assessment?holder_id={}", self.holder.0),
                token,
            )
            .await;
        answers.push(("GET self-assessment".into(), assessment.status.as_u16()));
        let commission = self
            .app
            .post(
                &format!("{plan}/commissions"),
                token,
                self.order(listing_id, json!([])),
            )
            .await;
        answers.push(("POST commissions".into(), commission.status.as_u16()));
        let request = self
            .app
            .post(
                "/api/v1/requests",
                token,
                json!({"plan_id": self.plan_id, "category": "personal_assistant",
                       "areas": ["M14"], "quantity": "2", "start_date": day(7), "end_date": day(34)}),
            )
            .await;
        answers.push(("POST requests".into(), request.status.as_u16()));
        let history = self.app.get(&format!("{plan}/events"), token).await;
        answers.push(("GET events".into(), history.status.as_u16()));
        let patch = self
            .app
            .send(
                Method::PATCH,
                &plan,
                token,
                Some(json!({"outcomes": [{"title": "More", "domain": "home"}]})),
            )
            .await;
        // An approved plan cannot be edited: a broker with access is told so (409).
        answers.push(("PATCH plan".into(), patch.status.as_u16()));
        let rating = self
            .app
            .post(
                &format!("{plan}/outcome-ratings"),
                token,
                json!({"stage": "review", "ratings": {"home": 4}}),
            )
            .await;
        answers.push(("POST outcome-ratings".into(), rating.status.as_u16()));
        let assess = self
            .app
            .send(
                Method::PUT,
                "/api/v1/self-assessment",
                token,
                Some(json!({"holder_id": self.holder.0, "answers": {}})),
            )
            .await;
        // Incomplete answers: 422 with access, 404 without.
        answers.push(("PUT self-assessment".into(), assess.status.as_u16()));
        let requests = self.app.get("/api/v1/requests", token).await.json();
        answers.push((
            "GET requests lists the plan's".into(),
            if requests["items"]
                .as_array()
                .unwrap()
                .iter()
                .any(|r| r["plan_id"] == self.plan_id)
            {
                200
            } else {
                404
            },
        ));
        let submit = self
            .app
            .post(&format!("{plan}/submit"), token, json!({}))
            .await;
        // Already approved: a broker with access is told so (409).
        answers.push(("POST submit".into(), submit.status.as_u16()));
        let moved = self
            .app
            .post(
                &format!("{plan}/moves"),
                token,
                json!({"from_line": 1, "to_line": 2, "amount": "1.00"}),
            )
            .await;
        // No such planned lines: 422 with access.
        answers.push(("POST moves".into(), moved.status.as_u16()));
        let commissions = self.app.get("/api/v1/commissions", token).await.json();
        answers.push((
            "GET commissions lists the plan's".into(),
            if commissions["items"]
                .as_array()
                .unwrap()
                .iter()
                .any(|c| c["plan_id"] == self.plan_id)
            {
                200
            } else {
                404
            },
        ));
        let clients = self.app.get("/api/v1/broker/clients", token).await.json();
        answers.push((
            "portfolio lists the plan".into(),
            if clients["items"]
                .as_array()
                .unwrap()
                .iter()
                .any(|c| c["plan"]["id"] == self.plan_id)
            {
                200
            } else {
                404
            },
        ));
        answers
    }
}

#[actix_web::test]
async fn consent_opens_every_broker_call_and_revoking_it_closes_them_at_once() {
    let s = setup().await;
    let (_, seller) = s.app.account("pa@example.org", "personal_assistant").await;
    let listing_id = listing(&s.app, &seller, "personal_assistant").await;

    for (call, status) in s.broker_calls(listing_id).await {
        assert_eq!(status, 404, "without consent: {call}");
    }
    // Only the holder's side grants, and only to a broker.
    s.app
        .post(
            &format!("/api/v1/plans/{}/brokers", s.plan_id),
            Some(&seller),
            json!({"broker_id": s.broker.0}),
        )
        .await
        .problem(404);
    let not_broker = s
        .app
        .post(
            &format!("/api/v1/plans/{}/brokers", s.plan_id),
            Some(&s.holder.1),
            json!({"broker_id": s.holder.0}),
        )
        .await;
    assert!(not_broker.problem(422)["errors"]["broker_id"].is_array());

    let granted = s.grant().await;
    assert_eq!(granted.status, StatusCode::OK, "{}", granted.text);
    for (call, status) in s.broker_calls(listing_id).await {
        let expected: &[u16] = match call.as_str() {
            "PATCH plan" | "POST submit" => &[409],
            "POST moves" => &[409, 422],
            "PUT self-assessment" => &[422],
            _ => &[200, 201],
        };
        assert!(
            expected.contains(&status),
            "with consent: {call} answered {status}"
        );
    }
    // The broker cannot hand the plan on, or take the holder's place.
    s.app
        .post(
            &format!("/api/v1/plans/{}/brokers", s.plan_id),
            Some(&s.broker.1),
            json!({"broker_id": s.broker.0}),
        )
        .await
        .problem(403);

    // The portfolio shows the client's position and what needs attention.
    let clients = s
        .app
        .get("/api/v1/broker/clients", Some(&s.broker.1))
        .await
        .json();
    let client = &clients["items"][0];
    assert_eq!(client["holder"]["id"], s.holder.0);
    assert_eq!(client["plan"]["budget"], "5000.00");
    assert_eq!(client["plan"]["committed"], "120.00");
    let attention = client["attention"].to_string();
    assert!(attention.contains("not yet answered"), "{attention}");
    assert!(attention.contains("has no offers yet"), "{attention}");
    assert_eq!(client["fees_earned"], "0.00");

    // The holder sees the broker's commission, is told of it, and can cancel it.
    let commissions = s
        .app
        .get("/api/v1/commissions", Some(&s.holder.1))
        .await
        .json();
    let brokered = &commissions["items"][0];
    assert_eq!(brokered["brokered_by"], s.broker.0);
    let told = bespoke::store::mail::recent(&mut s.app.db(), 100)
        .unwrap()
        .into_iter()
        .filter(|m| {
            m.to_account_id == Some(AccountId(s.holder.0)) && m.kind == "commission_brokered"
        })
        .count();
    assert_eq!(told, 1);
    let cancelled = s
        .app
        .post(
            &format!("/api/v1/commissions/{}/cancel", brokered["id"]),
            Some(&s.holder.1),
            json!({"reason": "I did not ask for this"}),
        )
        .await;
    assert_eq!(cancelled.status, StatusCode::OK, "{}", cancelled.text);

    let revoked = s
        .app
        .send(
            Method::DELETE,
            &format!("/api/v1/plans/{}/brokers/{}", s.plan_id, s.broker.0),
            Some(&s.holder.1),
            None,
        )
        .await;
    assert_eq!(revoked.status, StatusCode::OK, "{}", revoked.text);
    for (call, status) in s.broker_calls(listing_id).await {
        assert_eq!(status, 404, "after revoking: {call}");
    }
    // Both acts are in the plan's history.
    let events: Vec<String> = {
        use bespoke::store::schema::plan_events::dsl::*;
        use diesel::prelude::*;
        plan_events
            .filter(plan_id.eq(s.plan_id))
            .select(action)
            .load(&mut *s.app.db())
            .unwrap()
    };
    assert!(
        events.contains(&"broker given access".to_owned()),
        "{events:?}"
    );
    assert!(
        events.contains(&"broker access taken back".to_owned()),
        "{events:?}"
    );
    s.app.verify_ledger();
}

#[actix_web::test]
async fn a_tied_broker_must_name_the_alternatives_the_market_offers() {
    let s = setup().await;
    s.grant().await;
    let (provider_id, provider) = s.app.account("tied@example.org", "provider").await;
    let tied_listing = listing(&s.app, &provider, "personal_care").await;

    // Declared interests are named and listed.
    let bad = s
        .app
        .post(
            "/api/v1/broker/affiliations",
            Some(&s.broker.1),
            json!({"provider_id": provider_id, "nature": "cousin"}),
        )
        .await;
    assert!(bad.problem(422)["errors"]["nature"].is_array());
    let declared = s
        .app
        .post(
            "/api/v1/broker/affiliations",
            Some(&s.broker.1),
            json!({"provider_id": provider_id, "nature": "owner"}),
        )
        .await;
    assert_eq!(declared.status, StatusCode::CREATED, "{}", declared.text);
    let listed = s
        .app
        .get("/api/v1/broker/affiliations", Some(&s.broker.1))
        .await
        .json();
    assert_eq!(listed["items"][0]["provider_id"], provider_id);
    assert_eq!(listed["items"][0]["nature"], "owner");
    s.app
        .get("/api/v1/broker/affiliations", Some(&s.holder.1))
        .await
        .problem(403);

    // With no other seller in the market, no alternatives can be asked for.
    let plan = format!("/api/v1/plans/{}/commissions", s.plan_id);
    let alone = s
        .app
        .post(&plan, Some(&s.broker.1), s.order(tied_listing, json!([])))
        .await;
    assert_eq!(alone.status, StatusCode::CREATED, "{}", alone.text);
    assert_eq!(alone.json()["broker_affiliation"], "owner");

    // Three other sellers serve the district: three alternatives are needed,
    // each another live listing of the kind, named once.
    let mut others = Vec::new();
    for i in 0..3 {
        let (_, other) = s
            .app
            .account(&format!("other{i}@example.org"), "provider")
            .await;
        others.push(listing(&s.app, &other, "personal_care").await);
    }
    let too_few = s
        .app
        .post(
            &plan,
            Some(&s.broker.1),
            s.order(tied_listing, json!([others[0], others[1]])),
        )
        .await;
    let problem = too_few.problem(422);
    let message = problem["errors"]["alternatives_considered"][0]
        .as_str()
        .unwrap();
    assert!(message.contains("at least 3"), "{message}");
    // The same listing three times is one alternative, not three.
    let repeated = s
        .app
        .post(
            &plan,
            Some(&s.broker.1),
            s.order(tied_listing, json!([others[0], others[0], others[0]])),
        )
        .await;
    assert!(repeated.problem(422)["errors"]["alternatives_considered[1]"].is_array());
    // Words are not listings: the body does not fit the contract.
    let words = s
        .app
        .post(
            &plan,
            Some(&s.broker.1),
            s.order(tied_listing, json!(["x", "x", "x"])),
        )
        .await;
    words.problem(400);
    let enough = s
        .app
        .post(
            &plan,
            Some(&s.broker.1),
            s.order(tied_listing, json!(others)),
        )
        .await;
    assert_eq!(enough.status, StatusCode::CREATED, "{}", enough.text);
    // The holder sees the declaration on the commission.
    let seen = s
        .app
        .get(
            &format!("/api/v1/commissions/{}", enough.json()["id"]),
            Some(&s.holder.1),
        )
        .await
        .json();
    assert_eq!(seen["broker_affiliation"], "owner");
    assert_eq!(seen["alternatives_considered"].as_array().unwrap().len(), 3);
    // The holder buying for themselves is never asked.
    let own = s
        .app
        .post(&plan, Some(&s.holder.1), s.order(tied_listing, json!([])))
        .await;
    assert_eq!(own.status, StatusCode::CREATED, "{}", own.text);
    assert!(own.json().get("broker_affiliation").is_none());

    // A broker's own listing counts as owned without declaring it.
    // Its fee is a share of the budget only: the price may be zero when a fee carries it.
    let fee_only = s
        .app
        .post(
            "/api/v1/listings",
            Some(&s.broker.1),
            json!({"title": "Support planning and brokerage", "category": "brokerage",
                   "price": {"amount": "0.00", "unit": "week"},
                   "fees": [{"kind": "brokerage", "label": "Brokerage fee", "percent": "5", "per": "budget"}],
                   "postcode": "M14 5AB"}),
        )
        .await;
    assert_eq!(fee_only.status, StatusCode::CREATED, "{}", fee_only.text);
    let own_listing = fee_only.json()["id"].as_i64().unwrap();
    let free = s
        .app
        .post(
            "/api/v1/listings",
            Some(&s.broker.1),
            json!({"title": "Free brokerage?", "category": "brokerage",
                   "price": {"amount": "0.00", "unit": "week"}, "postcode": "M14 5AB"}),
        )
        .await;
    assert!(free.problem(422)["errors"]["price.amount"].is_array());
    // A broker buying from themselves for a client needs the council's recorded agreement.
    let order = json!({"listing_id": own_listing, "portion": "direct_payment", "quantity": "1",
                       "start_date": day(7), "end_date": day(34)});
    let refused = s.app.post(&plan, Some(&s.broker.1), order.clone()).await;
    assert!(refused.problem(403)["detail"]
        .as_str()
        .unwrap()
        .contains("council"));
    let (_, officer) = s.app.commissioner("agreeing@council.example").await;
    let agreement = json!({"holder_id": s.holder.0, "seller_id": s.broker.0,
                           "note": "Brokerage fee agreed at the plan review"});
    // Only a commissioner of the holder's council records it, for a real holder and seller.
    for token in [&s.broker.1, &s.holder.1] {
        s.app
            .post("/api/v1/council/agreements", Some(token), agreement.clone())
            .await
            .problem(403);
    }
    let wrong = s
        .app
        .post(
            "/api/v1/council/agreements",
            Some(&officer),
            json!({"holder_id": s.broker.0, "seller_id": 999_999, "note": ""}),
        )
        .await
        .problem(422);
    for field in ["holder_id", "seller_id", "note"] {
        assert!(wrong["errors"][field].is_array(), "{wrong}");
    }
    let recorded = s
        .app
        .post("/api/v1/council/agreements", Some(&officer), agreement)
        .await;
    assert_eq!(recorded.status, StatusCode::CREATED, "{}", recorded.text);
    let brokerage = s.app.post(&plan, Some(&s.broker.1), order).await;
    assert_eq!(brokerage.status, StatusCode::CREATED, "{}", brokerage.text);
    assert_eq!(brokerage.json()["broker_affiliation"], "owner");
    // 5% of the yearly budget (£5,000 over 331 days is £5,513.60 a year) for 28 days.
    assert_eq!(brokerage.json()["cost"]["total"], "21.15");
    let clients = s
        .app
        .get("/api/v1/broker/clients", Some(&s.broker.1))
        .await
        .json();
    assert_eq!(
        clients["items"][0]["fees_earned"],
        brokerage.json()["cost"]["total"]
    );
}
