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
        email -> Nullable<Text>,
        name -> Text,
        role -> Text,
        password_hash -> Nullable<Text>,
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

diesel::table! {
    seller_profiles (account_id) {
        account_id -> BigInt,
        kind -> Text,
        description -> Text,
        address -> Nullable<Text>,
        postcode -> Nullable<Text>,
        district -> Nullable<Text>,
        phone -> Nullable<Text>,
        contact_email -> Nullable<Text>,
        website -> Nullable<Text>,
        cqc_provider_id -> Nullable<Text>,
        holds_isf -> Bool,
        skills -> Text,
        qualifications -> Text,
        languages -> Text,
        dbs_checked_on -> Nullable<Date>,
        employment -> Nullable<Text>,
        broker_type -> Nullable<Text>,
        accreditation -> Nullable<Text>,
        fee_model -> Nullable<Text>,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    listings (id) {
        id -> BigInt,
        owner_id -> BigInt,
        title -> Text,
        description -> Text,
        category -> Text,
        price_pence -> Nullable<BigInt>,
        unit -> Text,
        postcode -> Text,
        district -> Text,
        employment -> Nullable<Text>,
        accepting_clients -> Bool,
        status -> Text,
        availability -> Text,
        languages -> Text,
        tags -> Text,
        cqc_location_id -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    listing_areas (listing_id, district) {
        listing_id -> BigInt,
        district -> Text,
    }
}

diesel::table! {
    listing_rates (listing_id, band) {
        listing_id -> BigInt,
        band -> Text,
        amount_pence -> BigInt,
    }
}

diesel::table! {
    listing_fees (id) {
        id -> BigInt,
        listing_id -> BigInt,
        position -> Integer,
        kind -> Text,
        label -> Text,
        amount_pence -> Nullable<BigInt>,
        percent_units -> Nullable<BigInt>,
        per -> Text,
    }
}

diesel::table! {
    listing_price_changes (id) {
        id -> BigInt,
        listing_id -> BigInt,
        changed_at -> Timestamp,
        price_pence -> Nullable<BigInt>,
        unit -> Text,
        rates -> Text,
        fees -> Text,
    }
}

diesel::table! {
    search_outbox (id) {
        id -> BigInt,
        listing_id -> Nullable<BigInt>,
        queued_at -> Timestamp,
        attempts -> Integer,
        next_attempt_at -> Timestamp,
        last_error -> Nullable<Text>,
    }
}

diesel::table! {
    search_events (id) {
        id -> BigInt,
        searched_at -> Timestamp,
        query -> Text,
        filters -> Text,
        category -> Nullable<Text>,
        district -> Nullable<Text>,
        council_code -> Nullable<Text>,
        result_count -> BigInt,
        engine -> Text,
    }
}

diesel::joinable!(accounts -> councils (council_code));
diesel::joinable!(sessions -> accounts (account_id));
diesel::joinable!(seller_profiles -> accounts (account_id));
diesel::joinable!(listings -> accounts (owner_id));
diesel::joinable!(listing_areas -> listings (listing_id));
diesel::joinable!(listing_rates -> listings (listing_id));
diesel::joinable!(listing_fees -> listings (listing_id));
diesel::joinable!(listing_price_changes -> listings (listing_id));

diesel::allow_tables_to_appear_in_same_query!(
    councils,
    accounts,
    sessions,
    sign_in_failures,
    sign_in_lockouts,
    settings,
    seller_profiles,
    listings,
    listing_areas,
    listing_rates,
    listing_fees,
    listing_price_changes,
    search_outbox,
    search_events,
);
