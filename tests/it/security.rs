//! Safe by default (issue 22): tried as an attacker would, on both databases.
//! Conflicts of interest have their own tests in brokers_api.rs; the demo's
//! rule in startup.rs; throttling's pure rule in the domain's unit tests.

use crate::common;

use std::time::Duration;

use actix_web::http::{Method, StatusCode};
use common::{location, signed_in, Browser, TestApp, PASSWORD};
use serde_json::{json, Value};

/// Posts a sign-in as if from `client`, through a trusted proxy at 127.0.0.1.
async fn sign_in_from(app: &TestApp, client: &str, email: &str, password: &str) -> (u16, Value) {
    let mut response = app
        .server
        .post("/api/v1/sessions")
        .insert_header(("X-Forwarded-For", client))
        .send_json(&json!({"email": email, "password": password}))
        .await
        .expect("an answer");
    let status = response.status().as_u16();
    let body: Value = response.json().await.unwrap_or(Value::Null);
    (status, body)
}

#[actix_web::test]
async fn sign_in_throttling_slows_a_guesser_without_locking_the_person_out() {
    let app = TestApp::spawn_with(&[("BESPOKE_TRUSTED_PROXIES", "127.0.0.1")]).await;
    app.register("target@example.org", "provider").await;
    let attacker = "198.51.100.7";
    for attempt in 1..=3 {
        let (status, _) = sign_in_from(&app, attacker, "target@example.org", "guess").await;
        assert_eq!(status, 401, "attempt {attempt}");
    }
    // The fourth guess straight away must wait a second, even with the right password.
    let (status, body) = sign_in_from(&app, attacker, "target@example.org", PASSWORD).await;
    assert_eq!(status, 429, "{body}");
    assert_eq!(body["retry_after"], 1, "{body}");
    // The person, from their own address, signs in at once.
    let (status, body) = sign_in_from(&app, "203.0.113.5", "target@example.org", PASSWORD).await;
    assert_eq!(status, 200, "{body}");
    // The guesser's waits grow: after the wait, one more guess, then two seconds.
    actix_web::rt::time::sleep(Duration::from_millis(1100)).await;
    let (status, _) = sign_in_from(&app, attacker, "target@example.org", "guess").await;
    assert_eq!(status, 401);
    let (status, body) = sign_in_from(&app, attacker, "target@example.org", "guess").await;
    assert_eq!(status, 429);
    // Two seconds from the last guess (one, if the machine was slow to answer).
    let wait = body["retry_after"].as_i64().unwrap();
    assert!((1..=2).contains(&wait), "{body}");

    // Guessing across many emails from one address is held back as a whole.
    let sprayer = "192.0.2.44";
    let limit = bespoke::domain::accounts::CLIENT_SIGN_IN_LIMIT;
    for n in 0..limit {
        let (status, _) = sign_in_from(&app, sprayer, &format!("n{n}@example.org"), "guess").await;
        assert_eq!(status, 401, "guess {n}");
    }
    let (status, body) = sign_in_from(&app, sprayer, "target@example.org", PASSWORD).await;
    assert_eq!(status, 429, "{body}");
    // Someone at another address is not held back by either.
    let (status, _) = sign_in_from(&app, "10.9.9.9", "target@example.org", PASSWORD).await;
    assert_eq!(status, 200);
}

#[actix_web::test]
async fn guesses_sent_all_at_once_still_count_each_other() {
    let app = TestApp::spawn_with(&[("BESPOKE_TRUSTED_PROXIES", "127.0.0.1")]).await;
    app.register("target@example.org", "provider").await;
    // Twenty guesses at the same moment: each attempt is recorded before its
    // password is checked, so most find the others and wait.
    let guesses =
        (0..20).map(|_| sign_in_from(&app, "198.51.100.8", "target@example.org", "guess"));
    let answers = futures_util::future::join_all(guesses).await;
    let tried = answers.iter().filter(|(status, _)| *status == 401).count();
    let held = answers.iter().filter(|(status, _)| *status == 429).count();
    assert_eq!(tried + held, 20, "{answers:?}");
    assert!(tried <= 6, "{tried} of 20 guesses were tried: {answers:?}");
    // The person elsewhere is not affected.
    let (status, _) = sign_in_from(&app, "203.0.113.5", "target@example.org", PASSWORD).await;
    assert_eq!(status, 200);
}

