//! One schema for both databases. Written to match `migrations/sqlite` and
//! `migrations/postgres`, using only SQL types that both backends share.

diesel::table! {
    councils (code) {
        code -> Text,
        name -> Text,
        population -> BigInt,
    }
}

diesel::table! {
    accounts (id) {
        id -> BigInt,
        email -> Text,
        name -> Text,
        role -> Text,
        password_hash -> Text,
        council_code -> Nullable<Text>,
        postcode -> Nullable<Text>,
        district -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    sessions (id) {
        id -> Text,
        account_id -> BigInt,
        created_at -> Timestamp,
        expires_at -> Timestamp,
        revoked_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    sign_in_failures (id) {
        id -> BigInt,
        email -> Text,
        failed_at -> Timestamp,
    }
}

diesel::table! {
    sign_in_lockouts (email) {
        email -> Text,
        locked_until -> Timestamp,
    }
}

diesel::table! {
    settings (key) {
        key -> Text,
        value -> Text,
    }
}

diesel::joinable!(accounts -> councils (council_code));
diesel::joinable!(sessions -> accounts (account_id));

diesel::allow_tables_to_appear_in_same_query!(
    councils,
    accounts,
    sessions,
    sign_in_failures,
    sign_in_lockouts,
    settings,
);
