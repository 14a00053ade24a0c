//! Budgets up front: the self-assessment that gives an indicative budget,
//! and the council's allocation table as commissioners read it.

use crate::domain::ids::{AccountId, PlanId};
use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use askama::Template;
use chrono::Utc;
use serde::Deserialize;

use super::plans::notice_for;
use super::{field, redirect, render, Chrome, Fields, PageError};
use crate::domain::vocab::Vocabulary;
use crate::error::{AppError, FieldErrors};
use crate::services::assessments::{self, AssessmentInput, AssessmentView};
use crate::web::auth::Visitor;
use crate::web::csrf::ProtectedForm;
use crate::web::state::AppState;

#[derive(Template)]
#[template(path = "assessments/self_assessment.html")]
struct AssessmentPage {
    chrome: Chrome,
    assessment: AssessmentView,
    errors: FieldErrors,
    notice: Option<&'static str>,
}

#[derive(Deserialize)]
pub struct AssessmentQuery {
    holder_id: Option<AccountId>,
    done: Option<String>,
}

pub async fn assessment(
    state: web::Data<AppState>,
    visitor: Visitor,
    query: web::Query<AssessmentQuery>,
) -> Result<HttpResponse, PageError> {
    let account = visitor.signed_in()?.clone();
    let holder_id = query.holder_id;
    let assessment = state
        .db
        .run(move |conn| assessments::get_assessment(conn, &account, holder_id))
        .await?;
    render(
        &AssessmentPage {
            chrome: Chrome::for_visitor(&visitor),
            assessment,
            errors: FieldErrors::new(),
            notice: notice_for(query.done.as_deref()),
        },
        StatusCode::OK,
    )
}

pub async fn save_assessment(
    state: web::Data<AppState>,
    visitor: Visitor,
    form: ProtectedForm<Fields>,
) -> Result<HttpResponse, PageError> {
    let account = visitor.signed_in()?.clone();
    let fields = form.0;
    let holder_id = field(&fields, "holder_id").and_then(|h| h.parse().ok());
    let answers = fields
        .iter()
        .filter_map(|(k, v)| Some((k.strip_prefix("answer_")?.to_owned(), v.parse().ok()?)))
        .collect();
    let outcome = state
        .db
        .run(move |conn| {
            let input = AssessmentInput {
                holder_id,
                answers: Some(answers),
            };
            match assessments::put_assessment(conn, &account, input, Utc::now()) {
                Ok(_) => Ok(Ok(())),
                Err(AppError::Validation(errors)) => Ok(Err((
                    assessments::get_assessment(conn, &account, holder_id)?,
                    errors,
                ))),
                Err(other) => Err(other),
            }
        })
        .await?;
    match outcome {
        Ok(()) => {
            let suffix = holder_id
                .map(|h| format!("&holder_id={h}"))
                .unwrap_or_default();
            Ok(redirect(&format!("/self-assessment?done=assessed{suffix}")))
        }
        Err((mut assessment, errors)) => {
            // Keep what was chosen, so only the missing answers need doing.
            for q in &mut assessment.questions {
                q.answer = field(&fields, &format!("answer_{}", q.id)).and_then(|v| v.parse().ok());
            }
            render(
                &AssessmentPage {
                    chrome: Chrome::for_visitor(&visitor),
                    assessment,
                    errors,
                    notice: None,
                },
                StatusCode::UNPROCESSABLE_ENTITY,
            )
        }
    }
}

#[derive(Template)]
#[template(path = "assessments/allocation.html")]
struct AllocationPage {
    chrome: Chrome,
    allocation: assessments::AllocationView,
}

/// The council's allocation table as commissioners read it.
pub async fn allocation(
    state: web::Data<AppState>,
    visitor: Visitor,
) -> Result<HttpResponse, PageError> {
    let account = visitor.signed_in()?.clone();
    let allocation = state
        .db
        .run(move |conn| assessments::get_allocation(conn, &account))
        .await?;
    render(
        &AllocationPage {
            chrome: Chrome::for_visitor(&visitor),
            allocation,
        },
        StatusCode::OK,
    )
}

/// One outcome domain on the ratings page: what was said at the start, at
/// the latest review, and the change between them.
pub struct DomainRatings {
    pub code: &'static str,
    pub label: &'static str,
    pub start: Option<i32>,
    pub latest_review: Option<i32>,
    /// What the form shows as chosen: the answer just sent back with an
    /// error, or nothing.
    pub chosen: Option<i32>,
}

impl DomainRatings {
    pub fn change(&self) -> Option<i32> {
        Some(self.latest_review? - self.start?)
    }

    /// "+2", "0" or "-1"; a dash until there is a start and a review.
    pub fn change_text(&self) -> String {
        match self.change() {
            Some(c) if c > 0 => format!("+{c}"),
            Some(c) => c.to_string(),
            None => "–".into(),
        }
    }

    pub fn start_text(&self) -> String {
        rating_text(self.start)
    }

    pub fn review_text(&self) -> String {
        rating_text(self.latest_review)
    }
}

/// The words beside each rating, 1 to 5.
pub const RATING_WORDS: [(i32, &str); 5] = [
    (1, "Very bad"),
    (2, "Bad"),
    (3, "All right"),
    (4, "Good"),
    (5, "Very good"),
];

fn rating_text(rating: Option<i32>) -> String {
    rating
        .and_then(|r| RATING_WORDS.iter().find(|(n, _)| *n == r))
        .map(|(n, word)| format!("{n} – {word}"))
        .unwrap_or_else(|| "Not rated".into())
}