#[actix_web::test]
async fn one_email_guessed_at_from_many_addresses_is_slowed_too() {
    let app = TestApp::spawn_with(&[("BESPOKE_TRUSTED_PROXIES", "127.0.0.1")]).await;
    app.register("target@example.org", "provider").await;
    let limit = bespoke::domain::accounts::ACCOUNT_SIGN_IN_LIMIT;
    for n in 0..limit {
        let (status, _) = sign_in_from(
            &app,
            &format!("198.51.100.{n}"),
            "target@example.org",
            "guess",
        )
        .await;
        assert_eq!(status, 401, "guess {n}");
    }
    let (status, body) = sign_in_from(&app, "203.0.113.77", "target@example.org", "guess").await;
    assert_eq!(status, 429, "{body}");
    let wait = body["retry_after"].as_i64().unwrap();
    assert!((1..=30).contains(&wait), "{body}");
    // Addresses in one IPv6 /64 count as one.
    for n in 1..=3 {
        let (status, _) = sign_in_from(
            &app,
            &format!("2001:db8:1:2::{n}"),
            "other@example.org",
            "guess",
        )
        .await;
        assert_eq!(status, 401);
    }
    let (status, _) = sign_in_from(&app, "2001:db8:1:2::99", "other@example.org", "guess").await;
    assert_eq!(status, 429);
}

#[actix_web::test]
async fn forwarded_for_is_not_believed_without_a_trusted_proxy() {
    let app = TestApp::spawn().await;
    app.register("target@example.org", "provider").await;
    for n in 0..3 {
        // Each guess claims another address; all come from 127.0.0.1.
        let (status, _) =
            sign_in_from(&app, &format!("198.51.100.{n}"), "target@example.org", "x").await;
        assert_eq!(status, 401);
    }
    let (status, _) = sign_in_from(&app, "198.51.100.99", "target@example.org", "guess").await;
    assert_eq!(status, 429);
}

#[actix_web::test]
async fn every_answer_carries_the_security_headers_and_a_request_id() {
    let app = TestApp::spawn_with(&[("BESPOKE_SECURE_COOKIES", "1")]).await;
    let (_, token) = app.account("someone@example.org", "provider").await;
    let browser = Browser::new();
    for reply in [
        browser.get(&app, "/").await,
        app.get("/api/v1/vocabularies", None).await,
        app.get("/api/v1/no-such-thing", None).await,
    ] {
        assert_eq!(
            reply.header("x-content-type-options").as_deref(),
            Some("nosniff")
        );
        assert_eq!(
            reply.header("referrer-policy").as_deref(),
            Some("same-origin")
        );
        let csp = reply.header("content-security-policy").unwrap();
        assert!(csp.contains("frame-ancestors 'none'") && csp.contains("script-src 'none'"));
        assert!(reply.header("strict-transport-security").is_some());
        assert!(reply.header("x-request-id").is_some());
    }
    // Not signed in, and nothing handed out: caching is the browser's business.
    for path in ["/api/v1/vocabularies", "/api/v1/councils"] {
        let reply = app.get(path, None).await;
        assert_ne!(
            reply.header("cache-control").as_deref(),
            Some("no-store"),
            "{path}"
        );
    }
    // Signing in hands out a token: never stored.
    let signed = app
        .post(
            "/api/v1/sessions",
            None,
            json!({"email": "someone@example.org", "password": PASSWORD}),
        )
        .await;
    assert_eq!(signed.header("cache-control").as_deref(), Some("no-store"));
    let me = app.get("/api/v1/me", Some(&token)).await;
    assert_eq!(me.header("cache-control").as_deref(), Some("no-store"));
    let signed = signed_in(&app, "someone@example.org").await;
    let home = signed.get(&app, "/home").await;
    assert_eq!(home.status, StatusCode::OK);
    assert_eq!(home.header("cache-control").as_deref(), Some("no-store"));

    // A well-formed incoming request id is kept, anything else replaced.
    let kept = app
        .server
        .get("/healthz")
        .insert_header(("X-Request-Id", "trace-42.a_b"))
        .send()
        .await
        .unwrap();
    assert_eq!(kept.headers().get("x-request-id").unwrap(), "trace-42.a_b");
    let replaced = app
        .server
        .get("/healthz")
        .insert_header(("X-Request-Id", "<script>"))
        .send()
        .await
        .unwrap();
    assert_ne!(replaced.headers().get("x-request-id").unwrap(), "<script>");
}

