//! Support plans through the API: a commissioner sets the budget, the
//! holder's side writes the plan, the council approves it.

use crate::common;

use actix_web::http::StatusCode;
use chrono::{Duration, Utc};
use common::{count_rows, TestApp};
use serde_json::{json, Value};

pub fn period() -> (String, String) {
    let today = Utc::now().date_naive();
    (
        (today - Duration::days(30)).to_string(),
        (today + Duration::days(334)).to_string(),
    )
}

fn new_plan(holder_id: i64) -> Value {
    let (start, end) = period();
    json!({"holder_id": holder_id, "period_start": start, "period_end": end, "budget": "12000.00",
           "portions": [{"mode": "direct_payment", "amount": "8000.00"},
                        {"mode": "council_managed", "amount": "4000.00", "funding_stream": "nhs_personal_health_budget"}]})
}

#[actix_web::test]
async fn a_commissioner_sets_up_a_plan_that_only_its_people_can_see() {
    let app = TestApp::spawn().await;
    let (holder_id, holder) = app.account("amina@example.org", "budget_holder").await;
    let (_, officer) = app.commissioner("officer@council.example").await;
    let (_, stranger) = app.account("someone@example.org", "budget_holder").await;
    let (_, seller) = app.account("pa@example.org", "personal_assistant").await;

    let created = app
        .post("/api/v1/plans", Some(&officer), new_plan(holder_id))
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text);
    let plan = created.json();
    assert_eq!(plan["status"], "draft");
    assert_eq!(plan["budget"], "12000.00");
    assert_eq!(plan["available"], "12000.00");
    assert_eq!(plan["portions"][0]["mode"], "direct_payment");
    assert_eq!(plan["portions"][0]["funding_stream"], "adult_social_care");
    assert_eq!(
        plan["portions"][1]["funding_stream"],
        "nhs_personal_health_budget"
    );
    assert_eq!(plan["portions"][1]["available"], "4000.00");
    let path = format!("/api/v1/plans/{}", plan["id"]);

    let seen = app.get(&path, Some(&holder)).await;
    assert_eq!(seen.status, StatusCode::OK);
    assert_eq!(seen.json()["acting_as"], "holder");
    for token in [&stranger, &seller] {
        assert_eq!(
            app.get(&path, Some(token)).await.status,
            StatusCode::NOT_FOUND
        );
    }
    assert_eq!(app.get(&path, None).await.status, StatusCode::UNAUTHORIZED);
    let mine = app.get("/api/v1/plans", Some(&holder)).await.json();
    assert_eq!(mine["total"], 1);
    assert_eq!(
        app.get("/api/v1/plans", Some(&stranger)).await.json()["total"],
        0
    );

    // Every money movement is in the ledger: one budget entry per portion.
    assert_eq!(count_rows(&mut app.db(), "ledger_entries"), 2);
    app.verify_ledger();
}

#[actix_web::test]
async fn a_plan_is_refused_with_reasons() {
    let app = TestApp::spawn().await;
    let (holder_id, holder) = app.account("amina@example.org", "budget_holder").await;
    let (provider_id, _) = app.account("agency@example.org", "provider").await;
    let (_, officer) = app.commissioner("officer@council.example").await;

    // Only a commissioner sets budgets.
    let by_holder = app
        .post("/api/v1/plans", Some(&holder), new_plan(holder_id))
        .await;
    assert_eq!(by_holder.status, StatusCode::FORBIDDEN);

    let mut uneven = new_plan(holder_id);
    uneven["budget"] = json!("12500.00");
    let reply = app.post("/api/v1/plans", Some(&officer), uneven).await;
    let problem = reply.problem(422);
    assert!(problem["errors"]["portions"][0]
        .as_str()
        .unwrap()
        .contains("add up to"));

    let mut isf = new_plan(holder_id);
    isf["portions"][1] = json!({"mode": "individual_service_fund", "amount": "4000.00"});
    let problem = app
        .post("/api/v1/plans", Some(&officer), isf.clone())
        .await
        .problem(422);
    assert!(problem["errors"]["portions[1].provider_id"].is_array());
    isf["portions"][1]["provider_id"] = json!(provider_id);
    let ok = app.post("/api/v1/plans", Some(&officer), isf).await;
    assert_eq!(ok.status, StatusCode::CREATED, "{}", ok.text);
    assert_eq!(ok.json()["portions"][1]["provider_id"], provider_id);

    // Someone who is not a budget holder of this council.
    let problem = app
        .post("/api/v1/plans", Some(&officer), new_plan(provider_id))
        .await
        .problem(422);
    assert!(problem["errors"]["holder_id"].is_array());

    let mut odd = new_plan(holder_id);
    odd["budget"] = json!(12000);
    assert_eq!(
        app.post("/api/v1/plans", Some(&officer), odd).await.status,
        StatusCode::BAD_REQUEST
    );
}

