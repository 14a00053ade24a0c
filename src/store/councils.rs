//! Councils, kept in step with the reference data compiled into Bespoke.

use diesel::prelude::*;

use super::schema::councils;
use super::{DbConnection, StoreError};
use crate::domain::places::Council;

/// Inserts councils that are missing and refreshes names and populations.
/// Returns how many rows were added.
pub fn sync<'a>(
    conn: &mut DbConnection,
    reference: impl Iterator<Item = &'a Council>,
) -> Result<usize, StoreError> {
    conn.transaction(|conn| {
        let known: Vec<(String, String, i64)> = councils::table
            .select((councils::code, councils::name, councils::population))
            .load(conn)?;
        let known: std::collections::HashMap<String, (String, i64)> =
            known.into_iter().map(|(c, n, p)| (c, (n, p))).collect();
        let mut added = 0;
        for council in reference {
            match known.get(&council.code) {
                None => {
                    diesel::insert_into(councils::table)
                        .values((
                            councils::code.eq(&council.code),
                            councils::name.eq(&council.name),
                            councils::population.eq(council.population),
                        ))
                        .execute(conn)?;
                    added += 1;
                }
                Some((name, population))
                    if *name != council.name || *population != council.population =>
                {
                    diesel::update(councils::table.find(&council.code))
                        .set((
                            councils::name.eq(&council.name),
                            councils::population.eq(council.population),
                        ))
                        .execute(conn)?;
                }
                Some(_) => {}
            }
        }
        Ok(added)
    })
}

pub fn count(conn: &mut DbConnection) -> Result<i64, StoreError> {
    Ok(councils::table.count().get_result(conn)?)
}
