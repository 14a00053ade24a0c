//! People are told: messages are written to the outbox with the event and
//! sent by the mail worker — to a real SMTP server when `SMTP_URL` is set
//! (here one running inside the test process), otherwise to the operator's
//! mailbox and `.eml` files — and they wait safely while SMTP is down.

use crate::common;

use std::net::TcpListener;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use actix_web::http::{Method, StatusCode};
use bespoke::store::mail::MailRow;
use chrono::Utc;
use common::TestApp;
use serde_json::json;

/// One message as the SMTP server received it.
#[derive(Debug, Clone)]
struct Received {
    from: String,
    to: Vec<String>,
    data: String,
}

/// An SMTP server's handler that keeps every message it receives.
#[derive(Clone, Default)]
struct Inbox {
    messages: Arc<Mutex<Vec<Received>>>,
    current: Option<Received>,
}

impl mailin_embedded::Handler for Inbox {
    fn data_start(
        &mut self,
        _domain: &str,
        from: &str,
        _is8bit: bool,
        to: &[String],
    ) -> mailin_embedded::Response {
        self.current = Some(Received {
            from: from.to_owned(),
            to: to.to_vec(),
            data: String::new(),
        });
        mailin_embedded::response::OK
    }

    fn data(&mut self, buf: &[u8]) -> std::io::Result<()> {
        if let Some(message) = self.current.as_mut() {
            message.data.push_str(&String::from_utf8_lossy(buf));
        }
        Ok(())
    }

    fn data_end(&mut self) -> mailin_embedded::Response {
        if let Some(message) = self.current.take() {
            self.messages.lock().unwrap().push(message);
        }
        mailin_embedded::response::OK
    }
}

impl Inbox {
    /// Serves SMTP on this listener, on a thread of its own, for the rest of the test.
    fn serve(listener: TcpListener) -> Self {
        let inbox = Inbox::default();
        let mut server = mailin_embedded::Server::new(inbox.clone());
        server
            .with_name("mail.test")
            .with_ssl(mailin_embedded::SslConfig::None)
            .expect("no TLS")
            .with_tcp_listener(listener);
        std::thread::spawn(move || {
            if let Err(e) = server.serve() {
                eprintln!("the test SMTP server stopped: {e}");
            }
        });
        inbox
    }

    fn received(&self) -> Vec<Received> {
        self.messages.lock().unwrap().clone()
    }

    async fn wait_for(&self, count: usize) -> Vec<Received> {
        for _ in 0..200 {
            let messages = self.received();
            if messages.len() >= count {
                return messages;
            }
            actix_web::rt::time::sleep(Duration::from_millis(50)).await;
        }
        panic!(
            "the SMTP server received {} messages, not {count}",
            self.received().len()
        );
    }
}

fn free_port() -> TcpListener {
    TcpListener::bind("127.0.0.1:0").expect("a free port")
}

/// The outbox, oldest first.
fn outbox(app: &TestApp) -> Vec<MailRow> {
    let mut rows = bespoke::store::mail::recent(&mut app.db(), 1000).expect("the outbox");
    rows.reverse();
    rows
}

async fn wait_until_sent(app: &TestApp, count: usize) -> Vec<MailRow> {
    for _ in 0..200 {
        let rows = outbox(app);
        if rows.iter().filter(|r| r.sent_at.is_some()).count() >= count {
            return rows;
        }
        actix_web::rt::time::sleep(Duration::from_millis(50)).await;
    }
    panic!(
        "the outbox did not send {count} messages: {:#?}",
        outbox(app)
    );
}

/// A draft plan for a new holder, with an outcome, made by a commissioner.
/// Returns (holder token, officer token, plan path).
async fn draft_plan(app: &TestApp) -> (String, String, String) {
    let (holder_id, holder) = app.account("amina@example.org", "budget_holder").await;
    let (_, officer) = app.commissioner("officer@council.example").await;
    let today = Utc::now().date_naive();
    let plan = app
        .post(
            "/api/v1/plans",
            Some(&officer),
            json!({"holder_id": holder_id,
                   "period_start": today.to_string(),
                   "period_end": (today + chrono::Duration::days(364)).to_string(),
                   "budget": "9000.00",
                   "portions": [{"mode": "direct_payment", "amount": "9000.00"}]}),
        )
        .await;
    assert_eq!(plan.status, StatusCode::CREATED, "{}", plan.text);
    let path = format!("/api/v1/plans/{}", plan.json()["id"]);
    let outcomes =
        json!({"outcomes": [{"title": "See my friends every week", "domain": "relationships"}]});
    let patched = app
        .send(Method::PATCH, &path, Some(&holder), Some(outcomes))
        .await;
    assert_eq!(patched.status, StatusCode::OK, "{}", patched.text);
    (holder, officer, path)
}

