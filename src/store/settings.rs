//! Small operator facts kept in the database, such as whether the demo was seeded.

use diesel::prelude::*;

use super::schema::settings;
use super::{DbConnection, StoreError};

pub fn get(conn: &mut DbConnection, key: &str) -> Result<Option<String>, StoreError> {
    Ok(settings::table
        .find(key)
        .select(settings::value)
        .first(conn)
        .optional()?)
}

pub fn set(conn: &mut DbConnection, key: &str, value: &str) -> Result<(), StoreError> {
    conn.transaction(|conn| {
        diesel::delete(settings::table.find(key)).execute(conn)?;
        diesel::insert_into(settings::table)
            .values((settings::key.eq(key), settings::value.eq(value)))
            .execute(conn)?;
        Ok(())
    })
}