#[actix_web::test]
async fn hsts_only_when_served_over_https() {
    let app = TestApp::spawn().await;
    let reply = app.get("/healthz", None).await;
    assert!(reply.header("strict-transport-security").is_none());
}

/// Signs in on the page with `next` in the form.
async fn sign_in_going_to(app: &TestApp, next: &str) -> common::Reply {
    let browser = Browser::new();
    browser.get(app, "/sign-in").await;
    browser
        .post_form(
            app,
            "/sign-in",
            &[
                ("email", "someone@example.org"),
                ("password", PASSWORD),
                ("next", next),
            ],
        )
        .await
}

#[actix_web::test]
async fn after_signing_in_only_paths_on_this_site_are_followed() {
    let app = TestApp::spawn().await;
    app.register("someone@example.org", "provider").await;
    let cases = [
        ("/plans?page=2", "/plans?page=2"),
        ("//evil.example/", "/home"),
        ("/\\evil.example", "/home"),
        ("https://evil.example/", "/home"),
        ("javascript:alert(1)", "/home"),
        ("", "/home"),
    ];
    for (next, expected) in cases {
        let reply = sign_in_going_to(&app, next).await;
        assert_eq!(
            reply.status,
            StatusCode::SEE_OTHER,
            "{next}: {}",
            reply.text
        );
        assert_eq!(location(&reply), expected, "{next}");
    }
    // A tab, a carriage return or a newline is refused outright: 400, never 500.
    for next in [
        "/%09/evil.example",
        "/%0d%0aSet-Cookie:x=1",
        "/\t/evil.example",
    ] {
        let browser = Browser::new();
        let page = browser
            .get(
                &app,
                &format!("/sign-in?next={}", next.replace('\t', "%09")),
            )
            .await;
        assert_eq!(page.status, StatusCode::BAD_REQUEST, "{next}");
    }
    let reply = sign_in_going_to(&app, "/\r\n/x").await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
}

