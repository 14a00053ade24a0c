//! The operator's mailbox: every message Bespoke wrote, sent or waiting.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use askama::Template;

use super::{render, Chrome, PageError};
use crate::domain::accounts::Role;
use crate::error::AppError;
use crate::startup::AppState;
use crate::store::mail::{self as mail_store, MailRow};
use crate::web::auth::Visitor;

#[derive(Template)]
#[template(path = "mail/mailbox.html")]
struct MailboxPage {
    chrome: Chrome,
    messages: Vec<MailRow>,
    open: Option<MailRow>,
}

fn operator_only(visitor: &Visitor) -> Result<(), PageError> {
    if visitor.signed_in()?.role == Role::Admin {
        Ok(())
    } else {
        Err(AppError::NotFound.into())
    }
}

/// The operator's mailbox: every message Bespoke wrote, sent or waiting.
pub async fn mailbox(
    state: web::Data<AppState>,
    visitor: Visitor,
) -> Result<HttpResponse, PageError> {
    operator_only(&visitor)?;
    let messages = state
        .db
        .run(|conn| mail_store::recent(conn, 200).map_err(AppError::from))
        .await?;
    render(
        &MailboxPage {
            chrome: Chrome::for_visitor(&visitor),
            messages,
            open: None,
        },
        StatusCode::OK,
    )
}

pub async fn message(
    state: web::Data<AppState>,
    visitor: Visitor,
    id: web::Path<i64>,
) -> Result<HttpResponse, PageError> {
    operator_only(&visitor)?;
    let id = id.into_inner();
    let open = state
        .db
        .run(move |conn| mail_store::find(conn, id)?.ok_or(AppError::NotFound))
        .await?;
    render(
        &MailboxPage {
            chrome: Chrome::for_visitor(&visitor),
            messages: Vec::new(),
            open: Some(open),
        },
        StatusCode::OK,
    )
}
