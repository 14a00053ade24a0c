-- Councils responsible for adult social care, kept in step with data/places/councils.csv.
CREATE TABLE councils (
    code TEXT PRIMARY KEY NOT NULL,
    name TEXT NOT NULL,
    population BIGINT NOT NULL
);

CREATE TABLE accounts (
    id INTEGER PRIMARY KEY NOT NULL,
    -- Organisations imported from the CQC directory have an account before
    -- anyone can sign in to it: no email and no password until it is claimed.
    email TEXT UNIQUE,
    name TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('budget_holder', 'provider', 'personal_assistant', 'broker', 'commissioner', 'admin')),
    password_hash TEXT,
    council_code TEXT REFERENCES councils (code),
    postcode TEXT,
    district TEXT,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX accounts_council ON accounts (council_code, role);

-- A signed token names its session; revoking the row signs the token out.
CREATE TABLE sessions (
    id TEXT PRIMARY KEY NOT NULL,
    account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    revoked_at TIMESTAMP
);
CREATE INDEX sessions_account ON sessions (account_id);

CREATE TABLE sign_in_failures (
    id INTEGER PRIMARY KEY NOT NULL,
    email TEXT NOT NULL,
    failed_at TIMESTAMP NOT NULL
);
CREATE INDEX sign_in_failures_email ON sign_in_failures (email, failed_at);

CREATE TABLE sign_in_lockouts (
    email TEXT PRIMARY KEY NOT NULL,
    locked_until TIMESTAMP NOT NULL
);

-- Small operator facts, such as whether the demo data has been seeded.
CREATE TABLE settings (
    key TEXT PRIMARY KEY NOT NULL,
    value TEXT NOT NULL
);