#[actix_web::test]
async fn without_smtp_messages_go_to_the_mailbox_and_eml_files() {
    let app = TestApp::spawn().await;
    let (holder, officer, path) = draft_plan(&app).await;
    assert!(outbox(&app).is_empty(), "nothing to tell yet");

    let submitted = app
        .post(&format!("{path}/submit"), Some(&holder), json!({}))
        .await;
    assert_eq!(submitted.status, StatusCode::OK, "{}", submitted.text);
    let plan_id = submitted.json()["id"].as_i64().unwrap();

    let rows = wait_until_sent(&app, 1).await;
    assert_eq!(rows.len(), 1);
    let to_council = &rows[0];
    assert_eq!(to_council.kind, "plan_submitted");
    assert_eq!(to_council.to_address, "officer@council.example");
    assert_eq!(to_council.sent_via.as_deref(), Some("mailbox"));
    assert!(to_council.text_body.contains(&format!("/plans/{plan_id}")));

    let file = app
        .database
        .dir
        .path()
        .join("mail")
        .join(format!("{:08}.eml", to_council.id));
    let eml = std::fs::read_to_string(&file).expect("the message is kept as an .eml file");
    assert!(eml.contains("To: officer@council.example"), "{eml}");
    assert!(eml.contains(&format!(
        "Subject: Support plan {plan_id} is waiting for approval"
    )));
    assert!(eml.contains("text/plain") && eml.contains("text/html"));

    // Approval tells the holder.
    let approved = app
        .post(&format!("{path}/approve"), Some(&officer), json!({}))
        .await;
    assert_eq!(approved.status, StatusCode::OK, "{}", approved.text);
    let rows = wait_until_sent(&app, 2).await;
    assert_eq!(rows[1].kind, "plan_approved");
    assert_eq!(rows[1].to_address, "amina@example.org");
    assert!(rows[1].text_body.starts_with("Dear Test Person,"));
}

#[actix_web::test]
async fn with_smtp_the_message_reaches_the_server_as_text_and_html() {
    let listener = free_port();
    let port = listener.local_addr().unwrap().port();
    let inbox = Inbox::serve(listener);
    let smtp = format!("smtp://127.0.0.1:{port}");
    let app = TestApp::spawn_with(&[
        ("SMTP_URL", &smtp),
        (
            "BESPOKE_MAIL_FROM",
            "Manchester Bespoke <care@council.example>",
        ),
        ("BESPOKE_PUBLIC_URL", "https://bespoke.council.example"),
    ])
    .await;
    let (holder, _, path) = draft_plan(&app).await;
    let submitted = app
        .post(&format!("{path}/submit"), Some(&holder), json!({}))
        .await;
    assert_eq!(submitted.status, StatusCode::OK, "{}", submitted.text);
    let plan_id = submitted.json()["id"].as_i64().unwrap();

    let received = inbox.wait_for(1).await;
    let message = &received[0];
    assert_eq!(message.from, "care@council.example");
    assert_eq!(message.to, vec!["officer@council.example".to_owned()]);
    assert!(message.data.contains(&format!(
        "Subject: Support plan {plan_id} is waiting for approval"
    )));
    assert!(message.data.contains("text/plain") && message.data.contains("text/html"));
    assert!(
        message
            .data
            .contains(&format!("https://bespoke.council.example/plans/{plan_id}")),
        "{}",
        message.data
    );
    let rows = wait_until_sent(&app, 1).await;
    assert_eq!(rows[0].sent_via.as_deref(), Some("smtp"));
    assert!(
        !app.database.dir.path().join("mail").exists(),
        "with SMTP, no .eml files"
    );
}

#[actix_web::test]
async fn while_smtp_is_down_messages_wait_and_go_once_it_is_back() {
    // A port with nothing listening: SMTP is down.
    let reserved = free_port();
    let address = reserved.local_addr().unwrap();
    drop(reserved);
    let smtp = format!("smtp://{address}");
    let app = TestApp::spawn_with(&[("SMTP_URL", &smtp)]).await;
    let (holder, _, path) = draft_plan(&app).await;
    let submitted = app
        .post(&format!("{path}/submit"), Some(&holder), json!({}))
        .await;
    assert_eq!(
        submitted.status,
        StatusCode::OK,
        "the event succeeds though mail cannot go: {}",
        submitted.text
    );

    // The worker tries, fails, and keeps the message with the reason.
    let mut failed = None;
    for _ in 0..200 {
        let rows = outbox(&app);
        if rows.first().is_some_and(|r| r.attempts >= 2) {
            failed = rows.into_iter().next();
            break;
        }
        actix_web::rt::time::sleep(Duration::from_millis(50)).await;
    }
    let failed = failed.expect("the worker retried sending");
    assert!(failed.sent_at.is_none());
    assert!(failed.last_error.is_some());
    assert!(
        failed.next_attempt_at > failed.created_at,
        "retries back off"
    );

    // SMTP comes back on the same address; the message arrives once.
    let listener = TcpListener::bind(address).expect("the port is free again");
    let inbox = Inbox::serve(listener);
    let received = inbox.wait_for(1).await;
    assert_eq!(received[0].to, vec!["officer@council.example".to_owned()]);
    let rows = wait_until_sent(&app, 1).await;
    assert_eq!(rows[0].sent_via.as_deref(), Some("smtp"));
    assert!(rows[0].last_error.is_none());
    actix_web::rt::time::sleep(Duration::from_millis(600)).await;
    assert_eq!(inbox.received().len(), 1, "sent once, not again");
}
