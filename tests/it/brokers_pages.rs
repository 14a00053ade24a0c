//! Brokers in the browser, without JavaScript: the holder gives a broker
//! access, the broker declares an interest, buys from that provider only
//! after naming alternatives, the holder sees the declaration and the
//! history, and takes access back after confirming.

use crate::common;

use actix_web::http::{Method, StatusCode};
use chrono::{Duration, Utc};
use common::{location, page, signed_in, TestApp};
use serde_json::json;

fn day(from_today: i64) -> String {
    (Utc::now().date_naive() + Duration::days(from_today)).to_string()
}

async fn listing(app: &TestApp, token: &str) -> i64 {
    let reply = app
        .post(
            "/api/v1/listings",
            Some(token),
            json!({"title": "Home care in Moss Side", "category": "personal_care",
                   "price": {"amount": "20.00", "unit": "hour"}, "postcode": "M14 5AB"}),
        )
        .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text);
    reply.json()["id"].as_i64().unwrap()
}

#[actix_web::test]
async fn a_broker_acts_for_a_client_who_sees_everything_and_can_take_access_back() {
    let app = TestApp::spawn().await;
    let (holder_id, holder_token) = app.account("amina@example.org", "budget_holder").await;
    let (broker_id, broker_token) = app.account("broker@example.org", "broker").await;
    app.send(
        Method::PATCH,
        "/api/v1/me",
        Some(&broker_token),
        Some(json!({"name": "Horizon Brokerage"})),
    )
    .await;
    let (_, officer) = app.commissioner("officer@council.example").await;
    let plan = app
        .approved_plan(
            (holder_id, &holder_token),
            &officer,
            json!([{"mode": "direct_payment", "amount": "5000.00"}]),
        )
        .await;
    let plan_id = plan["id"].as_i64().unwrap();
    let (provider_id, provider) = app.account("tied@example.org", "provider").await;
    let tied = listing(&app, &provider).await;
    let (_, other) = app.account("other@example.org", "provider").await;
    let alternative = listing(&app, &other).await;

    // The holder gives the broker access from the plan page.
    let holder = signed_in(&app, "amina@example.org").await;
    let plan_page = page(&holder, &app, &format!("/plans/{plan_id}")).await;
    assert!(plan_page.text.contains("Give a broker access"));
    let given = holder
        .post_form(
            &app,
            &format!("/plans/{plan_id}/brokers"),
            &[("broker_id", &broker_id.to_string())],
        )
        .await;
    assert_eq!(
        location(&given),
        format!("/plans/{plan_id}?done=broker_added#brokers")
    );

    // The broker sees the client, and declares an interest in a provider.
    let broker = signed_in(&app, "broker@example.org").await;
    let clients = page(&broker, &app, "/broker/clients").await;
    assert!(clients.text.contains(&format!("Plan {plan_id}")));
    page(&broker, &app, "/broker/affiliations").await;
    let declared = broker
        .post_form(
            &app,
            "/broker/affiliations",
            &[
                ("provider_id", &format!("/sellers/{provider_id}")),
                ("nature", "contract"),
            ],
        )
        .await;
    assert_eq!(location(&declared), "/broker/affiliations?done=saved");
    let listed = page(&broker, &app, "/broker/affiliations?done=saved").await;
    assert!(listed.text.contains("Under contract"));

    // The holder sees the declaration before the broker buys anything.
    let before = page(&holder, &app, &format!("/plans/{plan_id}")).await;
    assert!(
        before.text.contains("Declared interests – Under contract"),
        "{}",
        before.text
    );

    // Buying from that provider needs the alternatives the market offers.
    let form = page(&broker, &app, &format!("/listings/{tied}/commission")).await;
    assert!(form.text.contains("Alternatives you considered"));
    let portion = form
        .text
        .split(r#"<option value=""#)
        .nth(1)
        .and_then(|s| s.split('"').next())
        .unwrap()
        .to_owned();
    let (start, end) = (day(7), day(34));
    let mut order = vec![
        ("step", "preview"),
        ("portion", portion.as_str()),
        ("quantity", "2"),
        ("per", "week"),
        ("start_date", start.as_str()),
        ("end_date", end.as_str()),
    ];
    let refused = broker
        .post_form(&app, &format!("/listings/{tied}/commission"), &order)
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.text.contains("other sellers you considered"));
    // Words are not listings: the form asks for a number or an address.
    order.push(("alternatives", "Other Care of Moss Side"));
    let words = broker
        .post_form(&app, &format!("/listings/{tied}/commission"), &order)
        .await;
    assert_eq!(words.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(words.text.contains("is not a listing"), "{}", words.text);
    let pasted = format!("http://bespoke.example/listings/{alternative}");
    order.pop();
    order.push(("alternatives", pasted.as_str()));
    let preview = broker
        .post_form(&app, &format!("/listings/{tied}/commission"), &order)
        .await;
    assert_eq!(preview.status, StatusCode::OK, "{}", preview.text);
    assert!(preview
        .text
        .contains("You have declared an interest in this seller (under contract)"));
    order[0] = ("step", "confirm");
    let sent = broker
        .post_form(&app, &format!("/listings/{tied}/commission"), &order)
        .await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.text);
    let commission_path = location(&sent);

    // The holder sees who bought it, the declaration, and the history.
    let seen = page(&holder, &app, commission_path.split('?').next().unwrap()).await;
    assert!(seen.text.contains("The broker's interest in this seller"));
    assert!(seen
        .text
        .contains(&format!("Home care in Moss Side (listing {alternative})")));
    let plan_page = page(&holder, &app, &format!("/plans/{plan_id}")).await;
    assert!(plan_page.text.contains("Horizon Brokerage"));
    assert!(plan_page.text.contains("broker given access"));
    assert!(plan_page.text.contains("Support broker"));

    // Taking access back, after confirming, closes the plan to the broker at once.
    page(
        &holder,
        &app,
        &format!("/plans/{plan_id}/brokers/{broker_id}/remove"),
    )
    .await;
    let removed = holder
        .post_form(
            &app,
            &format!("/plans/{plan_id}/brokers/{broker_id}/remove"),
            &[],
        )
        .await;
    assert_eq!(
        location(&removed),
        format!("/plans/{plan_id}?done=broker_removed#brokers")
    );
    let closed = broker.get(&app, &format!("/plans/{plan_id}")).await;
    assert_eq!(closed.status, StatusCode::NOT_FOUND);
    let empty = page(&broker, &app, "/broker/clients").await;
    assert!(empty.text.contains("No one has given you access"));
}
