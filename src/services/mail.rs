//! Telling people what happened. Messages are written to the mail outbox in
//! the same transaction as the event, rendered from `templates/email/`, and
//! sent by a worker: by SMTP when `SMTP_URL` is set, otherwise kept in the
//! operator's mailbox and as `.eml` files under the data directory.

use crate::domain::ids::{AccountId, PlanId};
use std::path::PathBuf;
use std::time::Duration;

use askama::Template;
use chrono::{NaiveDateTime, Utc};
use lettre::message::{header::ContentType, Mailbox, MultiPart, SinglePart};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use crate::domain::accounts::Role;
use crate::error::AppError;
use crate::services::access::Account;
use crate::store::accounts::AccountRow;
pub use crate::store::mail::MailRow;
use crate::store::mail::{self as store, NewMail};
use crate::store::plans as plan_store;
use crate::store::{accounts as account_store, settings, Db, DbConnection, StoreError};

/// Where links in messages point; set at start-up from `BESPOKE_PUBLIC_URL`.
pub const PUBLIC_URL_SETTING: &str = "public_url";
const BATCH: i64 = 50;
/// How long one message may take to reach the SMTP server.
const SEND_TIMEOUT_SECS: i64 = 10;
const IDLE_POLL: Duration = Duration::from_millis(250);
const FIRST_RETRY_SECS: i64 = 1;
const LAST_RETRY_SECS: i64 = 300;

/// What a message says, whatever its kind.
pub struct MailContent {
    pub subject: String,
    pub greeting: String,
    pub summary: String,
    pub facts: Vec<(String, String)>,
    pub action_label: String,
    pub action_url: String,
    pub closing: String,
    pub site_url: String,
}

#[derive(Template)]
#[template(path = "email/message.txt")]
struct TextBody<'a> {
    m: &'a MailContent,
}

#[derive(Template)]
#[template(path = "email/message.html")]
struct HtmlBody<'a> {
    m: &'a MailContent,
}

/// Someone to tell, by account.
pub struct Recipient {
    pub account_id: AccountId,
    pub name: String,
    pub email: String,
}

impl Recipient {
    /// Accounts without an email address (unclaimed imports) cannot be told.
    fn of(account: AccountRow) -> Option<Self> {
        account.email.map(|email| Recipient {
            account_id: account.id,
            name: account.name,
            email,
        })
    }
}

/// The operator's mailbox: every message Bespoke wrote, sent or waiting,
/// newest first. Only the administrator sees it; to anyone else it is not there.
pub fn mailbox(conn: &mut DbConnection, account: &Account) -> Result<Vec<MailRow>, AppError> {
    operator_only(account)?;
    Ok(store::recent(conn, 200)?)
}

/// One message of the operator's mailbox.
pub fn message(conn: &mut DbConnection, account: &Account, id: i64) -> Result<MailRow, AppError> {
    operator_only(account)?;
    store::find(conn, id)?.ok_or(AppError::NotFound)
}

fn operator_only(account: &Account) -> Result<(), AppError> {
    if account.role == Role::Admin {
        Ok(())
    } else {
        Err(AppError::NotFound)
    }
}

pub fn recipient(
    conn: &mut DbConnection,
    account_id: AccountId,
) -> Result<Option<Recipient>, StoreError> {
    Ok(account_store::find(conn, account_id)?.and_then(Recipient::of))
}

/// Everyone on the holder's side who hears about a plan's purchases: the
/// holder and any broker acting on the plan.
pub fn holder_side(conn: &mut DbConnection, plan_id: PlanId) -> Result<Vec<Recipient>, AppError> {
    let plan = plan_store::find(conn, plan_id)?.ok_or(AppError::NotFound)?;
    let mut people = vec![plan.holder_id];
    people.extend(plan_store::brokers(conn, plan_id)?);
    let mut recipients = Vec::new();
    for person in people {
        recipients.extend(recipient(conn, person)?);
    }
    Ok(recipients)
}

