//! Commissioning against an approved plan: exact costs, a budget that can
//! never be overspent (even under concurrent requests), and the money
//! released, spent or kept as each commission moves on.

use crate::common;
use bespoke::domain::ids::PlanId;

use actix_web::http::{Method, StatusCode};
use chrono::{Duration, Utc};
use common::{count_rows, TestApp};
use serde_json::{json, Value};

/// A council, an approved plan and a seller's listing to buy from; the
/// invoice tests (`invoices_api`) start from it too.
pub(crate) struct Market {
    pub(crate) app: TestApp,
    pub(crate) holder: String,
    pub(crate) seller: String,
    officer: String,
    plan_id: i64,
    pub(crate) listing_id: i64,
    /// The direct-payment portion.
    portion_id: i64,
}

pub(crate) fn dates(from_today: i64, days: i64) -> (String, String) {
    let start = Utc::now().date_naive() + Duration::days(from_today);
    (
        start.to_string(),
        (start + Duration::days(days - 1)).to_string(),
    )
}

/// An approved plan with `budget` in one direct-payment portion (plus a
/// council-managed one), and a personal assistant's listing at £14.50 an
/// hour with a £40 introduction fee.
pub(crate) async fn market(budget: &str) -> Market {
    let app = TestApp::spawn().await;
    let (holder_id, holder) = app.account("amina@example.org", "budget_holder").await;
    let (_, seller) = app
        .account("fatima@example.org", "personal_assistant")
        .await;
    let (_, officer) = app.commissioner("officer@council.example").await;
    let (start, end) = (
        (Utc::now().date_naive() - Duration::days(30)).to_string(),
        (Utc::now().date_naive() + Duration::days(334)).to_string(),
    );
    let plan = app
        .post(
            "/api/v1/plans",
            Some(&officer),
            json!({"holder_id": holder_id, "period_start": start, "period_end": end,
                   "budget": format!("{}", add(budget, "1000.00")),
                   "portions": [{"mode": "direct_payment", "amount": budget},
                                {"mode": "council_managed", "amount": "1000.00"}]}),
        )
        .await;
    assert_eq!(plan.status, StatusCode::CREATED, "{}", plan.text);
    let plan = plan.json();
    let plan_id = plan["id"].as_i64().unwrap();
    let path = format!("/api/v1/plans/{plan_id}");
    let outcomes =
        json!({"outcomes": [{"title": "Get out in the evenings", "domain": "community_life"}]});
    let patched = app
        .send(Method::PATCH, &path, Some(&holder), Some(outcomes))
        .await;
    assert_eq!(patched.status, StatusCode::OK, "{}", patched.text);
    app.post(&format!("{path}/submit"), Some(&holder), json!({}))
        .await;
    let approved = app
        .post(&format!("{path}/approve"), Some(&officer), json!({}))
        .await;
    assert_eq!(approved.json()["status"], "approved");

    let listing = app
        .post(
            "/api/v1/listings",
            Some(&seller),
            json!({"title": "Evening personal assistant", "description": "Friendly and local.",
                   "category": "personal_assistant", "price": {"amount": "14.50", "unit": "hour"},
                   "rates": [{"band": "weekend", "amount": "16.00"}],
                   "fees": [{"kind": "setup", "label": "Introduction fee", "amount": "40.00", "per": "one_off"}],
                   "postcode": "M14 5AB", "areas": ["M14"], "availability": ["weekday_evening"]}),
        )
        .await;
    assert_eq!(listing.status, StatusCode::CREATED, "{}", listing.text);
    Market {
        app,
        holder,
        seller,
        officer,
        plan_id,
        listing_id: listing.json()["id"].as_i64().unwrap(),
        portion_id: plan["portions"][0]["id"].as_i64().unwrap(),
    }
}

fn add(a: &str, b: &str) -> String {
    let pence = |s: &str| {
        let (pounds, pence) = s.split_once('.').unwrap();
        pounds.parse::<i64>().unwrap() * 100 + pence.parse::<i64>().unwrap()
    };
    let total = pence(a) + pence(b);
    format!("{}.{:02}", total / 100, total % 100)
}

