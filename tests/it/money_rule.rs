//! The money rule (src/store/locks.rs, docs/architecture.md "Money and
//! races") checked where it could be forgotten: a new function that writes
//! money without the plan's lock fails here, and the lock refuses to be taken
//! outside a transaction or used for another plan.

use crate::common;
use bespoke::domain::ids::{PlanId, PortionId};

use std::path::Path;

use bespoke::domain::ledger::EntryKind;
use bespoke::domain::money::Money;
use bespoke::store::ledger::{self, EntryRef, PostError};
use bespoke::store::locks;
use bespoke::store::{write_transaction, StoreError};
use serde_json::json;

/// The tables that hold money or a money status.
const MONEY_TABLES: &[&str] = &[
    "ledger_entries",
    "plan_portions",
    "commissions",
    "deliveries",
    "planned_support",
    "plan_outcomes",
    "plans",
];

/// Writers allowed without a `PlanLock`, and why.
const WITHOUT_LOCK: &[(&str, &str)] = &[
    // Creates the plan row; its creator takes the new plan's lock at once.
    ("src/store/plans.rs", "insert"),
    // Records that a plan was looked at or edited (`updated_at` only).
    ("src/store/plans.rs", "touch"),
    // Writes a synthetic market before any server runs on it.
    ("src/store/bulk.rs", "*"),
];

fn rust_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// Each function in a file: (name, text), split at `fn ` items.
fn functions(text: &str) -> Vec<(String, String)> {
    let mut found = Vec::new();
    let starts: Vec<usize> = text
        .match_indices("fn ")
        .map(|(i, _)| i)
        .filter(|&i| i == 0 || text[..i].ends_with(' ') || text[..i].ends_with('\n'))
        .collect();
    for (n, &start) in starts.iter().enumerate() {
        let end = starts.get(n + 1).copied().unwrap_or(text.len());
        let name: String = text[start + 3..]
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect();
        found.push((name, text[start..end].to_owned()));
    }
    found
}

fn writes_money(body: &str) -> Option<&'static str> {
    let squeezed: String = body.chars().filter(|c| !c.is_whitespace()).collect();
    MONEY_TABLES.iter().copied().find(|table| {
        ["insert_into(", "update(", "delete("]
            .iter()
            .any(|verb| squeezed.contains(&format!("{verb}{table}::table")))
    })
}

#[test]
fn every_function_that_writes_money_takes_the_plan_lock() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    rust_files(&root.join("src"), &mut files);
    let mut unlocked = Vec::new();
    let mut checked = 0;
    for file in files {
        let relative = file.strip_prefix(root).unwrap().display().to_string();
        let text = std::fs::read_to_string(&file).unwrap();
        for (name, body) in functions(&text) {
            let Some(table) = writes_money(&body) else {
                continue;
            };
            checked += 1;
            let allowed = WITHOUT_LOCK
                .iter()
                .any(|(f, n)| *f == relative && (*n == "*" || *n == name));
            if !allowed && !body.contains("PlanLock") {
                unlocked.push(format!("{relative}: fn {name} writes {table}"));
            }
        }
    }
    assert!(checked >= 10, "the scan found only {checked} money writers");
    assert!(
        unlocked.is_empty(),
        "these write money without taking a PlanLock (see src/store/locks.rs):\n{}",
        unlocked.join("\n")
    );
}

#[actix_web::test]
async fn the_lock_is_refused_outside_a_transaction_and_for_another_plan() {
    let app = common::TestApp::spawn().await;
    let (_, officer) = app.commissioner("officer@council.example").await;
    let mut plans = Vec::new();
    for holder in ["amina@example.org", "bilal@example.org"] {
        let (id, token) = app.account(holder, "budget_holder").await;
        let plan = app
            .approved_plan(
                (id, &token),
                &officer,
                json!([{"mode": "direct_payment", "amount": "100.00"}]),
            )
            .await;
        plans.push((
            PlanId(plan["id"].as_i64().unwrap()),
            PortionId(plan["portions"][0]["id"].as_i64().unwrap()),
        ));
    }
    let mut conn = app.db();
    assert!(matches!(
        locks::lock_plan(&mut conn, plans[0].0),
        Err(StoreError::Unlocked(_))
    ));
    let posted = write_transaction(&mut conn, |conn| {
        let lock = locks::lock_plan(conn, plans[0].0)?.expect("the plan");
        let other = EntryRef {
            plan_id: plans[1].0,
            portion_id: plans[1].1,
            commission_id: None,
            actor_id: None,
        };
        let now = chrono::Utc::now().naive_utc();
        ledger::post(
            conn,
            &lock,
            other,
            EntryKind::Adjust,
            Money::from_pence(1),
            "",
            now,
        )
    });
    assert!(
        matches!(posted, Err(PostError::Store(StoreError::Unlocked(_)))),
        "{posted:?}"
    );
    app.verify_ledger();
}
