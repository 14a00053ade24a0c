//! Budgets up front: the self-assessment that gives an indicative budget,
//! and the council's allocation table as commissioners read it.

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
use crate::startup::AppState;
use crate::web::auth::Visitor;
use crate::web::csrf::ProtectedForm;

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
    holder_id: Option<i64>,
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
