//! The Open Referral feed validated against the UK profile's schemas.

use crate::common;
use crate::market_api::seller;
use bespoke::domain::ids::ListingId;

use actix_web::http::{Method, StatusCode};
use common::TestApp;
use serde_json::{json, Value};

fn validator(schema_file: &str) -> jsonschema::Validator {
    let text = std::fs::read_to_string(format!(
        "{}/tests/fixtures/oruk/{schema_file}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap();
    let schema: Value = serde_json::from_str(&text).unwrap();
    jsonschema::options()
        .should_validate_formats(true)
        .build(&schema)
        .expect("the profile's schema compiles")
}

fn assert_valid(validator: &jsonschema::Validator, instance: &Value) {
    let errors: Vec<String> = validator
        .iter_errors(instance)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}\n{instance:#}");
}

#[actix_web::test]
async fn the_open_referral_feed_validates_against_the_uk_profile() {
    let app = TestApp::spawn().await;
    let (_, _, first) = seller(&app, "care@example.org", "provider", "18.50").await;
    let (_, pa_token, second) = seller(&app, "pa@example.org", "personal_assistant", "14.00").await;
    let (_, _, third) = seller(&app, "other@example.org", "provider", "21.00").await;
    let withdrawn = app
        .send(
            Method::DELETE,
            &format!("/api/v1/listings/{second}"),
            Some(&pa_token),
            None,
        )
        .await;
    assert!(withdrawn.status.is_success(), "{}", withdrawn.text);

    let page_one = app.get("/openreferral/services?per_page=1", None).await;
    assert_eq!(page_one.status, StatusCode::OK, "{}", page_one.text);
    assert_eq!(
        page_one.header("access-control-allow-origin").as_deref(),
        Some("*")
    );
    let body = page_one.json();
    assert_eq!(
        [
            &body["total_items"],
            &body["total_pages"],
            &body["page_number"],
            &body["size"]
        ],
        [&json!(2), &json!(2), &json!(1), &json!(1)]
    );
    assert_eq!(
        (&body["first_page"], &body["last_page"], &body["empty"]),
        (&json!(true), &json!(false), &json!(false))
    );
    let list_item = validator("service_list.json");
    for service in body["contents"].as_array().unwrap() {
        assert_valid(&list_item, service);
    }
    let all = app.get("/openreferral/services", None).await.json();
    let names: Vec<&str> = all["contents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        ["Care from care@example.org", "Care from other@example.org"],
        "live listings only, in id order"
    );

    let full = validator("service.json");
    let id = all["contents"][0]["id"].as_str().unwrap().to_owned();
    let one = app.get(&format!("/openreferral/services/{id}"), None).await;
    assert_eq!(one.status, StatusCode::OK, "{}", one.text);
    let service = one.json();
    assert_valid(&full, &service);
    assert_eq!(service["id"], id.as_str());
    assert_eq!(service["status"], "active");
    assert_eq!(service["cost_options"][0]["amount"], json!(18.5));
    assert_eq!(service["service_areas"][0]["name"], "M14");
    assert_eq!(
        service["attributes"][0]["taxonomy_term"]["term"],
        "personal_care"
    );
    assert!(service["url"]
        .as_str()
        .unwrap()
        .ends_with(&format!("/listings/{first}")));
    // The id is stable: the same on every reading.
    assert_eq!(
        app.get("/openreferral/services", None).await.json()["contents"][0]["id"],
        id.as_str()
    );

    let other_id = all["contents"][1]["id"].as_str().unwrap();
    assert_ne!(other_id, id);
    let _ = third;
    for missing in [
        uuid::Uuid::new_v4().to_string(),
        "not-a-uuid".to_owned(),
        bespoke::services::openreferral::service_id(ListingId(second)).to_string(),
    ] {
        let reply = app
            .get(&format!("/openreferral/services/{missing}"), None)
            .await;
        reply.problem(404);
        assert_eq!(
            reply.header("access-control-allow-origin").as_deref(),
            Some("*")
        );
    }
    app.get("/openreferral/services?per_page=0", None)
        .await
        .problem(422);
}
