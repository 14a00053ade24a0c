//! Budgets up front: a council's allocation table, a holder's
//! self-assessment and the indicative budget it gives, and outcome ratings.

use crate::domain::ids::{AccountId, PlanId};
use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::domain::accounts::Role;
use crate::domain::allocation::{Allocation, AnswerOption, Answers};
use crate::domain::money::Money;
use crate::domain::vocab::{ActingAs, OutcomeDomain, Vocabulary};
use crate::error::{AppError, FieldErrors};
use crate::services::access::Account;
use crate::services::access::{standing, visible_plan};
use crate::store::assessments::{self as store, AssessmentRow, NewRating};
use crate::store::plans as plan_store;
use crate::store::{accounts as account_store, write_transaction, DbConnection, StoreError};

/// The council's own allocation table, or the built-in one.
pub fn allocation_for(conn: &mut DbConnection, council: &str) -> Result<Allocation, AppError> {
    match store::allocation_of(conn, council)? {
        Some(text) => serde_json::from_str(&text)
            .map_err(|e| StoreError::Corrupt(format!("allocation of {council}: {e}")).into()),
        None => Ok(Allocation::default_table()),
    }
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AllocationView {
    pub council: String,
    /// False while the council uses the built-in table.
    pub customised: bool,
    pub max_points: u32,
    #[serde(flatten)]
    pub allocation: Allocation,
}

pub fn get_allocation(
    conn: &mut DbConnection,
    account: &Account,
) -> Result<AllocationView, AppError> {
    let council = account.commissioners_council()?;
    let customised = store::allocation_of(conn, &council)?.is_some();
    let allocation = allocation_for(conn, &council)?;
    Ok(AllocationView {
        council,
        customised,
        max_points: allocation.max_points(),
        allocation,
    })
}

/// A commissioner replaces their council's allocation table. Assessments
/// already made keep the budget they gave until they are next saved.
pub fn put_allocation(
    conn: &mut DbConnection,
    account: &Account,
    body: serde_json::Value,
    now: DateTime<Utc>,
) -> Result<AllocationView, AppError> {
    let council = account.commissioners_council()?;
    let allocation = Allocation::from_json(body).map_err(AppError::Validation)?;
    let text = serde_json::to_string(&allocation).map_err(|e| AppError::Internal(e.to_string()))?;
    write_transaction(conn, |conn| {
        store::save_allocation(conn, &council, &text, account.id, now.naive_utc())?;
        get_allocation(conn, account)
    })
}

/// How the caller stands to a budget holder: the holder themselves, or
/// someone acting on one of their plans, or a commissioner of their council.
fn standing_to_holder(
    conn: &mut DbConnection,
    account: &Account,
    holder_id: AccountId,
) -> Result<(ActingAs, String), AppError> {
    let holder = account_store::find(conn, holder_id)?.ok_or(AppError::NotFound)?;
    let council = match (holder.role, holder.council_code) {
        (Role::BudgetHolder, Some(council)) => council,
        _ if holder_id == account.id => {
            return Err(AppError::Forbidden(
                "Only a budget holder has a self-assessment.".into(),
            ))
        }
        _ => return Err(AppError::NotFound),
    };
    if holder_id == account.id {
        return Ok((ActingAs::Holder, council));
    }
    if account.role == Role::Commissioner && account.council.as_deref() == Some(&council) {
        return Ok((ActingAs::Commissioner, council));
    }
    for plan_id in plan_store::ids_of_holder(conn, holder_id)? {
        let plan = plan_store::find(conn, plan_id)?.ok_or(AppError::NotFound)?;
        if let Some(acting) = standing(conn, account, &plan)? {
            return Ok((acting, council));
        }
    }
    Err(AppError::NotFound)
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct QuestionView {
    pub id: String,
    pub domain: OutcomeDomain,
    pub domain_label: &'static str,
    pub text: String,
    pub options: Vec<AnswerOption>,
    /// The chosen option's index, once answered.
    pub answer: Option<usize>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AssessmentView {
    pub holder_id: AccountId,
    pub council: String,
    pub questions: Vec<QuestionView>,
    pub answers: Answers,
    /// Null until the self-assessment is first saved.
    pub points: Option<u32>,
    pub indicative_budget: Option<Money>,
    pub max_points: u32,
    pub updated_at: Option<DateTime<Utc>>,
    /// Who last saved it, and as what.
    pub updated_by: Option<AccountId>,
    pub updated_acting_as: Option<ActingAs>,
    pub acting_as: ActingAs,
}

fn view(
    conn: &mut DbConnection,
    holder_id: AccountId,
    council: String,
    acting: ActingAs,
) -> Result<AssessmentView, AppError> {
    let allocation = allocation_for(conn, &council)?;
    let saved = store::assessment_of(conn, holder_id)?;
    let answers: Answers = match &saved {
        Some(row) => serde_json::from_str(&row.answers)
            .map_err(|e| StoreError::Corrupt(format!("self-assessment answers: {e}")))?,
        None => BTreeMap::new(),
    };
    let questions = allocation
        .questions
        .iter()
        .map(|q| QuestionView {
            id: q.id.clone(),
            domain: q.domain,
            domain_label: q.domain.label(),
            text: q.text.clone(),
            options: q.options.clone(),
            answer: answers.get(&q.id).copied().filter(|&i| i < q.options.len()),
        })
        .collect();
    Ok(AssessmentView {
        holder_id,
        council,
        questions,
        points: saved.as_ref().map(|r| r.points.max(0) as u32),
        indicative_budget: saved
            .as_ref()
            .map(|r| Money::from_pence(r.indicative_pence)),
        max_points: allocation.max_points(),
        updated_at: saved.as_ref().map(|r| r.updated_at.and_utc()),
        updated_by: saved.as_ref().map(|r| r.updated_by),
        updated_acting_as: saved.as_ref().map(|r| r.acting_as),
        answers,
        acting_as: acting,
    })
}

pub fn get_assessment(
    conn: &mut DbConnection,
    account: &Account,
    holder_id: Option<AccountId>,
) -> Result<AssessmentView, AppError> {
    let holder_id = holder_id.unwrap_or(account.id);
    let (acting, council) = standing_to_holder(conn, account, holder_id)?;
    view(conn, holder_id, council, acting)
}

#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct AssessmentInput {
    pub holder_id: Option<AccountId>,
    pub answers: Option<Answers>,
}

/// The holder's side saves the answers; the indicative budget follows at once.
pub fn put_assessment(
    conn: &mut DbConnection,
    account: &Account,
    input: AssessmentInput,
    now: DateTime<Utc>,
) -> Result<AssessmentView, AppError> {
    let holder_id = input.holder_id.unwrap_or(account.id);
    write_transaction(conn, |conn| {
        let (acting, council) = standing_to_holder(conn, account, holder_id)?;
        if acting == ActingAs::Commissioner {
            return Err(AppError::Forbidden(
                "The budget holder, their representative or their broker fills in the self-assessment.".into(),
            ));
        }
        let answers = input
            .answers
            .ok_or_else(|| AppError::Validation(FieldErrors::single("answers", "is required")))?;
        let allocation = allocation_for(conn, &council)?;
        let points = allocation.points(&answers).map_err(AppError::Validation)?;
        let budget = allocation.indicative_budget(points);
        store::save_assessment(
            conn,
            &AssessmentRow {
                holder_id,
                council_code: council.clone(),
                answers: serde_json::to_string(&answers)
                    .map_err(|e| AppError::Internal(e.to_string()))?,
                points: i32::try_from(points).unwrap_or(i32::MAX),
                indicative_pence: budget.pence(),
                updated_by: account.id,
                acting_as: acting,
                updated_at: now.naive_utc(),
            },
        )?;
        view(conn, holder_id, council, acting)
    })
}

/// The holder's indicative budget, for the commissioner setting the real one.
pub fn indicative_budget(
    conn: &mut DbConnection,
    holder_id: AccountId,
) -> Result<Option<Money>, AppError> {
    Ok(store::assessment_of(conn, holder_id)?.map(|r| Money::from_pence(r.indicative_pence)))
}

#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct RatingsInput {
    pub stage: Option<String>,
    pub ratings: Option<BTreeMap<String, serde_json::Value>>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct RatingView {
    pub stage: String,
    pub domain: OutcomeDomain,
    pub domain_label: &'static str,
    pub rating: i32,
    pub rated_by: AccountId,
    pub acting_as: String,
    pub rated_at: DateTime<Utc>,
}

pub fn ratings(
    conn: &mut DbConnection,
    account: &Account,
    plan_id: PlanId,
) -> Result<Vec<RatingView>, AppError> {
    visible_plan(conn, account, plan_id)?;
    rating_views(conn, plan_id)
}

fn rating_views(conn: &mut DbConnection, plan_id: PlanId) -> Result<Vec<RatingView>, AppError> {
    store::ratings_of(conn, plan_id)?
        .into_iter()
        .map(|r| {
            let domain = r.domain;
            Ok(RatingView {
                stage: r.stage,
                domain,
                domain_label: domain.label(),
                rating: r.rating,
                rated_by: r.rated_by,
                acting_as: r.acting_as.code().to_owned(),
                rated_at: r.rated_at.and_utc(),
            })
        })
        .collect()
}

/// The holder's side rates outcome domains 1 to 5, at the start or at a review.
pub fn rate(
    conn: &mut DbConnection,
    account: &Account,
    plan_id: PlanId,
    input: RatingsInput,
    now: NaiveDateTime,
) -> Result<Vec<RatingView>, AppError> {
    let mut errors = FieldErrors::new();
    let stage = match input.stage.as_deref() {
        Some(s @ ("start" | "review")) => Some(s),
        Some(_) => {
            errors.add("stage", "must be start or review");
            None
        }
        None => {
            errors.add("stage", "is required: start or review");
            None
        }
    };
    let mut checked = Vec::new();
    match input.ratings {
        Some(ratings) if !ratings.is_empty() => {
            for (code, value) in ratings {
                let field = format!("ratings.{code}");
                let domain = errors.check(&field, OutcomeDomain::from_input(&code));
                let rating = value.as_i64().filter(|r| (1..=5).contains(r));
                if rating.is_none() {
                    errors.add(&field, "must be a whole number from 1 to 5");
                }
                if let (Some(domain), Some(rating)) = (domain, rating) {
                    checked.push((domain, rating as i32));
                }
            }
        }
        _ => errors.add(
            "ratings",
            "must rate at least one outcome domain from 1 to 5",
        ),
    }
    write_transaction(conn, |conn| {
        let (_, acting) = visible_plan(conn, account, plan_id)?;
        if !crate::services::access::is_holder_side(acting) {
            return Err(AppError::Forbidden(
                "Only the budget holder, their representative or their broker rates outcomes."
                    .into(),
            ));
        }
        errors.into_result()?;
        let stage = stage.unwrap_or("start");
        let rows: Vec<NewRating> = checked
            .iter()
            .map(|(domain, rating)| NewRating {
                plan_id,
                stage,
                domain: *domain,
                rating: *rating,
                rated_by: account.id,
                acting_as: acting,
            })
            .collect();
        store::add_ratings(conn, &rows, now)?;
        plan_store::record_event(
            conn,
            plan_id,
            account.id,
            acting,
            "rated_outcomes",
            stage,
            now,
        )?;
        rating_views(conn, plan_id)
    })
}
