//! Councils' allocation tables, holders' self-assessments and outcome ratings.

use crate::domain::ids::{AccountId, PlanId};
use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::{council_allocations, outcome_ratings, self_assessments};
use super::{DbConnection, StoreError};
use crate::domain::vocab::{ActingAs, OutcomeDomain};

/// A council's own allocation document, if its commissioners have set one.
pub fn allocation_of(conn: &mut DbConnection, council: &str) -> Result<Option<String>, StoreError> {
    Ok(council_allocations::table
        .find(council)
        .select(council_allocations::allocation)
        .first(conn)
        .optional()?)
}

/// Replaces the council's allocation; call inside a transaction.
pub fn save_allocation(
    conn: &mut DbConnection,
    council: &str,
    allocation: &str,
    by: AccountId,
    now: NaiveDateTime,
) -> Result<(), StoreError> {
    diesel::delete(council_allocations::table.find(council)).execute(conn)?;
    diesel::insert_into(council_allocations::table)
        .values((
            council_allocations::council_code.eq(council),
            council_allocations::allocation.eq(allocation),
            council_allocations::updated_by.eq(by),
            council_allocations::updated_at.eq(now),
        ))
        .execute(conn)?;
    Ok(())
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = self_assessments)]
pub struct AssessmentRow {
    pub holder_id: AccountId,
    pub council_code: String,
    pub answers: String,
    pub points: i32,
    pub indicative_pence: i64,
    pub updated_by: AccountId,
    pub acting_as: ActingAs,
    pub updated_at: NaiveDateTime,
}

pub fn assessment_of(
    conn: &mut DbConnection,
    holder_id: AccountId,
) -> Result<Option<AssessmentRow>, StoreError> {
    Ok(self_assessments::table
        .find(holder_id)
        .select(AssessmentRow::as_select())
        .first(conn)
        .optional()?)
}

/// Replaces the holder's self-assessment; call inside a transaction.
pub fn save_assessment(conn: &mut DbConnection, row: &AssessmentRow) -> Result<(), StoreError> {
    diesel::delete(self_assessments::table.find(row.holder_id)).execute(conn)?;
    diesel::insert_into(self_assessments::table)
        .values((
            self_assessments::holder_id.eq(row.holder_id),
            self_assessments::council_code.eq(&row.council_code),
            self_assessments::answers.eq(&row.answers),
            self_assessments::points.eq(row.points),
            self_assessments::indicative_pence.eq(row.indicative_pence),
            self_assessments::updated_by.eq(row.updated_by),
            self_assessments::acting_as.eq(&row.acting_as),
            self_assessments::updated_at.eq(row.updated_at),
        ))
        .execute(conn)?;
    Ok(())
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = outcome_ratings)]
pub struct RatingRow {
    pub id: i64,
    pub plan_id: PlanId,
    pub stage: String,
    pub domain: OutcomeDomain,
    pub rating: i32,
    pub rated_by: AccountId,
    pub acting_as: ActingAs,
    pub rated_at: NaiveDateTime,
}

pub struct NewRating<'a> {
    pub plan_id: PlanId,
    pub stage: &'a str,
    pub domain: OutcomeDomain,
    pub rating: i32,
    pub rated_by: AccountId,
    pub acting_as: ActingAs,
}

pub fn add_ratings(
    conn: &mut DbConnection,
    ratings: &[NewRating],
    now: NaiveDateTime,
) -> Result<(), StoreError> {
    for r in ratings {
        diesel::insert_into(outcome_ratings::table)
            .values((
                outcome_ratings::plan_id.eq(r.plan_id),
                outcome_ratings::stage.eq(r.stage),
                outcome_ratings::domain.eq(r.domain),
                outcome_ratings::rating.eq(r.rating),
                outcome_ratings::rated_by.eq(r.rated_by),
                outcome_ratings::acting_as.eq(r.acting_as),
                outcome_ratings::rated_at.eq(now),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// A plan's ratings, oldest first.
pub fn ratings_of(conn: &mut DbConnection, plan_id: PlanId) -> Result<Vec<RatingRow>, StoreError> {
    Ok(outcome_ratings::table
        .filter(outcome_ratings::plan_id.eq(plan_id))
        .order((outcome_ratings::rated_at, outcome_ratings::id))
        .select(RatingRow::as_select())
        .load(conn)?)
}
