//! Account rules: roles, email addresses, names and passwords.

use std::fmt;
use std::str::FromStr;

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use serde::{Deserialize, Serialize};

#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    Serialize,
    Deserialize,
    utoipa::ToSchema,
    diesel::AsExpression,
    diesel::FromSqlRow,
)]
#[diesel(sql_type = diesel::sql_types::Text)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    BudgetHolder,
    Provider,
    PersonalAssistant,
    Broker,
    Commissioner,
    Admin,
}

impl Role {
    pub const ALL: [Role; 6] = [
        Role::BudgetHolder,
        Role::Provider,
        Role::PersonalAssistant,
        Role::Broker,
        Role::Commissioner,
        Role::Admin,
    ];

    /// Roles anyone may take by registering; the others are created by the operator.
    pub const SELF_REGISTERED: [Role; 4] = [
        Role::BudgetHolder,
        Role::Provider,
        Role::PersonalAssistant,
        Role::Broker,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::BudgetHolder => "budget_holder",
            Role::Provider => "provider",
            Role::PersonalAssistant => "personal_assistant",
            Role::Broker => "broker",
            Role::Commissioner => "commissioner",
            Role::Admin => "admin",
        }
    }

    /// How the role is named to people.
    pub fn label(self) -> &'static str {
        match self {
            Role::BudgetHolder => "Budget holder",
            Role::Provider => "Provider",
            Role::PersonalAssistant => "Personal assistant",
            Role::Broker => "Support broker",
            Role::Commissioner => "Council commissioner",
            Role::Admin => "Administrator",
        }
    }

    pub fn is_self_registered(self) -> bool {
        Self::SELF_REGISTERED.contains(&self)
    }

    /// Sellers publish offers on the marketplace.
    pub fn is_seller(self) -> bool {
        matches!(
            self,
            Role::Provider | Role::PersonalAssistant | Role::Broker
        )
    }

    /// Roles that belong to one council and must name it.
    pub fn needs_council(self) -> bool {
        matches!(self, Role::BudgetHolder | Role::Commissioner)
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Role {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Role::ALL
            .into_iter()
            .find(|r| r.as_str() == s)
            .ok_or_else(|| format!("must be one of {}", list_of(&Role::ALL)))
    }
}

