//! Accounts, their sessions and the sign-in throttle.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::{accounts, sessions, sign_in_failures, sign_in_lockouts};
use super::{DbConnection, StoreError};
use crate::on_backend;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = accounts)]
pub struct AccountRow {
    pub id: i64,
    /// None for an organisation imported from the CQC directory and not yet claimed.
    pub email: Option<String>,
    pub name: String,
    pub role: String,
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
    pub role: &'a str,
    pub password_hash: Option<&'a str>,
    pub council_code: Option<&'a str>,
    pub postcode: Option<&'a str>,
    pub district: Option<&'a str>,
    pub created_at: NaiveDateTime,
}

/// Inserts an account; a taken email is reported as `Ok(None)`.
pub fn insert(conn: &mut DbConnection, new: &NewAccount) -> Result<Option<AccountRow>, StoreError> {
    let inserted: Result<i64, _> = on_backend!(conn, |c| diesel::insert_into(accounts::table)
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

pub fn find(conn: &mut DbConnection, id: i64) -> Result<Option<AccountRow>, StoreError> {
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
    role: &str,
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
    id: i64,
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
    account_id: i64,
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

pub fn record_failed_sign_in(
    conn: &mut DbConnection,
    email: &str,
    now: NaiveDateTime,
) -> Result<(), StoreError> {
    diesel::insert_into(sign_in_failures::table)
        .values((
            sign_in_failures::email.eq(email),
            sign_in_failures::failed_at.eq(now),
        ))
        .execute(conn)?;
    Ok(())
}

pub fn count_failed_sign_ins_since(
    conn: &mut DbConnection,
    email: &str,
    since: NaiveDateTime,
) -> Result<i64, StoreError> {
    Ok(sign_in_failures::table
        .filter(sign_in_failures::email.eq(email))
        .filter(sign_in_failures::failed_at.gt(since))
        .count()
        .get_result(conn)?)
}

pub fn clear_failed_sign_ins(conn: &mut DbConnection, email: &str) -> Result<(), StoreError> {
    diesel::delete(sign_in_failures::table.filter(sign_in_failures::email.eq(email)))
        .execute(conn)?;
    Ok(())
}

pub fn lockout_until(
    conn: &mut DbConnection,
    email: &str,
) -> Result<Option<NaiveDateTime>, StoreError> {
    Ok(sign_in_lockouts::table
        .find(email)
        .select(sign_in_lockouts::locked_until)
        .first(conn)
        .optional()?)
}

pub fn lock_out(
    conn: &mut DbConnection,
    email: &str,
    until: NaiveDateTime,
) -> Result<(), StoreError> {
    diesel::delete(sign_in_lockouts::table.find(email)).execute(conn)?;
    diesel::insert_into(sign_in_lockouts::table)
        .values((
            sign_in_lockouts::email.eq(email),
            sign_in_lockouts::locked_until.eq(until),
        ))
        .execute(conn)?;
    Ok(())
}

/// (id, name, role, postcode, created_at) of these accounts.
pub type AccountSummary = (i64, String, String, Option<String>, NaiveDateTime);

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
