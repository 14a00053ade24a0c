//! Postcodes, districts and councils.

use crate::common;

use actix_web::http::StatusCode;
use common::{count_rows, TestApp};

#[actix_web::test]
async fn a_postcode_resolves_to_its_district_and_council() {
    let app = TestApp::spawn().await;
    let reply = app.get("/api/v1/places?postcode=m14%205ab", None).await;
    assert_eq!(reply.status, StatusCode::OK);
    let place = reply.json();
    assert_eq!(place["postcode"], "M14 5AB");
    assert_eq!(place["district"], "M14");
    assert_eq!(place["council"]["code"], "E08000003");
    assert_eq!(place["council"]["name"], "Manchester");
    assert!(place["latitude"].as_f64().unwrap() > 53.0);

    let district = app.get("/api/v1/places?postcode=WA15", None).await.json();
    assert_eq!(district["council"]["name"], "Trafford");
    assert!(district["postcode"].is_null());
}

#[actix_web::test]
async fn nonsense_and_unknown_postcodes_are_explained() {
    let app = TestApp::spawn().await;
    let nonsense = app
        .get("/api/v1/places?postcode=hello%20world", None)
        .await
        .problem(422);
    assert!(nonsense["errors"]["postcode"][0]
        .as_str()
        .unwrap()
        .contains("M14 5AB"));
    let unknown = app
        .get("/api/v1/places?postcode=ZZ9%209ZZ", None)
        .await
        .problem(422);
    assert!(unknown["errors"]["postcode"][0]
        .as_str()
        .unwrap()
        .contains("ZZ9"));
    app.get("/api/v1/places", None).await.problem(422);
}

#[actix_web::test]
async fn councils_are_listed_in_pages_and_stored() {
    let app = TestApp::spawn().await;
    let first = app.get("/api/v1/councils?per_page=100", None).await.json();
    assert_eq!(first["total"], 175);
    assert_eq!(first["items"].as_array().unwrap().len(), 100);
    let second = app
        .get("/api/v1/councils?page=2&per_page=100", None)
        .await
        .json();
    assert_eq!(second["items"].as_array().unwrap().len(), 75);
    assert_eq!(second["page"], 2);
    assert_eq!(count_rows(&mut app.db(), "councils"), 175);
}
