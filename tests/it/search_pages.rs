//! Searching in the browser, and the index through restarts and outages.

use crate::common;
use bespoke::domain::ids::ListingId;

use std::process::Command;

use actix_web::http::StatusCode;
use common::{assert_accessible, count_rows, Browser, TestApp};
use serde_json::json;

async fn one_listing(app: &TestApp) -> i64 {
    let (_, token) = app
        .account("fatima@example.org", "personal_assistant")
        .await;
    let reply = app
        .post(
            "/api/v1/listings",
            Some(&token),
            json!({"title": "Evening personal assistant", "category": "personal_assistant",
                   "price": {"amount": "14.50", "unit": "hour"}, "postcode": "M14 5AB",
                   "availability": ["weekday_evening"], "languages": ["en", "ur"]}),
        )
        .await;
    app.wait_for_search().await;
    reply.json()["id"].as_i64().unwrap()
}

#[actix_web::test]
async fn a_search_with_a_typo_finds_the_listing_and_shows_what_was_understood() {
    let app = TestApp::spawn().await;
    let id = one_listing(&app).await;
    let browser = Browser::new();
    let page = browser
        .get(
            &app,
            "/search?q=persnal+asistant+for+evenings+near+M14+who+speaks+Urdu",
        )
        .await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.text.contains("1 result"), "{}", page.text);
    assert!(page.text.contains(&format!(r#"href="/listings/{id}""#)));
    assert!(page.text.contains("£14.50 an hour"));
    assert!(page.text.contains("0 km away"));
    assert!(page.text.contains("near M14"));
    assert!(page.text.contains("speaks Urdu"));
    assert!(
        page.text.contains(r#"value="weekday_evening" checked"#),
        "understood filters show as chosen"
    );
    assert!(
        page.text
            .contains("Weekday evenings <span class=\"count\">(1)</span>"),
        "facet counts"
    );
    assert!(!page.text.contains("<script"));
}

#[actix_web::test]
async fn a_search_that_finds_nothing_says_so_and_offers_to_widen() {
    let app = TestApp::spawn().await;
    one_listing(&app).await;
    let page = Browser::new()
        .get(&app, "/search?q=zebra&area=M14&category=transport")
        .await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.text.contains("Nothing matched your search"));
    assert!(page.text.contains(", nearby</a>"), "nearby districts");
    assert!(page.text.contains("Search everywhere"));
    assert!(
        page.text.contains("Look at personal assistant instead"),
        "related categories"
    );
    assert!(page.text.contains("Any kind of support"));
    assert!(page.text.contains("without the words"));

    let bad = Browser::new().get(&app, "/search?area=nowhere").await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.text.contains("There is a problem"));
}

#[actix_web::test]
async fn the_index_survives_a_restart_and_catches_up_on_changes_made_while_down() {
    let app = TestApp::spawn().await;
    let id = one_listing(&app).await;
    let database = app.stop().await;

    // While the server is down, an import changes the marketplace: it only reaches the outbox.
    let file = database.dir.path().join("more.csv");
    std::fs::write(
        &file,
        "seller_email,title,category,price,unit,postcode\nfatima@example.org,Weekend personal assistant,personal_assistant,16.00,hour,M14\n",
    )
    .unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_bespoke"))
        .args(["import", "listings", file.to_str().unwrap()])
        .env_clear()
        .envs(database.env(&[]))
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );

    let again = TestApp::spawn_on(database, &[]).await;
    again.wait_for_search().await;
    let found = again
        .get("/api/v1/search?q=personal+assistant", None)
        .await
        .json();
    assert_eq!(
        found["total"], 2,
        "the old listing is still there and the new one arrived"
    );
    assert!(found["items"]
        .as_array()
        .unwrap()
        .iter()
        .any(|i| i["id"] == id));
}

#[actix_web::test]
async fn reindex_rebuilds_from_the_database() {
    let app = TestApp::spawn().await;
    one_listing(&app).await;
    let database = app.stop().await;
    std::fs::remove_dir_all(database.dir.path().join("index")).ok();
    let output = Command::new(env!("CARGO_BIN_EXE_bespoke"))
        .arg("reindex")
        .env_clear()
        .envs(database.env(&[]))
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(String::from_utf8_lossy(&output.stdout).contains("Reindexed 1 listings"));
    let again = TestApp::spawn_on(database, &[]).await;
    assert_eq!(
        again.get("/api/v1/search?q=evening", None).await.json()["total"],
        1
    );
}