impl Market {
    fn order(&self, hours: &str, days: i64) -> Value {
        let (start, end) = dates(0, days);
        json!({"listing_id": self.listing_id, "portion": "direct_payment", "quantity": hours,
               "per": "week", "start_date": start, "end_date": end})
    }

    pub(crate) async fn commission(&self, body: Value) -> common::Reply {
        self.app
            .post(
                &format!("/api/v1/plans/{}/commissions", self.plan_id),
                Some(&self.holder),
                body,
            )
            .await
    }

    async fn plan(&self) -> Value {
        self.app
            .get(
                &format!("/api/v1/plans/{}", self.plan_id),
                Some(&self.holder),
            )
            .await
            .json()
    }
}

#[actix_web::test]
async fn a_commission_is_costed_committed_accepted_invoiced_and_completed() {
    let m = market("2000.00").await;
    // 6 hours a week for 4 weeks at £14.50, plus the £40 introduction fee.
    let reply = m.commission(m.order("6", 28)).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text);
    let commission = reply.json();
    assert_eq!(commission["status"], "requested");
    assert_eq!(commission["cost"]["unit_price"], "14.50");
    assert_eq!(commission["cost"]["fees"], "40.00");
    assert_eq!(commission["cost"]["weekly"], "87.00");
    assert_eq!(commission["cost"]["total"], "388.00");
    assert_eq!(commission["committed"], "388.00");
    let id = commission["id"].as_i64().unwrap();

    let plan = m.plan().await;
    assert_eq!(plan["committed"], "388.00");
    assert_eq!(plan["portions"][0]["available"], "1612.00");
    assert_eq!(plan["portions"][1]["available"], "1000.00");
    assert_eq!(plan["commissions"][0]["id"], id);

    // A later price change does not touch what was commissioned.
    let changed = m
        .app
        .send(
            Method::PATCH,
            &format!("/api/v1/listings/{}", m.listing_id),
            Some(&m.seller),
            Some(json!({"price": {"amount": "20.00", "unit": "hour"}})),
        )
        .await;
    assert_eq!(changed.status, StatusCode::OK, "{}", changed.text);

    // The seller sees it in their inbox and accepts; the holder cannot accept for them.
    let inbox = m
        .app
        .get("/api/v1/commissions", Some(&m.seller))
        .await
        .json();
    assert_eq!(inbox["total"], 1);
    assert_eq!(inbox["items"][0]["cost"]["total"], "388.00");
    let path = format!("/api/v1/commissions/{id}");
    assert_eq!(
        m.app
            .post(&format!("{path}/accept"), Some(&m.holder), json!({}))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    let accepted = m
        .app
        .post(&format!("{path}/accept"), Some(&m.seller), json!({}))
        .await;
    assert_eq!(accepted.status, StatusCode::OK, "{}", accepted.text);
    assert_eq!(accepted.json()["status"], "accepted");
    // The seller was told of the request, the holder of the answer.
    assert_eq!(
        told(&m.app),
        vec![
            (
                "commission_requested".to_owned(),
                "fatima@example.org".to_owned()
            ),
            (
                "commission_answered".to_owned(),
                "amina@example.org".to_owned()
            ),
        ]
    );

    // An invoice above what is left of the commission is refused; one within it is spent.
    // (Support is invoiced once given: today's.)
    let (start, end) = dates(0, 1);
    let too_much = m
        .app
        .post(
            &format!("{path}/deliveries"),
            Some(&m.seller),
            json!({"period_start": start, "period_end": end, "quantity": "6", "amount": "388.01"}),
        )
        .await;
    assert_eq!(
        too_much.problem(409)["type"],
        "https://bespoke.example/problems/invoice-exceeds-commission"
    );
    let invoiced = m
        .app
        .post(
            &format!("{path}/deliveries"),
            Some(&m.seller),
            json!({"period_start": start, "period_end": end, "quantity": "6", "amount": "127.00"}),
        )
        .await;
    assert_eq!(invoiced.status, StatusCode::CREATED, "{}", invoiced.text);
    assert_eq!(invoiced.json()["spent"], "127.00");
    assert_eq!(invoiced.json()["committed"], "261.00");
    let plan = m.plan().await;
    assert_eq!(plan["spent"], "127.00");
    assert_eq!(plan["committed"], "261.00");
    assert_eq!(plan["available"], "2612.00");

    // The holder and the seller read the invoice's lines; nobody else can.
    let invoices_path = format!("{path}/invoices");
    for reader in [&m.holder, &m.seller] {
        let lines = m.app.get(&invoices_path, Some(reader)).await;
        assert_eq!(lines.status, StatusCode::OK, "{}", lines.text);
        let items = lines.json()["items"].as_array().unwrap().clone();
        assert_eq!(items.len(), 1, "only the invoice that was accepted");
        assert_eq!(items[0]["amount"], "127.00");
        assert_eq!(items[0]["quantity"], "6");
        assert_eq!(items[0]["period_start"], start);
        assert_eq!(items[0]["period_end"], end);
    }
    let (_, stranger) = m.app.account("someone@example.org", "budget_holder").await;
    assert_eq!(
        m.app.get(&invoices_path, Some(&stranger)).await.status,
        StatusCode::NOT_FOUND
    );

    // Completing releases what was not spent.
    let completed = m
        .app
        .post(&format!("{path}/complete"), Some(&m.holder), json!({}))
        .await;
    assert_eq!(completed.json()["status"], "completed");
    assert_eq!(completed.json()["committed"], "0.00");
    let plan = m.plan().await;
    assert_eq!(plan["committed"], "0.00");
    assert_eq!(plan["spent"], "127.00");
    assert_eq!(plan["portions"][0]["available"], "1873.00");
    // The holder heard of the invoice, with what it charged and for when; the
    // seller heard that the holder marked the support completed.
    let invoice = bespoke::store::mail::recent(&mut m.app.db(), 100)
        .unwrap()
        .into_iter()
        .find(|r| r.kind == "invoice_recorded")
        .expect("the holder is told of the invoice");
    assert_eq!(invoice.to_address, "amina@example.org");
    assert!(invoice.subject.ends_with("£127.00"), "{}", invoice.subject);
    assert!(invoice
        .text_body
        .contains(&format!("from {start} to {end}")));
    assert_eq!(
        told(&m.app)[2..],
        [(
            "commission_completed".to_owned(),
            "fatima@example.org".to_owned()
        )]
    );
    m.app.verify_ledger();
}

