//! The mail outbox: messages waiting to be sent, and those already sent.

use crate::domain::ids::AccountId;
use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::mail_outbox;
use super::{DbConnection, StoreError};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = mail_outbox)]
pub struct MailRow {
    pub id: i64,
    pub kind: String,
    pub to_account_id: Option<AccountId>,
    pub to_address: String,
    pub subject: String,
    pub text_body: String,
    pub html_body: String,
    pub created_at: NaiveDateTime,
    pub attempts: i32,
    pub next_attempt_at: NaiveDateTime,
    pub last_error: Option<String>,
    pub sent_at: Option<NaiveDateTime>,
    pub sent_via: Option<String>,
}

pub struct NewMail<'a> {
    pub kind: &'a str,
    pub to_account_id: Option<AccountId>,
    pub to_address: &'a str,
    pub subject: &'a str,
    pub text_body: &'a str,
    pub html_body: &'a str,
}

pub fn enqueue(
    conn: &mut DbConnection,
    mail: &NewMail,
    now: NaiveDateTime,
) -> Result<(), StoreError> {
    diesel::insert_into(mail_outbox::table)
        .values((
            mail_outbox::kind.eq(mail.kind),
            mail_outbox::to_account_id.eq(mail.to_account_id),
            mail_outbox::to_address.eq(mail.to_address),
            mail_outbox::subject.eq(mail.subject),
            mail_outbox::text_body.eq(mail.text_body),
            mail_outbox::html_body.eq(mail.html_body),
            mail_outbox::created_at.eq(now),
            mail_outbox::next_attempt_at.eq(now),
        ))
        .execute(conn)?;
    Ok(())
}

/// Claims up to `limit` messages that are due, for one instance to send:
/// their next attempt moves to `lease_until`, so no other instance takes them
/// unless this one dies and the lease runs out. On PostgreSQL rows another
/// instance is claiming at this moment are skipped (`FOR UPDATE SKIP
/// LOCKED`); on SQLite the write transaction holds the only write lock.
pub fn claim_due(
    conn: &mut DbConnection,
    now: NaiveDateTime,
    lease_until: NaiveDateTime,
    limit: i64,
) -> Result<Vec<MailRow>, StoreError> {
    // A plain read first: most of the time nothing is due, and then no write lock is taken.
    let any_due = mail_outbox::table
        .filter(mail_outbox::sent_at.is_null())
        .filter(mail_outbox::next_attempt_at.le(now))
        .select(mail_outbox::id)
        .first::<i64>(conn)
        .optional()?;
    if any_due.is_none() {
        return Ok(Vec::new());
    }
    super::write_transaction(conn, |conn| {
        let due = mail_outbox::table
            .filter(mail_outbox::sent_at.is_null())
            .filter(mail_outbox::next_attempt_at.le(now))
            .order(mail_outbox::id)
            .limit(limit);
        let rows: Vec<MailRow> = match conn {
            DbConnection::Pg(c) => due
                .select(MailRow::as_select())
                .for_update()
                .skip_locked()
                .load(c)?,
            DbConnection::Sqlite(c) => due.select(MailRow::as_select()).load(c)?,
        };
        let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
        diesel::update(mail_outbox::table.filter(mail_outbox::id.eq_any(&ids)))
            .set(mail_outbox::next_attempt_at.eq(lease_until))
            .execute(conn)?;
        Ok(rows)
    })
}

pub fn mark_sent(
    conn: &mut DbConnection,
    id: i64,
    via: &str,
    now: NaiveDateTime,
) -> Result<(), StoreError> {
    diesel::update(mail_outbox::table.find(id))
        .set((
            mail_outbox::sent_at.eq(now),
            mail_outbox::sent_via.eq(via),
            mail_outbox::attempts.eq(mail_outbox::attempts + 1),
            mail_outbox::last_error.eq(None::<String>),
        ))
        .execute(conn)?;
    Ok(())
}

/// Records a failed attempt on a message this instance claimed until
/// `lease_until`; if another instance has claimed it since, it is theirs and
/// is left alone.
pub fn retry_later(
    conn: &mut DbConnection,
    id: i64,
    lease_until: NaiveDateTime,
    error: &str,
    next_attempt_at: NaiveDateTime,
) -> Result<(), StoreError> {
    diesel::update(
        mail_outbox::table
            .find(id)
            .filter(mail_outbox::sent_at.is_null())
            .filter(mail_outbox::next_attempt_at.eq(lease_until)),
    )
    .set((
        mail_outbox::attempts.eq(mail_outbox::attempts + 1),
        mail_outbox::last_error.eq(error),
        mail_outbox::next_attempt_at.eq(next_attempt_at),
    ))
    .execute(conn)?;
    Ok(())
}

/// The newest messages first, for the operator's mailbox.
pub fn recent(conn: &mut DbConnection, limit: i64) -> Result<Vec<MailRow>, StoreError> {
    Ok(mail_outbox::table
        .order(mail_outbox::id.desc())
        .limit(limit)
        .select(MailRow::as_select())
        .load(conn)?)
}

pub fn find(conn: &mut DbConnection, id: i64) -> Result<Option<MailRow>, StoreError> {
    Ok(mail_outbox::table
        .find(id)
        .select(MailRow::as_select())
        .first(conn)
        .optional()?)
}
