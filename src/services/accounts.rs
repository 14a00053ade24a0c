//! Registering, signing in and out, and changing one's own account.
//! Each function is one use case; the API and the pages both call them.

use crate::domain::ids::AccountId;
use std::sync::OnceLock;

use chrono::{DateTime, Duration, Utc};
use serde::Serialize;

use crate::domain::accounts::{self, DisplayName, Email, Role};
use crate::domain::places::Places;
use crate::domain::tokens::{TokenError, TokenKeys};
use crate::error::{AppError, FieldErrors};
pub use crate::services::access::{Account, AccountRef};
use crate::store::accounts::{self as store, AccountRow, NewAccount};
use crate::store::DbConnection;

/// What someone gives to register, as received; every field is checked here.
#[derive(Debug, Clone, Default)]
pub struct Registration {
    pub email: Option<String>,
    pub password: Option<String>,
    pub name: Option<String>,
    pub role: Option<String>,
    pub council: Option<String>,
    pub postcode: Option<String>,
}

/// A checked home postcode: the text to store and its district.
struct Home {
    postcode: String,
    district: String,
    council: Option<String>,
}

fn check_postcode(errors: &mut FieldErrors, places: &Places, input: Option<&str>) -> Option<Home> {
    let input = input.map(str::trim).filter(|s| !s.is_empty())?;
    let place = errors.check("postcode", places.resolve(input))?;
    Some(Home {
        postcode: place
            .postcode
            .clone()
            .unwrap_or_else(|| place.district.code.clone()),
        district: place.district.code.clone(),
        council: place.council.map(|c| c.code.clone()),
    })
}

fn check_council(errors: &mut FieldErrors, places: &Places, input: Option<&str>) -> Option<String> {
    let code = input
        .map(str::trim)
        .filter(|s| !s.is_empty())?
        .to_uppercase();
    if places.council(&code).is_none() {
        errors.add(
            "council",
            "is not a council code Bespoke knows; use the GSS code, like E08000003 for Manchester",
        );
        return None;
    }
    Some(code)
}

fn personal_words(email: &str, name: &str) -> Vec<String> {
    let mut words: Vec<String> = name.split_whitespace().map(str::to_lowercase).collect();
    words.push(words.concat());
    words.push(email.split('@').next().unwrap_or_default().to_lowercase());
    words.retain(|w| !w.is_empty());
    words
}

/// Checks and creates an account. `allowed_roles` is what the caller may create:
/// the four self-registered roles for the public, any role for the operator.
fn create_account(
    conn: &mut DbConnection,
    places: &Places,
    input: Registration,
    allowed_roles: &[Role],
    now: DateTime<Utc>,
) -> Result<Account, AppError> {
    let mut errors = FieldErrors::new();
    let email = errors
        .required("email", input.email.as_deref())
        .and_then(|e| errors.check("email", Email::parse(e)));
    let name = errors
        .required("name", input.name.as_deref())
        .and_then(|n| errors.check("name", DisplayName::parse(n)));
    let role = errors
        .required("role", input.role.as_deref())
        .and_then(|r| {
            errors.check(
                "role",
                r.parse::<Role>()
                    .ok()
                    .filter(|role| allowed_roles.contains(role))
                    .ok_or_else(|| format!("must be one of {}", accounts::list_of(allowed_roles))),
            )
        });
    let password = errors.required("password", input.password.as_deref());
    if let Some(password) = password {
        let words = personal_words(
            input.email.as_deref().unwrap_or_default(),
            input.name.as_deref().unwrap_or_default(),
        );
        let words: Vec<&str> = words.iter().map(String::as_str).collect();
        errors.check("password", accounts::check_password(password, &words));
    }
    let home = check_postcode(&mut errors, places, input.postcode.as_deref());
    let mut council = check_council(&mut errors, places, input.council.as_deref());
    if let Some(role) = role {
        if role.needs_council() && council.is_none() && errors.get("council").is_none() {
            // A budget holder who gave a home postcode belongs to that council.
            council = home.as_ref().and_then(|h| h.council.clone());
            if council.is_none() {
                errors.add(
                    "council",
                    "is required: give the council's code, like E08000003",
                );
            }
        }
    }
    errors.into_result()?;
    let (email, name, role, password) = (
        email.expect("checked"),
        name.expect("checked").into_string(),
        role.expect("checked"),
        password.expect("checked"),
    );

    let password_hash = accounts::hash_password(password);
    let new = NewAccount {
        email: Some(email.as_str()),
        name: &name,
        role,
        password_hash: Some(&password_hash),
        council_code: council.as_deref(),
        postcode: home.as_ref().map(|h| h.postcode.as_str()),
        district: home.as_ref().map(|h| h.district.as_str()),
        created_at: now.naive_utc(),
    };
    match store::insert(conn, &new)? {
        Some(row) => Ok(Account::from(row)),
        None => Err(AppError::conflict(
            "email-taken",
            "An account with this email address already exists. Sign in instead.",
        )),
    }
}

