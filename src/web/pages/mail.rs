//! The operator's mailbox: every message Bespoke wrote, sent or waiting.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use askama::Template;

use super::{render, Chrome, PageError};
use crate::services::mail::{self, MailRow};
use crate::web::auth::Visitor;
use crate::web::state::AppState;

#[derive(Template)]
#[template(path = "mail/mailbox.html")]
struct MailboxPage {
    chrome: Chrome,
    messages: Vec<MailRow>,
    open: Option<MailRow>,
}

/// The operator's mailbox: every message Bespoke wrote, sent or waiting.
pub async fn mailbox(
    state: web::Data<AppState>,
    visitor: Visitor,
) -> Result<HttpResponse, PageError> {
    let account = visitor.signed_in()?.clone();
    let messages = state
        .db
        .run(move |conn| mail::mailbox(conn, &account))
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
    let account = visitor.signed_in()?.clone();
    let id = id.into_inner();
    let open = state
        .db
        .run(move |conn| mail::message(conn, &account, id))
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
