//! Money under races. Every pair of money-moving actions that can meet on one
//! commission, portion or plan is sent at the same moment, many times, and
//! the outcome is checked exactly: one winner where there can be only one,
//! never a negative or stranded commitment, never more committed than a
//! portion holds, and `ledger verify` clean afterwards.
//!
//! The assertions are about invariants, never timings, so they hold however
//! the requests interleave. They prove something only on PostgreSQL, where
//! transactions really run side by side: CI runs this file on both databases
//! (`TEST_DATABASE_URL`). The rule that makes them pass is described in
//! docs/architecture.md ("Money and races").

use crate::common;
use bespoke::domain::ids::AccountId;

use actix_web::http::{Method, StatusCode};
use chrono::{Duration, Utc};
use common::{Reply, TestApp};
use futures_util::future::join_all;
use serde_json::{json, Value};

/// How many times each pair of different actions is raced.
const ROUNDS: usize = 8;
/// How many copies of one action are sent at once.
const SAME: usize = 20;

struct Race {
    app: TestApp,
    holder: String,
    seller: String,
    officer: String,
    plan_id: i64,
    outcome_id: i64,
    listing_id: i64,
}

fn day(from_today: i64) -> String {
    (Utc::now().date_naive() + Duration::days(from_today)).to_string()
}

/// An approved plan of `budget` held as a direct payment, and a personal
/// assistant at £10.00 an hour: every commission below costs £30.00.
async fn race(budget: &str) -> Race {
    let app = TestApp::spawn().await;
    let (holder_id, holder) = app.account("amina@example.org", "budget_holder").await;
    let (_, seller) = app
        .account("fatima@example.org", "personal_assistant")
        .await;
    let (_, officer) = app.commissioner("officer@council.example").await;
    let plan = app
        .approved_plan(
            (holder_id, &holder),
            &officer,
            json!([{"mode": "direct_payment", "amount": budget}]),
        )
        .await;
    let listing = app
        .post(
            "/api/v1/listings",
            Some(&seller),
            json!({"title": "Personal assistant", "description": "For the race tests.",
                   "category": "personal_assistant", "price": {"amount": "10.00", "unit": "hour"},
                   "postcode": "M14 5AB", "areas": ["M14"], "availability": ["weekday_evening"]}),
        )
        .await;
    assert_eq!(listing.status, StatusCode::CREATED, "{}", listing.text);
    Race {
        app,
        holder,
        seller,
        officer,
        plan_id: plan["id"].as_i64().unwrap(),
        outcome_id: plan["outcomes"][0]["id"].as_i64().unwrap(),
        listing_id: listing.json()["id"].as_i64().unwrap(),
    }
}

fn statuses(replies: &[Reply]) -> Vec<u16> {
    replies.iter().map(|r| r.status.as_u16()).collect()
}

fn count(replies: &[Reply], status: u16) -> usize {
    replies
        .iter()
        .filter(|r| r.status.as_u16() == status)
        .count()
}

impl Race {
    /// Asks for 3 hours in one week: £30.00, requested.
    async fn try_commission(&self) -> Reply {
        self.app
            .post(
                &format!("/api/v1/plans/{}/commissions", self.plan_id),
                Some(&self.holder),
                json!({"listing_id": self.listing_id, "portion": "direct_payment",
                       "quantity": "3", "per": "week", "start_date": day(0), "end_date": day(6)}),
            )
            .await
    }

