//! Requests and offers in the browser, without JavaScript: the holder posts a
//! request, two sellers find it and offer, one revises, the holder compares
//! the offers and accepts one after seeing what it leaves in the budget.

use crate::common;

use actix_web::http::{Method, StatusCode};
use chrono::{Duration, Utc};
use common::{id_after, location, page, signed_in, TestApp};
use serde_json::json;

fn day(from_today: i64) -> String {
    (Utc::now().date_naive() + Duration::days(from_today)).to_string()
}

/// An approved plan for Amina Khan of M14 5AB, and two sellers serving M14.
async fn market(app: &TestApp) -> i64 {
    let (holder_id, holder) = app.account("amina@example.org", "budget_holder").await;
    app.send(
        Method::PATCH,
        "/api/v1/me",
        Some(&holder),
        Some(json!({"name": "Amina Khan", "postcode": "M14 5AB"})),
    )
    .await;
    let (_, officer) = app.commissioner("officer@council.example").await;
    let plan = app
        .approved_plan(
            (holder_id, &holder),
            &officer,
            json!([{"mode": "direct_payment", "amount": "5000.00"},
                   {"mode": "council_managed", "amount": "1000.00"}]),
        )
        .await;
    let plan_id = plan["id"].as_i64().unwrap();
    for (email, role) in [
        ("fatima@example.org", "personal_assistant"),
        ("care@example.org", "provider"),
    ] {
        let (_, token) = app.account(email, role).await;
        let listing = app
            .post(
                "/api/v1/listings",
                Some(&token),
                json!({"title": "Evening support", "category": "personal_assistant",
                       "price": {"amount": "15.00", "unit": "hour"}, "postcode": "M14 6AB"}),
            )
            .await;
        assert_eq!(listing.status, StatusCode::CREATED, "{}", listing.text);
    }
    plan_id
}

