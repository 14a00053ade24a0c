-- What a seller says about themselves. One row per seller account; the
-- columns that apply depend on the kind of seller.
CREATE TABLE seller_profiles (
    account_id BIGINT PRIMARY KEY NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    kind TEXT NOT NULL CHECK (kind IN ('provider', 'personal_assistant', 'broker')),
    description TEXT NOT NULL DEFAULT '',
    address TEXT,
    postcode TEXT,
    district TEXT,
    phone TEXT,
    contact_email TEXT,
    website TEXT,
    -- providers
    cqc_provider_id TEXT UNIQUE,
    holds_isf BOOLEAN NOT NULL DEFAULT FALSE,
    -- personal assistants (lists are JSON arrays of strings)
    skills TEXT NOT NULL DEFAULT '[]',
    qualifications TEXT NOT NULL DEFAULT '[]',
    languages TEXT NOT NULL DEFAULT '[]',
    dbs_checked_on DATE,
    employment TEXT,
    -- brokers
    broker_type TEXT,
    accreditation TEXT,
    fee_model TEXT,
    updated_at TIMESTAMP NOT NULL
);

CREATE TABLE listings (
    id INTEGER PRIMARY KEY NOT NULL,
    owner_id BIGINT NOT NULL REFERENCES accounts (id),
    title TEXT NOT NULL,
    description TEXT NOT NULL,
    category TEXT NOT NULL,
    -- A draft imported from the CQC directory may not have a price yet.
    price_pence BIGINT,
    unit TEXT NOT NULL,
    postcode TEXT NOT NULL,
    district TEXT NOT NULL,
    employment TEXT,
    accepting_clients BOOLEAN NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('draft', 'published', 'paused', 'withdrawn')),
    availability TEXT NOT NULL DEFAULT '[]',
    languages TEXT NOT NULL DEFAULT '[]',
    tags TEXT NOT NULL DEFAULT '[]',
    cqc_location_id TEXT UNIQUE,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX listings_owner ON listings (owner_id, status);
CREATE INDEX listings_category ON listings (category, status);

CREATE TABLE listing_areas (
    listing_id BIGINT NOT NULL REFERENCES listings (id) ON DELETE CASCADE,
    district TEXT NOT NULL,
    PRIMARY KEY (listing_id, district)
);
CREATE INDEX listing_areas_district ON listing_areas (district);

CREATE TABLE listing_rates (
    listing_id BIGINT NOT NULL REFERENCES listings (id) ON DELETE CASCADE,
    band TEXT NOT NULL,
    amount_pence BIGINT NOT NULL,
    PRIMARY KEY (listing_id, band)
);

CREATE TABLE listing_fees (
    id INTEGER PRIMARY KEY NOT NULL,
    listing_id BIGINT NOT NULL REFERENCES listings (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    kind TEXT NOT NULL,
    label TEXT NOT NULL,
    amount_pence BIGINT,
    -- hundredths of a basis point: 7.5% is 75000
    percent_units BIGINT,
    per TEXT NOT NULL,
    CHECK ((amount_pence IS NULL) <> (percent_units IS NULL))
);
CREATE INDEX listing_fees_listing ON listing_fees (listing_id, position);

-- Every price as it was from a moment on: the council's fee trends read this.
CREATE TABLE listing_price_changes (
    id INTEGER PRIMARY KEY NOT NULL,
    listing_id BIGINT NOT NULL REFERENCES listings (id) ON DELETE CASCADE,
    changed_at TIMESTAMP NOT NULL,
    price_pence BIGINT,
    unit TEXT NOT NULL,
    rates TEXT NOT NULL,
    fees TEXT NOT NULL
);
CREATE INDEX listing_price_changes_listing ON listing_price_changes (listing_id, changed_at);
