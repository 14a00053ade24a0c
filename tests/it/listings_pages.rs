//! Sellers manage their listings in the browser, without JavaScript; buyers read them.

use crate::common;

use actix_web::http::StatusCode;
use common::{count_rows, Browser, TestApp, PASSWORD};

async fn signed_in_seller(app: &TestApp, email: &str, role: &str) -> Browser {
    app.register(email, role).await;
    let browser = Browser::new();
    browser.get(app, "/sign-in").await;
    let reply = browser
        .post_form(app, "/sign-in", &[("email", email), ("password", PASSWORD)])
        .await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER);
    browser
}

fn listing_fields<'a>(price: &'a str, weekend: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("title", "Home care visits"),
        ("category", "personal_care"),
        ("description", "Morning and evening calls."),
        ("price_amount", price),
        ("price_unit", "hour"),
        // One rate input per band, in order: weekday day, evening, weekend, night, bank holiday.
        ("rate_amount", ""),
        ("rate_amount", ""),
        ("rate_amount", weekend),
        ("rate_amount", ""),
        ("rate_amount", "40"),
        ("fee_kind", "travel"),
        ("fee_label", "Travel"),
        ("fee_amount", "2.50"),
        ("fee_percent", ""),
        ("fee_per", "visit"),
        ("fee_kind", ""),
        ("fee_label", ""),
        ("fee_amount", ""),
        ("fee_percent", ""),
        ("fee_per", "one_off"),
        ("postcode", "M14 5AB"),
        ("areas", "M15, M16"),
        ("availability", "weekday_day"),
        ("availability", "weekend"),
        ("languages", "en"),
        ("languages", "pa"),
        ("tags", "dementia care, female carers"),
        ("accepting_clients", "on"),
        ("status", "published"),
    ]
}

#[actix_web::test]
async fn a_provider_publishes_a_listing_and_buyers_see_the_true_cost() {
    let app = TestApp::spawn().await;
    let browser = signed_in_seller(&app, "agency@example.org", "provider").await;
    let form = browser.get(&app, "/my/listings/new").await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(form.text.contains(r#"<label for="rate_weekend">"#));

    let reply = browser
        .post_form(&app, "/my/listings", &listing_fields("£24.5", "27.00"))
        .await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.text);
    let location = reply.header("location").unwrap();
    assert!(location.starts_with("/listings/") && location.ends_with("?done=created"));

    // A buyer, not signed in, reads it.
    let page = Browser::new()
        .get(&app, location.split('?').next().unwrap())
        .await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.text.contains("£24.50"));
    assert!(page.text.contains("£27.00"), "weekend rate");
    assert!(page.text.contains("£40.00"), "bank holiday rate");
    assert!(page.text.contains("£2.50 per visit"));
    // 6 hours × £24.50 × 52 = £7,644.00, plus 3 visits × £2.50 × 52 = £390.00.
    assert!(page.text.contains("£8,034.00"), "worked example");
    assert!(page.text.contains("M14, M15, M16"));
    assert!(page.text.contains("English, Punjabi"));
    assert_eq!(count_rows(&mut app.db(), "listing_fees"), 1);
}

