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
        client -> Text,
    }
}

diesel::table! {
    instances (id) {
        id -> Text,
        host -> Text,
        bind -> Text,
        search -> Text,
        secret_fingerprint -> Text,
        started_at -> Timestamp,
        last_seen -> Timestamp,
    }
}

diesel::table! {
    leases (name) {
        name -> Text,
        holder -> Text,
        expires_at -> Timestamp,
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
diesel::table! {
    plans (id) {
        id -> BigInt,
        holder_id -> BigInt,
        council_code -> Text,
        status -> Text,
        period_start -> Date,
        period_end -> Date,
        revision -> Integer,
        created_by -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    plan_portions (id) {
        id -> BigInt,
        plan_id -> BigInt,
        position -> Integer,
        mode -> Text,
        funding_stream -> Text,
        provider_id -> Nullable<BigInt>,
        budget_pence -> BigInt,
        committed_pence -> BigInt,
        spent_pence -> BigInt,
    }
}

diesel::table! {
    plan_outcomes (id) {
        id -> BigInt,
        plan_id -> BigInt,
        position -> Integer,
        title -> Text,
        domain -> Text,
    }
}

diesel::table! {
    planned_support (id) {
        id -> BigInt,
        plan_id -> BigInt,
        position -> Integer,
        category -> Text,
        quantity_centi -> Nullable<BigInt>,
        per -> Text,
        amount_pence -> Nullable<BigInt>,
        outcome_id -> Nullable<BigInt>,
        portion_id -> Nullable<BigInt>,
    }
}

diesel::table! {
    plan_representatives (plan_id, account_id) {
        plan_id -> BigInt,
        account_id -> BigInt,
        nominated_by -> BigInt,
        nominated_at -> Timestamp,
    }
}

diesel::table! {
    plan_brokers (plan_id, broker_id) {
        plan_id -> BigInt,
        broker_id -> BigInt,
        granted_at -> Timestamp,
    }
}

diesel::table! {
    plan_events (id) {
        id -> BigInt,
        plan_id -> BigInt,
        at -> Timestamp,
        actor_id -> BigInt,
        acting_as -> Text,
        action -> Text,
        detail -> Text,
    }
}

diesel::table! {
    commissions (id) {
        id -> BigInt,
        plan_id -> BigInt,
        portion_id -> BigInt,
        listing_id -> BigInt,
        seller_id -> BigInt,
        requested_by -> BigInt,
        acting_as -> Text,
        status -> Text,
        listing_title -> Text,
        category -> Text,
        unit -> Text,
        band -> Nullable<Text>,
        quantity_centi -> BigInt,
        per -> Text,
        visits_per_week_centi -> Nullable<BigInt>,
        start_date -> Date,
        end_date -> Date,
        outcome_id -> Nullable<BigInt>,
        unit_price_pence -> BigInt,
        weekly_pence -> BigInt,
        fees_pence -> BigInt,
        total_pence -> BigInt,
        cost -> Text,
        alternatives -> Text,
        note -> Text,
        reason -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        offer_id -> Nullable<BigInt>,
        broker_affiliation -> Nullable<Text>,
    }
}

diesel::table! {
    deliveries (id) {
        id -> BigInt,
        commission_id -> BigInt,
        period_start -> Date,
        period_end -> Date,
        quantity_centi -> BigInt,
        amount_pence -> BigInt,
        recorded_by -> BigInt,
        recorded_at -> Timestamp,
    }
}

diesel::table! {
    ledger_entries (id) {
        id -> BigInt,
        plan_id -> BigInt,
        portion_id -> BigInt,
        commission_id -> Nullable<BigInt>,
        kind -> Text,
        amount_pence -> BigInt,
        at -> Timestamp,
        actor_id -> Nullable<BigInt>,
        note -> Text,
    }
}

diesel::table! {
    idempotency_keys (account_id, key) {
        account_id -> BigInt,
        key -> Text,
        request -> Text,
        status -> Integer,
        body -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    mail_outbox (id) {
        id -> BigInt,
        kind -> Text,
        to_account_id -> Nullable<BigInt>,
        to_address -> Text,
        subject -> Text,
        text_body -> Text,
        html_body -> Text,
        created_at -> Timestamp,
        attempts -> Integer,
        next_attempt_at -> Timestamp,
        last_error -> Nullable<Text>,
        sent_at -> Nullable<Timestamp>,
        sent_via -> Nullable<Text>,
    }
}

diesel::joinable!(listing_rates -> listings (listing_id));
diesel::joinable!(listing_fees -> listings (listing_id));
diesel::joinable!(listing_price_changes -> listings (listing_id));

diesel::table! {
    council_allocations (council_code) {
        council_code -> Text,
        allocation -> Text,
        updated_by -> BigInt,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    self_assessments (holder_id) {
        holder_id -> BigInt,
        council_code -> Text,
        answers -> Text,
        points -> Integer,
        indicative_pence -> BigInt,
        updated_by -> BigInt,
        acting_as -> Text,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    outcome_ratings (id) {
        id -> BigInt,
        plan_id -> BigInt,
        stage -> Text,
        domain -> Text,
        rating -> Integer,
        rated_by -> BigInt,
        acting_as -> Text,
        rated_at -> Timestamp,
    }
}

diesel::table! {
    support_requests (id) {
        id -> BigInt,
        plan_id -> BigInt,
        council_code -> Text,
        requested_by -> BigInt,
        acting_as -> Text,
        status -> Text,
        category -> Text,
        unit -> Text,
        quantity_centi -> BigInt,
        per -> Text,
        start_date -> Date,
        end_date -> Date,
        outcome_id -> Nullable<BigInt>,
        outcome_domain -> Nullable<Text>,
        availability -> Text,
        languages -> Text,
        max_price_pence -> Nullable<BigInt>,
        details -> Text,
        expires_on -> Date,
        first_offer_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    support_request_areas (request_id, district) {
        request_id -> BigInt,
        district -> Text,
    }
}

diesel::table! {
    offers (id) {
        id -> BigInt,
        request_id -> BigInt,
        seller_id -> BigInt,
        listing_id -> BigInt,
        status -> Text,
        unit -> Text,
        price_pence -> BigInt,
        rates -> Text,
        fees -> Text,
        visits_per_week_centi -> Nullable<BigInt>,
        start_date -> Date,
        schedule -> Text,
        message -> Text,
        valid_until -> Nullable<Date>,
        weekly_pence -> BigInt,
        total_pence -> BigInt,
        cost -> Text,
        commission_id -> Nullable<BigInt>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    request_alerts (account_id) {
        account_id -> BigInt,
        frequency -> Text,
        digest_until -> Nullable<Timestamp>,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    council_reference_rates (council_code, category, unit) {
        council_code -> Text,
        category -> Text,
        unit -> Text,
        amount_pence -> BigInt,
        updated_by -> BigInt,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    broker_affiliations (broker_id, provider_id) {
        broker_id -> BigInt,
        provider_id -> BigInt,
        nature -> Text,
        declared_at -> Timestamp,
    }
}

diesel::joinable!(support_request_areas -> support_requests (request_id));
diesel::joinable!(offers -> support_requests (request_id));

diesel::table! {
    risk_flags (id) {
        id -> BigInt,
        council_code -> Text,
        signal_key -> Text,
        kind -> Text,
        subject_id -> BigInt,
        explanation -> Text,
        first_seen_at -> Timestamp,
        last_seen_at -> Timestamp,
        reviewed_by -> Nullable<BigInt>,
        reviewed_at -> Nullable<Timestamp>,
        review_note -> Nullable<Text>,
    }
}
diesel::table! {
    family_agreements (holder_id, seller_id) {
        council_code -> Text,
        holder_id -> BigInt,
        seller_id -> BigInt,
        recorded_by -> BigInt,
        recorded_at -> Timestamp,
        note -> Text,
    }
}
diesel::allow_tables_to_appear_in_same_query!(
    councils,
    accounts,
    sessions,
    sign_in_failures,
    settings,
    instances,
    leases,
    seller_profiles,
    listings,
    listing_areas,
    listing_rates,
    listing_fees,
    listing_price_changes,
    search_outbox,
    search_events,
    plans,
    plan_portions,
    plan_outcomes,
    planned_support,
    plan_representatives,
    plan_brokers,
    plan_events,
    commissions,
    deliveries,
    ledger_entries,
    council_allocations,
    self_assessments,
    outcome_ratings,
    idempotency_keys,
    mail_outbox,
    support_requests,
    support_request_areas,
    offers,
    request_alerts,
    council_reference_rates,
    broker_affiliations,
    risk_flags,
    family_agreements,
);

// Columns of joined tables that reports group by together.
diesel::allow_columns_to_appear_in_same_group_by_clause!(
    listings::category,
    listing_areas::district,
    commissions::category,
    commissions::status,
    commissions::seller_id,
    accounts::district,
    plans::holder_id,
);
