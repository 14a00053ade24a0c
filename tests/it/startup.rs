//! Start-up: demo data, the signing secret, and the operator's command line.

use crate::common;

use std::io::Write;
use std::process::{Command, Stdio};

use actix_web::http::StatusCode;
use common::{count_rows, Browser, TestApp, TestDatabase, PASSWORD};

#[actix_web::test]
async fn demo_data_is_seeded_once_and_the_start_page_signs_in_by_role() {
    if TestDatabase::new().is_postgres() {
        // The passwordless demo never runs on PostgreSQL: see the next test.
        return;
    }
    let app = TestApp::spawn_with(&[("BESPOKE_DEMO", "1")]).await;
    let seeded = count_rows(&mut app.db(), "accounts");
    assert!(seeded >= 10, "{seeded}");

    let browser = Browser::new();
    let start = browser.get(&app, "/").await;
    assert!(start.text.contains("Look around as Amina Khan"));
    let reply = browser
        .post_form(&app, "/demo/sign-in", &[("role", "commissioner")])
        .await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER);
    let home = browser.get(&app, "/home").await;
    assert!(home.text.contains("Priya Shah"));
    assert!(home.text.contains("with Manchester"));
    // No role switch ever gives an administrator without a password.
    assert!(!start.text.contains("value=\"admin\""));
    let admin = Browser::new();
    admin.get(&app, "/").await;
    let refused = admin
        .post_form(&app, "/demo/sign-in", &[("role", "admin")])
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert_eq!(
        admin.get(&app, "/admin/mail").await.status,
        StatusCode::SEE_OTHER
    );
    // Through a proxy or tunnel on this machine, the demo is not offered.
    let proxied = app
        .server
        .get("/")
        .insert_header(("X-Forwarded-For", "203.0.113.9"))
        .send()
        .await
        .unwrap()
        .body()
        .await
        .unwrap();
    assert!(!String::from_utf8_lossy(&proxied).contains("Look around as"));

    // A few hundred listings across every category, none without a price.
    let listings = count_rows(&mut app.db(), "listings");
    assert!((250..=400).contains(&listings), "{listings}");
    {
        use bespoke::store::schema::listings::dsl::*;
        use diesel::prelude::*;
        let categories: Vec<String> = listings
            .select(category)
            .distinct()
            .load(&mut *app.db())
            .unwrap();
        assert_eq!(categories.len(), 21);
        let unpriced: i64 = listings
            .filter(price_pence.is_null())
            .count()
            .get_result(&mut *app.db())
            .unwrap();
        assert_eq!(unpriced, 0);
    }

    // The printed demo password works through the API too; Amina has asked
    // for evening support and Fatima has answered with an offer.
    let amina = app
        .sign_in(
            "amina.khan@example.org",
            bespoke::services::demo::DEMO_PASSWORD,
        )
        .await;
    let requests = app.get("/api/v1/requests", Some(&amina)).await.json();
    assert_eq!(requests["total"], 1, "{requests}");
    assert_eq!(requests["items"][0]["offers"], 1, "{requests}");

    // Starting again on the same database adds nothing.
    let database = app.stop().await;
    let again = TestApp::spawn_on(database, &[("BESPOKE_DEMO", "1")]).await;
    assert_eq!(count_rows(&mut again.db(), "accounts"), seeded);
    assert_eq!(count_rows(&mut again.db(), "listings"), listings);
    assert_eq!(count_rows(&mut again.db(), "support_requests"), 1);
}

#[actix_web::test]
async fn the_demo_is_refused_on_a_real_deployment_and_its_accounts_retired() {
    let database = TestDatabase::new();
    let vars = database.env(&[("BESPOKE_DEMO", "1")]);
    let refused = bespoke::config::Config::from_lookup(|name| vars.get(name).cloned());
    if database.is_postgres() {
        let err = refused.unwrap_err();
        assert_eq!(err.variable, "BESPOKE_DEMO");
        assert!(err.message.contains("DATABASE_URL"), "{}", err.message);
    } else {
        assert!(refused.unwrap().demo);
    }
    // Reachable from other machines: off by default, and refused when asked for.
    let vars = database.env(&[("BESPOKE_BIND", "0.0.0.0:0")]);
    let config = bespoke::config::Config::from_lookup(|name| vars.get(name).cloned()).unwrap();
    assert!(!config.demo);
    let vars = database.env(&[("BESPOKE_BIND", "0.0.0.0:0"), ("BESPOKE_DEMO", "1")]);
    let err = bespoke::config::Config::from_lookup(|name| vars.get(name).cloned()).unwrap_err();
    let first_reason = if database.is_postgres() {
        "DATABASE_URL"
    } else {
        "BESPOKE_BIND"
    };
    assert!(err.message.contains(first_reason), "{}", err.message);

    // Demo data seeded earlier (the same seeding on both databases) is no way
    // in once the demo is off: the published password stops working.
    let app = TestApp::spawn_on(database, &[]).await;
    let seeded = bespoke::services::demo::seed(
        &mut app.db(),
        bespoke::domain::places::Places::get(),
        chrono::Utc::now(),
    )
    .unwrap();
    assert!(seeded);
    assert!(count_rows(&mut app.db(), "listings") >= 250);
    let amina = app
        .post(
            "/api/v1/sessions",
            None,
            serde_json::json!({"email": "amina.khan@example.org",
                               "password": bespoke::services::demo::DEMO_PASSWORD}),
        )
        .await;
    assert_eq!(amina.status, StatusCode::OK);
    let token = amina.json()["token"].as_str().unwrap().to_owned();
    let database = app.stop().await;
    let again = TestApp::spawn_on(database, &[]).await;
    let refused = again
        .post(
            "/api/v1/sessions",
            None,
            serde_json::json!({"email": "operator@bespoke.example.org",
                               "password": bespoke::services::demo::DEMO_PASSWORD}),
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        again.get("/api/v1/me", Some(&token)).await.status,
        StatusCode::UNAUTHORIZED
    );
    // The generated demo sellers too.
    let seller = again
        .post(
            "/api/v1/sessions",
            None,
            serde_json::json!({"email": "provider-01@demo.example.org",
                               "password": bespoke::services::demo::DEMO_PASSWORD}),
        )
        .await;
    assert_eq!(seller.status, StatusCode::UNAUTHORIZED);
}