/// Self-registration: budget holders, providers, personal assistants and brokers.
pub fn register(
    conn: &mut DbConnection,
    places: &Places,
    input: Registration,
    now: DateTime<Utc>,
) -> Result<Account, AppError> {
    create_account(conn, places, input, &Role::SELF_REGISTERED, now)
}

/// Accounts only the operator may create (commissioners and administrators), from the command line.
pub fn create_by_operator(
    conn: &mut DbConnection,
    places: &Places,
    input: Registration,
    now: DateTime<Utc>,
) -> Result<Account, AppError> {
    create_account(conn, places, input, &Role::ALL, now)
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SignedIn {
    pub token: String,
    pub expires_at: DateTime<Utc>,
    pub account: Account,
    #[serde(skip)]
    pub session_id: String,
}

/// Compared against when the email is unknown, so that a wrong email takes as
/// long to refuse as a wrong password.
fn decoy_hash() -> &'static str {
    static HASH: OnceLock<String> = OnceLock::new();
    HASH.get_or_init(|| accounts::hash_password("a password nobody has"))
}

/// Registers and signs the new account in at once, as the registration page
/// does: the password was just chosen, so no throttling applies.
pub fn register_and_sign_in(
    conn: &mut DbConnection,
    places: &Places,
    keys: &TokenKeys,
    input: Registration,
    now: DateTime<Utc>,
) -> Result<SignedIn, AppError> {
    let account = register(conn, places, input, now)?;
    let row = store::find(conn, account.id)?.ok_or(AppError::NotFound)?;
    open_session(conn, keys, row, now)
}

/// Signs in with email and password. `client` is the caller's address as
/// the web layer believes it: attempts are throttled per email and client
/// (growing waits) and per client across emails, never locking the account.
pub fn sign_in(
    conn: &mut DbConnection,
    keys: &TokenKeys,
    email: Option<&str>,
    password: Option<&str>,
    client: &str,
    now: DateTime<Utc>,
) -> Result<SignedIn, AppError> {
    let mut errors = FieldErrors::new();
    let email = errors.required("email", email.map(str::trim).filter(|e| !e.is_empty()));
    let password = errors.required("password", password.filter(|p| !p.is_empty()));
    errors.into_result()?;
    let (email, password) = (
        email.expect("checked").to_lowercase(),
        password.expect("checked"),
    );
    let now_naive = now.naive_utc();

    // Recorded before the password is tried, so that attempts made at the
    // same moment count each other; forgotten again if it succeeds.
    let attempt = store::record_sign_in_attempt(conn, &email, client, now_naive)?;
    let window_start = now_naive - Duration::seconds(accounts::SIGN_IN_WINDOW_SECS);
    let history =
        store::earlier_sign_in_attempts(conn, &email, client, attempt, window_start, now_naive)?;
    if let Some(wait) = accounts::sign_in_wait_secs(history) {
        // A refused attempt tried no password: it does not count.
        store::forget_sign_in_attempt(conn, attempt)?;
        return Err(AppError::TooManyAttempts {
            retry_after_secs: wait as u64,
        });
    }
    let row = store::find_by_email(conn, &email)?;
    let password_ok = password.chars().count() <= accounts::PASSWORD_MAX_CHARS
        && match &row {
            Some(row) => row
                .password_hash
                .as_deref()
                .is_some_and(|hash| accounts::verify_password(password, hash)),
            None => {
                accounts::verify_password(password, decoy_hash());
                false
            }
        };
    let Some(row) = row.filter(|_| password_ok) else {
        if attempt % 100 == 0 {
            store::prune_sign_in_attempts(conn, window_start)?;
        }
        return Err(AppError::Unauthenticated(
            "The email address or password is not right.".into(),
        ));
    };
    store::clear_sign_in_attempts(conn, &email, client)?;
    open_session(conn, keys, row, now)
}

