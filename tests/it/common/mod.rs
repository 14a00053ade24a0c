//! The test harness: each test gets the real application on its own fresh
//! database — an SQLite file in a temporary directory, or, when
//! `TEST_DATABASE_URL` names a PostgreSQL server, a schema of its own that is
//! dropped afterwards — served over HTTP by actix's test server.

#![allow(dead_code)]

pub mod conformance;

use std::cell::RefCell;
use std::collections::HashMap;
use std::time::{Duration, Instant};

use actix_test::TestServer;
use actix_web::http::{Method, StatusCode};
use bespoke::config::Config;
use bespoke::startup::{self, AppState};
use bespoke::store::DbConnection;
use diesel::connection::SimpleConnection;
use diesel::{Connection, PgConnection};
use serde_json::{json, Value};

pub const PASSWORD: &str = "kettle orchard violin";

/// A PostgreSQL schema made for one test and dropped with it.
struct PgSchema {
    admin_url: String,
    schema: String,
}

impl Drop for PgSchema {
    fn drop(&mut self) {
        if let Ok(mut conn) = PgConnection::establish(&self.admin_url) {
            let _ = conn.batch_execute(&format!("DROP SCHEMA IF EXISTS {} CASCADE", self.schema));
        }
    }
}

/// The database settings of one test, shared by the app and any CLI runs.
pub struct TestDatabase {
    pub url: String,
    pub dir: tempfile::TempDir,
    /// The Meilisearch index of this test, when MEILI_URL is set.
    pub search_index: String,
    _pg: Option<PgSchema>,
}

impl TestDatabase {
    pub fn new() -> Self {
        let dir = tempfile::tempdir().expect("a temporary directory");
        match std::env::var("TEST_DATABASE_URL")
            .ok()
            .filter(|u| !u.is_empty())
        {
            Some(admin_url) => {
                let schema = format!("test_{}", uuid::Uuid::new_v4().simple());
                let mut admin = PgConnection::establish(&admin_url)
                    .expect("TEST_DATABASE_URL accepts connections");
                admin
                    .batch_execute(&format!("CREATE SCHEMA {schema}"))
                    .expect("a test schema");
                let separator = if admin_url.contains('?') { '&' } else { '?' };
                let url = format!("{admin_url}{separator}options=-csearch_path%3D{schema}");
                Self {
                    url,
                    dir,
                    search_index: format!("bespoke_{schema}"),
                    _pg: Some(PgSchema { admin_url, schema }),
                }
            }
            None => {
                let url = format!("sqlite://{}", dir.path().join("bespoke.sqlite3").display());
                let search_index = format!("bespoke_test_{}", uuid::Uuid::new_v4().simple());
                Self {
                    url,
                    dir,
                    search_index,
                    _pg: None,
                }
            }
        }
    }

    pub fn is_postgres(&self) -> bool {
        self._pg.is_some()
    }

    /// The environment the app and the `bespoke` command see.
    pub fn env(&self, extra: &[(&str, &str)]) -> HashMap<String, String> {
        let mut vars: HashMap<String, String> = [
            ("DATABASE_URL", self.url.as_str()),
            ("BESPOKE_DATA_DIR", &self.dir.path().display().to_string()),
            ("BESPOKE_DEMO", "0"),
            ("BESPOKE_DB_POOL_SIZE", "4"),
            ("BESPOKE_BIND", "127.0.0.1:0"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
        // With MEILI_URL set, every test searches a Meilisearch index of its own.
        if let Ok(url) = std::env::var("MEILI_URL") {
            vars.insert("MEILI_URL".into(), url);
            if let Ok(key) = std::env::var("MEILI_API_KEY") {
                vars.insert("MEILI_API_KEY".into(), key);
            }
            vars.insert("BESPOKE_SEARCH_INDEX".into(), self.search_index.clone());
        }
        for (k, v) in extra {
            vars.insert((*k).to_owned(), (*v).to_owned());
        }
        vars
    }
}

pub struct TestApp {
    pub server: TestServer,
    pub state: AppState,
    pub database: TestDatabase,
    _background: startup::Background,
}

pub struct Reply {
    pub status: StatusCode,
    pub headers: actix_web::http::header::HeaderMap,
    pub text: String,
}

impl Reply {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.text)
            .unwrap_or_else(|e| panic!("expected JSON ({e}), got {}: {}", self.status, self.text))
    }

    pub fn header(&self, name: &str) -> Option<String> {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    }

    pub fn content_type(&self) -> String {
        self.header("content-type").unwrap_or_default()
    }

