//! `bespoke import`: the CQC directory and the plain listings file.

use crate::common;

use std::process::Command;

use actix_web::http::StatusCode;
use common::{count_rows, TestApp, PASSWORD};

fn bespoke(app: &TestApp, args: &[&str]) -> (bool, String, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_bespoke"))
        .args(args)
        .env_clear()
        .envs(app.database.env(&[]))
        .env("RUST_LOG", "warn")
        .output()
        .expect("the bespoke binary runs");
    (
        output.status.success(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

const CQC_FILE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fixtures/cqc_directory_trafford.csv"
);

#[actix_web::test]
async fn the_cqc_directory_imports_once_and_reports_every_skipped_row() {
    let app = TestApp::spawn().await;
    let (ok, out, err) = bespoke(&app, &["import", "cqc", CQC_FILE]);
    assert!(ok, "{err}");
    assert_eq!(
        out.lines().last(),
        Some("created: 56, updated: 0, skipped: 4"),
        "{out}"
    );
    assert!(out.contains("\"Dentist\" is not a kind of social care"));
    assert!(out.contains("ZZ9"));
    assert!(out.contains("appears earlier in the file"));
    let mut db = app.db();
    assert_eq!(count_rows(&mut db, "listings"), 56);
    assert_eq!(
        count_rows(&mut db, "seller_profiles"),
        46,
        "one organisation per CQC provider"
    );
    drop(db);

    // Care homes became draft listings in the right categories, visible to nobody yet.
    let drafts = app.get("/api/v1/listings/1", None).await;
    drafts.problem(404);

    // Running it again changes nothing.
    let (ok, out, _) = bespoke(&app, &["import", "cqc", CQC_FILE]);
    assert!(ok);
    assert_eq!(
        out.lines().last(),
        Some("created: 0, updated: 0, skipped: 60")
    );
    assert_eq!(count_rows(&mut app.db(), "listings"), 56);
}

#[actix_web::test]
async fn a_file_that_is_not_a_cqc_directory_fails_and_changes_nothing() {
    let app = TestApp::spawn().await;
    let path = app.database.dir.path().join("other.csv");
    std::fs::write(&path, "name,cqc_id,type\nA,1-1,Residential homes\n").unwrap();
    let (ok, _, err) = bespoke(&app, &["import", "cqc", path.to_str().unwrap()]);
    assert!(!ok);
    assert!(err.contains("not a CQC care directory"), "{err}");
    let (ok, _, err) = bespoke(&app, &["import", "cqc", "/no/such/file.csv"]);
    assert!(!ok);
    assert!(err.contains("cannot open"), "{err}");
    assert_eq!(count_rows(&mut app.db(), "listings"), 0);
}

#[actix_web::test]
async fn listings_import_for_existing_sellers() {
    let app = TestApp::spawn().await;
    app.register("pa@example.org", "personal_assistant").await;
    app.register("holder@example.org", "budget_holder").await;
    let path = app.database.dir.path().join("listings.csv");
    std::fs::write(
        &path,
        "seller_email,title,description,category,price,unit,postcode,areas,availability,languages,tags,status,employment\n\
         pa@example.org,Evening support,Help at teatime,personal_assistant,14.50,hour,M14 5AB,M15|M16,weekday_evening,en|ur,driver,published,self_employed\n\
         pa@example.org,Weekend support,,personal_assistant,16.00,hour,M14 5AB,,weekend,en,,published,employed_by_holder\n\
         nobody@example.org,Ghost,,home_help,10.00,hour,M14,,,,,,\n\
         holder@example.org,Not a seller,,home_help,10.00,hour,M14,,,,,,\n\
         pa@example.org,Bad price,,personal_assistant,cheap,hour,M14,,,,,,\n\
         pa@example.org,Nul\0byte,,personal_assistant,14.00,hour,M14,,,,,,\n\
         pa@example.org,Spoof \u{202E}gnirpS,,personal_assistant,14.00,hour,M14,,,,,,\n\
         pa@example.org,After the bad rows,Two lines\tare fine,personal_assistant,15.00,hour,M14 5AB,,,,,draft,\n",
    )
    .unwrap();
    let (ok, out, err) = bespoke(&app, &["import", "listings", path.to_str().unwrap()]);
    assert!(ok, "{err}");
    assert_eq!(
        out.lines().last(),
        Some("created: 3, updated: 0, skipped: 5"),
        "{out}"
    );
    assert!(out.contains("line 4: skipped: no account has the email nobody@example.org"));
    assert!(out.contains("line 6: skipped: Price.amount"));
    // A NUL byte or a direction override skips that row alone, naming the column.
    assert!(
        out.contains("line 7: skipped: title must not contain a NUL character"),
        "{out}"
    );
    assert!(
        out.contains("line 8: skipped: title must not contain characters that reverse"),
        "{out}"
    );
    let token = app.sign_in("pa@example.org", PASSWORD).await;
    let mine = app.get("/api/v1/listings?owner=me", Some(&token)).await;
    assert_eq!(mine.status, StatusCode::OK);
    assert_eq!(mine.json()["total"], 3);
}

#[actix_web::test]
async fn generate_makes_a_market_that_reaches_the_running_servers_search() {
    let app = TestApp::spawn().await;
    let (ok, out, err) = bespoke(
        &app,
        &[
            "generate",
            "--listings",
            "30",
            "--holders",
            "0",
            "--searches",
            "0",
            "--seed",
            "7",
        ],
    );
    assert!(ok, "{err}");
    assert!(out.contains("Generated 30 listings"), "{out}");
    assert_eq!(count_rows(&mut app.db(), "listings"), 30);
    // The command wrote only to the outbox; the running server indexed them.
    app.wait_for_search().await;
    let found = app.get("/api/v1/search?per_page=1", None).await.json();
    assert_eq!(found["total"], 30);
}

#[actix_web::test]
async fn a_market_generated_before_start_up_is_indexed_and_compacted() {
    let app = TestApp::spawn().await;
    let (ok, _, err) = bespoke(
        &app,
        &[
            "generate",
            "--listings",
            "1200",
            "--holders",
            "0",
            "--searches",
            "0",
            "--seed",
            "3",
        ],
    );
    assert!(ok, "{err}");
    let database = app.stop().await;

    // Catching up takes several batches; each commits a part of the index.
    let app = TestApp::spawn_on(database, &[]).await;
    let found = app.get("/api/v1/search?per_page=1", None).await.json();
    assert_eq!(found["total"], 1200);
    if std::env::var("MEILI_URL").is_err() {
        // Once caught up, the embedded index is merged into one part.
        let meta = std::fs::read_to_string(app.database.dir.path().join("index/meta.json"))
            .expect("the index metadata");
        let meta: serde_json::Value = serde_json::from_str(&meta).expect("JSON");
        assert_eq!(meta["segments"].as_array().map(Vec::len), Some(1), "{meta}");
    }
    let typed = app
        .get("/api/v1/search?q=personal+assistant&per_page=1", None)
        .await
        .json();
    assert!(typed["total"].as_u64().unwrap_or(0) > 0, "{typed}");
}

/// Figures that show whether two generated markets are the same one.
fn market_fingerprint(app: &TestApp) -> Vec<i64> {
    use diesel::prelude::*;
    #[derive(QueryableByName)]
    struct Figure {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    [
        "SELECT CAST(SUM(total_pence) AS BIGINT) AS n FROM commissions",
        "SELECT COUNT(*) AS n FROM commissions WHERE status = 'completed'",
        "SELECT CAST(SUM(budget_pence) AS BIGINT) AS n FROM plan_portions",
        "SELECT CAST(SUM(result_count) AS BIGINT) AS n FROM search_events",
        "SELECT CAST(SUM(rating) AS BIGINT) AS n FROM outcome_ratings",
        "SELECT COUNT(*) AS n FROM broker_affiliations",
    ]
    .iter()
    .map(|sql| {
        diesel::sql_query(*sql)
            .get_result::<Figure>(&mut app.db())
            .expect("a figure")
            .n
    })
    .collect()
}

#[actix_web::test]
async fn a_generated_market_balances_repeats_from_its_seed_and_fills_every_report() {
    let args = [
        "generate",
        "--listings",
        "400",
        "--holders",
        "60",
        "--brokers",
        "8",
        "--commissions",
        "1500",
        "--searches",
        "2000",
        "--seed",
        "11",
    ];
    let app = TestApp::spawn().await;
    let (ok, out, err) = bespoke(&app, &args);
    assert!(ok, "{err}");
    assert!(
        out.contains("Generated 400 listings, 60 budget holders with approved plans, 8 brokers, 1500 commissions and 2000 searches"),
        "{out}"
    );
    let mut conn = app.db();
    assert_eq!(count_rows(&mut conn, "commissions"), 1500);
    assert_eq!(count_rows(&mut conn, "search_events"), 2000);
    assert_eq!(count_rows(&mut conn, "plans"), 60);
    drop(conn);
    // Every balance is what its ledger gives, and nothing is overspent.
    let (ok, out, err) = bespoke(&app, &["ledger", "verify"]);
    assert!(ok, "{out}{err}");

    // The same seed makes the same market.
    let again = TestApp::spawn().await;
    let (ok, _, err) = bespoke(&again, &args);
    assert!(ok, "{err}");
    let fingerprint = market_fingerprint(&app);
    assert!(fingerprint.iter().all(|&n| n > 0), "{fingerprint:?}");
    assert_eq!(fingerprint, market_fingerprint(&again));

    // Each council report finds something to say about two years of it.
    let (_, officer) = app.commissioner("officer@council.example").await;
    let today = chrono::Utc::now().date_naive();
    let period = format!("from={}&to={today}", today - chrono::Duration::days(729));
    for report in ["gaps", "fees", "brokers", "outcomes", "risks"] {
        let reply = app
            .get(
                &format!("/api/v1/council/{report}?{period}"),
                Some(&officer),
            )
            .await;
        assert_eq!(reply.status, StatusCode::OK, "{report}: {}", reply.text);
        let items = reply.json()["items"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        if report != "risks" {
            assert!(!items.is_empty(), "{report}: {}", reply.text);
        }
    }
}
