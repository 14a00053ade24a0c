-- Risk signals a commissioner has seen: each keeps its id between readings,
-- and a review (who, when, a note) sticks to it.
CREATE TABLE risk_flags (
    id BIGSERIAL PRIMARY KEY,
    council_code TEXT NOT NULL REFERENCES councils (code),
    signal_key TEXT NOT NULL,
    kind TEXT NOT NULL,
    subject_id BIGINT NOT NULL REFERENCES accounts (id),
    explanation TEXT NOT NULL,
    first_seen_at TIMESTAMP NOT NULL,
    last_seen_at TIMESTAMP NOT NULL,
    reviewed_by BIGINT REFERENCES accounts (id),
    reviewed_at TIMESTAMP,
    review_note TEXT,
    UNIQUE (council_code, signal_key)
);

-- The council's recorded agreement that a holder may employ a family member
-- as their personal assistant.
CREATE TABLE family_agreements (
    council_code TEXT NOT NULL REFERENCES councils (code),
    holder_id BIGINT NOT NULL REFERENCES accounts (id),
    seller_id BIGINT NOT NULL REFERENCES accounts (id),
    recorded_by BIGINT NOT NULL REFERENCES accounts (id),
    recorded_at TIMESTAMP NOT NULL,
    note TEXT NOT NULL,
    PRIMARY KEY (holder_id, seller_id)
);

-- Reports read commissions by when they were made.
CREATE INDEX commissions_created ON commissions (created_at);