#[actix_web::test]
async fn a_request_gets_two_offers_and_the_holder_accepts_one_in_the_browser() {
    let app = TestApp::spawn().await;
    let plan_id = market(&app).await;
    let holder = signed_in(&app, "amina@example.org").await;

    page(&holder, &app, "/requests").await;
    let form = page(&holder, &app, "/requests/new").await;
    assert!(
        form.text.contains(r#"value="M14""#),
        "the form starts from the holder's district"
    );

    // A request without a category comes back with the problem named.
    let plan = plan_id.to_string();
    let (start, end) = (day(7), day(34));
    let mut fields = vec![
        ("plan_id", plan.as_str()),
        ("quantity", "10"),
        ("unit", "hour"),
        ("areas", "M14"),
        ("availability_weekday_evening", "yes"),
        ("start_date", start.as_str()),
        ("end_date", end.as_str()),
        ("languages", "ur"),
        ("details", "Evening support after work."),
    ];
    let refused = holder.post_form(&app, "/requests/new", &fields).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.text.contains("There is a problem"));
    fields.push(("category", "personal_assistant"));
    let posted = holder.post_form(&app, "/requests/new", &fields).await;
    assert_eq!(posted.status, StatusCode::SEE_OTHER, "{}", posted.text);
    let request_id = id_after(&location(&posted), "/requests/");
    let shown = page(&holder, &app, &location(&posted)).await;
    assert!(shown.text.contains("Your request is posted"));
    assert!(shown.text.contains("No offers yet"));

    // Each seller finds it, sees only what it shares, and offers.
    let fatima = signed_in(&app, "fatima@example.org").await;
    let listed = page(&fatima, &app, "/requests").await;
    assert!(listed.text.contains(&format!("Request {request_id}")));
    let seen = page(&fatima, &app, &format!("/requests/{request_id}")).await;
    for secret in ["Amina", "M14 5AB", "Evenings out"] {
        assert!(!seen.text.contains(secret), "{secret} shown to a seller");
    }
    assert!(seen.text.contains("Make an offer"));
    let offered = fatima
        .post_form(
            &app,
            &format!("/requests/{request_id}/offers"),
            &[
                ("price", "15.00"),
                ("unit", "hour"),
                ("fee_kind_0", "setup"),
                ("fee_label_0", "Introduction"),
                ("fee_amount_0", "40.00"),
                ("fee_per_0", "one_off"),
                ("fee_kind_1", ""),
                ("fee_amount_1", ""),
                ("fee_per_1", "one_off"),
                ("message", "I live nearby and speak Urdu."),
            ],
        )
        .await;
    assert_eq!(offered.status, StatusCode::SEE_OTHER, "{}", offered.text);
    let mine = page(&fatima, &app, &location(&offered)).await;
    assert!(mine.text.contains("Your offer"));
    assert!(mine.text.contains("£640.00"), "15 × 10 × 4 + 40");
    let fatima_token = app.sign_in("fatima@example.org", common::PASSWORD).await;
    let offers = app.get("/api/v1/offers", Some(&fatima_token)).await.json();
    let offer_id = offers["items"][0]["id"].as_i64().unwrap();
    assert!(mine.text.contains(&format!("/offers/{offer_id}/edit")));

    // She lowers her price.
    page(&fatima, &app, &format!("/offers/{offer_id}/edit")).await;
    let revised = fatima
        .post_form(
            &app,
            &format!("/offers/{offer_id}"),
            &[
                ("price", "14.00"),
                ("unit", "hour"),
                ("fee_kind_0", "setup"),
                ("fee_amount_0", "40.00"),
                ("fee_per_0", "one_off"),
                ("message", "I live nearby and speak Urdu."),
            ],
        )
        .await;
    assert_eq!(revised.status, StatusCode::SEE_OTHER, "{}", revised.text);

    let care = signed_in(&app, "care@example.org").await;
    let offered = care
        .post_form(
            &app,
            &format!("/requests/{request_id}/offers"),
            &[
                ("price", "140.00"),
                ("unit", "week"),
                ("message", "Our evening team can start on the day."),
            ],
        )
        .await;
    assert_eq!(offered.status, StatusCode::SEE_OTHER, "{}", offered.text);

    // Sellers choose how they hear of new requests.
    let saved = care
        .post_form(&app, "/requests/alerts", &[("frequency", "immediate")])
        .await;
    assert_eq!(location(&saved), "/requests?done=alerts");
    let alerts = page(&care, &app, "/requests").await;
    assert!(alerts.text.contains(r#"value="immediate" checked"#));

    // The holder compares both and accepts Fatima's.
    let compared = page(&holder, &app, &format!("/requests/{request_id}")).await;
    assert!(compared.text.contains("£600.00"), "her revised total");
    assert!(
        compared.text.contains("£560.00"),
        "the weekly price over 4 weeks"
    );
    assert!(compared.text.contains("£4,400.00 left"));
    let confirm = page(&holder, &app, &format!("/offers/{offer_id}/accept")).await;
    assert!(confirm.text.contains("Which part of your budget pays"));
    let portion = confirm
        .text
        .split(r#"name="portion" value=""#)
        .nth(1)
        .and_then(|s| s.split('"').next())
        .unwrap()
        .to_owned();
    let key = confirm
        .text
        .split(r#"name="idempotency_key" value=""#)
        .nth(1)
        .and_then(|s| s.split('"').next())
        .unwrap()
        .to_owned();
    let accept_fields = [
        ("portion", portion.as_str()),
        ("idempotency_key", key.as_str()),
    ];
    let accepted = holder
        .post_form(&app, &format!("/offers/{offer_id}/accept"), &accept_fields)
        .await;
    assert_eq!(accepted.status, StatusCode::SEE_OTHER, "{}", accepted.text);
    let commission_path = location(&accepted);
    assert!(
        commission_path.starts_with("/commissions/"),
        "{commission_path}"
    );
    // A second click with the same form makes no second commission.
    let again = holder
        .post_form(&app, &format!("/offers/{offer_id}/accept"), &accept_fields)
        .await;
    assert_eq!(location(&again), commission_path);
    let commission = page(&holder, &app, &commission_path).await;
    assert!(commission.text.contains("You accepted the offer"));
    assert!(commission.text.contains("Accepted"));

    let declined = page(&care, &app, &format!("/requests/{request_id}")).await;
    assert!(declined.text.contains("Declined"), "{}", declined.text);
    let filled = page(&holder, &app, &format!("/requests/{request_id}")).await;
    assert!(filled.text.contains("Filled"));
    app.verify_ledger();
}

#[actix_web::test]
async fn the_holder_withdraws_a_request_after_confirming() {
    let app = TestApp::spawn().await;
    let plan_id = market(&app).await;
    let token = app.sign_in("amina@example.org", common::PASSWORD).await;
    let request = app
        .post(
            "/api/v1/requests",
            Some(&token),
            json!({"plan_id": plan_id, "category": "personal_assistant", "areas": ["M14"],
                   "quantity": "4", "start_date": day(7), "end_date": day(60)}),
        )
        .await;
    assert_eq!(request.status, StatusCode::CREATED, "{}", request.text);
    let id = request.json()["id"].as_i64().unwrap();
    let holder = signed_in(&app, "amina@example.org").await;
    let confirm = page(&holder, &app, &format!("/requests/{id}/withdraw")).await;
    assert!(confirm.text.contains("This cannot be undone"));
    let done = holder
        .post_form(&app, &format!("/requests/{id}/withdraw"), &[])
        .await;
    assert_eq!(location(&done), format!("/requests/{id}?done=withdrawn"));
    let shown = page(&holder, &app, &location(&done)).await;
    assert!(shown.text.contains("Withdrawn"));
    // A seller cannot reach the holder's confirmation.
    let fatima = signed_in(&app, "fatima@example.org").await;
    let refused = fatima.get(&app, &format!("/requests/{id}/withdraw")).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
}

#[actix_web::test]
async fn a_commissioner_sets_reference_rates_and_reads_the_request_evidence() {
    let app = TestApp::spawn().await;
    market(&app).await;
    let officer = signed_in(&app, "officer@council.example").await;
    page(&officer, &app, "/council/reference-rates").await;
    let refused = officer
        .post_form(
            &app,
            "/council/reference-rates",
            &[
                ("category_0", "personal_assistant"),
                ("unit_0", "hour"),
                ("amount_0", "lots"),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.text.contains("There is a problem"));
    let saved = officer
        .post_form(
            &app,
            "/council/reference-rates",
            &[
                ("category_0", "personal_assistant"),
                ("unit_0", "hour"),
                ("amount_0", "14.00"),
                ("category_1", ""),
                ("unit_1", "hour"),
                ("amount_1", ""),
            ],
        )
        .await;
    assert_eq!(location(&saved), "/council/reference-rates?done=saved");
    let shown = page(&officer, &app, "/council/reference-rates?done=saved").await;
    assert!(shown.text.contains(r#"value="14.00""#));
    let evidence = page(&officer, &app, "/council/requests").await;
    assert!(evidence
        .text
        .contains("No requests were posted in this period"));
    // Only commissioners read it.
    let holder = signed_in(&app, "amina@example.org").await;
    let refused = holder.get(&app, "/council/requests").await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
}