    async fn commission(&self) -> i64 {
        let reply = self.try_commission().await;
        assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text);
        assert_eq!(reply.json()["cost"]["total"], "30.00");
        reply.json()["id"].as_i64().unwrap()
    }

    async fn accepted(&self) -> i64 {
        let id = self.commission().await;
        let reply = self.act(id, "accept").await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
        id
    }

    /// accept and decline are the seller's; cancel and complete the holder's.
    async fn act(&self, id: i64, action: &str) -> Reply {
        let token = match action {
            "accept" | "decline" => &self.seller,
            _ => &self.holder,
        };
        self.app
            .post(
                &format!("/api/v1/commissions/{id}/{action}"),
                Some(token),
                json!({}),
            )
            .await
    }

    async fn invoice(&self, id: i64, amount: &str) -> Reply {
        self.app
            .post(
                &format!("/api/v1/commissions/{id}/deliveries"),
                Some(&self.seller),
                json!({"period_start": day(0), "period_end": day(0), "quantity": "3", "amount": amount}),
            )
            .await
    }

    /// The holder asks for 3 hours in the week from tomorrow; the seller
    /// offers it at £10.00 an hour (£30.00). Answers the offer's id.
    async fn request_and_offer(&self) -> i64 {
        let request = self
            .app
            .post(
                "/api/v1/requests",
                Some(&self.holder),
                json!({"plan_id": self.plan_id, "category": "personal_assistant", "areas": ["M14"],
                       "quantity": "3", "per": "week", "start_date": day(1), "end_date": day(7),
                       "outcome_id": self.outcome_id, "details": "A week of evenings."}),
            )
            .await;
        assert_eq!(request.status, StatusCode::CREATED, "{}", request.text);
        let offer = self
            .app
            .post(
                &format!("/api/v1/requests/{}/offers", request.json()["id"]),
                Some(&self.seller),
                json!({"price": {"amount": "10.00"}, "message": "Happy to help."}),
            )
            .await;
        assert_eq!(offer.status, StatusCode::CREATED, "{}", offer.text);
        offer.json()["id"].as_i64().unwrap()
    }

    /// Submits the revised plan and approves it again; answers the plan.
    async fn resubmit_and_approve(&self) -> Value {
        let path = format!("/api/v1/plans/{}", self.plan_id);
        let submitted = self
            .app
            .post(&format!("{path}/submit"), Some(&self.holder), json!({}))
            .await;
        assert_eq!(submitted.status, StatusCode::OK, "{}", submitted.text);
        let approved = self
            .app
            .post(&format!("{path}/approve"), Some(&self.officer), json!({}))
            .await;
        assert_eq!(approved.status, StatusCode::OK, "{}", approved.text);
        approved.json()
    }

    async fn get(&self, id: i64) -> Value {
        let reply = self
            .app
            .get(&format!("/api/v1/commissions/{id}"), Some(&self.holder))
            .await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
        reply.json()
    }

    /// The books agree: the ledger verifies, no commission holds a negative
    /// amount, a closed one holds nothing, the portion holds exactly what its
    /// commissions hold and never more than its budget.
    async fn assert_books_balance(&self) {
        self.app.verify_ledger();
        let plan = self
            .app
            .get(
                &format!("/api/v1/plans/{}", self.plan_id),
                Some(&self.holder),
            )
            .await
            .json();
        let (mut held, mut spent) = (0, 0);
        for c in plan["commissions"].as_array().unwrap() {
            let committed = pence(&c["committed"]);
            assert!(committed >= 0, "a negative commitment: {c}");
            if !matches!(c["status"].as_str(), Some("requested" | "accepted")) {
                assert_eq!(committed, 0, "a closed commission still holds money: {c}");
            }
            held += committed;
            spent += pence(&c["spent"]);
        }
        let portion = &plan["portions"][0];
        assert_eq!(pence(&portion["committed"]), held, "{plan}");
        assert_eq!(pence(&portion["spent"]), spent, "{plan}");
        assert!(pence(&portion["available"]) >= 0, "{plan}");
        assert!(held + spent <= pence(&portion["amount"]), "{plan}");
    }
}

fn pence(amount: &Value) -> i64 {
    let text = amount
        .as_str()
        .unwrap_or_else(|| panic!("an amount: {amount}"));
    let (pounds, pence) = text.split_once('.').unwrap();
    let sign = if pounds.starts_with('-') { -1 } else { 1 };
    sign * (pounds.trim_start_matches('-').parse::<i64>().unwrap() * 100
        + pence.parse::<i64>().unwrap())
}

