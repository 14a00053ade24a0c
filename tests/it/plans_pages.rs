//! The plan and commission journeys in the browser, without JavaScript:
//! self-assessment, a commissioner creating and approving a plan, the holder
//! writing it, buying from a listing through a cost preview, the seller's
//! inbox and invoice, and the operator's mailbox.

use crate::common;

use actix_web::http::StatusCode;
use chrono::{Duration, Utc};
use common::{
    assert_accessible, count_rows, id_after, location, page, signed_in, TestApp, PASSWORD,
};
use serde_json::json;

#[actix_web::test]
async fn a_plan_goes_from_self_assessment_to_approval_and_a_commission_in_the_browser() {
    let app = TestApp::spawn().await;
    app.register("amina@example.org", "budget_holder").await;
    let (_, seller_token) = app
        .account("fatima@example.org", "personal_assistant")
        .await;
    app.commissioner("officer@council.example").await;
    let holder = signed_in(&app, "amina@example.org").await;
    let officer = signed_in(&app, "officer@council.example").await;
    let seller = signed_in(&app, "fatima@example.org").await;

    // Self-assessment: ten questions; "some help" everywhere is 30 points, £6,000.
    let form = page(&holder, &app, "/self-assessment").await;
    assert_eq!(form.text.matches("<fieldset").count(), 10);
    let missing = holder
        .post_form(&app, "/self-assessment", &[("answer_personal_care", "1")])
        .await;
    assert_eq!(missing.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(missing.text.contains("needs an answer"));
    assert!(
        missing.text.contains(r#"value="1" checked"#),
        "kept the answer given"
    );
    let ids = [
        "personal_care",
        "eating",
        "moving_about",
        "home",
        "health",
        "safety",
        "relationships",
        "community",
        "work_learning",
        "carer",
    ];
    let names: Vec<String> = ids.iter().map(|id| format!("answer_{id}")).collect();
    let answers: Vec<(&str, &str)> = names.iter().map(|n| (n.as_str(), "1")).collect();
    let saved = holder.post_form(&app, "/self-assessment", &answers).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.text);
    let result = page(&holder, &app, &location(&saved)).await;
    assert!(result
        .text
        .contains("Your indicative budget: £6,000.00 a year"));

    // The commissioner creates the plan; a wrong email is explained.
    let table = page(&officer, &app, "/council/allocation").await;
    assert!(table.text.contains("£200.00") && table.text.contains("£60,000.00"));
    assert_eq!(
        holder.get(&app, "/council/allocation").await.status,
        StatusCode::FORBIDDEN
    );
    page(&officer, &app, "/plans/new").await;
    let today = Utc::now().date_naive();
    let (start, end) = (today.to_string(), (today + Duration::days(364)).to_string());
    let wrong = officer
        .post_form(
            &app,
            "/plans/new",
            &[
                ("holder_email", "nobody@example.org"),
                ("period_start", &start),
                ("period_end", &end),
                ("mode_0", "direct_payment"),
                ("amount_0", "5000"),
            ],
        )
        .await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(wrong
        .text
        .contains("is not the email address of a budget holder"));
    let created = officer
        .post_form(
            &app,
            "/plans/new",
            &[
                ("holder_email", "amina@example.org"),
                ("period_start", &start),
                ("period_end", &end),
                ("mode_0", "direct_payment"),
                ("amount_0", "5000"),
                ("stream_0", "adult_social_care"),
            ],
        )
        .await;
    assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.text);
    let plan_id = id_after(&location(&created), "/plans/");
    let plan_path = format!("/plans/{plan_id}");
    let draft = page(&officer, &app, &plan_path).await;
    assert!(
        draft.text.contains("£6,000.00 a year"),
        "the indicative budget is beside the real one"
    );

    // The holder writes the plan; mistakes come back with the rows kept.
    page(&holder, &app, &format!("{plan_path}/edit")).await;
    let bad = holder
        .post_form(
            &app,
            &format!("{plan_path}/edit"),
            &[
                ("outcome_title_0", "ab"),
                ("outcome_domain_0", "community_life"),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.text.contains(r##"href="#outcomes[0].title""##));
    let written = holder
        .post_form(
            &app,
            &format!("{plan_path}/edit"),
            &[
                ("outcome_title_0", "Get out in the evenings"),
                ("outcome_domain_0", "community_life"),
                ("planned_category_0", "personal_assistant"),
                ("planned_quantity_0", "6"),
                ("planned_per_0", "week"),
            ],
        )
        .await;
    assert_eq!(written.status, StatusCode::SEE_OTHER, "{}", written.text);
    let submitted = holder
        .post_form(&app, &format!("{plan_path}/submit"), &[])
        .await;
    assert_eq!(location(&submitted), format!("{plan_path}?done=submitted"));

    // The commissioner's queue, and approval.
    let queue = page(&officer, &app, "/plans").await;
    let waiting = queue.text.split("Other plans").next().unwrap();
    assert!(waiting.contains(&format!("Plan {plan_id}")));
    let approved = officer
        .post_form(&app, &format!("{plan_path}/approve"), &[])
        .await;
    assert_eq!(location(&approved), format!("{plan_path}?done=approved"));
    let mine = page(&holder, &app, &plan_path).await;
    assert!(mine.text.contains("Approved") && mine.text.contains("budget-bar"));
    assert!(mine.text.contains("£5,000.00"));

    // Buying from a listing: form, preview (nothing committed yet), confirm.
    let listing = app
        .post(
            "/api/v1/listings",
            Some(&seller_token),
            json!({"title": "Evening personal assistant", "description": "Friendly and local.",
                   "category": "personal_assistant", "price": {"amount": "15.00", "unit": "hour"},
                   "postcode": "M14 5AB", "areas": ["M14"], "availability": ["weekday_evening"]}),
        )
        .await;
    let listing_id = listing.json()["id"].as_i64().unwrap();
    let shown = page(&holder, &app, &format!("/listings/{listing_id}")).await;
    assert!(shown
        .text
        .contains(&format!("/listings/{listing_id}/commission")));
    let order_path = format!("/listings/{listing_id}/commission");
    let order = page(&holder, &app, &order_path).await;
    let portion = order
        .text
        .split(&format!(r#"<option value="{plan_id}:"#))
        .nth(1)
        .and_then(|s| s.split('"').next())
        .expect("the plan's portion is offered")
        .to_owned();
    let choice = format!("{plan_id}:{portion}");
    // From today, so that today's support can be invoiced below.
    let (from, until) = (today.to_string(), (today + Duration::days(27)).to_string());
    let fields = |step: &'static str| {
        vec![
            ("step", step),
            ("portion", choice.as_str()),
            ("quantity", "6"),
            ("per", "week"),
            ("start_date", from.as_str()),
            ("end_date", until.as_str()),
        ]
    };
    let preview = holder
        .post_form(&app, &order_path, &fields("preview"))
        .await;
    assert_eq!(preview.status, StatusCode::OK, "{}", preview.text);
    assert_accessible(&preview, "preview");
    // 6 hours × £15 × 4 weeks.
    assert!(preview.text.contains("<strong>£360.00</strong>"));
    assert!(preview.text.contains("£4,640.00"), "what would be left");
    assert_eq!(
        count_rows(&mut app.db(), "commissions"),
        0,
        "a preview commits nothing"
    );
    let key = preview
        .text
        .split(r#"name="idempotency_key" value=""#)
        .nth(1)
        .and_then(|s| s.split('"').next())
        .unwrap()
        .to_owned();
    let mut confirm = fields("confirm");
    confirm.push(("idempotency_key", key.as_str()));
    let sent = holder.post_form(&app, &order_path, &confirm).await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.text);
    let commission_id = id_after(&location(&sent), "/commissions/");
    // Pressing the button twice sends one request.
    let again = holder.post_form(&app, &order_path, &confirm).await;
    assert_eq!(id_after(&location(&again), "/commissions/"), commission_id);
    assert_eq!(count_rows(&mut app.db(), "commissions"), 1);
    let bad_dates = holder
        .post_form(
            &app,
            &order_path,
            &[
                ("step", "preview"),
                ("portion", &choice),
                ("quantity", "200"),
                ("per", "week"),
                ("start_date", &from),
                ("end_date", &until),
            ],
        )
        .await;
    assert_eq!(bad_dates.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad_dates.text.contains("error-summary"));

    // The seller's inbox: accept, then invoice (too much is refused).
    let inbox = page(&seller, &app, "/commissions").await;
    let waiting = inbox.text.split("Your commissions").next().unwrap();
    assert!(waiting.contains("Evening personal assistant"));
    let commission_path = format!("/commissions/{commission_id}");
    page(&seller, &app, &commission_path).await;
    page(&seller, &app, &format!("{commission_path}/decline")).await;
    let accepted = seller
        .post_form(&app, &format!("{commission_path}/accept"), &[])
        .await;
    assert_eq!(
        location(&accepted),
        format!("{commission_path}?done=accepted")
    );
    let invoice_form = page(&seller, &app, &commission_path).await;
    assert!(invoice_form.text.contains("Send the invoice"));
    let too_much = seller
        .post_form(
            &app,
            &format!("{commission_path}/deliveries"),
            &[
                ("period_start", &from),
                ("period_end", &from),
                ("quantity", "6"),
                ("amount", "360.01"),
            ],
        )
        .await;
    assert_eq!(too_much.status, StatusCode::CONFLICT);
    let invoiced = seller
        .post_form(
            &app,
            &format!("{commission_path}/deliveries"),
            &[
                ("period_start", &from),
                ("period_end", &from),
                ("quantity", "6"),
                ("amount", "90.00"),
            ],
        )
        .await;
    assert_eq!(
        location(&invoiced),
        format!("{commission_path}?done=invoiced")
    );
    let after = page(&holder, &app, &plan_path).await;
    assert!(
        after.text.contains("£90.00") && after.text.contains("£270.00"),
        "spent and committed"
    );
    // The holder sees the invoice line on the commission, not only a total.
    let lines = page(&holder, &app, &commission_path).await;
    assert!(lines.text.contains("<h2>Invoices</h2>"), "{}", lines.text);
    assert!(
        lines.text.contains("<td>6 hours</td>")
            && lines.text.contains("<td class=\"num\">£90.00</td>"),
        "the invoice line: {}",
        lines.text
    );
    page(&holder, &app, &format!("{commission_path}/cancel")).await;
    page(&holder, &app, "/commissions").await;
    app.verify_ledger();

    // The operator reads the mailbox; nobody else can.
    let registration = bespoke::services::accounts::Registration {
        email: Some("operator@bespoke.example".into()),
        password: Some(PASSWORD.into()),
        name: Some("Operator".into()),
        role: Some("admin".into()),
        council: None,
        postcode: None,
    };
    bespoke::services::accounts::create_by_operator(
        &mut app.db(),
        app.state.places,
        registration,
        Utc::now(),
    )
    .unwrap();
    let operator = signed_in(&app, "operator@bespoke.example").await;
    let mailbox = page(&operator, &app, "/admin/mail").await;
    assert!(mailbox
        .text
        .contains(&format!("Support plan {plan_id} is waiting for approval")));
    assert!(mailbox
        .text
        .contains("New request: Evening personal assistant"));
    let first = mailbox
        .text
        .split(r#"<a href="/admin/mail/"#)
        .nth(1)
        .and_then(|s| s.split('"').next())
        .unwrap()
        .to_owned();
    let message = page(&operator, &app, &format!("/admin/mail/{first}")).await;
    assert!(message.text.contains("Dear "));
    assert_eq!(
        holder.get(&app, "/admin/mail").await.status,
        StatusCode::NOT_FOUND
    );
}

#[actix_web::test]
async fn a_holder_rates_how_life_is_going_at_the_start_and_at_a_review() {
    let app = TestApp::spawn().await;
    let holder = app.account("amina@example.org", "budget_holder").await;
    let (_, officer_token) = app.commissioner("officer@council.example").await;
    app.account("other@example.org", "budget_holder").await;
    let plan = app
        .approved_plan(
            (holder.0, &holder.1),
            &officer_token,
            json!([{"mode": "direct_payment", "amount": "5000.00"}]),
        )
        .await;
    let path = format!("/plans/{}/outcomes", plan["id"]);
    let amina = signed_in(&app, "amina@example.org").await;

    let plan_page = page(&amina, &app, &format!("/plans/{}", plan["id"])).await;
    assert!(plan_page.text.contains(&format!(r#"href="{path}""#)));
    let empty = page(&amina, &app, &path).await;
    assert!(empty.text.contains("Nothing has been rated yet."));
    // The stage, then the ten parts of life.
    assert_eq!(empty.text.matches("<fieldset").count(), 11);
    assert!(empty
        .text
        .contains(r#"id="stage_start" name="stage" value="start" checked"#));

    // A rating out of range is explained, nothing is saved, and what was chosen is kept.
    let wrong = amina
        .post_form(
            &app,
            &path,
            &[
                ("stage", "start"),
                ("rating_community_life", "2"),
                ("rating_safety", "9"),
            ],
        )
        .await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(wrong.text.contains("must be a whole number from 1 to 5"));
    assert!(wrong.text.contains(
        r#"id="rating_community_life_2" name="rating_community_life" value="2" checked"#
    ));
    assert_accessible(&wrong, &path);
    let nothing = amina.post_form(&app, &path, &[("stage", "start")]).await;
    assert_eq!(nothing.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(nothing
        .text
        .contains("must rate at least one outcome domain"));
    assert_eq!(count_rows(&mut app.db(), "outcome_ratings"), 0);

    let start = amina
        .post_form(
            &app,
            &path,
            &[
                ("stage", "start"),
                ("rating_community_life", "2"),
                ("rating_relationships", "3"),
            ],
        )
        .await;
    assert_eq!(start.status, StatusCode::SEE_OTHER, "{}", start.text);
    let after_start = page(&amina, &app, &location(&start)).await;
    assert!(after_start
        .text
        .contains("Thank you. Your ratings were saved."));
    assert!(after_start.text.contains("<td>2 – Bad</td>"));
    assert!(after_start.text.contains("<td>3 – All right</td>"));
    // Once the start is rated, the form moves on to a review.
    assert!(after_start
        .text
        .contains(r#"id="stage_review" name="stage" value="review" checked"#));

    let review = amina
        .post_form(
            &app,
            &path,
            &[("stage", "review"), ("rating_community_life", "4")],
        )
        .await;
    assert_eq!(review.status, StatusCode::SEE_OTHER, "{}", review.text);
    let after_review = page(&amina, &app, &path).await;
    assert!(after_review.text.contains("<td>4 – Good</td>"));
    assert!(after_review.text.contains(r#"<td class="num">+2</td>"#));
    assert!(after_review.text.contains("1 review so far."));
    assert_eq!(count_rows(&mut app.db(), "outcome_ratings"), 3);

    // The commissioner reads them but cannot rate; another holder cannot see them.
    let officer = signed_in(&app, "officer@council.example").await;
    let read_only = page(&officer, &app, &path).await;
    assert!(read_only.text.contains("<td>4 – Good</td>"));
    assert!(!read_only
        .text
        .contains("<form method=\"post\" action=\"/plans"));
    let refused = officer
        .post_form(&app, &path, &[("stage", "review"), ("rating_home", "3")])
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let stranger = signed_in(&app, "other@example.org").await;
    assert_eq!(
        stranger.get(&app, &path).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(count_rows(&mut app.db(), "outcome_ratings"), 3);
}
