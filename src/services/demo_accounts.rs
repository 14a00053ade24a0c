//! The demo's people: one council and an account for each role, all with
//! one password. Kept apart from the seeding (`demo`) so that signing in and
//! the demo's listings can name them without depending on each other.

use crate::domain::accounts::Role;

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
