//! The council's market reports through the API, their CSV twins and pages,
//! on small markets whose figures are worked out by hand.

use crate::common;

use actix_web::http::{Method, StatusCode};
use bespoke::domain::market::Period;
use chrono::{Duration, Utc};
use common::{assert_accessible, count_rows, page, signed_in, TestApp};
use serde_json::{json, Value};

fn day(from_today: i64) -> String {
    (Utc::now().date_naive() + Duration::days(from_today)).to_string()
}

/// A seller with one hourly personal care listing in M14 at `price`.
pub(crate) async fn seller(
    app: &TestApp,
    email: &str,
    role: &str,
    price: &str,
) -> (i64, String, i64) {
    let (id, token) = app.account(email, role).await;
    let category = if role == "personal_assistant" {
        "personal_assistant"
    } else {
        "personal_care"
    };
    let reply = app
        .post(
            "/api/v1/listings",
            Some(&token),
            json!({"title": format!("Care from {email}"), "category": category,
                   "price": {"amount": price, "unit": "hour"}, "postcode": "M14 5AB"}),
        )
        .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text);
    (id, token, reply.json()["id"].as_i64().unwrap())
}

/// A budget holder living in M14 with an approved £5,000 direct payment.
async fn holder(app: &TestApp, officer: &str, email: &str, mode: &str) -> (i64, String, i64) {
    let (id, token) = app.account(email, "budget_holder").await;
    let me = app
        .send(
            Method::PATCH,
            "/api/v1/me",
            Some(&token),
            Some(json!({"postcode": "M14 5AB"})),
        )
        .await;
    assert_eq!(me.status, StatusCode::OK, "{}", me.text);
    let plan = app
        .approved_plan(
            (id, &token),
            officer,
            json!([{"mode": mode, "amount": "5000.00"}]),
        )
        .await;
    (id, token, plan["id"].as_i64().unwrap())
}

async fn commission(app: &TestApp, token: &str, plan: i64, listing: i64, mode: &str) -> Value {
    commission_with(app, token, plan, listing, mode, &[]).await
}

/// A commission naming the other listings considered (a tied broker must).
async fn commission_with(
    app: &TestApp,
    token: &str,
    plan: i64,
    listing: i64,
    mode: &str,
    alternatives: &[i64],
) -> Value {
    let reply = app
        .post(
            &format!("/api/v1/plans/{plan}/commissions"),
            Some(token),
            json!({"listing_id": listing, "portion": mode, "quantity": "2",
                   "start_date": day(7), "end_date": day(34),
                   "alternatives_considered": alternatives}),
        )
        .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text);
    reply.json()
}

