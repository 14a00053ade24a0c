-- A council's resource allocation system (questions, points and the price
-- of a point) as one checked JSON document; councils without one use the
-- built-in table.
CREATE TABLE council_allocations (
    council_code TEXT PRIMARY KEY NOT NULL REFERENCES councils (code),
    allocation TEXT NOT NULL,
    updated_by BIGINT NOT NULL REFERENCES accounts (id),
    updated_at TIMESTAMP NOT NULL
);

-- A budget holder's latest self-assessment, and the indicative budget it gave.
CREATE TABLE self_assessments (
    holder_id BIGINT PRIMARY KEY NOT NULL REFERENCES accounts (id),
    council_code TEXT NOT NULL REFERENCES councils (code),
    answers TEXT NOT NULL,
    points INTEGER NOT NULL,
    indicative_pence BIGINT NOT NULL,
    updated_by BIGINT NOT NULL REFERENCES accounts (id),
    acting_as TEXT NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

-- How the holder rates each outcome domain (1 to 5) at the start of a plan
-- and at each review.
CREATE TABLE outcome_ratings (
    id INTEGER PRIMARY KEY NOT NULL,
    plan_id BIGINT NOT NULL REFERENCES plans (id) ON DELETE CASCADE,
    stage TEXT NOT NULL CHECK (stage IN ('start', 'review')),
    domain TEXT NOT NULL,
    rating INTEGER NOT NULL CHECK (rating BETWEEN 1 AND 5),
    rated_by BIGINT NOT NULL REFERENCES accounts (id),
    acting_as TEXT NOT NULL,
    rated_at TIMESTAMP NOT NULL
);
CREATE INDEX outcome_ratings_plan ON outcome_ratings (plan_id, rated_at);
