//! How typed values are kept in columns: each vocabulary by its code in a
//! text column (`stored_as_code!`), structured values as JSON ([`Json`]), and
//! the ids of `domain::ids` as the `BIGINT` they are (`stored_as_id!`). Rows carry these
//! types, so nothing above the store decodes a column by hand. A code the
//! program does not know fails the query as a deserialisation error, which the
//! API answers as a 500 naming no data.
//!
//! Each type needs `FromSql`/`ToSql` for both backends and for the
//! `MultiBackend` that `DbConnection` derives, which dispatches to them; the
//! macro writes all six once per type.

use std::io::Write;

use diesel::backend::Backend;
use diesel::deserialize::{self, FromSql, FromSqlRow};
use diesel::expression::AsExpression;
use diesel::pg::Pg;
use diesel::serialize::{self, IsNull, Output, ToSql};
use diesel::sql_types::{BigInt, Text};
use diesel::sqlite::Sqlite;
use serde::de::DeserializeOwned;
use serde::Serialize;

use super::MultiBackend;
use crate::domain::accounts::Role;
use crate::domain::ids::*;
use crate::domain::vocab::*;

/// A value kept as a code in a text column.
pub trait Code: Sized + 'static {
    fn code(&self) -> &'static str;
    fn from_code(text: &str) -> Option<Self>;
}

impl<T: Vocabulary + 'static> Code for T {
    fn code(&self) -> &'static str {
        Vocabulary::code(*self)
    }
    fn from_code(text: &str) -> Option<Self> {
        text.parse().ok()
    }
}

impl Code for Role {
    fn code(&self) -> &'static str {
        self.as_str()
    }
    fn from_code(text: &str) -> Option<Self> {
        text.parse().ok()
    }
}

fn decode<T: Code>(text: &str) -> deserialize::Result<T> {
    T::from_code(text).ok_or_else(|| {
        let kind = std::any::type_name::<T>()
            .rsplit("::")
            .next()
            .unwrap_or("code");
        format!("a stored {kind} is not a code this program knows: {text:?}").into()
    })
}

macro_rules! stored_as_code {
    ($($ty:ty),+ $(,)?) => {$(
        impl FromSql<Text, Sqlite> for $ty {
            fn from_sql(value: <Sqlite as Backend>::RawValue<'_>) -> deserialize::Result<Self> {
                decode(&<String as FromSql<Text, Sqlite>>::from_sql(value)?)
            }
        }
        impl FromSql<Text, Pg> for $ty {
            fn from_sql(value: <Pg as Backend>::RawValue<'_>) -> deserialize::Result<Self> {
                decode(&<String as FromSql<Text, Pg>>::from_sql(value)?)
            }
        }
        impl FromSql<Text, MultiBackend> for $ty {
            fn from_sql(value: <MultiBackend as Backend>::RawValue<'_>) -> deserialize::Result<Self> {
                value.from_sql::<Self, Text>()
            }
        }
        impl ToSql<Text, Sqlite> for $ty {
            fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, Sqlite>) -> serialize::Result {
                out.set_value(Code::code(self));
                Ok(IsNull::No)
            }
        }
        impl ToSql<Text, Pg> for $ty {
            fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, Pg>) -> serialize::Result {
                out.write_all(Code::code(self).as_bytes())?;
                Ok(IsNull::No)
            }
        }
        impl ToSql<Text, MultiBackend> for $ty {
            fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, MultiBackend>) -> serialize::Result {
                out.set_value((Text, self));
                Ok(IsNull::No)
            }
        }
    )+};
}

stored_as_code!(
    Role,
    Category,
    Unit,
    Band,
    FeeKind,
    FeePer,
    Employment,
    ListingStatus,
    SellerKind,
    PlanStatus,
    PortionMode,
    FundingStream,
    OutcomeDomain,
    QuantityPer,
    CommissionStatus,
    RequestStatus,
    OfferStatus,
    AffiliationNature,
    AlertFrequency,
    ActingAs,
);

