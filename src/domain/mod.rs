//! The domain: pure rules with no I/O, unit-tested without a database.

pub mod accounts;
pub mod money;
pub mod places;
pub mod tokens;
