-- A broker's declared interests in providers. A broker who sells is
-- affiliated with their own listings without declaring it.
CREATE TABLE broker_affiliations (
    broker_id BIGINT NOT NULL REFERENCES accounts (id),
    provider_id BIGINT NOT NULL REFERENCES accounts (id),
    nature TEXT NOT NULL CHECK (nature IN ('owner', 'employee', 'contract', 'family', 'other')),
    declared_at TIMESTAMP NOT NULL,
    PRIMARY KEY (broker_id, provider_id)
);
CREATE INDEX broker_affiliations_provider ON broker_affiliations (provider_id);

-- The interest a broker had in the seller when they commissioned, as declared then.
ALTER TABLE commissions ADD COLUMN broker_affiliation TEXT;
