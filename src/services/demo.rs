//! The demo marketplace seeded on first start, so that `cargo run` shows a
//! working Bespoke. Each part is seeded once, remembered in `settings`.

use chrono::{DateTime, Utc};

use crate::domain::accounts::{hash_password, Role};
use crate::domain::places::Places;
use crate::error::AppError;
use crate::store::accounts::{self as store, NewAccount};
use crate::store::{settings, DbConnection};

pub use super::demo_accounts::{
    first_demo_account, DemoAccount, DEMO_ACCOUNTS, DEMO_COUNCIL, DEMO_PASSWORD,
};

const ACCOUNTS_SEEDED: &str = "demo.accounts";

/// Seeds what has not been seeded yet. Returns true when anything was added.
pub fn seed(
    conn: &mut DbConnection,
    places: &Places,
    now: DateTime<Utc>,
) -> Result<bool, AppError> {
    let accounts_done = settings::get(conn, ACCOUNTS_SEEDED)?.is_some();
    let listings_done = settings::get(conn, super::demo_listings::SEEDED)?.is_some();
    if accounts_done && listings_done {
        return super::demo_plans::seed(conn, now);
    }
    // One hash serves every demo account: they share the demo password.
    let password_hash = hash_password(DEMO_PASSWORD);
    crate::store::write_transaction(conn, |conn| {
        if !accounts_done {
            seed_accounts(conn, places, &password_hash, now)?;
        }
        super::demo_listings::seed(conn, places, &password_hash, now)?;
        Ok::<_, AppError>(())
    })?;
    // Plans go through the plan services, each step its own transaction.
    super::demo_plans::seed(conn, now)?;
    Ok(true)
}

fn seed_accounts(
    conn: &mut DbConnection,
    places: &Places,
    password_hash: &str,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    for account in DEMO_ACCOUNTS {
        let place = account
            .postcode
            .map(|p| places.resolve(p))
            .transpose()
            .map_err(|e| AppError::Internal(format!("demo postcode for {}: {e}", account.email)))?;
        let council = match account.role {
            Role::BudgetHolder | Role::Commissioner => Some(DEMO_COUNCIL),
            _ => None,
        };
        store::insert(
            conn,
            &NewAccount {
                email: Some(account.email),
                name: account.name,
                role: account.role,
                password_hash: Some(password_hash),
                council_code: council,
                postcode: account.postcode,
                district: place.as_ref().map(|p| p.district.code.as_str()),
                created_at: now.naive_utc(),
            },
        )?;
    }
    settings::set(conn, ACCOUNTS_SEEDED, &now.to_rfc3339())?;
    Ok(())
}

/// With the demo off, the demo accounts seeded earlier (with their published
/// password) must not be a way in: their passwords and sessions are taken
/// away. Returns how many could still sign in.
pub fn retire(conn: &mut DbConnection, now: DateTime<Utc>) -> Result<usize, AppError> {
    if settings::get(conn, ACCOUNTS_SEEDED)?.is_none() {
        return Ok(0);
    }
    let emails: Vec<&str> = DEMO_ACCOUNTS.iter().map(|a| a.email).collect();
    Ok(store::retire_sign_ins(
        conn,
        &emails,
        super::demo_listings::GENERATED_EMAIL_DOMAIN,
        now.naive_utc(),
    )?)
}

/// The lines printed at start-up so a newcomer can sign in.
pub fn sign_in_lines() -> Vec<String> {
    let mut lines = vec![format!(
        "Demo sign-ins (every password is {DEMO_PASSWORD}):"
    )];
    for account in DEMO_ACCOUNTS {
        lines.push(format!(
            "  {:<22} {:<40} {}",
            account.role.label(),
            account.email,
            account.name
        ));
    }
    lines
}
