//! How search behaves, whichever engine answers: the embedded one always,
//! Meilisearch as well whenever `MEILI_URL` is set (each test then has an
//! index of its own). Listings go in through the API and reach the engine
//! through the outbox, as in production.

use crate::common;

use std::collections::BTreeSet;

use actix_web::http::{Method, StatusCode};
use common::{count_rows, TestApp};
use serde_json::{json, Value};

struct Market {
    app: TestApp,
    tokens: Vec<String>,
    ids: std::collections::HashMap<&'static str, i64>,
}

/// A listing: what and in which category, its price and unit, where it is based and which districts it serves.
fn listing(
    what: (&str, &str),
    price: (&str, &str),
    place: (&str, &[&str]),
    availability: &[&str],
    languages: &[&str],
) -> Value {
    let (title, category) = what;
    json!({"title": title, "description": format!("{title}. Friendly, reliable and local."), "category": category,
           "price": {"amount": price.0, "unit": price.1}, "postcode": place.0, "areas": place.1,
           "availability": availability, "languages": languages})
}

async fn market() -> Market {
    let app = TestApp::spawn().await;
    let mut tokens = Vec::new();
    let mut ids = std::collections::HashMap::new();
    let sellers = [
        ("fatima@example.org", "personal_assistant"),
        ("tom@example.org", "personal_assistant"),
        ("agency@example.org", "provider"),
    ];
    for (email, role) in sellers {
        tokens.push(app.account(email, role).await.1);
    }
    let mut evening = listing(
        ("Evening personal assistant", "personal_assistant"),
        ("14.50", "hour"),
        ("M14 5AB", &["M15"]),
        &["weekday_evening"],
        &["en", "ur"],
    );
    evening["tags"] = json!(["driver"]);
    let mut weekend = listing(
        ("Weekend personal assistant", "personal_assistant"),
        ("16.00", "hour"),
        ("M21 9JE", &["M20"]),
        &["weekend"],
        &["en"],
    );
    weekend["employment"] = json!("employed_by_holder");
    let mut home_care = listing(
        ("Home care visits", "personal_care"),
        ("24.00", "hour"),
        ("M16 7AB", &["M14"]),
        &["weekday_day", "weekday_evening"],
        &["en"],
    );
    home_care["accepting_clients"] = json!(false);
    let offers: Vec<(&'static str, usize, Value)> = vec![
        ("evening", 0, evening),
        ("weekend", 1, weekend),
        ("home_care", 2, home_care),
        (
            "respite",
            2,
            listing(
                ("Respite short breaks", "short_breaks"),
                ("150.00", "night"),
                ("M14 4PR", &[]),
                &["night"],
                &["en"],
            ),
        ),
        (
            "sitting",
            2,
            listing(
                ("Sitting service", "companionship"),
                ("18.00", "hour"),
                ("M20 6RT", &["M14"]),
                &["weekday_day"],
                &["en", "pl"],
            ),
        ),
        (
            "day_centre",
            2,
            listing(
                ("Day centre with lunch", "day_opportunities"),
                ("55.00", "day"),
                ("M9 4FS", &["M8"]),
                &["weekday_day"],
                &["en"],
            ),
        ),
        (
            "cafe",
            2,
            listing(
                ("Café club for carers", "carers_support"),
                ("20.00", "session"),
                ("M13 9PL", &["M14"]),
                &["weekday_day"],
                &["en"],
            ),
        ),
    ];
    for (name, seller, body) in offers {
        let reply = app
            .post("/api/v1/listings", Some(&tokens[seller]), body)
            .await;
        assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text);
        ids.insert(name, reply.json()["id"].as_i64().unwrap());
    }
    let mut draft = listing(
        ("Draft personal assistant", "personal_assistant"),
        ("13.00", "hour"),
        ("M14", &[]),
        &[],
        &["en"],
    );
    draft["status"] = json!("draft");
    ids.insert(
        "draft",
        app.post("/api/v1/listings", Some(&tokens[0]), draft)
            .await
            .json()["id"]
            .as_i64()
            .unwrap(),
    );
    app.wait_for_search().await;
    Market { app, tokens, ids }
}

impl Market {
    async fn search(&self, query: &str) -> Value {
        let reply = self.app.get(&format!("/api/v1/search?{query}"), None).await;
        assert_eq!(reply.status, StatusCode::OK, "{query}: {}", reply.text);
        reply.json()
    }

    async fn found(&self, query: &str) -> BTreeSet<&'static str> {
        let body = self.search(query).await;
        let ids: BTreeSet<i64> = body["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["id"].as_i64().unwrap())
            .collect();
        self.ids
            .iter()
            .filter(|(_, id)| ids.contains(id))
            .map(|(name, _)| *name)
            .collect()
    }
}