pub fn list_of(roles: &[Role]) -> String {
    roles
        .iter()
        .map(|r| r.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

/// An email address, trimmed and lower-cased so that one person has one account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email(String);

impl Email {
    pub fn parse(input: &str) -> Result<Self, String> {
        let email = input.trim().to_lowercase();
        if email.is_empty() {
            return Err("enter an email address".into());
        }
        if email.len() > 254 {
            return Err("must be at most 254 characters".into());
        }
        if !email_address::EmailAddress::is_valid(&email) || !email.contains('.') {
            return Err("enter an email address like name@example.org".into());
        }
        Ok(Self(email))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

/// A person's or organisation's display name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DisplayName(String);

impl DisplayName {
    pub const MAX_CHARS: usize = 100;

    pub fn parse(input: &str) -> Result<Self, String> {
        let name = input.split_whitespace().collect::<Vec<_>>().join(" ");
        if name.is_empty() {
            return Err("enter a name".into());
        }
        if name.chars().count() > Self::MAX_CHARS {
            return Err(format!("must be at most {} characters", Self::MAX_CHARS));
        }
        if name.chars().any(char::is_control) {
            return Err("must not contain control characters".into());
        }
        Ok(Self(name))
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

/// Passwords follow NCSC guidance: long, no composition rules, and not one
/// that attackers try first. The upper bound only limits hashing work.
pub const PASSWORD_MIN_CHARS: usize = 12;
pub const PASSWORD_MAX_CHARS: usize = 256;

/// zxcvbn scores guessability from 0 to 4; below 3 the password is among
/// those tried early (common passwords, keyboard walks, repeats, the
/// person's own name or email).
const PASSWORD_MIN_SCORE: u8 = 3;

pub fn check_password(password: &str, personal_words: &[&str]) -> Result<(), String> {
    let chars = password.chars().count();
    if chars < PASSWORD_MIN_CHARS {
        return Err(format!(
            "must be at least {PASSWORD_MIN_CHARS} characters; a few words together make a good one"
        ));
    }
    if chars > PASSWORD_MAX_CHARS {
        return Err(format!("must be at most {PASSWORD_MAX_CHARS} characters"));
    }
    // zxcvbn's work grows quickly with length; the first 64 characters are plenty to judge.
    // Separators hide a name and a year ("amina khan 2024") from the
    // matcher, so the password is judged with them taken out as well.
    let judged: String = password.chars().take(64).collect();
    let joined: String = judged.chars().filter(|c| c.is_alphanumeric()).collect();
    let estimate = [judged, joined]
        .iter()
        .filter(|candidate| !candidate.is_empty())
        .map(|candidate| zxcvbn::zxcvbn(candidate, personal_words))
        .min_by_key(|estimate| u8::from(estimate.score()))
        .expect("the password itself is never empty here");
    if u8::from(estimate.score()) < PASSWORD_MIN_SCORE {
        let reason = estimate
            .feedback()
            .and_then(|f| f.warning())
            .map(|w| format!(" ({})", w.to_string().trim_end_matches('.').to_lowercase()))
            .unwrap_or_default();
        return Err(format!(
            "is too easy to guess{reason}; try three or four random words together"
        ));
    }
    Ok(())
}

/// Hashes a password with Argon2id and a fresh salt.
pub fn hash_password(password: &str) -> String {
    let mut salt_bytes = [0u8; 16];
    rand::RngCore::fill_bytes(&mut rand::rng(), &mut salt_bytes);
    let salt = SaltString::encode_b64(&salt_bytes).expect("16 bytes make a valid salt");
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .expect("Argon2 hashes any password within the length bound")
        .to_string()
}

pub fn verify_password(password: &str, stored_hash: &str) -> bool {
    PasswordHash::new(stored_hash)
        .map(|hash| {
            Argon2::default()
                .verify_password(password.as_bytes(), &hash)
                .is_ok()
        })
        .unwrap_or(false)
}

/// Sign-in throttling. Failed attempts count for an email from one client
/// address, for a client address across emails, and for an email from
/// anywhere, within this window.
pub const SIGN_IN_WINDOW_SECS: i64 = 15 * 60;
/// Failed attempts for one email from one client before any wait.
pub const FREE_SIGN_IN_ATTEMPTS: i64 = 3;
/// The longest wait between attempts for one email from one client.
pub const MAX_SIGN_IN_WAIT_SECS: i64 = 15 * 60;
/// Failed attempts from one client, across emails, within the window.
pub const CLIENT_SIGN_IN_LIMIT: i64 = 50;
/// Failed attempts for one email from anywhere, within the window, after
/// which every attempt waits [`ACCOUNT_SIGN_IN_WAIT_SECS`] after the last:
/// guessing from many addresses is slowed, the person is never locked out.
pub const ACCOUNT_SIGN_IN_LIMIT: i64 = 20;
pub const ACCOUNT_SIGN_IN_WAIT_SECS: i64 = 30;

/// The failed attempts before this one, within the window.
#[derive(Debug, Clone, Copy, Default)]
pub struct SignInHistory {
    /// For this email from this client, and seconds since the last of them.
    pub here: i64,
    pub since_last_here: i64,
    /// From this client for any email, and seconds since the oldest of them.
    pub from_client: i64,
    pub since_oldest_from_client: i64,
    /// For this email from anywhere, and seconds since the last of them.
    pub for_email: i64,
    pub since_last_for_email: i64,
}

/// How many seconds an attempt must still wait, if any. For an email from one
/// client, delays double (1 s, 2 s, 4 s …, at most 15 minutes) after the free
/// attempts; a client over its limit across emails waits until its oldest
/// failure leaves the window; an email guessed at from many places waits
/// half a minute after each failure.
pub fn sign_in_wait_secs(h: SignInHistory) -> Option<i64> {
    let mut wait = 0;
    if h.from_client >= CLIENT_SIGN_IN_LIMIT {
        wait = wait.max(SIGN_IN_WINDOW_SECS - h.since_oldest_from_client);
    }
    if h.for_email >= ACCOUNT_SIGN_IN_LIMIT {
        wait = wait.max(ACCOUNT_SIGN_IN_WAIT_SECS - h.since_last_for_email);
    }
    if h.here >= FREE_SIGN_IN_ATTEMPTS {
        let steps = (h.here - FREE_SIGN_IN_ATTEMPTS).min(20) as u32;
        let delay = 2_i64.pow(steps).min(MAX_SIGN_IN_WAIT_SECS);
        wait = wait.max(delay - h.since_last_here);
    }
    (wait > 0).then_some(wait)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_round_trip_and_only_four_self_register() {
        for role in Role::ALL {
            assert_eq!(role.as_str().parse::<Role>().unwrap(), role);
        }
        assert!(Role::BudgetHolder.is_self_registered());
        assert!(!Role::Commissioner.is_self_registered());
        assert!(!Role::Admin.is_self_registered());
        assert!("wizard".parse::<Role>().is_err());
    }

    #[test]
    fn emails_are_normalised_and_checked() {
        assert_eq!(
            Email::parse("  Amina@Example.ORG ").unwrap().as_str(),
            "amina@example.org"
        );
        assert!(Email::parse("").is_err());
        assert!(Email::parse("no-at-sign").is_err());
        assert!(Email::parse("a@b").is_err());
        assert!(Email::parse(&format!("{}@example.org", "a".repeat(250))).is_err());
    }

    #[test]
    fn names_are_tidied_and_bounded() {
        assert_eq!(
            DisplayName::parse("  Amina   Khan ").unwrap().into_string(),
            "Amina Khan"
        );
        assert!(DisplayName::parse("   ").is_err());
        assert!(DisplayName::parse(&"x".repeat(101)).is_err());
    }

    #[test]
    fn password_policy_refuses_short_and_common_passwords() {
        assert!(check_password("short", &[])
            .unwrap_err()
            .contains("at least 12"));
        assert!(check_password("password1234", &[]).is_err());
        assert!(check_password("qwertyuiopasdf", &[]).is_err());
        assert!(check_password("aaaaaaaaaaaaaaaa", &[]).is_err());
        assert!(check_password("123456789012", &[]).is_err());
        assert!(check_password("aminakhan1234", &["amina", "khan", "aminakhan"]).is_err());
        assert!(check_password("amina khan 2024", &["amina", "khan", "aminakhan"]).is_err());
        assert!(check_password(&"long enough ".repeat(30), &[]).is_err());
        // No composition rules: a few ordinary words pass.
        assert!(check_password("kettle orchard violin", &[]).is_ok());
        assert!(check_password("marmalade-tuesday-lighthouse", &[]).is_ok());
        assert!(check_password("correct horse battery staple", &[]).is_ok());
    }

    #[test]
    fn hashes_verify_only_the_right_password() {
        let hash = hash_password("kettle orchard violin");
        assert!(hash.starts_with("$argon2id$"));
        assert!(verify_password("kettle orchard violin", &hash));
        assert!(!verify_password("kettle orchard viola", &hash));
        assert!(!verify_password("anything", "not a hash"));
        // A fresh salt each time.
        assert_ne!(hash, hash_password("kettle orchard violin"));
    }

    #[test]
    fn sign_in_waits_grow_and_stop_at_a_quarter_of_an_hour() {
        let here = |n: i64, since: i64| SignInHistory {
            here: n,
            since_last_here: since,
            from_client: n,
            for_email: n,
            since_last_for_email: since,
            ..Default::default()
        };
        assert_eq!(sign_in_wait_secs(here(0, 0)), None);
        assert_eq!(sign_in_wait_secs(here(2, 0)), None);
        assert_eq!(sign_in_wait_secs(here(3, 0)), Some(1));
        assert_eq!(sign_in_wait_secs(here(3, 1)), None);
        assert_eq!(sign_in_wait_secs(here(6, 3)), Some(5));
        assert_eq!(sign_in_wait_secs(here(40, 0)), Some(MAX_SIGN_IN_WAIT_SECS));
        // One client guessing across many emails is held until its oldest failure ages out.
        let spray = SignInHistory {
            from_client: CLIENT_SIGN_IN_LIMIT,
            since_oldest_from_client: 600,
            ..Default::default()
        };
        assert_eq!(sign_in_wait_secs(spray), Some(300));
        // One email guessed at from many addresses: half a minute after each failure.
        let many = SignInHistory {
            for_email: ACCOUNT_SIGN_IN_LIMIT,
            since_last_for_email: 10,
            ..Default::default()
        };
        assert_eq!(sign_in_wait_secs(many), Some(20));
    }
}