#[actix_web::test]
async fn control_and_direction_characters_are_refused_naming_the_field() {
    let app = TestApp::spawn().await;
    let (_, token) = app.account("seller@example.org", "provider").await;
    // JSON bodies, at any depth.
    let reply = app
        .post(
            "/api/v1/sessions",
            None,
            json!({"email": "someone\u{0}@example.org", "password": "x"}),
        )
        .await;
    let problem = reply.problem(422);
    assert!(problem["errors"]["email"].is_array(), "{problem}");
    let reply = app
        .post(
            "/api/v1/accounts",
            None,
            json!({"email": "new@example.org", "password": PASSWORD, "role": "provider",
                   "name": "Moss Side \u{202E}eraC"}),
        )
        .await;
    let problem = reply.problem(422);
    assert!(
        problem["errors"]["name"][0]
            .as_str()
            .unwrap()
            .contains("U+202E"),
        "{problem}"
    );
    let reply = app
        .post(
            "/api/v1/listings",
            Some(&token),
            json!({"title": "Evenings", "category": "home_help", "postcode": "M14 5AB",
                   "price": {"amount": "15.00", "unit": "hour"},
                   "description": "two lines\nare fine", "areas": ["M14", "M1\u{1}5"]}),
        )
        .await;
    let problem = reply.problem(422);
    assert!(problem["errors"]["areas[1]"].is_array(), "{problem}");
    // A description may have line breaks; a title may not.
    let reply = app
        .post(
            "/api/v1/listings",
            Some(&token),
            json!({"title": "Two\nlines", "category": "home_help", "postcode": "M14 5AB",
                   "price": {"amount": "15.00", "unit": "hour"}}),
        )
        .await;
    assert!(reply.problem(422)["errors"]["title"].is_array());
    // Query parameters.
    let reply = app.get("/api/v1/search?q=care%00home", None).await;
    assert!(reply.problem(422)["errors"]["q"].is_array());
    // Over-long text.
    let reply = app
        .send(
            Method::PATCH,
            "/api/v1/me",
            Some(&token),
            Some(json!({"name": "x".repeat(5_000)})),
        )
        .await;
    assert!(reply.problem(422)["errors"]["name"].is_array());
    // Forms on pages answer with a page that names the field.
    let browser = Browser::new();
    browser.get(&app, "/sign-in").await;
    let reply = browser
        .post_form(
            &app,
            "/sign-in",
            &[("email", "seller\0@example.org"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        reply.text.contains("email") || reply.text.contains("Email"),
        "{}",
        reply.text
    );
    // Nothing of it reached the database, and the app is fine.
    assert_eq!(app.get("/healthz", None).await.status, StatusCode::OK);
}

#[actix_web::test]
async fn bodies_that_could_slip_past_the_check_are_checked_or_refused() {
    let app = TestApp::spawn().await;
    let nul = br#"{"email": "a\u0000b@example.org", "password": "x"}"#.to_vec();
    // JSON under another json type is still JSON.
    let reply = app
        .send_raw(Method::POST, "/api/v1/sessions", "text/json", nul.clone())
        .await;
    assert!(reply.problem(422)["errors"]["email"].is_array());
    // A compressed body cannot be checked: refused.
    let response = app
        .server
        .post("/api/v1/sessions")
        .insert_header(("Content-Type", "application/json"))
        .insert_header(("Content-Encoding", "gzip"))
        .send_body(nul)
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 415);
    // A page form sent as text/plain is read as the form it is.
    let browser = Browser::new();
    browser.get(&app, "/sign-in").await;
    let token = browser.cookie("bespoke_csrf").unwrap();
    let response = app
        .server
        .post("/sign-in")
        .insert_header(("Cookie", format!("bespoke_csrf={token}")))
        .insert_header(("Content-Type", "text/plain"))
        .send_body(format!(
            "csrf_token={token}&email=a%00b%40example.org&password=x"
        ))
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 422);
}