/// Which messages were written, and to whom, after the plan was approved.
fn told(app: &TestApp) -> Vec<(String, String)> {
    let mut rows = bespoke::store::mail::recent(&mut app.db(), 100).unwrap();
    rows.reverse();
    rows.into_iter()
        .filter(|r| r.kind.starts_with("commission"))
        .map(|r| (r.kind, r.to_address))
        .collect()
}

#[actix_web::test]
async fn declining_and_cancelling_release_the_commitment() {
    let m = market("2000.00").await;
    let first = m.commission(m.order("6", 28)).await.json();
    let second = m.commission(m.order("2", 28)).await.json();
    assert_eq!(m.plan().await["committed"], "544.00");

    let declined = m
        .app
        .post(
            &format!("/api/v1/commissions/{}/decline", first["id"]),
            Some(&m.seller),
            json!({"reason": "I am fully booked on Tuesdays"}),
        )
        .await;
    assert_eq!(declined.status, StatusCode::OK, "{}", declined.text);
    assert_eq!(declined.json()["reason"], "I am fully booked on Tuesdays");
    let answer = bespoke::store::mail::recent(&mut m.app.db(), 1)
        .unwrap()
        .remove(0);
    assert_eq!(answer.to_address, "amina@example.org");
    assert!(answer.subject.starts_with("Declined: "));
    assert!(answer.text_body.contains("I am fully booked on Tuesdays"));
    let cancelled = m
        .app
        .post(
            &format!("/api/v1/commissions/{}/cancel", second["id"]),
            Some(&m.holder),
            json!({}),
        )
        .await;
    assert_eq!(cancelled.json()["status"], "cancelled");
    // The seller is told the support is cancelled and not to deliver it.
    let told_seller = bespoke::store::mail::recent(&mut m.app.db(), 1)
        .unwrap()
        .remove(0);
    assert_eq!(told_seller.kind, "commission_cancelled");
    assert_eq!(told_seller.to_address, "fatima@example.org");
    assert!(told_seller.text_body.contains("do not deliver any more"));
    let plan = m.plan().await;
    assert_eq!(plan["committed"], "0.00");
    assert_eq!(plan["available"], "3000.00");

    // Neither can come back.
    let revived = m
        .app
        .post(
            &format!("/api/v1/commissions/{}/accept", first["id"]),
            Some(&m.seller),
            json!({}),
        )
        .await;
    assert_eq!(revived.status, StatusCode::CONFLICT);
    // Releases are ledger entries, not edits.
    assert_eq!(count_rows(&mut m.app.db(), "ledger_entries"), 2 + 2 + 2);
    m.app.verify_ledger();
}