    /// Asserts a problem+json answer with this status and returns its body.
    pub fn problem(&self, status: u16) -> Value {
        assert_eq!(self.status.as_u16(), status, "body: {}", self.text);
        assert!(
            self.content_type().starts_with("application/problem+json"),
            "expected problem+json, got {:?}: {}",
            self.content_type(),
            self.text
        );
        let body = self.json();
        assert_eq!(body["status"], status);
        assert!(body["type"]
            .as_str()
            .unwrap()
            .starts_with("https://bespoke.example/problems/"));
        assert!(body["title"].is_string() && body["detail"].is_string());
        body
    }
}

impl TestApp {
    pub async fn spawn() -> Self {
        Self::spawn_with(&[]).await
    }

    /// Starts the app with extra environment settings (`BESPOKE_DEMO=1`, …).
    pub async fn spawn_with(extra: &[(&str, &str)]) -> Self {
        Self::spawn_on(TestDatabase::new(), extra).await
    }

    /// Starts the app on an existing test database, as a restart would.
    pub async fn spawn_on(database: TestDatabase, extra: &[(&str, &str)]) -> Self {
        let vars = database.env(extra);
        let config = Config::from_lookup(|name| vars.get(name).cloned())
            .expect("a valid test configuration");
        // A stopped app's last indexing batch can hold the embedded index's
        // writer lock a little longer, as an old process would while exiting.
        let deadline = Instant::now() + Duration::from_secs(60);
        let prepared = loop {
            match startup::prepare(config.clone()) {
                Ok(prepared) => break prepared,
                Err(error)
                    if (format!("{error:#}").contains("LockBusy")
                        || format!("{error:#}").contains("is using the data directory"))
                        && Instant::now() < deadline =>
                {
                    actix_web::rt::time::sleep(Duration::from_millis(50)).await
                }
                Err(error) => panic!("start-up succeeds: {error:?}"),
            }
        };
        let state = prepared.state;
        let background = startup::start_background(&state, prepared.search_events);
        let server_state = state.clone();
        let server = actix_test::start_with(
            actix_test::config()
                .disable_redirects()
                .client_request_timeout(Duration::from_secs(60)),
            move || bespoke::web::app(server_state.clone()),
        );
        let app = Self {
            server,
            state,
            database,
            _background: background,
        };
        app.wait_until_ready().await;
        app
    }