#[actix_web::test]
async fn without_demo_the_marketplace_starts_empty() {
    let app = TestApp::spawn().await;
    assert_eq!(count_rows(&mut app.db(), "accounts"), 0);
    let browser = Browser::new();
    let start = browser.get(&app, "/").await;
    assert!(!start.text.contains("Look around as"));
    let reply = browser
        .post_form(&app, "/demo/sign-in", &[("role", "budget_holder")])
        .await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
}

#[actix_web::test]
async fn the_signing_secret_survives_a_restart() {
    let app = TestApp::spawn().await;
    let (_, token) = app.account("kept@example.org", "provider").await;
    let database = app.stop().await;
    let secret_file = database.dir.path().join("jwt-secret");
    assert!(std::fs::metadata(&secret_file).unwrap().len() >= 32);

    let again = TestApp::spawn_on(database, &[]).await;
    assert_eq!(
        again.get("/api/v1/me", Some(&token)).await.status,
        StatusCode::OK
    );
}

fn bespoke_command(database: &TestDatabase, args: &[&str], stdin: &str) -> std::process::Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_bespoke"))
        .args(args)
        .env_clear()
        .envs(database.env(&[]))
        .env("RUST_LOG", "warn")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the bespoke binary runs");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

#[actix_web::test]
async fn the_operator_creates_a_commissioner_from_the_command_line() {
    let app = TestApp::spawn().await;
    let args = [
        "admin",
        "create-account",
        "--role",
        "commissioner",
        "--council",
        "E08000003",
        "--email",
        "officer@manchester.example.org",
        "--name",
        "Council Officer",
    ];
    let output = bespoke_command(&app.database, &args, &format!("{PASSWORD}\n"));
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(String::from_utf8_lossy(&output.stdout).contains("Created commissioner account"));

    let token = app
        .sign_in("officer@manchester.example.org", PASSWORD)
        .await;
    let me = app.get("/api/v1/me", Some(&token)).await.json();
    assert_eq!(me["role"], "commissioner");
    assert_eq!(me["council"], "E08000003");

    // A weak password or a missing council is refused with the reason.
    let weak = bespoke_command(
        &app.database,
        &[
            "admin",
            "create-account",
            "--role",
            "commissioner",
            "--council",
            "E08000003",
            "--email",
            "b@example.org",
            "--name",
            "B",
        ],
        "password\n",
    );
    assert!(!weak.status.success());
    assert!(String::from_utf8_lossy(&weak.stderr).contains("password"));
    let no_council = bespoke_command(
        &app.database,
        &[
            "admin",
            "create-account",
            "--role",
            "commissioner",
            "--email",
            "c@example.org",
            "--name",
            "C",
        ],
        &format!("{PASSWORD}\n"),
    );
    assert!(!no_council.status.success());
    assert!(String::from_utf8_lossy(&no_council.stderr).contains("council"));
    assert_eq!(count_rows(&mut app.db(), "accounts"), 1);
}

#[actix_web::test]
async fn a_bad_setting_stops_start_up_naming_it() {
    let database = TestDatabase::new();
    let refused = Command::new(env!("CARGO_BIN_EXE_bespoke"))
        .arg("migrate")
        .env_clear()
        .envs(database.env(&[("BESPOKE_BIND", "not-an-address")]))
        .output()
        .expect("the bespoke binary runs");
    assert!(!refused.status.success());
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(stderr.contains("BESPOKE_BIND"), "{stderr}");

    let migrate = Command::new(env!("CARGO_BIN_EXE_bespoke"))
        .arg("migrate")
        .env_clear()
        .envs(database.env(&[]))
        .output()
        .unwrap();
    assert!(
        migrate.status.success(),
        "{}",
        String::from_utf8_lossy(&migrate.stderr)
    );
    assert!(String::from_utf8_lossy(&migrate.stdout).contains("up to date"));
}

#[actix_web::test]
async fn the_suite_runs_on_the_database_it_was_given() {
    let app = TestApp::spawn().await;
    let expected = if std::env::var("TEST_DATABASE_URL").is_ok_and(|u| !u.is_empty()) {
        "postgresql"
    } else {
        "sqlite"
    };
    assert_eq!(app.state.db.target().backend_name(), expected);
    assert_eq!(app.database.is_postgres(), expected == "postgresql");
}

#[cfg(unix)]
#[actix_web::test]
async fn every_command_keeps_the_data_directory_private() {
    use std::os::unix::fs::PermissionsExt;
    let database = TestDatabase::new();
    let out = bespoke_command(&database, &["migrate"], "");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut seen = 0;
    for entry in std::fs::read_dir(database.dir.path()).unwrap() {
        let entry = entry.unwrap();
        let mode = entry.metadata().unwrap().permissions().mode();
        assert_eq!(mode & 0o077, 0, "{:?} is {mode:o}", entry.path());
        seen += 1;
    }
    if !database.is_postgres() {
        assert!(seen >= 1, "migrate made the database file");
    }
}