#[actix_web::test]
async fn while_the_engine_is_unreachable_changes_wait_and_searches_answer_clearly() {
    // Nothing listens on port 9: Meilisearch is "down" for this whole test.
    let database = common::TestDatabase::new();
    let vars = database.env(&[("MEILI_URL", "http://127.0.0.1:9")]);
    let config = bespoke::config::Config::from_lookup(|name| vars.get(name).cloned()).unwrap();
    let prepared = bespoke::startup::prepare(config).unwrap();
    let state = prepared.state;
    let _background = bespoke::startup::start_background(&state, prepared.search_events);
    let server_state = state.clone();
    let server = actix_test::start(move || bespoke::web::app(server_state.clone()));

    let health = server.get("/healthz").send().await.unwrap();
    assert_eq!(health.status(), StatusCode::SERVICE_UNAVAILABLE);
    let mut search = server.get("/api/v1/search?q=care").send().await.unwrap();
    assert_eq!(search.status(), StatusCode::SERVICE_UNAVAILABLE);
    let body: serde_json::Value = search.json().await.unwrap();
    assert!(body["detail"]
        .as_str()
        .unwrap()
        .contains("not available at the moment"));

    // A listing change is kept in the outbox, retried, never lost.
    let mut db = state.db.get().unwrap();
    bespoke::store::search::enqueue(&mut db, &[ListingId(42)], chrono::Utc::now().naive_utc())
        .unwrap();
    actix_web::rt::time::sleep(std::time::Duration::from_millis(800)).await;
    assert_eq!(count_rows(&mut db, "search_outbox"), 1);
    use bespoke::store::schema::search_outbox::dsl::*;
    use diesel::prelude::*;
    let tries: i32 = search_outbox.select(attempts).first(&mut *db).unwrap();
    assert!(tries >= 1);
}

#[actix_web::test]
async fn a_lost_index_is_rebuilt_at_start_up() {
    if std::env::var("MEILI_URL").is_ok() {
        return; // The embedded index's files are what this test removes.
    }
    let app = TestApp::spawn().await;
    one_listing(&app).await;
    let database = app.stop().await;
    std::fs::remove_dir_all(database.dir.path().join("index")).unwrap();
    let again = TestApp::spawn_on(database, &[]).await;
    again.wait_for_search().await;
    assert_eq!(
        again.get("/api/v1/search?q=evening", None).await.json()["total"],
        1
    );
}

#[actix_web::test]
async fn two_results_are_compared_side_by_side_and_a_bad_choice_is_explained() {
    let app = TestApp::spawn().await;
    let evening = one_listing(&app).await;
    let (_, token) = app.account("tom@example.org", "personal_assistant").await;
    let weekend = app
        .post(
            "/api/v1/listings",
            Some(&token),
            json!({"title": "Weekend personal assistant", "category": "personal_assistant",
                   "price": {"amount": "16.00", "unit": "hour"}, "postcode": "M21 9JE",
                   "availability": ["weekend"]}),
        )
        .await
        .json()["id"]
        .as_i64()
        .unwrap();
    app.wait_for_search().await;
    let browser = Browser::new();

    let results = browser.get(&app, "/search?q=personal+assistant").await;
    assert!(results
        .text
        .contains(&format!(r#"name="compare" value="{evening}""#)));
    assert!(results.text.contains(r#"formaction="/compare""#));

    let path = format!("/compare?q=personal+assistant&compare={weekend}&compare={evening}");
    let page = browser.get(&app, &path).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text);
    assert_accessible(&page, &path);
    let weekend_at = page.text.find("Weekend personal assistant").unwrap();
    let evening_at = page.text.find("Evening personal assistant").unwrap();
    assert!(weekend_at < evening_at, "columns keep the order chosen");
    assert!(page.text.contains("£16.00 an hour") && page.text.contains("£14.50 an hour"));
    assert!(page.text.contains("Weekday evenings") && page.text.contains("Weekends"));
    assert!(page.text.contains(r#"href="/search?q=personal+assistant""#));

    for (path, says) in [
        (format!("/compare?compare={evening}"), "Choose at least 2"),
        (
            "/compare?compare=1&compare=abc".to_owned(),
            "is not a listing",
        ),
        (
            "/compare?compare=1&compare=2&compare=3&compare=4&compare=5".to_owned(),
            "up to 4",
        ),
    ] {
        let page = browser.get(&app, &path).await;
        assert_eq!(page.status, StatusCode::BAD_REQUEST, "{path}");
        assert!(page.text.contains(says), "{path}: {}", page.text);
        assert_accessible(&page, &path);
    }
    let missing = browser
        .get(&app, &format!("/compare?compare={evening}&compare=999999"))
        .await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
}
