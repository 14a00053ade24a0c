//! Budgets up front (self-assessment → indicative budget, from the council's
//! allocation table), outcome ratings, and the flexibility of an approved
//! plan: money moved between planned lines, and unspent money carried forward.

use crate::common;

use actix_web::http::{Method, StatusCode};
use chrono::{Duration, Utc};
use common::TestApp;
use serde_json::{json, Value};

/// Answers every question of the built-in table with the same option.
fn all_answers(view: &Value, option: usize) -> Value {
    let answers: serde_json::Map<String, Value> = view["questions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|q| (q["id"].as_str().unwrap().to_owned(), json!(option)))
        .collect();
    Value::Object(answers)
}

#[actix_web::test]
async fn a_self_assessment_gives_an_indicative_budget_at_once() {
    let app = TestApp::spawn().await;
    let (holder_id, holder) = app.account("amina@example.org", "budget_holder").await;
    let (_, other) = app.account("bea@example.org", "budget_holder").await;
    let (_, officer) = app.commissioner("officer@council.example").await;

    let blank = app.get("/api/v1/self-assessment", Some(&holder)).await;
    assert_eq!(blank.status, StatusCode::OK, "{}", blank.text);
    let blank = blank.json();
    assert_eq!(blank["questions"].as_array().unwrap().len(), 10);
    assert!(blank["points"].is_null() && blank["indicative_budget"].is_null());

    // Missing answers and answers that are not offered are named.
    let partial = app
        .send(
            Method::PUT,
            "/api/v1/self-assessment",
            Some(&holder),
            Some(json!({"answers": {"personal_care": 2, "eating": 9}})),
        )
        .await
        .problem(422);
    assert!(partial["errors"]["answers.eating"].is_array());
    assert!(partial["errors"]["answers.moving_about"].is_array());

    // Every answer "some help" (3 points each): 30 points × £200 = £6,000.
    let saved = app
        .send(
            Method::PUT,
            "/api/v1/self-assessment",
            Some(&holder),
            Some(json!({"answers": all_answers(&blank, 1)})),
        )
        .await;
    assert_eq!(saved.status, StatusCode::OK, "{}", saved.text);
    assert_eq!(saved.json()["points"], 30);
    assert_eq!(saved.json()["indicative_budget"], "6000.00");
    // The highest answers (12 points each): 40 × £200 + 40 × £250 + 40 × £300 = £30,000.
    let most = app
        .send(
            Method::PUT,
            "/api/v1/self-assessment",
            Some(&holder),
            Some(json!({"answers": all_answers(&blank, 3)})),
        )
        .await
        .json();
    assert_eq!(most["points"], 120);
    assert_eq!(most["indicative_budget"], "30000.00");

    // The commissioner reads it (and may not fill it in); another holder sees nothing.
    let path = format!("/api/v1/self-assessment?holder_id={holder_id}");
    let seen = app.get(&path, Some(&officer)).await;
    assert_eq!(seen.status, StatusCode::OK, "{}", seen.text);
    assert_eq!(seen.json()["indicative_budget"], "30000.00");
    assert_eq!(seen.json()["updated_acting_as"], "holder");
    app.send(
        Method::PUT,
        "/api/v1/self-assessment",
        Some(&officer),
        Some(json!({"holder_id": holder_id, "answers": all_answers(&blank, 0)})),
    )
    .await
    .problem(403);
    app.get(&path, Some(&other)).await.problem(404);

    // The plan shows the indicative budget beside the real one.
    let today = Utc::now().date_naive();
    let plan = app
        .post(
            "/api/v1/plans",
            Some(&officer),
            json!({"holder_id": holder_id, "period_start": today.to_string(),
                   "period_end": (today + Duration::days(364)).to_string(),
                   "budget": "28000.00",
                   "portions": [{"mode": "direct_payment", "amount": "28000.00"}]}),
        )
        .await;
    assert_eq!(plan.json()["indicative_budget"], "30000.00");
    assert_eq!(plan.json()["budget"], "28000.00");
}

#[actix_web::test]
async fn a_commissioner_sets_the_councils_allocation_table() {
    let app = TestApp::spawn().await;
    let (_, holder) = app.account("amina@example.org", "budget_holder").await;
    let (_, officer) = app.commissioner("officer@council.example").await;

    let built_in = app.get("/api/v1/council/allocation", Some(&officer)).await;
    assert_eq!(built_in.status, StatusCode::OK, "{}", built_in.text);
    assert_eq!(built_in.json()["customised"], false);
    assert_eq!(built_in.json()["max_points"], 120);
    app.get("/api/v1/council/allocation", Some(&holder))
        .await
        .problem(403);

    let bad = app
        .send(
            Method::PUT,
            "/api/v1/council/allocation",
            Some(&officer),
            Some(
                json!({"questions": [], "bands": [{"from_points": 5, "price_per_point": "10.00"}]}),
            ),
        )
        .await
        .problem(422);
    assert!(bad["errors"]["questions"].is_array() && bad["errors"]["bands"].is_array());

    let table = json!({
        "questions": [
            {"id": "care", "domain": "daily_living", "text": "Help with personal care",
             "options": [{"label": "None", "points": 0}, {"label": "Daily", "points": 20}]},
            {"id": "out", "domain": "community_life", "text": "Help to get out and about",
             "options": [{"label": "None", "points": 0}, {"label": "Weekly", "points": 15}]}
        ],
        "bands": [{"from_points": 0, "price_per_point": "100.00"},
                  {"from_points": 25, "price_per_point": "40.00"}],
        "cap": "2600.00"
    });
    let saved = app
        .send(
            Method::PUT,
            "/api/v1/council/allocation",
            Some(&officer),
            Some(table),
        )
        .await;
    assert_eq!(saved.status, StatusCode::OK, "{}", saved.text);
    assert_eq!(saved.json()["customised"], true);

    // 20 points: 20 × £100 = £2,000. 35 points: 25 × £100 + 10 × £40 = £2,900, capped at £2,600.
    let answer = |care: usize, out: usize| {
        app.send(
            Method::PUT,
            "/api/v1/self-assessment",
            Some(&holder),
            Some(json!({"answers": {"care": care, "out": out}})),
        )
    };
    let some = answer(1, 0).await.json();
    assert_eq!(
        (some["points"].clone(), some["indicative_budget"].clone()),
        (json!(20), json!("2000.00"))
    );
    let capped = answer(1, 1).await.json();
    assert_eq!(
        (
            capped["points"].clone(),
            capped["indicative_budget"].clone()
        ),
        (json!(35), json!("2600.00"))
    );
}

struct Approved {
    app: TestApp,
    holder: String,
    plan_path: String,
    lines: Vec<i64>,
}

/// An approved plan with £3,000 in one direct-payment portion and two
/// planned lines paid from it (£2,000 and £1,000).
async fn approved_plan_with_lines() -> Approved {
    let app = TestApp::spawn().await;
    let (holder_id, holder) = app.account("amina@example.org", "budget_holder").await;
    let (_, officer) = app.commissioner("officer@council.example").await;
    let today = Utc::now().date_naive();
    let plan = app
        .post(
            "/api/v1/plans",
            Some(&officer),
            json!({"holder_id": holder_id, "period_start": today.to_string(),
                   "period_end": (today + Duration::days(364)).to_string(),
                   "budget": "3000.00",
                   "portions": [{"mode": "direct_payment", "amount": "3000.00"}]}),
        )
        .await
        .json();
    let portion = plan["portions"][0]["id"].as_i64().unwrap();
    let plan_path = format!("/api/v1/plans/{}", plan["id"]);
    let written = app
        .send(
            Method::PATCH,
            &plan_path,
            Some(&holder),
            Some(json!({
            "outcomes": [{"title": "Get out in the evenings", "domain": "community_life"}],
            "planned_support": [
                {"category": "personal_assistant", "amount": "2000.00", "portion_id": portion},
                {"category": "community_activity", "amount": "1000.00", "portion_id": portion}
            ]})),
        )
        .await;
    assert_eq!(written.status, StatusCode::OK, "{}", written.text);
    app.post(&format!("{plan_path}/submit"), Some(&holder), json!({}))
        .await;
    let approved = app
        .post(&format!("{plan_path}/approve"), Some(&officer), json!({}))
        .await
        .json();
    let lines = approved["planned_support"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["id"].as_i64().unwrap())
        .collect();
    Approved {
        app,
        holder,
        plan_path,
        lines,
    }
}

#[actix_web::test]
async fn the_holder_moves_money_between_planned_lines_of_an_approved_plan() {
    let a = approved_plan_with_lines().await;
    let moves = format!("{}/moves", a.plan_path);
    let moved = a
        .app
        .post(
            &moves,
            Some(&a.holder),
            json!({"from_line": a.lines[0], "to_line": a.lines[1], "amount": "450.00"}),
        )
        .await;
    assert_eq!(moved.status, StatusCode::OK, "{}", moved.text);
    let plan = moved.json();
    assert_eq!(plan["planned_support"][0]["amount"], "1550.00");
    assert_eq!(plan["planned_support"][1]["amount"], "1450.00");
    assert_eq!(plan["budget"], "3000.00", "the budget itself is unchanged");
    assert_eq!(plan["status"], "approved", "no new approval is needed");

    let too_much = a
        .app
        .post(
            &moves,
            Some(&a.holder),
            json!({"from_line": a.lines[0], "to_line": a.lines[1], "amount": "1550.01"}),
        )
        .await
        .problem(422);
    assert!(too_much["errors"]["amount"][0]
        .as_str()
        .unwrap()
        .contains("£1,550.00"));
    a.app
        .post(
            &moves,
            Some(&a.holder),
            json!({"from_line": a.lines[0], "to_line": 999_999, "amount": "1.00"}),
        )
        .await
        .problem(422);
    // A seller has no business here.
    let (_, seller) = a.app.account("pa@example.org", "personal_assistant").await;
    a.app
        .post(
            &moves,
            Some(&seller),
            json!({"from_line": a.lines[0], "to_line": a.lines[1], "amount": "1.00"}),
        )
        .await
        .problem(404);
}

#[actix_web::test]
async fn outcome_ratings_are_recorded_at_the_start_and_at_reviews() {
    let a = approved_plan_with_lines().await;
    let path = format!("{}/outcome-ratings", a.plan_path);
    let rated = a
        .app
        .post(
            &path,
            Some(&a.holder),
            json!({"stage": "start", "ratings": {"community_life": 2, "relationships": 3}}),
        )
        .await;
    assert_eq!(rated.status, StatusCode::CREATED, "{}", rated.text);
    let review = a
        .app
        .post(
            &path,
            Some(&a.holder),
            json!({"stage": "review", "ratings": {"community_life": 4}}),
        )
        .await;
    assert_eq!(review.status, StatusCode::CREATED, "{}", review.text);
    let items = a.app.get(&path, Some(&a.holder)).await.json()["items"].clone();
    let summary: Vec<(String, String, i64)> = items
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["stage"].as_str().unwrap().to_owned(),
                r["domain"].as_str().unwrap().to_owned(),
                r["rating"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        summary,
        vec![
            ("start".into(), "community_life".into(), 2),
            ("start".into(), "relationships".into(), 3),
            ("review".into(), "community_life".into(), 4),
        ]
    );

    let bad = a
        .app
        .post(
            &path,
            Some(&a.holder),
            json!({"stage": "middle", "ratings": {"community_life": 6, "happiness": 3}}),
        )
        .await
        .problem(422);
    for field in ["stage", "ratings.community_life", "ratings.happiness"] {
        assert!(bad["errors"][field].is_array(), "{field}: {bad}");
    }
}

#[actix_web::test]
async fn unspent_money_is_carried_forward_within_the_plan_period() {
    let a = approved_plan_with_lines().await;
    let (_, seller) = a.app.account("pa@example.org", "personal_assistant").await;
    let listing = a
        .app
        .post(
            "/api/v1/listings",
            Some(&seller),
            json!({"title": "Evening personal assistant", "description": "Friendly and local.",
                   "category": "personal_assistant", "price": {"amount": "20.00", "unit": "hour"},
                   "postcode": "M14 5AB", "areas": ["M14"], "availability": ["weekday_evening"]}),
        )
        .await;
    assert_eq!(listing.status, StatusCode::CREATED, "{}", listing.text);
    let listing_id = listing.json()["id"].as_i64().unwrap();
    let today = Utc::now().date_naive();
    let order = |from: i64, weeks: i64| {
        json!({"listing_id": listing_id, "portion": "direct_payment", "quantity": "10",
               "per": "week", "start_date": (today + Duration::days(from)).to_string(),
               "end_date": (today + Duration::days(from + weeks * 7 - 1)).to_string()})
    };
    // £200 a week for 14 weeks: £2,800 of the £3,000.
    let first = a
        .app
        .post(
            &format!("{}/commissions", a.plan_path),
            Some(&a.holder),
            order(0, 14),
        )
        .await;
    assert_eq!(first.status, StatusCode::CREATED, "{}", first.text);
    let first_path = format!("/api/v1/commissions/{}", first.json()["id"]);
    // No room for another five weeks yet.
    a.app
        .post(
            &format!("{}/commissions", a.plan_path),
            Some(&a.holder),
            order(100, 5),
        )
        .await
        .problem(409);

    // Only £200 was delivered (today's ten hours); completing returns the rest to the portion.
    a.app
        .post(&format!("{first_path}/accept"), Some(&seller), json!({}))
        .await;
    let invoice = a
        .app
        .post(
            &format!("{first_path}/deliveries"),
            Some(&seller),
            json!({"period_start": today.to_string(), "period_end": today.to_string(),
                   "quantity": "10", "amount": "200.00"}),
        )
        .await;
    assert_eq!(invoice.status, StatusCode::CREATED, "{}", invoice.text);
    a.app
        .post(
            &format!("{first_path}/complete"),
            Some(&a.holder),
            json!({}),
        )
        .await;
    let plan = a.app.get(&a.plan_path, Some(&a.holder)).await.json();
    assert_eq!(plan["spent"], "200.00");
    assert_eq!(plan["available"], "2800.00");

    // The unspent money pays for support later in the same plan period.
    let later = a
        .app
        .post(
            &format!("{}/commissions", a.plan_path),
            Some(&a.holder),
            order(100, 5),
        )
        .await;
    assert_eq!(later.status, StatusCode::CREATED, "{}", later.text);
    assert_eq!(later.json()["cost"]["total"], "1000.00");
    a.app.verify_ledger();
}
