//! The numbers that name things across the layers: a plan, a portion of its
//! budget, a commission, an account (a holder, a seller, a broker, a
//! commissioner: every person is an account) and a listing.
//!
//! Each is its own type, so a plan's number cannot be passed where a
//! commission's is wanted, and functions that take several ids cannot be
//! given them in the wrong order. On the wire each is the plain integer it
//! always was (serde transparent), with a named schema in the OpenAPI
//! document; in the database it is a `BIGINT` column, read and written by
//! `store::codes`.

use std::fmt;
use std::str::FromStr;

macro_rules! ids {
    ($($(#[$doc:meta])* $name:ident: $what:literal;)+) => {$(
        $(#[$doc])*
        #[derive(
            Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord,
            serde::Serialize, serde::Deserialize, diesel::AsExpression, diesel::FromSqlRow,
        )]
        #[serde(transparent)]
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        pub struct $name(pub i64);

        impl $name {
            /// The bare number, for what only counts or formats it.
            pub const fn get(self) -> i64 {
                self.0
            }
        }

        /// Printed as the bare number, as `i64` was: idempotency fingerprints
        /// of the pages are built from `Debug` and must not change.
        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                fmt::Debug::fmt(&self.0, f)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }

        impl FromStr for $name {
            type Err = std::num::ParseIntError;
            fn from_str(text: &str) -> Result<Self, Self::Err> {
                text.parse().map($name)
            }
        }

        impl From<$name> for i64 {
            fn from(id: $name) -> i64 {
                id.0
            }
        }

        impl utoipa::PartialSchema for $name {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                utoipa::openapi::ObjectBuilder::new()
                    .schema_type(utoipa::openapi::schema::Type::Integer)
                    .format(Some(utoipa::openapi::SchemaFormat::KnownFormat(
                        utoipa::openapi::KnownFormat::Int64,
                    )))
                    .description(Some($what))
                    .into()
            }
        }

        impl utoipa::ToSchema for $name {
            fn name() -> std::borrow::Cow<'static, str> {
                stringify!($name).into()
            }
        }
    )+};
}

ids! {
    /// A support plan.
    PlanId: "A plan's number";
    /// One portion of a plan's budget (one way of holding it).
    PortionId: "A budget portion's number";
    /// A commission: support bought from a listing under a plan.
    CommissionId: "A commission's number";
    /// Any person's account: a holder, a representative, a seller, a broker
    /// or a council officer.
    AccountId: "An account's number";
    /// A seller's listing.
    ListingId: "A listing's number";
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_id_is_its_number_on_the_wire_and_in_text() {
        let id = PlanId(42);
        assert_eq!(serde_json::to_string(&id).unwrap(), "42");
        assert_eq!(serde_json::from_str::<PlanId>("42").unwrap(), id);
        assert_eq!(id.to_string(), "42");
        assert_eq!("42".parse::<PlanId>().unwrap(), id);
        assert!("4x".parse::<PlanId>().is_err());
        assert_eq!(i64::from(id), 42);
        // Page fingerprints (idempotency keys) are built from Debug output.
        assert_eq!(format!("{:?}", Some(ListingId(5))), "Some(5)");
    }
}