#[actix_web::test]
async fn commissions_are_refused_with_a_clear_reason() {
    let m = market("500.00").await;

    let over = m.commission(m.order("6", 56)).await;
    let problem = over.problem(409);
    assert_eq!(
        problem["type"],
        "https://bespoke.example/problems/budget-exceeded"
    );
    assert_eq!(problem["available"], "500.00");
    assert_eq!(problem["requested"], "736.00");

    let mut too_many_hours = m.order("200", 28);
    too_many_hours["per"] = json!("week");
    let problem = m.commission(too_many_hours).await.problem(422);
    assert!(problem["errors"]["quantity"][0]
        .as_str()
        .unwrap()
        .contains("168"));

    let (_, plan_end) = plan_period(&m).await;
    let mut late = m.order("2", 28);
    late["end_date"] = json!((plan_end + Duration::days(1)).to_string());
    assert!(m.commission(late).await.problem(422)["errors"]["end_date"].is_array());

    let mut ambiguous = m.order("2", 28);
    ambiguous["portion"] = json!("individual_service_fund");
    assert!(m.commission(ambiguous).await.problem(422)["errors"]["portion"].is_array());
    let mut foreign = m.order("2", 28);
    foreign["portion"] = json!(999_999);
    assert!(m.commission(foreign).await.problem(422)["errors"]["portion"].is_array());

    let mut unknown = m.order("2", 28);
    unknown["listing_id"] = json!(999_999);
    assert!(m.commission(unknown).await.problem(422)["errors"]["listing_id"].is_array());

    // Not taking clients, then withdrawn.
    let listing = format!("/api/v1/listings/{}", m.listing_id);
    m.app
        .send(
            Method::PATCH,
            &listing,
            Some(&m.seller),
            Some(json!({"accepting_clients": false})),
        )
        .await;
    let full = m.commission(m.order("2", 28)).await;
    assert_eq!(
        full.problem(409)["type"],
        "https://bespoke.example/problems/listing-unavailable"
    );
    m.app
        .send(Method::DELETE, &listing, Some(&m.seller), None)
        .await;
    let withdrawn = m.commission(m.order("2", 28)).await;
    assert_eq!(withdrawn.status, StatusCode::CONFLICT);

    // A plan that is not approved cannot be spent against; nor can others commission on it.
    let path = format!("/api/v1/plans/{}", m.plan_id);
    m.app
        .post(&format!("{path}/revise"), Some(&m.holder), json!({}))
        .await;
    let draft = m.commission(m.order("2", 28)).await;
    assert_eq!(
        draft.problem(409)["type"],
        "https://bespoke.example/problems/plan-not-approved"
    );
    let by_seller = m
        .app
        .post(
            &format!("{path}/commissions"),
            Some(&m.seller),
            m.order("2", 28),
        )
        .await;
    assert_eq!(by_seller.status, StatusCode::NOT_FOUND);
    let by_council = m
        .app
        .post(
            &format!("{path}/commissions"),
            Some(&m.officer),
            m.order("2", 28),
        )
        .await;
    assert_eq!(by_council.status, StatusCode::FORBIDDEN);

    assert_eq!(count_rows(&mut m.app.db(), "commissions"), 0);
    m.app.verify_ledger();
}

async fn plan_period(m: &Market) -> (chrono::NaiveDate, chrono::NaiveDate) {
    let plan = m.plan().await;
    let date =
        |v: &Value| chrono::NaiveDate::parse_from_str(v.as_str().unwrap(), "%Y-%m-%d").unwrap();
    (date(&plan["period_start"]), date(&plan["period_end"]))
}