#[actix_web::test]
async fn mistakes_come_back_on_the_form_next_to_their_inputs() {
    let app = TestApp::spawn().await;
    let browser = signed_in_seller(&app, "agency@example.org", "provider").await;
    browser.get(&app, "/my/listings/new").await;
    let reply = browser
        .post_form(&app, "/my/listings", &listing_fields("lots", "0"))
        .await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        reply.text.contains(r##"href="#price_amount""##),
        "{}",
        reply.text
    );
    assert!(reply.text.contains(r##"href="#rate_weekend""##));
    assert!(
        reply.text.contains(r#"value="lots""#),
        "what was typed is kept"
    );
    assert!(reply
        .text
        .contains(r#"value="dementia care, female carers""#));
    assert!(reply.text.contains(r#"value="pa" checked"#));
    assert_eq!(count_rows(&mut app.db(), "listings"), 0);
}

#[actix_web::test]
async fn pausing_changing_and_withdrawing_with_confirmation() {
    let app = TestApp::spawn().await;
    let browser = signed_in_seller(&app, "agency@example.org", "provider").await;
    browser.get(&app, "/my/listings/new").await;
    let location = browser
        .post_form(&app, "/my/listings", &listing_fields("24.50", ""))
        .await
        .header("location")
        .unwrap();
    let id: i64 = location
        .trim_start_matches("/listings/")
        .split('?')
        .next()
        .unwrap()
        .parse()
        .unwrap();

    let mine = browser.get(&app, "/my/listings").await;
    assert!(mine.text.contains("Home care visits"));
    let paused = browser
        .post_form(
            &app,
            &format!("/my/listings/{id}/status"),
            &[("status", "paused")],
        )
        .await;
    assert_eq!(
        paused.header("location").as_deref(),
        Some("/my/listings?done=paused")
    );
    assert!(browser
        .get(&app, &format!("/listings/{id}"))
        .await
        .text
        .contains("This listing is paused"));

    let edit = browser.get(&app, &format!("/my/listings/{id}/edit")).await;
    assert!(edit.text.contains(r#"value="24.50""#));
    let mut fields = listing_fields("26.00", "");
    fields.retain(|(k, _)| *k != "status");
    fields.push(("status", "published"));
    let changed = browser
        .post_form(&app, &format!("/my/listings/{id}"), &fields)
        .await;
    assert_eq!(changed.status, StatusCode::SEE_OTHER, "{}", changed.text);
    assert!(browser
        .get(&app, &format!("/listings/{id}"))
        .await
        .text
        .contains("£26.00"));

    let confirm = browser
        .get(&app, &format!("/my/listings/{id}/withdraw"))
        .await;
    assert!(confirm.text.contains("Yes, withdraw this listing"));
    assert!(confirm.text.contains("cannot be published again"));
    browser
        .post_form(&app, &format!("/my/listings/{id}/withdraw"), &[])
        .await;
    assert!(browser
        .get(&app, &format!("/listings/{id}"))
        .await
        .text
        .contains("This listing has been withdrawn"));

    // Another seller cannot reach any of it.
    let other = signed_in_seller(&app, "other@example.org", "provider").await;
    assert_eq!(
        other
            .get(&app, &format!("/my/listings/{id}/edit"))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        other
            .get(&app, &format!("/my/listings/{id}/withdraw"))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
}

#[actix_web::test]
async fn a_budget_holder_has_no_listings_to_manage() {
    let app = TestApp::spawn().await;
    let browser = signed_in_seller(&app, "holder@example.org", "budget_holder").await;
    let reply = browser.get(&app, "/my/listings/new").await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
    assert!(reply.text.contains("Only these accounts can do this"));
}

#[actix_web::test]
async fn a_personal_assistant_fills_in_their_profile() {
    let app = TestApp::spawn().await;
    let browser = signed_in_seller(&app, "pa@example.org", "personal_assistant").await;
    let form = browser.get(&app, "/my/profile").await;
    assert!(form.text.contains(r#"<label for="skills">"#));
    assert!(
        !form.text.contains(r#"<label for="address">"#),
        "an assistant's address is never asked for"
    );
    let saved = browser
        .post_form(
            &app,
            "/my/profile",
            &[
                ("description", "Kind and punctual."),
                ("postcode", "M14 7HR"),
                ("skills", "Cooking, Hoisting"),
                ("dbs_checked_on", "2025-09-30"),
                ("employment", "self_employed"),
                ("languages", "ur"),
            ],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.text);
    let id = app.sign_in("pa@example.org", PASSWORD).await;
    let me = app.get("/api/v1/me", Some(&id)).await.json();
    let public = browser.get(&app, &format!("/sellers/{}", me["id"])).await;
    assert!(public.text.contains("Cooking, Hoisting"));
    assert!(public
        .text
        .contains("Declared as checked on 30 September 2025"));
    assert!(public.text.contains("Urdu"));
}

#[actix_web::test]
async fn the_calculator_page_works_without_javascript() {
    let app = TestApp::spawn().await;
    let browser = Browser::new();
    let page = browser
        .get(&app, "/tools/pa-cost?hourly_pay=13.50&hours_per_week=20&tax_year=2025-26&employment_allowance=on")
        .await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.text.contains("£15.55 an hour in all"), "{}", page.text);
    let unticked = browser
        .get(
            &app,
            "/tools/pa-cost?hourly_pay=13.50&hours_per_week=20&tax_year=2025-26",
        )
        .await;
    assert!(
        unticked.text.contains("£17.10 an hour in all"),
        "an unticked allowance is not claimed"
    );
    let bad = browser
        .get(&app, "/tools/pa-cost?hourly_pay=&hours_per_week=500")
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.text.contains("There is a problem"));
}
