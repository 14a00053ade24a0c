//! Seller profiles: what providers, personal assistants and brokers say about themselves.

use crate::domain::ids::AccountId;
use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::codes::Json;
use super::schema::seller_profiles;
use super::{DbConnection, StoreError};
use crate::domain::vocab::{Employment, SellerKind};

#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = seller_profiles)]
#[diesel(treat_none_as_null = true)]
pub struct SellerProfileRow {
    pub account_id: AccountId,
    pub kind: SellerKind,
    pub description: String,
    pub address: Option<String>,
    pub postcode: Option<String>,
    pub district: Option<String>,
    pub phone: Option<String>,
    pub contact_email: Option<String>,
    pub website: Option<String>,
    pub cqc_provider_id: Option<String>,
    pub holds_isf: bool,
    pub skills: Json<Vec<String>>,
    pub qualifications: Json<Vec<String>>,
    pub languages: Json<Vec<String>>,
    pub dbs_checked_on: Option<NaiveDate>,
    pub employment: Option<Employment>,
    pub broker_type: Option<String>,
    pub accreditation: Option<String>,
    pub fee_model: Option<String>,
    pub updated_at: NaiveDateTime,
}

pub fn find(
    conn: &mut DbConnection,
    account_id: AccountId,
) -> Result<Option<SellerProfileRow>, StoreError> {
    Ok(seller_profiles::table
        .find(account_id)
        .select(SellerProfileRow::as_select())
        .first(conn)
        .optional()?)
}

pub fn find_by_cqc_provider(
    conn: &mut DbConnection,
    provider_id: &str,
) -> Result<Option<SellerProfileRow>, StoreError> {
    Ok(seller_profiles::table
        .filter(seller_profiles::cqc_provider_id.eq(provider_id))
        .select(SellerProfileRow::as_select())
        .first(conn)
        .optional()?)
}

/// Creates the profile or replaces it.
pub fn save(conn: &mut DbConnection, profile: &SellerProfileRow) -> Result<(), StoreError> {
    let updated = diesel::update(seller_profiles::table.find(profile.account_id))
        .set(profile)
        .execute(conn)?;
    if updated == 0 {
        diesel::insert_into(seller_profiles::table)
            .values(profile)
            .execute(conn)?;
    }
    Ok(())
}