/// Three hours were commissioned: of twenty one-hour invoices at once, each
/// within the money left, three are taken and the rest refused (the count of
/// what was invoiced is read under the plan's lock).
#[actix_web::test]
async fn invoices_at_once_never_claim_more_hours_than_were_commissioned() {
    let r = race("500.00").await;
    let id = r.accepted().await;
    let race = &r;
    let one_hour = |_| async move {
        race.app
            .post(
                &format!("/api/v1/commissions/{id}/deliveries"),
                Some(&race.seller),
                json!({"period_start": day(0), "period_end": day(0), "quantity": "1", "amount": "1.00"}),
            )
            .await
    };
    let replies = join_all((0..SAME).map(one_hour)).await;
    assert_eq!(count(&replies, 201), 3, "{:?}", statuses(&replies));
    assert_eq!(count(&replies, 422), SAME - 3, "{:?}", statuses(&replies));
    assert_eq!(r.get(id).await["spent"], "3.00");
    r.assert_books_balance().await;
}

#[actix_web::test]
async fn twenty_identical_invoices_pay_a_commission_once() {
    let r = race("500.00").await;
    let id = r.accepted().await;
    let replies = join_all((0..SAME).map(|_| r.invoice(id, "30.00"))).await;
    assert_eq!(count(&replies, 201), 1, "{:?}", statuses(&replies));
    assert_eq!(count(&replies, 409), SAME - 1, "{:?}", statuses(&replies));
    let commission = r.get(id).await;
    assert_eq!(commission["spent"], "30.00");
    assert_eq!(commission["committed"], "0.00");
    r.assert_books_balance().await;
}

#[actix_web::test]
async fn twenty_completions_release_the_rest_once() {
    let r = race("500.00").await;
    let id = r.accepted().await;
    assert_eq!(r.invoice(id, "10.00").await.status, StatusCode::CREATED);
    let replies = join_all((0..SAME).map(|_| r.act(id, "complete"))).await;
    assert_eq!(count(&replies, 200), 1, "{:?}", statuses(&replies));
    assert_eq!(count(&replies, 409), SAME - 1, "{:?}", statuses(&replies));
    let commission = r.get(id).await;
    assert_eq!(commission["status"], "completed");
    assert_eq!(commission["committed"], "0.00");
    assert_eq!(commission["spent"], "10.00");
    r.assert_books_balance().await;
}

/// The holder's side closes an accepted commission while the seller sends
/// three invoices for all of it: at most one invoice is paid, and whatever
/// is not paid goes back to the budget.
async fn closing_while_invoicing(close: &str) {
    let r = race("1000.00").await;
    for round in 0..ROUNDS {
        let id = r.accepted().await;
        let (closed, invoices) = futures_util::join!(
            r.act(id, close),
            join_all((0..3).map(|_| r.invoice(id, "30.00")))
        );
        assert_eq!(
            closed.status,
            StatusCode::OK,
            "round {round}: {}",
            closed.text
        );
        let paid = count(&invoices, 201);
        assert!(paid <= 1, "round {round}: {:?}", statuses(&invoices));
        assert_eq!(count(&invoices, 409), 3 - paid, "{:?}", statuses(&invoices));
        let commission = r.get(id).await;
        assert_eq!(
            commission["committed"], "0.00",
            "round {round}: {commission}"
        );
        assert_eq!(pence(&commission["spent"]), 3000 * paid as i64);
        r.assert_books_balance().await;
    }
}

#[actix_web::test]
async fn completing_while_the_seller_invoices_never_strands_money() {
    closing_while_invoicing("complete").await;
}

#[actix_web::test]
async fn cancelling_while_the_seller_invoices_never_strands_money() {
    closing_while_invoicing("cancel").await;
}

