-- Listing changes waiting to reach the search engine, written in the same
-- transaction as the change itself. A row with no listing_id asks for the
-- index to be emptied first (a rebuild).
CREATE TABLE search_outbox (
    id INTEGER PRIMARY KEY NOT NULL,
    listing_id BIGINT,
    queued_at TIMESTAMP NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMP NOT NULL,
    last_error TEXT
);
CREATE INDEX search_outbox_due ON search_outbox (next_attempt_at, id);

-- Every search, with no account attached: the raw material of market-gap reports.
CREATE TABLE search_events (
    id INTEGER PRIMARY KEY NOT NULL,
    searched_at TIMESTAMP NOT NULL,
    query TEXT NOT NULL,
    filters TEXT NOT NULL,
    category TEXT,
    district TEXT,
    council_code TEXT,
    result_count BIGINT NOT NULL,
    engine TEXT NOT NULL
);
CREATE INDEX search_events_council ON search_events (council_code, searched_at);
CREATE INDEX search_events_district ON search_events (district, category, searched_at);