    /// Waits for start-up to finish, initial indexing included.
    pub async fn wait_until_ready(&self) {
        for _ in 0..300 {
            if self.state.ready.load(std::sync::atomic::Ordering::Acquire) {
                return;
            }
            actix_web::rt::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("the app did not become ready within 15 seconds");
    }

    /// Waits until every listing change has reached the search engine.
    pub async fn wait_for_search(&self) {
        for _ in 0..300 {
            let pending = bespoke::store::search::pending(&mut self.db()).expect("the outbox");
            if pending == 0 {
                return;
            }
            actix_web::rt::time::sleep(Duration::from_millis(20)).await;
        }
        panic!("the search index did not catch up within 6 seconds");
    }

    /// Stops the server and hands back the database, to start again on it.
    pub async fn stop(self) -> TestDatabase {
        let TestApp {
            server,
            state,
            database,
            _background,
        } = self;
        server.stop().await;
        drop(_background);
        // As a clean stop of `bespoke serve` does: give up leases, leave the list.
        bespoke::services::instances::deregister(&state.db, &state.instance.id)
            .expect("the instance stops cleanly");
        drop(state);
        // Let the stopped tasks go, so the search index's writer lock is released.
        actix_web::rt::time::sleep(Duration::from_millis(100)).await;
        database
    }

    /// A direct database connection, for checking what the app wrote.
    pub fn db(&self) -> r2d2::PooledConnection<bespoke::store::ConnectionManager> {
        self.state.db.get().expect("a database connection")
    }

    pub async fn send(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> Reply {
        let mut request = self.server.request(method.clone(), self.server.url(path));
        if let Some(token) = token {
            request = request.insert_header(("Authorization", format!("Bearer {token}")));
        }
        let response = match body {
            Some(body) => request.send_json(&body).await,
            None => request.send().await,
        };
        let reply = read(response.expect("the request is answered")).await;
        conformance::check(&method, path, &reply);
        reply
    }

    /// Sends a body exactly as given, with the given content type.
    pub async fn send_raw(
        &self,
        method: Method,
        path: &str,
        content_type: &str,
        body: Vec<u8>,
    ) -> Reply {
        let response = self
            .server
            .request(method.clone(), self.server.url(path))
            .insert_header(("Content-Type", content_type))
            .send_body(body)
            .await
            .expect("the request is answered");
        let reply = read(response).await;
        conformance::check(&method, path, &reply);
        reply
    }

    pub async fn get(&self, path: &str, token: Option<&str>) -> Reply {
        self.send(Method::GET, path, token, None).await
    }

    pub async fn post(&self, path: &str, token: Option<&str>, body: Value) -> Reply {
        self.send(Method::POST, path, token, Some(body)).await
    }

    /// Registers an account through the API and returns its id.
    pub async fn register(&self, email: &str, role: &str) -> i64 {
        let mut body =
            json!({"email": email, "password": PASSWORD, "name": "Test Person", "role": role});
        if role == "budget_holder" {
            body["council"] = json!("E08000003");
        }
        let reply = self.post("/api/v1/accounts", None, body).await;
        assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text);
        reply.json()["id"].as_i64().unwrap()
    }

    pub async fn sign_in(&self, email: &str, password: &str) -> String {
        let reply = self
            .post(
                "/api/v1/sessions",
                None,
                json!({"email": email, "password": password}),
            )
            .await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
        reply.json()["token"].as_str().unwrap().to_owned()
    }

    /// Registers and signs in; returns the account id and a token.
    pub async fn account(&self, email: &str, role: &str) -> (i64, String) {
        let id = self.register(email, role).await;
        (id, self.sign_in(email, PASSWORD).await)
    }

    /// A council commissioner for the demo council, created as the operator
    /// would (`bespoke admin create-account`), signed in.
    pub async fn commissioner(&self, email: &str) -> (i64, String) {
        let registration = bespoke::services::accounts::Registration {
            email: Some(email.to_owned()),
            password: Some(PASSWORD.to_owned()),
            name: Some("Council Officer".to_owned()),
            role: Some("commissioner".to_owned()),
            council: Some("E08000003".to_owned()),
            postcode: None,
        };
        let account = bespoke::services::accounts::create_by_operator(
            &mut self.db(),
            self.state.places,
            registration,
            chrono::Utc::now(),
        )
        .expect("a commissioner");
        (account.id.get(), self.sign_in(email, PASSWORD).await)
    }

    /// Runs `bespoke ledger verify` on this app's database; panics on any mismatch.
    pub fn verify_ledger(&self) {
        let report = bespoke::services::ledger::verify(&mut self.db()).expect("the ledger reads");
        assert!(report.problems.is_empty(), "{:#?}", report.problems);
    }
}

async fn read<S>(mut response: awc::ClientResponse<S>) -> Reply
where
    S: futures_util::Stream<Item = Result<actix_web::web::Bytes, actix_web::error::PayloadError>>
        + Unpin,
{
    let body = response
        .body()
        .limit(10 * 1024 * 1024)
        .await
        .expect("a readable body");
    Reply {
        status: response.status(),
        headers: response.headers().clone(),
        text: String::from_utf8_lossy(&body).into_owned(),
    }
}

/// A browser without JavaScript: keeps cookies and fills in each form's token.
#[derive(Default)]
pub struct Browser {
    cookies: RefCell<HashMap<String, String>>,
}

impl Browser {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn cookie(&self, name: &str) -> Option<String> {
        self.cookies.borrow().get(name).cloned()
    }

