//! Several instances on one database: who is running, and leases on work
//! that one instance at a time may do.

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;

use super::schema::{instances, leases};
use super::{DbConnection, StoreError};
use crate::on_backend;

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = instances)]
pub struct InstanceRow {
    pub id: String,
    pub host: String,
    pub bind: String,
    /// `embedded`, or `meilisearch <url> <index>`.
    pub search: String,
    pub secret_fingerprint: String,
    pub started_at: NaiveDateTime,
    pub last_seen: NaiveDateTime,
}

/// Records this instance as running, replacing an earlier run of the same
/// data directory (whose lock this process now holds, so it has stopped).
pub fn register(conn: &mut DbConnection, row: &InstanceRow) -> Result<(), StoreError> {
    conn.transaction(|conn| {
        diesel::delete(instances::table.find(&row.id)).execute(conn)?;
        // Instances that stopped without saying so (killed) are forgotten after a day.
        let day_ago = row.started_at - Duration::days(1);
        diesel::delete(instances::table.filter(instances::last_seen.lt(day_ago))).execute(conn)?;
        on_backend!(conn, |c| diesel::insert_into(instances::table)
            .values(row)
            .execute(c))?;
        Ok(())
    })
}

pub fn find(conn: &mut DbConnection, id: &str) -> Result<Option<InstanceRow>, StoreError> {
    Ok(instances::table
        .find(id)
        .select(InstanceRow::as_select())
        .first(conn)
        .optional()?)
}

/// The other instances seen since `since`.
pub fn others_seen_since(
    conn: &mut DbConnection,
    me: &str,
    since: NaiveDateTime,
) -> Result<Vec<InstanceRow>, StoreError> {
    Ok(instances::table
        .filter(instances::id.ne(me))
        .filter(instances::last_seen.ge(since))
        .order(instances::started_at)
        .select(InstanceRow::as_select())
        .load(conn)?)
}

pub fn heartbeat(conn: &mut DbConnection, me: &str, now: NaiveDateTime) -> Result<(), StoreError> {
    diesel::update(instances::table.find(me))
        .set(instances::last_seen.eq(now))
        .execute(conn)?;
    Ok(())
}

pub fn deregister(conn: &mut DbConnection, me: &str) -> Result<(), StoreError> {
    diesel::delete(instances::table.find(me)).execute(conn)?;
    Ok(())
}

/// Takes or renews the lease `name` for `holder` until `now + ttl`. True when
/// `holder` has it: it was free, expired, or already theirs. Of two instances
/// asking at once exactly one gets it: the update is conditional, and the
/// first insert of a name wins on its primary key.
pub fn claim_lease(
    conn: &mut DbConnection,
    name: &str,
    holder: &str,
    now: NaiveDateTime,
    ttl: Duration,
) -> Result<bool, StoreError> {
    let until = now + ttl;
    let taken = diesel::update(
        leases::table
            .find(name)
            .filter(leases::holder.eq(holder).or(leases::expires_at.lt(now))),
    )
    .set((leases::holder.eq(holder), leases::expires_at.eq(until)))
    .execute(conn)?;
    if taken == 1 {
        return Ok(true);
    }
    let inserted = on_backend!(conn, |c| diesel::insert_into(leases::table)
        .values((
            leases::name.eq(name),
            leases::holder.eq(holder),
            leases::expires_at.eq(until),
        ))
        .on_conflict_do_nothing()
        .execute(c))?;
    Ok(inserted == 1)
}

/// Gives up every lease a stopping instance holds, so others take them at once.
pub fn release_leases_of(conn: &mut DbConnection, holder: &str) -> Result<(), StoreError> {
    diesel::delete(leases::table.filter(leases::holder.eq(holder))).execute(conn)?;
    Ok(())
}

/// A trivial query: whether the database answers at all.
pub fn ping(conn: &mut DbConnection) -> Result<(), StoreError> {
    use diesel::connection::SimpleConnection;
    Ok(conn.batch_execute("SELECT 1")?)
}
