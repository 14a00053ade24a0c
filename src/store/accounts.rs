//! Accounts, their sessions and the sign-in throttle.

use crate::domain::ids::AccountId;
use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::{accounts, sessions, sign_in_failures};
use super::{DbConnection, StoreError};
use crate::domain::accounts::{Role, SignInHistory};
use crate::on_backend;
use diesel::dsl::{count_star, max, min};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = accounts)]
pub struct AccountRow {
    pub id: AccountId,
    /// None for an organisation imported from the CQC directory and not yet claimed.
    pub email: Option<String>,
    pub name: String,
    pub role: Role,
    pub password_hash: Option<String>,
    pub council_code: Option<String>,
    pub postcode: Option<String>,
    pub district: Option<String>,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = accounts)]
pub struct NewAccount<'a> {
    pub email: Option<&'a str>,
    pub name: &'a str,
    pub role: Role,
    pub password_hash: Option<&'a str>,
    pub council_code: Option<&'a str>,
    pub postcode: Option<&'a str>,
    pub district: Option<&'a str>,
    pub created_at: NaiveDateTime,
}

/// Inserts an account; a taken email is reported as `Ok(None)`.
pub fn insert(conn: &mut DbConnection, new: &NewAccount) -> Result<Option<AccountRow>, StoreError> {
    let inserted: Result<AccountId, _> =
        on_backend!(conn, |c| diesel::insert_into(accounts::table)
            .values(new)
            .returning(accounts::id)
            .get_result(c));
    match inserted {
        Ok(id) => find(conn, id),
        Err(diesel::result::Error::DatabaseError(
            diesel::result::DatabaseErrorKind::UniqueViolation,
            _,
        )) => Ok(None),
        Err(e) => Err(e.into()),
    }
}

pub fn find_by_email(
    conn: &mut DbConnection,
    email: &str,
) -> Result<Option<AccountRow>, StoreError> {
    Ok(accounts::table
        .filter(accounts::email.eq(email))
        .select(AccountRow::as_select())
        .first(conn)
        .optional()?)
}

pub fn find(conn: &mut DbConnection, id: AccountId) -> Result<Option<AccountRow>, StoreError> {
    Ok(accounts::table
        .find(id)
        .select(AccountRow::as_select())
        .first(conn)
        .optional()?)
}

/// Accounts of one role in one council, such as its commissioners.
pub fn of_council(
    conn: &mut DbConnection,
    council: &str,
    role: Role,
) -> Result<Vec<AccountRow>, StoreError> {
    Ok(accounts::table
        .filter(accounts::council_code.eq(council))
        .filter(accounts::role.eq(role))
        .order(accounts::id)
        .select(AccountRow::as_select())
        .load(conn)?)
}

pub fn update_profile(
    conn: &mut DbConnection,
    id: AccountId,
    name: &str,
    postcode: Option<&str>,
    district: Option<&str>,
) -> Result<(), StoreError> {
    diesel::update(accounts::table.find(id))
        .set((
            accounts::name.eq(name),
            accounts::postcode.eq(postcode),
            accounts::district.eq(district),
        ))
        .execute(conn)?;
    Ok(())
}

pub fn insert_session(
    conn: &mut DbConnection,
    session_id: &str,
    account_id: AccountId,
    now: NaiveDateTime,
    expires_at: NaiveDateTime,
) -> Result<(), StoreError> {
    diesel::insert_into(sessions::table)
        .values((
            sessions::id.eq(session_id),
            sessions::account_id.eq(account_id),
            sessions::created_at.eq(now),
            sessions::expires_at.eq(expires_at),
        ))
        .execute(conn)?;
    Ok(())
}

/// The account of a session that is neither revoked nor expired.
pub fn find_session_account(
    conn: &mut DbConnection,
    session_id: &str,
    now: NaiveDateTime,
) -> Result<Option<AccountRow>, StoreError> {
    Ok(sessions::table
        .inner_join(accounts::table)
        .filter(sessions::id.eq(session_id))
        .filter(sessions::revoked_at.is_null())
        .filter(sessions::expires_at.gt(now))
        .select(AccountRow::as_select())
        .first(conn)
        .optional()?)
}

pub fn revoke_session(
    conn: &mut DbConnection,
    session_id: &str,
    now: NaiveDateTime,
) -> Result<(), StoreError> {
    diesel::update(sessions::table.find(session_id))
        .set(sessions::revoked_at.eq(now))
        .execute(conn)?;
    Ok(())
}

/// Records a sign-in attempt for `email` from `client` before its password
/// is checked, so attempts made at the same moment see each other. Returns
/// the attempt's id.
pub fn record_sign_in_attempt(
    conn: &mut DbConnection,
    email: &str,
    client: &str,
    now: NaiveDateTime,
) -> Result<i64, StoreError> {
    Ok(diesel::insert_into(sign_in_failures::table)
        .values((
            sign_in_failures::email.eq(email),
            sign_in_failures::client.eq(client),
            sign_in_failures::failed_at.eq(now),
        ))
        .returning(sign_in_failures::id)
        .get_result(conn)?)
}

