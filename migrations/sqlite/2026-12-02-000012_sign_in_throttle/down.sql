CREATE TABLE sign_in_lockouts (
    email TEXT PRIMARY KEY NOT NULL,
    locked_until TIMESTAMP NOT NULL
);
DROP INDEX sign_in_failures_client;
DROP INDEX sign_in_failures_email;
ALTER TABLE sign_in_failures DROP COLUMN client;
CREATE INDEX sign_in_failures_email ON sign_in_failures (email, failed_at);