fn set(names: &[&'static str]) -> BTreeSet<&'static str> {
    names.iter().copied().collect()
}

#[actix_web::test]
async fn words_typos_and_synonyms() {
    let m = market().await;
    assert_eq!(
        m.found("q=personal+assistant").await,
        set(&["evening", "weekend"])
    );
    assert_eq!(
        m.found("q=persnal+asistant").await,
        set(&["evening", "weekend"]),
        "typos"
    );
    assert_eq!(
        m.found("q=PA").await,
        set(&["evening", "weekend"]),
        "PA is a personal assistant"
    );
    assert_eq!(
        m.found("q=sitter").await,
        set(&["sitting"]),
        "a sitter is a sitting service"
    );
    assert_eq!(
        m.found("q=day+service").await,
        set(&["day_centre"]),
        "a day service is a day centre"
    );
    assert_eq!(m.found("q=cafe").await, set(&["cafe"]), "accents fold");
    assert!(
        m.found("q=cafr").await.is_empty(),
        "no typos in words under five letters"
    );
    assert_eq!(
        m.found("q=respit").await,
        set(&["respite"]),
        "one typo from five letters"
    );
    assert!(m.found("q=zebra+crossing").await.is_empty());
    assert_eq!(m.found("q=draft").await, set(&[]), "drafts are never found");
    let body = m.search("q=PA").await;
    let engine = if std::env::var("MEILI_URL").is_ok() {
        "meilisearch"
    } else {
        "embedded"
    };
    assert_eq!(body["engine"], engine);
}

#[actix_web::test]
async fn a_whole_sentence_finds_the_right_person() {
    let m = market().await;
    let body = m
        .search("q=a+personal+assistant+for+evenings+near+M14+who+speaks+Urdu")
        .await;
    let ids: Vec<i64> = body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids, [m.ids["evening"]]);
    assert_eq!(body["items"][0]["distance_km"], 0.0);
    assert_eq!(body["items"][0]["provider"]["name"], "Test Person");
    assert_eq!(
        body["items"][0]["price"],
        json!({"amount": "14.50", "unit": "hour"})
    );
}

#[actix_web::test]
async fn every_filter_narrows() {
    let m = market().await;
    assert_eq!(
        m.found("category=personal_assistant").await,
        set(&["evening", "weekend"])
    );
    assert_eq!(m.found("area=M15").await, set(&["evening"]));
    assert_eq!(
        m.found("area=m15+3ab").await,
        set(&["evening"]),
        "a full postcode means its district"
    );
    assert_eq!(
        m.found("area=M14").await,
        set(&["evening", "home_care", "respite", "sitting", "cafe"])
    );
    assert_eq!(m.found("availability=night").await, set(&["respite"]));
    assert_eq!(
        m.found("availability=night&availability=weekend").await,
        set(&["respite", "weekend"]),
        "any of the bands"
    );
    assert_eq!(m.found("language=ur").await, set(&["evening"]));
    assert_eq!(m.found("language=pl").await, set(&["sitting"]));
    assert_eq!(m.found("max_price=15.00").await, set(&["evening"]));
    assert_eq!(
        m.found("kind=personal_assistant").await,
        set(&["evening", "weekend"])
    );
    assert_eq!(
        m.found("employment=employed_by_holder").await,
        set(&["weekend"])
    );
    assert!(!m.found("accepting=true").await.contains("home_care"));
    assert_eq!(
        m.found("q=home+care&accepting=false").await,
        set(&["home_care"])
    );
    assert_eq!(
        m.found("category=personal_assistant&area=M20").await,
        set(&["weekend"])
    );
}

#[actix_web::test]
async fn facets_count_what_matched() {
    let m = market().await;
    let body = m.search("area=M14").await;
    assert_eq!(body["total"], 5);
    assert_eq!(body["facets"]["category"]["personal_assistant"], 1);
    assert_eq!(body["facets"]["category"]["short_breaks"], 1);
    assert_eq!(body["facets"]["availability"]["weekday_evening"], 2);
    assert_eq!(body["facets"]["language"]["en"], 5);
    assert_eq!(body["facets"]["language"]["ur"], 1);
}

#[actix_web::test]
async fn sorting_by_price_and_by_distance() {
    let m = market().await;
    let by_price = m.search("category=personal_assistant&sort=price").await;
    let prices: Vec<&str> = by_price["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["price"]["amount"].as_str().unwrap())
        .collect();
    assert_eq!(prices, ["14.50", "16.00"]);

    let near = m.search("area=M14&sort=distance").await;
    let distances: Vec<f64> = near["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["distance_km"].as_f64().unwrap())
        .collect();
    assert_eq!(distances.len(), 5);
    assert!(distances.windows(2).all(|w| w[0] <= w[1]), "{distances:?}");
    assert_eq!(distances[0], 0.0, "listings based in M14 come first");
    assert!(distances[4] > 1.0);
    m.app
        .get("/api/v1/search?sort=distance", None)
        .await
        .problem(422);
}

#[actix_web::test]
async fn pages_do_not_overlap() {
    let m = market().await;
    let first = m.search("per_page=3&page=1&sort=price").await;
    let second = m.search("per_page=3&page=2&sort=price").await;
    let third = m.search("per_page=3&page=3&sort=price").await;
    assert_eq!(first["total"], 7);
    assert_eq!(first["per_page"], 3);
    let ids = |page: &Value| -> Vec<i64> {
        page["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["id"].as_i64().unwrap())
            .collect()
    };
    let mut all: Vec<i64> = [ids(&first), ids(&second), ids(&third)].concat();
    assert_eq!(all.len(), 7);
    all.sort_unstable();
    all.dedup();
    assert_eq!(all.len(), 7, "no listing on two pages");
    m.app
        .get("/api/v1/search?per_page=101", None)
        .await
        .problem(422);
}

#[actix_web::test]
async fn changes_reach_search_and_withdrawn_listings_leave_it() {
    let m = market().await;
    let path = format!("/api/v1/listings/{}", m.ids["sitting"]);
    m.app
        .send(
            Method::PATCH,
            &path,
            Some(&m.tokens[2]),
            Some(json!({"title": "Sitting and befriending service"})),
        )
        .await;
    // Searchable within a second.
    let mut seen = false;
    for _ in 0..20 {
        if m.found("q=befriending+service").await.contains("sitting") {
            seen = true;
            break;
        }
        actix_web::rt::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert!(seen, "the change was not searchable within a second");

    m.app
        .send(Method::DELETE, &path, Some(&m.tokens[2]), None)
        .await;
    let pause = format!("/api/v1/listings/{}", m.ids["respite"]);
    m.app
        .send(
            Method::PATCH,
            &pause,
            Some(&m.tokens[2]),
            Some(json!({"status": "paused"})),
        )
        .await;
    m.app.wait_for_search().await;
    assert!(!m.found("q=sitting").await.contains("sitting"), "withdrawn");
    assert!(
        !m.found("availability=night").await.contains("respite"),
        "paused"
    );
    assert_eq!(m.search("").await["total"], 5);
}

#[actix_web::test]
async fn odd_input_is_handled() {
    let m = market().await;
    for q in [
        "%22quoted%22",
        "(brackets)+AND+OR",
        "%F0%9F%98%80",
        "'%3B+DROP+TABLE+listings%3B--",
        "%5C%5C%5C",
        "a",
        "M14",
        "-",
        "%2A",
    ] {
        let reply = m.app.get(&format!("/api/v1/search?q={q}"), None).await;
        assert_eq!(reply.status, StatusCode::OK, "{q}: {}", reply.text);
    }
    // A long query is searched (on its first words); past the limit for any
    // one-line field, it is refused naming the parameter.
    let long = "care+".repeat(190);
    assert_eq!(
        m.app
            .get(&format!("/api/v1/search?q={long}"), None)
            .await
            .status,
        StatusCode::OK
    );
    let too_long = "care+".repeat(3_000);
    let refused = m
        .app
        .get(&format!("/api/v1/search?q={too_long}"), None)
        .await
        .problem(422);
    assert!(refused["errors"]["q"].is_array(), "{refused}");
    let problem = m
        .app
        .get(
            "/api/v1/search?category=magic&area=nowhere&language=xx",
            None,
        )
        .await
        .problem(422);
    for field in ["category", "area", "language"] {
        assert!(problem["errors"][field].is_array(), "{field}");
    }
    assert_eq!(
        count_rows(&mut m.app.db(), "listings"),
        8,
        "searching changes nothing"
    );
}

#[actix_web::test]
async fn every_search_is_recorded_without_who_made_it() {
    let m = market().await;
    m.search("q=night+sitter&area=M14").await;
    m.search("q=zebra&category=transport").await;
    let mut recorded = 0;
    for _ in 0..60 {
        recorded = count_rows(&mut m.app.db(), "search_events");
        if recorded >= 2 {
            break;
        }
        actix_web::rt::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(recorded, 2);
    use bespoke::store::schema::search_events::dsl::*;
    use diesel::prelude::*;
    type Recorded = (String, Option<String>, Option<String>, Option<String>, i64);
    let rows: Vec<Recorded> = search_events
        .order(id)
        .select((query, category, district, council_code, result_count))
        .load(&mut *m.app.db())
        .unwrap();
    assert_eq!(rows[0].0, "night sitter");
    assert_eq!(rows[0].2.as_deref(), Some("M14"));
    assert_eq!(
        rows[0].3.as_deref(),
        Some("E08000003"),
        "the council of the searched district"
    );
    assert_eq!(
        rows[1],
        ("zebra".into(), Some("transport".into()), None, None, 0)
    );
}