/// Forgets one attempt: it succeeded, or it was refused before its password was tried.
pub fn forget_sign_in_attempt(conn: &mut DbConnection, id: i64) -> Result<(), StoreError> {
    diesel::delete(sign_in_failures::table.find(id)).execute(conn)?;
    Ok(())
}

/// The failed attempts made before attempt `before` since `since`, as the
/// throttling rule reads them (ages in seconds at `now`).
pub fn earlier_sign_in_attempts(
    conn: &mut DbConnection,
    email: &str,
    client: &str,
    before: i64,
    since: NaiveDateTime,
    now: NaiveDateTime,
) -> Result<SignInHistory, StoreError> {
    let earlier = || {
        sign_in_failures::table
            .filter(sign_in_failures::id.lt(before))
            .filter(sign_in_failures::failed_at.gt(since))
    };
    let age = |at: Option<NaiveDateTime>| at.map_or(i64::MAX, |at| (now - at).num_seconds());
    let (here, last_here): (i64, Option<NaiveDateTime>) = earlier()
        .filter(sign_in_failures::email.eq(email))
        .filter(sign_in_failures::client.eq(client))
        .select((count_star(), max(sign_in_failures::failed_at)))
        .get_result(conn)?;
    let (from_client, oldest_from_client): (i64, Option<NaiveDateTime>) = earlier()
        .filter(sign_in_failures::client.eq(client))
        .select((count_star(), min(sign_in_failures::failed_at)))
        .get_result(conn)?;
    let (for_email, last_for_email): (i64, Option<NaiveDateTime>) = earlier()
        .filter(sign_in_failures::email.eq(email))
        .select((count_star(), max(sign_in_failures::failed_at)))
        .get_result(conn)?;
    Ok(SignInHistory {
        here,
        since_last_here: age(last_here),
        from_client,
        since_oldest_from_client: age(oldest_from_client),
        for_email,
        since_last_for_email: age(last_for_email),
    })
}

/// Forgets the failed attempts for `email` from `client`: it signed in.
pub fn clear_sign_in_attempts(
    conn: &mut DbConnection,
    email: &str,
    client: &str,
) -> Result<(), StoreError> {
    diesel::delete(
        sign_in_failures::table
            .filter(sign_in_failures::email.eq(email))
            .filter(sign_in_failures::client.eq(client)),
    )
    .execute(conn)?;
    Ok(())
}

/// Attempts older than `before` no longer count: removes them.
pub fn prune_sign_in_attempts(
    conn: &mut DbConnection,
    before: NaiveDateTime,
) -> Result<usize, StoreError> {
    Ok(
        diesel::delete(sign_in_failures::table.filter(sign_in_failures::failed_at.lt(before)))
            .execute(conn)?,
    )
}

/// Takes away the passwords of these accounts, and of every account at
/// `domain`, and ends their sessions: they can no longer sign in. Returns how
/// many accounts had a password.
pub fn retire_sign_ins(
    conn: &mut DbConnection,
    emails: &[&str],
    domain: &str,
    now: NaiveDateTime,
) -> Result<usize, StoreError> {
    let at_domain = format!("%@{domain}");
    let chosen = || {
        accounts::email
            .eq_any(emails.to_vec())
            .or(accounts::email.like(at_domain.clone()))
    };
    let ids = accounts::table.filter(chosen()).select(accounts::id);
    diesel::update(
        sessions::table
            .filter(sessions::account_id.eq_any(ids))
            .filter(sessions::revoked_at.is_null()),
    )
    .set(sessions::revoked_at.eq(now))
    .execute(conn)?;
    Ok(diesel::update(
        accounts::table
            .filter(chosen())
            .filter(accounts::password_hash.is_not_null()),
    )
    .set(accounts::password_hash.eq(None::<String>))
    .execute(conn)?)
}

/// (id, name, role, postcode, created_at) of these accounts.
pub type AccountSummary = (i64, String, Role, Option<String>, NaiveDateTime);

pub fn summaries_of(
    conn: &mut DbConnection,
    ids: &[i64],
) -> Result<Vec<AccountSummary>, StoreError> {
    let mut rows = Vec::new();
    for chunk in ids.chunks(500) {
        rows.extend(
            accounts::table
                .filter(accounts::id.eq_any(chunk))
                .select((
                    accounts::id,
                    accounts::name,
                    accounts::role,
                    accounts::postcode,
                    accounts::created_at,
                ))
                .load::<AccountSummary>(conn)?,
        );
    }
    Ok(rows)
}