/// Every commissioner of a council.
pub fn commissioners(conn: &mut DbConnection, council: &str) -> Result<Vec<Recipient>, StoreError> {
    Ok(
        account_store::of_council(conn, council, Role::Commissioner)?
            .into_iter()
            .filter_map(Recipient::of)
            .collect(),
    )
}

fn site_url(conn: &mut DbConnection) -> Result<String, StoreError> {
    Ok(settings::get(conn, PUBLIC_URL_SETTING)?
        .unwrap_or_else(|| "http://127.0.0.1:8080".into())
        .trim_end_matches('/')
        .to_owned())
}

/// The parts of a message that differ by kind; the rest is the layout's.
pub struct Draft<'a> {
    pub kind: &'a str,
    pub subject: String,
    pub summary: String,
    pub facts: Vec<(String, String)>,
    pub action_label: &'a str,
    /// A path on the site, such as `/plans/12`.
    pub action_path: String,
}

/// Writes a message to the outbox; call it inside the event's transaction.
pub fn tell(
    conn: &mut DbConnection,
    to: &Recipient,
    draft: &Draft,
    now: NaiveDateTime,
) -> Result<(), AppError> {
    let site = site_url(conn)?;
    let message = MailContent {
        subject: draft.subject.clone(),
        greeting: format!("Dear {},", to.name),
        summary: draft.summary.clone(),
        facts: draft.facts.clone(),
        action_label: draft.action_label.to_owned(),
        action_url: format!("{site}{}", draft.action_path),
        closing: "Thank you for using Bespoke.".into(),
        site_url: site,
    };
    let rendered = |r: askama::Result<String>| r.map_err(|e| AppError::Internal(e.to_string()));
    let text = rendered(TextBody { m: &message }.render())?;
    let html = rendered(HtmlBody { m: &message }.render())?;
    store::enqueue(
        conn,
        &NewMail {
            kind: draft.kind,
            to_account_id: Some(to.account_id),
            to_address: &to.email,
            subject: &message.subject,
            text_body: &text,
            html_body: &html,
        },
        now,
    )?;
    Ok(())
}

/// How messages leave Bespoke.
#[derive(Clone)]
pub enum Delivery {
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    /// No SMTP server: keep each message as an `.eml` file in this directory.
    Mailbox(PathBuf),
}

impl Delivery {
    pub fn from_config(config: &crate::config::Config) -> Result<Self, AppError> {
        match &config.smtp_url {
            Some(url) => AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
                .map(|builder| {
                    Delivery::Smtp(
                        builder
                            .timeout(Some(Duration::from_secs(SEND_TIMEOUT_SECS as u64)))
                            .build(),
                    )
                })
                .map_err(|e| AppError::Internal(e.to_string())),
            None => Ok(Delivery::Mailbox(config.data_dir.join("mail"))),
        }
    }

    fn via(&self) -> &'static str {
        match self {
            Delivery::Smtp(_) => "smtp",
            Delivery::Mailbox(_) => "mailbox",
        }
    }
}

fn build(row: &MailRow, from: &Mailbox) -> Result<Message, String> {
    let to: Mailbox = row
        .to_address
        .parse()
        .map_err(|e| format!("the address cannot be used: {e}"))?;
    Message::builder()
        .from(from.clone())
        .to(to)
        .subject(row.subject.clone())
        .message_id(Some(format!("<mail-{}@bespoke>", row.id)))
        .multipart(
            MultiPart::alternative()
                .singlepart(
                    SinglePart::builder()
                        .header(ContentType::TEXT_PLAIN)
                        .body(row.text_body.clone()),
                )
                .singlepart(
                    SinglePart::builder()
                        .header(ContentType::TEXT_HTML)
                        .body(row.html_body.clone()),
                ),
        )
        .map_err(|e| e.to_string())
}

async fn send(delivery: &Delivery, row: &MailRow, from: &Mailbox) -> Result<(), String> {
    let message = build(row, from)?;
    match delivery {
        Delivery::Smtp(transport) => transport
            .send(message)
            .await
            .map(|_| ())
            .map_err(|e| e.to_string()),
        Delivery::Mailbox(dir) => {
            let path = dir.join(format!("{:08}.eml", row.id));
            let dir = dir.clone();
            let bytes = message.formatted();
            tokio::task::spawn_blocking(move || {
                std::fs::create_dir_all(&dir)?;
                std::fs::write(path, bytes)
            })
            .await
            .map_err(|e| e.to_string())?
            .map_err(|e| e.to_string())
        }
    }
}

