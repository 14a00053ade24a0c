//! Demo plans: Amina has an approved plan with a mixed budget to buy from,
//! and George's plan waits in the commissioner's queue.

use chrono::{DateTime, Duration, Utc};

use super::accounts::Account;
use super::assessments::{self, AssessmentInput};
use super::plans;
use crate::domain::plans::{
    NewPlanInput, OutcomeInput, PlanContentInput, PlannedSupportInput, PortionInput,
};
use crate::domain::vocab::PlanStatus;
use crate::error::AppError;
use crate::store::{accounts as account_store, plans as plan_store, settings, DbConnection};

const SEEDED: &str = "demo.plans";

fn account(conn: &mut DbConnection, email: &str) -> Result<Option<Account>, AppError> {
    account_store::find_by_email(conn, email)?
        .map(Account::from_row)
        .transpose()
}

fn outcome(title: &str, domain: &str) -> OutcomeInput {
    OutcomeInput {
        id: None,
        title: Some(title.into()),
        domain: Some(domain.into()),
    }
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