fn item(report: &Value, pick: impl Fn(&Value) -> bool) -> &Value {
    report["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| pick(r))
        .unwrap_or_else(|| panic!("no such row in {report}"))
}

#[actix_web::test]
async fn gaps_and_fee_levels_of_a_small_market() {
    let app = TestApp::spawn().await;
    let (_, officer) = app.commissioner("officer@council.example").await;
    // Five hourly prices: 15, 18, 20, 22 and 60.
    let mut listings = Vec::new();
    for (i, price) in ["15.00", "18.00", "20.00", "22.00", "60.00"]
        .iter()
        .enumerate()
    {
        listings.push(seller(&app, &format!("care{i}@example.org"), "provider", price).await);
    }
    let rates = app
        .send(
            Method::PUT,
            "/api/v1/council/reference-rates",
            Some(&officer),
            Some(json!({"rates": [{"category": "personal_care", "unit": "hour", "amount": "18.00"}]})),
        )
        .await;
    assert_eq!(rates.status, StatusCode::OK, "{}", rates.text);

    // Two searches for night support in M14 find nothing; one for personal care finds all five.
    for query in [
        "category=night_support&area=M14",
        "category=night_support&area=M14",
        "category=personal_care&area=M14",
    ] {
        let found = app.get(&format!("/api/v1/search?{query}"), None).await;
        assert_eq!(found.status, StatusCode::OK, "{}", found.text);
    }
    for _ in 0..100 {
        if count_rows(&mut app.db(), "search_events") >= 3 {
            break;
        }
        actix_web::rt::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    // A holder in M14 asks the cheapest seller, who declines.
    let (_, amina, plan) = holder(&app, &officer, "amina@example.org", "direct_payment").await;
    let asked = commission(&app, &amina, plan, listings[0].2, "direct_payment").await;
    let declined = app
        .post(
            &format!("/api/v1/commissions/{}/decline", asked["id"]),
            Some(&listings[0].1),
            json!({"reason": "Full"}),
        )
        .await;
    assert_eq!(declined.status, StatusCode::OK, "{}", declined.text);

    let gaps = app.get("/api/v1/council/gaps", Some(&officer)).await;
    assert_eq!(gaps.status, StatusCode::OK, "{}", gaps.text);
    let gaps = gaps.json();
    let night = item(&gaps, |r| {
        r["category"] == "night_support" && r["district"] == "M14"
    });
    assert_eq!(night["searches"], 2);
    assert_eq!(night["zero_result_searches"], 2);
    assert_eq!(night["zero_result_share"], "100.0");
    assert_eq!(night["live_listings"], 0);
    assert_eq!(night["budget_holders"], 1);
    assert_eq!(night["listings_per_1000_holders"], "0.0");
    let care = item(&gaps, |r| {
        r["category"] == "personal_care" && r["district"] == "M14"
    });
    assert_eq!(care["searches"], 1);
    assert_eq!(care["zero_result_searches"], 0);
    assert_eq!(care["live_listings"], 5);
    // 5 listings for 1 holder = 5,000 per 1,000.
    assert_eq!(care["listings_per_1000_holders"], "5000.0");
    assert_eq!(care["commissions_requested"], 1);
    assert_eq!(care["commissions_declined"], 1);
    let findings: Vec<&str> = gaps["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f.as_str().unwrap())
        .collect();
    // The wording of the period depends on today: "in November 2026" when the
    // last 30 days are a whole month, otherwise "between … and …".
    let (from, to) = (
        gaps["period"]["from"].as_str().unwrap(),
        gaps["period"]["to"].as_str().unwrap(),
    );
    let period = Period::parse(Some(from), Some(to), Utc::now().date_naive())
        .expect("the report's own period");
    assert_eq!(
        findings[0],
        format!(
            "2 searches for night support in M14 found nothing {}; no live listing serves M14.",
            period.in_words()
        ),
        "{findings:?}"
    );
    assert!(
        findings.iter().any(|f| f.starts_with(
            "1 commission request for personal care at home from people in M14 was declined"
        )),
        "{findings:?}"
    );
    let csv = app
        .get("/api/v1/council/gaps?format=csv", Some(&officer))
        .await;
    assert!(csv.content_type().starts_with("text/csv"));
    assert!(csv.text.starts_with("category,category_label,district,searches,zero_result_searches,zero_result_share,live_listings,budget_holders"));
    assert!(
        csv.text
            .lines()
            .any(|l| l == "night_support,Night support,M14,2,2,100.0,0,1,0.0,0,0,0,0,0,0.00"),
        "{}",
        csv.text
    );

    let fees = app
        .get(
            "/api/v1/council/fees?category=personal_care&unit=hour",
            Some(&officer),
        )
        .await;
    assert_eq!(fees.status, StatusCode::OK, "{}", fees.text);
    let fees = fees.json();
    let all = item(&fees, |r| r["district"].is_null());
    // Positions (n − 1) × q = 1, 2, 3 over 15, 18, 20, 22, 60.
    assert_eq!(
        [
            &all["n"],
            &all["min"],
            &all["p25"],
            &all["median"],
            &all["p75"],
            &all["max"]
        ],
        [
            &json!(5),
            &json!("15.00"),
            &json!("18.00"),
            &json!("20.00"),
            &json!("22.00"),
            &json!("60.00")
        ]
    );
    // IQR 4.00 → fences 12.00 and 28.00: 60.00 is the one outlier.
    assert_eq!(
        (&all["lower_fence"], &all["upper_fence"]),
        (&json!("12.00"), &json!("28.00"))
    );
    assert_eq!(all["outliers"].as_array().unwrap().len(), 1);
    assert_eq!(all["outliers"][0]["listing_id"], listings[4].2);
    assert_eq!(all["outliers"][0]["side"], "high");
    assert_eq!(all["reference_rate"], "18.00");
    assert_eq!(all["below_reference"], 1, "only 15.00 is below 18.00");
    let latest = all["trend"].as_array().unwrap().last().unwrap();
    assert_eq!(
        (&latest["n"], &latest["median"]),
        (&json!(5), &json!("20.00"))
    );
    let m14 = item(&fees, |r| r["district"] == "M14");
    assert_eq!(m14["n"], 5, "a district with 5 listings has its own row");
    let csv = app
        .get(
            "/api/v1/council/fees?category=personal_care&format=csv",
            Some(&officer),
        )
        .await;
    assert!(
        csv.text.lines().any(|l| l
            == format!(
                "council,personal_care,hour,,,5,15.00,18.00,20.00,22.00,60.00,12.00,28.00,{} (60.00),18.00,1",
                listings[4].2
            )),
        "{}",
        csv.text
    );
    app.get("/api/v1/council/fees?category=cake", Some(&officer))
        .await
        .problem(422);
    app.get("/api/v1/council/gaps?from=2026-13-01", Some(&officer))
        .await
        .problem(422);
    app.get("/api/v1/council/gaps", Some(&amina))
        .await
        .problem(403);
    app.get("/api/v1/council/gaps", None).await.problem(401);

    let browser = signed_in(&app, "officer@council.example").await;
    for path in [
        "/council/reports",
        "/council/gaps",
        "/council/fees?category=personal_care",
    ] {
        let shown = page(&browser, &app, path).await;
        assert_eq!(shown.status, StatusCode::OK, "{path}: {}", shown.text);
        assert_accessible(&shown, path);
    }
    let shown = page(&browser, &app, "/council/gaps").await;
    assert!(
        shown.text.contains("found nothing"),
        "the sentence is on the page"
    );
    assert!(shown.text.contains("<svg role=\"img\""), "with a chart");
    let shown = page(&browser, &app, "/council/fees").await;
    assert!(shown.text.contains("1 is unusually high (above £28.00)"));
}

#[actix_web::test]
async fn a_broker_who_steers_is_flagged_and_one_who_does_not_is_not() {
    let app = TestApp::spawn().await;
    let (_, officer) = app.commissioner("officer@council.example").await;
    // Four providers at the same price, so every commission is worth the same.
    let mut sellers = Vec::new();
    for name in ["a", "b", "c", "d"] {
        sellers.push(seller(&app, &format!("{name}@care.example"), "provider", "20.00").await);
    }
    let (able, able_token) = app.account("able@brokers.example", "broker").await;
    let (fair, fair_token) = app.account("fair@brokers.example", "broker").await;
    // A name that is a spreadsheet formula must reach the CSV as text.
    let renamed = app
        .send(
            Method::PATCH,
            "/api/v1/me",
            Some(&able_token),
            Some(json!({"name": "=HYPERLINK(\"http://evil.example/\",\"Broker\")"})),
        )
        .await;
    assert_eq!(renamed.status, StatusCode::OK, "{}", renamed.text);
    for (broker, token, provider) in [
        (able, &able_token, sellers[0].0),
        (fair, &fair_token, sellers[1].0),
    ] {
        let declared = app
            .post(
                "/api/v1/broker/affiliations",
                Some(token),
                json!({"provider_id": provider, "nature": "owner"}),
            )
            .await;
        assert_eq!(
            declared.status,
            StatusCode::CREATED,
            "{broker}: {}",
            declared.text
        );
    }
    let mut clients = Vec::new();
    for (email, broker) in [("one@example.org", able), ("two@example.org", fair)] {
        let (_, token, plan) = holder(&app, &officer, email, "direct_payment").await;
        let granted = app
            .post(
                &format!("/api/v1/plans/{plan}/brokers"),
                Some(&token),
                json!({"broker_id": broker}),
            )
            .await;
        assert_eq!(granted.status, StatusCode::OK, "{}", granted.text);
        clients.push(plan);
    }
    let (_, own_token, own_plan) =
        holder(&app, &officer, "own@example.org", "direct_payment").await;
    // The holder buying alone: one commission with each of A, B, C and D.
    for s in &sellers {
        commission(&app, &own_token, own_plan, s.2, "direct_payment").await;
    }
    // Able places all 10 of its client's commissions with A, which it owns,
    // naming the other three as the alternatives it considered.
    let others = |tied: usize| -> Vec<i64> {
        (0..4)
            .filter(|i| *i != tied)
            .map(|i| sellers[i].2)
            .collect()
    };
    for _ in 0..10 {
        commission_with(
            &app,
            &able_token,
            clients[0],
            sellers[0].2,
            "direct_payment",
            &others(0),
        )
        .await;
    }
    // Fair places 10: A twice, B (its own) three times, C three times, D twice.
    for index in [0, 0, 1, 1, 1, 2, 2, 2, 3, 3] {
        commission_with(
            &app,
            &fair_token,
            clients[1],
            sellers[index].2,
            "direct_payment",
            &if index == 1 { others(1) } else { vec![] },
        )
        .await;
    }

    let report = app.get("/api/v1/council/brokers", Some(&officer)).await;
    assert_eq!(report.status, StatusCode::OK, "{}", report.text);
    let report = report.json();
    let able_row = item(&report, |r| r["broker_id"] == able);
    assert_eq!(able_row["clients"], 1);
    assert_eq!(able_row["commissions"], 10);
    // 2 hours a week for 4 weeks at £20.00 = £160.00 each.
    assert_eq!(able_row["value"], "1600.00");
    assert_eq!(able_row["affiliated_share"], "100.0");
    // Without Able: A has 1 of the holder's 4 and 2 of Fair's 10 → 3 of 14.
    assert_eq!(able_row["expected_share"], "21.4");
    let p = able_row["p_value"].as_f64().unwrap();
    assert!((p - (3.0f64 / 14.0).powi(10)).abs() < 1e-15, "{p}");
    assert_eq!(able_row["flagged"], true);
    assert_eq!(able_row["hhi"], 10_000);
    let reasons = able_row["reasons"].as_array().unwrap();
    assert!(
        reasons[0]
            .as_str()
            .unwrap()
            .starts_with("Placed £1,600.00 of £1,600.00 (100.0%)"),
        "{reasons:?}"
    );

    let fair_row = item(&report, |r| r["broker_id"] == fair);
    assert_eq!(fair_row["affiliated_share"], "30.0");
    // Without Fair: B has 1 of 14 (the holder's one; Able never used B).
    assert_eq!(fair_row["expected_share"], "7.1");
    // P(X ≥ 3) for 10 tries at 1/14.
    let q: f64 = 1.0 / 14.0;
    let by_hand =
        1.0 - (1.0 - q).powi(10) - 10.0 * q * (1.0 - q).powi(9) - 45.0 * q * q * (1.0 - q).powi(8);
    assert!((fair_row["p_value"].as_f64().unwrap() - by_hand).abs() < 1e-12);
    assert!(by_hand > 0.01);
    assert_eq!(fair_row["flagged"], false);
    assert_eq!(fair_row["evidence"], "enough");
    // 2, 3, 3, 2 of 10 → 400 + 900 + 900 + 400.
    assert_eq!(fair_row["hhi"], 2_600);
    assert_eq!(report["findings"].as_array().unwrap().len(), 1, "only Able");

    let csv = app
        .get("/api/v1/council/brokers?format=csv", Some(&officer))
        .await;
    let able_line = csv
        .text
        .lines()
        .find(|l| l.starts_with(&format!("{able},")))
        .unwrap();
    assert!(
        able_line.contains(",1600.00,10,1600.00,100.0,21.4,"),
        "{able_line}"
    );
    assert!(able_line.contains(",enough,true,"), "{able_line}");
    assert!(
        able_line.contains(r#","'=HYPERLINK(""http://evil.example/"",""Broker"")","#),
        "{able_line}"
    );

    let browser = signed_in(&app, "officer@council.example").await;
    let shown = page(&browser, &app, "/council/brokers").await;
    assert_eq!(shown.status, StatusCode::OK);
    assert_accessible(&shown, "/council/brokers");
    assert!(shown
        .text
        .contains("Flagged: places clients with its own interests"));
    assert!(shown
        .text
        .contains("No sign of steering in 10 commissions."));
}

#[actix_web::test]
async fn outcomes_by_how_budgets_are_held_with_small_groups_suppressed() {
    let app = TestApp::spawn().await;
    let (_, officer) = app.commissioner("officer@council.example").await;
    // Six people rate quality of life at the start, then at a review.
    let starts = [2, 2, 3, 3, 3, 4];
    let reviews = [4, 3, 3, 4, 2, 4];
    for i in 0..6 {
        let mode = if i < 5 {
            "direct_payment"
        } else {
            "council_managed"
        };
        let (_, token, plan) = holder(&app, &officer, &format!("p{i}@example.org"), mode).await;
        for (stage, rating) in [("start", starts[i]), ("review", reviews[i])] {
            let rated = app
                .post(
                    &format!("/api/v1/plans/{plan}/outcome-ratings"),
                    Some(&token),
                    json!({"stage": stage, "ratings": {"quality_of_life": rating}}),
                )
                .await;
            assert!(rated.status.is_success(), "{}", rated.text);
        }
    }
    let report = app.get("/api/v1/council/outcomes", Some(&officer)).await;
    assert_eq!(report.status, StatusCode::OK, "{}", report.text);
    let report = report.json();
    let everyone = item(&report, |r| {
        r["group_by"] == "all" && r["domain"] == "quality_of_life"
    });
    assert_eq!(everyone["at_start"]["counts"], json!([0, 2, 3, 1, 0]));
    assert_eq!(everyone["at_start"]["mean"], "2.8");
    assert_eq!(everyone["at_review"]["counts"], json!([0, 1, 2, 3, 0]));
    // Changes +2, +1, 0, +1, −1, 0.
    assert_eq!(everyone["change"]["mean_change"], "+0.5");
    assert_eq!(
        [
            &everyone["change"]["improved"],
            &everyone["change"]["unchanged"],
            &everyone["change"]["worse"]
        ],
        [&json!(3), &json!(2), &json!(1)]
    );
    let direct = item(&report, |r| r["group"] == "direct_payment");
    assert_eq!(direct["at_review"]["people"], 5);
    let managed = item(&report, |r| r["group"] == "council_managed");
    assert!(managed["at_start"].is_null() && managed["change"].is_null());
    assert_eq!(managed["suppressed"], true);
    let csv = app
        .get("/api/v1/council/outcomes?format=csv", Some(&officer))
        .await;
    assert!(
        csv.text
            .lines()
            .any(|l| l.starts_with("budget_held,council_managed,quality_of_life,,,")),
        "{}",
        csv.text
    );

    let browser = signed_in(&app, "officer@council.example").await;
    let shown = page(&browser, &app, "/council/outcomes").await;
    assert_eq!(shown.status, StatusCode::OK);
    assert_accessible(&shown, "/council/outcomes");
    assert!(shown.text.contains("Fewer than 5 people"));
}

#[actix_web::test]
async fn risk_signals_explain_themselves_and_take_a_review() {
    let app = TestApp::spawn().await;
    let (_, officer) = app.commissioner("officer@council.example").await;
    let (_, amina, plan) = holder(&app, &officer, "amina@example.org", "direct_payment").await;
    app.send(
        Method::PATCH,
        "/api/v1/me",
        Some(&amina),
        Some(json!({"name": "Amina Khan"})),
    )
    .await;
    // Her personal assistant shares her surname and postcode.
    let (_, yusuf, pa_listing) =
        seller(&app, "yusuf@example.org", "personal_assistant", "14.00").await;
    let renamed = app
        .send(
            Method::PATCH,
            "/api/v1/me",
            Some(&yusuf),
            Some(json!({"name": "Yusuf Khan", "postcode": "M14 5AB"})),
        )
        .await;
    assert_eq!(renamed.status, StatusCode::OK, "{}", renamed.text);
    // A provider invoices £100.00 for one hour at £20.00.
    let (_, care, care_listing) = seller(&app, "care@example.org", "provider", "20.00").await;
    commission(&app, &amina, plan, pa_listing, "direct_payment").await;
    // From today, so that today's hour can be invoiced.
    let ordered = app
        .post(
            &format!("/api/v1/plans/{plan}/commissions"),
            Some(&amina),
            json!({"listing_id": care_listing, "portion": "direct_payment", "quantity": "2",
                   "start_date": day(0), "end_date": day(27)}),
        )
        .await;
    assert_eq!(ordered.status, StatusCode::CREATED, "{}", ordered.text);
    let id = ordered.json()["id"].as_i64().unwrap();
    let accepted = app
        .post(
            &format!("/api/v1/commissions/{id}/accept"),
            Some(&care),
            json!({}),
        )
        .await;
    assert_eq!(accepted.status, StatusCode::OK, "{}", accepted.text);
    let invoiced = app
        .post(
            &format!("/api/v1/commissions/{id}/deliveries"),
            Some(&care),
            json!({"period_start": day(0), "period_end": day(0), "quantity": "1", "amount": "100.00"}),
        )
        .await;
    assert!(invoiced.status.is_success(), "{}", invoiced.text);

    let risks = app.get("/api/v1/council/risks", Some(&officer)).await;
    assert_eq!(risks.status, StatusCode::OK, "{}", risks.text);
    let risks = risks.json();
    let family = item(&risks, |r| r["kind"] == "family_assistant");
    assert_eq!(
        family["explanation"],
        "Personal assistant Yusuf Khan has the same surname and postcode as Amina Khan, who employs them; the council has not recorded its agreement to employing a family member."
    );
    assert_eq!(family["reviewed"], false);
    let invoice = item(&risks, |r| r["kind"] == "invoice_above_commission");
    assert!(
        invoice["explanation"]
            .as_str()
            .unwrap()
            .contains("invoiced £100.00")
            && invoice["explanation"]
                .as_str()
                .unwrap()
                .contains("comes to at most £20.00"),
        "{invoice}"
    );
    assert_eq!(risks["items"].as_array().unwrap().len(), 2, "{risks}");
    // The same signals keep their ids on the next reading.
    let again = app
        .get("/api/v1/council/risks", Some(&officer))
        .await
        .json();
    assert_eq!(
        item(&again, |r| r["kind"] == "family_assistant")["id"],
        family["id"]
    );

    let review = format!("/api/v1/council/risks/{}/review", invoice["id"]);
    app.post(&review, Some(&officer), json!({"note": "  "}))
        .await
        .problem(422);
    app.post(
        &review,
        Some(&officer),
        json!({"note": "x", "agreed": true}),
    )
    .await
    .problem(422);
    app.post(&review, Some(&amina), json!({"note": "Looks fine"}))
        .await
        .problem(403);
    app.post(
        "/api/v1/council/risks/999999/review",
        Some(&officer),
        json!({"note": "?"}),
    )
    .await
    .problem(404);
    let reviewed = app
        .post(
            &review,
            Some(&officer),
            json!({"note": "Called the provider: a typing slip, refunded."}),
        )
        .await;
    assert_eq!(reviewed.status, StatusCode::OK, "{}", reviewed.text);
    assert_eq!(reviewed.json()["reviewed"], true);
    // Recording the council's agreement ends the family signal.
    let agreed = app
        .post(
            &format!("/api/v1/council/risks/{}/review", family["id"]),
            Some(&officer),
            json!({"note": "Agreed at review: her brother, no one else can cover nights.", "agreed": true}),
        )
        .await;
    assert_eq!(agreed.status, StatusCode::OK, "{}", agreed.text);
    assert_eq!(count_rows(&mut app.db(), "family_agreements"), 1);
    let after = app
        .get("/api/v1/council/risks", Some(&officer))
        .await
        .json();
    let kinds: Vec<&str> = after["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["invoice_above_commission"]);
    assert_eq!(
        after["items"][0]["review_note"],
        "Called the provider: a typing slip, refunded."
    );
    let csv = app
        .get("/api/v1/council/risks?format=csv", Some(&officer))
        .await;
    assert!(csv
        .text
        .starts_with("id,kind,subject_id,subject_name,explanation"));
    assert_eq!(csv.text.lines().count(), 2);

    let browser = signed_in(&app, "officer@council.example").await;
    let shown = page(&browser, &app, "/council/risks").await;
    assert_eq!(shown.status, StatusCode::OK);
    assert_accessible(&shown, "/council/risks");
    assert!(shown
        .text
        .contains("An invoice above what was commissioned"));
    assert!(shown.text.contains("Reviewed"));
}