/// Waits twice as long after each failed attempt, from a second up to five minutes.
fn backoff(attempts: i32) -> chrono::Duration {
    let secs = FIRST_RETRY_SECS
        .saturating_mul(1_i64 << attempts.clamp(0, 20))
        .min(LAST_RETRY_SECS);
    chrono::Duration::seconds(secs)
}

/// How many messages one instance claims at once: as many as it can surely
/// send, one after another at the longest send time, before its lease runs out.
fn claim_size(lease_secs: i64) -> i64 {
    (lease_secs / SEND_TIMEOUT_SECS - 1).clamp(1, BATCH)
}

/// Claims what is due and sends it. Returns how many messages went.
///
/// Each message is claimed by one instance for `lease_secs` (see
/// `store::mail::claim_due`): several instances on one database send every
/// message once, and one that dies mid-send leaves its messages to the others
/// when the lease runs out. A message is sent again only if its sender died
/// after the SMTP server took it and before it was marked sent; its
/// Message-ID stays the same, so the receiving side can tell.
pub async fn send_due(
    db: &Db,
    delivery: &Delivery,
    from: &Mailbox,
    lease_secs: i64,
) -> Result<usize, AppError> {
    let lease_until = Utc::now().naive_utc() + chrono::Duration::seconds(lease_secs);
    let rows = db
        .run(move |conn| {
            let now = Utc::now().naive_utc();
            store::claim_due(conn, now, lease_until, claim_size(lease_secs)).map_err(AppError::from)
        })
        .await?;
    let longest = chrono::Duration::seconds(SEND_TIMEOUT_SECS);
    let mut sent = 0;
    for row in rows {
        // Never start a send that might outlast the lease: another instance
        // may take the rest once it runs out.
        if Utc::now().naive_utc() + longest >= lease_until {
            break;
        }
        let outcome = tokio::time::timeout(
            longest.to_std().expect("positive"),
            send(delivery, &row, from),
        )
        .await
        .unwrap_or_else(|_| Err("the mail server took too long".to_owned()));
        let (id, attempts, via) = (row.id, row.attempts, delivery.via());
        match outcome {
            Ok(()) => {
                db.run(move |conn| store::mark_sent(conn, id, via, Utc::now().naive_utc()))
                    .await?;
                sent += 1;
            }
            Err(error) => {
                tracing::warn!(mail = id, attempts = attempts + 1, %error, "could not send a message; will retry");
                let next = Utc::now().naive_utc() + backoff(attempts);
                db.run(move |conn| store::retry_later(conn, id, lease_until, &error, next))
                    .await?;
            }
        }
    }
    Ok(sent)
}

/// The worker: sends due messages, then looks again shortly.
pub async fn run_mail_worker(db: Db, delivery: Delivery, from: Mailbox, lease_secs: i64) {
    loop {
        match send_due(&db, &delivery, &from, lease_secs).await {
            Ok(n) if n as i64 >= claim_size(lease_secs) => {}
            Ok(_) => tokio::time::sleep(IDLE_POLL).await,
            Err(e) => {
                tracing::warn!(error = %e, "the mail worker could not read the outbox");
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_back_off_to_five_minutes() {
        assert_eq!(backoff(0).num_seconds(), 1);
        assert_eq!(backoff(3).num_seconds(), 8);
        assert_eq!(backoff(30).num_seconds(), 300);
    }

    #[test]
    fn an_instance_claims_only_what_it_can_send_within_its_lease() {
        for lease in [15, 60, 120, 3600] {
            let claimed = claim_size(lease);
            assert!((1..=BATCH).contains(&claimed));
            assert!(claimed * SEND_TIMEOUT_SECS < lease, "lease {lease}");
        }
        assert_eq!(claim_size(120), 11);
    }
}
