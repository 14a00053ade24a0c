//! Invoices: what a seller may charge for, checked when it is recorded.

use actix_web::http::StatusCode;
use serde_json::{json, Value};

use crate::commissions_api::{dates, market};

#[actix_web::test]
async fn an_invoice_is_for_support_given_and_no_more_than_was_commissioned() {
    let m = market("3000.00").await;
    // Six hours a week for four weeks, from 14 days ago.
    let (start, end) = dates(-14, 28);
    let ordered = m
        .commission(
            json!({"listing_id": m.listing_id, "portion": "direct_payment", "quantity": "6",
                           "per": "week", "start_date": start, "end_date": end}),
        )
        .await;
    assert_eq!(ordered.status, StatusCode::CREATED, "{}", ordered.text);
    let path = format!("/api/v1/commissions/{}", ordered.json()["id"]);
    m.app
        .post(&format!("{path}/accept"), Some(&m.seller), json!({}))
        .await;
    let invoice = |from: i64, days: i64, quantity: &str| {
        let (period_start, period_end) = dates(from, days);
        json!({"period_start": period_start, "period_end": period_end, "quantity": quantity, "amount": "10.00"})
    };
    let send = |body: Value| {
        let (app, seller, path) = (&m.app, &m.seller, &path);
        async move {
            app.post(&format!("{path}/deliveries"), Some(seller), body)
                .await
        }
    };

    // Not for support still to come.
    let ahead = send(invoice(-1, 3, "1")).await.problem(422);
    assert!(
        ahead["errors"]["period_end"][0]
            .as_str()
            .unwrap()
            .contains("must not be after today"),
        "{ahead}"
    );
    // Not more than was commissioned for the period: 6 hours for one week, 7 hours asked.
    let over = send(invoice(-14, 7, "7")).await.problem(422);
    let said = over["errors"]["quantity"][0].as_str().unwrap();
    assert!(
        said.contains("at most 6 hours") && said.contains("this is 1 more"),
        "{said}"
    );
    // Two weeks may claim twelve hours.
    let two_weeks = send(invoice(-14, 14, "12")).await;
    assert_eq!(two_weeks.status, StatusCode::CREATED, "{}", two_weeks.text);
    // Of the 24 hours commissioned, 12 are left; each invoice counts.
    let rest = send(invoice(0, 1, "6")).await;
    assert_eq!(rest.status, StatusCode::CREATED, "{}", rest.text);
    let again = send(invoice(-7, 7, "6")).await;
    assert_eq!(again.status, StatusCode::CREATED, "{}", again.text);
    let too_many = send(invoice(-1, 1, "1")).await.problem(422);
    let said = too_many["errors"]["quantity"][0].as_str().unwrap();
    assert!(
        said.contains("at most 0 hours") && said.contains("of the 24 commissioned"),
        "{said}"
    );
    m.app.verify_ledger();
}
