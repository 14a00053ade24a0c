-- Support requests: what a budget holder needs that no listing quite fits,
-- answered by sellers with offers made for them.

CREATE TABLE support_requests (
    id INTEGER PRIMARY KEY NOT NULL,
    plan_id BIGINT NOT NULL REFERENCES plans (id),
    -- Copied from the plan for the council's market reports.
    council_code TEXT NOT NULL REFERENCES councils (code),
    requested_by BIGINT NOT NULL REFERENCES accounts (id),
    acting_as TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('open', 'filled', 'withdrawn', 'expired')),
    category TEXT NOT NULL,
    unit TEXT NOT NULL,
    quantity_centi BIGINT NOT NULL,
    per TEXT NOT NULL,
    start_date DATE NOT NULL,
    end_date DATE NOT NULL,
    outcome_id BIGINT REFERENCES plan_outcomes (id) ON DELETE SET NULL,
    -- Shared with sellers in place of the outcome's own words.
    outcome_domain TEXT,
    availability TEXT NOT NULL DEFAULT '[]',
    languages TEXT NOT NULL DEFAULT '[]',
    max_price_pence BIGINT,
    details TEXT NOT NULL DEFAULT '',
    -- Open requests stop taking offers after this day.
    expires_on DATE NOT NULL,
    first_offer_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    CHECK (end_date >= start_date)
);
CREATE INDEX support_requests_plan ON support_requests (plan_id);
CREATE INDEX support_requests_open ON support_requests (status, category, created_at);
CREATE INDEX support_requests_council ON support_requests (council_code, created_at);

CREATE TABLE support_request_areas (
    request_id BIGINT NOT NULL REFERENCES support_requests (id) ON DELETE CASCADE,
    district TEXT NOT NULL,
    PRIMARY KEY (request_id, district)
);
CREATE INDEX support_request_areas_district ON support_request_areas (district);

-- A seller's answer to a request. Rates and fees are JSON in the API's shape;
-- the cost is worked out when the offer is made or revised.
CREATE TABLE offers (
    id INTEGER PRIMARY KEY NOT NULL,
    request_id BIGINT NOT NULL REFERENCES support_requests (id),
    seller_id BIGINT NOT NULL REFERENCES accounts (id),
    -- The seller's listing that matched the request; a commission refers to it.
    listing_id BIGINT NOT NULL REFERENCES listings (id),
    status TEXT NOT NULL CHECK (status IN ('open', 'accepted', 'declined', 'withdrawn')),
    unit TEXT NOT NULL,
    price_pence BIGINT NOT NULL,
    rates TEXT NOT NULL DEFAULT '[]',
    fees TEXT NOT NULL DEFAULT '[]',
    visits_per_week_centi BIGINT,
    start_date DATE NOT NULL,
    schedule TEXT NOT NULL DEFAULT '',
    message TEXT NOT NULL,
    valid_until DATE,
    weekly_pence BIGINT NOT NULL,
    total_pence BIGINT NOT NULL,
    cost TEXT NOT NULL,
    commission_id BIGINT REFERENCES commissions (id),
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX offers_request ON offers (request_id, status);
CREATE INDEX offers_seller ON offers (seller_id, status);
-- One open offer per seller per request: a seller revises rather than repeats.
CREATE UNIQUE INDEX offers_one_open ON offers (request_id, seller_id) WHERE status = 'open';

-- The commission an accepted offer became.
ALTER TABLE commissions ADD COLUMN offer_id BIGINT;

-- How a seller wants to hear of new requests that fit their listings.
CREATE TABLE request_alerts (
    account_id BIGINT PRIMARY KEY NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    frequency TEXT NOT NULL CHECK (frequency IN ('immediate', 'daily', 'off')),
    -- The daily digest has covered requests posted up to this moment.
    digest_until TIMESTAMP,
    updated_at TIMESTAMP NOT NULL
);

-- A council's own view of what support should cost, by category and unit:
-- offers and listings above it are evidence for its fee reports.
CREATE TABLE council_reference_rates (
    council_code TEXT NOT NULL REFERENCES councils (code),
    category TEXT NOT NULL,
    unit TEXT NOT NULL,
    amount_pence BIGINT NOT NULL CHECK (amount_pence > 0),
    updated_by BIGINT NOT NULL REFERENCES accounts (id),
    updated_at TIMESTAMP NOT NULL,
    PRIMARY KEY (council_code, category, unit)
);