#[actix_web::test]
async fn a_plan_goes_from_draft_to_approved_and_back_for_revision() {
    let app = TestApp::spawn().await;
    let (holder_id, holder) = app.account("amina@example.org", "budget_holder").await;
    let (_, officer) = app.commissioner("officer@council.example").await;
    let plan = app
        .post("/api/v1/plans", Some(&officer), new_plan(holder_id))
        .await
        .json();
    let path = format!("/api/v1/plans/{}", plan["id"]);
    let portion = plan["portions"][0]["id"].as_i64().unwrap();

    // Nothing important said yet: the plan cannot be submitted.
    let early = app
        .post(&format!("{path}/submit"), Some(&holder), json!({}))
        .await;
    assert!(early.problem(422)["errors"]["outcomes"].is_array());

    let content = json!({
        "outcomes": [{"title": "Get out to the mosque and see friends on Fridays", "domain": "community_life"},
                     {"title": "Stay well at home", "domain": "health_and_wellbeing"}],
        "planned_support": [{"category": "personal_assistant", "quantity": "6", "per": "week",
                             "amount": "4500.00", "portion_id": portion}]
    });
    let written = app
        .send(
            actix_web::http::Method::PATCH,
            &path,
            Some(&holder),
            Some(content),
        )
        .await;
    assert_eq!(written.status, StatusCode::OK, "{}", written.text);
    let written = written.json();
    assert_eq!(written["outcomes"].as_array().unwrap().len(), 2);
    assert_eq!(written["outcomes"][0]["domain"], "community_life");
    assert_eq!(written["planned_support"][0]["quantity"], "6");

    // A bad domain and planned money beyond the portion are named.
    let bad = json!({"outcomes": [{"title": "Something", "domain": "happiness"}],
                     "planned_support": [{"category": "personal_assistant", "amount": "9000.00", "portion_id": portion}]});
    let problem = app
        .send(
            actix_web::http::Method::PATCH,
            &path,
            Some(&holder),
            Some(bad),
        )
        .await
        .problem(422);
    assert!(problem["errors"]["outcomes[0].domain"].is_array());
    assert!(problem["errors"]["planned_support"].is_array());

    let submitted = app
        .post(&format!("{path}/submit"), Some(&holder), json!({}))
        .await;
    assert_eq!(submitted.status, StatusCode::OK, "{}", submitted.text);
    assert_eq!(submitted.json()["status"], "submitted");

    // The holder cannot approve their own plan; the council can, once.
    let self_approved = app
        .post(&format!("{path}/approve"), Some(&holder), json!({}))
        .await;
    assert_eq!(self_approved.status, StatusCode::FORBIDDEN);
    let approved = app
        .post(&format!("{path}/approve"), Some(&officer), json!({}))
        .await;
    assert_eq!(approved.status, StatusCode::OK, "{}", approved.text);
    assert_eq!(approved.json()["status"], "approved");
    assert_eq!(approved.json()["revision"], 1);
    let again = app
        .post(&format!("{path}/approve"), Some(&officer), json!({}))
        .await;
    assert_eq!(
        again.problem(409)["type"],
        "https://bespoke.example/problems/plan-state"
    );

    // An approved plan changes only through a revision.
    let locked = app
        .send(
            actix_web::http::Method::PATCH,
            &path,
            Some(&holder),
            Some(json!({"outcomes": []})),
        )
        .await;
    assert_eq!(locked.status, StatusCode::CONFLICT);
    let revised = app
        .post(&format!("{path}/revise"), Some(&holder), json!({}))
        .await;
    assert_eq!(revised.json()["status"], "draft");
    app.post(&format!("{path}/submit"), Some(&holder), json!({}))
        .await;
    let reapproved = app
        .post(&format!("{path}/approve"), Some(&officer), json!({}))
        .await;
    assert_eq!(reapproved.json()["revision"], 2);

    let ended = app
        .post(&format!("{path}/end"), Some(&officer), json!({}))
        .await;
    assert_eq!(ended.json()["status"], "ended");
    let after = app
        .post(&format!("{path}/revise"), Some(&holder), json!({}))
        .await;
    assert_eq!(after.status, StatusCode::CONFLICT);

    // Who acted, and as what, is recorded.
    use diesel::prelude::*;
    use diesel::sql_types::Text;
    #[derive(QueryableByName)]
    struct Event {
        #[diesel(sql_type = Text)]
        acting_as: String,
        #[diesel(sql_type = Text)]
        action: String,
    }
    let events: Vec<Event> =
        diesel::sql_query("SELECT acting_as, action FROM plan_events ORDER BY id")
            .load(&mut *app.db())
            .unwrap();
    let events: Vec<(String, String)> = events
        .into_iter()
        .map(|e| (e.acting_as, e.action))
        .collect();
    assert_eq!(events[0], ("commissioner".into(), "created".into()));
    assert!(events.contains(&("holder".into(), "submitted".into())));
    assert!(events.contains(&("commissioner".into(), "approved".into())));
    assert_eq!(
        events.last().unwrap(),
        &("commissioner".into(), "ended".into())
    );
}