#[derive(Template)]
#[template(path = "assessments/outcomes.html")]
struct OutcomesPage {
    chrome: Chrome,
    plan_id: PlanId,
    holder_name: String,
    holder_side: bool,
    domains: Vec<DomainRatings>,
    /// The stage the form starts on: the start until that is rated, then a review.
    stage: &'static str,
    has_start: bool,
    reviews: usize,
    errors: FieldErrors,
    notice: Option<&'static str>,
}

impl OutcomesPage {
    fn rating_words(&self) -> &'static [(i32, &'static str)] {
        &RATING_WORDS
    }
}

struct OutcomesData {
    holder_name: String,
    holder_side: bool,
    ratings: Vec<assessments::RatingView>,
}

fn load_outcomes(
    conn: &mut crate::services::DbConnection,
    account: &crate::services::accounts::Account,
    plan_id: PlanId,
) -> Result<OutcomesData, AppError> {
    let (plan, acting) = crate::services::access::visible_plan(conn, account, plan_id)?;
    Ok(OutcomesData {
        holder_name: super::plans::holder_name(conn, plan.holder_id)?,
        holder_side: crate::services::access::is_holder_side(acting),
        ratings: assessments::ratings(conn, account, plan_id)?,
    })
}

fn outcomes_page(
    visitor: &Visitor,
    plan_id: PlanId,
    data: OutcomesData,
    chosen: &Fields,
    errors: FieldErrors,
    notice: Option<&'static str>,
) -> OutcomesPage {
    use crate::domain::vocab::OutcomeDomain;
    use strum::IntoEnumIterator;
    let of_stage = |domain: OutcomeDomain, stage: &str| -> Vec<i32> {
        data.ratings
            .iter()
            .filter(|r| r.domain == domain && r.stage == stage)
            .map(|r| r.rating)
            .collect()
    };
    let domains = OutcomeDomain::iter()
        .map(|domain| DomainRatings {
            code: domain.code(),
            label: domain.label(),
            start: of_stage(domain, "start").first().copied(),
            latest_review: of_stage(domain, "review").last().copied(),
            chosen: field(chosen, &format!("rating_{}", domain.code()))
                .and_then(|v| v.parse().ok()),
        })
        .collect();
    let has_start = data.ratings.iter().any(|r| r.stage == "start");
    let mut review_times: Vec<_> = data
        .ratings
        .iter()
        .filter(|r| r.stage == "review")
        .map(|r| r.rated_at)
        .collect();
    review_times.dedup();
    let stage = match field(chosen, "stage").as_deref() {
        Some("start") => "start",
        Some("review") => "review",
        _ if has_start => "review",
        _ => "start",
    };
    OutcomesPage {
        chrome: Chrome::for_visitor(visitor),
        plan_id,
        holder_name: data.holder_name,
        holder_side: data.holder_side,
        domains,
        stage,
        has_start,
        reviews: review_times.len(),
        errors,
        notice,
    }
}

/// `GET /plans/{id}/outcomes`: how life is going, domain by domain.
pub async fn outcomes(
    state: web::Data<AppState>,
    visitor: Visitor,
    id: web::Path<PlanId>,
    query: web::Query<AssessmentQuery>,
) -> Result<HttpResponse, PageError> {
    let account = visitor.signed_in()?.clone();
    let plan_id = id.into_inner();
    let data = state
        .db
        .run(move |conn| load_outcomes(conn, &account, plan_id))
        .await?;
    render(
        &outcomes_page(
            &visitor,
            plan_id,
            data,
            &Fields::new(),
            FieldErrors::new(),
            notice_for(query.done.as_deref()),
        ),
        StatusCode::OK,
    )
}

/// `POST /plans/{id}/outcomes`: the holder's side rates the domains they choose.
pub async fn rate_outcomes(
    state: web::Data<AppState>,
    visitor: Visitor,
    id: web::Path<PlanId>,
    form: ProtectedForm<Fields>,
) -> Result<HttpResponse, PageError> {
    let account = visitor.signed_in()?.clone();
    let plan_id = id.into_inner();
    let fields = form.0;
    let input = assessments::RatingsInput {
        stage: field(&fields, "stage"),
        ratings: Some(
            fields
                .iter()
                .filter_map(|(k, v)| {
                    let code = k.strip_prefix("rating_")?;
                    // A number goes through as one; anything else is kept so
                    // the service can say what is wrong with it.
                    let value = v
                        .trim()
                        .parse::<i64>()
                        .map(serde_json::Value::from)
                        .unwrap_or_else(|_| serde_json::Value::from(v.trim()));
                    (!v.trim().is_empty()).then(|| (code.to_owned(), value))
                })
                .collect(),
        ),
    };
    let outcome = state
        .db
        .run(move |conn| {
            match assessments::rate(conn, &account, plan_id, input, Utc::now().naive_utc()) {
                Ok(_) => Ok(Ok(())),
                Err(AppError::Validation(errors)) => {
                    Ok(Err((load_outcomes(conn, &account, plan_id)?, errors)))
                }
                Err(other) => Err(other),
            }
        })
        .await?;
    match outcome {
        Ok(()) => Ok(redirect(&format!("/plans/{plan_id}/outcomes?done=rated"))),
        Err((data, errors)) => render(
            &outcomes_page(&visitor, plan_id, data, &fields, errors, None),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
    }
}