#[actix_web::test]
async fn a_repeated_request_with_the_same_idempotency_key_commissions_once() {
    let m = market("2000.00").await;
    let path = format!("/api/v1/plans/{}/commissions", m.plan_id);
    let send = |body: Value, key: &'static str| {
        let app = &m.app;
        let holder = m.holder.clone();
        let path = path.clone();
        async move {
            let request = app
                .server
                .post(&path)
                .insert_header(("Authorization", format!("Bearer {holder}")))
                .insert_header(("Idempotency-Key", key));
            let mut response = request.send_json(&body).await.expect("a response");
            let body = response.body().await.expect("a body");
            (
                response.status(),
                serde_json::from_slice::<Value>(&body).unwrap(),
            )
        }
    };
    let (first_status, first) = send(m.order("6", 28), "order-1").await;
    assert_eq!(first_status, StatusCode::CREATED, "{first}");
    let (again_status, again) = send(m.order("6", 28), "order-1").await;
    assert_eq!(again_status, StatusCode::CREATED);
    assert_eq!(again["id"], first["id"]);
    assert_eq!(count_rows(&mut m.app.db(), "commissions"), 1);
    assert_eq!(m.plan().await["committed"], "388.00");

    let (reused_status, reused) = send(m.order("2", 28), "order-1").await;
    assert_eq!(reused_status, StatusCode::CONFLICT, "{reused}");
    // Without a key, identical requests are separate requests.
    m.commission(m.order("6", 28)).await;
    m.commission(m.order("6", 28)).await;
    assert_eq!(count_rows(&mut m.app.db(), "commissions"), 3);
    m.app.verify_ledger();
}

#[actix_web::test]
async fn concurrent_commissions_never_commit_more_than_the_portion_holds() {
    // Each commission costs £388.00: the portion has room for exactly five.
    let m = market("1940.00").await;
    let attempts = 16;
    let replies =
        futures_util::future::join_all((0..attempts).map(|_| m.commission(m.order("6", 28)))).await;
    let created = replies
        .iter()
        .filter(|r| r.status == StatusCode::CREATED)
        .count();
    let refused: Vec<&common::Reply> = replies
        .iter()
        .filter(|r| r.status == StatusCode::CONFLICT)
        .collect();
    assert_eq!(
        created,
        5,
        "{:?}",
        replies.iter().map(|r| r.status).collect::<Vec<_>>()
    );
    assert_eq!(refused.len(), attempts - 5);
    for reply in refused {
        assert_eq!(
            reply.json()["type"],
            "https://bespoke.example/problems/budget-exceeded"
        );
    }
    let plan = m.plan().await;
    assert_eq!(plan["portions"][0]["committed"], "1940.00");
    assert_eq!(plan["portions"][0]["available"], "0.00");
    assert_eq!(count_rows(&mut m.app.db(), "commissions"), 5);
    m.app.verify_ledger();
}

#[actix_web::test]
async fn bank_holiday_support_and_per_visit_fees_are_priced_from_the_calendar() {
    let m = market("2000.00").await;
    let calendar = bespoke::domain::calendar::BankHolidays::get();
    let today = Utc::now().date_naive();
    assert!(
        !calendar.runs_out_within(today, 30),
        "data/calendar/bank_holidays.toml ends on {}: add the next year's bank holidays from GOV.UK",
        calendar.covers_until()
    );
    // Support on bank holidays only, for up to 300 days within the years the
    // calendar lists: priced per bank holiday.
    let end = (today + Duration::days(299)).min(calendar.covers_until());
    let reply = m
        .commission(
            json!({"listing_id": m.listing_id, "portion": m.portion_id, "band": "bank_holiday",
                           "quantity": "3", "start_date": today, "end_date": end}),
        )
        .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text);
    let commission = reply.json();
    assert_eq!(commission["per"], "bank_holiday");
    // No bank-holiday rate on this listing: its hourly price applies.
    assert_eq!(commission["cost"]["unit_price"], "14.50");
    let total = commission["cost"]["total"].as_str().unwrap().to_owned();
    let holidays = calendar
        .between("england_and_wales", today, end)
        .unwrap()
        .len() as i64;
    assert!(holidays > 0);
    let expected_pence = 1450 * 3 * holidays + 4000;
    assert_eq!(
        total,
        format!("{}.{:02}", expected_pence / 100, expected_pence % 100)
    );

    // The weekend band uses the weekend rate.
    let (start, end) = dates(0, 14);
    let weekend = m
        .commission(
            json!({"listing_id": m.listing_id, "portion": "direct_payment", "band": "weekend",
                           "quantity": "4", "start_date": start, "end_date": end}),
        )
        .await
        .json();
    assert_eq!(weekend["cost"]["unit_price"], "16.00");
    assert_eq!(weekend["cost"]["total"], "168.00");
    m.app.verify_ledger();
}

