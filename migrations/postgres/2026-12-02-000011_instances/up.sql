-- Several Bespoke instances on one database (docs/deployment.md).

-- Each running instance, keyed by its data directory's id: start-up reads the
-- others to refuse a misconfiguration it can see (a different signing secret,
-- an embedded search index that cannot be shared).
CREATE TABLE instances (
    id TEXT PRIMARY KEY,
    host TEXT NOT NULL,
    bind TEXT NOT NULL,
    search TEXT NOT NULL,
    secret_fingerprint TEXT NOT NULL,
    started_at TIMESTAMP NOT NULL,
    last_seen TIMESTAMP NOT NULL
);

-- Work that one instance at a time may do (the search outbox): whoever holds
-- an unexpired lease does it, and renews the lease while it works.
CREATE TABLE leases (
    name TEXT PRIMARY KEY,
    holder TEXT NOT NULL,
    expires_at TIMESTAMP NOT NULL
);