/// The seller answers a request while the holder cancels it. A decline and a
/// cancel exclude each other: one wins. An acceptance may come first and be
/// cancelled after (both succeed), never the other way round. Whatever the
/// order, the money follows the final status.
async fn answering_while_cancelling(answer: &str) {
    let r = race("1000.00").await;
    let mut winners = (0, 0);
    for round in 0..ROUNDS {
        let id = r.commission().await;
        let (answered, cancelled) = futures_util::join!(r.act(id, answer), r.act(id, "cancel"));
        let outcome = (answered.status.as_u16(), cancelled.status.as_u16());
        let commission = r.get(id).await;
        match outcome {
            (200, 409) => {
                winners.0 += 1;
                let held = if answer == "accept" { "30.00" } else { "0.00" };
                assert_eq!(commission["committed"], held, "round {round}");
            }
            (409, 200) => {
                winners.1 += 1;
                assert_eq!(commission["status"], "cancelled", "round {round}");
                assert_eq!(commission["committed"], "0.00", "round {round}");
            }
            (200, 200) if answer == "accept" => {
                winners.1 += 1;
                assert_eq!(commission["status"], "cancelled", "round {round}");
                assert_eq!(commission["committed"], "0.00", "round {round}");
            }
            other => panic!("round {round}: one winner expected, got {other:?}"),
        }
        r.assert_books_balance().await;
    }
    assert_eq!(winners.0 + winners.1, ROUNDS);
}

#[actix_web::test]
async fn accepting_while_the_holder_cancels_has_one_winner() {
    answering_while_cancelling("accept").await;
}

#[actix_web::test]
async fn declining_while_the_holder_cancels_releases_once() {
    answering_while_cancelling("decline").await;
}

#[actix_web::test]
async fn twenty_commissions_and_an_offer_never_overfill_the_portion() {
    // Room for three £30.00 commissions; a tailored offer for 3 hours a week
    // over the same week at £10.00 costs £30.00 too.
    let r = race("90.00").await;
    let offer_id = r.request_and_offer().await;
    let offer_path = format!("/api/v1/offers/{offer_id}/accept");
    let (accepted, commissions) = futures_util::join!(
        r.app.post(
            &offer_path,
            Some(&r.holder),
            json!({"portion": "direct_payment"})
        ),
        join_all((0..SAME).map(|_| r.try_commission()))
    );
    let made = count(&commissions, 201) + usize::from(accepted.status == StatusCode::CREATED);
    assert_eq!(
        made,
        3,
        "offer {}; commissions {:?}",
        accepted.status,
        statuses(&commissions)
    );
    r.assert_books_balance().await;
}

#[actix_web::test]
async fn an_offer_withdrawn_while_accepted_has_one_winner() {
    let r = race("1000.00").await;
    for round in 0..ROUNDS {
        let offer_id = r.request_and_offer().await;
        let (accept_path, offer_path) = (
            format!("/api/v1/offers/{offer_id}/accept"),
            format!("/api/v1/offers/{offer_id}"),
        );
        let (accepted, withdrawn) = futures_util::join!(
            r.app.post(
                &accept_path,
                Some(&r.holder),
                json!({"portion": "direct_payment"})
            ),
            r.app
                .send(Method::DELETE, &offer_path, Some(&r.seller), None)
        );
        let outcome = (accepted.status.as_u16(), withdrawn.status.as_u16());
        assert!(
            matches!(outcome, (201, 409) | (409, 200)),
            "round {round}: one winner expected, got {outcome:?}: {} / {}",
            accepted.text,
            withdrawn.text
        );
        let status = r
            .app
            .get(&format!("/api/v1/offers/{offer_id}"), Some(&r.holder))
            .await
            .json()["status"]
            .clone();
        let expected = if outcome.0 == 201 {
            "accepted"
        } else {
            "withdrawn"
        };
        assert_eq!(status, expected, "round {round}");
        r.assert_books_balance().await;
    }
}