fn ledger_verify(app: &TestApp) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_bespoke"))
        .args(["ledger", "verify"])
        .env_clear()
        .envs(app.database.env(&[]))
        .env("RUST_LOG", "warn")
        .output()
        .expect("the bespoke binary runs")
}

#[actix_web::test]
async fn ledger_verify_finds_a_balance_that_disagrees_with_the_ledger() {
    let m = market("2000.00").await;
    let reply = m.commission(m.order("6", 28)).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text);
    let clean = ledger_verify(&m.app);
    assert!(
        clean.status.success(),
        "{}",
        String::from_utf8_lossy(&clean.stderr)
    );

    // Someone edits a balance behind the ledger's back.
    use diesel::RunQueryDsl;
    diesel::sql_query(format!(
        "UPDATE plan_portions SET committed_pence = committed_pence - 100 WHERE id = {}",
        m.portion_id
    ))
    .execute(&mut m.app.db())
    .unwrap();
    let caught = ledger_verify(&m.app);
    assert!(!caught.status.success());
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&caught.stdout),
        String::from_utf8_lossy(&caught.stderr)
    );
    assert!(
        said.contains(&format!("portion {}", m.portion_id)),
        "{said}"
    );

    // A commission whose commitment is half released behind its back is named too.
    let id = reply.json()["id"].as_i64().unwrap();
    diesel::sql_query(format!(
        "INSERT INTO ledger_entries (plan_id, portion_id, commission_id, kind, amount_pence, at, actor_id, note) \
         SELECT plan_id, portion_id, commission_id, 'release', amount_pence / 2, at, actor_id, 'edited' \
         FROM ledger_entries WHERE commission_id = {id} AND kind = 'commit'"
    ))
    .execute(&mut m.app.db())
    .unwrap();
    let caught = ledger_verify(&m.app);
    let said = String::from_utf8_lossy(&caught.stdout).into_owned();
    assert!(said.contains(&format!("commission {id}: holds")), "{said}");
}

/// A page of commissions reads its money from the ledger in a fixed number
/// of queries: one commission or four cost the same.
#[actix_web::test]
async fn money_views_of_many_commissions_take_a_fixed_number_of_queries() {
    use diesel::connection::{Connection, InstrumentationEvent};
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;

    let m = market("2000.00").await;
    for _ in 0..4 {
        let reply = m.commission(m.order("2", 28)).await;
        assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text);
    }
    let mut conn = m.app.db();
    let rows = bespoke::store::commissions::of_plan(&mut conn, PlanId(m.plan_id)).unwrap();
    assert_eq!(rows.len(), 4);
    let queries = Arc::new(AtomicUsize::new(0));
    let counter = queries.clone();
    conn.set_instrumentation(move |event: InstrumentationEvent<'_>| {
        if matches!(event, InstrumentationEvent::StartQuery { .. }) {
            counter.fetch_add(1, Ordering::SeqCst);
        }
    });
    let mut count = |rows: &[bespoke::store::commissions::CommissionRow]| {
        queries.store(0, Ordering::SeqCst);
        let views = bespoke::services::commissions::views(&mut conn, rows).unwrap();
        assert_eq!(views.len(), rows.len());
        queries.load(Ordering::SeqCst)
    };
    let one = count(&rows[..1]);
    let four = count(&rows);
    assert_eq!(
        one, four,
        "one commission took {one} queries, four took {four}"
    );
    assert!(four <= 2, "{four} queries for four commissions");
}