/// An id is its number: each backend reads and writes it as `i64` does.
macro_rules! stored_as_id {
    ($($ty:ident),+ $(,)?) => {$(
        impl FromSql<BigInt, Sqlite> for $ty {
            fn from_sql(value: <Sqlite as Backend>::RawValue<'_>) -> deserialize::Result<Self> {
                <i64 as FromSql<BigInt, Sqlite>>::from_sql(value).map($ty)
            }
        }
        impl FromSql<BigInt, Pg> for $ty {
            fn from_sql(value: <Pg as Backend>::RawValue<'_>) -> deserialize::Result<Self> {
                <i64 as FromSql<BigInt, Pg>>::from_sql(value).map($ty)
            }
        }
        impl FromSql<BigInt, MultiBackend> for $ty {
            fn from_sql(value: <MultiBackend as Backend>::RawValue<'_>) -> deserialize::Result<Self> {
                value.from_sql::<Self, BigInt>()
            }
        }
        impl ToSql<BigInt, Sqlite> for $ty {
            fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, Sqlite>) -> serialize::Result {
                <i64 as ToSql<BigInt, Sqlite>>::to_sql(&self.0, out)
            }
        }
        impl ToSql<BigInt, Pg> for $ty {
            fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, Pg>) -> serialize::Result {
                <i64 as ToSql<BigInt, Pg>>::to_sql(&self.0, out)
            }
        }
        impl ToSql<BigInt, MultiBackend> for $ty {
            fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, MultiBackend>) -> serialize::Result {
                out.set_value((BigInt, self));
                Ok(IsNull::No)
            }
        }
    )+};
}

stored_as_id!(PlanId, PortionId, CommissionId, AccountId, ListingId);

/// A structured value kept as JSON text. Reading a row whose JSON does not
/// fit `T` fails the query, as an unknown code does.
#[derive(Debug, Clone, Default, PartialEq, AsExpression, FromSqlRow)]
#[diesel(sql_type = Text)]
pub struct Json<T>(pub T);

impl<T: DeserializeOwned> Json<T> {
    fn parse(text: &str) -> deserialize::Result<Self> {
        serde_json::from_str(text).map(Json).map_err(|error| {
            let kind = std::any::type_name::<T>();
            format!("a stored {kind} is not the JSON this program reads: {error}").into()
        })
    }
}

impl<T: DeserializeOwned> FromSql<Text, Sqlite> for Json<T> {
    fn from_sql(value: <Sqlite as Backend>::RawValue<'_>) -> deserialize::Result<Self> {
        Self::parse(&<String as FromSql<Text, Sqlite>>::from_sql(value)?)
    }
}

impl<T: DeserializeOwned> FromSql<Text, Pg> for Json<T> {
    fn from_sql(value: <Pg as Backend>::RawValue<'_>) -> deserialize::Result<Self> {
        Self::parse(&<String as FromSql<Text, Pg>>::from_sql(value)?)
    }
}

impl<T: DeserializeOwned> FromSql<Text, MultiBackend> for Json<T> {
    fn from_sql(value: <MultiBackend as Backend>::RawValue<'_>) -> deserialize::Result<Self> {
        value.from_sql::<Self, Text>()
    }
}

impl<T: Serialize + std::fmt::Debug> ToSql<Text, Sqlite> for Json<T> {
    fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, Sqlite>) -> serialize::Result {
        out.set_value(serde_json::to_string(&self.0)?);
        Ok(IsNull::No)
    }
}

impl<T: Serialize + std::fmt::Debug> ToSql<Text, Pg> for Json<T> {
    fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, Pg>) -> serialize::Result {
        serde_json::to_writer(out, &self.0)?;
        Ok(IsNull::No)
    }
}

impl<T: Serialize + std::fmt::Debug + Send + Sync + 'static> ToSql<Text, MultiBackend> for Json<T> {
    fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, MultiBackend>) -> serialize::Result {
        out.set_value((Text, self));
        Ok(IsNull::No)
    }
}

impl<T> std::ops::Deref for Json<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}