#[actix_web::test]
async fn a_personal_assistants_home_postcode_never_leaves_the_server() {
    let app = TestApp::spawn().await;
    let (pa_id, pa) = app
        .account("fatima@example.org", "personal_assistant")
        .await;
    let created = app
        .post(
            "/api/v1/listings",
            Some(&pa),
            json!({"title": "Evening support", "category": "personal_assistant",
                   "price": {"amount": "15.00", "unit": "hour"},
                   "postcode": "M14 7HR", "areas": ["M14", "M15"]}),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text);
    let id = created.json()["id"].as_i64().unwrap();
    let published = app
        .send(
            Method::PATCH,
            &format!("/api/v1/listings/{id}"),
            Some(&pa),
            Some(json!({"status": "published"})),
        )
        .await;
    assert_eq!(published.status, StatusCode::OK, "{}", published.text);
    let saved = app
        .send(
            Method::PUT,
            "/api/v1/sellers/me",
            Some(&pa),
            Some(json!({"postcode": "M14 7HR"})),
        )
        .await;
    assert!(saved.status.is_success(), "{}", saved.text);
    app.wait_for_search().await;

    // The owner sees their own postcode ...
    let own = app
        .get(&format!("/api/v1/listings/{id}"), Some(&pa))
        .await
        .json();
    assert_eq!(own["postcode"], "M14 7HR");
    // ... nobody else does, anywhere.
    let (_, other) = app.account("nosy@example.org", "provider").await;
    let browser = Browser::new();
    let answers = [
        app.get(&format!("/api/v1/listings/{id}"), None).await.text,
        app.get(&format!("/api/v1/listings/{id}"), Some(&other))
            .await
            .text,
        app.get(&format!("/api/v1/sellers/{pa_id}"), None)
            .await
            .text,
        app.get("/api/v1/search?q=evening", None).await.text,
        app.get("/openreferral/services", None).await.text,
        browser.get(&app, &format!("/listings/{id}")).await.text,
        browser.get(&app, &format!("/sellers/{pa_id}")).await.text,
        browser.get(&app, "/search?q=evening").await.text,
    ];
    for (i, text) in answers.iter().enumerate() {
        assert!(
            !text.contains("7HR"),
            "answer {i} shows the postcode: {text}"
        );
        assert!(
            !text.contains("Home Street"),
            "answer {i} shows the address"
        );
    }
    let public = app
        .get(&format!("/api/v1/listings/{id}"), None)
        .await
        .json();
    assert_eq!(public["postcode"], "M14");
    assert_eq!(public["district"], "M14");
}

#[cfg(unix)]
#[actix_web::test]
async fn files_in_the_data_directory_are_readable_by_bespoke_alone() {
    use std::os::unix::fs::PermissionsExt;
    let app = TestApp::spawn().await;
    let (holder_id, holder) = app.account("holder@example.org", "budget_holder").await;
    let (_, officer) = app.commissioner("officer@council.example").await;
    app.approved_plan(
        (holder_id, &holder),
        &officer,
        json!([{"mode": "direct_payment", "amount": "1000.00"}]),
    )
    .await;
    let dir = app.database.dir.path().to_owned();
    // Messages are written as files when there is no SMTP server.
    for _ in 0..100 {
        let written = std::fs::read_dir(dir.join("mail"))
            .map(|d| d.count())
            .unwrap_or(0);
        if written > 0 {
            break;
        }
        actix_web::rt::time::sleep(Duration::from_millis(50)).await;
    }
    // An older version's leftover, readable by everyone: closed up at the next start.
    let leftover = dir.join("leftover.txt");
    std::fs::write(&leftover, "personal").unwrap();
    std::fs::set_permissions(&leftover, std::fs::Permissions::from_mode(0o644)).unwrap();
    let database = app.stop().await;
    let again = TestApp::spawn_on(database, &[]).await;

    fn walk(path: &std::path::Path, found: &mut Vec<(std::path::PathBuf, u32)>) {
        let meta = std::fs::symlink_metadata(path).unwrap();
        found.push((path.to_owned(), meta.permissions().mode() & 0o777));
        if meta.is_dir() {
            for entry in std::fs::read_dir(path).unwrap() {
                walk(&entry.unwrap().path(), found);
            }
        }
    }
    let mut found = Vec::new();
    walk(&dir, &mut found);
    let names: Vec<String> = found
        .iter()
        .map(|(p, _)| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    if !again.database.is_postgres() {
        for expected in [
            "bespoke.sqlite3",
            "bespoke.sqlite3-wal",
            "bespoke.sqlite3-shm",
        ] {
            assert!(
                names.iter().any(|n| n == expected),
                "{expected} in {names:?}"
            );
        }
    }
    for expected in ["jwt-secret", "leftover.txt", "index"] {
        assert!(
            names.iter().any(|n| n == expected),
            "{expected} in {names:?}"
        );
    }
    assert!(
        names.iter().any(|n| n.ends_with(".eml")),
        "a message in {names:?}"
    );
    for (path, mode) in &found {
        assert_eq!(mode & 0o077, 0, "{} is mode {mode:o}", path.display());
    }
}