#[actix_web::test]
async fn twenty_approvals_approve_a_plan_once() {
    let r = race("100.00").await;
    let path = format!("/api/v1/plans/{}", r.plan_id);
    let revised = r
        .app
        .post(&format!("{path}/revise"), Some(&r.holder), json!({}))
        .await;
    assert_eq!(revised.status, StatusCode::OK, "{}", revised.text);
    let submitted = r
        .app
        .post(&format!("{path}/submit"), Some(&r.holder), json!({}))
        .await;
    assert_eq!(submitted.status, StatusCode::OK, "{}", submitted.text);
    let approve = format!("{path}/approve");
    let replies =
        join_all((0..SAME).map(|_| r.app.post(&approve, Some(&r.officer), json!({})))).await;
    assert_eq!(count(&replies, 200), 1, "{:?}", statuses(&replies));
    assert_eq!(count(&replies, 409), SAME - 1, "{:?}", statuses(&replies));
    let events = r
        .app
        .get(&format!("{path}/events"), Some(&r.holder))
        .await
        .json();
    let approvals = events["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == "approved")
        .count();
    assert_eq!(approvals, 2, "one at first, one now: {events}");
}

#[actix_web::test]
async fn a_revision_racing_commissions_lets_none_through_after_it() {
    // Commissions made before the revision stand; none is made after it.
    let r = race("1000.00").await;
    for round in 0..ROUNDS / 2 {
        let path = format!("/api/v1/plans/{}", r.plan_id);
        let revise = format!("{path}/revise");
        let (revised, commissions) = futures_util::join!(
            r.app.post(&revise, Some(&r.holder), json!({})),
            join_all((0..5).map(|_| r.try_commission()))
        );
        assert_eq!(
            revised.status,
            StatusCode::OK,
            "round {round}: {}",
            revised.text
        );
        for reply in &commissions {
            match reply.status.as_u16() {
                201 => {}
                409 => assert_eq!(
                    reply.json()["type"],
                    "https://bespoke.example/problems/plan-not-approved"
                ),
                other => panic!("round {round}: {other}: {}", reply.text),
            }
        }
        assert_eq!(r.try_commission().await.status.as_u16(), 409);
        r.resubmit_and_approve().await;
        r.assert_books_balance().await;
    }
}

#[actix_web::test]
async fn money_moved_between_lines_at_once_never_goes_below_zero() {
    let r = race("1000.00").await;
    let path = format!("/api/v1/plans/{}", r.plan_id);
    assert_eq!(
        r.app
            .post(&format!("{path}/revise"), Some(&r.holder), json!({}))
            .await
            .status,
        200
    );
    let plan = r.app.get(&path, Some(&r.holder)).await.json();
    let portion = plan["portions"][0]["id"].as_i64().unwrap();
    let lines = json!({"planned_support": [
        {"category": "personal_assistant", "amount": "100.00", "portion_id": portion, "outcome_id": r.outcome_id},
        {"category": "day_opportunities", "amount": "0.00", "portion_id": portion, "outcome_id": r.outcome_id}]});
    let written = r
        .app
        .send(Method::PATCH, &path, Some(&r.holder), Some(lines))
        .await;
    assert_eq!(written.status, StatusCode::OK, "{}", written.text);
    let planned = r.resubmit_and_approve().await["planned_support"].clone();
    let (from, to) = (
        planned[0]["id"].as_i64().unwrap(),
        planned[1]["id"].as_i64().unwrap(),
    );
    // £100 in the first line: exactly five moves of £20 fit.
    let moves = format!("{path}/moves");
    let replies = join_all((0..SAME).map(|_| {
        r.app.post(
            &moves,
            Some(&r.holder),
            json!({"from_line": from, "to_line": to, "amount": "20.00"}),
        )
    }))
    .await;
    assert_eq!(count(&replies, 200), 5, "{:?}", statuses(&replies));
    let plan = r.app.get(&path, Some(&r.holder)).await.json();
    assert_eq!(plan["planned_support"][0]["amount"], "0.00", "{plan}");
    assert_eq!(plan["planned_support"][1]["amount"], "100.00", "{plan}");
}

#[actix_web::test]
async fn twenty_retries_with_one_idempotency_key_commission_once() {
    // Room for one commission only: a retry that ran the work again would be
    // refused for the budget instead of answering the first commission.
    let r = race("30.00").await;
    let path = format!("/api/v1/plans/{}/commissions", r.plan_id);
    let body = json!({"listing_id": r.listing_id, "portion": "direct_payment",
                      "quantity": "3", "per": "week", "start_date": day(0), "end_date": day(6)});
    let retry = || async {
        let mut response = r
            .app
            .server
            .post(&path)
            .insert_header(("Authorization", format!("Bearer {}", r.holder)))
            .insert_header(("Idempotency-Key", "the-same-purchase"))
            .send_json(&body)
            .await
            .expect("a response");
        let text = response.body().await.expect("a body");
        (
            response.status(),
            serde_json::from_slice::<Value>(&text).unwrap(),
        )
    };
    let replies = join_all((0..SAME).map(|_| retry())).await;
    let ids: Vec<&Value> = replies.iter().map(|(_, body)| &body["id"]).collect();
    for (status, body) in &replies {
        assert_eq!(*status, StatusCode::CREATED, "{body}");
    }
    assert!(ids.iter().all(|id| *id == ids[0]), "{ids:?}");
    assert_eq!(common::count_rows(&mut r.app.db(), "commissions"), 1);
    r.assert_books_balance().await;
}

#[actix_web::test]
async fn an_offer_made_while_another_is_accepted_is_never_left_open() {
    let r = race("1000.00").await;
    let (_, second) = r
        .app
        .account("bilal@example.org", "personal_assistant")
        .await;
    let listing = r
        .app
        .post(
            "/api/v1/listings",
            Some(&second),
            json!({"title": "Another personal assistant", "category": "personal_assistant",
                   "price": {"amount": "11.00", "unit": "hour"},
                   "postcode": "M14 5AB", "areas": ["M14"]}),
        )
        .await;
    assert_eq!(listing.status, StatusCode::CREATED, "{}", listing.text);
    for round in 0..ROUNDS {
        let offer_id = r.request_and_offer().await;
        let offer = r
            .app
            .get(&format!("/api/v1/offers/{offer_id}"), Some(&r.holder))
            .await
            .json();
        let request_id = offer["request_id"].as_i64().unwrap();
        let (accept_path, offers_path) = (
            format!("/api/v1/offers/{offer_id}/accept"),
            format!("/api/v1/requests/{request_id}/offers"),
        );
        let (accepted, made) = futures_util::join!(
            r.app.post(
                &accept_path,
                Some(&r.holder),
                json!({"portion": "direct_payment"})
            ),
            r.app.post(
                &offers_path,
                Some(&second),
                json!({"price": {"amount": "11.00"}, "message": "Me too."})
            )
        );
        assert_eq!(
            accepted.status,
            StatusCode::CREATED,
            "round {round}: {}",
            accepted.text
        );
        assert!(
            matches!(made.status.as_u16(), 201 | 409),
            "round {round}: {}",
            made.text
        );
        let offers = r.app.get(&offers_path, Some(&r.holder)).await.json();
        for o in offers["items"].as_array().unwrap() {
            assert_ne!(
                o["status"], "open",
                "round {round}: an open offer on a filled request: {o}"
            );
        }
        r.assert_books_balance().await;
    }
}

#[actix_web::test]
async fn two_instances_sending_digests_at_once_send_each_once() {
    let r = race("1000.00").await;
    r.request_and_offer().await;
    let seller_id = r.app.get("/api/v1/me", Some(&r.seller)).await.json()["id"]
        .as_i64()
        .unwrap();
    // Two connections, as two instances' digest workers would have.
    let barrier = std::sync::Barrier::new(2);
    let sent: Vec<usize> = std::thread::scope(|scope| {
        let rounds: Vec<_> = (0..2)
            .map(|_| {
                let mut conn = r.app.db();
                let barrier = &barrier;
                scope.spawn(move || {
                    barrier.wait();
                    bespoke::services::requests::send_digests(&mut conn, chrono::Utc::now())
                        .expect("a digest round")
                })
            })
            .collect();
        rounds.into_iter().map(|t| t.join().unwrap()).collect()
    });
    let to_seller = bespoke::store::mail::recent(&mut r.app.db(), 1000)
        .unwrap()
        .into_iter()
        .filter(|m| m.kind == "request_digest" && m.to_account_id == Some(AccountId(seller_id)))
        .count();
    assert_eq!(to_seller, 1, "digests written by the two rounds: {sent:?}");
    assert_eq!(sent.iter().sum::<usize>(), 1, "{sent:?}");
}
