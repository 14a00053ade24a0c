//! The demo marketplace seeded on first start, so that `cargo run` shows a
//! working Bespoke. Each part is seeded once, remembered in `settings`.

use chrono::{DateTime, Utc};

use crate::domain::accounts::{hash_password, Role};
use crate::domain::places::Places;
use crate::error::AppError;
use crate::store::accounts::{self as store, NewAccount};
use crate::store::{settings, DbConnection};

/// Every demo account shares this password, printed at start-up. Demo data
/// is for looking around: it runs only on the embedded database at a loopback
/// address, and when the demo is turned off these accounts can no longer sign in.
pub const DEMO_PASSWORD: &str = "demo-bespoke-2026";
pub const DEMO_COUNCIL: &str = "E08000003";

pub struct DemoAccount {
    pub email: &'static str,
    pub name: &'static str,
    pub role: Role,
    pub postcode: Option<&'static str>,
}

const fn demo(
    email: &'static str,
    name: &'static str,
    role: Role,
    postcode: Option<&'static str>,
) -> DemoAccount {
    DemoAccount {
        email,
        name,
        role,
        postcode,
    }
}

/// The first account of each role is the one the start page signs in as.
pub const DEMO_ACCOUNTS: &[DemoAccount] = &[
    demo(
        "amina.khan@example.org",
        "Amina Khan",
        Role::BudgetHolder,
        Some("M14 5AB"),
    ),
    demo(
        "george.whitfield@example.org",
        "George Whitfield",
        Role::BudgetHolder,
        Some("M20 2RN"),
    ),
    demo(
        "grace.okafor@example.org",
        "Grace Okafor",
        Role::BudgetHolder,
        Some("M8 0AE"),
    ),
    demo(
        "daniel.byrne@example.org",
        "Daniel Byrne",
        Role::BudgetHolder,
        Some("M22 5RX"),
    ),
    demo(
        "li.wei@example.org",
        "Li Wei",
        Role::BudgetHolder,
        Some("M13 9PL"),
    ),
    demo(
        "bookings@mossside-homecare.example.org",
        "Moss Side Home Care",
        Role::Provider,
        Some("M16 7AB"),
    ),
    demo(
        "hello@rusholme-days.example.org",
        "Rusholme Day Opportunities",
        Role::Provider,
        Some("M14 4PR"),
    ),
    demo(
        "team@northernlights-living.example.org",
        "Northern Lights Supported Living",
        Role::Provider,
        Some("M4 1HN"),
    ),
    demo(
        "care@didsbury-nursing.example.org",
        "Didsbury Nursing Home",
        Role::Provider,
        Some("M20 6RT"),
    ),
    demo(
        "fatima.begum@example.org",
        "Fatima Begum",
        Role::PersonalAssistant,
        Some("M14 7HR"),
    ),
    demo(
        "tom.hughes@example.org",
        "Tom Hughes",
        Role::PersonalAssistant,
        Some("M21 9JE"),
    ),
    demo(
        "joy.mensah@example.org",
        "Joy Mensah",
        Role::PersonalAssistant,
        Some("M9 4FS"),
    ),
    demo(
        "sarah.price@example.org",
        "Sarah Price Independent Brokerage",
        Role::Broker,
        Some("M15 5RN"),
    ),
    demo(
        "advice@horizon-brokerage.example.org",
        "Horizon Brokerage",
        Role::Broker,
        Some("M16 0JN"),
    ),
    demo(
        "priya.shah@example.org",
        "Priya Shah (Manchester City Council)",
        Role::Commissioner,
        None,
    ),
    demo(
        "operator@bespoke.example.org",
        "Bespoke operator",
        Role::Admin,
        None,
    ),
];

pub fn first_demo_account(role: Role) -> Option<&'static DemoAccount> {
    DEMO_ACCOUNTS.iter().find(|a| a.role == role)
}

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