#[actix_web::test]
async fn a_representative_acts_with_the_holders_rights_and_is_recorded() {
    let app = TestApp::spawn().await;
    let (holder_id, holder) = app.account("amina@example.org", "budget_holder").await;
    let (daughter_id, daughter) = app.account("daughter@example.org", "budget_holder").await;
    let (_, officer) = app.commissioner("officer@council.example").await;
    let plan = app
        .post("/api/v1/plans", Some(&officer), new_plan(holder_id))
        .await
        .json();
    let path = format!("/api/v1/plans/{}", plan["id"]);
    assert_eq!(
        app.get(&path, Some(&daughter)).await.status,
        StatusCode::NOT_FOUND
    );

    // Only the holder (or the council) nominates, and not the holder themself.
    let by_stranger = app
        .post(
            &format!("{path}/representatives"),
            Some(&daughter),
            json!({"account_id": daughter_id}),
        )
        .await;
    assert_eq!(by_stranger.status, StatusCode::NOT_FOUND);
    let self_nominated = app
        .post(
            &format!("{path}/representatives"),
            Some(&holder),
            json!({"account_id": holder_id}),
        )
        .await;
    assert_eq!(self_nominated.status, StatusCode::UNPROCESSABLE_ENTITY);
    let nominated = app
        .post(
            &format!("{path}/representatives"),
            Some(&holder),
            json!({"account_id": daughter_id}),
        )
        .await;
    assert_eq!(nominated.status, StatusCode::OK, "{}", nominated.text);
    assert_eq!(nominated.json()["representatives"], json!([daughter_id]));

    let seen = app.get(&path, Some(&daughter)).await.json();
    assert_eq!(seen["acting_as"], "representative");
    let content =
        json!({"outcomes": [{"title": "Mum keeps her allotment", "domain": "quality_of_life"}]});
    let written = app
        .send(
            actix_web::http::Method::PATCH,
            &path,
            Some(&daughter),
            Some(content),
        )
        .await;
    assert_eq!(written.status, StatusCode::OK, "{}", written.text);
    let submitted = app
        .post(&format!("{path}/submit"), Some(&daughter), json!({}))
        .await;
    assert_eq!(submitted.json()["status"], "submitted");
    let acted: i64 = {
        use bespoke::store::schema::plan_events::dsl::*;
        use diesel::prelude::*;
        plan_events
            .filter(acting_as.eq("representative"))
            .count()
            .get_result(&mut *app.db())
            .unwrap()
    };
    assert_eq!(acted, 2);

    let removed = app
        .send(
            actix_web::http::Method::DELETE,
            &format!("{path}/representatives/{daughter_id}"),
            Some(&holder),
            None,
        )
        .await;
    assert_eq!(removed.status, StatusCode::OK);
    assert_eq!(
        app.get(&path, Some(&daughter)).await.status,
        StatusCode::NOT_FOUND
    );
}