fn open_session(
    conn: &mut DbConnection,
    keys: &TokenKeys,
    row: AccountRow,
    now: DateTime<Utc>,
) -> Result<SignedIn, AppError> {
    let session_id = uuid::Uuid::new_v4().to_string();
    let (token, expires_at) = keys.issue(row.id, &session_id, now);
    store::insert_session(
        conn,
        &session_id,
        row.id,
        now.naive_utc(),
        expires_at.naive_utc(),
    )?;
    Ok(SignedIn {
        token,
        expires_at,
        account: Account::from(row),
        session_id,
    })
}

/// The account and session a token belongs to, if the session is still open.
pub fn authenticate(
    conn: &mut DbConnection,
    keys: &TokenKeys,
    token: &str,
    now: DateTime<Utc>,
) -> Result<(Account, String), AppError> {
    let claims = keys.verify(token).map_err(|e| {
        AppError::Unauthenticated(match e {
            TokenError::Expired => "Your session has expired. Sign in again.".into(),
            TokenError::Invalid => "The sign-in token is not valid. Sign in again.".into(),
        })
    })?;
    let row = store::find_session_account(conn, &claims.sid, now.naive_utc())?
        .filter(|row| Some(row.id) == claims.account_id())
        .ok_or_else(|| AppError::Unauthenticated("You have signed out. Sign in again.".into()))?;
    Ok((Account::from(row), claims.sid))
}

pub fn sign_out(
    conn: &mut DbConnection,
    session_id: &str,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    store::revoke_session(conn, session_id, now.naive_utc())?;
    Ok(())
}

/// A change to one's own account. `None` leaves a field as it is;
/// `postcode: Some(None)` or an empty postcode removes it.
#[derive(Debug, Clone, Default)]
pub struct ProfileChange {
    pub name: Option<String>,
    pub postcode: Option<Option<String>>,
}

pub fn update_profile(
    conn: &mut DbConnection,
    places: &Places,
    account: &Account,
    change: ProfileChange,
) -> Result<Account, AppError> {
    let mut errors = FieldErrors::new();
    let name = match change.name.as_deref() {
        Some(name) => errors
            .check("name", DisplayName::parse(name))
            .map(DisplayName::into_string),
        None => Some(account.name.clone()),
    };
    let (postcode, district) = match change.postcode {
        None => (account.postcode.clone(), account.district.clone()),
        Some(new) => match check_postcode(&mut errors, places, new.as_deref()) {
            Some(home) => (Some(home.postcode), Some(home.district)),
            None => (None, None),
        },
    };
    errors.into_result()?;
    let name = name.expect("checked");
    crate::store::write_transaction(conn, |conn| {
        store::update_profile(
            conn,
            account.id,
            &name,
            postcode.as_deref(),
            district.as_deref(),
        )?;
        // Search results show a seller's name: refresh their listings when it changes.
        if name != account.name && account.role.is_seller() {
            super::search::reindex_owner(conn, account.id)?;
        }
        Ok::<_, AppError>(())
    })?;
    let row = store::find(conn, account.id)?.ok_or(AppError::NotFound)?;
    Ok(Account::from(row))
}

/// Signs in as the first demo account of a role without a password: only
/// offered while the demo marketplace is on (the caller checks), and never
/// as an administrator, who always gives a password.
pub fn sign_in_demo(
    conn: &mut DbConnection,
    keys: &TokenKeys,
    role: Role,
    now: DateTime<Utc>,
) -> Result<SignedIn, AppError> {
    if role == Role::Admin {
        return Err(AppError::Forbidden(
            "An administrator signs in with a password, even in the demo.".into(),
        ));
    }
    let demo = super::demo_accounts::first_demo_account(role).ok_or(AppError::NotFound)?;
    let row = store::find_by_email(conn, demo.email)?.ok_or(AppError::NotFound)?;
    open_session(conn, keys, row, now)
}

/// The name of an account, for showing beside what they did.
pub fn name_of(conn: &mut DbConnection, id: AccountId) -> Result<String, AppError> {
    Ok(store::find(conn, id)?
        .map(|a| a.name)
        .unwrap_or_else(|| "Unknown".into()))
}

/// The budget holder with this email address, for a commissioner setting up
/// their plan; `None` when no budget holder has it.
pub fn budget_holder_by_email(
    conn: &mut DbConnection,
    commissioner: &Account,
    email: &str,
) -> Result<Option<Account>, AppError> {
    commissioner.require(&[Role::Commissioner])?;
    Ok(store::find_by_email(conn, &email.trim().to_lowercase())?
        .filter(|row| row.role == Role::BudgetHolder)
        .map(Account::from))
}
