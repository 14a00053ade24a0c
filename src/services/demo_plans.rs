//! Demo plans: Amina has an approved plan with a mixed budget to buy from,
//! and George's plan waits in the commissioner's queue.

use crate::domain::ids::PlanId;
use chrono::{DateTime, Duration, Utc};

use super::access::Account;
use super::assessments::{self, AssessmentInput};
use super::plans;
use crate::domain::listings::PriceInput;
use crate::domain::plans::{
    NewPlanInput, OutcomeInput, PlanContentInput, PlannedSupportInput, PortionInput,
};
use crate::domain::requests::{OfferInput, RequestInput};
use crate::domain::vocab::PlanStatus;
use crate::error::AppError;
use crate::store::{accounts as account_store, plans as plan_store, settings, DbConnection};

const SEEDED: &str = "demo.plans";

fn account(conn: &mut DbConnection, email: &str) -> Result<Option<Account>, AppError> {
    Ok(account_store::find_by_email(conn, email)?.map(Account::from))
}

fn outcome(title: &str, domain: &str) -> OutcomeInput {
    OutcomeInput {
        id: None,
        title: Some(title.into()),
        domain: Some(domain.into()),
    }
}

/// Amina asks for evening support that no listing quite fits, and Fatima,
/// whose listing serves the district, answers with an offer.
fn ask_for_evening_support(
    conn: &mut DbConnection,
    amina: &Account,
    fatima: &Account,
    plan_id: PlanId,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let served = crate::store::requests::served_by(conn, fatima.id)?;
    let Some((category, district)) = served
        .iter()
        .find(|(c, _)| c == "personal_assistant")
        .or(served.iter().next())
        .cloned()
    else {
        return Ok(());
    };
    let today = now.date_naive();
    let created = super::requests::create(
        conn,
        amina,
        RequestInput {
            plan_id: Some(plan_id),
            category: Some(category),
            areas: Some(vec![district]),
            availability: Some(vec!["weekday_evening".into()]),
            quantity: Some(serde_json::Value::String("6".into())),
            start_date: Some((today + Duration::days(14)).to_string()),
            end_date: Some((today + Duration::days(14 + 12 * 7 - 1)).to_string()),
            languages: Some(vec!["ur".into()]),
            max_price: Some("16.00".into()),
            details: Some("Someone to come with me to the community centre on weekday evenings, and to help with tea afterwards. Urdu spoken at home.".into()),
            ..Default::default()
        },
        None,
        now,
    )?;
    let super::idempotency::Created::New(request) = created else {
        return Ok(());
    };
    super::offers::make(
        conn,
        fatima,
        request.id,
        OfferInput {
            price: Some(PriceInput {
                amount: Some("15.50".into()),
                unit: Some("hour".into()),
            }),
            schedule: Some("Monday, Wednesday and Thursday, 5.30pm to 7.30pm".into()),
            message: Some(
                "I live close by and speak Urdu and English. I could start the week you asked for."
                    .into(),
            ),
            ..Default::default()
        },
        None,
        now,
    )?;
    Ok(())
}

/// Seeds the demo plans once. Returns true when it added them.
pub fn seed(conn: &mut DbConnection, now: DateTime<Utc>) -> Result<bool, AppError> {
    if settings::get(conn, SEEDED)?.is_some() {
        return Ok(false);
    }
    let (Some(amina), Some(george), Some(officer), Some(agency)) = (
        account(conn, "amina.khan@example.org")?,
        account(conn, "george.whitfield@example.org")?,
        account(conn, "priya.shah@example.org")?,
        account(conn, "bookings@mossside-homecare.example.org")?,
    ) else {
        return Ok(false);
    };
    let today = now.date_naive();
    let answers = [
        ("personal_care", 2),
        ("eating", 1),
        ("moving_about", 1),
        ("home", 2),
        ("health", 1),
        ("safety", 0),
        ("relationships", 2),
        ("community", 2),
        ("work_learning", 1),
        ("carer", 1),
    ];
    assessments::put_assessment(
        conn,
        &amina,
        AssessmentInput {
            holder_id: None,
            answers: Some(answers.iter().map(|(k, v)| ((*k).to_owned(), *v)).collect()),
        },
        now,
    )?;

    let plan = plans::create(
        conn,
        &officer,
        NewPlanInput {
            holder_id: Some(amina.id),
            period_start: Some((today - Duration::days(30)).to_string()),
            period_end: Some((today + Duration::days(334)).to_string()),
            budget: Some("12000.00".into()),
            portions: Some(vec![
                PortionInput {
                    mode: Some("direct_payment".into()),
                    amount: Some("9000.00".into()),
                    ..Default::default()
                },
                PortionInput {
                    mode: Some("individual_service_fund".into()),
                    amount: Some("3000.00".into()),
                    provider_id: Some(agency.id),
                    funding_stream: None,
                },
            ]),
        },
        now,
    )?;
    plans::update_content(
        conn,
        &amina,
        plan.id,
        PlanContentInput {
            outcomes: Some(vec![
                outcome(
                    "Get out in the evenings and see my friends",
                    "community_life",
                ),
                outcome("Cook my own meals with a little help", "daily_living"),
            ]),
            planned_support: None,
        },
        now,
    )?;
    let written = plans::get(conn, &amina, plan.id)?;
    let line = |category: &str, amount: &str, portion: usize, outcome: usize| PlannedSupportInput {
        category: Some(category.into()),
        quantity: None,
        per: Some("year".into()),
        amount: Some(amount.into()),
        outcome_id: Some(written.outcomes[outcome].id),
        portion_id: Some(written.portions[portion].id),
    };
    plans::update_content(
        conn,
        &amina,
        plan.id,
        PlanContentInput {
            outcomes: None,
            planned_support: Some(vec![
                line("personal_assistant", "6000.00", 0, 0),
                line("community_activity", "3000.00", 0, 0),
                line("home_help", "3000.00", 1, 1),
            ]),
        },
        now,
    )?;
    plans::transition(conn, &amina, plan.id, PlanStatus::Submitted, now)?;
    plans::transition(conn, &officer, plan.id, PlanStatus::Approved, now)?;
    if let Some(fatima) = account(conn, "fatima.begum@example.org")? {
        ask_for_evening_support(conn, &amina, &fatima, plan.id, now)?;
    }

    if plan_store::ids_of_holder(conn, george.id)?.is_empty() {
        let waiting = plans::create(
            conn,
            &officer,
            NewPlanInput {
                holder_id: Some(george.id),
                period_start: Some(today.to_string()),
                period_end: Some((today + Duration::days(364)).to_string()),
                budget: Some("8500.00".into()),
                portions: Some(vec![PortionInput {
                    mode: Some("direct_payment".into()),
                    amount: Some("8500.00".into()),
                    ..Default::default()
                }]),
            },
            now,
        )?;
        plans::update_content(
            conn,
            &george,
            waiting.id,
            PlanContentInput {
                outcomes: Some(vec![outcome("Stay living in my own home", "home")]),
                planned_support: None,
            },
            now,
        )?;
        plans::transition(conn, &george, waiting.id, PlanStatus::Submitted, now)?;
    }
    settings::set(conn, SEEDED, &now.to_rfc3339())?;
    Ok(true)
}