    fn cookie_header(&self) -> String {
        self.cookies
            .borrow()
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    fn remember(&self, reply: &Reply) {
        for value in reply.headers.get_all("set-cookie") {
            let cookie =
                actix_web::cookie::Cookie::parse_encoded(value.to_str().unwrap().to_owned())
                    .unwrap();
            let removed =
                cookie.max_age().is_some_and(|age| age.is_zero()) || cookie.value().is_empty();
            let mut jar = self.cookies.borrow_mut();
            if removed {
                jar.remove(cookie.name());
            } else {
                jar.insert(cookie.name().to_owned(), cookie.value().to_owned());
            }
        }
    }

    pub async fn get(&self, app: &TestApp, path: &str) -> Reply {
        let response = app
            .server
            .get(path)
            .insert_header(("Cookie", self.cookie_header()))
            .insert_header(("Accept", "text/html"))
            .send()
            .await
            .expect("the page is answered");
        let reply = read(response).await;
        self.remember(&reply);
        reply
    }

    /// Posts a form the way a browser would, with this browser's form token.
    pub async fn post_form(&self, app: &TestApp, path: &str, fields: &[(&str, &str)]) -> Reply {
        let token = self.cookie("bespoke_csrf").unwrap_or_default();
        let mut all: Vec<(&str, &str)> = vec![("csrf_token", token.as_str())];
        all.extend_from_slice(fields);
        self.post_form_raw(app, path, &all).await
    }

    /// Posts exactly the given fields, with no form token added.
    pub async fn post_form_raw(&self, app: &TestApp, path: &str, fields: &[(&str, &str)]) -> Reply {
        let body = serde_urlencoded::to_string(fields).unwrap();
        let response = app
            .server
            .post(path)
            .insert_header(("Cookie", self.cookie_header()))
            .insert_header(("Content-Type", "application/x-www-form-urlencoded"))
            .send_body(body)
            .await
            .expect("the form is answered");
        let reply = read(response).await;
        self.remember(&reply);
        reply
    }
}

/// Counts rows in a table, to check what the app wrote.
pub fn count_rows(conn: &mut DbConnection, table: &str) -> i64 {
    use diesel::prelude::*;
    #[derive(QueryableByName)]
    struct Count {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    diesel::sql_query(format!("SELECT COUNT(*) AS n FROM {table}"))
        .get_result::<Count>(conn)
        .expect("a count")
        .n
}

pub fn location(reply: &Reply) -> String {
    reply.header("location").unwrap_or_default()
}

/// One h1, a skip link, no script, and a label for every visible input.
pub fn assert_accessible(page: &Reply, path: &str) {
    assert!(page.text.contains(r#"<html lang="en-GB">"#), "{path}");
    assert_eq!(page.text.matches("<h1").count(), 1, "{path} has one h1");
    assert!(!page.text.contains("<script"), "{path} needs no JavaScript");
    for tag in page
        .text
        .split("<input ")
        .skip(1)
        .chain(page.text.split("<select ").skip(1))
    {
        if tag.starts_with(r#"type="hidden""#) {
            continue;
        }
        let id = tag
            .split(r#"id=""#)
            .nth(1)
            .and_then(|s| s.split('"').next())
            .unwrap_or_else(|| {
                panic!(
                    "{path}: a field without an id: {}",
                    &tag[..60.min(tag.len())]
                )
            });
        assert!(
            page.text.contains(&format!(r#"<label for="{id}">"#)),
            "{path}: #{id} has no label"
        );
    }
}

pub async fn signed_in(app: &TestApp, email: &str) -> Browser {
    let browser = Browser::new();
    browser.get(app, "/sign-in").await;
    let reply = browser
        .post_form(
            app,
            "/sign-in",
            &[("email", email), ("password", PASSWORD), ("next", "/home")],
        )
        .await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.text);
    browser
}

/// A page that answers 200 and passes the basic accessibility checks.
pub async fn page(browser: &Browser, app: &TestApp, path: &str) -> Reply {
    let reply = browser.get(app, path).await;
    assert_eq!(reply.status, StatusCode::OK, "{path}: {}", reply.text);
    assert_accessible(&reply, path);
    reply
}

/// The id in a path such as `/plans/12?done=created` after its prefix.
pub fn id_after(location: &str, prefix: &str) -> i64 {
    location
        .strip_prefix(prefix)
        .and_then(|rest| rest.split(['?', '/']).next())
        .and_then(|id| id.parse().ok())
        .unwrap_or_else(|| panic!("{location} does not start with {prefix}"))
}

impl TestApp {
    /// A plan for the holder with these portions and one outcome, written by
    /// the holder and approved by the commissioner; answers the approved plan.
    pub async fn approved_plan(
        &self,
        holder: (i64, &str),
        officer: &str,
        portions: Value,
    ) -> Value {
        let pence: i64 = portions
            .as_array()
            .expect("a list of portions")
            .iter()
            .map(|p| {
                let (pounds, pence) = p["amount"].as_str().unwrap().split_once('.').unwrap();
                pounds.parse::<i64>().unwrap() * 100 + pence.parse::<i64>().unwrap()
            })
            .sum();
        let today = chrono::Utc::now().date_naive();
        let plan = self
            .post(
                "/api/v1/plans",
                Some(officer),
                json!({"holder_id": holder.0,
                       "period_start": (today - chrono::Duration::days(30)).to_string(),
                       "period_end": (today + chrono::Duration::days(300)).to_string(),
                       "budget": format!("{}.{:02}", pence / 100, pence % 100),
                       "portions": portions}),
            )
            .await;
        assert_eq!(plan.status, StatusCode::CREATED, "{}", plan.text);
        let path = format!("/api/v1/plans/{}", plan.json()["id"]);
        let written = self
            .send(
                Method::PATCH,
                &path,
                Some(holder.1),
                Some(
                    json!({"outcomes": [{"title": "Go to the mosque on Fridays with my sister",
                                           "domain": "community_life"}]}),
                ),
            )
            .await;
        assert_eq!(written.status, StatusCode::OK, "{}", written.text);
        self.post(&format!("{path}/submit"), Some(holder.1), json!({}))
            .await;
        let approved = self
            .post(&format!("{path}/approve"), Some(officer), json!({}))
            .await;
        assert_eq!(approved.status, StatusCode::OK, "{}", approved.text);
        approved.json()
    }
}
