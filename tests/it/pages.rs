//! The browser journeys, without JavaScript: register, sign in, sign out,
//! change details; forms are CSRF-protected and errors are helpful pages.

use crate::common;

use actix_web::http::StatusCode;
use common::{count_rows, Browser, TestApp, PASSWORD};

fn location(reply: &common::Reply) -> String {
    reply.header("location").unwrap_or_default()
}

#[actix_web::test]
async fn a_newcomer_registers_and_lands_on_their_start_page() {
    let app = TestApp::spawn().await;
    let browser = Browser::new();
    let form = browser.get(&app, "/register").await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(form.text.contains(r#"<label for="email">"#));
    assert!(browser.cookie("bespoke_csrf").is_some());

    let reply = browser
        .post_form(
            &app,
            "/register",
            &[
                ("role", "personal_assistant"),
                ("name", "Fatima Begum"),
                ("email", "fatima@example.org"),
                ("password", PASSWORD),
                ("council", ""),
                ("postcode", "M14 7HR"),
            ],
        )
        .await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.text);
    assert_eq!(location(&reply), "/home");
    let session = reply.header("set-cookie").unwrap();
    assert!(
        session.contains("HttpOnly") && session.contains("SameSite=Lax"),
        "{session}"
    );

    let home = browser.get(&app, "/home").await;
    assert_eq!(home.status, StatusCode::OK);
    assert!(home.text.contains("Hello, Fatima Begum"));
    assert!(home.text.contains("personal assistant"));
    assert_eq!(count_rows(&mut app.db(), "accounts"), 1);
}

#[actix_web::test]
async fn a_form_with_mistakes_comes_back_filled_in_with_each_error() {
    let app = TestApp::spawn().await;
    let browser = Browser::new();
    browser.get(&app, "/register").await;
    let reply = browser
        .post_form(
            &app,
            "/register",
            &[
                ("role", "budget_holder"),
                ("name", "Grace Okafor"),
                ("email", "grace@"),
                ("password", "password"),
                ("council", ""),
                ("postcode", "nowhere"),
            ],
        )
        .await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(reply.content_type().starts_with("text/html"));
    assert!(reply.text.contains("There is a problem"));
    assert!(reply.text.contains(r##"href="#email""##));
    assert!(
        reply.text.contains(r#"value="Grace Okafor""#),
        "the name is kept"
    );
    assert!(
        reply.text.contains(r#"value="budget_holder" checked"#),
        "the role is kept"
    );
    assert!(
        !reply.text.contains(r#"value="password""#),
        "the password is never echoed"
    );
    assert!(reply.text.contains(r#"aria-invalid="true""#));
    assert!(reply.text.starts_with("<!doctype html>") && reply.text.contains("<title>Error: "));
    assert_eq!(count_rows(&mut app.db(), "accounts"), 0);
}

#[actix_web::test]
async fn forms_without_the_token_are_refused() {
    let app = TestApp::spawn().await;
    let browser = Browser::new();
    browser.get(&app, "/register").await;
    let fields = [
        ("role", "provider"),
        ("name", "Forged"),
        ("email", "forged@example.org"),
        ("password", PASSWORD),
    ];
    let reply = browser.post_form_raw(&app, "/register", &fields).await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
    assert!(reply.text.contains("This form has expired"));

    let mut wrong = vec![("csrf_token", "A".repeat(43))];
    wrong.extend(fields.iter().map(|(k, v)| (*k, v.to_string())));
    let wrong: Vec<(&str, &str)> = wrong.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let reply = browser.post_form_raw(&app, "/register", &wrong).await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
    assert_eq!(count_rows(&mut app.db(), "accounts"), 0);
}

#[actix_web::test]
async fn signing_in_and_out_in_the_browser() {
    let app = TestApp::spawn().await;
    app.register("broker@example.org", "broker").await;
    let browser = Browser::new();

    // A page that needs an account sends the visitor to sign in, then back.
    let reply = browser.get(&app, "/account").await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER);
    assert_eq!(location(&reply), "/sign-in?next=%2Faccount");

    let form = browser.get(&app, "/sign-in?next=/account").await;
    assert!(form.text.contains(r#"name="next" value="/account""#));
    let wrong = browser
        .post_form(
            &app,
            "/sign-in",
            &[
                ("email", "broker@example.org"),
                ("password", "wrong one"),
                ("next", "/account"),
            ],
        )
        .await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    assert!(wrong
        .text
        .contains("The email address or password is not right"));
    assert!(wrong.text.contains(r#"value="broker@example.org""#));

    let reply = browser
        .post_form(
            &app,
            "/sign-in",
            &[
                ("email", "broker@example.org"),
                ("password", PASSWORD),
                ("next", "/account"),
            ],
        )
        .await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER);
    assert_eq!(location(&reply), "/account");
    let account = browser.get(&app, "/account").await;
    assert_eq!(account.status, StatusCode::OK);
    assert!(account.text.contains("broker@example.org"));
    assert!(account.text.contains("Sign out"));

    let out = browser.post_form(&app, "/sign-out", &[]).await;
    assert_eq!(out.status, StatusCode::SEE_OTHER);
    assert!(browser.cookie("bespoke_session").is_none());
    assert_eq!(
        browser.get(&app, "/account").await.status,
        StatusCode::SEE_OTHER
    );
}

#[actix_web::test]
async fn sign_in_never_redirects_to_another_site() {
    let app = TestApp::spawn().await;
    app.register("p@example.org", "provider").await;
    let browser = Browser::new();
    browser.get(&app, "/sign-in").await;
    for next in ["https://evil.example", "//evil.example", "/\\evil.example"] {
        let reply = browser
            .post_form(
                &app,
                "/sign-in",
                &[
                    ("email", "p@example.org"),
                    ("password", PASSWORD),
                    ("next", next),
                ],
            )
            .await;
        assert_eq!(location(&reply), "/home", "{next}");
    }
}

#[actix_web::test]
async fn the_account_page_changes_details() {
    let app = TestApp::spawn().await;
    app.register("holder@example.org", "budget_holder").await;
    let browser = Browser::new();
    browser.get(&app, "/sign-in").await;
    browser
        .post_form(
            &app,
            "/sign-in",
            &[("email", "holder@example.org"), ("password", PASSWORD)],
        )
        .await;

    let bad = browser
        .post_form(
            &app,
            "/account",
            &[("name", "Daniel Byrne"), ("postcode", "QQ")],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.text.contains(r#"value="QQ""#));

    let good = browser
        .post_form(
            &app,
            "/account",
            &[("name", "Daniel Byrne"), ("postcode", "m22 5rx")],
        )
        .await;
    assert_eq!(location(&good), "/account?saved=1");
    let page = browser.get(&app, "/account?saved=1").await;
    assert!(page.text.contains("Your changes have been saved"));
    assert!(page.text.contains(r#"value="M22 5RX""#));
    assert!(page.text.contains("Manchester"));
}

#[actix_web::test]
async fn unknown_pages_and_bad_requests_get_helpful_pages() {
    let app = TestApp::spawn().await;
    let browser = Browser::new();
    let missing = browser.get(&app, "/no/such/page").await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert!(missing.content_type().starts_with("text/html"));
    assert!(missing.text.contains("Page not found"));

    let wrong_method = browser.post_form(&app, "/places", &[]).await;
    assert_eq!(wrong_method.status, StatusCode::METHOD_NOT_ALLOWED);
    assert!(wrong_method.content_type().starts_with("text/html"));

    let lookup = browser.get(&app, "/places?postcode=M14+5AB").await;
    assert_eq!(lookup.status, StatusCode::OK);
    assert!(lookup.text.contains("Manchester (E08000003)"));
    let nonsense = browser.get(&app, "/places?postcode=%3Cscript%3E").await;
    assert_eq!(nonsense.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(!nonsense.text.contains("<script>"), "input is escaped");
}

#[actix_web::test]
async fn pages_are_accessible_by_construction() {
    let app = TestApp::spawn().await;
    let browser = Browser::new();
    for path in ["/", "/register", "/sign-in", "/places"] {
        let page = browser.get(&app, path).await;
        assert_eq!(page.status, StatusCode::OK, "{path}");
        assert!(page.text.contains(r#"<html lang="en-GB">"#), "{path}");
        assert!(
            page.text
                .contains(r##"<a class="skip-link" href="#main">"##),
            "{path}"
        );
        assert!(page.text.contains(r#"<main id="main""#), "{path}");
        assert_eq!(page.text.matches("<h1>").count(), 1, "{path} has one h1");
        assert!(!page.text.contains("<script"), "{path} needs no JavaScript");
        // Every input that is not hidden has a label.
        for id in page
            .text
            .split(r#"<input type=""#)
            .skip(1)
            .filter(|s| !s.starts_with("hidden") && !s.starts_with("radio"))
        {
            let id = id
                .split(r#"id=""#)
                .nth(1)
                .unwrap()
                .split('"')
                .next()
                .unwrap();
            assert!(
                page.text.contains(&format!(r#"<label for="{id}">"#)),
                "{path}: #{id} has no label"
            );
        }
    }
}
